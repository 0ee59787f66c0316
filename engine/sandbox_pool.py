"""Run restricted scripts in a small pool of child processes the service process outlives.

RestrictedPython stops an escape and the tracer stops a long loop, but one C-level operation
such as ``'a' * 10 ** 10`` runs to the end inside the process that started it: evaluated in
the service, it took the host's memory and stalled every request. Here each evaluation goes to
a child (`engine.sandbox_child`) whose address space is capped (RLIMIT_AS) and whose CPU time
per request is capped (RLIMIT_CPU). A child that dies, answers too much or too late is killed
and replaced; the step fails with the reason and the service carries on.

The task data goes in as JSON and only the variables the script changed come back, so the
round trip costs tens of microseconds for an ordinary step.
"""

import atexit
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

from engine.errors import ScriptRejected

log = logging.getLogger(__name__)

DEFAULT_SIZE = 2
MEMORY_HEADROOM = 256 * 1024 * 1024  # bytes a child may allocate beyond its start-up size
CPU_SECONDS = 2.0  # CPU a child may burn on one request before the kernel kills it
WAIT_SECONDS = 3.0  # wall time before the service kills a child that has not answered
QUEUE_SECONDS = 10.0  # how long a step waits for a free child
MAX_REPLY_BYTES = 9 * 1024 * 1024

# Errors a script can raise that callers and SpiffWorkflow treat by kind (NameError gets a
# "did you mean"); any other kind comes back as ScriptRejected with its name.
_KINDS = {cls.__name__: cls for cls in (
    NameError, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError,
    TimeoutError, ArithmeticError, OverflowError, UnboundLocalError)}


class ChildLost(Exception):
    """A child died, overran its time or sent something unreadable; it has been killed."""


class _Child:
    """One sandbox process and the service's end of its socket."""

    def __init__(self, headroom: int, cpu_seconds: float):
        ours, theirs = socket.socketpair()
        with theirs:
            command = [sys.executable, "-m", "engine.sandbox_child", str(theirs.fileno()),
                       str(headroom), str(cpu_seconds)]
            self.process = subprocess.Popen(command, pass_fds=[theirs.fileno()],
                                            stdin=subprocess.DEVNULL, close_fds=True)
        self.conn = Connection(ours.detach())

    def ask(self, request: bytes, helpers: Mapping[str, Callable], wait: float) -> dict:
        """Send one request and answer the helper calls it makes until its reply arrives."""
        until = time.monotonic() + wait
        try:
            self.conn.send_bytes(request)
            while True:
                remaining = until - time.monotonic()
                if remaining <= 0 or not self.conn.poll(remaining):
                    raise ChildLost(f"không trả lời trong {wait:g} giây")
                message = json.loads(self.conn.recv_bytes(MAX_REPLY_BYTES))
                if "call" not in message:
                    return message
                self.conn.send_bytes(json.dumps(_call_helper(helpers, message)).encode())
        except (EOFError, OSError, ValueError, RecursionError) as err:
            raise ChildLost(self._death() or f"trả lời không đọc được ({type(err).__name__})") from err

    def _death(self) -> str | None:
        code = self.process.poll()
        if code is None:
            return None
        if code == -24:  # SIGXCPU
            return f"vượt giới hạn {CPU_SECONDS:g} giây CPU"
        return f"tiến trình dừng (mã {code})"

    def kill(self) -> None:
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _call_helper(helpers: Mapping[str, Callable], message: dict) -> dict:
    """Run a helper the script called, here where its calendar lives; refuse unknown names."""
    helper = helpers.get(message["call"])
    if helper is None:
        return {"error": f"không có hàm '{message['call']}'"}
    try:
        return {"value": helper(*message["args"], **message["kwargs"])}
    except (TypeError, ValueError) as err:
        return {"error": str(err)}


class SandboxPool:
    """Hand each evaluation to an idle child, starting one when none is idle, up to ``size``."""

    def __init__(self, size: int = DEFAULT_SIZE, headroom: int = MEMORY_HEADROOM,
                 cpu_seconds: float = CPU_SECONDS, wait_seconds: float = WAIT_SECONDS):
        self.headroom, self.cpu_seconds, self.wait_seconds = headroom, cpu_seconds, wait_seconds
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self.requests = 0

    def run(self, request: dict, helpers: Mapping[str, Callable]) -> Any:
        """Evaluate or execute in a child; return its reply, raising the script's own error."""
        try:
            body = json.dumps(request, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError, RecursionError) as err:
            raise ScriptRejected(f"Dữ liệu của bước không chuyển được sang JSON: {err}") from err
        if not self._slots.acquire(timeout=QUEUE_SECONDS):
            raise ScriptRejected("Các tiến trình chạy kịch bản đều đang bận; hãy thử lại sau")
        child = None
        try:
            child = self._take()
            self.requests += 1
            reply = child.ask(body, helpers, self.wait_seconds)
            if reply.get("retire"):
                child.kill()
                child = None
        except ChildLost as err:
            log.warning("sandbox child %s killed: %s", child.process.pid if child else "?", err)
            if child is not None:
                child.kill()
            child = None
            raise ScriptRejected(f"Kịch bản bị dừng vì vượt giới hạn tài nguyên: {err}") from err
        finally:
            self._give_back(child)
        return _result(reply)

    def _take(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.process.poll() is None:
                    return child
                child.kill()
        return _Child(self.headroom, self.cpu_seconds)

    def _give_back(self, child: _Child | None) -> None:
        if child is not None:
            if child.process.poll() is None:
                with self._lock:
                    self._idle.append(child)
            else:
                child.kill()
        self._slots.release()

    def close(self) -> None:
        """Stop every idle child; a busy one stops when its caller gives it back."""
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()


def _result(reply: dict) -> Any:
    if "error" not in reply:
        return reply
    kind, message = reply["error"], reply.get("message", "")
    if kind == "MemoryError":
        raise ScriptRejected(f"Kịch bản bị dừng vì vượt giới hạn bộ nhớ ({MEMORY_HEADROOM // 2**20} MB)")
    raise _KINDS.get(kind, ScriptRejected)(message if kind in _KINDS or kind == "ScriptRejected"
                                           else f"{kind}: {message}")


_default: SandboxPool | None = None
_default_pid = 0
_default_lock = threading.Lock()


def default_pool() -> SandboxPool:
    """Return the process-wide pool, sized by DUNGHAN_SANDBOX_PROCESSES (default 2).

    A process forked after the pool started (a pre-forking server) gets a pool of its own:
    two processes writing to one child's socket would mix their requests.
    """
    global _default, _default_pid
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            _default = SandboxPool(int(os.environ.get("DUNGHAN_SANDBOX_PROCESSES", DEFAULT_SIZE)))
            _default_pid = os.getpid()
            atexit.register(_default.close)
        return _default
