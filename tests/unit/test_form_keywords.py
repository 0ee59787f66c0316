"""Specify each domain keyword a form may use: what it accepts, what it refuses, and what it says."""

import pytest

from engine.errors import Invalid
from engine.forms import REGISTRY, FormContext, form_from_schema
from engine.forms.keywords import LACKS_WHAT, LACKS_WHY, VAGUE, agency_codes, substantive, working_days

CTX = FormContext(frozenset({"STP", "SXD", "STC"}), lead_agency="STP")


def test_the_registry_holds_exactly_the_four_domain_keywords():
    assert set(REGISTRY) == {"x-substantive", "x-agency-codes", "x-working-days", "x-higher-agency"}


# x-substantive: the vague-reply rule


@pytest.mark.parametrize("text", ["Nhất trí", "Cơ bản thống nhất với dự thảo", "Không có ý kiến khác", ""])
def test_substantive_refuses_stock_phrases_of_agreement(text):
    assert substantive(True, text, CTX).startswith(VAGUE)


@pytest.mark.parametrize("text", ["Đề nghị làm rõ thẩm quyền cấp phép tại Điều 4 vì chưa nêu cơ quan cấp",
                                  "Đề nghị bỏ Điều 5 vì trái Luật Ngân sách nhà nước năm 2025"])
def test_substantive_accepts_reasons_that_say_something(text):
    assert substantive(True, text, CTX) is None


def test_substantive_leaves_non_text_to_the_type_keyword():
    assert substantive(True, 42, CTX) is None


# x-agency-codes


@pytest.mark.parametrize(("codes", "message"), [
    (["SXD", "STC", "SXD"], "Mỗi cơ quan chỉ được nêu một lần"),
    (["SXD", "SO_MA", "SKHONG"], "Không có cơ quan mã: SKHONG, SO_MA"),
    (["SXD", "STP"], "Không được chọn chính cơ quan chủ trì"),
    ("SKHONG", "Không có cơ quan mã: SKHONG"),
])
def test_agency_codes_refuse_repeated_unknown_and_lead_codes(codes, message):
    assert agency_codes(True, codes, CTX) == message


def test_agency_codes_accept_known_codes_other_than_the_lead():
    assert agency_codes(True, ["SXD", "STC"], CTX) is None
    assert agency_codes(True, "SXD", CTX) is None


def test_agency_codes_may_allow_the_lead_when_the_schema_says_so():
    assert agency_codes({"allow_lead": True}, ["STP"], CTX) is None


def test_agency_codes_read_the_directory_only_when_asked():
    loads = []
    ctx = FormContext(lambda: loads.append(1) or frozenset({"SXD"}), "STP")
    assert loads == []
    assert agency_codes(True, ["SXD"], ctx) is None
    assert loads == [1]


# x-working-days


@pytest.mark.parametrize("days", [0, 31, -1, 5.5, "5", True, None])
def test_working_days_refuse_anything_but_a_whole_number_in_range(days):
    assert working_days([1, 30], days, CTX) == "Phải là số ngày làm việc, số nguyên từ 1 đến 30"


@pytest.mark.parametrize("days", [1, 15, 30])
def test_working_days_accept_the_range_bounds_inclusive(days):
    assert working_days([1, 30], days, CTX) is None


# Inside a schema, each keyword's message reaches the officer per field, with the field's title.


def schema(**field) -> dict:
    return {"title": "Phiếu thử", "writes": ["value"], "type": "object",
            "properties": {"value": {"title": "Giá trị", **field}}, "additionalProperties": False}


@pytest.mark.parametrize(("keyword", "argument", "value", "message"), [
    ("x-substantive", True, "Nhất trí", f"{VAGUE} {LACKS_WHAT} và {LACKS_WHY}"),
    ("x-agency-codes", True, ["STP"], "Không được chọn chính cơ quan chủ trì"),
    ("x-working-days", [2, 10], 11, "Phải là số ngày làm việc, số nguyên từ 2 đến 10"),
])
def test_a_keyword_in_a_form_refuses_with_its_message_and_the_field_title(keyword, argument, value, message):
    form = form_from_schema("phieu_thu", schema(**{keyword: argument}))

    with pytest.raises(Invalid) as excinfo:
        form.validate({"value": value}, CTX)

    assert excinfo.value.errors == {"value": f"Giá trị: {message}"}
