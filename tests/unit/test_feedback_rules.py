"""The feedback rules file and the upward-only transfer check, without a database."""

import pytest

from engine.feedback import FeedbackRules
from engine.forms import FormContext
from engine.forms.keywords import higher_agency

RULES = FeedbackRules.from_file()
KINDS = {"UBND_KINHBAC": "ubnd_xa_phuong", "UBND_TIENDU": "ubnd_xa_phuong", "SXD": "so",
         "STC": "so", "VPUBND": "van_phong_ubnd_tinh", "LAB": "phong_thi_nghiem"}


def context(acting: str) -> FormContext:
    def check(a: str, b: str) -> str | None:
        return RULES.upward_refusal(RULES.levels.get(KINDS[a]), RULES.levels.get(KINDS[b]))
    return FormContext(frozenset(KINDS), None, acting, check)


def test_each_shipped_kind_has_its_own_handling_limit():
    assert RULES.handle_days("thu_tuc_hanh_chinh") == 15 and RULES.handle_days("hanh_vi_hanh_chinh") == 10


def test_an_unknown_kind_is_refused_in_vietnamese():
    with pytest.raises(ValueError, match="Không có loại phản ánh 'khong_co'"):
        RULES.handle_days("khong_co")


@pytest.mark.parametrize(("acting", "target"), [
    ("UBND_KINHBAC", "SXD"), ("UBND_KINHBAC", "VPUBND"), ("SXD", "VPUBND")])
def test_a_transfer_up_to_a_higher_level_passes(acting, target):
    assert higher_agency(True, target, context(acting)) is None


@pytest.mark.parametrize(("acting", "target", "message"), [
    ("UBND_KINHBAC", "UBND_TIENDU", "Không được chuyển ngang sang cơ quan cùng cấp (cấp xã)"),
    ("SXD", "STC", "Không được chuyển ngang sang cơ quan cùng cấp (sở, ngành tỉnh)"),
    ("VPUBND", "SXD", "Không được chuyển xuống cơ quan cấp dưới (sở, ngành tỉnh)"),
    ("SXD", "SXD", "Không được chuyển ngang"),
    ("SXD", "LAB", "không thuộc cấp nào"),
    ("SXD", "KHONG_CO", "Không có cơ quan mã: KHONG_CO"),
])
def test_a_sideways_downward_or_unknown_transfer_is_refused(acting, target, message):
    assert message in higher_agency(True, target, context(acting))
