"""Run BPMN scripts and expressions in a RestrictedPython sandbox, in bounded child processes.

SpiffWorkflow's default engine calls plain ``eval``/``exec``: any script could import ``os``.
Here every script, gateway condition and timer expression is compiled and run by
`engine.sandbox` (restricted compile, guarded access, allow-listed builtins, a time limit).
Every script and expression that is not provably cheap runs in a child process of
`engine.sandbox_pool`, under memory and CPU limits the service itself never pays. A name, a
comparison or a script that only reshapes existing data (most conditions, agency expressions
and BPMN scripts) runs in place: a round trip would cost more than it.
"""

import re
from collections.abc import Callable, Mapping

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine import sandbox
from engine.errors import ScriptRejected
from engine.sandbox import (
    ALLOWED_NAMES,
    DEFAULT_TIME_LIMIT,
    compile_expression,
    compile_script,
    is_iso_literal,
)
from engine.sandbox_pool import SandboxPool, default_pool

__all__ = ["ALLOWED_NAMES", "SandboxEnvironment", "SandboxScriptEngine", "lint_expression",
           "lint_script"]


_CAMUNDA_EXPRESSION = re.compile(r"^\s*[$#]\{.*\}\s*$", re.DOTALL)


def lint_expression(source: str, *, timer: bool = False) -> None:
    """Reject at upload an expression the sandbox would refuse at run time."""
    if timer and is_iso_literal(source):
        return
    if _CAMUNDA_EXPRESSION.match(source):
        raise ScriptRejected("biểu thức ${…}/#{…} (JUEL của Camunda) không được hỗ trợ; viết bằng "
                             "Python trên biến của hồ sơ, ví dụ: so_ngay > 5 and ket_qua == 'dat'")
    compile_expression(source)


def lint_script(source: str) -> None:
    """Reject at upload a script the sandbox would refuse at run time."""
    compile_script(source)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate and execute task scripts under RestrictedPython with helper functions."""

    def __init__(self, helpers: Mapping[str, Callable] | None = None,
                 time_limit=DEFAULT_TIME_LIMIT, pool: SandboxPool | None = None):
        super().__init__(dict(helpers or {}))
        self.time_limit = time_limit
        self.pool = pool
        self._helper_names = frozenset(self.globals)

    def evaluate(self, expression, context, external_context=None):
        if is_iso_literal(expression):
            return expression.strip()
        if sandbox.is_bounded(expression, self._helper_names):
            names = {**self.globals, **(external_context or {})}
            return sandbox.evaluate(expression, context, names, self.time_limit)
        compile_expression(expression)  # refuse here what needs no child to refuse
        reply = self._run("evaluate", expression, context, external_context)
        return reply["value"]

    def execute(self, script, context, external_context=None):
        compile_script(script)
        if sandbox.is_bounded_script(script, self._helper_names):
            names = {**self.globals, **(external_context or {})}
            before = set(context)
            scratch = dict(context)
            sandbox.execute(script, scratch, names, self.time_limit)
            sandbox.check_size({k: v for k, v in scratch.items()
                                if k not in before or v is not context[k]})
            context.clear()
            context.update(scratch)
            return True
        reply = self._run("execute", script, context, external_context)
        for key in reply["deleted"]:
            context.pop(key, None)
        context.update(reply["changed"])
        return True

    def _run(self, op: str, source: str, context, external_context) -> dict:
        request = {"op": op, "source": source, "time_limit": self.time_limit,
                   "context": context, "external": external_context or {},
                   "helpers": sorted(self._helper_names)}
        return (self.pool or default_pool()).run(request, self.globals)

    def call_service(self, context, **kwargs):
        raise ScriptRejected("Tác vụ dịch vụ (service task) chưa được hỗ trợ")


class SandboxScriptEngine(PythonScriptEngine):
    """A SpiffWorkflow script engine whose every evaluation runs in the sandbox."""

    def __init__(self, helpers: Mapping[str, Callable] | None = None,
                 time_limit=DEFAULT_TIME_LIMIT, pool: SandboxPool | None = None):
        super().__init__(environment=SandboxEnvironment(helpers, time_limit, pool))

    def validate(self, expression):
        compile_expression(expression)

    def call_service(self, task, **kwargs):
        # The base class's error path raises NameError (it names an undefined `script`).
        from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

        raise WorkflowTaskException("Tác vụ dịch vụ (service task) chưa được hỗ trợ", task=task)
