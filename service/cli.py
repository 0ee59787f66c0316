"""The ``dunghan`` command: migrate, load processes, seed the demo, serve, and calendar tools."""

import logging
import os
import signal
import threading
from datetime import datetime
from pathlib import Path

import click

from engine import services
from engine.calendar import DeadlineModel, WorkCalendar
from engine.calendar_check import format_check, unconfirmed_days
from engine.check import check_directory
from engine.clock import SystemClock
from engine.diagram import lay_out, missing_di
from engine.rules import Rules
from engine.services.dossiers import load_catalog_directory
from engine.store import metrics
from engine.store.migrate import APP_ROLE, require_current, upgrade
from engine.store.uow import UnitOfWorkFactory, create_db_engine
from engine.worker import Worker, install_sigterm
from notifications import handlers as notification_handlers
from service import demo, document_cli, logs, report_cli, settings
from service.demo_assignments import seed_assignments
from service.demo_dossiers import seed_dossiers
from service.demo_feedback import seed_feedback
from service.friendly import FriendlyGroup, port_in_use
from webhooks import handlers as webhook_handlers


@click.group(cls=FriendlyGroup,
             help="Đúng hạn: chạy quy trình BPMN với thời hạn luật định tính theo ngày làm việc.")
def main():
    """Đúng hạn: run BPMN processes with legal deadlines in working days."""
    logs.configure()


def _database_url(migrated: bool = True) -> str:
    """Return the configured database URL; unless told otherwise, check its schema is current."""
    url = settings.from_environment()["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if migrated:
        engine = create_db_engine(url)
        try:
            require_current(engine)  # one line saying to migrate, not a traceback about a table
        finally:
            engine.dispose()
    return url


@main.command(help="Tạo hoặc cập nhật cấu trúc cơ sở dữ liệu (chạy trước mỗi lần khởi động bản mới).")
def migrate():
    """Create or upgrade the database schema; on PostgreSQL, also set up the role dunghan_app.

    Runs as the schema's owner: DUNGHAN_MIGRATION_DATABASE_URL if set, else DUNGHAN_DATABASE_URL.
    DUNGHAN_APP_DATABASE_PASSWORD, if set, lets dunghan_app log in with that password.
    """
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)  # name each revision
    url = os.environ.get("DUNGHAN_MIGRATION_DATABASE_URL") or _database_url(migrated=False)
    upgrade(url, os.environ.get("DUNGHAN_APP_DATABASE_PASSWORD") or None)
    click.echo("Đã cập nhật cấu trúc cơ sở dữ liệu.")
    if url.startswith("postgresql"):
        click.echo(f"Dịch vụ nên kết nối bằng vai trò {APP_ROLE} (chỉ được ghi thêm nhật ký, "
                   "không sửa, xóa được).")


@main.command(help="Không có DIRECTORY: kiểm tra cơ sở dữ liệu (cấu trúc đúng phiên bản, số quy trình "
                   "theo trạng thái, việc tồn đọng). Có DIRECTORY (ví dụ processes/): kiểm tra mọi tệp "
                   "BPMN và biểu mẫu như khi tải lên, in từng lỗi kèm tệp, phần tử và lý do; mã thoát 1 "
                   "nếu có lỗi.")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(directory: Path | None):
    """Check the database, or a process library folder before committing it (exit 1 on a problem)."""
    if directory is not None:
        _check_library(directory)
        return
    engine = UnitOfWorkFactory(_database_url()).engine
    with engine.connect() as conn:
        counts = metrics.instances_by_status(conn)
        jobs = metrics.snapshot(conn, SystemClock().now())
    by_status = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "chưa có"
    click.echo(f"Cấu trúc cơ sở dữ liệu: đúng phiên bản. Quy trình: {by_status}. "
               f"Việc đến hạn chưa chạy: {jobs.backlog}; việc thất bại: {jobs.failed}.")


def _check_library(directory: Path) -> None:
    findings, processes, forms = check_directory(directory)
    for finding in findings:
        click.echo(f"Lỗi: {finding}", err=True)
    if findings:
        raise SystemExit(1)
    click.echo(f"Đã kiểm tra {processes} quy trình và {forms} biểu mẫu trong {directory}: không có lỗi.")


@main.command("lay-out", help="Vẽ sơ đồ (BPMN DI) cho các tệp BPMN chưa có sơ đồ đầy đủ, ghi đè lên tệp: "
              "mỗi làn một dải, bước theo thứ tự thực hiện. --replace: vẽ lại cả tệp đã có sơ đồ.")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Thay cả sơ đồ đã có (mất bố cục vẽ tay)")
