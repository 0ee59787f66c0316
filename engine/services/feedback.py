"""Receive citizen feedback from intake systems, list it and show it, each to whom it concerns."""

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.feedback import FeedbackState, sender_variables
from engine.identity import Principal
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.dossiers import control_sheet
from engine.services.feedback_state import MARKER
from engine.services.instances import create_instance
from engine.store.feedback import FeedbackQuery
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import iso, task_view

PROCESS = "xu_ly_pakn"
NOT_FOUND = "Không tìm thấy phản ánh, kiến nghị"


@dataclass(frozen=True)
class Intake:
    """One feedback item as an intake system (national portal, province's system) sends it."""

    source_system: str
    source_id: str
    agency: str
    title: str
    content: str
    kind: str
    channel: str
    sender: dict
    attachments: list = field(default_factory=list)

    def variables(self) -> dict:
        """Return the process's start variables, as its start form ``pakn_intake`` takes them."""
        return {"title": self.title, "content": self.content, MARKER: self.kind,
                "channel": self.channel, **sender_variables(self.sender),
                "attachments": list(self.attachments), "agency": self.agency}

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.variables(), sort_keys=True).encode()).hexdigest()


def receive_feedback(uow_factory, clock: Clock, principal: Principal, intake: Intake,
                     rules: Rules | None = None) -> tuple[dict, bool]:
    """Start the feedback process for an intake, once per intake id; return the view and if new.

    A retried POST finds the item its first attempt stored and changes nothing; the same id
    with other content is a conflict. Two attempts racing meet on the unique intake id.
    """
    policy.require(principal, Action.RECEIVE_FEEDBACK)
    rules = rules or default_rules()
    if intake.kind not in rules.feedback.kinds:
        raise Invalid("Phản ánh, kiến nghị chưa hợp lệ",
                      {"kind": f"Loại phản ánh phải là một trong: {', '.join(sorted(rules.feedback.kinds))}"})
    existing = _existing(uow_factory(), clock, intake)
    if existing is not None:
        return existing, False
    try:
        return _start(uow_factory(), clock, principal, intake, rules), True
    except IntegrityError:
        existing = _existing(uow_factory(), clock, intake)
        if existing is None:
            raise
        return existing, False


def _existing(uow, clock: Clock, intake: Intake) -> dict | None:
    with uow:
        row = uow.feedback.by_source(intake.source_system, intake.source_id)
        if row is None:
            return None
        if row["fingerprint"] != intake.fingerprint():
            raise Conflict(f"Mã {intake.source_id} của hệ thống {intake.source_system} đã được "
                           "tiếp nhận với nội dung khác")
        return _view(uow, row, clock.now())


def _start(uow, clock: Clock, principal: Principal, intake: Intake, rules: Rules) -> dict:
    now = clock.now()
    with uow:
        version = uow.processes.latest(PROCESS)
        if version is None:
            raise Invalid(f"Quy trình '{PROCESS}' chưa được triển khai")

        def store(instance) -> None:
            uow.feedback.add(instance_id=instance.id, source_system=intake.source_system,
                             source_id=intake.source_id, fingerprint=intake.fingerprint(),
                             title=intake.title, kind=intake.kind, channel=intake.channel,
                             sender=intake.sender, agency_code=intake.agency,
                             received_by=principal.agency, state=FeedbackState.RECEIVED,
                             transfer_count=0, received_at=now, updated_at=now)

        instance = create_instance(uow, principal, str(uuid.uuid4()), version, intake.variables(),
                                   rules, now, before_publish=store)
        view = _view(uow, uow.feedback.get(instance.id), now)
        uow.commit()
    return view


def list_feedback(uow: UnitOfWork, clock: Clock, principal: Principal,
                  query: FeedbackQuery) -> tuple[list, int]:
    """List feedback; an agency sees what it handles or received unless it reads every agency's."""
    if query.agency and query.agency != principal.agency and not policy.reads_all(principal):
        raise Forbidden(policy.REFUSALS[Action.READ_FEEDBACK])
    if not query.agency and not policy.reads_all(principal):
        query = replace(query, agency=principal.agency)
    now = clock.now()
    with uow:
        rows, total = uow.feedback.search(replace(query, now=now))
        return [_summary(uow, r, now) for r in rows], total


def get_feedback(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str) -> dict:
    """Show one feedback item: state, sender, transfers, steps with their deadlines, violations."""
    with uow:
        row = uow.feedback.get(instance_id) if _is_id(instance_id) else None
        if row is None:
            raise NotFound(NOT_FOUND)
        tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=1000))
        policy.require(principal, Action.READ_FEEDBACK, Resource(
            agency=row["agency_code"], lead_agency=row["received_by"],
            participants=frozenset(t["agency_code"] for t in tasks)))
        return _view(uow, row, clock.now(), tasks)


def _is_id(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _open_steps(uow, instance_id: str) -> list:
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, state="open", limit=100))
    return tasks


def _summary(uow, row, now: datetime, tasks: list | None = None) -> dict:
    state = FeedbackState(row["state"])
    open_steps = [t for t in tasks if t["state"] == "open"] if tasks is not None \
        else _open_steps(uow, row["instance_id"])
    due = min((t["due_at"] for t in open_steps if t["due_at"] and t["paused_at"] is None), default=None)
    return {"id": row["instance_id"], "source_system": row["source_system"],
            "source_id": row["source_id"], "title": row["title"], "kind": row["kind"],
            "channel": row["channel"], "sender": dict(row["sender"]), "agency": row["agency_code"],
            "received_by": row["received_by"], "state": str(state), "state_label": state.label,
            "transfer_count": row["transfer_count"], "received_at": iso(row["received_at"]),
            "closed_at": iso(row["closed_at"]), "due_at": iso(due),
            "overdue": due is not None and due < now}


def _view(uow, row, now: datetime, tasks: list | None = None) -> dict:
    if tasks is None:
        tasks, _ = uow.tasks.search(TaskQuery(instance_id=row["instance_id"], limit=1000))
    transfers = [{"at": h["occurred_at"].isoformat(), "actor": h["actor"],
                  **{k: h["detail"].get(k) for k in ("from_agency", "to_agency", "reasons")}}
                 for h in uow.journal.history(row["instance_id"]) if h["type"] == "feedback.transferred"]
    violations = [{"agency": v["agency_code"], "kind": v["kind"], "task_id": v["task_id"],
                   "at": v["occurred_at"].isoformat(), "responsible": v["responsible"],
                   "head_name": v["head_name"]}
                  for v in uow.violations.for_instance(row["instance_id"])]
    return {**_summary(uow, row, now, tasks), "transfers": transfers,
            "open_tasks": [task_view(t) for t in tasks if t["state"] == "open"],
            "steps": control_sheet(tasks, now), "violations": violations}
