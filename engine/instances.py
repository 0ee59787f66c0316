"""The ProcessInstance aggregate: a BpmnWorkflow plus the human tasks and events it yields."""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import codec
from engine import events as ev
from engine.calendar import WorkCalendar
from engine.codec import CompiledSpec
from engine.deadlines import Deadline, Grant, check_amount, parse_rule
from engine.errors import Conflict, DomainError, NotFound, StepFailed
from engine.forms import Form, land
from engine.spiff_clock import step_instant
from engine.step_errors import StepBudget, step_failed

DEEMED_AGREE = "deemed_agree"
SYSTEM_ACTOR = "system"


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class HumanTask:
    """A ready user task as the inbox sees it: who must act, on what."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    agency: str
    form: str | None
    data: dict
    deadline: Deadline | None = None
    due_at: datetime | None = None
    deemed_consent: bool = False
    pause_approver: str = "none"


def start_properties(compiled: CompiledSpec) -> dict:
    """Return the ``spiffworkflow:properties`` of the process's own start event."""
    for spec in compiled.spec.task_specs.values():
        props = (getattr(spec, "extensions", None) or {}).get("properties", {})
        if isinstance(spec, StartEvent) and props:
            return props
    return {}


def task_properties(compiled: CompiledSpec, bpmn_id: str) -> dict:
    """Return the ``spiffworkflow:properties`` of a task of the version, sub-processes included."""
    specs = [compiled.spec, *compiled.subprocess_specs.values()]
    for spec in (s for process in specs for s in process.task_specs.values()):
        if getattr(spec, "bpmn_id", None) == bpmn_id:
            return (getattr(spec, "extensions", None) or {}).get("properties", {})
    return {}


def approver_of(compiled: CompiledSpec, bpmn_id: str) -> str | None:
    """Return the task whose approval extends ``bpmn_id`` (its ``extends``), if the process has one."""
    specs = [compiled.spec, *compiled.subprocess_specs.values()]
    for spec in (s for process in specs for s in process.task_specs.values()):
        if (getattr(spec, "extensions", None) or {}).get("properties", {}).get("extends") == bpmn_id:
            return spec.bpmn_id
    return None


def start_form(compiled: CompiledSpec) -> Form | None:
    """Return the form named on the process's start event: what a starter may submit."""
    name = start_properties(compiled).get("form")
    return compiled.forms.get(name) if name else None


