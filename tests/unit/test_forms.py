"""Specify what agencies may submit on each form, and the Vietnamese messages they get back."""

import unicodedata

import pytest

from engine.errors import Invalid
from engine.forms import (
    FORMS,
    FormContext,
    consultation_reply,
    consultation_request,
    validate_submission,
)

CTX = FormContext(
    known_agencies=frozenset({"STP", "SXD", "STC", "SNNMT", "SYT", "VPUBND"}),
    lead_agency="STP",
)
SUBSTANTIVE = "Đề nghị bổ sung quy định về trách nhiệm duy tu cây xanh của UBND cấp xã tại Điều 7"
VAGUE = [
    "Nhất trí",
    "Cơ bản thống nhất với dự thảo",
    "Không có ý kiến khác",
    "Đồng ý với nội dung dự thảo.",
    "Nhất trí với dự thảo, không có ý kiến gì thêm",
    "  NHẤT TRÍ!  ",
    unicodedata.normalize("NFD", "Cơ bản nhất trí với dự thảo"),  # as pasted from some editors
]
REQUEST = {
    "title": "Dự thảo Quyết định quy định quản lý cây xanh đô thị",
    "summary": "Lấy ý kiến các sở về dự thảo quy định quản lý cây xanh đô thị.",
    "consulted_agencies": ["SXD", "STC", "SNNMT"],
    "reply_days": 5,
}


def errors_of(form, data: dict, ctx: FormContext = CTX) -> dict[str, str]:
    with pytest.raises(Invalid) as excinfo:
        form(data, ctx)
    assert excinfo.value.errors, "a refusal must say which field is wrong"
    return excinfo.value.errors


# consultation_reply


def test_plain_agreement_needs_no_reasons():
    assert consultation_reply({"position": "agree"}, CTX) == {"position": "agree", "reasons": ""}


def test_plain_agreement_may_still_say_it_agrees():
    assert consultation_reply({"position": "agree", "reasons": "Nhất trí"}, CTX)["reasons"] == (
        "Nhất trí"
    )


@pytest.mark.parametrize("reasons", VAGUE)
@pytest.mark.parametrize("position", ["disagree", "agree_with_amendments"])
def test_vague_reasons_are_refused_when_the_agency_does_not_simply_agree(position, reasons):
    errors = errors_of(consultation_reply, {"position": position, "reasons": reasons})

    assert list(errors) == ["reasons"]
    assert "Ý kiến chưa rõ" in errors["reasons"] and "nêu cụ thể" in errors["reasons"]


@pytest.mark.parametrize("position", ["disagree", "agree_with_amendments"])
def test_missing_reasons_are_refused_when_the_agency_does_not_simply_agree(position):
    assert "reasons" in errors_of(consultation_reply, {"position": position})


@pytest.mark.parametrize(
    "reasons",
    [
        SUBSTANTIVE,
        "Đề nghị bỏ Điều 5 vì trái Luật Ngân sách nhà nước năm 2025",
        "Đề nghị làm rõ thẩm quyền cấp phép chặt cây",
    ],
)
@pytest.mark.parametrize("position", ["disagree", "agree_with_amendments"])
def test_substantive_reasons_are_accepted(position, reasons):
    cleaned = consultation_reply({"position": position, "reasons": f"  {reasons}\n"}, CTX)

    assert cleaned == {"position": position, "reasons": reasons}


@pytest.mark.parametrize("field", ["consulted_agencies", "replies", "lead_agency", "agency"])
def test_reply_cannot_smuggle_process_variables(field):
    data = {"position": "agree", "reasons": "", field: ["SYT"]}

    errors = errors_of(consultation_reply, data)

    assert errors == {field: "Trường không thuộc biểu mẫu"}


@pytest.mark.parametrize("position", ["maybe", "", None, "AGREE", 1])
def test_reply_position_must_be_one_of_the_three(position):
    errors = errors_of(consultation_reply, {"position": position, "reasons": SUBSTANTIVE})

    assert "agree, agree_with_amendments, disagree" in errors["position"]


def test_reply_without_a_position_is_refused():
    assert "position" in errors_of(consultation_reply, {"reasons": SUBSTANTIVE})


