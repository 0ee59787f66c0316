"""The WSGI entry point for production servers: ``gunicorn service.wsgi:app``.

Configuration comes from DUNGHAN_* variables only. An unmigrated database stops the server
with one line and gunicorn's boot-error status, instead of every worker retrying forever.
"""

import logging
import sys

from engine.store.migrate import DatabaseNotMigrated
from service import logs
from service.app import create_app

logs.configure()
try:
    app = create_app({"LOAD_PROCESSES": False})
except DatabaseNotMigrated as err:
    logging.getLogger("dunghan").error("%s", err)
    sys.exit(3)  # gunicorn's WORKER_BOOT_ERROR: the arbiter halts instead of respawning
