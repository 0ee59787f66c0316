"""The one-stop desk's dossiers and the procedure catalog."""

from apiflask import APIBlueprint
from flask import current_app

from engine.services import dossiers as use_cases
from engine.store.dossiers import DossierQuery
from service.api import paging
from service.auth import auth, principal
from service.dossier_schemas import (
    ApologyIn,
    DossierOut,
    DossierPageOut,
    DossierQueryIn,
    ProcedureOut,
    ReasonIn,
    ReceiveDossierIn,
)
from service.runtime import runtime

bp = APIBlueprint("dossiers", __name__, url_prefix="/api/v1", tag="Hồ sơ TTHC")


@bp.get("/procedures")
@bp.auth_required(auth)
@bp.output(ProcedureOut(many=True))
def list_procedures():
    """List the procedure catalog: codes, time limits and the slice of each step."""
    return use_cases.list_procedures(runtime().uow())


@bp.post("/dossiers")
@bp.auth_required(auth)
@bp.input(ReceiveDossierIn, arg_name="body")
@bp.output(DossierOut, status_code=201)
def receive_dossier(body):
    """Register a dossier at the one-stop desk; its process starts with the receipt check."""
    rt = runtime()
    receipt = use_cases.Receipt(body["procedure_code"], body["applicant"], body["channel"],
                                body.get("locality"), body["documents"], body["note"])
    return use_cases.receive_dossier(rt.uow(), rt.clock, principal(), receipt, rt.rules,
                                     current_app.config.get("PROVINCE_CODE", "BN"))


@bp.get("/dossiers")
@bp.auth_required(auth)
@bp.input(DossierQueryIn, location="query", arg_name="q")
@bp.output(DossierPageOut)
def list_dossiers(q):
    """List dossiers, newest first; filter by agency, procedure, status, lateness, receipt period."""
    rt = runtime()
    query = DossierQuery(agency=q.get("agency"), procedure=q.get("procedure"),
                         status=q.get("status"), late=q.get("late"),
                         received_from=rt.rules.calendar.assume_local(q.get("received_from")),
                         received_to=rt.rules.calendar.assume_local(q.get("received_to")),
                         **paging.window(q))
    items, total = use_cases.list_dossiers(rt.uow(), rt.clock, principal(), query)
    return paging.page(q, items, total)


@bp.get("/dossiers/<code>")
@bp.auth_required(auth)
@bp.output(DossierOut)
def get_dossier(code: str):
    """Show a dossier: status, instants, 766 verdict, open tasks, status history, violations."""
    rt = runtime()
    return use_cases.get_dossier(rt.uow(), rt.clock, principal(), code)


@bp.post("/dossiers/<code>/withdraw")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(DossierOut)
def withdraw_dossier(code: str, body):
    """Record the applicant's request to withdraw the dossier (status 7); its process stops."""
    rt = runtime()
    return use_cases.withdraw_dossier(rt.uow(), rt.clock, principal(), code, body["reason"], rt.rules)


@bp.post("/dossiers/<code>/stop")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(DossierOut)
def stop_dossier(code: str, body):
    """Stop handling the dossier (status 8); the handling agency's head decides."""
    rt = runtime()
    return use_cases.stop_dossier(rt.uow(), rt.clock, principal(), code, body["reason"], rt.rules)


@bp.post("/dossiers/<code>/apology")
@bp.auth_required(auth)
@bp.input(ApologyIn, arg_name="body")
@bp.output(DossierOut)
def apologise(code: str, body):
    """Issue the apology and new return instant (form 04): once, 1 working day before the promise."""
    rt = runtime()
    return use_cases.apologise(rt.uow(), rt.clock, principal(), code, body["new_promised_at"],
                               body["reason"], rt.rules)
