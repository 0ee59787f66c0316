"""Turn one outbox event into one notification per person, in the worker's transaction.

Idempotent by keys: one notification per (event, person), one ``mail:{id}`` job per
immediate notification, one ``digest:{person}:{day}`` job per person and day.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa

from engine.instances import SYSTEM_ACTOR
from engine.services.persistence import load_instance
from engine.store.jobs import Job
from engine.store.tables import outbox
from notifications import facts as facts_of
from notifications import messages
from notifications.audience import Audience, Recipient
from notifications.config import NotificationConfig
from notifications.digest import digest_key, next_digest_at
from notifications.events import PeopleNotified
from notifications.kinds import EVENT_PREFIX, OF_EVENT, URGENT, Kind
from notifications.repositories import Notifications, Preference, Preferences
from notifications.tables import DeliveryMode, NotificationStatus

DEFAULT = Preference()


def fan_out(uow, job: Job, now: datetime, config: NotificationConfig) -> None:
    """Notify the people an outbox event concerns, as each of them prefers."""
    event = uow.conn.execute(sa.select(outbox).where(outbox.c.id == job.payload["outbox_id"]))
    event = event.mappings().first()
    if event is None or event["type"].startswith(EVENT_PREFIX) or event["type"] not in OF_EVENT:
        return
    kind, payload = OF_EVENT[event["type"]], event["payload"]
    task = uow.tasks.get(payload.get("task_id")) if payload.get("task_id") else None
    if task is None:
        return
    instance = uow.instances.get(task["instance_id"])
    if kind == Kind.REPLY_RECEIVED and not _is_reply(task, instance, payload):
        return
    named = payload.get("user_id") if event["type"] == "task.reassigned" else None
    if event["type"] == "task.reassigned" and not named:
        return
    people = Audience(uow.conn).of(kind, task, instance, event["occurred_at"], named)
    if people:
        facts = _facts(uow, kind, task, instance, payload, event["occurred_at"], config)
        told = [p for p in people if _notify(uow, event["id"], kind, p, facts, now, config)]
        _announce(uow, kind, task, facts, told, now)


def _is_reply(task, instance, payload: dict) -> bool:
    """Tell a consulted agency's reply (it states a position) from any other completed step.

    The lead's own steps are no reply, and a deemed consent is told as such, not as a reply.
    """
    return (task["agency_code"] != instance["lead_agency"] and payload.get("actor") != SYSTEM_ACTOR
            and bool((payload.get("data") or {}).get("position")))


def _facts(uow, kind: Kind, task, instance, payload: dict, at: datetime,
           config: NotificationConfig) -> dict:
    variables = load_instance(uow, instance["id"], config.rules, at)[1].variables
    process = uow.processes.latest(instance["process_id"])
    title = facts_of.instance_title(variables, process["name"] if process else instance["process_id"])
    names = {a["code"]: a["name"] for a in uow.directory.agencies()}
    position = (payload.get("data") or {}).get("position") if kind == Kind.REPLY_RECEIVED else None
    # Working days left are counted in the hours of the agency that must act.
    calendar = config.rules.calendar.for_agency(task["agency_code"])
    return facts_of.gather(kind, task, instance, title, names, calendar, at, config.public_url, position)


def _notify(uow, outbox_id: int, kind: Kind, person: Recipient, facts: dict, now: datetime,
            config: NotificationConfig) -> bool:
    """Store one person's notification and queue its sending; False if muted or known already."""
    pref = Preferences(uow.conn).of([person.user_id]).get(person.user_id, DEFAULT)
    if kind in pref.muted and kind not in URGENT:
        return False
    notification_id, key = str(uuid.uuid4()), None
    if not person.email:
        status = NotificationStatus.UNREACHABLE
    elif pref.mode == DeliveryMode.DIGEST and kind not in URGENT:
        status, due = NotificationStatus.DIGEST, next_digest_at(config.rules.calendar, pref.digest_hour, now)
        key = digest_key(person.user_id, due, config.rules.calendar)
    else:
        status = NotificationStatus.PENDING
    added = Notifications(uow.conn).add(
        id=notification_id, outbox_id=outbox_id, user_id=person.user_id, kind=kind,
        email=person.email, status=status, digest_key=key, created_at=now,
        facts={**facts, "recipient_role": person.role})
    if added and status == NotificationStatus.PENDING:
        uow.jobs.schedule("mail", f"mail:{notification_id}", now, {"notification_id": notification_id}, now)
    elif added and status == NotificationStatus.DIGEST:
        uow.jobs.schedule("digest", key, due, {"user_id": person.user_id}, now)
    return added


def _announce(uow, kind: Kind, task, facts: dict, told: list[Recipient], now: datetime) -> None:
    """Record a ``notification.*`` event naming who was told, for agencies' chat bridges."""
    if not told:
        return
    recipients = [{"username": p.username, "full_name": p.full_name, "agency": p.agency,
                   "role": p.role} for p in told]
    uow.journal.record(PeopleNotified(
        task["instance_id"], now, SYSTEM_ACTOR, task["id"], task["agency_code"], kind,
        messages.subject(facts), messages.text_of(facts), facts["link"], recipients))
