"""What an operator meets: one Vietnamese line for expected failures, and usable logs."""

import io
import json
import logging
import socket

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from engine.store.migrate import DatabaseNotMigrated, require_current, upgrade
from service import logs
from service.cli import main
from tests import flows


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Point the CLI at an empty SQLite file in a temporary var/ folder."""
    monkeypatch.setenv("DUNGHAN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DUNGHAN_DATABASE_URL", f"sqlite:///{tmp_path / 'dunghan.db'}")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_serving_an_unmigrated_database_says_to_run_migrate_in_one_line(env):
    result = run("serve", "--port", "0")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Lỗi: Cơ sở dữ liệu chưa được cập nhật cấu trúc (chưa có bảng nào, cần "
        f"{_head()}); hãy chạy `dunghan migrate` trước"]


def test_a_worker_on_an_unmigrated_database_says_the_same(env):
    result = run("worker")
    assert result.exit_code == 1 and "dunghan migrate" in result.output
    assert "Traceback" not in result.output


def test_a_busy_port_is_named_with_the_way_to_choose_another(env):
    upgrade(f"sqlite:///{env / 'dunghan.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--no-worker")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Lỗi: Cổng {port} trên 127.0.0.1 đang được một chương trình khác dùng; chọn cổng khác: "
        "`dunghan serve --port 8080` (hoặc `make run PORT=8080`)")


def test_an_unreachable_database_is_one_line_naming_the_setting(env, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound but not listening: connections are refused
        monkeypatch.setenv("DUNGHAN_DATABASE_URL", f"postgresql+psycopg://u@127.0.0.1:{port}/x")
        result = run("load-processes")
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Không kết nối được cơ sở dữ liệu (DUNGHAN_DATABASE_URL)")
    assert len(result.output.strip().splitlines()) == 1


@pytest.fixture
def stamp(db_url):
    """Set the schema revision a database claims; put the real one back afterwards."""
    engine = sa.create_engine(db_url)

    def stamp(revision: str) -> sa.Engine:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        return engine

    yield stamp
    stamp(_head())
    engine.dispose()


def test_a_database_one_revision_behind_is_refused(stamp):
    with pytest.raises(DatabaseNotMigrated, match="đang ở phiên bản 0001"):
        require_current(stamp("0001"))


def test_a_newer_schema_from_a_rolling_upgrade_is_accepted(stamp):
    require_current(stamp("9999"))  # an old process restarting mid-upgrade keeps serving


@pytest.fixture
def json_lines():
    """Capture every log line as the JSON the production format writes."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_each_request_writes_one_access_line_with_request_id_and_principal(app, api, json_lines):
    instance, _ = flows.start(api)
    task = api("GET", f"/api/v1/instances/{instance}", "STP", headers={"X-Request-ID": "req-42"})
    assert task.headers["X-Request-ID"] == "req-42"
    access = [line for line in json_lines() if line["logger"] == "dunghan.access"]
    last = access[-1]
    assert last["request_id"] == "req-42" and last["principal"].endswith("@STP")
    assert last["instance_id"] == instance and last["status"] == 200
    assert last["path"] == f"/api/v1/instances/{instance}" and last["duration_ms"] >= 0
    assert {line["method"] for line in access} >= {"POST", "GET"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_invalid_request_id_is_replaced_by_a_fresh_one(api):
    answer = api("GET", "/api/v1/tasks", "STP", headers={"X-Request-ID": "bad id <script>"})
    assert len(answer.headers["X-Request-ID"]) == 32


def test_spiffworkflow_chatter_stays_below_warning():
    logs.configure("text")
    try:
        assert not logging.getLogger("SpiffWorkflow.bpmn.workflow").isEnabledFor(logging.INFO)
        assert logging.getLogger("dunghan.access").isEnabledFor(logging.INFO)
    finally:
        logging.getLogger().handlers.clear()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from engine.store.migrate import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_migrating_a_database_newer_than_the_release_is_one_line(env):
    url = f"sqlite:///{env / 'dunghan.db'}"
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = run("migrate")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(
        "Lỗi: Không cập nhật được cấu trúc cơ sở dữ liệu: Can't locate revision")
