"""Drive TTHC dossiers over the HTTP API the way a one-stop desk and agencies do."""

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "027090001234", "phone": "0912345678"}


def receive(api, desk: str, procedure: str, **extra) -> dict:
    """Receive a dossier at the desk and return its view."""
    body = {"procedure_code": procedure, "applicant": APPLICANT, "channel": "paper", **extra}
    created = api("POST", "/api/v1/dossiers", desk, json=body)
    assert created.status_code == 201, created.json
    return created.json


def dossier(api, as_: str, code: str) -> dict:
    found = api("GET", f"/api/v1/dossiers/{code}", as_)
    assert found.status_code == 200, found.json
    return found.json


def step(api, as_: str, code: str, bpmn_id: str, data: dict | None = None) -> dict:
    """Complete the dossier's open task ``bpmn_id`` as ``as_``; return the dossier after it."""
    tasks = [t for t in dossier(api, as_, code)["open_tasks"] if t["bpmn_id"] == bpmn_id]
    assert len(tasks) == 1, (bpmn_id, dossier(api, as_, code)["open_tasks"])
    done = api("POST", f"/api/v1/tasks/{tasks[0]['id']}/complete", as_, json={"data": data or {}})
    assert done.status_code == 200, done.json
    return dossier(api, as_, code)


def statuses(view: dict) -> list[int]:
    """Return the status sequence of a dossier, from its history."""
    return [h["to_status"] for h in view["history"] if h["type"] == "dossier.status_changed"]
