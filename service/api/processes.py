"""Deploy and list BPMN processes."""

from apiflask import APIBlueprint
from flask import request

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
@bp.doc(responses={200: "Đã có phiên bản trùng nội dung", 422: "BPMN không hợp lệ"})
def deploy_process():
    """Deploy a BPMN document (body application/xml, or multipart field `file`)."""
    rt = runtime()
    version, created = services.deploy_process(rt.uow(), rt.clock, principal(), _bpmn_body())
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
