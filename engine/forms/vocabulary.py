"""Refuse keywords a form may not use: only JSON Schema 2020-12 and the registered ones.

A misspelt keyword (``"minLenght"``) is silently ignored by JSON Schema, so a rule the
designer meant would never be checked; refusing unknown keywords at upload catches it.
"""

from jsonschema import Draft202012Validator

from engine.forms.keywords import FORMATS, REGISTRY

_ANNOTATIONS = {
    "$schema", "$id", "$anchor", "$dynamicAnchor", "$defs", "$comment", "$vocabulary",
    "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
    "contentEncoding", "contentMediaType", "contentSchema", "then", "else",
}
KNOWN = frozenset(Draft202012Validator.VALIDATORS) | _ANNOTATIONS | frozenset(REGISTRY)
FORM_KEYS = frozenset({"shows", "writes"})  # the form's own declarations, top level only
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMAS = ("additionalProperties", "items", "contains", "not", "if", "then", "else",
            "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def problems_in(schema: dict) -> list[str]:
    """List every unknown keyword and malformed domain-keyword argument, with its place."""
    defs = schema.get("$defs") if isinstance(schema.get("$defs"), dict) else {}
    return list(_walk(schema, "", frozenset(defs), top=True))


def _walk(schema, where: str, defs: frozenset[str], top: bool = False):
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        place = f"{where}/{key}" if where else key
        if key not in KNOWN and not (top and key in FORM_KEYS):
            yield (f"Từ khóa không được hỗ trợ '{key}' tại '{where or '(gốc)'}' "
                   f"(chỉ JSON Schema 2020-12 và: {', '.join(sorted(REGISTRY))})")
        elif key in REGISTRY:
            yield from _argument_problems(key, value, place)
        elif key == "format" and value not in FORMATS.checkers:
            yield (f"Định dạng '{value}' tại '{where or '(gốc)'}' không được hỗ trợ "
                   f"(chỉ: {', '.join(sorted(FORMATS.checkers))})")
        elif key in ("$ref", "$dynamicRef") and value not in {f"#/$defs/{d}" for d in defs}:
            yield f"'{key}' tại '{where or '(gốc)'}' chỉ được trỏ tới '#/$defs/<tên>' có trong biểu mẫu"
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _walk(sub, f"{place}/{name}", defs)
        elif key in _SCHEMAS:
            yield from _walk(value, place, defs)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _walk(sub, f"{place}/{i}", defs)


def _argument_problems(key: str, value, place: str):
    keyword = REGISTRY[key]
    if any(Draft202012Validator(keyword.value_schema).iter_errors(value)):
        yield f"Giá trị của '{key}' tại '{place}' không hợp lệ: {keyword.summary}"
