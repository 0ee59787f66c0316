"""Citizen feedback (phản ánh, kiến nghị): intake from the portals, the list, one item."""

from apiflask import APIBlueprint

from engine.services import feedback as use_cases
from engine.store.feedback import FeedbackQuery
from service.api import paging
from service.auth import auth, principal
from service.feedback_schemas import FeedbackIn, FeedbackOut, FeedbackPageOut, FeedbackQueryIn
from service.runtime import runtime

bp = APIBlueprint("feedback", __name__, url_prefix="/api/v1", tag="Phản ánh, kiến nghị")


@bp.post("/feedback")
@bp.auth_required(auth)
@bp.input(FeedbackIn, arg_name="body")
@bp.output(FeedbackOut, status_code=201)
@bp.doc(responses={200: "Đã tiếp nhận từ trước với cùng mã: trả lại bản đã có",
                   409: "Cùng mã nhưng nội dung khác"})
def receive_feedback(body):
    """Receive a feedback item from an intake system; a retry with the same id adds nothing."""
    rt = runtime()
    intake = use_cases.Intake(body["source_system"], body["source_id"], body["agency"],
                              body["title"], body["content"], body["kind"], body["channel"],
                              body["sender"], body["attachments"])
    view, new = use_cases.receive_feedback(rt.uow, rt.clock, principal(), intake, rt.rules)
    return view, 201 if new else 200


@bp.get("/feedback")
@bp.auth_required(auth)
@bp.input(FeedbackQueryIn, location="query", arg_name="q")
@bp.output(FeedbackPageOut)
def list_feedback(q):
    """List feedback, newest first; filter by agency, state, overdue, channel, receipt period."""
    rt = runtime()
    cal = rt.rules.calendar
    query = FeedbackQuery(agency=q.get("agency"), state=q.get("state"), overdue=q.get("overdue"),
                          channel=q.get("channel"), received_from=cal.assume_local(q.get("received_from")),
                          received_to=cal.assume_local(q.get("received_to")),
                          **paging.window(q))
    items, total = use_cases.list_feedback(rt.uow(), rt.clock, principal(), query)
    return paging.page(q, items, total)


@bp.get("/feedback/<feedback_id>")
@bp.auth_required(auth)
@bp.output(FeedbackOut)
def get_feedback(feedback_id: str):
    """Show a feedback item: state, transfers, steps with deadlines, violations."""
    rt = runtime()
    return use_cases.get_feedback(rt.uow(), rt.clock, principal(), feedback_id)
