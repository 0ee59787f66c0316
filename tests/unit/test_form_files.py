"""Specify which form files a designer may upload, and the Vietnamese reason for each refusal."""

import json

import pytest

from engine.errors import Invalid
from engine.forms import FormContext, FormInvalid, load_form

GOOD = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Phiếu thử",
    "shows": ["title"],
    "writes": ["note"],
    "type": "object",
    "properties": {"note": {"title": "Ghi chú", "type": "string", "maxLength": 100}},
    "additionalProperties": False,
}


def reasons(schema) -> list[str]:
    source = schema if isinstance(schema, bytes) else json.dumps(schema).encode()
    with pytest.raises(FormInvalid) as excinfo:
        load_form("phieu_thu", source)
    assert excinfo.value.reasons
    return excinfo.value.reasons


def changed(**changes) -> dict:
    return {k: v for k, v in {**GOOD, **changes}.items() if v is not ...}


def with_field(**field) -> dict:
    return changed(properties={"note": {"title": "Ghi chú", **field}})


def test_a_complete_form_file_is_accepted():
    form = load_form("phieu_thu", json.dumps(GOOD).encode())

    assert (form.name, form.title) == ("phieu_thu", "Phiếu thử")
    assert (form.shows, form.writes) == (("title",), ("note",))


@pytest.mark.parametrize(("schema", "expected"), [
    (b'{"title": "Phi', "không phải JSON hợp lệ (dòng 1"),
    (b"[]", "phải là một đối tượng JSON Schema"),
    (changed(**{"$schema": "http://json-schema.org/draft-07/schema#"}), "Chỉ hỗ trợ JSON Schema 2020-12"),
    (with_field(type="strng"), "Lược đồ JSON Schema không hợp lệ tại 'properties/note/type'"),
    (with_field(maxLength=-1), "Lược đồ JSON Schema không hợp lệ tại 'properties/note/maxLength'"),
    (with_field(minLenght=3), "Từ khóa không được hỗ trợ 'minLenght' tại 'properties/note'"),
    (with_field(**{"x-khong-co": True}), "Từ khóa không được hỗ trợ 'x-khong-co'"),
    (with_field(**{"x-working-days": 30}), "Giá trị của 'x-working-days' tại 'properties/note/x-working"),
    (with_field(**{"x-substantive": "có"}), "Giá trị của 'x-substantive'"),
    (with_field(format="uri"), "Định dạng 'uri' tại 'properties/note' không được hỗ trợ"),
    (with_field(**{"$ref": "https://example.com/schema.json"}), "'$ref' tại 'properties/note' chỉ được trỏ"),
    (changed(additionalProperties=...), "\"additionalProperties\": false"),
    (changed(title=...), "phải có 'title'"),
    (changed(properties={"note": {"type": "string"}}, writes=["note"]), "Trường 'note' phải có 'title'"),
    (changed(properties={"_note": {"title": "x"}}, writes=["_note"]), "Tên trường '_note' không hợp lệ"),
    (changed(type="array"), "\"type\": \"object\""),
    (changed(shows="title"), "'shows' phải là danh sách"),
    (changed(writes=...), "'writes' phải là tên một biến"),
    (changed(writes=["note", "other"]), "'writes' phải là tên một biến"),
    (changed(writes="lead_agency"), "'writes' không được ghi biến do hệ thống đặt: lead_agency"),
    (changed(writes="provincial_office"), "'writes' không được ghi biến do hệ thống đặt: provincial_office"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_broken_form_file_is_refused_with_its_reason(schema, expected):
    assert any(expected in r for r in reasons(schema)), reasons(schema)


def test_every_unknown_keyword_is_listed():
    found = reasons(changed(properties={"note": {"title": "Ghi chú", "maxLenght": 3, "requird": True}},
                            colour="red"))

    assert len(found) == 3


def test_a_form_writing_one_variable_lands_the_whole_answer_there():
    form = load_form("y_kien", json.dumps(changed(writes="opinion")).encode())

    assert form.land({"note": "Đề nghị bổ sung"}) == {"opinion": {"note": "Đề nghị bổ sung"}}
    assert form.written_variables == ("opinion",)


def test_a_form_writing_its_fields_lands_each_as_a_variable_of_its_name():
    form = load_form("phieu_thu", json.dumps(GOOD).encode())

    assert form.land({"note": "Đã xem"}) == {"note": "Đã xem"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ({"type": "string", "format": "date"}, "29/11/2026", "Ghi chú: phải là ngày dạng YYYY-MM-DD"),
    ({"type": "string", "format": "email"}, "khong-phai-thu", "Ghi chú: phải là địa chỉ thư điện tử"),
    ({"type": "string", "format": "agency-code"}, "sxd", "Ghi chú: phải là mã cơ quan"),
    ({"type": "integer", "minimum": 1, "maximum": 9}, 10, "Ghi chú: không lớn hơn 9"),
    ({"type": "array", "uniqueItems": True}, [1, 1], "Ghi chú: các mục không được trùng nhau"),
    ({"enum": ["a", "b"]}, "c", "Ghi chú: phải là một trong: a, b"),
    ({"type": "string", "pattern": "^[0-9]+$"}, "abc", "Ghi chú: không đúng mẫu quy định"),
    ({"type": "array", "items": {"type": "string", "maxLength": 2}}, ["ab", "abc"],
     "Ghi chú (mục 2): không quá 2 ký tự"),
])
def test_jsonschema_errors_are_told_in_vietnamese_through_the_field_title(field, value, message):
    form = load_form("phieu_thu", json.dumps(with_field(**field)).encode())

    with pytest.raises(Invalid) as excinfo:
        form.validate({"note": value}, FormContext())

    assert excinfo.value.errors["note"].startswith(message)
