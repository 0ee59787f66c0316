"""A form: a JSON Schema 2020-12 document plus what its task shows and where its answer lands.

A form file ``processes/forms/<name>.json`` is a JSON Schema object with two more top-level
keys: ``shows`` (the instance variables the task may show its agency) and ``writes`` (where
the answer lands: one variable name, the answer being an object, or the list of the form's
fields, each landing as a variable of its name). A submission never writes anything else,
never a system variable, and a task never shows anything else.
"""

import contextvars
import functools
import json
from dataclasses import dataclass

from jsonschema import Draft202012Validator, SchemaError, ValidationError, validators

from engine.errors import Invalid
from engine.forms.context import FormContext
from engine.forms.keywords import FORMATS, REGISTRY, Keyword
from engine.forms.messages import describe, field_errors
from engine.forms.vocabulary import problems_in

# Variables the engine sets and reads to assign tasks; no submission may ever set them.
# The return of a vague reply sets the last four: only the use case that checks the return may.
SYSTEM_VARIABLES = frozenset({"lead_agency", "provincial_office", "starter", "started_by",
                              "return_to", "return_reason", "returned_reply", "reanswer_days"})
MAX_FORM_BYTES = 200_000

_CONTEXT: contextvars.ContextVar[FormContext] = contextvars.ContextVar("form_context")


def _as_jsonschema(keyword: Keyword):
    def check(validator, value, instance, schema):
        message = keyword.check(value, instance, _CONTEXT.get())
        if message:
            yield ValidationError(message)
    return check


_Validator = validators.extend(Draft202012Validator, {k.name: _as_jsonschema(k) for k in REGISTRY.values()})


class FormInvalid(Exception):
    """A form file that cannot be used; ``reasons`` are in Vietnamese, each locating itself."""

    def __init__(self, name: str, reasons: list[str]):
        super().__init__(f"{name}: {'; '.join(reasons)}")
        self.name, self.reasons = name, reasons


@dataclass(frozen=True, eq=False)
class Form:
    """A validated form definition, ready to check submissions."""

    name: str
    schema: dict
    shows: tuple[str, ...]
    writes: str | tuple[str, ...]

    @property
    def title(self) -> str:
        return self.schema["title"]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.schema["properties"])

    @property
    def written_variables(self) -> tuple[str, ...]:
        return (self.writes,) if isinstance(self.writes, str) else self.writes

    @functools.cached_property
    def _validator(self):
        return _Validator(self.schema, format_checker=FORMATS)

    def validate(self, data: dict, ctx: FormContext) -> dict:
        """Return the cleaned answer (texts trimmed, defaults filled), or raise Invalid per field."""
        answer = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        token = _CONTEXT.set(ctx)
        try:
            errors = field_errors(self._validator.iter_errors(answer), self.schema)
        finally:
            _CONTEXT.reset(token)
        if errors:
            raise Invalid(f"{self.title} chưa hợp lệ", errors)
        for name, field in self.schema["properties"].items():
            if name not in answer and isinstance(field, dict) and "default" in field:
                answer[name] = field["default"]
        return answer

    def land(self, answer: dict) -> dict:
        """Return the variables an answer sets: under ``writes``, and nowhere else."""
        if isinstance(self.writes, str):
            return {self.writes: dict(answer)}
        return {k: v for k, v in answer.items() if k in self.writes}

    def shown(self, variables: dict) -> dict:
        """Return the variables the task may show its agency, those the form ``shows``."""
        return {k: variables[k] for k in self.shows if k in variables}


def land(form: Form | None, answer: dict) -> dict:
    """Return the variables a task's answer sets; a task without a form accepts only "done"."""
    if form is None:
        if answer:
            raise Invalid("Nhiệm vụ này không có biểu mẫu: chỉ xác nhận hoàn thành, không gửi dữ liệu",
                          {k: "Nhiệm vụ không có biểu mẫu nên không nhận trường nào" for k in answer})
        return {}
    landed = form.land(answer)
    if reserved := sorted(SYSTEM_VARIABLES & set(landed)):
        raise Invalid("Không được ghi biến do hệ thống đặt", {k: "Biến do hệ thống đặt" for k in reserved})
    return landed


