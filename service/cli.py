"""The ``dunghan`` command: migrate, load processes, seed the demo, serve, and calendar tools."""

import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

import click

from engine import services
from engine.calendar import DeadlineModel, WorkCalendar
from engine.clock import SystemClock
from engine.store.migrate import upgrade
from engine.store.uow import UnitOfWorkFactory
from engine.worker import Worker, install_sigterm
from service import demo, logs, report_cli, settings
from service.friendly import FriendlyGroup, port_in_use
from webhooks import handlers as webhook_handlers


@click.group(cls=FriendlyGroup)
def main():
    """Đúng hạn: run BPMN processes with legal deadlines in working days."""
    logs.configure()


def _database_url() -> str:
    url = settings.from_environment()["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


@main.command()
def migrate():
    """Create or upgrade the database schema."""
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)  # name each revision
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
    """Seed the demo province; print one API token per agency and role, and user passwords."""
    var = settings.var_dir()
    province, tokens, passwords = demo.seed(UnitOfWorkFactory(_database_url()), SystemClock(), var)
    click.echo(f"Tỉnh mẫu: {province}.")
    click.echo(f"Mã truy cập API (lưu ở {var / 'demo-tokens.env'}):")
    for name, token in tokens.items():
        click.echo(f"  {name}={token}")
    click.echo(f"Tài khoản đăng nhập web http://127.0.0.1:8000/login (lưu ở {var / 'demo-users.txt'}):")
    for username, password in passwords.items():
        click.echo(f"  {username} / {password}")


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
    try:
        server = create_server(app, host=host, port=port, threads=threads)
    except OSError as err:
        if (failure := port_in_use(err, host, port)) is None:
            raise
        raise failure from None
    stop = threading.Event()
    worker = None if no_worker else _start_worker_thread(app, stop)
    signal.signal(signal.SIGTERM, _leave_server_loop)
    click.echo(f"Đúng hạn đang chạy tại http://{host}:{port} (tài liệu API: /api/v1/docs)")
    try:
        server.run()  # returns on Ctrl-C or SIGTERM: waitress turns KeyboardInterrupt into close()
    finally:
        stop.set()
        server.close()
        server.task_dispatcher.shutdown()
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
    Worker(rt.uow, rt.clock, _job_handlers(app), batch=batch).run_forever(stop)


def _job_handlers(app) -> dict:
    """Return every job handler: timers and ladders, webhook delivery, monthly reports."""
    rt = app.extensions["dunghan"]
    return {**services.handlers(rt.rules),
            **webhook_handlers.handlers(rt.uow, app.extensions["webhooks"]),
            **report_cli.publication_handlers(app)}


def _start_worker_thread(app, stop: threading.Event) -> threading.Thread:
    rt = app.extensions["dunghan"]
    # SQLite takes one writer at a time, so the embedded set-up runs exactly one worker thread.
    runner = Worker(rt.uow, rt.clock, _job_handlers(app))
    thread = threading.Thread(target=runner.run_forever, args=(stop,), name="dunghan-worker")
    thread.start()
    return thread


def _leave_server_loop(_signum, _frame) -> None:
    """Treat SIGTERM like Ctrl-C: leave waitress's loop, then shut down in order."""
    raise KeyboardInterrupt


@main.command()
@click.argument("year", type=int)
def calendar(year: int):
    """List a year's non-working weekdays and working weekend days."""
    click.echo(WorkCalendar.from_file().format_year(year))


@main.command()
@click.option("--from", "start", required=True, help='Thời điểm tiếp nhận, giờ Việt Nam: "2026-02-12 16:00"')
@click.option("--working-days", type=click.IntRange(0, 365), required=True)
@click.option("--model", type=click.Choice([m.value for m in DeadlineModel]),
              default=DeadlineModel.DAY_COUNT.value, show_default=True,
              help="Cách tính: day_count (đếm theo ngày) hoặc one_stop (hẹn trả một cửa)")
@click.option("--agency", default=None, help="Mã cơ quan: dùng giờ làm việc riêng của cơ quan (nếu có)")
@click.option("--no-cutoff", is_flag=True, help="one_stop: không áp dụng giờ cắt 15:00 (hồ sơ trực tuyến)")
def deadline(start: str, working_days: int, model: str, agency: str | None, no_cutoff: bool):
    """Tính hạn theo ngày làm việc, nêu cách tính đã dùng và giải thích từng ngày."""
    try:
        at = datetime.fromisoformat(start)
    except ValueError as err:
        raise click.BadParameter(f"Không đọc được thời điểm '{start}'", param_hint="--from") from err
    calendar = WorkCalendar.from_file().for_agency(agency)
    explanation = calendar.explain_working_days(calendar.assume_local(at), working_days,
                                                model, cutoff=not no_cutoff)
    due = explanation.due.astimezone(calendar.tz)
    click.echo(f"Hạn: {due:%H:%M %d/%m/%Y} (giờ Việt Nam), cách tính {model}")
    click.echo(explanation.text_vi)


main.add_command(report_cli.report)
