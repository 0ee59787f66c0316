"""Prove the sandbox refuses escapes at run time in scripts, gateway conditions and timers."""

import json
import subprocess
import sys
import time
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import codec
from engine.errors import ScriptRejected
from engine.scripting import SandboxEnvironment, SandboxScriptEngine

ROOT = Path(__file__).resolve().parents[2]
PROCESS_ID = "probe"

ATTACKS = {
    "import_os": "__import__('os')",
    "read_passwd": "open('/etc/passwd').read()",
    "subclasses_escape": "().__class__.__base__.__subclasses__()",
}


def definitions(body: str) -> str:
    """Wrap a process body into a BPMN document with the SpiffWorkflow namespace."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="probe_definitions" targetNamespace="https://dunghan.test/bpmn">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
{body}
  </bpmn:process>
</bpmn:definitions>
"""


def _chain(node: str, *, wait_first: bool = False) -> str:
    """Return start -> [manual task ``wait`` ->] ``node`` (id ``attack``) -> end."""
    wait = ""
    if wait_first:
        wait = """<bpmn:manualTask id="wait"><bpmn:incoming>to_wait</bpmn:incoming>
      <bpmn:outgoing>to_attack</bpmn:outgoing></bpmn:manualTask>
    <bpmn:sequenceFlow id="to_wait" sourceRef="start" targetRef="wait" />"""
    first = "to_wait" if wait_first else "to_attack"
    return f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>{first}</bpmn:outgoing></bpmn:startEvent>
    {wait}
    {node}
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_attack" sourceRef="{'wait' if wait_first else 'start'}"
      targetRef="attack" />
    <bpmn:sequenceFlow id="to_end" sourceRef="attack" targetRef="end" />"""


def script_process(script: str, *, wait_first: bool = False) -> str:
    """A script task ``attack`` running ``script``, optionally behind a manual task ``wait``."""
    node = f"""<bpmn:scriptTask id="attack">
      <bpmn:incoming>to_attack</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"""
    return definitions(_chain(node, wait_first=wait_first))


def gateway_process(condition: str) -> str:
    """An exclusive gateway ``choose`` whose flow ``attack`` carries ``condition``."""
    return definitions(f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>to_choose</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="choose" default="otherwise">
      <bpmn:incoming>to_choose</bpmn:incoming>
      <bpmn:outgoing>attack</bpmn:outgoing><bpmn:outgoing>otherwise</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_condition_true"><bpmn:incoming>attack</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_default"><bpmn:incoming>otherwise</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_choose" sourceRef="start" targetRef="choose" />
    <bpmn:sequenceFlow id="attack" sourceRef="choose" targetRef="end_condition_true">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="otherwise" sourceRef="choose" targetRef="end_default" />""")


def timer_process(expression: str, kind: str = "timeDuration") -> str:
    """An intermediate timer catch event ``attack`` whose ``kind`` is ``expression``."""
    node = f"""<bpmn:intermediateCatchEvent id="attack">
      <bpmn:incoming>to_attack</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
      <bpmn:timerEventDefinition id="attack_timer">
        <bpmn:{kind}>{expression}</bpmn:{kind}>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"""
    return definitions(_chain(node))


BUILDERS = {
    "script_task": lambda attack: script_process(f"x = {attack}"),
    "gateway_condition": gateway_process,
    "timer_expression": timer_process,
}
# The task SpiffWorkflow reports as failing: the gateway evaluates its outgoing conditions.
FAILING_TASK = {
    "script_task": "attack", "gateway_condition": "choose", "timer_expression": "attack",
}


def parse(xml: str):
    """Parse straight with SpiffWorkflow, bypassing the upload lint of engine.library."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode()), filename=f"{PROCESS_ID}.bpmn")
    return parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)


def workflow(xml: str, script_engine) -> BpmnWorkflow:
    spec, subprocess_specs = parse(xml)
    return BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)


def causes(err: BaseException):
    """Yield an exception and everything it wraps, outermost first."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__ or getattr(err, "exception", None) or err.__context__


def assert_refused_by_sandbox(excinfo) -> None:
    """The engine failed because the sandbox refused the code, not for some other reason."""
    chain = list(causes(excinfo.value))
    refusals = [e for e in chain if isinstance(e, ScriptRejected | NameError)]
    assert refusals, f"no sandbox refusal in {[repr(e) for e in chain]}"


def completed_elements(wf: BpmnWorkflow) -> set[str]:
    return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)} - {None}


