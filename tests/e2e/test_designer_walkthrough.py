"""processes/README.md's designer steps add a process with new forms, as written, without Python.

The test writes the files the README shows, runs the commands it shows against a real server,
and expects what the README says they print.
"""

import re
import subprocess
from pathlib import Path

from tests.e2e.test_readme_walkthrough import DUNGHAN, server  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "processes" / "README.md").read_text(encoding="utf-8")


def files() -> dict[str, str]:
    found = re.findall(r"<!-- designer:file (\S+) -->\n```\w+\n(.*?)```", GUIDE, re.S)
    assert len(found) == 3, "the designer guide lost a file block"
    return dict(found)


def steps() -> str:
    found = re.search(r"<!-- designer:steps:start -->\n```bash\n(.*?)```\n<!-- designer:steps:end -->",
                      GUIDE, re.S)
    assert found, "the designer guide lost its steps"
    return found.group(1)


def test_the_designer_guide_adds_a_process_with_new_forms_and_runs_it(server, tmp_path):  # noqa: F811
    url, env = server
    for name, text in files().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = f"{DUNGHAN.parent}:{env.get('PATH', '')}"

    result = subprocess.run(["bash", "-euo", "pipefail", "-c", steps()], cwd=tmp_path,
                            env={**env, "DUNGHAN_URL": url, "PATH": path}, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Đã kiểm tra 1 quy trình và 2 biểu mẫu")
    assert lines[1:] == ["1", "Đề nghị cung cấp số liệu", "completed",
                         "{'title': 'Tổng vốn đầu tư công năm 2025 của tỉnh'}", "completed"]


def test_the_check_the_guide_recommends_refuses_a_broken_copy_naming_file_and_task(tmp_path):
    for name, text in files().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text.replace('"minimum": 0', '"minimun": 0'), encoding="utf-8")

    result = subprocess.run([DUNGHAN, "check", "processes"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 1
    assert ("processes/forms/so_lieu.json (dùng ở processes/cung_cap_so_lieu.bpmn, phần tử "
            "provide_figures") in result.stderr
    assert "Từ khóa không được hỗ trợ 'minimun' tại 'properties/value'" in result.stderr
