"""Render any form from its JSON Schema, and read an HTML submission back into its JSON answer.

A designer adds a form file and its task page works: each property becomes one field chosen
by its schema (text, long text, choice, yes/no, number, date, list, agencies, attachments).
Reading is lenient on purpose: what cannot be converted stays as typed, so the engine's own
validation (the one the API uses) refuses it with its Vietnamese message and the page shows
the input again beside that message.
"""

import json
from dataclasses import dataclass, field

LONG_TEXT = 500  # a string allowed more characters than this gets a text area
RADIO_MAX = 4  # up to this many choices show as radio buttons, more as a drop-down list
ATTACHMENT_KEY = "contentMediaType"  # on a string (or the items of a list): an uploaded file
UPLOAD_SUFFIX = "__upload"  # the file input beside an attachment field's kept files


@dataclass
class Field:
    """One input of a form page, with what was typed and what the engine said of it."""

    name: str
    title: str
    kind: str
    description: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    value: object = ""
    error: str | None = None
    attrs: dict = field(default_factory=dict)

    @property
    def values(self) -> list[str]:
        """The typed values as strings, for lists and multiple choices."""
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [line for line in str(self.value or "").splitlines() if line.strip()]


def fields_of(schema: dict, agencies: list[tuple[str, str]] = (), raw: dict | None = None,
              errors: dict | None = None) -> list[Field]:
    """Build the fields of a form; ``raw`` is what was typed, else the schema's defaults."""
    required, errors = set(schema.get("required", ())), errors or {}
    return [_field(name, spec, name in required, agencies, raw, errors.get(name))
            for name, spec in schema.get("properties", {}).items()]


def _field(name: str, spec: dict, required: bool, agencies, raw: dict | None, error) -> Field:
    kind, options, attrs = _kind(spec, agencies)
    value = _initial(spec, kind) if raw is None else raw.get(name, [] if _multiple(kind) else "")
    return Field(name, spec.get("title", name), kind, spec.get("description", ""), required,
                 options, value, error, attrs)


def _kind(spec: dict, agencies) -> tuple[str, list, dict]:
    """Choose the input for a property: (kind, options, HTML attributes)."""
    choices = _choices(spec)
    items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
    kind_type = spec.get("type")
    if ATTACHMENT_KEY in spec or ATTACHMENT_KEY in items:
        return "attachments", [], {}
    if "x-agency-codes" in spec:
        return ("agencies" if kind_type == "array" else "agency"), list(agencies), {}
    if choices:
        return ("radio" if len(choices) <= RADIO_MAX else "select"), choices, {}
    if kind_type == "boolean":
        return "checkbox", [], {}
    if kind_type in ("integer", "number") or "x-working-days" in spec:
        return "number", [], _number_attrs(spec)
    if kind_type == "array" and _choices(items):
        return "choices", _choices(items), {}
    if kind_type == "array" and items.get("type", "string") in ("string", "integer", "number"):
        return "lines", [], {}
    if kind_type == "string" and spec.get("format") == "date":
        return "date", [], {}
    if kind_type == "string":
        long = spec.get("maxLength", LONG_TEXT + 1) > LONG_TEXT
        return ("textarea" if long else "text"), [], _text_attrs(spec)
    return "json", [], {}


def _choices(spec: dict) -> list[tuple[str, str]]:
    if isinstance(spec.get("enum"), list):
        return [(str(v), str(v)) for v in spec["enum"]]
    options = spec.get("oneOf") or spec.get("anyOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return [(str(o["const"]), o.get("title", str(o["const"]))) for o in options]
    return []


def _number_attrs(spec: dict) -> dict:
    low, high = (spec.get("x-working-days") or [spec.get("minimum"), spec.get("maximum")])[:2]
    step = "1" if spec.get("type") != "number" else "any"
    return {k: v for k, v in (("min", low), ("max", high), ("step", step)) if v is not None}


def _text_attrs(spec: dict) -> dict:
    return {k: spec[s] for k, s in (("maxlength", "maxLength"), ("minlength", "minLength")) if s in spec}


def _multiple(kind: str) -> bool:
    return kind in ("agencies", "choices", "attachments")


def _initial(spec: dict, kind: str):
    default = spec.get("default")
    if default is None:
        return [] if _multiple(kind) else ""
    if kind == "json":
        return json.dumps(default, ensure_ascii=False)
    return default


def attachment_fields(schema: dict) -> list[str]:
    """Name the fields whose values are uploaded files."""
    return [name for name, spec in schema.get("properties", {}).items()
            if _kind(spec, [])[0] == "attachments"]


def raw_of(schema: dict, form) -> dict:
    """Return what was typed into each field of the form, as strings or lists of strings."""
    raw = {}
    for name, spec in schema.get("properties", {}).items():
        kind = _kind(spec, [])[0]
        raw[name] = form.getlist(name) if _multiple(kind) else form.get(name, "")
    return raw


def answer_of(schema: dict, raw: dict) -> dict:
    """Convert typed strings to the JSON answer the schema describes; leave empty fields out."""
    answer = {}
    for name, spec in schema.get("properties", {}).items():
        kind = _kind(spec, [])[0]
        value = _convert(spec, kind, raw.get(name))
        if value is not None:
            answer[name] = value
    return answer


def _convert(spec: dict, kind: str, typed):
    if kind == "checkbox":
        return typed in ("on", "true", "1")
    if isinstance(typed, list):
        items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
        values = [_scalar(items, v) for v in typed if str(v).strip()]
        return values or None
    text = (typed or "").strip()
    if not text:
        return None
    if kind == "lines":
        items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
        return [_scalar(items, line.strip()) for line in text.splitlines() if line.strip()]
    if kind == "json":
        try:
            return json.loads(text)
        except ValueError:
            return text  # the schema's type check then says what was expected
    return _scalar(spec, text)


def _scalar(spec: dict, text: str):
    """Read a number where the schema wants one, a choice's own value, else the text."""
    wanted = spec.get("type")
    for option in _raw_choices(spec):
        if str(option) == text:
            return option
    if wanted == "integer" or "x-working-days" in spec:
        return int(text) if text.lstrip("-").isdigit() else text
    if wanted == "number":
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text
    return text


def _raw_choices(spec: dict) -> list:
    if isinstance(spec.get("enum"), list):
        return spec["enum"]
    options = spec.get("oneOf") or spec.get("anyOf") or []
    return [o["const"] for o in options if isinstance(o, dict) and "const" in o]
