"""The Provincial Office flags a consultation that asked agencies not concerned; the report counts it."""

from tests import flows

NOTE = "Sở Y tế không quản lý cây xanh đô thị; không cần hỏi ý kiến"


def flag(api, instance_id, who="VPUBND", note=NOTE):
    return api("POST", f"/api/v1/instances/{instance_id}/over-broad", who, json={"note": note})


def test_the_provincial_office_flags_a_sent_consultation_once_and_it_is_audited(api):
    instance_id, _ = flows.start(api, consulted=("SXD", "SYT"))
    flagged = flag(api, instance_id)
    assert flagged.status_code == 201
    assert (flagged.json["lead_agency"], flagged.json["note"]) == ("STP", NOTE)
    assert flag(api, instance_id).status_code == 409
    history = api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]
    assert [h["type"] for h in history].count("consultation.flagged_over_broad") == 1


def test_only_the_provincial_office_flags_and_only_a_sent_request(api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    for who in ("STP", "STP_head", "SXD", "SNV_home_affairs"):
        assert flag(api, instance_id, who).status_code == 403, who
    assert flag(api, instance_id, note="rộng").status_code == 422
    draft = api("POST", "/api/v1/instances", "STP", json={"process_id": "lay_y_kien_phoi_hop"}).json
    assert flag(api, draft["id"]).status_code == 409  # nothing sent yet
    assert flag(api, "00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_report_counts_requests_agencies_per_request_and_the_share_flagged(api):
    first, _ = flows.start(api, consulted=("SXD", "SYT", "STC"))
    flows.start(api, consulted=("SXD",))
    flows.start(api, consulted=("STC", "SNNMT"))
    flows.start(api, consulted=("SXD", "SNNMT"))
    flag(api, first)
    report = api("GET", "/api/v1/reports/discipline?month=2026-02", "SNV_home_affairs").json
    stp = next(r for r in report["sections"]["consultations"]["rows"] if r["agency"] == "STP")
    # 4 requests, 3 + 1 + 2 + 2 = 8 agencies asked, 2 per request; 1 of 4 flagged.
    assert (stp["requests_sent"], stp["agencies_consulted"], stp["agencies_per_request"],
            stp["flagged_over_broad"], stp["over_broad_share"]) == (4, 8, 2.0, 1, 0.25)
    sxd = next(r for r in report["sections"]["consultations"]["rows"] if r["agency"] == "SXD")
    assert (sxd["requests_sent"], sxd["flagged_over_broad"], sxd["over_broad_share"]) == (0, 0, None)