def assert_no_effect(wf: BpmnWorkflow) -> None:
    """Nothing after the start event ran: no variable set, no branch taken, no timer armed."""
    assert completed_elements(wf) == {"start"}
    assert not wf.completed
    assert all("x" not in t.data for t in wf.get_tasks())
    assert all("event_value" not in t.internal_data for t in wf.get_tasks())


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
@pytest.mark.parametrize("location", BUILDERS)
def test_sandbox_blocks_attack_at_run_time(location, attack):
    wf = workflow(BUILDERS[location](attack), SandboxScriptEngine())

    with pytest.raises(WorkflowException) as excinfo:
        wf.do_engine_steps()

    assert_refused_by_sandbox(excinfo)
    assert excinfo.value.task_spec.bpmn_id == FAILING_TASK[location]
    assert_no_effect(wf)


@pytest.mark.parametrize("kind", ["timeDate", "timeCycle"])
def test_sandbox_blocks_import_in_every_kind_of_timer(kind):
    wf = workflow(timer_process(ATTACKS["import_os"], kind), SandboxScriptEngine())

    with pytest.raises(WorkflowException) as excinfo:
        wf.do_engine_steps()

    assert_refused_by_sandbox(excinfo)
    assert_no_effect(wf)


def test_sandbox_blocks_a_spiff_pre_script_at_run_time():
    node = f"""<bpmn:manualTask id="attack">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>x = {ATTACKS['import_os']}</spiffworkflow:preScript>
      </bpmn:extensionElements>
      <bpmn:incoming>to_attack</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:manualTask>"""
    wf = workflow(definitions(_chain(node)), SandboxScriptEngine())

    with pytest.raises(WorkflowException) as excinfo:
        wf.do_engine_steps()

    assert_refused_by_sandbox(excinfo)
    assert_no_effect(wf)


# Controls: the same documents under SpiffWorkflow's default engine really run the attack,
# so the tests above would fail if the sandbox were not in the way.


def test_plain_engine_imports_os_from_a_script_task():
    wf = workflow(BUILDERS["script_task"](ATTACKS["import_os"]), PythonScriptEngine())

    wf.do_engine_steps()

    assert wf.completed
    leaked = wf.data["x"]
    assert isinstance(leaked, types.ModuleType) and leaked.__name__ == "os"


def test_plain_engine_imports_os_from_a_gateway_condition():
    wf = workflow(BUILDERS["gateway_condition"](ATTACKS["import_os"]), PythonScriptEngine())

    wf.do_engine_steps()

    assert "end_condition_true" in completed_elements(wf)  # the module object was truthy


def test_plain_engine_imports_os_from_a_timer_expression():
    wf = workflow(BUILDERS["timer_expression"](ATTACKS["import_os"]), PythonScriptEngine())

    # The import ran: SpiffWorkflow then chokes on the module object it got back.
    with pytest.raises(AttributeError, match="module 'os'"):
        wf.do_engine_steps()


# Time limit. Each case runs in a child process, all at once, so a sandbox that fails to stop
# a script costs one bounded wait instead of hanging the suite.

TIME_LIMIT = 0.1
CHILD_TIMEOUT = 6.0  # each child also starts a sandbox process; load on CI varies
_CHILD = """
import json, sys, time
from lxml import etree
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from engine.scripting import SandboxScriptEngine

parser = SpiffBpmnParser()
parser.add_bpmn_xml(etree.fromstring(sys.stdin.buffer.read()), filename="probe.bpmn")
engine = SandboxScriptEngine(time_limit=float(sys.argv[1]))
wf = BpmnWorkflow(parser.get_spec("probe"), script_engine=engine)
started = time.monotonic()
try:
    wf.do_engine_steps()
    outcome = ["finished"]
except Exception as err:
    outcome = []
    while err is not None:
        outcome.append(type(err).__name__)
        err = err.__cause__ or err.__context__
print(json.dumps({"chain": outcome, "elapsed": time.monotonic() - started}))
"""

RUNAWAY_SCRIPTS = {
    "loop_on_one_line": "while True: pass",
    "loop_over_two_lines": "while True:\n    pass",
    "loop_that_catches_the_timeout": (
        "try:\n    while True:\n        pass\nexcept Exception:\n    pass\n"
        "while True:\n    y = 1"
    ),
    "long_builtin_call": "x = sum(range(10 ** 12))",
    "nested_comprehensions": "x = [[i * j for i in range(90000)] for j in range(90000)]",
}


@pytest.fixture(scope="module")
def runaway_outcomes() -> dict[str, dict | None]:
    """Run every runaway script in its own child process; None means it had to be killed."""
    children = {}
    for name, script in RUNAWAY_SCRIPTS.items():
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(TIME_LIMIT)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        child.stdin.write(script_process(script).encode())
        child.stdin.close()
        children[name] = child
    deadline = time.monotonic() + CHILD_TIMEOUT
    outcomes = {}
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
            out, err = child.stdout.read(), child.stderr.read()
            outcomes[name] = json.loads(out) if child.returncode == 0 else {
                "chain": [], "elapsed": None, "crash": err.decode(errors="replace"),
            }
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            outcomes[name] = None
        finally:
            child.stdout.close()
            child.stderr.close()
    return outcomes


