"""Compile and run restricted Python: the core both the service and its sandbox children share.

Every script, gateway condition and timer expression is compiled with ``compile_restricted_*``,
runs with guarded attribute, item and iteration access, sees only an allow-list of builtins
and helpers, and is stopped after a time limit. This module imports nothing heavy, so a sandbox
child process starts small.
"""

import ast
import builtins
import contextlib
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


def base_globals() -> dict[str, Any]:
    """Return the guards and builtins every restricted evaluation starts from."""
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


ALLOWED_NAMES = frozenset(base_globals()["__builtins__"]) | {"True", "False", "None"}
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


# Nodes whose cost is bounded by the expression's size times the data's: no loops, no
# repetition (`*`), no calls except to the trusted helpers and a few linear builtins.
_BOUNDED_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp, ast.And, ast.Or,
    ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Subscript, ast.IfExp, ast.Tuple, ast.List,
    ast.Dict, ast.keyword, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot,
)
_LINEAR_CALLS = frozenset({"len", "str", "bool", "abs", "min", "max"})


@functools.lru_cache(maxsize=4096)
def is_bounded(expression: str, helpers: frozenset[str] = frozenset()) -> bool:
    """Tell whether an expression provably runs in little time and memory, so needs no child.

    Most conditions and agency expressions are a name or a comparison: sending them to a
    child process would cost a round trip for nothing.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            continue
        if isinstance(node, ast.Add | ast.Sub):
            continue
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _LINEAR_CALLS | helpers):
                return False
            continue
        if not isinstance(node, _BOUNDED_NODES):
            return False
    return True


_SCRIPT_CALLS = frozenset({"len", "bool"})


@functools.lru_cache(maxsize=1024)
def is_bounded_script(script: str, helpers: frozenset[str] = frozenset()) -> bool:
    """Tell whether a script only reshapes data in bounded time and memory, so needs no child.

    Allowed: assignments to names (and ``del``) of literals, names, item access, comparisons
    and one-level comprehensions over existing data, e.g. ``reply = {"agency": agency}`` or
    ``late = [r["agency"] for r in replies if r["late"]]``. No ``+``, ``*``, loops or calls but
    ``len``, ``bool`` and the helpers: each statement then builds at most one list as long as
    data that already exists, so no sequence of statements can grow memory geometrically.
    What it shares by reference is measured by `check_size` before it is kept.
    """
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return False
    for statement in tree.body:
        if isinstance(statement, ast.Delete) and all(isinstance(t, ast.Name) for t in statement.targets):
            continue
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and _reshapes(statement.value, helpers)):
            return False
    return True


def _reshapes(value: ast.AST, helpers: frozenset[str]) -> bool:
    if isinstance(value, ast.ListComp | ast.SetComp | ast.DictComp):
        [*generators] = value.generators
        if len(generators) != 1 or generators[0].is_async:
            return False
        parts = [generators[0].iter, *generators[0].ifs,
                 *([value.key, value.value] if isinstance(value, ast.DictComp) else [value.elt])]
        target = generators[0].target
        names_only = all(isinstance(n, ast.Name | ast.Tuple | ast.Store) for n in ast.walk(target))
        return names_only and all(_plain(part, helpers) for part in parts)
    return _plain(value, helpers)


def _plain(node: ast.AST, helpers: frozenset[str]) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            if not (isinstance(child.func, ast.Name) and child.func.id in _SCRIPT_CALLS | helpers):
                return False
        elif not isinstance(child, _BOUNDED_NODES):
            return False
    return True


def check_size(values: Mapping[str, Any], max_items: int = 200_000,
               max_chars: int = 8 * 1024 * 1024, max_depth: int = 32) -> None:
    """Refuse values whose JSON form would be too large or too deep to store and read back.

    ``x = [a, a]`` shares, so ten such statements describe a thousand copies: walk the values
    as the JSON encoder would, without recursion, counting shared references each time, and
    stop as soon as a limit is passed. The depth limit is the one request bodies have.
    """
    items, chars, stack = 0, 0, [(v, 1) for v in values.values()]
    while stack:
        value, depth = stack.pop()
        items += 1
        if isinstance(value, str):
            chars += len(value)
        elif isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            chars += sum(len(k) for k in value if isinstance(k, str))
        elif isinstance(value, list | tuple | set):
            stack.extend((v, depth + 1) for v in value)
        if depth > max_depth:
            raise ScriptRejected(f"Dữ liệu kịch bản tạo ra lồng nhau quá {max_depth} tầng")
        if items > max_items or chars > max_chars:
            raise ScriptRejected(f"Dữ liệu kịch bản tạo ra quá lớn (quá {max_items} phần tử "
                                 f"hoặc {max_chars // 2**20} MB chữ)")


class Deadline:
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


@contextlib.contextmanager
def trusted():
    """Run a trusted helper untraced and off the calling script's clock; its own bounds limit it.

    A helper such as a working-day count may build a year's holiday table on first use,
    which on a busy machine takes longer than a script's whole time limit.
    """
    tracer, started = sys.gettrace(), time.monotonic()
    sys.settrace(None)
    try:
        yield
    finally:
        if isinstance(tracer, Deadline):
            tracer.until += time.monotonic() - started
        sys.settrace(tracer)


def evaluate(expression: str, context: Mapping[str, Any], names: Mapping[str, Any],
             time_limit: float) -> Any:
    """Evaluate an expression over task data, with extra names (helpers), under the limit."""
    if is_iso_literal(expression):
        return expression.strip()
    code = compile_expression(expression)
    scope = {**base_globals(), **names, **context}
    return Deadline(time_limit).run(lambda: eval(code, scope))  # noqa: S307


def execute(script: str, context: dict[str, Any], names: Mapping[str, Any],
            time_limit: float) -> None:
    """Run a script over task data in place: new variables are added, deleted ones removed."""
    code = compile_script(script)
    scope = {**base_globals(), **names, **context}
    reserved = set(scope) - set(context)
    Deadline(time_limit).run(lambda: exec(code, scope))  # noqa: S102
    for key, value in scope.items():
        if key not in reserved and not callable(value) and not key.startswith("_"):
            context[key] = value
    for key in set(context) - set(scope):
        del context[key]  # the script ran `del key`
