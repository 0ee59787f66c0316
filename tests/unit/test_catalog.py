"""The procedure catalog: every shipped procedure is valid and its step slices sum to its total."""

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from engine.catalog import LOCALITY, load_catalog, parse_procedure
from engine.errors import Invalid

CATALOG = Path(__file__).resolve().parents[2] / "processes" / "catalog"
VALID = (CATALOG / "1.001612.toml").read_bytes()


def test_the_catalog_ships_at_least_six_procedures_including_a_chained_one():
    procedures = [e.procedure for e in load_catalog(CATALOG)]
    assert len(procedures) >= 6
    assert {p.level for p in procedures} == {"tinh", "xa"}
    chained = [p for p in procedures if p.process == "tthc_lien_thong"]
    assert [s.agency for s in chained[0].steps] == ["VPDKDD", LOCALITY, "THUE", "VPDKDD"]


@pytest.mark.parametrize("path", sorted(CATALOG.glob("*.toml")), ids=lambda p: p.stem)
def test_every_procedures_slices_sum_to_its_total(path):
    # Read the raw file, not the validated object, so this check does not trust the loader.
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    slices = sum(Decimal(str(s["working_days"])) for s in raw["steps"])
    assert slices == Decimal(str(raw["total_working_days"])), path.name
    assert path.stem == raw["code"]


def test_slices_that_do_not_sum_to_the_total_are_refused_naming_the_file():
    broken = VALID.replace(b"total_working_days = 3", b"total_working_days = 4")
    with pytest.raises(Invalid) as refused:
        parse_procedure(broken, "ho_kinh_doanh.toml")
    assert "ho_kinh_doanh.toml" in refused.value.detail
    assert "phải bằng thời hạn giải quyết (4 ngày)" in refused.value.errors["steps"]


@pytest.mark.parametrize("change, field", [
    ((b'code = "1.001612"', b'code = "1612"'), "code"),
    ((b'level = "xa"', b'level = "huyen"'), "level"),
    ((b'channels = ["paper", "online"]', b'channels = ["fax"]'), "channels"),
    ((b"fee = true", b'fee = "co"'), "fee"),
    ((b'id = "appraise"', b'id = "review"'), "steps"),
    ((b"working_days = 0.5", b"working_days = 0.3"), "steps[0].working_days"),
    ((b'process = "giai_quyet_tthc"', b'process = "khong_co"'), "process"),
])
def test_a_broken_field_is_refused_with_a_vietnamese_reason(change, field):
    with pytest.raises(Invalid) as refused:
        parse_procedure(VALID.replace(*change), "x.toml")
    assert field in refused.value.errors


def test_a_file_that_is_not_toml_is_refused():
    with pytest.raises(Invalid, match="không đọc được"):
        parse_procedure(b"code = ", "x.toml")


def test_slices_become_working_hours_for_the_process():
    procedure = parse_procedure(VALID).procedure
    assert procedure.slice_hours() == {"hand_over": 4.0, "assign": 1.0, "appraise": 11.0,
                                       "sign": 4.0, "return_result": 4.0}


def test_the_same_bytes_have_the_same_identity_and_changed_bytes_another():
    assert parse_procedure(VALID).content_hash == parse_procedure(VALID).content_hash
    assert parse_procedure(VALID + b"\n").content_hash != parse_procedure(VALID).content_hash
