"""Hold what notification handlers need from the composition root, read from the environment."""

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from engine.rules import Rules
from notifications.mailers import DirectoryMailer, Mailer, SmtpMailer, SmtpSettings

DEFAULT_SENDER = "Đúng hạn <khong-tra-loi@dunghan.localhost>"


@dataclass(frozen=True)
class NotificationConfig:
    """The mailer, the rules whose calendar counts working days, and the public URL of links."""

    mailer: Mailer
    rules: Rules
    public_url: str

    @property
    def domain(self) -> str:
        """Return the sender's domain, which message ids end with."""
        return parseaddr(self.mailer.sender)[1].rpartition("@")[2] or "dunghan.localhost"

    @property
    def footer(self) -> str:
        return ("Thư tự động của hệ thống Đúng hạn, vui lòng không trả lời. Chọn nhận thư ngay hay "
                "tổng hợp hằng ngày, hoặc tắt bớt loại thông báo, tại "
                f"{self.public_url}/api/v1/me/notification-preferences.")


def mailer_from_environment(env: Mapping[str, str], var_dir: Path) -> Mailer:
    """Build an SMTP mailer from DUNGHAN_SMTP_*; without a host, write ``.eml`` files instead.

    DUNGHAN_SMTP_HOST, _PORT (587), _SECURITY (starttls, tls or none), _USERNAME, _PASSWORD;
    DUNGHAN_MAIL_FROM names the sender; DUNGHAN_MAIL_DIR the folder (var/outbox-mail).
    """
    sender = env.get("DUNGHAN_MAIL_FROM") or DEFAULT_SENDER
    host = env.get("DUNGHAN_SMTP_HOST")
    if not host:
        return DirectoryMailer(Path(env.get("DUNGHAN_MAIL_DIR") or var_dir / "outbox-mail"), sender)
    settings = SmtpSettings(host, int(env.get("DUNGHAN_SMTP_PORT") or 587),
                            env.get("DUNGHAN_SMTP_SECURITY") or "starttls",
                            env.get("DUNGHAN_SMTP_USERNAME") or None,
                            env.get("DUNGHAN_SMTP_PASSWORD") or None)
    return SmtpMailer(settings, sender)
