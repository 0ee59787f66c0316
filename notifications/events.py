"""The event that announces notifications to agencies' systems, e.g. to forward them to chat."""

from dataclasses import dataclass, field

from engine.events import Event
from notifications.kinds import EVENT_PREFIX


@dataclass(frozen=True)
class PeopleNotified(Event):
    """People were told of an event: what they were told, and who they are."""

    task_id: str = ""
    agency: str = ""
    kind: str = ""
    subject: str = ""
    text: str = ""
    link: str = ""
    recipients: list = field(default_factory=list)

    @property
    def type(self) -> str:
        return f"{EVENT_PREFIX}{self.kind}"
