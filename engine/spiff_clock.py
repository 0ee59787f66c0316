"""Give SpiffWorkflow's timers the use case's instant instead of the machine's clock.

SpiffWorkflow's timer events read ``datetime.now`` from their own module. DESIGN.md names that
module attribute as the hook: it is replaced, once, by a ``datetime`` whose ``now`` answers the
instant set for the current context, so a step run at a simulated time (a test crossing Tết,
a worker firing a due job) sees that time, and every timer in one step sees the same instant.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer

_step_instant: ContextVar[datetime | None] = ContextVar("step_instant", default=None)


class _StepDatetime(datetime):
    """A datetime whose ``now`` is the instant of the step being run, when one is set."""

    @classmethod
    def now(cls, tz=None):
        at = _step_instant.get()
        if at is None:
            return datetime.now(tz)
        return at.astimezone(tz) if tz else at.astimezone().replace(tzinfo=None)


@contextmanager
def step_instant(at: datetime) -> Iterator[None]:
    """Run the enclosed engine steps as if the time were ``at``."""
    token = _step_instant.set(at)
    try:
        yield
    finally:
        _step_instant.reset(token)


timer.datetime = _StepDatetime
