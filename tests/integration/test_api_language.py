"""One language per surface: the API documentation, the CLI help and the problem types."""

import re

import click
import pytest
from click.testing import CliRunner

from service.api_docs import VIETNAMESE_LETTERS
from service.cli import main
from service.problems import PROBLEM_TYPE

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
KEBAB = re.compile(rf"^{re.escape(PROBLEM_TYPE)}[a-z]+(-[a-z]+)*$")


def vietnamese(text: str) -> bool:
    return any(ch in VIETNAMESE_LETTERS for ch in text.lower())


def texts(node, path=""):
    """Yield (path, text) for every summary, description and title in a spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description", "title") and isinstance(value, str):
                yield f"{path}/{key}", value
            else:
                yield from texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from texts(item, path)


def test_every_text_of_the_api_documentation_is_vietnamese(api):
    spec = api("GET", "/api/v1/openapi.json").json
    english = [(path, text) for path, text in texts(spec) if not vietnamese(text)
               and not (path.startswith("/components/schemas") and path.endswith("/title"))]
    # (a schema's title is its class name, an identifier)
    assert english == []


def test_each_tag_appears_once_with_a_description(api):
    tags = api("GET", "/api/v1/openapi.json").json["tags"]
    names = [t["name"] for t in tags]
    assert len(names) == len(set(names)), names
    assert all(vietnamese(t.get("description", "")) for t in tags), tags


def test_every_problem_type_follows_one_scheme(api):
    answers = [api("GET", "/api/v1/tasks"),                                    # 401
               api("GET", "/api/v1/instances/00000000-0000-0000-0000-000000000000", "STP"),  # 404
               api("DELETE", "/api/v1/tasks", "STP"),                          # 405
               api("POST", "/api/v1/instances", "STP", json={"process_id": 5}),  # 422
               api("POST", "/api/v1/processes", "SKHCN_designer", data=b"<bpmn",
                   headers={"Content-Type": "application/xml"})]               # invalid BPMN
    types = [a.json["type"] for a in answers]
    assert all(KEBAB.match(t) for t in types), types
    assert [t.removeprefix(PROBLEM_TYPE) for t in types[:4]] == [
        "unauthenticated", "not-found", "method-not-allowed", "invalid"]
    assert types[4].endswith("/invalid-bpmn")


def commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))


def test_every_cli_command_and_option_has_vietnamese_help(db_url):
    missing = []
    for path, command in [((), main), *commands(main)]:
        if not vietnamese(command.help or ""):
            missing.append((" ".join(path), "help", command.help))
        for param in command.params:
            if isinstance(param, click.Option) and not vietnamese(param.help or ""):
                missing.append((" ".join(path), param.name, param.help))
    assert missing == []


def test_the_cli_usage_text_is_vietnamese(db_url):
    shown = CliRunner().invoke(main, ["--help"]).output
    assert "Cách dùng:" in shown and "Tuỳ chọn:" in shown and "Lệnh:" in shown
    assert "Usage:" not in shown and "Options:" not in shown
    serve = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--port SỐ" in serve and "[mặc định: 8000]" in serve and "default" not in serve
    assert "Hiện hướng dẫn này rồi thoát." in serve


def test_a_mistyped_option_is_answered_in_vietnamese(db_url):
    result = CliRunner().invoke(main, ["deadline", "--working-days", "x"], prog_name="dunghan")
    assert result.exit_code == 2
    assert "Lỗi: Giá trị không hợp lệ cho '--working-days': 'x' không phải số nguyên." in result.output
    assert "Xem `dunghan deadline --help`." in result.output
