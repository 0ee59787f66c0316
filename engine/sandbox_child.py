"""Serve restricted evaluations for the service, inside address-space and CPU limits.

Started by `engine.sandbox_pool` as ``python -m engine.sandbox_child FD HEADROOM CPU`` with one
end of a socket pair. Requests and replies are JSON, never pickle: a script that escaped the
sandbox here could still not make the service run code by what it sends back. A helper such
as ``due_in_working_days`` is called back in the service, which holds the calendar.
"""

import json
import math
import os
import resource
import sys
from multiprocessing.connection import Connection

from engine import sandbox

MAX_REPLY_BYTES = 8 * 1024 * 1024
MAX_CALL_BYTES = 64 * 1024
NICENESS = 15


class HelperFailed(Exception):
    """A helper called back in the service refused its arguments."""


def _limit_memory(headroom: int) -> None:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    limit = pages * resource.getpagesize() + headroom
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu(seconds: float) -> None:
    """Let the kernel kill this process if the next request burns more than ``seconds`` of CPU."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _encode(message: dict, limit: int) -> bytes:
    try:
        body = json.dumps(message, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as err:
        raise sandbox.ScriptRejected(f"Kết quả không phải dữ liệu JSON: {err}") from err
    if len(body) > limit:
        raise sandbox.ScriptRejected(f"Dữ liệu kết quả vượt quá {limit // 1024} KB")
    return body


def _helper(conn: Connection, name: str):
    def call(*args, **kwargs):
        conn.send_bytes(_encode({"call": name, "args": args, "kwargs": kwargs}, MAX_CALL_BYTES))
        answer = json.loads(conn.recv_bytes())
        if "error" in answer:
            raise HelperFailed(answer["error"])
        return answer["value"]

    call.__name__ = name
    return call


def _run(conn: Connection, raw: bytes) -> dict:
    request = json.loads(raw)
    names = {**request["external"], **{n: _helper(conn, n) for n in request["helpers"]}}
    context = request["context"]
    if request["op"] == "evaluate":
        value = sandbox.evaluate(request["source"], context, names, request["time_limit"])
        sandbox.check_size({"value": value})
        return {"value": value}
    sandbox.execute(request["source"], context, names, request["time_limit"])
    # A second copy to compare with: the script may have changed a list in place.
    before = json.loads(raw)["context"]
    changed = {k: v for k, v in context.items() if k not in before or before[k] != v}
    sandbox.check_size(changed)
    return {"changed": changed, "deleted": [k for k in before if k not in context]}


def _reply(conn: Connection, raw: bytes) -> bool:
    """Answer one request; return False when this process should make way for a fresh one."""
    try:
        conn.send_bytes(_encode(_run(conn, raw), MAX_REPLY_BYTES))
        return True
    except MemoryError:
        # Retire: the allocator may keep the heap it grew, or be in a bad way.
        reply, fresh = {"error": "MemoryError", "message": "vượt giới hạn bộ nhớ", "retire": True}, False
    except RecursionError:
        reply, fresh = {"error": "ScriptRejected", "message": "Dữ liệu lồng nhau quá sâu"}, True
    except Exception as err:  # noqa: BLE001  the script's failure is the answer, whatever it is
        kind = "ScriptRejected" if isinstance(err, sandbox.ScriptRejected) else type(err).__name__
        reply, fresh = {"error": kind, "message": str(err)[:1000]}, True
    conn.send_bytes(json.dumps(reply, ensure_ascii=False).encode())
    return fresh


def main(argv: list[str]) -> None:
    fd, headroom, cpu_seconds = int(argv[1]), int(argv[2]), float(argv[3])
    conn = Connection(fd)
    # Yield the CPU to the service: a runaway script must not slow the requests around it.
    os.nice(NICENESS)
    _limit_memory(headroom)
    while True:
        try:
            raw = conn.recv_bytes()
        except EOFError:
            return  # the service closed its end: it stopped or replaced us
        _limit_cpu(cpu_seconds)
        if not _reply(conn, raw):
            return


if __name__ == "__main__":
    main(sys.argv)
