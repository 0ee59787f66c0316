"""Decide who hears of an event: the people of the task's agency, its head, the lead, the Office.

| kind                              | who                                                      |
|-----------------------------------|----------------------------------------------------------|
| assigned, reminder                | the officer who claimed the task, else every officer     |
| overdue                           | those, and the agency's head                             |
| escalation                        | the agency's head and the Provincial Office              |
| reply received, deemed agreed,    | the lead agency's officer: the person who started the    |
| returned as vague                 | instance, else every officer of the lead agency          |

"The head" is every active user with the ``head`` role, plus the deputy a head delegated to
while the delegation is in force at the event's instant: the deputy in charge hears what the
head would, during the delegation only.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from engine.identity import Role
from engine.services.instances import PROVINCIAL_OFFICE_KIND
from engine.store.directory import Directory
from engine.store.tables import api_tokens, delegations, users
from notifications.kinds import Kind


@dataclass(frozen=True)
class Recipient:
    """One person to notify, and why: as ``officer``, ``head``, ``deputy`` or ``provincial_office``."""

    user_id: str
    username: str
    full_name: str
    email: str | None
    agency: str
    role: str


class Audience:
    """Find the people of an event in the directory, through the caller's connection."""

    def __init__(self, conn):
        self.conn = conn

    def of(self, kind: Kind, task, instance, at: datetime, named_user: str | None = None) -> list[Recipient]:
        """Return who hears of a kind of event about a task, each person once."""
        if named_user is not None:
            found = self._active(users.c.id == named_user)
            people = [self._recipient(u, "officer") for u in found]
        elif kind in (Kind.ASSIGNED, Kind.REMINDER):
            people = self.task_officers(task)
        elif kind == Kind.OVERDUE:
            people = self.task_officers(task) + self.heads(task["agency_code"], at)
        elif kind == Kind.UNCLAIMED:
            people = self.heads(task["agency_code"], at)
        elif kind == Kind.ESCALATION:
            people = self.heads(task["agency_code"], at) + self.provincial_office(at)
        else:
            people = self.lead_officers(instance)
        return list({p.user_id: p for p in reversed(people)}.values())[::-1]

    def task_officers(self, task) -> list[Recipient]:
        """Return the claimer of a task, or every officer of its agency while it is unclaimed."""
        if task["claimed_by"]:
            claimer = self._active(users.c.id == task["claimed_by"])
            if claimer:
                return [self._recipient(claimer[0], "officer")]
        return self._with_role(task["agency_code"], Role.OFFICER, "officer")

    def heads(self, agency: str, at: datetime) -> list[Recipient]:
        """Return the agency's heads, and the deputies holding a head's delegation at ``at``."""
        heads = self._with_role(agency, Role.HEAD, "head")
        d = delegations
        in_force = sa.select(d.c.to_user_id).where(
            d.c.from_user_id.in_([h.user_id for h in heads]), d.c.starts_at <= at,
            d.c.ends_at > at, d.c.revoked_at.is_(None))
        deputies = self._active(users.c.id.in_(in_force))
        return heads + [self._recipient(u, "deputy") for u in deputies]

    def provincial_office(self, at: datetime) -> list[Recipient]:
        """Return the Provincial Office's heads (or their deputies) and its overdue-list staff."""
        office = Directory(self.conn).agency_of_kind(PROVINCIAL_OFFICE_KIND)
        if office is None:
            return []
        staff = self._with_role(office, Role.PROVINCIAL_OFFICE, "provincial_office")
        return self.heads(office, at) + staff

    def lead_officers(self, instance) -> list[Recipient]:
        """Return the lead agency's person who started the instance, else its officers."""
        starter = self._starter(instance["started_by"])
        found = starter is not None and self._active(users.c.id == starter,
                                                     users.c.agency_code == instance["lead_agency"])
        if found:
            return [self._recipient(found[0], "officer")]
        return self._with_role(instance["lead_agency"], Role.OFFICER, "officer")

    def _starter(self, subject: str) -> str | None:
        """Return the user id behind an actor: ``user:<username>`` or a user-bound ``token:<id>``."""
        kind, _, name = subject.split("@", 1)[0].partition(":")
        if kind == "user":
            return self.conn.execute(sa.select(users.c.id).where(users.c.username == name)).scalar()
        if kind == "token" and name.isdigit():
            query = sa.select(api_tokens.c.user_id).where(api_tokens.c.id == int(name))
            return self.conn.execute(query).scalar()
        return None

    def _with_role(self, agency: str, role: Role, as_: str) -> list[Recipient]:
        found = self._active(users.c.agency_code == agency)
        return [self._recipient(u, as_) for u in found if role in u["roles"]]

    def _active(self, *where) -> list:
        query = sa.select(users).where(users.c.active.is_(True), *where).order_by(users.c.username)
        return list(self.conn.execute(query).mappings())

    @staticmethod
    def _recipient(user, role: str) -> Recipient:
        return Recipient(user["id"], user["username"], user["full_name"], user["email"],
                         user["agency_code"], role)
