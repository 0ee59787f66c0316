"""Turn jsonschema's English errors into one Vietnamese message per field.

Each message names the field by its title and says what the failing keyword requires,
with the schema's own figures ("Tiêu đề: ít nhất 5 ký tự"). Domain keywords carry their
own Vietnamese message. When a field breaks several rules, the most basic one is reported
(missing before wrong type before the rest), so the officer fixes one thing at a time.
"""

from jsonschema import ValidationError

FORM_LEVEL = "_form"
NOT_IN_FORM = "Trường không thuộc biểu mẫu"
_TYPES = {"string": "chuỗi ký tự", "integer": "số nguyên", "number": "số",
          "boolean": "true hoặc false", "array": "danh sách", "object": "đối tượng JSON",
          "null": "null"}
_FORMATS = {"date": "ngày dạng YYYY-MM-DD", "email": "địa chỉ thư điện tử",
            "agency-code": "mã cơ quan (chữ in hoa, số, gạch dưới)"}
_RULES = {
    "minLength": "ít nhất {} ký tự",
    "maxLength": "không quá {} ký tự",
    "minimum": "không nhỏ hơn {}",
    "maximum": "không lớn hơn {}",
    "exclusiveMinimum": "phải lớn hơn {}",
    "exclusiveMaximum": "phải nhỏ hơn {}",
    "multipleOf": "phải là bội số của {}",
    "minItems": "ít nhất {} mục",
    "maxItems": "không quá {} mục",
    "minProperties": "ít nhất {} trường",
    "maxProperties": "không quá {} trường",
    "const": "phải là {}",
}
_PRIORITY = {"required": 0, "additionalProperties": 0, "unevaluatedProperties": 0, "type": 1}


def field_errors(errors, schema: dict) -> dict[str, str]:
    """Return {field: message} for a submission's errors, one message per field."""
    chosen: dict[str, tuple[int, str]] = {}
    for error in errors:
        rank = _PRIORITY.get(error.validator, 2)
        for field, message in _located(error, schema):
            if field not in chosen or rank < chosen[field][0]:
                chosen[field] = (rank, message)
    return {field: message for field, (_, message) in sorted(chosen.items())}


def _located(error: ValidationError, schema: dict) -> list[tuple[str, str]]:
    path = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and not path:
        known = schema.get("properties", {})
        return [(name, NOT_IN_FORM) for name in error.instance if name not in known]
    if error.validator == "required" and not path:
        missing = [n for n in error.validator_value if n not in error.instance]
        return [(n, f"{_title(schema, n)}: bắt buộc") for n in missing]
    if not path:
        return [(FORM_LEVEL, describe(error))]
    field = str(path[0])
    where = "".join(f" (mục {p + 1})" if isinstance(p, int) else f" › {p}" for p in path[1:])
    return [(field, f"{_title(schema, field)}{where}: {describe(error)}")]


def _title(schema: dict, field: str) -> str:
    return schema.get("properties", {}).get(field, {}).get("title", field)


def describe(error: ValidationError) -> str:
    """Say in Vietnamese what the keyword that failed requires."""
    keyword, value = error.validator, error.validator_value
    if str(keyword).startswith("x-"):
        return error.message  # domain keywords speak Vietnamese already
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        return "phải là " + " hoặc ".join(_TYPES.get(k, k) for k in kinds)
    if keyword in _RULES:
        return _RULES[keyword].format(value)
    if keyword == "enum":
        return "phải là một trong: " + ", ".join(map(str, value))
    if keyword == "oneOf" and all(isinstance(o, dict) and "const" in o for o in value):
        return "phải là một trong: " + ", ".join(_labelled(o) for o in value)
    if keyword == "format":
        return "phải là " + _FORMATS.get(value, f"định dạng {value}")
    if keyword == "required":
        return "thiếu " + ", ".join(n for n in value if n not in error.instance)
    if keyword == "uniqueItems":
        return "các mục không được trùng nhau"
    if keyword == "pattern":
        return "không đúng mẫu quy định"
    return f"không thỏa quy tắc '{keyword}'"


def _labelled(option: dict) -> str:
    return f"{option['const']} ({option['title']})" if "title" in option else str(option["const"])
