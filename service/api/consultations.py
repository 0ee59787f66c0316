"""Consultation discipline: return a vague reply; flag a consultation as over-broad."""

from apiflask import APIBlueprint

from engine import services
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import FlagIn, FlagOut, ReturnIn, ReturnOut

bp = APIBlueprint("consultations", __name__, url_prefix="/api/v1/instances", tag="Lấy ý kiến")


@bp.post("/<instance_id>/returns")
@bp.auth_required(auth)
@bp.input(ReturnIn, arg_name="body")
@bp.output(ReturnOut, status_code=201)
@bp.doc(responses={403: "Không phải cán bộ cơ quan chủ trì đang tổng hợp",
                   409: "Chưa tổng hợp, quá hạn trả lại, ý kiến không thể trả lại hoặc đã trả lại một lần",
                   422: "Thiếu lý do hoặc thời hạn trả lời lại không hợp lệ"})
def return_reply(instance_id: str, body):
    """Return a consulted agency's reply as vague; it gets a short re-answer task and a violation."""
    rt = runtime()
    return services.return_reply(rt.uow(), rt.clock, principal(), instance_id, body["agency"],
                                 body["reason"], body["working_days"], rt.rules)


@bp.post("/<instance_id>/over-broad")
@bp.auth_required(auth)
@bp.input(FlagIn, arg_name="body")
@bp.output(FlagOut, status_code=201)
@bp.doc(responses={403: "Chỉ Văn phòng UBND tỉnh", 409: "Chưa gửi yêu cầu lấy ý kiến, hoặc đã đánh dấu",
                   422: "Thiếu nhận xét"})
def flag(instance_id: str, body):
    """Flag a sent consultation as asking agencies that are not concerned, with a note (once)."""
    rt = runtime()
    return services.flag_over_broad(rt.uow(), rt.clock, principal(), instance_id, body["note"])
