"""Requests to pause a clock or for more time: those the agency asked, and those its head decides.

A consulted agency asks on its task page; the head of the approving agency (the lead for more
time, the process's ``pause_approver`` for a pause) approves or refuses here, with a reason.
"""

from apiflask import APIBlueprint
from flask import flash, g, redirect, render_template, request, url_for

from engine import services
from engine.errors import DomainError, Invalid
from engine.services.task_details import deadline_requests_page
from service.pages.tasks import KIND_LABELS, REQUEST_STATES
from service.runtime import runtime
from service.web import local_time, signed_in

bp = APIBlueprint("deadline_requests", __name__, url_prefix="/de-nghi-thoi-han",
                  enable_openapi=False)


@bp.get("")
@signed_in
def index():
    """List the agency's requests, pending first by default."""
    return _page(request.args.get("state", "pending"))


def _page(state: str, refused: dict | None = None, status: int = 200):
    shown = state if state in REQUEST_STATES else None
    items = deadline_requests_page(runtime().uow(), g.principal, shown)
    return render_template("tasks/requests.html", items=items, state=shown or "all",
                           kind_labels=KIND_LABELS, request_states=REQUEST_STATES,
                           refused=refused or {}), status


@bp.post("/<request_id>")
@signed_in
def decide(request_id: str):
    """Approve or refuse a request as a head of the approving agency; a refusal needs a reason."""
    rt = runtime()
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "")
    try:
        view = services.decide_deadline_request(rt.uow(), rt.clock, g.principal, request_id,
                                                approve, reason, rt.rules)
    except Invalid as err:
        return _page("pending", {"id": request_id, "reason": reason,
                                 "message": err.errors.get("reason", err.detail)}, 422)
    except DomainError as err:
        flash(err.detail, "error")
        return redirect(url_for("pages.deadline_requests.index"))
    flash("Đã duyệt đề nghị." if approve else "Đã không duyệt đề nghị.", "success")
    if approve:
        flash(f"Hạn xử lý mới: {local_time(view['task_due_at'])}", "info")
    return redirect(url_for("pages.deadline_requests.index"))
