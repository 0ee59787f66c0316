"""Drive a consultation over the HTTP API the way agencies do, for tests and examples."""

REQUEST = {
    "title": "Dự thảo Quyết định quy định quản lý cây xanh đô thị",
    "summary": "Lấy ý kiến các sở về dự thảo quy định quản lý cây xanh đô thị trên địa bàn tỉnh.",
    "reply_days": 5,
    "silence_is_consent": True,
}
REASONS = "Đề nghị bổ sung trách nhiệm duy tu cây xanh của UBND cấp xã tại Điều 7 vì chưa rõ ai chăm sóc cây"


def concern(consulted) -> list[str]:
    """Say, one line per consulted agency, why it is concerned by the draft."""
    return [f"{code}: cơ quan quản lý nhà nước về lĩnh vực của dự thảo" for code in consulted]


def start(api, lead="STP", consulted=("SXD", "STC", "SNNMT"), **request) -> tuple[str, dict]:
    """Start a consultation and submit the lead's request; return the instance id and view.

    Keyword arguments override fields of the request, e.g. ``reply_days=7``.
    """
    created = api("POST", "/api/v1/instances", lead, json={"process_id": "lay_y_kien_phoi_hop"})
    assert created.status_code == 201, created.json
    instance_id = created.json["id"]
    draft = created.json["open_tasks"][0]
    done = api("POST", f"/api/v1/tasks/{draft['id']}/complete", lead,
               json={"data": {**REQUEST, "consulted_agencies": list(consulted),
                              "concern_reasons": concern(consulted), **request}})
    assert done.status_code == 200, done.json
    return instance_id, api("GET", f"/api/v1/instances/{instance_id}", lead).json


def open_task(api, agency: str, instance_id: str) -> dict:
    """Return the agency's single open task in an instance."""
    page = api("GET", "/api/v1/tasks?state=open&per_page=200", agency).json
    mine = [t for t in page["items"] if t["instance_id"] == instance_id]
    assert len(mine) == 1, mine
    return mine[0]


def complete(api, agency: str, instance_id: str, data: dict):
    """Complete the agency's open task in an instance and return the response."""
    task = open_task(api, agency, instance_id)
    return api("POST", f"/api/v1/tasks/{task['id']}/complete", agency, json={"data": data})


def reply(api, agency: str, instance_id: str, position: str, reasons: str = REASONS):
    return complete(api, agency, instance_id, {"position": position, "reasons": reasons})
