"""Web pages for officers: sign-in with CSRF-protected forms, and the agency's inbox."""

import hmac
import secrets
from datetime import datetime
from functools import wraps

from apiflask import APIBlueprint
from flask import abort, g, redirect, render_template, request, session, url_for

from engine import services
from engine.errors import DomainError, Invalid, TooManyAttempts, Unauthenticated
from engine.services import directory
from engine.store.repositories import TaskQuery
from notifications import people
from notifications.kinds import LABELS
from service.runtime import runtime

bp = APIBlueprint("web", __name__, enable_openapi=False)


def csrf_token() -> str:
    """Return this session's CSRF token, creating it on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
# Blueprints whose POSTs are browser forms and so must carry the session's CSRF token.
PAGE_BLUEPRINTS = {"web"}


@bp.before_app_request
def check_csrf():
    """Refuse any page POST that is not a form carrying this session's non-empty token."""
    if request.method == "POST" and request.blueprint in PAGE_BLUEPRINTS:
        sent, kept = request.form.get("csrf_token", ""), session.get("csrf", "")
        if request.mimetype not in FORM_TYPES or not sent or not kept \
                or not hmac.compare_digest(sent, kept):
            abort(400, "Phiên làm việc không hợp lệ (CSRF); hãy tải lại trang.")


@bp.app_context_processor
def template_helpers():
    return {"csrf_token": csrf_token}


@bp.app_template_filter("local_time")
def local_time(iso: str | None) -> str:
    """Show a stored UTC instant as Vietnam time, the way officers read dates: 17:00 26/02/2026."""
    if not iso:
        return "Không có hạn"
    zone = runtime().rules.calendar.tz
    return datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M %d/%m/%Y")


@bp.app_template_global()
def instance_url(instance_id: str) -> str:
    """Link to an instance's page (diagram, hand-offs, documents)."""
    return f"/quy-trinh/{instance_id}"


def signed_in(view):
    """Load the signed-in user's principal for each request, or send them to the sign-in page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        rt = runtime()
        current = _session()
        g.principal = current and directory.session_principal(rt.uow(), rt.clock, current)
        if not g.principal:
            session.pop("user_id", None)
            session.pop("generation", None)
            return redirect(url_for("web.login"))
        return view(*args, **kwargs)

    return wrapper


def refusal_page(err: DomainError):
    """Answer a page whose use case refused, with the reason in Vietnamese and its status."""
    return render_template("refusal.html", error=err, principal=g.get("principal")), err.status


def page_blueprint(name: str) -> APIBlueprint:
    """Make a blueprint of pages: refusals are shown as a page, not as a problem document."""
    blueprint = APIBlueprint(name, __name__, enable_openapi=False)
    PAGE_BLUEPRINTS.add(name)
    blueprint.register_error_handler(DomainError, refusal_page)
    return blueprint


def number(text: str | None, default: int, low: int, high: int) -> int:
    """Read a whole number from a query string, kept within bounds; junk gives the default."""
    try:
        return min(max(int(text), low), high) if text not in (None, "") else default
    except ValueError:
        return default


def _session() -> directory.Session | None:
    user_id, generation = session.get("user_id"), session.get("generation")
    if not isinstance(user_id, str) or not isinstance(generation, int):
        return None
    return directory.Session(user_id, generation)


@bp.get("/login")
def login():
    """Show the sign-in form."""
    return render_template("login.html")


@bp.post("/login")
def do_login():
    """Sign in with username and password; failures are throttled and audited."""
    rt = runtime()
    try:
        signed = directory.sign_in(rt.uow(), rt.clock, request.form.get("username", "")[:64],
                                   request.form.get("password", ""), request.remote_addr)
    except TooManyAttempts as err:
        return render_template("login.html", error=err.detail), 429
    except Unauthenticated as err:
        return render_template("login.html", error=err.detail), 401
    session.clear()  # a fresh session on sign-in defeats session fixation
    session["user_id"], session["generation"] = signed.user_id, signed.generation
    return redirect(url_for("web.inbox"))


@bp.post("/logout")
def logout():
    """Sign out: every session of the user ends, including copies of this cookie."""
    rt = runtime()
    if current := _session():
        directory.sign_out(rt.uow(), rt.clock, current, request.remote_addr)
    session.clear()
    return redirect(url_for("web.login"))


@bp.get("/")
@signed_in
def inbox():
    """Show the open tasks of the user's agency, oldest due first."""
    rt = runtime()
    tasks, total = services.list_tasks(rt.uow(), g.principal, TaskQuery(state="open", limit=100))
    # ``?task=`` is where an email's link lands: the row is marked and scrolled to.
    return render_template("inbox.html", tasks=tasks, total=total, principal=g.principal,
                           selected=request.args.get("task"))


@bp.get("/thong-bao")
@signed_in
def notification_preferences():
    """Show how the signed-in person hears of their work by email."""
    pref = people.get_preferences(runtime().uow(), g.principal)
    return render_template("preferences.html", pref=pref, kinds=LABELS, principal=g.principal)


@bp.post("/thong-bao")
@signed_in
def save_notification_preferences():
    """Save the person's choice: immediate or a daily digest at an hour, and muted kinds."""
    rt = runtime()
    changes = {"mode": request.form.get("mode", ""), "muted": request.form.getlist("muted"),
               "digest_hour": request.form.get("digest_hour", "")}
    try:
        pref = people.set_preferences(rt.uow(), rt.clock.now(), g.principal, changes)
    except Invalid as err:
        pref = people.get_preferences(rt.uow(), g.principal)
        return render_template("preferences.html", pref=pref, kinds=LABELS, principal=g.principal,
                               error=err.detail), 422
    return render_template("preferences.html", pref=pref, kinds=LABELS, principal=g.principal,
                           saved=True)
