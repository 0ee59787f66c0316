"""The CLI's manners: Vietnamese help and usage, and one line instead of a traceback.

Expected conditions (an unmigrated or unreachable database, a busy port, a mistyped option)
print one Vietnamese line on standard error and exit non-zero; only real bugs show a traceback.
"""

import errno
import re
import sys

import alembic.util
import click
import sqlalchemy as sa

from engine.store.migrate import DatabaseNotMigrated

HEADINGS = {"Options": "Tuỳ chọn", "Commands": "Lệnh", "Arguments": "Tham số"}
USAGE_WORDS = {"[OPTIONS]": "[TUỲ CHỌN]", "COMMAND": "LỆNH", "[ARGS]...": "[THAM SỐ]..."}
HELP_TEXTS = {"Show this message and exit.": "Hiện hướng dẫn này rồi thoát."}
# What click appends to an option's help ("[default: 8000]", "[required]") and its metavars.
HELP_EXTRAS = [(r"\[default: ", "[mặc định: "), (r"\brequired\]", "bắt buộc]"),
               (r"\[required;", "[bắt buộc;")]
METAVARS = [(r" INTEGER RANGE\b", " SỐ"), (r" INTEGER\b", " SỐ"), (r" FLOAT\b", " SỐ"),
            (r" TEXT\b", " CHUỖI"), (r" FILE\b", " TỆP"), (r" PATH\b", " ĐƯỜNG_DẪN")]
# click's usage errors, most specific first.
USAGE_ERRORS = [
    (r"^Missing option '(.+)'\.$", r"Thiếu tuỳ chọn \1."),
    (r"^Missing argument '(.+)'\.$", r"Thiếu tham số \1."),
    (r"^No such command '(.+)'\.$", r"Không có lệnh '\1'."),
    (r"^No such option: (.+)$", r"Không có tuỳ chọn \1"),
    (r"^Got unexpected extra arguments? \((.+)\)$", r"Thừa tham số (\1)"),
    (r"'(.+)' is not a valid integer(?: range)?\.", r"'\1' không phải số nguyên."),
    (r"'(.+)' is not one of (.+)\.", r"'\1' không thuộc \2."),
    (r"(.+) is not in the range (.+)\.", r"\1 nằm ngoài khoảng \2."),
    (r"^Invalid value for (.+?): ", r"Giá trị không hợp lệ cho \1: "),
]


class Failure(click.ClickException):
    """An expected failure: print one line to standard error and exit with status 1."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.message}", err=True)


class VietnameseFormatter(click.HelpFormatter):
    """Write click's headings, usage line and help-option text in Vietnamese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, vietnamese in USAGE_WORDS.items():
            args = args.replace(english, vietnamese)
        super().write_usage(prog, args, prefix="Cách dùng: ")

    def section(self, name: str):
        return super().section(HEADINGS.get(name, name))

    def write_dl(self, rows, *args, **kwargs) -> None:
        rows = [(_substitute(term, METAVARS), _substitute(HELP_TEXTS.get(text, text), HELP_EXTRAS))
                for term, text in rows]
        super().write_dl(rows, *args, **kwargs)


class VietnameseContext(click.Context):
    formatter_class = VietnameseFormatter


class FriendlyGroup(click.Group):
    """A command group that speaks Vietnamese and reports expected failures as one line."""

    context_class = VietnameseContext

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.context_class = VietnameseContext  # subcommands' help speaks Vietnamese too
        super().add_command(cmd, name)

    def main(self, args=None, prog_name=None, **extra):
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as err:
            if err.ctx is not None:
                click.echo(err.ctx.get_usage(), err=True)
            path = err.ctx.command_path if err.ctx is not None else "dunghan"
            click.echo(f"Lỗi: {_vietnamese(err.format_message())}\nXem `{path} --help`.", err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("Đã huỷ.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DatabaseNotMigrated as err:
            raise Failure(str(err)) from None
        except alembic.util.CommandError as err:  # e.g. a revision newer than this release
            raise Failure(f"Không cập nhật được cấu trúc cơ sở dữ liệu: {err}") from None
        except sa.exc.OperationalError as err:
            reason = str(err.orig).strip().splitlines()[0] if err.orig else type(err).__name__
            raise Failure(f"Không kết nối được cơ sở dữ liệu (DUNGHAN_DATABASE_URL): {reason}") from None


FriendlyGroup.group_class = FriendlyGroup  # `@main.group()` subgroups behave the same


def port_in_use(err: OSError, host: str, port: int) -> Failure | None:
    """Return the failure to report when ``err`` says the port is taken, else None."""
    if err.errno != errno.EADDRINUSE:
        return None
    return Failure(f"Cổng {port} trên {host} đang được một chương trình khác dùng; chọn cổng khác: "
                   f"`dunghan serve --port 8080` (hoặc `make run PORT=8080`)")


def _vietnamese(message: str) -> str:
    return _substitute(message, USAGE_ERRORS)


def _substitute(text: str, replacements: list[tuple[str, str]]) -> str:
    for pattern, replacement in replacements:
        text = re.sub(pattern, replacement, text)
    return text
