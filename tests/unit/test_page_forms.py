"""Any form file renders as a page and reads back as the JSON answer the engine validates."""

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from service.pages.forms import answer_of, fields_of, raw_of

FORMS = Path(__file__).resolve().parents[2] / "processes" / "forms"


def schema(name: str) -> dict:
    return json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_form_renders_each_property_as_a_known_input(path):
    form = json.loads(path.read_text(encoding="utf-8"))
    fields = fields_of(form, agencies=[("SXD", "Sở Xây dựng")])
    assert [f.name for f in fields] == list(form["properties"])
    if path.stem != "tthc_dossier":  # filled by the desk's system, not typed: JSON is fine
        assert all(f.title and f.kind != "json" for f in fields), [(f.name, f.kind) for f in fields]


def test_the_request_form_picks_inputs_from_the_schema():
    kinds = {f.name: f.kind for f in fields_of(schema("consultation_request"))}
    assert kinds == {"title": "text", "summary": "textarea", "attachments": "attachments",
                     "consulted_agencies": "agencies", "reply_days": "number",
                     "silence_is_consent": "checkbox"}
    days = next(f for f in fields_of(schema("consultation_request")) if f.name == "reply_days")
    assert days.attrs == {"min": 1, "max": 30, "step": "1"} and days.required


def test_a_typed_request_becomes_its_json_answer():
    form = MultiDict([("title", "  Dự thảo quy định  "), ("summary", "Nội dung chính"),
                      ("consulted_agencies", "SXD"), ("consulted_agencies", "STC"),
                      ("reply_days", "5"), ("silence_is_consent", "on"),
                      ("attachments", "/tep/abc/du_thao.pdf")])
    answer = answer_of(schema("consultation_request"), raw_of(schema("consultation_request"), form))
    assert answer == {"title": "Dự thảo quy định", "summary": "Nội dung chính",
                      "consulted_agencies": ["SXD", "STC"], "reply_days": 5,
                      "silence_is_consent": True, "attachments": ["/tep/abc/du_thao.pdf"]}


def test_what_cannot_be_converted_is_passed_on_as_typed_for_the_engine_to_refuse():
    form = MultiDict([("reply_days", "năm"), ("title", "")])
    raw = raw_of(schema("consultation_request"), form)
    answer = answer_of(schema("consultation_request"), raw)
    assert answer == {"reply_days": "năm", "silence_is_consent": False}  # empty title left out
    kept = {f.name: f.value for f in fields_of(schema("consultation_request"), raw=raw)}
    assert kept["reply_days"] == "năm"


def test_generic_types_render_without_a_template_of_their_own():
    designed = {"type": "object", "required": ["visit"], "properties": {
        "visit": {"title": "Ngày kiểm tra", "type": "string", "format": "date"},
        "area": {"title": "Diện tích (m²)", "type": "number", "minimum": 0},
        "kind": {"title": "Loại công trình", "enum": ["nhà ở", "nhà xưởng", "kho", "văn phòng", "khác"]},
        "checks": {"title": "Hạng mục", "type": "array", "items": {"enum": ["móng", "mái"]}},
        "notes": {"title": "Ghi chú", "type": "array", "items": {"type": "string"}},
        "extra": {"title": "Dữ liệu khác", "type": "object"}}}
    kinds = {f.name: f.kind for f in fields_of(designed)}
    assert kinds == {"visit": "date", "area": "number", "kind": "select", "checks": "choices",
                     "notes": "lines", "extra": "json"}
    form = MultiDict([("visit", "2026-03-02"), ("area", "120,5"), ("kind", "kho"),
                      ("checks", "mái"), ("notes", "một\n\nhai"), ("extra", '{"a": 1}')])
    assert answer_of(designed, raw_of(designed, form)) == {
        "visit": "2026-03-02", "area": 120.5, "kind": "kho", "checks": ["mái"],
        "notes": ["một", "hai"], "extra": {"a": 1}}
