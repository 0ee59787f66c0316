"""gunicorn settings from DUNGHAN_* variables: ``gunicorn -c python:service.gunicorn_config``.

DUNGHAN_BIND (127.0.0.1:8000), DUNGHAN_WEB_PROCESSES (2), DUNGHAN_WEB_THREADS (2). One
process per core; the second thread keeps a process answering while one request waits on a slow
report or document. More threads only contend for the GIL: with 8 clients on 2 cores, 2 × 2
served 137 completions/s (p99 77 ms) against 127/s (p99 86 ms) with 2 × 4 (``bench/load.py``).
Timers and webhooks never run here: they belong to separate ``dunghan worker`` processes.
"""

import os

from gunicorn.glogging import Logger

from service import logs

bind = os.environ.get("DUNGHAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DUNGHAN_WEB_PROCESSES", "2"))
threads = int(os.environ.get("DUNGHAN_WEB_THREADS", "2"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30  # SIGTERM: finish the requests in flight for up to 30 s, then stop
keepalive = 5
max_requests = 10000  # recycle processes now and then, staggered by the jitter
max_requests_jitter = 1000
accesslog = None  # the app writes its own access line, with the request id and principal
proc_name = "dunghan-web"
# systemd (or the container runtime) manages the processes; a shared control socket in the home
# folder would collide between instances.
control_socket_disable = True


class DunghanLogger(Logger):
    """Send gunicorn's own lines through the app's handler, so they share its format."""

    def setup(self, cfg):
        super().setup(cfg)
        logs.configure()
        self.error_log.handlers.clear()
        self.error_log.propagate = True


logger_class = DunghanLogger
