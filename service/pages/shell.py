"""The frame around every signed-in page: who is signed in, the navigation, dates, errors.

base.html reads ``person`` and ``nav`` from here; the date filters speak Vietnamese in
Vietnam time; a refusal of the engine becomes a page in the frame, never JSON or a 500.
"""

from dataclasses import dataclass

from flask import g, render_template

from engine.errors import DomainError
from engine.identity import Principal, Role
from service.pages import dates
from service.pages.nav import entries_for
from service.runtime import runtime

# In order of precedence: the header names the person's first role found here.
ROLE_LABELS = {
    Role.PROVINCIAL_OFFICE: "Văn phòng UBND tỉnh",
    Role.HOME_AFFAIRS: "Sở Nội vụ",
    Role.HEAD: "Lãnh đạo cơ quan",
    Role.DEPUTY: "Cấp phó",
    Role.OFFICER: "Chuyên viên",
    Role.DESIGNER: "Người thiết kế quy trình",
    Role.ADMIN: "Quản trị hệ thống",
}


@dataclass(frozen=True)
class Person:
    """What the header says about the signed-in person."""

    full_name: str
    agency_name: str
    roles: tuple[str, ...]
    acting_for: str | None = None
    agency_kind: str | None = None

    @property
    def role_label(self) -> str:
        return ", ".join(self.roles)


def person_of(principal: Principal) -> Person:
    """Read the person's full name and agency name for the header."""
    with runtime().uow() as uow:
        user = uow.directory.user(principal.user_id) if principal.user_id else None
        agency = uow.directory.agency(principal.agency)
        head = uow.directory.user(principal.acting_for) if principal.acting_for else None
    return Person(
        full_name=user["full_name"] if user else principal.subject,
        agency_name=agency["name"] if agency else principal.agency,
        roles=tuple(label for role, label in ROLE_LABELS.items() if principal.has(role)),
        acting_for=head["full_name"] if head else None,
        agency_kind=agency["kind"] if agency else None,
    )


def frame() -> dict:
    """Give every template the signed-in person and their navigation (nothing when signed out)."""
    principal = g.get("principal")
    if not principal:
        return {"person": None, "nav": []}
    if "person" not in g:
        g.person = person_of(principal)
    return {"person": g.person, "nav": entries_for(principal, g.person.agency_kind)}


def _calendar():
    return runtime().rules.calendar


def local_date(value, weekday: bool = False) -> str:
    """Template filter: the local day, ``{{ t.due_at | local_date }}`` → 26/02/2026."""
    return dates.local_date(value, _calendar(), weekday)


def due_in(value, paused: bool = False) -> str:
    """Template filter: ``{{ t.due_at | due_in(t.paused) }}`` → "Còn 2 ngày 3 giờ làm việc"."""
    return dates.due_in(value, runtime().clock.now(), _calendar(), paused)


def due_state(value, paused: bool = False) -> dates.Due:
    """Template filter: the badge class of a due instant (on-time, soon, overdue, paused)."""
    return dates.due_state(value, runtime().clock.now(), _calendar(), paused)


def due(value, paused: bool = False) -> dates.DueInfo:
    """Template filter: ``{% set d = t.due_at | due(t.paused) %}`` → d.state, d.label, d.text."""
    return dates.describe_due(value, runtime().clock.now(), _calendar(), paused)


def refused(error: DomainError):
    """Show the engine's refusal (403, 404, 409, 422) in the frame, in Vietnamese."""
    return render_template("error.html", status=error.status, detail=error.detail), error.status


def too_large(error):
    """Say, in the frame, that the files sent together were too large; nothing was kept."""
    detail = ("Các tệp gửi cùng lúc quá lớn nên biểu mẫu chưa được gửi; hãy gửi ít tệp hơn "
              "hoặc tệp nhỏ hơn.")
    return render_template("error.html", status=413, detail=detail), 413


def install(bp) -> None:
    """Register the frame's context, filters and error page on the pages blueprint."""
    bp.app_context_processor(frame)
    bp.app_context_processor(lambda: {"due_labels": dates.DUE_LABELS})
    bp.add_app_template_filter(local_date, "local_date")
    bp.add_app_template_filter(due_in, "due_in")
    bp.add_app_template_filter(due_state, "due_state")
    bp.add_app_template_filter(due, "due")
    bp.register_error_handler(DomainError, refused)
    bp.register_error_handler(413, too_large)
