"""Keep a feedback item's row in step with its process, and tell the sender what became of it.

The process decides where an item stands: each user task of ``xu_ly_pakn`` declares the
``feedback_state`` the item is in while it is open, and a script before each end event sets
the variable ``feedback_state``. An upward transfer is a script that appends to the variable
``transfers`` and moves ``handling_agency``. After every step the row follows: each change of
state and each transfer is one audit row and one outbox event (``feedback.*``, which webhooks
carry to the intake system), and a sender with an email address gets a ``sender_mail`` job.
"""

from datetime import datetime

from engine.feedback import (
    FeedbackState,
    FeedbackStateChanged,
    FeedbackTransferred,
    link_path,
    sender_of,
)
from engine.instances import SYSTEM_ACTOR, InstanceStatus, ProcessInstance
from engine.rules import Rules
from engine.store.repositories import TaskQuery

MARKER = "feedback_kind"
SENDER_MAIL = "sender_mail"
# What the sender hears of; the other states are the agency's own business.
TOLD = frozenset({FeedbackState.REFUSED, FeedbackState.SUPPLEMENT_REQUESTED,
                  FeedbackState.PUBLISHED, FeedbackState.NOT_SUPPLEMENTED})


def transfer_rule(uow, rules: Rules):
    """Return the check of a transfer from one agency to another: why it is refused, or None."""
    def level(code: str) -> int | None:
        agency = uow.directory.agency(code)
        return rules.feedback.levels.get(agency["kind"]) if agency else None

    return lambda from_agency, to_agency: rules.feedback.upward_refusal(level(from_agency), level(to_agency))


def state_of(instance: ProcessInstance) -> FeedbackState | None:
    """Return the state the process puts its item in now, or None to keep the current one."""
    if instance.status == InstanceStatus.CANCELLED:
        return FeedbackState.CANCELLED
    if instance.status == InstanceStatus.COMPLETED:
        value = instance.variables.get("feedback_state")
        return FeedbackState(value) if value else None
    declared = {t.task_spec.extensions.get("properties", {}).get("feedback_state")
                for t in instance.ready_tasks()} - {None}
    return FeedbackState(declared.pop()) if len(declared) == 1 else None


def follow_feedback(uow, instance: ProcessInstance, now: datetime, actor: str | None = None) -> None:
    """Move the instance's feedback row, if it is a feedback item, to where its process stands."""
    variables = instance.variables
    if MARKER not in variables and MARKER not in instance.workflow.task_tree.data:
        return
    actor = actor or SYSTEM_ACTOR
    row = uow.feedback.get(instance.id) or _add_row(uow, instance.id, variables, now)
    transfers = variables.get("transfers") or []
    for number, transfer in enumerate(transfers[row["transfer_count"]:], row["transfer_count"] + 1):
        uow.journal.record(FeedbackTransferred(instance.id, now, actor, transfer["from_agency"],
                                               transfer["to_agency"], transfer.get("reasons", ""),
                                               link_path(instance.id)))
        _tell_sender(uow, instance.id, variables, "transferred", f"transfer-{number}", now, transfer)
    values = {"transfer_count": len(transfers),
              "agency_code": variables.get("handling_agency") or row["agency_code"]}
    target = state_of(instance)
    if target is not None and target != row["state"]:
        uow.journal.record(FeedbackStateChanged(instance.id, now, actor, values["agency_code"],
                                                row["state"], target, target.label,
                                                link_path(instance.id)))
        values.update(state=target, closed_at=now if target.closed else None)
        if target in TOLD:
            _tell_sender(uow, instance.id, variables, target, f"{len(transfers)}:{now.isoformat()}", now)
    uow.feedback.update(instance.id, updated_at=now, **values)


def _add_row(uow, instance_id: str, variables: dict, now: datetime):
    """Insert the row of an item an officer entered by starting the process directly."""
    uow.feedback.add(instance_id=instance_id, title=variables.get("title", ""),
                     kind=variables[MARKER], channel=variables.get("channel", ""),
                     sender=sender_of(variables),
                     agency_code=variables.get("handling_agency") or variables.get("lead_agency"),
                     received_by=variables.get("received_by") or variables.get("lead_agency"),
                     state=FeedbackState.RECEIVED, transfer_count=0, received_at=now,
                     updated_at=now)
    return uow.feedback.get(instance_id)


def _tell_sender(uow, instance_id: str, variables: dict, what: str, occasion: str, now: datetime,
                 transfer: dict | None = None) -> None:
    """Queue an email to a sender who gave an address; the others hear through the intake system.

    The job's key names the occasion (the n-th transfer; a state at an instant), so a step
    run again after a lost lease queues no second email.
    """
    sender = sender_of(variables)
    if not sender.get("email"):
        return
    names = {a["code"]: a["name"] for a in uow.directory.agencies()}
    agency = (transfer or {}).get("from_agency") or variables.get("handling_agency")
    payload = {"instance_id": instance_id, "what": str(what), "to": sender["email"],
               "name": sender.get("name", ""), "title": variables.get("title", ""),
               "agency_name": names.get(agency, agency),
               "reasons": (transfer or {}).get("reasons") or variables.get("reasons", ""),
               "answer": variables.get("answer", ""),
               "published_where": variables.get("published_where", ""),
               "due_at": _open_step_due(uow, instance_id)}
    if transfer:
        payload["to_agency_name"] = names.get(transfer["to_agency"], transfer["to_agency"])
    key = f"{SENDER_MAIL}:{instance_id}:{what}:{occasion}"
    uow.jobs.schedule(SENDER_MAIL, key, now, payload, now)


def _open_step_due(uow, instance_id: str) -> str | None:
    """Return the due instant of the item's open step (the sender's supplement window)."""
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, state="open", limit=10))
    due = min((t["due_at"] for t in tasks if t["due_at"]), default=None)
    return due.isoformat() if due else None
