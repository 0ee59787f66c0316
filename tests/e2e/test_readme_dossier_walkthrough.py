"""The README's dossier walkthrough takes a permit from the desk to its returned result, as written."""

import re
import subprocess

from tests.e2e.test_readme_walkthrough import ROOT, server  # noqa: F401  (the live-server fixture)


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- dossier-walkthrough:start -->\n```bash\n(.*?)```\n"
                      r"<!-- dossier-walkthrough:end -->", readme, re.S)
    assert found, "README lost its dossier walkthrough markers"
    return found.group(1)


def test_readme_walkthrough_returns_a_dossier_and_the_public_finds_it(server, tmp_path):  # noqa: F811
    url, env = server
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=tmp_path,
                            env={**env, "DUNGHAN_URL": url}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Được tiếp nhận"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", lines[1])  # promised, in UTC
    assert lines[2:] == ["Đang xử lý", "Đang xử lý", "Đang xử lý",
                         "Đã xử lý xong", "Đã trả kết quả", "Đã trả kết quả", "N*** V*** A***"]
