"""The ``dunghan`` command: migrate, load processes, seed the demo, serve, and calendar tools."""

import json
import logging
import os
import signal
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from engine import directory, services
from engine.calendar import WorkCalendar
from engine.clock import SystemClock
from engine.identity import Role, authenticate_token
from engine.store.migrate import upgrade
from engine.store.uow import UnitOfWorkFactory
from engine.worker import Worker, install_sigterm
from service import settings

DEMO_SEED = settings.ROOT / "config" / "demo_province.json"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@click.group()
def main():
    """Đúng hạn: run BPMN processes with legal deadlines in working days."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _database_url() -> str:
    url = settings.from_environment()["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


@main.command()
def migrate():
    """Create or upgrade the database schema."""
    upgrade(_database_url())
    click.echo("Đã cập nhật cấu trúc cơ sở dữ liệu.")


@main.command("load-processes")
def load_processes():
    """Deploy every BPMN file of processes/ (unchanged files keep their version)."""
    uow = UnitOfWorkFactory(_database_url())()
    processes_dir = settings.from_environment()["PROCESSES_DIR"]
    for v in services.load_process_directory(uow, SystemClock(), processes_dir):
        click.echo(f"{v['process_id']} v{v['version']} ({v['content_hash'][:12]})")


@main.command("seed-demo")
def seed_demo():
    """Seed the demo province and print one API token per agency and role."""
    uow, clock = UnitOfWorkFactory(_database_url()), SystemClock()
    seed = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    directory.seed_agencies(uow(), seed["agencies"])
    path = settings.var_dir() / "demo-tokens.env"
    tokens = _reusable_demo_tokens(uow, clock, path) or _issue_demo_tokens(uow, clock, seed["agencies"], path)
    click.echo(f"Tỉnh mẫu: {seed['province']}. Mã truy cập (đã lưu ở {path}):")
    for name, token in tokens.items():
        click.echo(f"  {name}={token}")


def _reusable_demo_tokens(uow, clock, path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = [ln.split("=", 1) for ln in path.read_text().splitlines() if "=" in ln]
    tokens = {name.removeprefix("export "): value for name, value in lines}
    with uow() as u:
        if all(authenticate_token(u, t, clock.now()) for t in tokens.values()):
            return tokens
    return {}


def _issue_demo_tokens(uow, clock, agencies, path: Path) -> dict[str, str]:
    tokens = {}
    for agency in agencies:
        for role in agency["roles"]:
            name = f"TOKEN_{agency['code']}" + ("" if role in ("officer", "provincial_office") else f"_{role.upper()}")
            tokens[name] = directory.issue_token(uow(), clock, agency["code"], Role(role), f"demo {role}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"export {k}={v}\n" for k, v in tokens.items()))
    os.chmod(path, 0o600)  # plain demo tokens: readable by their owner only
    return tokens


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--threads", default=8, type=int)
@click.option("--no-worker", is_flag=True, help="Không chạy worker trong cùng tiến trình")
def serve(host: str, port: int, threads: int, no_worker: bool):
    """Serve the API with waitress, plus one in-process worker thread unless --no-worker."""
    from waitress.server import create_server

    from service.app import create_app

    app = create_app()
    server = create_server(app, host=host, port=port, threads=threads)
    stop = threading.Event()
    worker = None if no_worker else _start_worker_thread(app, stop)
    _on_sigterm(lambda: (stop.set(), server.close()))
    click.echo(f"Đúng hạn đang chạy tại http://{host}:{port} (tài liệu API: /api/v1/docs)")
    try:
        server.run()
    finally:
        stop.set()
        if worker:
            worker.join(timeout=30)


@main.command()
@click.option("--batch", default=100, type=int)
def worker(batch: int):
    """Run one worker: fire timers, reminders, escalations; stop cleanly on SIGTERM."""
    from service.app import create_app

    app = create_app({"LOAD_PROCESSES": False})
    stop = threading.Event()
    install_sigterm(stop)
    rt = app.extensions["dunghan"]
    Worker(rt.uow, rt.clock, services.handlers(rt.rules), batch=batch).run_forever(stop)


def _start_worker_thread(app, stop: threading.Event) -> threading.Thread:
    rt = app.extensions["dunghan"]
    # SQLite takes one writer at a time, so the embedded set-up runs exactly one worker thread.
    runner = Worker(rt.uow, rt.clock, services.handlers(rt.rules))
    thread = threading.Thread(target=runner.run_forever, args=(stop,), name="dunghan-worker")
    thread.start()
    return thread


def _on_sigterm(shutdown) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _s, _f: shutdown())


@main.command()
@click.argument("year", type=int)
def calendar(year: int):
    """List a year's non-working weekdays and working weekend days."""
    click.echo(WorkCalendar.from_file().format_year(year))


@main.command()
@click.option("--from", "start", required=True, help='Thời điểm tiếp nhận, giờ Việt Nam: "2026-02-12 16:00"')
@click.option("--working-days", type=click.IntRange(0, 365), required=True)
@click.option("--no-cutoff", is_flag=True, help="Không áp dụng giờ cắt 15:00")
def deadline(start: str, working_days: int, no_cutoff: bool):
    """Compute a due instant in working days and explain it."""
    try:
        at = datetime.fromisoformat(start)
    except ValueError as err:
        raise click.BadParameter(f"Không đọc được thời điểm '{start}'", param_hint="--from") from err
    at = at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)
    explanation = WorkCalendar.from_file().explain_working_days(at, working_days, cutoff=not no_cutoff)
    click.echo(f"Hạn: {explanation.due.astimezone(LOCAL_TZ):%H:%M %d/%m/%Y} (giờ Việt Nam)")
    click.echo(explanation.text_vi)
