"""Domain events, named in the past tense, that use cases write to the outbox and audit log."""

from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Event:
    """Something that happened to an instance, at an instant, caused by an actor."""

    instance_id: str
    occurred_at: datetime
    actor: str

    type = "event"

    def payload(self) -> dict:
        """Return the JSON-safe body announced to subscribers."""
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class InstanceStarted(Event):
    process_id: str = ""
    version: int = 0
    type = "instance.started"


@dataclass(frozen=True)
class TaskAssigned(Event):
    task_id: str = ""
    bpmn_id: str = ""
    name: str = ""
    agency: str = ""
    due_at: datetime | None = None
    type = "task.assigned"


@dataclass(frozen=True)
class TaskCompleted(Event):
    task_id: str = ""
    bpmn_id: str = ""
    agency: str = ""
    data: dict = field(default_factory=dict)
    type = "task.completed"


@dataclass(frozen=True)
class TaskWithdrawn(Event):
    """An open task closed without being completed, e.g. when its instance was cancelled."""

    task_id: str = ""
    agency: str = ""
    type = "task.withdrawn"


@dataclass(frozen=True)
class InstanceCompleted(Event):
    type = "instance.completed"


@dataclass(frozen=True)
class ConsultationFlagged(Event):
    """The Provincial Office found a consultation asked agencies that were not concerned."""

    lead_agency: str = ""
    note: str = ""
    type = "consultation.flagged_over_broad"


@dataclass(frozen=True)
class InstanceCancelled(Event):
    reason: str = ""
    type = "instance.cancelled"


@dataclass(frozen=True)
class StepFailedRecorded(Event):
    """A step failed and was rolled back; the reason is kept on the instance for designers."""

    reason: str = ""
    type = "instance.step_failed"


@dataclass(frozen=True)
class InstanceStartFailed(Event):
    """Starting an instance failed and nothing was kept but this record, under the id it had."""

    process_id: str = ""
    version: int = 0
    agency: str = ""
    reason: str = ""
    type = "instance.start_failed"


@dataclass(frozen=True)
class DeadlineChanged(Event):
    """A task's deadline was paused, resumed, extended or recomputed."""

    task_id: str = ""
    agency: str = ""
    kind: str = ""
    reason: str = ""
    due_at: datetime | None = None

    @property
    def type(self) -> str:
        return f"deadline.{self.kind}"


@dataclass(frozen=True)
class DeadlineRequestChanged(Event):
    """A request to pause a task's clock or give it more time was asked, approved or refused."""

    request_id: str = ""
    task_id: str = ""
    agency: str = ""
    kind: str = ""
    state: str = ""
    working_days: int = 0
    reason: str = ""
    approver_agency: str = ""

    @property
    def type(self) -> str:
        return f"deadline_request.{self.state}"


RUNG_EVENT_TYPES = {
    "reminder": "task.reminded",
    "overdue": "task.overdue",
    "escalation": "task.escalated",
    "unclaimed": "task.unclaimed",
}


@dataclass(frozen=True)
class LadderRungReached(Event):
    """A task reached a rung of its escalation ladder: reminded, overdue, escalated, unclaimed."""

    task_id: str = ""
    agency: str = ""
    rung: str = ""
    due_at: datetime | None = None
    escalation_level: int = 0
    agency_head: str | None = None

    @property
    def type(self) -> str:
        return RUNG_EVENT_TYPES[self.rung]


@dataclass(frozen=True)
class ReplyReturned(Event):
    """The lead returned a consulted agency's reply as vague; the agency must answer again."""

    task_id: str = ""
    agency: str = ""
    reason: str = ""
    type = "reply.returned"


@dataclass(frozen=True)
class ReplyDeemedAgreed(Event):
    """A consulted agency stayed silent past its deadline; its reply counts as agreement."""

    task_id: str = ""
    agency: str = ""
    type = "reply.deemed_agreed"


@dataclass(frozen=True)
class TaskAssignmentChanged(Event):
    """An officer claimed or released a task, or a head reassigned it within the agency."""

    task_id: str = ""
    agency: str = ""
    kind: str = ""
    user_id: str | None = None
    acting_for: str | None = None

    @property
    def type(self) -> str:
        return f"task.{self.kind}"


@dataclass(frozen=True)
class MessageReceived(Event):
    """An agency's system sent a BPMN message that a waiting event of the instance caught."""

    name: str = ""
    sender: str = ""
    data: dict = field(default_factory=dict)
    type = "instance.message_received"
