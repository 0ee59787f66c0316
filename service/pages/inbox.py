"""The inbox, "Việc cần xử lý": the tasks of the person's agency, what each is about, how due."""

from apiflask import APIBlueprint
from flask import g, render_template, request

from engine import services
from engine.store.repositories import TaskQuery
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("inbox", __name__, enable_openapi=False)


@bp.get("/")
@signed_in
def index():
    """Show the open tasks of the user's agency, oldest due first."""
    rt = runtime()
    tasks, total = services.list_tasks(rt.uow(), g.principal, TaskQuery(state="open", limit=100))
    # ``?task=`` is where an email's link lands: the row is marked and scrolled to.
    return render_template("inbox/index.html", tasks=tasks, total=total,
                           selected=request.args.get("task"))
