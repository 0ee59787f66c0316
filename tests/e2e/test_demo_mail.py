"""After `make run`, a demo reply that goes overdue leaves readable Vietnamese emails in var/outbox-mail/."""

import subprocess
from datetime import datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import requests

from tests.e2e.test_readme_walkthrough import DUNGHAN, server  # noqa: F401  (the fixture)
from tests.flows import REQUEST


def tokens(var) -> dict[str, str]:
    lines = (var / "demo-tokens.env").read_text().splitlines()
    return dict(line.removeprefix("export ").split("=", 1) for line in lines)


def mails(folder) -> list:
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def test_a_demo_reply_left_overdue_mails_the_officer_and_the_head(server, tmp_path):  # noqa: F811
    url, env = server
    var = tmp_path / "var"
    token = tokens(var)
    api = f"{url}/api/v1"

    def call(who: str, method: str, path: str, body=None):
        answer = requests.request(method, f"{api}{path}", json=body, timeout=10,
                                  headers={"Authorization": f"Bearer {token[who]}"})
        assert answer.ok, answer.text
        return answer.json()

    instance = call("TOKEN_STP", "POST", "/instances", {"process_id": "lay_y_kien_phoi_hop"})
    draft = instance["open_tasks"][0]["id"]
    call("TOKEN_STP", "POST", f"/tasks/{draft}/complete",
         {"data": {**REQUEST, "consulted_agencies": ["SXD"], "reply_days": 1}})
    [reply] = call("TOKEN_SXD", "GET", f"/tasks?state=open&instance_id={instance['id']}")["items"]
    due = datetime.fromisoformat(reply["due_at"]).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))

    forward = subprocess.run([DUNGHAN, "fast-forward", f"{due:%Y-%m-%d %H:%M}"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert forward.returncode == 0, forward.stderr
    # The demo's own late work (an overdue assigned task, its late inputs) mails other agencies.
    overdue = [m for m in mails(var / "outbox-mail")
               if m["X-Dunghan-Kind"] == "overdue" and REQUEST["title"] in m["Subject"]]
    assert sorted(m["To"].addresses[0].username for m in overdue) == ["cv.sxd", "ld.sxd", "pho.sxd"]
    mail = overdue[0]
    assert mail["Subject"] == f"[Đúng hạn] QUÁ HẠN: Trả lời ý kiến – {REQUEST['title']} (Sở Xây dựng)"
    text = mail.get_body(("plain",)).get_content()
    assert "Cơ quan đề nghị: Sở Tư pháp" in text and f"Hạn: {due:%H:%M}" in text
    assert f"Mở nhiệm vụ: http://127.0.0.1:8000/?task={reply['id']}" in text
