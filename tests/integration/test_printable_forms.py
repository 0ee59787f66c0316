"""The dossier page lists exactly the forms whose fact happened, as printing them would."""

import pytest

from engine.errors import Forbidden
from engine.identity import Principal, Role
from engine.services.documents import printable_forms
from tests.dossier_flows import receive, step

SXD = Principal("user:cv.sxd", "SXD", frozenset({Role.OFFICER}))


def _forms(uow_factory, code: str) -> list[str]:
    return [f["form"] for f in printable_forms(uow_factory(), SXD, code)]


def test_an_accepted_dossier_prints_its_receipt_and_control_sheet_only(api, uow_factory):
    code = receive(api, "TTPVHCC", "1.009972")["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    assert _forms(uow_factory, code) == ["01", "05"]
    for form in ("02", "03", "04"):
        assert api("GET", f"/api/v1/dossiers/{code}/documents/{form}.html", "SXD").status_code == 422


def test_a_refused_dossier_prints_its_refusal(api, uow_factory):
    code = receive(api, "TTPVHCC", "1.009972")["code"]
    step(api, "TTPVHCC", code, "receive",
         {"decision": "refuse", "reasons": "Thiếu bản vẽ thiết kế móng và đấu nối hạ tầng"})
    forms = _forms(uow_factory, code)
    assert "03" in forms and "02" not in forms and "04" not in forms
    assert api("GET", f"/api/v1/dossiers/{code}/documents/03.html", "SXD").status_code == 200


def test_an_agency_outside_the_dossier_is_refused(api, uow_factory):
    code = receive(api, "TTPVHCC", "1.009972")["code"]
    with pytest.raises(Forbidden):
        printable_forms(uow_factory(), Principal("user:cv.syt", "SYT", frozenset({Role.OFFICER})), code)
