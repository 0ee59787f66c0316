"""An instance's page and a dossier's page: the diagram marked by progress, hand-offs, due dates.

Both are read-only and work without JavaScript: the diagram is the only part that needs it,
and the list of steps beside it says the same in text. Documents print through the same
use cases as the API, under the same rules, with the session instead of a token.
"""

from apiflask import APIBlueprint
from flask import Response, g, render_template

from engine.services import documents as papers
from engine.services.dossiers import get_dossier
from engine.services.overview import instance_diagram, instance_overview
from service.api.documents import send
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("instances", __name__, enable_openapi=False)

MARKS = {"overdue": "Quá hạn", "current": "Đang xử lý", "completed": "Đã xong"}
KINDS = {"startEvent": "Bắt đầu", "endEvent": "Kết thúc", "subProcess": "Nhóm bước",
         "boundaryEvent": "Sự kiện gắn kèm", "intermediateCatchEvent": "Chờ sự kiện",
         "intermediateThrowEvent": "Phát sự kiện", "scriptTask": "Hệ thống tự làm",
         "serviceTask": "Hệ thống tự làm"}
HISTORY = {
    "instance.started": "Khởi tạo", "instance.completed": "Hoàn thành",
    "instance.cancelled": "Hủy", "instance.step_failed": "Bước xử lý lỗi",
    "instance.message_received": "Nhận thông điệp", "task.assigned": "Giao nhiệm vụ",
    "task.completed": "Hoàn thành nhiệm vụ", "task.withdrawn": "Rút nhiệm vụ",
    "task.claimed": "Nhận xử lý", "task.released": "Trả lại nhiệm vụ",
    "task.reassigned": "Phân công lại", "task.reminded": "Nhắc hạn", "task.overdue": "Quá hạn",
    "task.escalated": "Báo cáo quá hạn lên cấp trên", "reply.deemed_agreed": "Coi như đồng ý",
    "deadline.paused": "Tạm dừng thời hạn", "deadline.resumed": "Tiếp tục tính thời hạn",
    "deadline.extended": "Gia hạn", "deadline.recomputed": "Tính lại thời hạn",
    "deadline.pause_granted": "Tạm dừng thời hạn (đã duyệt)",
    "deadline_request.asked": "Đề nghị về thời hạn", "deadline_request.approved": "Duyệt đề nghị về thời hạn",
    "deadline_request.refused": "Từ chối đề nghị về thời hạn",
    "dossier.status_changed": "Đổi trạng thái hồ sơ", "dossier.apologised": "Xin lỗi, hẹn lại",
    "dossier.apology_reminded": "Nhắc xin lỗi", "dossier.apology_missed": "Quá hạn xin lỗi",
}
STATUSES = {"running": "Đang xử lý", "completed": "Đã hoàn thành", "cancelled": "Đã hủy",
            "failed": "Lỗi"}

# The inbox's badge classes (app.css), so a verdict looks the same everywhere.
VERDICT_CLASSES = {"early": "on-time", "on_time": "on-time", "late": "overdue", "open": "none"}


def _labels() -> dict:
    return {"mark_labels": MARKS, "kind_labels": KINDS, "history_labels": HISTORY,
            "status_labels": STATUSES, "verdict_classes": VERDICT_CLASSES}


@bp.get("/tien-trinh/<instance_id>")
@signed_in
def show(instance_id: str):
    """Show an instance: its marked diagram, steps, hand-offs, due dates and audit history."""
    rt = runtime()
    view = instance_overview(rt.uow(), rt.clock, g.principal, instance_id, rt.rules)
    documents = papers.printable_papers(rt.uow(), rt.clock, g.principal, instance_id, rt.rules)
    return render_template("instances/show.html", view=view, documents=documents, **_labels())


@bp.get("/tien-trinh/<instance_id>/so-do.bpmn")
@signed_in
def diagram(instance_id: str):
    """Send the instance's BPMN with its diagram, for the viewer on the page."""
    rt = runtime()
    return Response(instance_diagram(rt.uow(), g.principal, instance_id),
                    mimetype="application/xml")


@bp.get("/tien-trinh/<instance_id>/van-ban/<paper>.<any(html, pdf):fmt>")
@signed_in
def paper(instance_id: str, paper: str, fmt: str):
    """Print a consultation's request or synthesis table."""
    rt = runtime()
    facts = papers.consultation_document(rt.uow(), rt.clock, g.principal, instance_id, paper,
                                         rt.rules)
    return send(facts, fmt)


@bp.get("/ho-so/<code>")
@signed_in
def dossier(code: str):
    """Show a dossier: its status and promise, then its instance's progress, and its forms."""
    rt = runtime()
    summary = get_dossier(rt.uow(), rt.clock, g.principal, code)
    view = instance_overview(rt.uow(), rt.clock, g.principal, summary["instance_id"], rt.rules)
    forms = papers.printable_forms(rt.uow(), g.principal, code)
    return render_template("instances/dossier.html", dossier=summary, view=view, forms=forms,
                           **_labels())


@bp.get("/ho-so/<code>/mau-<form>.<any(html, pdf):fmt>")
@signed_in
def form(code: str, form: str, fmt: str):
    """Print one form of a dossier (01 to 05)."""
    rt = runtime()
    return send(papers.dossier_document(rt.uow(), rt.clock, g.principal, code, form, rt.rules), fmt)
