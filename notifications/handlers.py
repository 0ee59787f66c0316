"""Job handlers: ``notify`` fans an event out; ``mail``, ``digest``, ``sender_mail`` send, two-phase.

The email is sent in `perform`, with no transaction open; `record` then writes the attempt
and settles the job in one transaction. A worker that dies in between makes the job run again
after its lease, so a person may rarely get the same message twice (same ``Message-ID``);
a worker that dies before sending loses nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from engine.store.jobs import Job
from engine.store.repositories import NOTIFY_SETTING
from engine.store.uow import UnitOfWorkFactory
from engine.worker import AttemptFailed
from notifications import messages
from notifications.config import NotificationConfig
from notifications.digest import digest_key, next_digest_at
from notifications.facts import local_text
from notifications.fanout import fan_out
from notifications.mailers import Sent
from notifications.repositories import Notifications, Preferences
from notifications.senders import SenderMailer
from notifications.tables import NotificationStatus


def handlers(uow_factory: UnitOfWorkFactory, config: NotificationConfig) -> dict:
    """Return the notification job handlers by kind, for the worker beside the engine's own."""
    return {
        "notify": lambda uow, job, now: fan_out(uow, job, now, config),
        "mail": MailSender(uow_factory, config),
        "digest": DigestSender(uow_factory, config),
        "sender_mail": SenderMailer(config),
    }


def enable(uow) -> None:
    """Have every outbox row queue a ``notify`` job from now on; called where a worker starts."""
    with uow:
        uow.settings.put(NOTIFY_SETTING, "on")
        uow.commit()


@dataclass(frozen=True)
class Outcome:
    """What sending came to, and which notifications it told of; None when nothing was sent."""

    sent: Sent | None
    ids: list[str]
    reason: str | None = None


class MailSender:
    """Send one immediate notification, then record how it went."""

    def __init__(self, uow_factory: UnitOfWorkFactory, config: NotificationConfig):
        self.uow_factory, self.config = uow_factory, config

    def perform(self, job: Job, now: datetime) -> Outcome:
        """Read the notification in a short transaction of its own, then send with none open."""
        notification_id = job.payload["notification_id"]
        with self.uow_factory() as uow:
            row = Notifications(uow.conn).with_user(notification_id)
        if row is None or row["status"] != NotificationStatus.PENDING:
            return Outcome(None, [])
        address = row["user_email"] or row["email"]
        if not address or not row["active"]:
            return Outcome(None, [notification_id], "Người nhận đã bị khóa hoặc không còn địa chỉ thư")
        message = messages.compose((row["full_name"], address), self.config.mailer.sender,
                                   f"<{notification_id}@{self.config.domain}>", [row["facts"]],
                                   self.config.footer, now.astimezone(self.config.rules.calendar.tz))
        return Outcome(self.config.mailer.send(message), [notification_id])

    def record(self, uow, job: Job, result: Outcome, now: datetime) -> None:
        """Mark the notification sent, or fail the job so the worker retries it."""
        _record(uow, result, now)

    def abandon(self, uow, job: Job, error: str, now: datetime) -> None:
        """Dead-letter the notification when the worker gives up, for administrators to see."""
        Notifications(uow.conn).mark([job.payload["notification_id"]], NotificationStatus.DEAD, error)


class DigestSender:
    """Send one person's digest of a day: every item waiting under the job's key, in order."""

    def __init__(self, uow_factory: UnitOfWorkFactory, config: NotificationConfig):
        self.uow_factory, self.config = uow_factory, config

    def perform(self, job: Job, now: datetime) -> Outcome:
        with self.uow_factory() as uow:
            items = Notifications(uow.conn).waiting_digest(job.key)
            user = uow.directory.user(job.payload["user_id"])
        ids = [item["id"] for item in items]
        if not items:
            return Outcome(None, [])
        if not user["email"] or not user["active"]:
            return Outcome(None, ids, "Người nhận đã bị khóa hoặc không còn địa chỉ thư")
        cal = self.config.rules.calendar
        title = (f"{messages.PREFIX} Tổng hợp {len(items)} thông báo, "
                 f"{local_text(cal, job.due_at).split(' ', 1)[1]}")
        message = messages.compose((user["full_name"], user["email"]), self.config.mailer.sender,
                                   f"<{job.key.replace(':', '.')}@{self.config.domain}>",
                                   [item["facts"] for item in items], self.config.footer,
                                   now.astimezone(cal.tz), title)
        return Outcome(self.config.mailer.send(message), ids)

    def record(self, uow, job: Job, result: Outcome, now: datetime) -> None:
        """Mark the items sent; items that arrived while it was sent go to the next digest."""
        _record(uow, result, now)
        late = [i["id"] for i in Notifications(uow.conn).waiting_digest(job.key) if i["id"] not in result.ids]
        if late:
            user_id = job.payload["user_id"]
            pref = Preferences(uow.conn).of([user_id]).get(user_id)
            cal = self.config.rules.calendar
            due = next_digest_at(cal, pref.digest_hour if pref else job.due_at.astimezone(cal.tz).hour, now)
            key = digest_key(user_id, due, cal)
            Notifications(uow.conn).move_digest(late, key)
            uow.jobs.schedule("digest", key, due, {"user_id": user_id}, now)

    def abandon(self, uow, job: Job, error: str, now: datetime) -> None:
        ids = [item["id"] for item in Notifications(uow.conn).waiting_digest(job.key)]
        Notifications(uow.conn).mark(ids, NotificationStatus.DEAD, error)


def _record(uow, result: Outcome, now: datetime) -> None:
    notifications = Notifications(uow.conn)
    if result.sent is None:
        if result.reason:
            notifications.mark(result.ids, NotificationStatus.UNREACHABLE, result.reason)
        return
    notifications.note_attempt(result.ids, result.sent.error, now)
    if not result.sent.ok:
        raise AttemptFailed(result.sent.error)
