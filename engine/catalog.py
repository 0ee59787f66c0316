"""The procedure catalog: each administrative procedure's code, time limit and step slices.

One TOML file per procedure under ``processes/catalog/``. A file names the national
procedure code (``1.004227``), the handling level and agency, the total time limit in working
days, the slice of that total each step gets, the fee flag, the channels, the documents the
applicant brings, and the BPMN process that runs it. Files are validated on load; a broken
file is refused with its path and the reason in Vietnamese.

Versions work like process versions: the same bytes keep their version, changed bytes become
the next one, and a dossier keeps the version it was received under.
"""

import hashlib
import re
import tomllib
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from engine.errors import Invalid

CODE = re.compile(r"^[12]\.\d{6}$")
LEVELS = {"tinh": "Cấp tỉnh", "xa": "Cấp xã"}
CHANNELS = {"paper": "Trực tiếp", "online": "Trực tuyến", "post": "Bưu chính"}
# The step a chained link at commune level goes to: the commune the dossier concerns.
LOCALITY = "@locality"
# The steps each process reads a slice for, in order; "consult" is optional.
PROCESS_STEPS = {
    "giai_quyet_tthc": ("hand_over", "assign", "appraise", "consult", "sign", "return_result"),
}
OPTIONAL_STEPS = {"consult"}
CHAINED_PROCESS = "tthc_lien_thong"
ONE_HOUR = Decimal("0.125")


@dataclass(frozen=True)
class Step:
    """One step of a procedure and its slice of the total time, in working days."""

    id: str
    name: str
    working_days: Decimal
    agency: str | None = None


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure as the catalog declares it."""

    code: str
    name: str
    field: str
    level: str
    agency: str | None
    desk: str | None
    process: str
    total_working_days: Decimal
    fee: bool
    channels: tuple[str, ...]
    documents: tuple[str, ...]
    steps: tuple[Step, ...]
    legal_basis: str = ""

    def slice_hours(self, day_length_hours: float = 8) -> dict[str, float]:
        """Return each step's slice in working hours (one working day = 8 hours)."""
        return {s.id: float(s.working_days) * day_length_hours for s in self.steps}

    def to_json(self) -> dict:
        data = asdict(self)
        data["total_working_days"] = float(self.total_working_days)
        data["steps"] = [{**asdict(s), "working_days": float(s.working_days)} for s in self.steps]
        data["channels"], data["documents"] = list(self.channels), list(self.documents)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Procedure":
        steps = tuple(Step(s["id"], s["name"], Decimal(str(s["working_days"])), s.get("agency"))
                      for s in data["steps"])
        return cls(**{**data, "total_working_days": Decimal(str(data["total_working_days"])),
                      "channels": tuple(data["channels"]), "documents": tuple(data["documents"]),
                      "steps": steps})


@dataclass(frozen=True)
class CatalogEntry:
    """A procedure together with the hash of the file bytes it came from (its identity)."""

    procedure: Procedure
    content_hash: str
    source: str