@dataclass
class ProcessInstance:
    """Drive one workflow and record what happened as domain events."""

    id: str
    process_id: str
    version: int
    workflow: BpmnWorkflow
    calendar: WorkCalendar
    status: InstanceStatus = InstanceStatus.RUNNING
    events: list[ev.Event] = field(default_factory=list)
    assigned: dict[str, HumanTask] = field(default_factory=dict)
    forms: Mapping[str, Form] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    # The ready user tasks and the waiting tasks the last walk found, until an action changes
    # the tree: the role check, the step and the status helpers all ask for them.
    _ready_tasks: list | None = field(default=None, repr=False)
    _waiting: list | None = field(default=None, repr=False)

    @classmethod
    def start(cls, id, process_id, version, compiled: CompiledSpec, script_engine,
              calendar: WorkCalendar, variables, now: datetime, actor: str) -> "ProcessInstance":
        """Create a workflow, seed its variables and run it to its first wait state."""
        workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=script_engine)
        workflow.task_tree.data.update(variables)
        instance = cls(id, process_id, version, workflow, calendar, forms=compiled.forms)
        instance.events.append(ev.InstanceStarted(id, now, actor, process_id, version))
        with step_instant(now):
            instance._advance(now, actor, opened=set())
        return instance

    @classmethod
    def load(cls, id, process_id, version, state_json, compiled, script_engine,
             calendar: WorkCalendar, status, workflow: BpmnWorkflow | None = None):
        """Rebuild an instance from storage, re-attaching the sandboxed script engine.

        ``workflow``, when given, is the workflow already restored from this very state (kept
        hot after its commit); only the engine is attached to it then.
        """
        if workflow is None:
            workflow = codec.load_state(state_json, compiled, script_engine)
        workflow.script_engine = script_engine
        return cls(id, process_id, version, workflow, calendar, InstanceStatus(status),
                   forms=compiled.forms)

    def dump(self) -> str:
        """Return the instance's state JSON, without its spec.

        A script may have left data JSON cannot hold (a set, a structure nested too deep):
        that fails the step, rather than the save or, later, every read.
        """
        return self._run(lambda: codec.dump_state(self.workflow))

    @property
    def variables(self) -> dict:
        """Return the instance's data as the last finished step left it."""
        if self.workflow.completed:
            return dict(self.workflow.data)
        last = self.workflow.last_task or self.workflow.task_tree
        return dict(last.data)

    def reached_elements(self) -> tuple[frozenset[str], frozenset[str]]:
        """Return the BPMN ids of the elements the run has passed and those it stands at now.

        Sub-processes count too: a consulted agency's reply inside a multi-instance
        consultation is reached in the sub-workflow, not the top one.
        """
        passed, current = set(), set()
        for task in self.workflow.get_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if bpmn_id is None:
                continue
            if task.state == TaskState.COMPLETED:
                passed.add(bpmn_id)
            elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                current.add(bpmn_id)
        return frozenset(passed), frozenset(current)

    def open_tasks(self) -> list[HumanTask]:
        """List the user tasks waiting for an agency, with the agency evaluated."""
        if self.status != InstanceStatus.RUNNING:
            return []
        return [self._human(t) for t in self.ready_tasks()]

    def ready_tasks(self) -> list:
        """Return the engine's ready user tasks in depth-first order; one walk per tree state."""
        if self._ready_tasks is None:
            self._ready_tasks = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        return self._ready_tasks

    def _forget_walks(self) -> None:
        """Drop what the last walk found: the action about to run changes the tree."""
        self._ready_tasks = self._waiting = None

    def form(self, name: str | None) -> Form | None:
        """Return the form of this version named by a task, or None for a task without one."""
        if name is None:
            return None
        if name not in self.forms:
            raise StepFailed(f"Phiên bản {self.version} của quy trình không có biểu mẫu '{name}'")
        return self.forms[name]

    def complete_task(self, task_id: str, data: dict, now: datetime, actor: str) -> HumanTask:
        """Complete one ready user task with a validated answer and run on to the next wait.

        The answer lands only where the task's form ``writes``; a task without a form takes
        no data at all, so no submission can set a variable the engine assigns tasks by.
        """
        self._require_running()
        ready = self.ready_tasks()
        task = self._ready_task(task_id, ready)
        human = self._human(task)
        task.data.update(land(self.form(human.form), data))
        self._note_grant(task)
        done = ev.TaskCompleted(self.id, now, actor, task_id, human.bpmn_id, human.agency, data)
        self._step(now, actor, task.run, done, closing=task_id, ready=ready)
        return human

    def _note_grant(self, task) -> None:
        """Keep the extension this answer approves for another task, for the use case to apply."""
        props = task.task_spec.extensions.get("properties", {})
        if not props.get("extends"):
            return
        value = self._run(lambda: self.workflow.script_engine.evaluate(task, props["extension"]))
        try:
            grant = Grant.from_value(props["extends"], value)
        except ValueError as err:
            raise StepFailed(f"Gia hạn của '{task.task_spec.bpmn_id}' không đọc được: {err}") from err
        if grant is not None:
            self.grants.append(grant)

    def return_reply(self, task_id: str, returned: dict, reason: str, reanswer_days: int,
                     now: datetime, actor: str) -> HumanTask:
        """Close the lead's open task by returning one reply; the agency gets a re-answer task.

        ``returned`` is the reply as the synthesis holds it (agency, position, reasons); the
        process routes on ``return_to`` to a re-answer step, then back to the synthesis.
        """
        self._require_running()
        ready = self.ready_tasks()
        task = self._ready_task(task_id, ready)
        human = self._human(task)
        task.data.update(return_to=returned["agency"], return_reason=reason,
                         returned_reply=returned, reanswer_days=reanswer_days)
        done = ev.TaskCompleted(self.id, now, actor, task_id, human.bpmn_id, human.agency, {})
        self._step(now, actor, task.run, done, closing=task_id, ready=ready)
        return human

    def deem_consent(self, task_id: str, now: datetime) -> HumanTask:
        """Close a silent agency's reply as ``deemed_agree`` at its deadline, and run on."""
        human = self.complete_task(task_id, {"position": DEEMED_AGREE, "reasons": ""}, now,
                                   SYSTEM_ACTOR)
        self.events.append(ev.ReplyDeemedAgreed(self.id, now, SYSTEM_ACTOR, task_id, human.agency))
        return human

    def fire_timers(self, now: datetime, actor: str = SYSTEM_ACTOR) -> None:
        """Fire the timers due at ``now`` and run on; a worker calls this when a timer job is due."""
        self._require_running()
        self._step(now, actor, self.workflow.refresh_timers)

    def _step(self, now: datetime, actor: str, action, announce: ev.Event | None = None,
              closing: str | None = None, ready: list | None = None) -> None:
        """Run one action and the engine steps after it at ``now``, announcing what changed.

        ``closing`` names the task the action itself completes, which is announced by the
        caller's event rather than as withdrawn; ``ready`` is the ready tasks the caller has
        just listed, so the tree is not walked again for them.
        """
        opened = {str(t.id) for t in (self.ready_tasks() if ready is None else ready)} - {closing}
        self._forget_walks()
        with step_instant(now):
            self._run(action)
            if announce is not None:
                self.events.append(announce)
            self._advance(now, actor, opened)

    def waiting_timers(self) -> list[tuple[str, datetime]]:
        """List each waiting timer event with the instant it is due, for the job table."""
        due = []
        waiting = self._waiting
        if waiting is None:
            waiting = self.workflow.get_tasks(state=TaskState.WAITING)
        for task in waiting:
            value = task.internal_data.get("event_value")
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and isinstance(value, str):
                due.append((str(task.id), TimerEventDefinition.get_datetime(value)))
        return due

    def waiting_messages(self) -> list[str]:
        """List the names of the BPMN messages the instance is waiting for, each once."""
        return sorted({d.name for t in self._message_waits() for d in _messages_of(t)})

    def deliver_message(self, name: str, payload: dict, now: datetime, actor: str,
                        sender: str = "") -> None:
        """Hand a message from outside to the event waiting for it, and run on.

        The instance is the correlation: the caller found it by id, so no BPMN correlation
        keys are evaluated. The payload lands in the ``messageVariable`` named on the event
        definition.
        """
        self._require_running()
        waits = [d for t in self._message_waits() for d in _messages_of(t) if d.name == name]
        if not waits:
            raise NotFound(f"Hồ sơ không chờ thông điệp '{name}'")
        event = BpmnEvent(waits[0], dict(payload))
        received = ev.MessageReceived(self.id, now, actor, name, sender, dict(payload))
        self._step(now, actor, lambda: self.workflow.send_event(event), received)

    def _message_waits(self) -> list:
        if self.status != InstanceStatus.RUNNING:
            return []
        return [t for t in self.workflow.get_tasks(state=TaskState.WAITING) if _messages_of(t)]

    def cancel(self, now: datetime, actor: str, reason: str) -> None:
        """Stop the instance and withdraw its open tasks."""
        self._require_running()
        withdrawn = self.open_tasks()
        self._forget_walks()
        with step_instant(now):
            self._run(self.workflow.cancel)
        self.status = InstanceStatus.CANCELLED
        for t in withdrawn:
            self.events.append(ev.TaskWithdrawn(self.id, now, actor, t.id, t.agency))
        self.events.append(ev.InstanceCancelled(self.id, now, actor, reason))

    def _advance(self, now, actor, opened: set[str]) -> None:
        """Run engine steps, then announce tasks that opened and tasks the engine closed."""
        budget = StepBudget()
        self._run(lambda: self.workflow.do_engine_steps(budget.starting, budget), budget)
        still_open = set()
        # One walk finds both the ready user tasks and the waiting events (for the timer jobs).
        settled = self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
        self._waiting = [t for t in settled if t.state == TaskState.WAITING]
        self._ready_tasks = [t for t in settled if t.state == TaskState.READY and t.task_spec.manual]
        for task in self._ready_tasks:
            still_open.add(str(task.id))
            if str(task.id) not in opened:  # the agency is evaluated only for new tasks
                human = self._human(task)
                human = self.assigned[human.id] = self._with_deadline(task, human, now)
                self.events.append(ev.TaskAssigned(self.id, now, actor, human.id, human.bpmn_id,
                                                   human.name, human.agency, human.due_at))
        for task_id in opened - still_open:
            # Closed by the engine itself, e.g. a boundary timer interrupting the task.
            self.events.append(ev.TaskWithdrawn(self.id, now, actor, task_id))
        if self.workflow.completed:
            self.status = InstanceStatus.COMPLETED
            self.events.append(ev.InstanceCompleted(self.id, now, actor))

    def _with_deadline(self, task, human: HumanTask, now: datetime) -> HumanTask:
        """Evaluate the task's deadline rule, if it has one, from this instant."""
        props = task.task_spec.extensions.get("properties", {})
        if not props.get("deadline"):
            return human
        try:
            rule = parse_rule(props["deadline"], props.get("deadline_cutoff"), props.get("deadline_model"))
            amount = self._run(lambda: self.workflow.script_engine.evaluate(task, rule.expression))
            deadline = Deadline(check_amount(amount, rule.unit), rule.unit, now, rule.cutoff, rule.model)
        except ValueError as err:
            raise StepFailed(f"Thời hạn của '{human.bpmn_id}' không tính được: {err}") from err
        # Whether silence counts as agreement is decided once, from the request's own variable.
        silence = props.get("deemed_consent")
        deemed = bool(silence) and self._run(lambda: self.workflow.script_engine.evaluate(task, silence))
        # Counted on the reception hours of the agency that owns the task.
        due = deadline.base_due(self.calendar.for_agency(human.agency))
        return replace(human, deadline=deadline, due_at=due,
                       deemed_consent=deemed is True)

    def actor_role(self, task_id: str) -> str | None:
        """Return the role a ready task asks of whoever completes it (``actor_role``), if any."""
        task = self._ready_task(task_id, self.ready_tasks())
        return task.task_spec.extensions.get("properties", {}).get("actor_role")

    def _ready_task(self, task_id: str, ready: list):
        for task in ready:
            if str(task.id) == task_id:
                return task
        if any(str(t.id) == task_id for t in self.workflow.get_tasks()):
            raise Conflict("Nhiệm vụ không còn chờ xử lý")
        raise NotFound("Không tìm thấy nhiệm vụ trong hồ sơ")

    def _require_running(self) -> None:
        if self.status != InstanceStatus.RUNNING:
            raise Conflict(f"Hồ sơ đang ở trạng thái '{self.status}'")

    def _human(self, task) -> HumanTask:
        props = task.task_spec.extensions.get("properties", {})
        agency = self._run(lambda: self.workflow.script_engine.evaluate(task, props["agency"]))
        if not isinstance(agency, str) or not agency:
            raise StepFailed(f"Biểu thức cơ quan của '{task.task_spec.bpmn_id}' không cho mã cơ quan")
        form = self.forms.get(props.get("form"))
        shown = form.shown(task.data) if form else {}  # only what its form declares, never the rest
        return HumanTask(str(task.id), task.task_spec.bpmn_id, task.task_spec.bpmn_name or "",
                         task.task_spec.lane, agency, props.get("form"), shown,
                         pause_approver=props.get("pause_approver", "none"))

    @staticmethod
    def _run(step, budget: StepBudget | None = None):
        """Run an engine step, turning any failure into a refusal that names element and cause.

        Not only SpiffWorkflow's own errors: a construct it half supports raises plain
        TypeErrors, and a script can exhaust its sandbox. The use case then rolls back, so a
        failing step never leaves a half-written instance.
        """
        try:
            return step()
        except DomainError:
            raise
        except Exception as err:  # noqa: BLE001  every engine failure fails the step alike
            raise step_failed(err, budget.current if budget else None) from err


def _messages_of(task) -> list[MessageEventDefinition]:
    """Return the message definitions a waiting task catches.

    An event-based gateway waits on one definition combining those of the events after it.
    """
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if isinstance(d, MessageEventDefinition)]
    return [definition] if isinstance(definition, MessageEventDefinition) else []
