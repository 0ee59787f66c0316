"""Deploy BPMN documents as immutable, numbered versions."""

from collections.abc import Mapping
from pathlib import Path

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, NotFound
from engine.identity import SYSTEM, Principal
from engine.library import ProcessDefinition, load_directory, parse_definition, read_form_files
from engine.store.uow import UnitOfWork
from engine.views import version_view


def deploy_process(uow: UnitOfWork, clock: Clock, principal: Principal, bpmn: bytes,
                   expected_id: str | None = None, form_library: Path | None = None,
                   uploaded_forms: Mapping[str, bytes] | None = None) -> tuple[dict, bool]:
    """Store a BPMN document and its forms as a new version unless the same content is deployed.

    The forms it names come from the files uploaded with it, else from ``form_library``
    (the library's ``forms/`` folder).
    """
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    files = {**(read_form_files(form_library) if form_library else {}), **(uploaded_forms or {})}
    definition = parse_definition(bpmn, expected_id, files)
    with uow:
        result = _deploy(uow, clock, principal, definition)
        uow.commit()
    return result


def load_process_directory(uow: UnitOfWork, clock: Clock, directory: Path) -> list[dict]:
    """Deploy every BPMN file of a directory at start-up; unchanged files keep their version.

    Several web processes may start at once: the one that loses the race finds the versions
    the winner stored on its second try.
    """
    definitions = load_directory(directory)
    for attempt in (1, 2):
        try:
            with uow:
                deployed = [_deploy(uow, clock, SYSTEM, d)[0] for d in definitions]
                uow.commit()
            return deployed
        except Conflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _deploy(uow, clock, principal, definition: ProcessDefinition) -> tuple[dict, bool]:
    existing = uow.processes.find_by_hash(definition.process_id, definition.content_hash)
    if existing:
        return {**version_view(existing), "notice": None}, False
    latest = uow.processes.latest(definition.process_id)
    row = dict(
        process_id=definition.process_id,
        version=(latest["version"] + 1) if latest else 1,
        name=definition.name,
        content_hash=definition.content_hash,
        bpmn_xml=definition.bpmn_xml,
        spec_json=definition.spec_json,
        forms=definition.forms,
        deployed_at=clock.now(),
        deployed_by=principal.subject,
    )
    row["id"] = uow.processes.add(**row)
    return {**version_view(row), "notice": _takeover_notice(latest, row, principal)}, True


def _takeover_notice(latest, row, principal) -> str | None:
    """Announce a file that became the next version of a process someone else deployed.

    Tools name processes `Process_1` or `main`: two unrelated files can share an id, and the
    designer must see that this upload now replaces the other one for new instances.
    """
    if latest is None or latest["deployed_by"] == principal.subject:
        return None
    return (f"Mã quy trình '{row['process_id']}' đã có, do {latest['deployed_by']} triển khai "
            f"(phiên bản {latest['version']}); tệp này trở thành phiên bản {row['version']} của "
            "quy trình đó và các hồ sơ mới sẽ chạy theo nó. Nếu đây là quy trình khác, hãy đổi id "
            "của bpmn:process rồi tải lên lại")


def list_processes(uow: UnitOfWork) -> list[dict]:
    """List every process with its latest version."""
    with uow:
        return [version_view(r) for r in uow.processes.summaries()]


def get_process(uow: UnitOfWork, process_id: str) -> dict:
    """Describe one process and all its versions."""
    with uow:
        versions = uow.processes.versions(process_id)
    if not versions:
        raise NotFound(f"Không có quy trình '{process_id}'")
    return {"process_id": process_id, "name": versions[-1]["name"],
            "latest_version": versions[-1]["version"], "versions": [version_view(v) for v in versions]}
