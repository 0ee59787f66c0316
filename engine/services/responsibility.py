"""Name the person answerable for a task's breach, and the agency's head at that moment."""

from engine.identity import Principal


def people_behind(uow, task, completer: Principal | None = None) -> dict:
    """Return ``responsible`` and ``head_name`` for a violation on this task, as known now.

    The officer who claimed the task answers for it; else the officer who completed it; when
    no person claimed or completed it, its agency's head answers, since the head assigns the work.
    """
    head = head_of(uow, task["agency_code"])
    return {"responsible": _claimer(uow, task) or _completer(uow, completer) or head,
            "head_name": head}


def people_behind_answer(uow, task) -> dict:
    """Return ``responsible`` and ``head_name`` for what a completed answer said.

    The officer who sent it answers for its content; else the one who held it; an answer sent
    by an agency system token, which is no person, is the head's.
    """
    head = head_of(uow, task["agency_code"])
    return {"responsible": _author(uow, task) or _claimer(uow, task) or head, "head_name": head}


def head_of(uow, agency_code: str) -> str | None:
    """Return the name of the agency's head as the directory holds it now."""
    agency = uow.directory.agency(agency_code)
    return agency["head_name"] if agency else None


def _claimer(uow, task) -> str | None:
    if task["claimed_by"] is None:
        return None
    user = uow.directory.user(task["claimed_by"])
    return user["full_name"] if user else task["claimed_by"]


def _author(uow, task) -> str | None:
    # ``user:pho.sxd@head:ld.sxd`` is the deputy acting for the head: the deputy wrote it.
    actor = task["completed_by"] or ""
    if not actor.startswith("user:"):
        return None
    user = uow.directory.user_by_username(actor.removeprefix("user:").split("@", 1)[0])
    return user["full_name"] if user else None


def _completer(uow, principal: Principal | None) -> str | None:
    # An agency system token is no person: the head answers for what it completed late.
    user = uow.directory.user(principal.user_id) if principal and principal.user_id else None
    return user["full_name"] if user else None
