"""The WSGI entry point for production servers: ``gunicorn service.wsgi:app``.

Configuration comes from DUNGHAN_* variables only. An unmigrated or unreachable database stops
the server with one line and gunicorn's boot-error status, instead of a traceback per process
respawned in a loop; the service manager starts it again a few seconds later.
"""

import logging
import sys

import sqlalchemy as sa

from engine.store.migrate import DatabaseNotMigrated
from service import logs
from service.app import create_app

logs.configure()
try:
    app = create_app({"LOAD_PROCESSES": False})
except DatabaseNotMigrated as err:
    logging.getLogger("dunghan").error("%s", err)
    sys.exit(3)  # gunicorn's WORKER_BOOT_ERROR: the arbiter halts instead of respawning
except sa.exc.OperationalError as err:
    logging.getLogger("dunghan").error("Không kết nối được cơ sở dữ liệu (DUNGHAN_DATABASE_URL): %s",
                                       str(err.orig).strip().splitlines()[0] if err.orig else err)
    sys.exit(3)