def parse_procedure(content: bytes, source: str = "<catalog>") -> CatalogEntry:
    """Read and validate one catalog file; raise Invalid naming the file and every problem."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise Invalid(f"Tệp danh mục {source} không đọc được: {err}") from err
    errors: dict[str, str] = {}
    procedure = _build(data, errors)
    if errors:
        first = next(iter(errors.items()))
        raise Invalid(f"Tệp danh mục {source} không hợp lệ: {first[0]}: {first[1]}", errors)
    return CatalogEntry(procedure, hashlib.sha256(content).hexdigest(), source)


def load_catalog(directory: Path) -> list[CatalogEntry]:
    """Read every ``*.toml`` of a catalog directory; codes must be unique."""
    entries = [parse_procedure(p.read_bytes(), p.name) for p in sorted(directory.glob("*.toml"))]
    seen: dict[str, str] = {}
    for e in entries:
        if e.procedure.code in seen:
            raise Invalid(f"Mã thủ tục {e.procedure.code} trùng trong {seen[e.procedure.code]} "
                          f"và {e.source}")
        seen[e.procedure.code] = e.source
    return entries


def _build(data: dict, errors: dict) -> Procedure | None:
    known = {"code", "name", "field", "level", "agency", "desk", "process", "total_working_days",
             "fee", "channels", "documents", "steps", "legal_basis"}
    for key in sorted(set(data) - known):
        errors[key] = "Khóa không thuộc danh mục"
    text = {k: data.get(k) for k in ("name", "field", "process")}
    for key, value in text.items():
        if not isinstance(value, str) or not value.strip():
            errors[key] = "Bắt buộc, là chuỗi ký tự"
    if not isinstance(data.get("code"), str) or not CODE.match(data["code"]):
        errors["code"] = "Mã thủ tục phải có dạng quốc gia, ví dụ 1.004227"
    if data.get("level") not in LEVELS:
        errors["level"] = f"Cấp thực hiện phải là một trong: {', '.join(LEVELS)}"
    if data.get("level") == "tinh" and not isinstance(data.get("agency"), str):
        errors["agency"] = "Thủ tục cấp tỉnh phải nêu cơ quan giải quyết"
    total = _days(data.get("total_working_days"), "total_working_days", errors, positive=True)
    if not isinstance(data.get("fee"), bool):
        errors["fee"] = "Phải là true hoặc false"
    channels = data.get("channels")
    if not isinstance(channels, list) or not channels or not set(channels) <= set(CHANNELS):
        errors["channels"] = f"Danh sách kênh, gồm: {', '.join(CHANNELS)}"
    documents = data.get("documents")
    if not isinstance(documents, list) or not documents or not all(isinstance(d, str) for d in documents):
        errors["documents"] = "Danh sách giấy tờ phải nộp, ít nhất một"
    steps = _steps(data, errors)
    if total is not None and steps and sum(s.working_days for s in steps) != total:
        errors["steps"] = (f"Tổng thời gian các bước ({sum(s.working_days for s in steps):g} ngày) "
                           f"phải bằng thời hạn giải quyết ({total:g} ngày)")
    if errors:
        return None
    return Procedure(data["code"], data["name"].strip(), data["field"].strip(), data["level"],
                     data.get("agency"), data.get("desk"), data["process"], total, data["fee"],
                     tuple(channels), tuple(documents), steps, data.get("legal_basis", ""))


def _days(value, key: str, errors: dict, positive: bool = False) -> Decimal | None:
    """Accept a number of working days in whole working hours (0.125 day; slices of 0.5 day are common)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors[key] = "Phải là số ngày làm việc"
        return None
    days = Decimal(str(value))
    if days < 0 or (positive and days == 0) or days % ONE_HOUR:
        errors[key] = "Phải là số dương, bội số của 0,125 ngày (một giờ làm việc)"
        return None
    return days


def _steps(data: dict, errors: dict) -> tuple[Step, ...]:
    raw = data.get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        errors["steps"] = "Phải liệt kê các bước, mỗi bước có id, name, working_days"
        return ()
    steps = []
    for i, s in enumerate(raw):
        where = f"steps[{i}]"
        days = _days(s.get("working_days"), f"{where}.working_days", errors)
        if not isinstance(s.get("id"), str) or not s["id"].isidentifier():
            errors[f"{where}.id"] = "Mã bước phải là định danh (chữ, số, _)"
        if not isinstance(s.get("name"), str) or not s["name"].strip():
            errors[f"{where}.name"] = "Bắt buộc"
        if days is not None and not errors.get(f"{where}.id"):
            steps.append(Step(s["id"], s.get("name", ""), days, s.get("agency")))
    _check_steps(data.get("process"), steps, errors)
    return tuple(steps)


def _check_steps(process: str | None, steps: list[Step], errors: dict) -> None:
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        errors["steps"] = "Mã bước bị trùng"
    elif process == CHAINED_PROCESS:
        if len(steps) < 2 or any(not isinstance(s.agency, str) or not s.agency for s in steps):
            errors["steps"] = "Thủ tục liên thông có ít nhất hai khâu, mỗi khâu nêu cơ quan (agency)"
    elif process in PROCESS_STEPS:
        expected = [i for i in PROCESS_STEPS[process] if i in ids or i not in OPTIONAL_STEPS]
        if ids != expected:
            errors["steps"] = f"Quy trình {process} cần đúng các bước theo thứ tự: {', '.join(expected)}"
    elif process is not None:
        errors["process"] = (f"Quy trình '{process}' không có trong danh mục quy trình TTHC: "
                             f"{', '.join([*PROCESS_STEPS, CHAINED_PROCESS])}")