@pytest.mark.parametrize("reasons", [42, ["Điều 7"], "x" * 20_001])
def test_reasons_must_be_text_of_reasonable_length(reasons):
    errors = errors_of(consultation_reply, {"position": "disagree", "reasons": reasons})

    assert "20000" in errors["reasons"]


# consultation_request


def test_complete_request_is_accepted_with_defaults():
    cleaned = consultation_request(dict(REQUEST), CTX)

    assert cleaned == {**REQUEST, "silence_is_consent": False}


def request_errors(**changes) -> dict[str, str]:
    data = {k: v for k, v in {**REQUEST, **changes}.items() if v is not ...}
    return errors_of(consultation_request, data)


def test_request_naming_an_unknown_agency_is_refused():
    errors = request_errors(consulted_agencies=["SXD", "SO_MA", "SKHONG"])

    assert errors == {"consulted_agencies": "Không có cơ quan mã: SKHONG, SO_MA"}


def test_request_naming_an_agency_twice_is_refused():
    errors = request_errors(consulted_agencies=["SXD", "STC", "SXD"])

    assert "một lần" in errors["consulted_agencies"]


def test_lead_agency_cannot_consult_itself():
    errors = request_errors(consulted_agencies=["SXD", "STP"])

    assert "chủ trì" in errors["consulted_agencies"]


@pytest.mark.parametrize("agencies", [[], None, "SXD", ["SXD", 7], ...], ids=repr)
def test_request_needs_a_list_of_at_least_one_agency_code(agencies):
    errors = request_errors(consulted_agencies=agencies)

    assert "ít nhất một cơ quan" in errors["consulted_agencies"]


@pytest.mark.parametrize("days", [0, 31, -1, 5.0, "5", True, False, None, ...], ids=repr)
def test_reply_days_must_be_a_whole_number_from_1_to_30(days):
    errors = request_errors(reply_days=days)

    assert errors == {"reply_days": "Phải là số nguyên từ 1 đến 30"}


@pytest.mark.parametrize("days", [1, 30])
def test_reply_days_bounds_are_inclusive(days):
    assert consultation_request({**REQUEST, "reply_days": days}, CTX)["reply_days"] == days


@pytest.mark.parametrize("title", [..., "", "   ", "Dự", 12])
def test_request_needs_a_title(title):
    assert "ít nhất 5 ký tự" in request_errors(title=title)["title"]


def test_silence_is_consent_must_be_a_boolean():
    assert "true hoặc false" in request_errors(silence_is_consent="có")["silence_is_consent"]


def test_every_field_error_is_collected_in_one_refusal():
    data = {
        "summary": "ngắn",
        "consulted_agencies": ["STP", "STP"],
        "reply_days": 45,
        "deadline": "2026-03-01",
    }

    with pytest.raises(Invalid) as excinfo:
        consultation_request(data, CTX)

    assert excinfo.value.detail == "Yêu cầu lấy ý kiến chưa hợp lệ"
    assert set(excinfo.value.errors) == {
        "title", "summary", "consulted_agencies", "reply_days", "deadline",
    }
    assert excinfo.value.status == 422


# Free variables, for tasks without a form


@pytest.mark.parametrize("key", ["_private", "__class__", "__builtins__", "a b", "1st", "x-y", ""])
def test_free_variables_must_be_public_identifiers(key):
    with pytest.raises(Invalid) as excinfo:
        validate_submission(None, {"ok": 1, key: "value"}, CTX)

    assert excinfo.value.errors == {key: "Tên biến không hợp lệ"}


def test_free_variables_with_plain_names_pass_through():
    data = {"approved": True, "note": "Đã xem", "so_ngay": 3}

    assert validate_submission(None, data, CTX) == data


def test_named_form_is_applied_by_validate_submission():
    with pytest.raises(Invalid):
        validate_submission("consultation_reply", {"position": "agree", "extra": 1}, CTX)


def test_every_form_is_registered_by_its_function_name():
    assert set(FORMS) == {
        "consultation_request", "consultation_reply", "consultation_synthesis", "provincial_review",
    }
