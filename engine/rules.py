"""The rules in force: the working calendar, the escalation ladders and the feedback limits."""

import functools
from dataclasses import dataclass, field
from pathlib import Path

from engine.calendar import WorkCalendar
from engine.escalation import LadderBook
from engine.feedback import FeedbackRules


@dataclass(frozen=True)
class Rules:
    """What every deadline computation reads; injected so tests can change the law."""

    calendar: WorkCalendar
    ladders: LadderBook
    feedback: FeedbackRules = field(default_factory=FeedbackRules.from_file)

    @classmethod
    def from_files(cls, calendar_file: Path | None = None, ladder_file: Path | None = None) -> "Rules":
        """Read the override file and the ladder file (the repository's by default)."""
        return cls(WorkCalendar.from_file(calendar_file), LadderBook.from_file(ladder_file))


@functools.cache
def default_rules() -> Rules:
    """Return the rules of the repository's configuration files, loaded once."""
    return Rules.from_files()
