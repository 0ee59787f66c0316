"""Email a feedback item's sender what became of it: the ``sender_mail`` job, two-phase.

A citizen is no user of the directory, so this is no notification row: the job's payload
holds the address and the facts, queued by the step that changed the item. The email is sent
in `perform` with no transaction open; `record` fails the job so the worker retries.
"""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from engine.store.jobs import Job
from engine.worker import AttemptFailed
from notifications.config import NotificationConfig
from notifications.mailers import Sent
from notifications.messages import PREFIX

SUBJECTS = {
    "transferred": "Phản ánh, kiến nghị đã được chuyển lên cơ quan có thẩm quyền",
    "refused": "Phản ánh, kiến nghị không được tiếp nhận",
    "supplement_requested": "Đề nghị bổ sung nội dung phản ánh, kiến nghị",
    "not_supplemented": "Phản ánh, kiến nghị đã dừng xử lý",
    "published": "Kết quả xử lý phản ánh, kiến nghị",
}

LEADS = {
    "transferred": ("Nội dung «{title}» vượt thẩm quyền của {agency_name} nên đã được chuyển lên "
                    "{to_agency_name} để xem xét, xử lý. Lý do: {reasons}"),
    "refused": "{agency_name} không tiếp nhận phản ánh, kiến nghị «{title}». Lý do: {reasons}",
    "supplement_requested": ("{agency_name} đề nghị ông/bà bổ sung phản ánh, kiến nghị «{title}» "
                             "trước {due_local} (giờ Việt Nam): {reasons}"),
    "not_supplemented": ("Phản ánh, kiến nghị «{title}» đã dừng xử lý vì {agency_name} không nhận "
                         "được nội dung bổ sung trong thời hạn."),
    "published": ("{agency_name} đã xử lý phản ánh, kiến nghị «{title}».\n\nKết quả: {answer}\n\n"
                  "Kết quả được công khai tại: {published_where}"),
}


def compose(payload: dict, sender: str, message_id: str, footer: str, at: datetime) -> EmailMessage:
    """Build the plain-text email that tells a sender one thing about their feedback.

    ``at`` is the local sending instant; a due instant is told in its time zone.
    """
    what = payload["what"]
    message = EmailMessage()
    message["Subject"] = f"{PREFIX} {SUBJECTS[what]}: {payload['title']}"
    message["From"] = sender
    message["To"] = formataddr((payload["name"], payload["to"]))
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Dunghan-Kind"] = f"feedback.{what}"
    due = payload.get("due_at")
    due_local = (datetime.fromisoformat(due).astimezone(at.tzinfo).strftime("%H:%M %d/%m/%Y")
                 if due else "thời hạn cơ quan thông báo")
    facts = {"to_agency_name": "", **payload, "due_local": due_local}
    body = [f"Kính gửi {payload['name']},", "", LEADS[what].format(**facts), "", "-- ", footer]
    message.set_content("\n".join(body) + "\n", cte="quoted-printable")
    return message


class SenderMailer:
    """Send one email to a feedback item's sender, then settle the job."""

    def __init__(self, config: NotificationConfig):
        self.config = config

    def perform(self, job: Job, now: datetime) -> Sent:
        message_id = f"<{job.key.replace(':', '.')}@{self.config.domain}>"
        footer = "Thư tự động của hệ thống Đúng hạn, vui lòng không trả lời."
        local = now.astimezone(self.config.rules.calendar.tz)
        return self.config.mailer.send(compose(job.payload, self.config.mailer.sender, message_id,
                                               footer, local))

    def record(self, uow, job: Job, result: Sent, now: datetime) -> None:
        """Fail the job on an unsent email so the worker retries it with its backoff."""
        if not result.ok:
            raise AttemptFailed(result.error)
