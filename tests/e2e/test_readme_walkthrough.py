"""The README's curl walkthrough completes a consultation against a real server, as written."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DUNGHAN = Path(sys.executable).parent / "dunghan"


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- walkthrough:start -->\n```bash\n(.*?)```\n<!-- walkthrough:end -->",
                      readme, re.S)
    assert found, "README lost its walkthrough markers"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """Set up like `make run` does, in a private folder, and serve on a free loopback port."""
    env = {**os.environ, "DUNGHAN_VAR_DIR": str(tmp_path / "var")}
    env.pop("DUNGHAN_DATABASE_URL", None)
    for command in ("migrate", "load-processes", "seed-demo"):
        subprocess.run([DUNGHAN, command], env=env, check=True, capture_output=True, cwd=tmp_path)
    port = free_port()
    process = subprocess.Popen([DUNGHAN, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=15)
    output = process.stdout.read().decode()
    assert process.returncode == 0, output  # SIGTERM is a clean stop: worker done, no traceback
    assert "Traceback" not in output and "worker" in output and "stopped" in output


def _wait_until_healthy(url: str, process) -> None:
    for _ in range(300):  # 30 s: a loaded 2-core machine can take that long to start
        if process.poll() is not None:
            pytest.fail(f"server exited: {process.stdout.read().decode()}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    pytest.fail("server did not become healthy")


def test_readme_walkthrough_completes_a_consultation(server, tmp_path):
    url, env = server
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=tmp_path,
                            env={**env, "DUNGHAN_URL": url}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert lines[0] == "completed"  # the draft task
    assert lines[-2:] == ["completed", "completed"]  # the synthesis, then the instance
    refusals = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["status"], r["type"], r["title"]) for r in refusals] == [
        (422, "https://dunghan.gov.vn/problems/invalid", "Dữ liệu không hợp lệ")]  # the vague reply
    assert "Ý kiến chưa rõ" in refusals[0]["errors"]["reasons"]
    assert "curl: (22)" in result.stderr and "422" in result.stderr