def lay_out_files(files: tuple[Path, ...], replace: bool):
    """Write a computed diagram into each BPMN file that lacks one (or every file, with --replace)."""
    for path in files:
        bpmn = path.read_bytes()
        if not replace and not missing_di(bpmn):
            click.echo(f"{path}: đã có sơ đồ đầy đủ, giữ nguyên.")
            continue
        path.write_bytes(lay_out(bpmn))
        click.echo(f"{path}: đã vẽ sơ đồ.")


@main.command("load-processes", help="Nạp mọi tệp BPMN trong processes/ và danh mục thủ tục "
              "(tệp không đổi giữ nguyên phiên bản).")
def load_processes():
    """Deploy every BPMN file of processes/ and the procedure catalog (unchanged files keep their version)."""
    factory = UnitOfWorkFactory(_database_url())
    processes_dir = Path(settings.from_environment()["PROCESSES_DIR"])
    for v in services.load_process_directory(factory(), SystemClock(), processes_dir):
        click.echo(f"{v['process_id']} v{v['version']} ({v['content_hash'][:12]})")
    if (processes_dir / "catalog").is_dir():
        for p in load_catalog_directory(factory(), SystemClock(), processes_dir / "catalog"):
            click.echo(f"Thủ tục {p['code']} v{p['version']}: {p['name']}")


@main.command("seed-demo", help="Tạo tỉnh mẫu; in mã truy cập API của từng cơ quan, vai trò "
              "và mật khẩu người dùng.")
def seed_demo():
    """Seed the demo province; print one API token per agency and role, and user passwords."""
    var, config = settings.var_dir(), settings.from_environment()
    site = config["PUBLIC_URL"]
    province, tokens, passwords = demo.seed(UnitOfWorkFactory(_database_url()), SystemClock(), var)
    click.echo(f"Tỉnh mẫu: {province}.")
    click.echo(f"Mã truy cập API (lưu ở {var / 'demo-tokens.env'}):")
    for name, token in tokens.items():
        click.echo(f"  {name}={token}")
    click.echo(f"Tài khoản đăng nhập web {site}/login (lưu ở {var / 'demo-users.txt'}):")
    for username, password in passwords.items():
        click.echo(f"  {username} / {password}")
    rules = Rules.from_files(config["CALENDAR_FILE"], config["LADDER_FILE"])
    seeded = seed_dossiers(UnitOfWorkFactory(_database_url()), SystemClock(), rules)
    if seeded:
        click.echo(f"Hồ sơ TTHC mẫu (tra cứu tại {site}/tra-cuu?ma=...):")
        for line in seeded:
            click.echo(f"  {line}")
    assigned = seed_assignments(UnitOfWorkFactory(_database_url()), SystemClock(), rules)
    if assigned:
        click.echo("Nhiệm vụ được giao mẫu (GET /api/v1/assignments với TOKEN_VPUBND):")
        for line in assigned:
            click.echo(f"  {line}")
    feedback = seed_feedback(UnitOfWorkFactory(_database_url()), SystemClock(), rules)
    if feedback:
        click.echo("Phản ánh, kiến nghị mẫu (GET /api/v1/feedback/<mã>):")
        for line in feedback:
            click.echo(f"  {line}")


@main.command(help="Phục vụ API và trang web bằng waitress, kèm một luồng worker trừ khi có --no-worker.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe")
@click.option("--port", default=8000, type=int, show_default=True,
              help="Cổng lắng nghe (make run PORT=8080 để đổi)")
@click.option("--threads", default=8, type=int, show_default=True, help="Số luồng xử lý yêu cầu")
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


@main.command(help="Chạy một worker: hẹn giờ, nhắc hạn, báo quá hạn, gửi webhook; dừng gọn khi nhận SIGTERM.")
@click.option("--batch", default=100, type=int, show_default=True, help="Số việc đến hạn nhận mỗi lượt")
def worker(batch: int):
    """Run one worker: fire timers, reminders, escalations; stop cleanly on SIGTERM."""
    from service.app import create_app

    app = create_app({"LOAD_PROCESSES": False})
    stop = threading.Event()
    install_sigterm(stop)
    rt = app.extensions["dunghan"]
    Worker(rt.uow, rt.clock, _job_handlers(app), batch=batch).run_forever(stop)


