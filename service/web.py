"""Shared helpers of the web pages (CSRF, the signed-in principal, dates), sign-in and sign-out.

The pages themselves live in ``service.pages``, one blueprint per group.
"""

import hmac
import secrets
from datetime import datetime
from functools import wraps

from apiflask import APIBlueprint
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for

from engine.errors import Invalid, TooManyAttempts, Unauthenticated
from engine.services import directory
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
# Sign-in here, and every blueprint nested under ``pages`` (request.blueprints lists parents).
PAGE_BLUEPRINTS = {"web", "pages"}


@bp.before_app_request
def check_csrf():
    """Refuse any page POST that does not carry this session's non-empty token.

    A form carries it in its ``csrf_token`` field; a page script's JSON call (the modeler's)
    in the ``X-CSRF-Token`` header, which another site cannot set.
    """
    if request.method == "POST" and PAGE_BLUEPRINTS & set(request.blueprints):
        # A view that takes uploads names its own size limit; it must apply before the form
        # is read here, or the app-wide limit would refuse a file the view allows.
        if upload_limit := getattr(current_app.view_functions.get(request.endpoint), "upload_limit", None):
            request.max_content_length = upload_limit()
        if request.mimetype in FORM_TYPES:
            sent = request.form.get("csrf_token", "")
        else:
            sent = request.headers.get("X-CSRF-Token", "") if request.is_json else ""
        kept = session.get("csrf", "")
        if not sent or not kept or not hmac.compare_digest(sent, kept):
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


def number(text: str | None, default: int, low: int, high: int) -> int:
    """Read a whole number from a query string, kept within bounds; junk gives the default."""
    try:
        return min(max(int(text), low), high) if text not in (None, "") else default
    except ValueError:
        return default


def signed_in(view):
    """Load the signed-in user's principal for each request, or send them to the sign-in page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.principal = current_principal()
        if not g.principal:
            session.pop("user_id", None)
            session.pop("generation", None)
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def current_principal():
    """Return the principal of this request's signed-in session, or None."""
    rt = runtime()
    current = _session()
    return current and directory.session_principal(rt.uow(), rt.clock, current)


def _session() -> directory.Session | None:
    user_id, generation = session.get("user_id"), session.get("generation")
    if not isinstance(user_id, str) or not isinstance(generation, int):
        return None
    return directory.Session(user_id, generation)


@bp.get("/login")
def login():
    """Show the sign-in form."""
    return render_template("login.html", next=_next_page())


def _next_page() -> str:
    """Return where to go after sign-in: a path on this site only, never another host."""
    target = request.values.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("pages.inbox.index")
    return target


@bp.post("/login")
def do_login():
    """Sign in with username and password; failures are throttled and audited."""
    rt = runtime()
    try:
        signed = directory.sign_in(rt.uow(), rt.clock, request.form.get("username", "")[:64],
                                   request.form.get("password", ""), request.remote_addr)
    except TooManyAttempts as err:
        return render_template("login.html", error=err.detail, next=_next_page()), 429
    except Unauthenticated as err:
        return render_template("login.html", error=err.detail, next=_next_page()), 401
    session.clear()  # a fresh session on sign-in defeats session fixation
    session["user_id"], session["generation"] = signed.user_id, signed.generation
    return redirect(_next_page())


@bp.post("/logout")
def logout():
    """Sign out: every session of the user ends, including copies of this cookie."""
    rt = runtime()
    if current := _session():
        directory.sign_out(rt.uow(), rt.clock, current, request.remote_addr)
    session.clear()
    flash("Anh/chị đã đăng xuất.", "success")
    return redirect(url_for("web.login"))


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
