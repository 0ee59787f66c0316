"""The inbox, "Việc cần xử lý": the agency's tasks, what each is about, how due, who has it.

Filters are a plain GET form, so the page works without JavaScript; with it, htmx swaps only
the results when a filter changes (the server renders the same page, htmx picks the region).
"""

from apiflask import APIBlueprint
from flask import g, render_template, request, url_for

from engine.services.inbox import InboxFilters, list_inbox
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("inbox", __name__, enable_openapi=False)

STATE_LABELS = {"open": "Đang mở", "completed": "Đã xử lý", "withdrawn": "Đã rút", "all": "Tất cả"}
SORT_LABELS = {"due": "Hạn sớm nhất trước", "-due": "Hạn muộn nhất trước",
               "created": "Giao sớm nhất trước", "-created": "Giao gần đây nhất trước",
               "agency": "Theo cơ quan"}
CLAIM_LABELS = {"": "Mọi người nhận", "mine": "Tôi đã nhận", "unclaimed": "Chưa ai nhận"}


def filters_from(args) -> InboxFilters:
    """Read the filters from the query string; anything malformed falls back to the default."""
    def number(name: str, default: int) -> int:
        value = args.get(name, "")
        return int(value) if value.isdigit() and len(value) < 7 else default

    return InboxFilters(
        state=args.get("state", "open"), overdue=args.get("overdue") == "1",
        process_id=args.get("process") or None, claim=args.get("claim") or None,
        agency=args.get("agency") or None, sort=args.get("sort", "due"),
        page=number("page", 1), per_page=number("per_page", 25))


@bp.get("/")
@signed_in
def index():
    """Show the inbox page with its filters, counts per state and paging."""
    rt = runtime()
    filters = filters_from(request.args)
    inbox = list_inbox(rt.uow(), rt.clock, g.principal, filters)
    # ``?task=`` is where an email's link lands: the row is marked and scrolled to.
    return render_template("inbox/index.html", inbox=inbox, filters=filters,
                           selected=request.args.get("task"),
                           state_labels=STATE_LABELS, sort_labels=SORT_LABELS,
                           claim_labels=CLAIM_LABELS, link=_link)


def _link(**changes) -> str:
    """Return this inbox's address with some filters changed; None removes one."""
    args = {**request.args.to_dict(), **changes}
    return url_for("pages.inbox.index", **{k: v for k, v in args.items() if v not in (None, "")})
