"""Specify what agencies may submit on each consultation form, and the Vietnamese messages they get back.

The forms are the shipped files processes/forms/*.json, read as a process upload reads them.
"""

import unicodedata
from pathlib import Path

import pytest

from engine.errors import Invalid
from engine.forms import Form, FormContext, land, load_form, validate_submission

FORMS_DIR = Path(__file__).resolve().parents[2] / "processes" / "forms"
CTX = FormContext(
    known_agencies=frozenset({"STP", "SXD", "STC", "SNNMT", "SYT", "VPUBND"}),
    lead_agency="STP",
)
CLEAR = "Đề nghị làm rõ thẩm quyền cấp phép tại Điều 4 vì chưa nêu cơ quan cấp"
SUBSTANTIVE = (
    "Đề nghị bổ sung trách nhiệm duy tu cây xanh của UBND cấp xã tại Điều 7 "
    "vì chưa rõ ai chăm sóc cây"
)
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
    "concern_reasons": ["SXD: quản lý nhà nước về cây xanh đô thị", "STC: bố trí kinh phí duy tu cây xanh",
                        "SNNMT: quản lý giống cây trồng và môi trường"],
    "reply_days": 5,
}


def form(name: str) -> Form:
    return load_form(name, (FORMS_DIR / f"{name}.json").read_bytes())


REPLY, REQUEST_FORM = form("consultation_reply"), form("consultation_request")
SYNTHESIS, REVIEW = form("consultation_synthesis"), form("provincial_review")


def errors_of(f: Form, data: dict, ctx: FormContext = CTX) -> dict[str, str]:
    with pytest.raises(Invalid) as excinfo:
        f.validate(data, ctx)
    assert excinfo.value.errors, "a refusal must say which field is wrong"
    assert excinfo.value.status == 422
    return excinfo.value.errors


# The table: what each consultation form accepts, and which fields it refuses.

ACCEPTED = [
    (REPLY, {"position": "agree"}, {"position": "agree", "reasons": ""}),
    (REPLY, {"position": "agree", "reasons": "Nhất trí"}, {"position": "agree", "reasons": "Nhất trí"}),
    (REPLY, {"position": "disagree", "reasons": f"  {SUBSTANTIVE}\n"},
     {"position": "disagree", "reasons": SUBSTANTIVE}),
    (REPLY, {"position": "agree_with_amendments", "reasons": CLEAR},
     {"position": "agree_with_amendments", "reasons": CLEAR}),
    (REQUEST_FORM, REQUEST, {**REQUEST, "silence_is_consent": False}),
    (REQUEST_FORM, {**REQUEST, "reply_days": 1, "silence_is_consent": True, "attachments": ["du_thao.pdf"]},
     {**REQUEST, "reply_days": 1, "silence_is_consent": True, "attachments": ["du_thao.pdf"]}),
    (REQUEST_FORM, {**REQUEST, "reply_days": 30}, {**REQUEST, "reply_days": 30, "silence_is_consent": False}),
    (SYNTHESIS, {"synthesis": "Đã tiếp thu ý kiến của Sở Xây dựng về Điều 7."},
     {"synthesis": "Đã tiếp thu ý kiến của Sở Xây dựng về Điều 7."}),
    (REVIEW, {"decision": "Trình Chủ tịch giữ nguyên Điều 7 của dự thảo.", "submitted_to": "vice_chairman"},
     {"decision": "Trình Chủ tịch giữ nguyên Điều 7 của dự thảo.", "submitted_to": "vice_chairman"}),
]

REFUSED = [
    (REPLY, {"reasons": SUBSTANTIVE}, {"position"}),
    (REPLY, {"position": "maybe", "reasons": SUBSTANTIVE}, {"position"}),
    (REPLY, {"position": "deemed_agree"}, {"position"}),  # only the engine deems consent
    (REPLY, {"position": "disagree"}, {"reasons"}),
    (REPLY, {"position": "agree", "consulted_agencies": ["SYT"]}, {"consulted_agencies"}),
    (REQUEST_FORM, {**REQUEST, "title": "Dự"}, {"title"}),
    (REQUEST_FORM, {**REQUEST, "summary": "ngắn"}, {"summary"}),
    (REQUEST_FORM, {**REQUEST, "consulted_agencies": []}, {"consulted_agencies"}),
    (REQUEST_FORM, {**REQUEST, "silence_is_consent": "có"}, {"silence_is_consent"}),
    (REQUEST_FORM, {**REQUEST, "attachments": "du_thao.pdf"}, {"attachments"}),
    (SYNTHESIS, {"synthesis": "Đã tiếp thu."}, {"synthesis"}),
    (SYNTHESIS, {}, {"synthesis"}),
    (REVIEW, {"decision": "Trình Chủ tịch giữ nguyên Điều 7.", "submitted_to": "governor"}, {"submitted_to"}),
    (REVIEW, {"submitted_to": "chairman"}, {"decision"}),
]


