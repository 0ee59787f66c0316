"""Start a process by hand: a consultation, an assigned task, a feedback entry.

Starting runs the process to its first wait; the person then lands on the first task it gave
their agency (the request to draft, the registration to fill), whose form the task page
renders from its JSON Schema. Dossiers start at the one-stop desk instead.
"""

from apiflask import APIBlueprint
from flask import flash, g, redirect, render_template, url_for

from engine import services
from engine.errors import DomainError
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("start", __name__, url_prefix="/khoi-tao", enable_openapi=False)


@bp.get("/")
@signed_in
def index():
    """List the processes the person may start."""
    return render_template("start/index.html",
                           processes=services.startable_processes(runtime().uow(), g.principal))


@bp.post("/<process_id>")
@signed_in
def start(process_id: str):
    """Start the process and open the first task it gives the person's agency."""
    rt = runtime()
    try:
        view = services.start_instance(rt.uow(), rt.clock, g.principal, process_id, {}, rt.rules)
    except DomainError as err:
        flash(err.detail, "error")
        return redirect(url_for(".index"))
    ours = [t for t in view["open_tasks"] if t["agency"] == g.principal.agency]
    if ours:
        flash("Đã khởi tạo; hãy điền bước đầu tiên.", "success")
        return redirect(url_for("pages.tasks.show", task_id=ours[0]["id"]))
    flash("Đã khởi tạo.", "success")
    return redirect(url_for("pages.instances.show", instance_id=view["id"]))
