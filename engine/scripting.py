"""Run BPMN scripts and expressions in a RestrictedPython sandbox with a time limit.

SpiffWorkflow's default engine calls plain ``eval``/``exec``: any script could import ``os``.
Here every script, gateway condition and timer expression is compiled with
``compile_restricted_*``, runs with guarded attribute, item and iteration access, sees only
an allow-list of builtins and helpers, and is stopped after a time limit.
"""

import ast
import builtins
import functools
import operator
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import ScriptRejected

SCRIPT_FILENAME = "<bpmn-script>"
DEFAULT_TIME_LIMIT = 0.5
MAX_RANGE = 100_000
MAX_EXPONENT = 64

# ISO 8601 durations, instants and repeating intervals, as modellers write them unquoted.
_ISO_LITERAL = re.compile(
    r"^(R\d*/)?(P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)(/.*)?$"
)

_EXTRA_BUILTINS = {
    name: getattr(builtins, name)
    for name in ("all", "any", "dict", "enumerate", "list", "max", "min", "set", "sum", "sorted")
}


def _bounded_range(*args):
    """Build a range, refusing ones too long to walk within the time limit."""
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise ScriptRejected(f"range quá lớn (tối đa {MAX_RANGE} phần tử)")
    return span


def _inplace(op: str, left: Any, right: Any) -> Any:
    """Apply an augmented assignment such as ``x += 1``, which RestrictedPython rewrites."""
    ops = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul}
    if op not in ops:
        raise ScriptRejected(f"Toán tử {op} không được phép trong kịch bản")
    return ops[op](left, right)


def _base_globals() -> dict[str, Any]:
    return {
        "__builtins__": {**safe_builtins, **_EXTRA_BUILTINS, "range": _bounded_range},
        "__name__": "bpmn_script",
        "__metaclass__": type,
        "_getattr_": safer_getattr,
        "_getitem_": operator.getitem,
        "_getiter_": iter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplace,
    }


ALLOWED_NAMES = frozenset(_base_globals()["__builtins__"]) | {"True", "False", "None"}
_FORBIDDEN_BUILTINS = frozenset(dir(builtins)) - ALLOWED_NAMES


@functools.lru_cache(maxsize=4096)
def compile_expression(source: str):
    """Compile an expression in restricted mode, raising ScriptRejected with the reason."""
    return _checked(compile_restricted_eval(source.strip(), SCRIPT_FILENAME), source)


@functools.lru_cache(maxsize=1024)
def compile_script(source: str):
    """Compile a script in restricted mode, raising ScriptRejected with the reason."""
    return _checked(compile_restricted_exec(source, SCRIPT_FILENAME), source)


def _checked(result, source: str):
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    _reject_unbounded(source)
    forbidden = sorted(name for name in result.used_names if name in _FORBIDDEN_BUILTINS)
    if forbidden:
        raise ScriptRejected(f"Không được dùng hàm hệ thống: {', '.join(forbidden)}")
    return result.code


def _reject_unbounded(source: str) -> None:
    """Refuse constructs that defeat the time limit.

    ``while`` loops can spin without a traceable line, ``try`` could swallow the timeout, and a
    large power runs inside one C call the tracer cannot interrupt. BPMN scripts only reshape
    task data, so none of them is needed there.
    """
    for node in ast.walk(ast.parse(source.strip())):
        if isinstance(node, ast.While | ast.Try | ast.TryStar):
            raise ScriptRejected("Không dùng vòng lặp while hay try/except trong kịch bản BPMN")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and not (
            isinstance(node.right, ast.Constant) and isinstance(node.right.value, int)
            and abs(node.right.value) <= MAX_EXPONENT
        ):
            raise ScriptRejected(f"Phép lũy thừa chỉ được dùng số mũ hằng, tối đa {MAX_EXPONENT}")


def is_iso_literal(expression: str) -> bool:
    """Tell whether a timer expression is a bare ISO 8601 literal such as ``P10D``."""
    return bool(_ISO_LITERAL.match(expression.strip()))


def lint_expression(source: str, *, timer: bool = False) -> None:
    """Reject at upload an expression the sandbox would refuse at run time."""
    if timer and is_iso_literal(source):
        return
    compile_expression(source)


def lint_script(source: str) -> None:
    """Reject at upload a script the sandbox would refuse at run time."""
    compile_script(source)


class _Deadline:
    """Stop Python code that runs past a wall-clock limit, by tracing its frames."""

    def __init__(self, seconds: float):
        self.until = time.monotonic() + seconds
        self.seconds = seconds

    def __call__(self, frame, event, arg):
        if event == "call":
            # Per-opcode events: a loop on one line emits no new line event to check on.
            frame.f_trace_opcodes = True
        if time.monotonic() > self.until:
            raise TimeoutError(f"Kịch bản chạy quá {self.seconds} giây")
        return self

    def run(self, fn: Callable[[], Any]) -> Any:
        previous = sys.gettrace()
        sys.settrace(self)
        try:
            return fn()
        finally:
            sys.settrace(previous)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate and execute task scripts under RestrictedPython with helper functions."""

    def __init__(self, helpers: Mapping[str, Callable] | None = None, time_limit=DEFAULT_TIME_LIMIT):
        super().__init__(dict(helpers or {}))
        self.time_limit = time_limit

    def _globals(self, context: Mapping[str, Any], external: Mapping | None) -> dict[str, Any]:
        return {**_base_globals(), **self.globals, **(external or {}), **context}

    def evaluate(self, expression, context, external_context=None):
        if is_iso_literal(expression):
            return expression.strip()
        code = compile_expression(expression)
        scope = self._globals(context, external_context)
        return _Deadline(self.time_limit).run(lambda: eval(code, scope))  # noqa: S307

    def execute(self, script, context, external_context=None):
        code = compile_script(script)
        scope = self._globals(context, external_context)
        reserved = set(scope) - set(context)
        _Deadline(self.time_limit).run(lambda: exec(code, scope))  # noqa: S102
        for key, value in scope.items():
            if key not in reserved and not callable(value) and not key.startswith("_"):
                context[key] = value
        for key in set(context) - set(scope):
            del context[key]  # the script ran `del key`
        return True

    def call_service(self, context, **kwargs):
        raise ScriptRejected("Tác vụ dịch vụ (service task) chưa được hỗ trợ")


class SandboxScriptEngine(PythonScriptEngine):
    """A SpiffWorkflow script engine whose every evaluation runs in the sandbox."""

    def __init__(self, helpers: Mapping[str, Callable] | None = None, time_limit=DEFAULT_TIME_LIMIT):
        super().__init__(environment=SandboxEnvironment(helpers, time_limit))

    def validate(self, expression):
        compile_expression(expression)

    def call_service(self, task, **kwargs):
        # The base class's error path raises NameError (it names an undefined `script`).
        from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

        raise WorkflowTaskException("Tác vụ dịch vụ (service task) chưa được hỗ trợ", task=task)