@pytest.mark.parametrize(("f", "data", "cleaned"), ACCEPTED, ids=lambda v: getattr(v, "name", None))
def test_each_form_accepts_a_complete_answer_and_cleans_it(f, data, cleaned):
    assert f.validate(data, CTX) == cleaned


@pytest.mark.parametrize(("f", "data", "fields"), REFUSED, ids=lambda v: getattr(v, "name", None))
def test_each_form_refuses_a_wrong_answer_naming_the_wrong_fields(f, data, fields):
    assert set(errors_of(f, data)) == fields


# consultation_reply


@pytest.mark.parametrize("reasons", VAGUE)
@pytest.mark.parametrize("position", ["disagree", "agree_with_amendments"])
def test_vague_reasons_are_refused_when_the_agency_does_not_simply_agree(position, reasons):
    errors = errors_of(REPLY, {"position": position, "reasons": reasons})

    assert list(errors) == ["reasons"]
    assert "Ý kiến chưa rõ" in errors["reasons"]
    assert "nêu rõ điều, khoản hoặc nội dung cụ thể" in errors["reasons"]


@pytest.mark.parametrize("position", ["disagree", "agree_with_amendments"])
def test_missing_reasons_are_refused_when_the_agency_does_not_simply_agree(position):
    assert errors_of(REPLY, {"position": position}) == {"reasons": "Ý kiến cụ thể và lý do: bắt buộc"}


@pytest.mark.parametrize("field", ["consulted_agencies", "replies", "lead_agency", "agency"])
def test_reply_cannot_smuggle_process_variables(field):
    errors = errors_of(REPLY, {"position": "agree", "reasons": "", field: ["SYT"]})

    assert errors == {field: "Trường không thuộc biểu mẫu"}


@pytest.mark.parametrize("position", ["maybe", "", None, "AGREE", 1])
def test_reply_position_must_be_one_of_the_three_with_their_vietnamese_labels(position):
    message = errors_of(REPLY, {"position": position, "reasons": SUBSTANTIVE})["position"]

    assert message.startswith("Quan điểm: phải là một trong:")
    assert "agree (Đồng ý)" in message and "disagree (Không đồng ý)" in message


@pytest.mark.parametrize(("reasons", "message"), [
    (42, "phải là chuỗi ký tự"), (["Điều 7"], "phải là chuỗi ký tự"), ("x" * 20_001, "không quá 20000 ký tự"),
])
def test_reasons_must_be_text_of_reasonable_length(reasons, message):
    errors = errors_of(REPLY, {"position": "disagree", "reasons": reasons})

    assert errors == {"reasons": f"Ý kiến cụ thể và lý do: {message}"}


def test_a_reply_lands_in_the_reply_variable_only():
    assert REPLY.land({"position": "agree", "reasons": ""}) == {"reply": {"position": "agree", "reasons": ""}}


def test_a_reply_shows_the_request_and_never_the_instance_bookkeeping():
    variables = {"title": "Dự thảo", "summary": "Tóm tắt", "reply_days": 5, "lead_agency": "STP",
                 "consulted_agencies": ["SXD", "STC"], "replies": [{"agency": "STC", "reasons": "bí mật"}],
                 "silence_is_consent": True, "agency": "SXD"}

    assert REPLY.shown(variables) == {"title": "Dự thảo", "summary": "Tóm tắt", "reply_days": 5}


# consultation_request


def request_errors(**changes) -> dict[str, str]:
    data = {k: v for k, v in {**REQUEST, **changes}.items() if v is not ...}
    return errors_of(REQUEST_FORM, data)


def test_request_naming_an_unknown_agency_is_refused():
    errors = request_errors(consulted_agencies=["SXD", "SO_MA", "SKHONG"])

    assert errors == {"consulted_agencies": "Cơ quan được lấy ý kiến: Không có cơ quan mã: SKHONG, SO_MA"}


def test_request_naming_an_agency_twice_is_refused():
    assert "một lần" in request_errors(consulted_agencies=["SXD", "STC", "SXD"])["consulted_agencies"]


