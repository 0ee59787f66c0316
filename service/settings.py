"""Read the service's configuration from the environment, with safe local defaults."""

import logging
import os
import secrets
from pathlib import Path

from engine.shipped import CHECKOUT, is_checkout, shipped

ROOT = CHECKOUT


def secret_key() -> str:
    """Return the application key that signs sessions and encrypts webhook secrets.

    Without DUNGHAN_SECRET_KEY a key is kept in var/secret.key (mode 600), so a local set-up
    survives restarts; production sets the variable.
    """
    if key := os.environ.get("DUNGHAN_SECRET_KEY"):
        return key
    path = var_dir() / "secret.key"
    if not path.exists():
        logging.getLogger(__name__).warning("Chưa đặt DUNGHAN_SECRET_KEY; dùng khoá lưu ở %s", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def var_dir() -> Path:
    """Return the folder for local state: the embedded database and the demo tokens.

    By default var/ of the checkout, or of the working folder when the package is installed.
    """
    default = ROOT / "var" if is_checkout() else Path.cwd() / "var"
    return Path(os.environ.get("DUNGHAN_VAR_DIR", default))


def from_environment() -> dict:
    """Return the configuration keys create_app understands, taken from DUNGHAN_* variables."""
    return {
        "DATABASE_URL": os.environ.get("DUNGHAN_DATABASE_URL", f"sqlite:///{var_dir() / 'dunghan.db'}"),
        "PROCESSES_DIR": Path(os.environ.get("DUNGHAN_PROCESSES_DIR", shipped("processes"))),
        "SECRET_KEY": secret_key(),
        "PUBLIC_URL": os.environ.get("DUNGHAN_PUBLIC_URL", "http://127.0.0.1:8000"),
        "WEBHOOK_ALLOWED_HOSTS": os.environ.get("DUNGHAN_WEBHOOK_ALLOWED_HOSTS", ""),
        "CALENDAR_FILE": os.environ.get("DUNGHAN_CALENDAR_FILE") or None,
        "LADDER_FILE": os.environ.get("DUNGHAN_LADDER_FILE") or None,
        "TOKEN_DAYS": int(os.environ.get("DUNGHAN_TOKEN_DAYS", "365")),
        "TRUSTED_PROXIES": int(os.environ.get("DUNGHAN_TRUSTED_PROXIES", "0")),
        "METRICS_TOKEN": os.environ.get("DUNGHAN_METRICS_TOKEN") or None,
        # Files uploaded on task pages: where they are kept, how large, which kinds.
        "ATTACHMENT_DIR": Path(os.environ.get("DUNGHAN_ATTACHMENT_DIR", var_dir() / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(float(os.environ.get("DUNGHAN_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024),
        "ATTACHMENT_TYPES": os.environ.get("DUNGHAN_ATTACHMENT_TYPES",
                                           "pdf,doc,docx,xls,xlsx,odt,ods,png,jpg,jpeg"),
        # The province prefix of public dossier codes (BN-SXD-260212-0001).
        "PROVINCE_CODE": os.environ.get("DUNGHAN_PROVINCE_CODE", "BN"),
    }
