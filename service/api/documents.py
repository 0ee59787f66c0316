"""Print a dossier's forms as HTML or PDF, under the same rules as reading the dossier."""

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import Length
from flask import Response, current_app

from engine.reports.period import parse_month
from engine.services import documents as use_cases
from service import documents
from service.auth import auth, principal
from service.problems import problem
from service.public import throttle_lookup
from service.runtime import runtime

bp = APIBlueprint("documents", __name__, url_prefix="/api/v1", tag="Hồ sơ TTHC")
FILES = {200: "Văn bản (HTML hoặc PDF)", 403: "Không có quyền", 404: "Không tìm thấy",
         422: "Hồ sơ không có văn bản này", 503: "Thiếu thư viện hệ thống để xuất PDF"}


class LogIn(Schema):
    month = String(required=True, validate=Length(7, 7),
                   metadata={"description": "Tháng tiếp nhận, dạng YYYY-MM"})
    agency = String(validate=Length(1, 32),
                    metadata={"description": "Mã cơ quan (mặc định cơ quan của người gọi)"})


class SecretIn(Schema):
    secret = String(required=True, validate=Length(1, 32),
                    metadata={"description": "Mã bí mật in trên giấy tiếp nhận"})


def send(facts: dict, fmt: str):
    """Answer one form as an HTML page or a PDF file; 503 names the package the PDF needs."""
    place = current_app.config.get("DOCUMENT_PLACE", documents.DEFAULT_PLACE)
    tz = runtime().rules.calendar.tz
    try:
        if "entries" in facts:
            body = documents.render_log(facts, fmt, tz, place)
        elif "paper" in facts:
            body = documents.render_consultation(facts, fmt, tz, place)
        else:
            body = documents.render(facts, fmt, tz, current_app.config["SECRET_KEY"], place)
    except documents.PdfUnavailable as err:
        return problem(503, f"Máy chủ chưa cài gói hệ thống {err.package} để xuất PDF",
                       slug="pdf-unavailable", package=err.package)
    if fmt == "html":
        return Response(body, mimetype="text/html")
    name = (f"so-theo-doi-{facts['agency']['code']}.pdf" if "entries" in facts
            else f"{facts['paper']}-{facts['instance_id']}.pdf" if "paper" in facts
            else f"mau-{facts['form']}-{facts['code']}.pdf")
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/dossiers/<code>/documents/<form>.<any(html, pdf):fmt>")
@bp.auth_required(auth)
@bp.doc(summary="In một mẫu phiếu của hồ sơ dạng HTML hoặc PDF",
        description="In một mẫu phiếu của hồ sơ (Thông tư 01/2018/TT-VPCP): 01 giấy tiếp nhận và hẹn "
        "trả, 02 yêu cầu bổ sung, 03 từ chối, 04 xin lỗi và hẹn lại, 05 phiếu kiểm soát. "
        "Ai xem được hồ sơ thì in được.", responses=FILES)
def dossier_document(code: str, form: str, fmt: str):
    """Print one form of a dossier as HTML or PDF."""
    rt = runtime()
    facts = use_cases.dossier_document(rt.uow(), rt.clock, principal(), code, form, rt.rules)
    return send(facts, fmt)


@bp.get("/documents/06.<any(html, pdf):fmt>")
@bp.auth_required(auth)
@bp.input(LogIn, location="query", arg_name="q")
@bp.doc(summary="In sổ theo dõi hồ sơ (mẫu 06) của một tháng", responses=FILES,
        description="Hồ sơ cơ quan tiếp nhận hoặc giải quyết trong tháng, theo thứ tự tiếp nhận; "
        "cơ quan chỉ in sổ của mình, trừ khi được xem mọi cơ quan.")
def dossier_log(fmt: str, q):
    """Print form 06, the log of the dossiers an agency received in a month."""
    rt = runtime()
    period = parse_month(q["month"], rt.rules.calendar.tz)
    facts = use_cases.dossier_log(rt.uow(), rt.clock, principal(), q.get("agency"), period.start,
                                  period.end, rt.rules)
    return send(facts, fmt)


@bp.get("/instances/<instance_id>/documents/<doc>.<any(html, pdf):fmt>")
@bp.auth_required(auth)
@bp.doc(summary="In văn bản của cuộc lấy ý kiến dạng HTML hoặc PDF", tags=["Hồ sơ"],
        description="request: công văn xin ý kiến (cơ quan chủ trì và cơ quan được hỏi ý kiến in "
        "được); synthesis: bảng tổng hợp, tiếp thu, giải trình ý kiến (chỉ cơ quan chủ trì).",
        responses=FILES)
def instance_document(instance_id: str, doc: str, fmt: str):
    """Print a consultation's request or synthesis table as HTML or PDF."""
    rt = runtime()
    facts = use_cases.consultation_document(rt.uow(), rt.clock, principal(), instance_id, doc,
                                            rt.rules)
    return send(facts, fmt)


@bp.get("/public/dossiers/<code>/receipt.<any(html, pdf):fmt>")
@bp.input(SecretIn, location="query", arg_name="q")
@bp.doc(security=[], tags=["Tra cứu công khai"],
        summary="Người nộp xem lại giấy tiếp nhận (mẫu 01) bằng mã bí mật",
        description="Người nộp xem lại giấy tiếp nhận bằng mã hồ sơ và mã bí mật in trên "
        "giấy; sai mã trả lời như hồ sơ không tồn tại.", responses=FILES)
def public_receipt(code: str, fmt: str, q):
    """Show the applicant's receipt to whoever holds its code and printed secret (rate-limited)."""
    throttle_lookup()
    rt = runtime()
    facts = use_cases.public_receipt(rt.uow(), rt.clock, code.strip().upper()[:64], q["secret"],
                                     current_app.config["SECRET_KEY"], rt.rules)
    return send(facts, fmt)
