"""Files uploaded on task pages: kept under var/attachments/, limited in size and kind, served
only to those who may see a task that shows them.

The kind is decided by the file's extension *and* its first bytes, never by what the browser
claims, so a renamed executable is refused; the download is always sent as an attachment.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from apiflask import APIBlueprint
from flask import current_app, g, send_file

from engine.services.attachments import add_attachment, readable_attachment
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("attachments", __name__, enable_openapi=False)

_OLE, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"
KINDS = {  # extension: (media type, the bytes a real file of that kind starts with)
    "pdf": ("application/pdf", b"%PDF-"),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}
MAX_FILES = 5  # per submission; the request may be this many files large
_UNSAFE = re.compile(r"[^\w.\-]+")


class Refused(Exception):
    """An upload the store will not keep; the message is for the person, in Vietnamese."""


@dataclass(frozen=True)
class Limits:
    """How large and of which kinds uploads may be (from DUNGHAN_ATTACHMENT_*)."""

    folder: Path
    max_bytes: int
    types: frozenset[str]

    @classmethod
    def of_app(cls) -> "Limits":
        config = current_app.config
        types = {t.strip().lower().lstrip(".") for t in config["ATTACHMENT_TYPES"].split(",")}
        return cls(Path(config["ATTACHMENT_DIR"]), config["ATTACHMENT_MAX_BYTES"],
                   frozenset(types & set(KINDS)))

    @property
    def request_bytes(self) -> int:
        return self.max_bytes * MAX_FILES + 1024 * 1024


def safe_name(filename: str) -> str:
    """Keep a file's own name, readable in Vietnamese, but never a path or a control character."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    cleaned = _UNSAFE.sub("_", stem if dot else base).strip("._")[:150] or "tep"
    return f"{cleaned}.{ext.lower()}" if dot and ext.isalnum() else cleaned


def store_upload(upload, task_id: str, limits: Limits) -> str:
    """Check and keep one uploaded file for a task; return the address the form stores."""
    name = safe_name(upload.filename)
    ext = name.rpartition(".")[2] if "." in name else ""
    if ext not in limits.types:
        allowed = ", ".join(sorted(limits.types))
        raise Refused(f"Tệp {name}: chỉ nhận các loại {allowed}")
    content = upload.stream.read(limits.max_bytes + 1)
    if len(content) > limits.max_bytes:
        raise Refused(f"Tệp {name}: vượt quá {limits.max_bytes // (1024 * 1024)} MB")
    media_type, magic = KINDS[ext]
    if not content.startswith(magic):
        raise Refused(f"Tệp {name}: nội dung không phải tệp .{ext} thật")
    limits.folder.mkdir(parents=True, exist_ok=True)
    pending = limits.folder / f".{uuid.uuid4().hex}.part"
    pending.write_bytes(content)
    rt = runtime()
    try:
        record = add_attachment(rt.uow(), rt.clock, g.principal, task_id, name, media_type,
                                len(content), hashlib.sha256(content).hexdigest())
    except Exception:
        pending.unlink(missing_ok=True)
        raise
    pending.rename(limits.folder / record["id"])
    return record["address"]


@bp.get("/tep/<attachment_id>/<path:name>")
@signed_in
def download(attachment_id: str, name: str):
    """Send an uploaded file to someone who may see a task that shows it."""
    row = readable_attachment(runtime().uow(), g.principal, attachment_id)
    path = Limits.of_app().folder / row["id"]
    return send_file(path, mimetype=row["content_type"], as_attachment=True,
                     download_name=row["filename"], max_age=0)
