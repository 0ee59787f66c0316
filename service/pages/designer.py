"""The designer's pages: the process list, the BPMN modeler and what it asks the server.

Pages are server-rendered and their forms work without JavaScript (the list, the upload of a
file made in another modeler). The modeler itself is bpmn-js in the browser: designer.js sends
the diagram's XML as JSON, with the session's CSRF token in the ``X-CSRF-Token`` header
(checked by ``service.web.check_csrf``), to the lint, schedule, diff and deploy endpoints,
which answer JSON or RFC 9457 problem details like the API.
"""

from datetime import datetime
from functools import wraps
from pathlib import Path

from apiflask import APIBlueprint, Schema, fields
from flask import current_app, g, redirect, render_template, request, url_for
from marshmallow import validate

from engine import services
from engine.blank_process import blank_process
from engine.diagram import with_diagram
from engine.errors import DomainError, Invalid, InvalidBpmn, NotFound, Unauthenticated
from engine.services import designs
from service.pages.shell import ROLE_LABELS, refused
from service.problems import domain_problem
from service.runtime import runtime
from service.web import current_principal, signed_in

bp = APIBlueprint("designer", __name__, url_prefix="/thiet-ke", enable_openapi=False)
MAX_VARIABLES = 50


@bp.errorhandler(DomainError)
def _refusal(error: DomainError):
    """Answer designer.js's JSON calls with problem details, and the pages with a page."""
    return domain_problem(error) if request.is_json else refused(error)


def _library() -> Path:
    return Path(current_app.config["PROCESSES_DIR"]) / "forms"


def _json_signed_in(view):
    """Answer 401 problem details, not a redirect, when designer.js's session has ended."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.principal = current_principal()
        if not g.principal:
            raise Unauthenticated("Phiên đăng nhập đã hết; hãy đăng nhập lại")
        return view(*args, **kwargs)

    return wrapper


@bp.get("")
@signed_in
def process_list():
    """List every process with its versions and the instances running on each."""
    processes = designs.process_overview(runtime().uow(), g.principal)
    return render_template("designer/list.html", processes=processes)


@bp.post("/tai-len")
@signed_in
def upload():
    """Deploy a file made in Camunda Modeler or bpmn.io; say what was carried over or dropped."""
    rt = runtime()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(error="Hãy chọn một tệp .bpmn để tải lên"), 422
    try:
        result = designs.import_file(rt.uow(), rt.clock, g.principal, upload.read(), _library())
    except InvalidBpmn as err:
        return _upload_page(problems=err.problems, notes=getattr(err, "notes", []),
                            error=err.detail, filename=upload.filename), 422
    except Invalid as err:
        return _upload_page(error=err.detail, filename=upload.filename), 422
    return _upload_page(result=result, notes=result["notes"], filename=upload.filename)


def _upload_page(**context):
    return render_template("designer/uploaded.html", **context)


@bp.get("/tao-moi")
@signed_in
def new_process():
    """Open the modeler on the first draft of a new process (or on the process, if it exists)."""
    process_id, name = request.args.get("process_id", "").strip(), request.args.get("name", "")
    overview = designs.process_overview(runtime().uow(), g.principal)
    if any(p["process_id"] == process_id for p in overview):
        return redirect(url_for("pages.designer.modeler", process_id=process_id))
    blank_process(process_id, name)  # refuse a bad id or name here, on the page
    draft = {"process_id": process_id, "name": name.strip(), "latest_version": None,
             "running": 0, "versions": []}
    return _modeler_page(draft, url_for("pages.designer.blank", process_id=process_id, name=name))


@bp.get("/tao-moi/<process_id>.bpmn")
@signed_in
def blank(process_id: str):
    """Serve the first draft of a new process to the modeler."""
    designs.require_designer(g.principal)
    return blank_process(process_id, request.args.get("name", "")), 200, {
        "Content-Type": "application/xml; charset=utf-8"}


@bp.get("/<process_id>")
@signed_in
def modeler(process_id: str):
    """Open the latest version of a process in the modeler."""
    overview = designs.process_overview(runtime().uow(), g.principal)
    found = [p for p in overview if p["process_id"] == process_id]
    if not found:
        raise NotFound(f"Không có quy trình '{process_id}'")
    process = found[0]
    return _modeler_page(process, url_for("pages.designer.document", process_id=process_id,
                                          version=process["latest_version"], drawn=1))


def _modeler_page(process: dict, xml_url: str):
    forms = sorted(p.stem for p in _library().glob("*.json"))
    return render_template("designer/modeler.html", process=process, xml_url=xml_url,
                           forms=forms, roles=ROLE_LABELS.items(), start=_default_start())


def _default_start() -> str:
    """Offer the current instant, in local time, as the schedule's start."""
    rt = runtime()
    return rt.clock.now().astimezone(rt.rules.calendar.tz).strftime("%Y-%m-%dT%H:%M")


@bp.get("/<process_id>/<int:version>.bpmn")
@signed_in
def document(process_id: str, version: int):
    """Download a deployed version's BPMN file, as stored or (``?drawn=1``) with a diagram.

    The modeler asks for the drawn one: a file uploaded without BPMN DI would be an empty
    canvas, so it is laid out by the same code as the instance pages (the version is unchanged).
    """
    found = designs.deployed_document(runtime().uow(), g.principal, process_id, version)
    name = f"{process_id}.v{found['version']}.bpmn"
    text = found["bpmn_xml"].encode()
    body = with_diagram(text) if request.args.get("drawn") else text
    return body, 200, {"Content-Type": "application/xml; charset=utf-8",
                       "Content-Disposition": f'inline; filename="{name}"'}


class DraftIn(Schema):
    bpmn = fields.String(required=True, validate=validate.Length(min=1))


class ScheduleIn(DraftIn):
    start = fields.DateTime(required=True)
    variables = fields.Dict(keys=fields.String(), load_default=dict,
                            validate=validate.Length(max=MAX_VARIABLES))


@bp.post("/kiem-tra")
@_json_signed_in
@bp.input(DraftIn, arg_name="draft")
def lint(draft: dict):
    """Lint an unsaved diagram as deploying it would; 422 lists each problem on its element."""
    return designs.lint_draft(g.principal, _bytes(draft), _library())


@bp.post("/lich")
@_json_signed_in
@bp.input(ScheduleIn, arg_name="draft")
def schedule(draft: dict):
    """Simulate the due date of each step from a start instant, on the real calendar."""
    start: datetime = draft["start"]
    return designs.simulate_schedule(g.principal, _bytes(draft), start, draft["variables"],
                                     runtime().rules.calendar)


@bp.post("/<process_id>/so-sanh")
@_json_signed_in
@bp.input(DraftIn, arg_name="draft")
def compare(process_id: str, draft: dict):
    """List the elements added, removed and changed since the deployed version."""
    return designs.diff_with_deployed(runtime().uow(), g.principal, process_id, _bytes(draft))


@bp.post("/<process_id>/trien-khai")
@_json_signed_in
@bp.input(DraftIn, arg_name="draft")
def deploy(process_id: str, draft: dict):
    """Deploy the diagram as the next version; running instances keep the version they run."""
    rt = runtime()
    version, created = services.deploy_process(rt.uow(), rt.clock, g.principal, _bytes(draft),
                                               expected_id=process_id, form_library=_library())
    return {**version, "created": created}, 201 if created else 200


def _bytes(draft: dict) -> bytes:
    return draft["bpmn"].encode("utf-8")
