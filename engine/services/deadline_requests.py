"""Ask to pause a task's clock or for more time, and decide: nobody moves the clock that binds them.

The agency owning a task asks, with a reason and a number of working days; while it waits, its
clock runs. A head of the approving agency decides: for a pause, the agency named by the
task's ``pause_approver`` (the lead agency, or the task's own head); for more time, always
the lead agency, and only once per task. An approval writes the ledger row that moves the due
date; a refusal leaves the clock exactly as it was.
"""

import uuid

from engine import policy
from engine.clock import Clock
from engine.deadlines import ChangeKind, PauseApprover
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.events import DeadlineRequestChanged
from engine.identity import Principal
from engine.instances import TaskStatus, approver_of
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.deadlines import running_deadline
from engine.services.ledger import change_deadline
from engine.services.tasks import task_row
from engine.store.deadline_requests import PENDING
from engine.store.uow import UnitOfWork
from engine.views import deadline_request_view

PAUSE, MORE_TIME = "pause", "more_time"
MAX_WORKING_DAYS = 60
LEDGER_KIND = {PAUSE: ChangeKind.PAUSE_GRANTED, MORE_TIME: ChangeKind.EXTENDED}


def request_deadline_change(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                            kind: str, working_days: int, reason: str) -> dict:
    """Ask, for the task's agency, to pause its clock or for more time; the clock keeps running."""
    _check(kind, working_days, reason)
    with uow:
        task = running_deadline(uow, principal, task_id)
        instance = uow.instances.get(task["instance_id"])
        step = approver_of(uow.processes.compiled(instance["process_version_id"]), task["bpmn_id"])
        if kind == MORE_TIME and step is not None:
            raise Conflict(f"Thời hạn nhiệm vụ này chỉ được gia hạn khi bước '{step}' đồng ý")
        approver = _approver(task, instance, kind)
        _refuse_repeat(uow.requests.for_task(task_id, kind), kind)
        now, request_id = clock.now(), str(uuid.uuid4())
        uow.requests.add(id=request_id, task_id=task_id, instance_id=task["instance_id"],
                         agency_code=task["agency_code"], kind=kind, working_days=working_days,
                         reason=reason.strip(), asked_by=principal.subject, asked_at=now,
                         approver_agency=approver)
        request = uow.requests.get(request_id)
        _announce(uow, request, now, principal.subject)
        uow.commit()
    return deadline_request_view(request)


def decide_deadline_request(uow: UnitOfWork, clock: Clock, principal: Principal, request_id: str,
                            approve: bool, reason: str | None, rules: Rules | None = None) -> dict:
    """Approve or refuse a pending request as a head of the approving agency."""
    reason = (reason or "").strip()
    if not approve and len(reason) < 5:
        raise Invalid("Thiếu lý do từ chối", {"reason": "Bắt buộc khi từ chối, ít nhất 5 ký tự"})
    with uow:
        request = uow.requests.get(request_id)
        if request is None:
            raise NotFound("Không tìm thấy đề nghị")
        policy.require(principal, Action.DECIDE_DEADLINE_REQUEST, Resource(request["approver_agency"]))
        if principal.subject == request["asked_by"]:
            raise Forbidden("Người đề nghị không được tự duyệt đề nghị của mình")
        task = task_row(uow, request["task_id"])
        if request["state"] != PENDING or task["state"] != TaskStatus.OPEN:
            raise Conflict("Đề nghị đã được quyết định hoặc nhiệm vụ đã đóng")
        now, state = clock.now(), "approved" if approve else "refused"
        if not uow.requests.decide(request_id, state, decided_by=principal.subject, decided_at=now,
                                   decision_reason=reason or None):
            raise Conflict("Đề nghị đã được quyết định")
        if approve:
            change_deadline(uow, now, principal, task, LEDGER_KIND[request["kind"]], request["reason"],
                            rules or default_rules(), working_days=request["working_days"],
                            approved_by=principal.subject)
        request = uow.requests.get(request_id)
        _announce(uow, request, now, principal.subject)
        due = uow.tasks.get(task["id"])["due_at"]
        view = {**deadline_request_view(request), "task_due_at": due.isoformat()}
        uow.commit()
    return view


def list_deadline_requests(uow: UnitOfWork, principal: Principal, state: str | None) -> list[dict]:
    """List the requests the principal's agency asked or must decide; all for readers of all."""
    agency = None if policy.reads_all(principal) else principal.agency
    with uow:
        return [deadline_request_view(r) for r in uow.requests.search(agency, state)]


def _check(kind: str, working_days: int, reason: str) -> None:
    errors = {}
    if kind not in (PAUSE, MORE_TIME):
        errors["kind"] = f"Chỉ nhận '{PAUSE}' (tạm dừng) hoặc '{MORE_TIME}' (thêm thời gian)"
    if isinstance(working_days, bool) or not isinstance(working_days, int) \
            or not 1 <= working_days <= MAX_WORKING_DAYS:
        errors["working_days"] = f"Từ 1 đến {MAX_WORKING_DAYS} ngày làm việc"
    if len((reason or "").strip()) < 5:
        errors["reason"] = "Bắt buộc, ít nhất 5 ký tự"
    if errors:
        raise Invalid("Đề nghị không hợp lệ", errors)


def _approver(task, instance, kind: str) -> str:
    """Name the agency whose head decides; refuse a pause the process does not allow."""
    if kind == MORE_TIME:
        return instance["lead_agency"]
    approver = task["pause_approver"] or PauseApprover.NONE
    if approver == PauseApprover.NONE:
        raise Conflict(f"Quy trình không cho phép tạm dừng thời hạn của nhiệm vụ «{task['name']}»")
    return instance["lead_agency"] if approver == PauseApprover.LEAD else task["agency_code"]


def _refuse_repeat(asked: list, kind: str) -> None:
    if any(r["state"] == PENDING for r in asked):
        raise Conflict("Đã có một đề nghị đang chờ duyệt cho nhiệm vụ này")
    if kind == MORE_TIME and asked:
        raise Conflict("Chỉ được đề nghị thêm thời gian một lần cho mỗi nhiệm vụ")


def _announce(uow, request, now, actor: str) -> None:
    uow.journal.record(DeadlineRequestChanged(
        request["instance_id"], now, actor, request["id"], request["task_id"], request["agency_code"],
        request["kind"], "asked" if request["state"] == PENDING else request["state"],
        request["working_days"], request["reason"], request["approver_agency"]))
