"""The one-stop desk's pages: receive a dossier, accept it, print the receipt, hand it over."""

from apiflask import APIBlueprint
from flask import current_app, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from engine import services
from engine.catalog import CHANNELS
from engine.errors import Invalid
from engine.forms.messages import FORM_LEVEL
from engine.services import directory
from engine.services import documents as paper
from engine.services import dossiers as use_cases
from engine.store.dossiers import DossierQuery
from service.dossier_schemas import ReceiveDossierIn
from service.pages.forms import answer_of, fields_of, raw_of
from service.problems import translated
from service.runtime import runtime
from service.web import number, signed_in

bp = APIBlueprint("desk", __name__, enable_openapi=False)
PER_PAGE = 50
APPLICANT_FIELDS = ("name", "id_number", "phone", "address", "email")
COMMUNE_KIND = use_cases.COMMUNE_KIND


@bp.get("/mot-cua")
@signed_in
def dossiers():
    """List the desk's dossiers, newest first, by status, with the promised return instants."""
    rt = runtime()
    status = number(request.args.get("status"), 0, 0, 10) or None
    page = number(request.args.get("page"), 1, 1, 100_000)
    query = DossierQuery(status=status, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    found = use_cases.desk_dossiers(rt.uow(), rt.clock, g.principal, query)
    return render_template("desk/dossiers.html", found=found, status=status, page=page,
                           pages=max(1, -(-found["total"] // PER_PAGE)), principal=g.principal)


def _receive_page(procedures: list[dict], chosen: dict | None, kept: dict, errors: dict,
                  error: str | None = None, status: int = 200):
    rt = runtime()
    communes = [a for a in directory.list_agencies(rt.uow()) if a["kind"] == COMMUNE_KIND]
    return render_template("desk/receive.html", procedures=procedures, chosen=chosen, kept=kept,
                           errors=errors, error=error, channels=CHANNELS, communes=communes,
                           needs_locality=bool(chosen) and any(
                               s.get("agency") == "@locality" for s in chosen["steps"]),
                           principal=g.principal), status


@bp.get("/mot-cua/tiep-nhan")
@signed_in
def receive_form():
    """Show the receipt form: choose the procedure, then the applicant and the documents checklist."""
    procedures = use_cases.desk_procedures(runtime().uow(), g.principal)
    code = request.args.get("procedure")
    chosen = next((p for p in procedures if p["code"] == code), None)
    return _receive_page(procedures, chosen, {"channel": "paper"}, {})


def _receipt_body(form) -> dict:
    """Shape the submitted form as the receipt body the API takes, for the same validation."""
    applicant = {k: form.get(k, "").strip() for k in APPLICANT_FIELDS if form.get(k, "").strip()}
    documents = form.getlist("documents") + [d.strip() for d in form.get("other_documents", "").splitlines()
                                             if d.strip()]
    body = {"procedure_code": form.get("procedure_code", ""), "applicant": applicant,
            "channel": form.get("channel", "paper"), "documents": documents,
            "note": form.get("note", "").strip()}
    if form.get("locality"):
        body["locality"] = form["locality"]
    return body


def _flat_errors(messages: dict) -> dict:
    """Turn nested schema messages into one Vietnamese message per form field."""
    flat = {}
    for key, value in translated(messages).items():
        if isinstance(value, dict):
            flat.update({k: " ".join(v) if isinstance(v, list) else str(v) for k, v in value.items()})
        else:
            flat[key] = " ".join(value) if isinstance(value, list) else str(value)
    return flat


@bp.post("/mot-cua/tiep-nhan")
@signed_in
def receive():
    """Register the dossier; a refused form comes back with its messages and the input kept."""
    rt = runtime()
    procedures = use_cases.desk_procedures(rt.uow(), g.principal)
    body = _receipt_body(request.form)
    chosen = next((p for p in procedures if p["code"] == body["procedure_code"]), None)
    kept = {**request.form.to_dict(), "documents": request.form.getlist("documents")}
    try:
        clean = ReceiveDossierIn().load(body)
        receipt = use_cases.Receipt(clean["procedure_code"], clean["applicant"], clean["channel"],
                                    clean.get("locality"), clean["documents"], clean["note"])
        view = use_cases.receive_dossier(rt.uow(), rt.clock, g.principal, receipt, rt.rules,
                                         current_app.config.get("PROVINCE_CODE", "BN"))
    except ValidationError as err:
        return _receive_page(procedures, chosen, kept, _flat_errors(err.messages),
                             "Thông tin tiếp nhận chưa hợp lệ", 422)
    except Invalid as err:
        return _receive_page(procedures, chosen, kept, err.errors, err.detail, 422)
    flash(f"Đã đăng ký hồ sơ {view['code']}. Hãy kiểm tra và tiếp nhận.", "info")
    return redirect(url_for("pages.desk.dossier", code=view["code"]))


def _desk_steps(view: dict, failed: str | None, raw: dict | None, errors: dict | None) -> list:
    """Return the dossier's open steps at this desk, each with its form's fields.

    The step whose submission was refused shows what was typed and the engine's messages.
    """
    rt = runtime()
    steps = [services.get_task(rt.uow(), g.principal, t["id"]) for t in view["open_tasks"]
             if t["agency"] == g.principal.agency]
    return [{**t, "fields": fields_of(t["form_schema"] or {}, (),
                                      *((raw, errors) if t["id"] == failed else (None, None)))}
            for t in steps]


def _dossier_page(code: str, failed: str | None = None, raw: dict | None = None,
                  errors: dict | None = None, status: int = 200):
    rt = runtime()
    view = use_cases.get_dossier(rt.uow(), rt.clock, g.principal, code)
    forms = paper.printable_forms(rt.uow(), g.principal, code)
    return render_template("desk/dossier.html", d=view, forms=forms,
                           steps=_desk_steps(view, failed, raw, errors),
                           error=(errors or {}).get(FORM_LEVEL), failed=failed), status


@bp.get("/mot-cua/ho-so/<code>")
@signed_in
def dossier(code: str):
    """Show a dossier at the desk: its status and instants, the desk's open steps, its papers."""
    return _dossier_page(code)


@bp.post("/mot-cua/ho-so/<code>/buoc/<task_id>")
@signed_in
def complete(code: str, task_id: str):
    """Complete one of the desk's steps (accept, refuse, ask for a supplement, hand over, return)."""
    rt = runtime()
    task = services.get_task(rt.uow(), g.principal, task_id)
    schema = task["form_schema"] or {"properties": {}}
    raw = raw_of(schema, request.form)
    try:
        services.complete_task(rt.uow(), rt.clock, g.principal, task_id, answer_of(schema, raw),
                               rt.rules)
    except Invalid as err:
        return _dossier_page(code, task_id, raw, err.errors or {FORM_LEVEL: err.detail}, 422)
    flash(f"Đã xong bước “{task['name']}”.", "info")
    return redirect(url_for("pages.desk.dossier", code=code))
