"""The task page: what the task is about, what it shows, its form from JSON Schema, its actions.

Every action is a plain POST form, so it works without JavaScript. A refused submission is
shown again as typed, with the engine's Vietnamese message beside each field (422).
"""

from apiflask import APIBlueprint
from flask import flash, g, redirect, render_template, request, url_for

from engine import services
from engine.errors import DomainError, Invalid
from engine.forms.messages import FORM_LEVEL
from engine.services.task_details import describe_task
from service.pages.attachments import Limits, Refused, store_upload
from service.pages.forms import UPLOAD_SUFFIX, answer_of, attachment_fields, fields_of, raw_of
from service.runtime import runtime
from service.web import local_time, signed_in

bp = APIBlueprint("tasks", __name__, url_prefix="/viec", enable_openapi=False)
KIND_LABELS = {"more_time": "Thêm thời gian", "pause": "Tạm dừng tính hạn"}
REQUEST_STATES = {"pending": "Chờ duyệt", "approved": "Đã duyệt", "refused": "Không duyệt"}


@bp.get("/<task_id>")
@signed_in
def show(task_id: str):
    """Show the task with its form."""
    return _page(task_id)


def _page(task_id: str, raw: dict | None = None, errors: dict | None = None,
          asking: dict | None = None, returning: dict | None = None, status: int = 200):
    rt = runtime()
    task = describe_task(rt.uow(), g.principal, task_id)
    schema = task["form_schema"]
    fields = fields_of(schema, _choosable(task), raw, errors) if schema else []
    deadline = services.explain_deadline(rt.uow(), g.principal, task_id, rt.rules)
    limits = Limits.of_app()
    return render_template("tasks/show.html", task=task, fields=fields, deadline=deadline,
                           accept=",".join(f".{t}" for t in sorted(limits.types)),
                           max_mb=limits.max_bytes // (1024 * 1024),
                           form_error=(errors or {}).get(FORM_LEVEL), asking=asking or {},
                           returnable=services.returnable_agencies(rt.uow(), rt.clock, g.principal,
                                                                   task_id, rt.rules),
                           returning=returning or {"working_days": "2"},
                           kind_labels=KIND_LABELS, request_states=REQUEST_STATES,
                           submitted=raw is not None), status


def _choosable(task: dict) -> list[tuple[str, str]]:
    """Agencies a form may name: every agency but the lead's own."""
    return [(code, name) for code, name in task["agencies"] if code != task["lead_agency"]]


@bp.post("/<task_id>/hoan-thanh")
@signed_in
def complete(task_id: str):
    """Complete the task with its form; a refusal shows the form again, as typed."""
    rt, limits = runtime(), Limits.of_app()
    task = describe_task(rt.uow(), g.principal, task_id)
    schema = task["form_schema"] or {"properties": {}}
    raw = raw_of(schema, request.form)
    if refused := _keep_uploads(task_id, schema, raw, limits):
        return _page(task_id, raw, refused, status=422)
    try:
        services.complete_task(rt.uow(), rt.clock, g.principal, task_id, answer_of(schema, raw),
                               rt.rules)
    except Invalid as err:
        errors = err.errors or {FORM_LEVEL: err.detail}
        return _page(task_id, raw, errors, status=422)
    flash(f"Đã hoàn thành: {task['name']}" + (f" ({task['title']})" if task["title"] else ""),
          "success")
    return redirect(url_for("pages.inbox.index"))


# Files come with the form: the request may be as large as the uploads allowed (see check_csrf).
complete.upload_limit = lambda: Limits.of_app().request_bytes


def _keep_uploads(task_id: str, schema: dict, raw: dict, limits: Limits) -> dict[str, str]:
    """Store the files chosen in each attachment field, adding their addresses to what was typed.

    A file kept stays kept even when the rest of the form is refused, since a browser cannot
    choose it again by itself; a refused file is named in the field's message.
    """
    refused = {}
    for name in attachment_fields(schema):
        for upload in request.files.getlist(f"{name}{UPLOAD_SUFFIX}"):
            if not upload.filename:
                continue
            try:
                raw[name].append(store_upload(upload, task_id, limits))
            except Refused as err:
                refused[name] = str(err)
    return refused


