"""The README's assigned-task walkthrough registers, extends and confirms a task, and finds the late one."""

import ast
import re
import subprocess
from datetime import datetime

from engine.calendar import WorkCalendar
from tests.e2e.test_readme_walkthrough import ROOT, server  # noqa: F401  (the live-server fixture)


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- assignment-walkthrough:start -->\n```bash\n(.*?)```\n"
                      r"<!-- assignment-walkthrough:end -->", readme, re.S)
    assert found, "README lost its assigned-task walkthrough markers"
    return found.group(1)


def test_readme_walkthrough_follows_an_assigned_task_and_the_overdue_one(server, tmp_path):  # noqa: F811
    url, env = server
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=tmp_path,
                            env={**env, "DUNGHAN_URL": url}, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line]
    refused = [line for line in lines if line.startswith("{")]
    assert len(refused) == 2 and all('"status":403' in r for r in refused), result.stdout
    assert "không được khởi tạo hồ sơ của quy trình này" in refused[0]
    rest = [line for line in lines if not line.startswith("{")]
    assert rest[0] == "in_progress"
    due, completed, approved, moved = datetime.fromisoformat(rest[1]), rest[2], rest[3], rest[4]
    assert (completed, approved) == ("completed", "completed")
    # The approval moved the deadline by exactly five working days, counted on the calendar.
    assert datetime.fromisoformat(moved) == WorkCalendar.from_file().add_working_days(due, 5, cutoff=False)
    assert rest[5:8] == ["5", "Phó Chủ tịch UBND tỉnh Trần Văn Phó", "2"]
    assert rest[8:10] == ["completed", "completed"]
    assert rest[10:12] == ["STC", "('STC', 'Phạm Thị Tài')"]
    [month] = ast.literal_eval(rest[12])
    assert (month["open"], month["overdue"]) == (1, 1)
    assert result.stderr.count("403") == 2
