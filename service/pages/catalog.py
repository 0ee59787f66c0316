"""The public procedure catalog, without sign-in: procedures, their steps and time limits.

Citizens read what to bring and how long each agency may take; directive item 1e asks the
internal procedures to be published too, so each deployed process has a page of its steps
and its diagram. Nothing here comes from an instance, a dossier or a person.
"""

from apiflask import APIBlueprint
from flask import Response, render_template

from engine.services.publication import (
    published_catalog,
    published_diagram,
    published_procedure,
    published_process,
)
from service.runtime import runtime

bp = APIBlueprint("catalog", __name__, enable_openapi=False)


@bp.get("/thu-tuc")
def index():
    """List the catalog's procedures and the internal procedures."""
    return render_template("catalog/index.html", catalog=published_catalog(runtime().uow()))


@bp.get("/thu-tuc/<code>")
def procedure(code: str):
    """Show one procedure: documents, total time limit, each step's agency and time."""
    return render_template("catalog/procedure.html",
                           procedure=published_procedure(runtime().uow(), code[:16]))


@bp.get("/quy-trinh-noi-bo/<process_id>")
def process(process_id: str):
    """Show one internal procedure: its steps, who does each, each time limit, its diagram."""
    return render_template("catalog/process.html",
                           process=published_process(runtime().uow(), process_id[:128]))


@bp.get("/quy-trinh-noi-bo/<process_id>/so-do.bpmn")
def diagram(process_id: str):
    """Send the latest version of a process as BPMN with its diagram."""
    return Response(published_diagram(runtime().uow(), process_id[:128]), mimetype="application/xml")
