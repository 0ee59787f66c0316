"""Deploy and list BPMN processes."""

from pathlib import Path, PurePath

from apiflask import APIBlueprint
from flask import current_app, request

from engine import services
from engine.errors import Invalid
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import DeployedOut, ProcessOut, VersionOut

bp = APIBlueprint("processes", __name__, url_prefix="/api/v1/processes", tag="Quy trình")


@bp.get("")
@bp.auth_required(auth)
@bp.output(VersionOut(many=True))
def list_processes():
    """List processes with their latest version."""
    return services.list_processes(runtime().uow())


@bp.post("")
@bp.auth_required(auth)
@bp.output(DeployedOut, status_code=201, description="Phiên bản mới đã được triển khai")
@bp.doc(responses={200: "Đã có phiên bản trùng nội dung", 422: "BPMN hoặc biểu mẫu không hợp lệ"})
def deploy_process():
    """Deploy a BPMN document with its forms.

    Send the BPMN as the body (application/xml) or as multipart field `file`; multipart may
    add form files `<name>.json` in fields `forms`. A form the BPMN names and that is not
    uploaded comes from the library's `processes/forms/`.
    """
    rt = runtime()
    version, created = services.deploy_process(
        rt.uow(), rt.clock, principal(), _bpmn_body(),
        form_library=Path(current_app.config["PROCESSES_DIR"]) / "forms", uploaded_forms=_uploaded_forms())
    return version, 201 if created else 200


@bp.get("/<process_id>")
@bp.auth_required(auth)
@bp.output(ProcessOut)
def get_process(process_id: str):
    """Describe a process and every deployed version."""
    return services.get_process(runtime().uow(), process_id)


def _bpmn_body() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid("Thiếu trường 'file' chứa tệp BPMN")
        return upload.read()
    if request.mimetype not in ("application/xml", "text/xml", "application/bpmn+xml"):
        raise Invalid("Gửi tệp BPMN với Content-Type: application/xml")
    return request.get_data()


def _uploaded_forms() -> dict[str, bytes]:
    if request.mimetype != "multipart/form-data":
        return {}
    forms = {}
    for upload in request.files.getlist("forms"):
        name = PurePath(upload.filename or "").name
        if not name.endswith(".json") or not name.removesuffix(".json").isidentifier():
            raise Invalid("Tệp biểu mẫu phải tên là <tên_biểu_mẫu>.json", {"forms": name or "(không tên)"})
        forms[name.removesuffix(".json")] = upload.read()
    return forms