def test_lead_agency_cannot_consult_itself():
    assert "chủ trì" in request_errors(consulted_agencies=["SXD", "STP"])["consulted_agencies"]


@pytest.mark.parametrize(("agencies", "message"), [
    ([], ": ít nhất 1 mục"), (None, ": phải là danh sách"), ("SXD", ": phải là danh sách"),
    (["SXD", 7], " (mục 2): phải là chuỗi ký tự"), (..., ": bắt buộc"),
], ids=repr)
def test_request_needs_a_list_of_at_least_one_agency_code(agencies, message):
    errors = request_errors(consulted_agencies=agencies)

    assert errors == {"consulted_agencies": f"Cơ quan được lấy ý kiến{message}"}


@pytest.mark.parametrize("days", [0, 31, -1, 5.0, "5", True, False, None], ids=repr)
def test_reply_days_must_be_a_whole_number_from_1_to_30(days):
    assert request_errors(reply_days=days) == {
        "reply_days": "Thời hạn trả lời (ngày làm việc): Phải là số ngày làm việc, số nguyên từ 1 đến 30"}


def test_reply_days_are_required():
    assert request_errors(reply_days=...) == {"reply_days": "Thời hạn trả lời (ngày làm việc): bắt buộc"}


@pytest.mark.parametrize(("title", "message"), [
    (..., "bắt buộc"), ("", "ít nhất 5 ký tự"), ("   ", "ít nhất 5 ký tự"), ("     ", "ít nhất 5 ký tự"),
    ("Dự", "ít nhất 5 ký tự"), (12, "phải là chuỗi ký tự"),
])
def test_request_needs_a_title_of_five_characters_after_trimming(title, message):
    assert request_errors(title=title) == {"title": f"Tiêu đề: {message}"}


def test_silence_is_consent_must_be_a_boolean():
    assert request_errors(silence_is_consent="có") == {
        "silence_is_consent": "Quá hạn không trả lời coi như đồng ý: phải là true hoặc false"}


def test_every_field_error_is_collected_in_one_refusal():
    data = {"summary": "ngắn", "consulted_agencies": ["STP", "STP"], "reply_days": 45,
            "deadline": "2026-03-01"}

    with pytest.raises(Invalid) as excinfo:
        REQUEST_FORM.validate(data, CTX)

    assert excinfo.value.detail == "Yêu cầu lấy ý kiến chưa hợp lệ"
    assert set(excinfo.value.errors) == {
        "title", "summary", "consulted_agencies", "concern_reasons", "reply_days", "deadline",
    }


# Tasks without a form


def test_a_task_without_a_form_accepts_an_empty_submission_only():
    assert validate_submission(None, {}, CTX) == {}
    assert land(None, {}) == {}


@pytest.mark.parametrize("data", [{"approved": True}, {"lead_agency": "SXD", "provincial_office": "SXD"}])
def test_a_task_without_a_form_refuses_every_field(data):
    with pytest.raises(Invalid) as excinfo:
        validate_submission(None, data, CTX)

    assert set(excinfo.value.errors) == set(data)
    assert "không có biểu mẫu" in excinfo.value.detail


# x-reason-per-agency: only the agencies concerned, each with its reason (directive item 1d)


def test_a_request_without_a_reason_for_one_agency_is_refused_naming_it():
    errors = request_errors(concern_reasons=["SXD: quản lý nhà nước về cây xanh đô thị",
                                             "STC: bố trí kinh phí duy tu cây xanh"])
    assert list(errors) == ["_form"] and "Chưa nêu lý do cơ quan SNNMT" in errors["_form"]


@pytest.mark.parametrize(("reasons", "said"), [
    (["SXD: liên quan", "STC: bố trí kinh phí duy tu cây xanh", "SNNMT: quản lý giống cây trồng"],
     "cơ quan SXD"),  # two words are no reason
    ([*REQUEST["concern_reasons"], "SYT: quản lý sức khỏe cộng đồng nói chung"],
     "không được hỏi ý kiến: SYT"),
    ([*REQUEST["concern_reasons"], "SXD: quản lý nhà nước về xây dựng"], "SXD được nêu hai lần"),
], ids=["too-short", "not-consulted", "twice"])
def test_each_reason_names_one_consulted_agency_with_a_reason_of_substance(reasons, said):
    assert said in request_errors(concern_reasons=reasons)["_form"]


def test_a_request_with_a_reason_per_agency_is_accepted():
    assert REQUEST_FORM.validate(REQUEST, CTX)["concern_reasons"] == REQUEST["concern_reasons"]
