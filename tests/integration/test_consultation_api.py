"""A consultation runs end to end over the REST API, on SQLite and PostgreSQL."""

from tests import flows


def test_consultation_with_agreement_completes_without_review(api):
    instance_id, view = flows.start(api)
    assert sorted(t["agency"] for t in view["open_tasks"]) == ["SNNMT", "STC", "SXD"]
    for agency, position in [("SXD", "agree"), ("STC", "agree_with_amendments"), ("SNNMT", "agree")]:
        assert flows.reply(api, agency, instance_id, position).status_code == 200
    synthesis = {"synthesis": "Đã tiếp thu ý kiến của Sở Tài chính về kinh phí duy tu cây xanh."}
    done = flows.complete(api, "STP", instance_id, synthesis)
    assert done.status_code == 200
    assert done.json["instance_status"] == "completed"
    final = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert final["status"] == "completed"
    assert final["variables"]["has_disagreement"] is False
    assert [r["position"] for r in final["variables"]["replies"]] == [
        "agree", "agree_with_amendments", "agree"]


def test_disagreement_goes_to_the_provincial_office(api):
    instance_id, _ = flows.start(api)
    assert flows.reply(api, "SXD", instance_id, "disagree").status_code == 200
    assert flows.reply(api, "STC", instance_id, "agree", reasons="").status_code == 200
    assert flows.reply(api, "SNNMT", instance_id, "agree").status_code == 200
    synthesis = {"synthesis": "Sở Xây dựng không đồng ý Điều 7; đã giải trình."}
    assert flows.complete(api, "STP", instance_id, synthesis).status_code == 200
    review = flows.open_task(api, "VPUBND", instance_id)
    assert review["bpmn_id"] == "provincial_review"
    done = api("POST", f"/api/v1/tasks/{review['id']}/complete", "VPUBND", json={"data": {
        "decision": "Trình Chủ tịch UBND tỉnh quyết định nội dung Điều 7 còn ý kiến khác nhau.",
        "submitted_to": "chairman"}})
    assert done.status_code == 200 and done.json["instance_status"] == "completed"
    history = [h["type"] for h in api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]]
    assert history[0] == "instance.started" and history[-1] == "instance.completed"
    assert history.count("task.completed") == 6
