"""Two agencies replying to their own tasks of one instance at the same instant both succeed.

The use case retries its compare-and-set when another step saved the instance first, so only
a real conflict (the same task twice) reaches the caller as 409.
"""

import threading

from engine.services import tasks as task_use_cases
from tests import flows


def test_replies_to_different_tasks_saved_at_the_same_instant_both_succeed(api, app, monkeypatch):
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    tasks = {agency: flows.open_task(api, agency, instance_id) for agency in ("SXD", "STC")}
    both_loaded = threading.Barrier(2, timeout=10)
    real_load = task_use_cases.load_instance
    first_load = threading.local()

    def load_then_wait(*args, **kwargs):
        # Both requests read the same version before either saves: a guaranteed collision.
        loaded = real_load(*args, **kwargs)
        if not getattr(first_load, "done", False):
            first_load.done = True
            both_loaded.wait()
        return loaded

    monkeypatch.setattr(task_use_cases, "load_instance", load_then_wait)
    answers = {}

    def reply(agency):
        client = flows_client(app, api)
        answers[agency] = client("POST", f"/api/v1/tasks/{tasks[agency]['id']}/complete", agency,
                                 json={"data": {"position": "agree"}})

    threads = [threading.Thread(target=reply, args=(a,)) for a in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert {a: r.status_code for a, r in answers.items()} == {"SXD": 200, "STC": 200}
    closed = api("GET", "/api/v1/tasks?state=completed&per_page=200", "VPUBND").json["items"]
    assert {t["id"] for t in closed} >= {tasks["SXD"]["id"], tasks["STC"]["id"]}


def flows_client(app, api):
    """Give each thread its own test client: a client is not shared across threads."""
    return type(api)(app.test_client(), api.tokens)
