"""Drive an assigned task (theo_doi_nhiem_vu) over the HTTP API, as the Provincial Office and agencies do."""

REGISTRATION = {
    "source_kind": "conclusion",
    "source_number": "125/TB-UBND",
    "source_date": "2026-02-27",
    "assigned_by": "vice_chairman",
    "assigned_by_name": "Nguyễn Văn Bình",
    "content": "Rà soát, đề xuất sửa đổi quy định quản lý cây xanh đô thị trên địa bàn tỉnh.",
    "assigned_agency": "SXD",
    "cooperating_agencies": ["STC"],
    "deadline_kind": "working_days",
    "deadline_days": 10,
    "report_period": "weekly",
}
REPORT = {"percent": 30, "work_done": "Đã họp triển khai, lập tổ rà soát và gửi phiếu khảo sát."}
RESULT = {"result_document": "210/BC-SXD", "result_date": "2026-03-12",
          "summary": "Đã rà soát và trình dự thảo sửa đổi quy định quản lý cây xanh."}


def register(api, as_="VPUBND", **fields):
    """Register an assigned task; keyword arguments override fields of the registration."""
    return api("POST", "/api/v1/instances", as_,
               json={"process_id": "theo_doi_nhiem_vu", "variables": {**REGISTRATION, **fields}})


def task(api, agency: str, instance_id: str, bpmn_id: str) -> dict:
    """Return the agency's single open task of one step in an instance."""
    page = api("GET", f"/api/v1/tasks?state=open&instance_id={instance_id}", agency).json
    mine = [t for t in page["items"] if t["bpmn_id"] == bpmn_id]
    assert len(mine) == 1, page
    return mine[0]


def complete(api, agency: str, instance_id: str, bpmn_id: str, data: dict):
    """Complete the agency's open task of one step and return the response."""
    found = task(api, agency, instance_id, bpmn_id)
    return api("POST", f"/api/v1/tasks/{found['id']}/complete", agency, json={"data": data})


def listed(api, as_="VPUBND", query: str = "") -> list[dict]:
    """Return the assignments the caller sees, with an optional query string."""
    answer = api("GET", f"/api/v1/assignments{query}", as_)
    assert answer.status_code == 200, answer.json
    return answer.json["items"]
