"""Turn the conditions an operator can expect into one Vietnamese line instead of a traceback."""

import errno

import alembic.util
import click
import sqlalchemy as sa

from engine.store.migrate import DatabaseNotMigrated


class Failure(click.ClickException):
    """An expected failure: print one line to standard error and exit with status 1."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.message}", err=True)


class FriendlyGroup(click.Group):
    """Run a command; report an unmigrated or unreachable database as one line."""

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


def port_in_use(err: OSError, host: str, port: int) -> Failure | None:
    """Return the failure to report when ``err`` says the port is taken, else None."""
    if err.errno != errno.EADDRINUSE:
        return None
    return Failure(f"Cổng {port} trên {host} đang được một chương trình khác dùng; chọn cổng khác: "
                   f"`dunghan serve --port 8080` (hoặc `make run PORT=8080`)")