def validate_submission(form: Form | None, data: dict, ctx: FormContext) -> dict:
    """Return the cleaned answer of a submission, or raise Invalid with field messages."""
    if form is None:
        land(None, data)
        return {}
    return form.validate(data, ctx)


@functools.lru_cache(maxsize=256)
def load_form(name: str, source: bytes | str) -> Form:
    """Parse and check a form file's text; raise FormInvalid with every reason found."""
    if len(source) > MAX_FORM_BYTES:
        raise FormInvalid(name, [f"Tệp biểu mẫu vượt quá {MAX_FORM_BYTES} byte"])
    try:
        schema = json.loads(source)
    except (ValueError, UnicodeDecodeError) as err:
        where = f" (dòng {err.lineno}, cột {err.colno})" if hasattr(err, "lineno") else ""
        raise FormInvalid(name, [f"Tệp biểu mẫu không phải JSON hợp lệ{where}"]) from err
    return form_from_schema(name, schema)


def form_from_schema(name: str, schema) -> Form:
    """Check a parsed form document and build the Form; raise FormInvalid with every reason."""
    if not isinstance(schema, dict):
        raise FormInvalid(name, ["Biểu mẫu phải là một đối tượng JSON Schema"])
    reasons = _meta_problems(schema) or problems_in(schema)
    if not reasons:
        reasons = _shape_problems(schema)
    if reasons:
        raise FormInvalid(name, reasons)
    writes = schema["writes"]
    return Form(name, schema, tuple(schema.get("shows", ())),
                writes if isinstance(writes, str) else tuple(writes))


def _meta_problems(schema: dict) -> list[str]:
    dialect = Draft202012Validator.META_SCHEMA["$id"]
    if schema.get("$schema", dialect) != dialect:
        return [f"Chỉ hỗ trợ JSON Schema 2020-12 ($schema: {dialect})"]
    try:
        Draft202012Validator.check_schema({k: v for k, v in schema.items() if k not in ("shows", "writes")})
    except SchemaError as err:
        where = "/".join(map(str, err.absolute_path)) or "(gốc)"
        return [f"Lược đồ JSON Schema không hợp lệ tại '{where}': {describe(err)} "
                f"(giá trị {json.dumps(err.instance, ensure_ascii=False)[:80]})"]
    return []


def _identifier(name) -> bool:
    return isinstance(name, str) and name.isidentifier() and not name.startswith("_")


def _shape_problems(schema: dict) -> list[str]:
    reasons = []
    if not isinstance(schema.get("title"), str) or not schema["title"].strip():
        reasons.append("Biểu mẫu phải có 'title' (tên tiếng Việt)")
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return [*reasons, "Biểu mẫu phải có \"type\": \"object\" và 'properties' liệt kê các trường"]
    if schema.get("additionalProperties") is not False:
        reasons.append("Biểu mẫu phải có \"additionalProperties\": false để không nhận trường lạ")
    for field, spec in schema["properties"].items():
        if not _identifier(field):
            reasons.append(f"Tên trường '{field}' không hợp lệ (chữ, số, gạch dưới; không bắt đầu bằng _)")
        elif not isinstance(spec, dict) or not spec.get("title"):
            reasons.append(f"Trường '{field}' phải có 'title' (tên tiếng Việt)")
    shows = schema.get("shows", [])
    if not isinstance(shows, list) or not all(_identifier(v) for v in shows):
        reasons.append("'shows' phải là danh sách tên biến của hồ sơ mà nhiệm vụ được xem")
    return reasons + _writes_problems(schema)


def _writes_problems(schema: dict) -> list[str]:
    writes = schema.get("writes")
    if isinstance(writes, str):
        names = [writes]
    elif isinstance(writes, list) and sorted(writes) == sorted(schema["properties"]):
        names = writes
    else:
        return ["'writes' phải là tên một biến (câu trả lời ghi vào biến đó) hoặc danh sách đúng "
                "các trường của biểu mẫu (mỗi trường ghi vào biến cùng tên)"]
    reasons = [f"'writes' không được ghi biến do hệ thống đặt: {n}" for n in names if n in SYSTEM_VARIABLES]
    return reasons + [f"'writes' có tên biến không hợp lệ: {n}" for n in names if not _identifier(n)]
