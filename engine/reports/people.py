"""Violations per person: the officer who held the task, else the head of the agency at fault.

A violation is charged to the officer who had claimed the task or who completed it late. A
task nobody claimed (a silent agency, a deemed consent) is charged to the agency's head, who
answers for unassigned work: the head named on the violation when it was recorded, so a head
who has since left keeps the months they answered for (rows recorded before names were kept
fall back to today's head). Violations keep the agency they were recorded against, so an
officer who moved keeps the ones from the former agency, shown per agency.
"""

from collections import defaultdict

import sqlalchemy as sa

from engine.reports.sql import within
from engine.store.tables import agencies, tasks, users, violations


def _username(completed_by: str | None) -> str | None:
    """Read the username from an actor such as ``user:cv.sxd`` or ``user:pho.sxd@head:ld.sxd``."""
    if not completed_by or not completed_by.startswith("user:"):
        return None
    return completed_by.removeprefix("user:").split("@", 1)[0]


def person_figures(conn, period, limit: int = 50) -> dict:
    """Rank the officers with the most violations, and total the unassigned ones per head."""
    v, t = violations.c, tasks.c
    query = (sa.select(v.agency_code, v.kind, v.head_name, t.claimed_by, t.completed_by)
             .join(tasks, tasks.c.id == v.task_id).where(within(v.occurred_at, period)))
    people, unassigned = defaultdict(lambda: defaultdict(int)), defaultdict(int)
    rows = conn.execute(query).mappings().all()
    by_name = _users_by_username(conn, {_username(r["completed_by"]) for r in rows} - {None})
    for r in rows:
        person = r["claimed_by"] or by_name.get(_username(r["completed_by"]))
        if person:
            people[person][r["agency_code"]] += 1
        else:
            unassigned[r["agency_code"], r["head_name"]] += 1
    return {"officers": _officers(conn, people)[:limit], "heads": _heads(conn, unassigned)}


def _users_by_username(conn, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    query = sa.select(users.c.username, users.c.id).where(users.c.username.in_(sorted(usernames)))
    return dict(conn.execute(query).all())


def _officers(conn, people: dict) -> list[dict]:
    found = {u["id"]: u for u in conn.execute(
        sa.select(users.c.id, users.c.username, users.c.full_name, users.c.agency_code)
        .where(users.c.id.in_(sorted(people)))).mappings()} if people else {}
    rows = [{"user_id": uid, "username": found[uid]["username"] if uid in found else None,
             "full_name": found[uid]["full_name"] if uid in found else None,
             "current_agency": found[uid]["agency_code"] if uid in found else None,
             "violations": sum(per.values()), "by_agency": dict(sorted(per.items()))}
            for uid, per in people.items()]
    return sorted(rows, key=lambda r: (-r["violations"], r["username"] or r["user_id"]))


def _heads(conn, unassigned: dict) -> list[dict]:
    """Total unassigned violations per agency and head; a row without a recorded head takes today's."""
    if not unassigned:
        return []
    codes = sorted({code for code, _ in unassigned})
    today = dict(conn.execute(sa.select(agencies.c.code, agencies.c.head_name)
                              .where(agencies.c.code.in_(codes))).all())
    totals = defaultdict(int)
    for (code, head), n in unassigned.items():
        totals[code, head or today.get(code)] += n
    rows = [{"agency": code, "head_name": head, "unassigned_violations": n}
            for (code, head), n in totals.items()]
    return sorted(rows, key=lambda r: (-r["unassigned_violations"], r["agency"], r["head_name"] or ""))
