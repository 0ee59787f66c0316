"""The README's feedback walkthrough, as written, against `make run`'s server and demo data."""

import re
import subprocess

from tests.e2e.test_readme_walkthrough import ROOT, server  # noqa: F401  (the live-server fixture)


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- feedback-walkthrough:start -->\n```bash\n(.*?)```\n"
                      r"<!-- feedback-walkthrough:end -->", readme, re.S)
    assert found, "README lost its feedback walkthrough markers"
    return found.group(1)


def test_readme_walkthrough_sends_feedback_up_never_sideways(server, tmp_path):  # noqa: F811
    url, env = server
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=tmp_path,
                            env={**env, "DUNGHAN_URL": url}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "cùng một phản ánh",
        "Cơ quan cấp trên có thẩm quyền: Không được chuyển ngang sang cơ quan cùng cấp (cấp xã); "
        "chỉ chuyển lên cơ quan cấp trên có thẩm quyền",
        "completed", "SXD", "STP", "403"]
    mails = list((tmp_path / "var" / "outbox-mail").glob("sender_mail.*.transferred.*.eml"))
    assert any("dan@example.vn" in m.read_text() for m in mails)
