"""Deliver a BPMN message from an agency's own system to the instance waiting for it."""

from engine import policy
from engine.clock import Clock
from engine.errors import NotFound, StepFailed
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.persistence import (
    load_instance,
    record_failure,
    retrying_stale,
    save_instance,
)
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork


def deliver_message(uow: UnitOfWork, clock: Clock, principal: Principal, name: str,
                    correlation_key: str, payload: dict, rules: Rules | None = None) -> dict:
    """Deliver message ``name`` to the instance whose id is ``correlation_key``, and run on.

    Only an agency taking part may send it: the lead agency, or one with an open task there.
    """
    return retrying_stale(lambda: _deliver(uow, clock, principal, name, correlation_key, payload,
                                           rules or default_rules()))


def _deliver(uow, clock, principal, name, correlation_key, payload, rules) -> dict:
    now = clock.now()
    try:
        with uow:
            row, instance = load_instance(uow, correlation_key, rules, now)
            _require_participant(uow, principal, row)
            if name not in instance.waiting_messages():
                raise NotFound(f"Hồ sơ không chờ thông điệp '{name}'")
            instance.deliver_message(name, payload, now, principal.subject, principal.agency)
            save_instance(uow, row, instance, rules, now)
            uow.commit()
    except StepFailed as err:
        record_failure(uow, correlation_key, err, principal.subject, now)
        raise
    return {"instance_id": row["id"], "message": name, "instance_status": instance.status,
            "waiting_messages": instance.waiting_messages()}


def _require_participant(uow: UnitOfWork, principal: Principal, row) -> None:
    query = TaskQuery(instance_id=row["id"], state=TaskStatus.OPEN, limit=1000)
    open_tasks, _ = uow.tasks.search(query)
    participants = frozenset(t["agency_code"] for t in open_tasks)
    policy.require(principal, Action.SEND_MESSAGE,
                   Resource(lead_agency=row["lead_agency"], participants=participants))