def _act(task_id: str, action, done: str):
    """Run an action on the task and come back to its page, saying what happened."""
    rt = runtime()
    try:
        action(rt)
    except DomainError as err:
        flash(err.detail, "error")
    else:
        flash(done, "success")
    return redirect(url_for("pages.tasks.show", task_id=task_id))


@bp.post("/<task_id>/nhan")
@signed_in
def claim(task_id: str):
    """Take the task, so colleagues see who works on it."""
    return _act(task_id, lambda rt: services.claim_task(rt.uow(), rt.clock, g.principal, task_id),
                "Anh/chị đã nhận xử lý nhiệm vụ này.")


@bp.post("/<task_id>/tra-lai")
@signed_in
def release(task_id: str):
    """Release the task back to the agency's shared list."""
    return _act(task_id, lambda rt: services.unclaim_task(rt.uow(), rt.clock, g.principal, task_id),
                "Đã trả nhiệm vụ về danh sách chung của cơ quan.")


@bp.post("/<task_id>/giao")
@signed_in
def reassign(task_id: str):
    """Give the task to another member of the agency (heads)."""
    user_id = request.form.get("user_id", "")
    return _act(task_id, lambda rt: services.reassign_task(rt.uow(), rt.clock, g.principal,
                                                           task_id, user_id),
                "Đã giao nhiệm vụ cho cán bộ được chọn.")


@bp.post("/<task_id>/de-nghi")
@signed_in
def ask(task_id: str):
    """Ask to pause the task's clock or for more time; the clock runs until a head decides."""
    rt = runtime()
    typed = {"kind": request.form.get("kind", ""), "working_days": request.form.get("working_days", ""),
             "reason": request.form.get("reason", "")}
    days = int(typed["working_days"]) if typed["working_days"].isdigit() else 0
    try:
        services.request_deadline_change(rt.uow(), rt.clock, g.principal, task_id, typed["kind"],
                                         days, typed["reason"])
    except Invalid as err:
        return _page(task_id, asking={**typed, "errors": err.errors, "detail": err.detail},
                     status=422)
    except DomainError as err:
        flash(err.detail, "error")
        return redirect(url_for("pages.tasks.show", task_id=task_id))
    flash(f"Đã gửi đề nghị {KIND_LABELS.get(typed['kind'], '').lower()} {days} ngày làm việc; "
          "thời hạn vẫn tính cho đến khi lãnh đạo có thẩm quyền duyệt.", "success")
    return redirect(url_for("pages.tasks.show", task_id=task_id))


@bp.post("/<task_id>/tra-lai-y-kien")
@signed_in
def return_reply(task_id: str):
    """Return a consulted agency's vague reply from the lead's synthesis; it must re-answer."""
    rt = runtime()
    typed = {"agency": request.form.get("agency", ""), "reason": request.form.get("reason", ""),
             "working_days": request.form.get("working_days", "")}
    days = int(typed["working_days"]) if typed["working_days"].isdigit() else -1
    task = describe_task(rt.uow(), g.principal, task_id)
    try:
        done = services.return_reply(rt.uow(), rt.clock, g.principal, task["instance_id"],
                                     typed["agency"], typed["reason"], days, rt.rules)
    except Invalid as err:
        return _page(task_id, returning={**typed, "errors": err.errors, "detail": err.detail},
                     status=422)
    except DomainError as err:
        flash(err.detail, "error")
        return redirect(url_for("pages.tasks.show", task_id=task_id))
    due = done["reanswer_task"]["due_at"]
    flash(f"Đã trả lại ý kiến của {typed['agency']}; cơ quan này phải trả lời lại trước "
          f"{local_time(due)}. Việc tổng hợp mở lại khi có ý kiến mới.", "success")
    return redirect(url_for("pages.inbox.index"))
