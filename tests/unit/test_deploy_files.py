"""deploy/, the Dockerfile and compose.yaml name commands and modules that exist, and run as agreed."""

import re
from pathlib import Path

import yaml

from service.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def commands_in(text: str) -> set[str]:
    """Return X for each `dunghan X`, `"dunghan", "X"` or `.../dunghan" X` in a file."""
    return set(re.findall(r'\bdunghan"?,?[ \t]+"?([a-z][a-z-]*)', text))


def test_every_dunghan_command_the_deployment_runs_exists():
    texts = [u.read_text() for u in UNITS] + [(ROOT / "compose.yaml").read_text(),
                                               (DEPLOY / "restore-drill.sh").read_text()]
    used = set().union(*(commands_in(t) for t in texts))
    assert used >= {"migrate", "load-processes", "worker", "check"}
    assert used <= set(main.commands), used - set(main.commands)


def test_gunicorn_is_started_with_the_packaged_config_and_entry_point_everywhere():
    starts = [(ROOT / "Dockerfile").read_text(), (DEPLOY / "systemd" / "dunghan-web@.service").read_text()]
    for text in starts:
        assert "python:service.gunicorn_config" in text and "service.wsgi:app" in text
    assert (ROOT / "service" / "gunicorn_config.py").is_file() and (ROOT / "service" / "wsgi.py").is_file()


def test_the_container_runs_as_an_unprivileged_user_on_a_slim_python():
    stages = (ROOT / "Dockerfile").read_text().split("\nFROM ")
    final = stages[-1]
    assert final.startswith("python:3.") and "-slim" in final.splitlines()[0]
    assert re.search(r"^USER dunghan$", final, re.M)


def test_compose_runs_the_release_step_before_web_and_workers():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert set(services) == {"db", "release", "web", "worker"}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"release": {"condition": "service_completed_successfully"}}
    assert services["worker"]["deploy"]["replicas"] == 2


def test_nginx_balances_over_the_web_instances_the_target_starts():
    ports = set(re.findall(r"dunghan-web@(\d+)", (DEPLOY / "systemd" / "dunghan.target").read_text()))
    upstream = set(re.findall(r"server 127\.0\.0\.1:(\d+)", (DEPLOY / "nginx" / "dunghan.conf").read_text()))
    assert ports == upstream and len(ports) == 2