@pytest.mark.parametrize("name", RUNAWAY_SCRIPTS)
def test_runaway_script_is_refused_or_stopped_within_a_second(runaway_outcomes, name):
    outcome = runaway_outcomes[name]

    assert outcome is not None, (
        f"{RUNAWAY_SCRIPTS[name]!r} was still running after {CHILD_TIMEOUT} s "
        f"with a time limit of {TIME_LIMIT} s"
    )
    # Refused before running (while/try/huge range) or stopped by the time limit.
    assert {"TimeoutError", "ScriptRejected"} & set(outcome["chain"]), outcome
    assert outcome["elapsed"] < 1.0


# What the sandbox does allow.


def test_sandbox_runs_comprehensions_and_the_allowed_helpers():
    script = "\n".join([
        "scores = [len(r) for r in replies]",
        "total = sum(scores)",
        "count = len(scores)",
        "any_long = any(s > 5 for s in scores)",
        "ranked = sorted(replies, reverse=True)",
        "total += 1",
        "first = {'agency': ranked[0]}",
        "deadline = add_days(3)",
    ])
    engine = SandboxScriptEngine(helpers={"add_days": lambda n: f"P{n}D"})
    wf = workflow(script_process(script), engine)
    wf.task_tree.data["replies"] = ["STC", "SXD", "SNNMT"]

    wf.do_engine_steps()

    assert wf.completed
    assert wf.data["scores"] == [3, 3, 5]
    assert (wf.data["total"], wf.data["count"], wf.data["any_long"]) == (12, 3, False)
    assert wf.data["ranked"] == ["SXD", "STC", "SNNMT"]
    assert wf.data["first"] == {"agency": "SXD"}
    assert wf.data["deadline"] == "P3D"
    assert "add_days" not in wf.data  # helpers are not copied into the process variables


def test_sandboxed_gateway_condition_still_routes():
    wf = workflow(gateway_process("max(amounts) &gt; 10 and all(a &gt; 0 for a in amounts)"),
                  SandboxScriptEngine())
    wf.task_tree.data["amounts"] = [4, 12]

    wf.do_engine_steps()

    assert "end_condition_true" in completed_elements(wf)


def test_unquoted_iso_duration_is_read_as_a_literal():
    assert SandboxEnvironment().evaluate("P10D", {}) == "P10D"
    assert SandboxEnvironment().evaluate("  PT4H\n", {}) == "PT4H"


def test_unquoted_iso_instant_is_read_as_a_literal():
    assert SandboxEnvironment().evaluate("2026-03-02T09:00:00+07:00", {}) == (
        "2026-03-02T09:00:00+07:00"
    )


def test_timer_written_as_bare_p10d_waits_ten_days():
    wf = workflow(timer_process("P10D"), SandboxScriptEngine())
    before = datetime.now(UTC)

    wf.do_engine_steps()

    [timer] = [t for t in wf.get_tasks() if t.task_spec.bpmn_id == "attack"]
    assert timer.state == TaskState.WAITING
    due = datetime.fromisoformat(timer.internal_data["event_value"])
    assert timedelta(days=10) <= due - before < timedelta(days=10, minutes=1)


def test_plain_engine_cannot_read_bare_p10d():
    wf = workflow(timer_process("P10D"), PythonScriptEngine())

    with pytest.raises(WorkflowException) as excinfo:
        wf.do_engine_steps()

    assert any(isinstance(e, NameError) for e in causes(excinfo.value))


# The serializer drops the script engine; codec.load_state must put the sandbox back.


def _paused_before_attack(sandbox):
    spec, subprocess_specs = parse(script_process(f"x = {ATTACKS['import_os']}", wait_first=True))
    wf = BpmnWorkflow(spec, subprocess_specs, script_engine=sandbox)
    wf.do_engine_steps()
    compiled = codec.load_spec(codec.dump_spec(spec, subprocess_specs))
    return codec.dump_state(wf), compiled


def test_load_state_attaches_the_given_sandbox():
    state, compiled = _paused_before_attack(SandboxScriptEngine())
    sandbox = SandboxScriptEngine()

    wf = codec.load_state(state, compiled, sandbox)

    assert wf.script_engine is sandbox


def test_blocked_script_still_fails_after_a_dump_and_load_round_trip():
    state, compiled = _paused_before_attack(SandboxScriptEngine())
    wf = codec.load_state(state, compiled, SandboxScriptEngine())
    [wait] = wf.get_tasks(state=TaskState.READY, manual=True)
    assert wait.task_spec.bpmn_id == "wait"

    wait.run()
    with pytest.raises(WorkflowException) as excinfo:
        wf.do_engine_steps()

    assert_refused_by_sandbox(excinfo)
    assert all("x" not in t.data for t in wf.get_tasks())
    assert not wf.completed