@main.command("fast-forward", help="Chỉ cho bản demo: chạy mọi việc đến hạn tới một thời điểm giờ "
              "Việt Nam (\"2026-03-05 17:00\") như thể đã tới lúc đó; chỉ dùng với SQLite nhúng.")
@click.argument("until")
def fast_forward(until: str):
    """Demo only: run every job due by a local instant, as if it had come ("2026-03-05 17:00").

    Lets a newcomer watch reminders, overdue marks, escalations and their emails without waiting
    days; every effect is recorded at that instant. Refused outside the embedded SQLite database.
    """
    from engine.clock import FrozenClock
    from service.app import create_app

    if not _database_url().startswith("sqlite"):
        raise click.UsageError("Chỉ dùng với cơ sở dữ liệu mẫu SQLite của make run")
    calendar = WorkCalendar.from_file()
    try:
        at = calendar.assume_local(datetime.fromisoformat(until))
    except ValueError as err:
        raise click.BadParameter(f"Không đọc được thời điểm '{until}'", param_hint="UNTIL") from err
    app = create_app({"LOAD_PROCESSES": False, "CLOCK": FrozenClock(at)})
    rt = app.extensions["dunghan"]
    runner = Worker(rt.uow, rt.clock, _job_handlers(app), worker_id="fast-forward")
    ran = sum(iter(runner.run_once, 0))
    click.echo(f"Đã chạy {ran} việc đến hạn trước {at.astimezone(calendar.tz):%H:%M %d/%m/%Y}.")


def _job_handlers(app) -> dict:
    """Return every job handler: timers and ladders, webhook delivery, notifications, reports.

    A process able to send notifications switches them on, so events queue ``notify`` jobs.
    """
    rt = app.extensions["dunghan"]
    notification_handlers.enable(rt.uow())
    return {**services.handlers(rt.rules),
            **webhook_handlers.handlers(rt.uow, app.extensions["webhooks"]),
            **notification_handlers.handlers(rt.uow, app.extensions["notifications"]),
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


def _calendar() -> WorkCalendar:
    """Read the override file the server reads (DUNGHAN_CALENDAR_FILE, else config/)."""
    return WorkCalendar.from_file(os.environ.get("DUNGHAN_CALENDAR_FILE") or None)


def _hours_line(agency: str, calendar: WorkCalendar, own: bool) -> str:
    periods = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in calendar.hours.periods)
    whose = f"Giờ tiếp nhận riêng của {agency}" if own else (
        f"{agency} không khai báo giờ riêng, dùng giờ của tỉnh")
    return f"{whose}: {periods}, giờ cắt {calendar.hours.cutoff:%H:%M}."


class _YearOrCommand(click.Group):
    """Read ``dunghan calendar 2026`` as ``dunghan calendar show 2026``."""

    def parse_args(self, ctx, args):
        if args and args[0].isdigit():
            args = ["show", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_YearOrCommand)
def calendar():
    """Xem và kiểm tra lịch làm việc: dunghan calendar 2026, dunghan calendar check 2027."""


@calendar.command("show")
@click.argument("year", type=int)
def show_calendar(year: int):
    """Liệt kê ngày nghỉ trong tuần và ngày làm việc cuối tuần của một năm."""
    click.echo(_calendar().format_year(year))


@calendar.command("check")
@click.argument("year", type=int)
def check_calendar(year: int):
    """Liệt kê các ngày tệp lịch chưa xác nhận; mã thoát 1 khi còn ngày cần kiểm tra."""
    days = unconfirmed_days(_calendar(), year)
    click.echo(format_check(year, days))
    if days:
        raise SystemExit(1)


@main.command()
@click.option("--from", "start", required=True, help='Thời điểm tiếp nhận, giờ Việt Nam: "2026-02-12 16:00"')
@click.option("--working-days", type=click.IntRange(0, 365), required=True, help="Số ngày làm việc (0-365)")
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
    province = _calendar()
    calendar = province.for_agency(agency)
    explanation = calendar.explain_working_days(calendar.assume_local(at), working_days,
                                                model, cutoff=not no_cutoff)
    due = explanation.due.astimezone(calendar.tz)
    click.echo(f"Hạn: {due:%H:%M %d/%m/%Y} (giờ Việt Nam), cách tính {model}")
    if agency:
        click.echo(_hours_line(agency, calendar, own=agency in province.agency_hours))
    click.echo(explanation.text_vi)


main.add_command(report_cli.report)
main.add_command(document_cli.document)
