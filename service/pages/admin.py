"""Administration pages: agencies, users, delegations, API tokens and webhook subscriptions.

Each page calls the same use case as the REST API and validates with the API's own schema, so a
rule holds once whichever way it is reached; the use cases decide who may act (an admin for the
directory, a head for the agency's tokens and delegations, the agency for its webhooks). A
token or a signing secret is shown in the answer that creates it and never again: it is
rendered into that page, never put into the session's flash cookie.
"""

from datetime import datetime

from apiflask import APIBlueprint
from flask import current_app, flash, g, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from engine import policy
from engine.errors import Invalid
from engine.identity import Role
from engine.policy import Action, Resource
from engine.services import directory
from service import schemas, webhook_schemas
from service.problems import translated
from service.runtime import runtime
from service.web import signed_in
from webhooks import subscriptions
from webhooks.catalog import EVENT_TYPES
from webhooks.tables import DeliveryStatus

bp = APIBlueprint("admin", __name__, url_prefix="/quan-tri", enable_openapi=False)

ROLE_NAMES = {
    "officer": "Chuyên viên", "head": "Lãnh đạo cơ quan", "deputy": "Cấp phó",
    "provincial_office": "Văn phòng UBND tỉnh", "home_affairs": "Sở Nội vụ",
    "designer": "Người thiết kế quy trình", "admin": "Quản trị hệ thống",
}
AGENCY_KINDS = {
    "so": "Sở, ngành", "ubnd_xa_phuong": "UBND xã, phường",
    "van_phong_ubnd_tinh": "Văn phòng UBND tỉnh", "trung_tam_phvu_hcc": "Trung tâm Phục vụ HCC",
}
DELIVERY_STATES = {
    DeliveryStatus.PENDING: "Chờ gửi", DeliveryStatus.DELIVERED: "Đã nhận",
    DeliveryStatus.RETRYING: "Lỗi, sẽ gửi lại", DeliveryStatus.DEAD: "Hết lượt gửi lại",
}


@bp.context_processor
def names():
    return {"role_names": ROLE_NAMES, "agency_kinds": AGENCY_KINDS}


def _agency_options() -> list[tuple[str, str]]:
    return [(a["code"], f"{a['code']} · {a['name']}")
            for a in directory.list_agencies(runtime().uow())]


def validated(schema: Schema, data: dict) -> tuple[dict | None, dict]:
    """Load form data with an API schema; return the values or the Vietnamese errors per field."""
    try:
        return schema.load(data), {}
    except ValidationError as err:
        return None, {field: _flat(found) for field, found in translated(err.messages).items()}


def submitted(schema: Schema, data: dict, act) -> tuple[object, dict]:
    """Validate the form, then act on it; a refusal comes back as errors for the form to show.

    The key ``_`` holds the refusal's summary, shown above the form; the rest sit by their fields.
    """
    body, errors = validated(schema, data)
    if errors:
        return None, errors
    try:
        return act(body), {}
    except Invalid as refused:
        return None, {"_": [refused.detail], **{k: _flat(v) for k, v in refused.errors.items()}}


def _flat(messages) -> list[str]:
    """List a field's messages; a list field nests them under each item's index."""
    if isinstance(messages, dict):
        return sorted({m for nested in messages.values() for m in _flat(nested)})
    return list(messages) if isinstance(messages, list) else [messages]


def _text(*fields: str) -> dict:
    """Take the non-empty text fields of the posted form (an empty field means "not given")."""
    return {f: v.strip() for f in fields if (v := request.form.get(f, "")).strip()}


def _local_instant(field: str) -> str | None:
    """Read a ``datetime-local`` field as Vietnam time and give it an offset."""
    value = request.form.get(field, "")
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value or None  # the schema explains what is wrong with it
    return naive.replace(tzinfo=runtime().rules.calendar.tz).isoformat()


@bp.get("/")
@signed_in
def index():
    """Open the first administration page the person may use."""
    p = g.principal
    if policy.may(p, Action.MANAGE_DIRECTORY):
        return redirect(url_for(".agencies"))
    if policy.may(p, Action.MANAGE_TOKENS, Resource(p.agency)):
        return redirect(url_for(".tokens"))
    return redirect(url_for(".webhooks"))


# Agencies -------------------------------------------------------------------------------------

@bp.get("/co-quan")
@signed_in
def agencies():
    """List the agencies with a form to add one (admins)."""
    policy.require(g.principal, Action.MANAGE_DIRECTORY)
    return _agencies_page()


def _agencies_page(form=None, errors=None, status=200):
    rows = directory.list_agencies(runtime().uow())
    return render_template("admin/agencies.html", agencies=rows, agency_options=_agency_options(),
                           form=form or MultiDict(),
                           errors=errors or {}), status


@bp.post("/co-quan")
@signed_in
def save_agency():
    """Create or update an agency from the form."""
    code = request.form.get("code", "").strip().upper()
    if not code or len(code) > 32:
        return _agencies_page(request.form, {"code": ["Mã cơ quan từ 1 đến 32 ký tự."]}, 422)
    _, errors = submitted(schemas.AgencyIn(), _text("name", "kind", "head_name", "parent_code"),
                          lambda body: directory.save_agency(runtime().uow(), g.principal, code, body))
    if errors:
        return _agencies_page(request.form, errors, 422)
    flash(f"Đã lưu cơ quan {code}.", "success")
    return redirect(url_for(".agencies"))


# Users ----------------------------------------------------------------------------------------

@bp.get("/nguoi-dung")
@signed_in
def users():
    """List users (admins: all, by agency; heads: their agency's members)."""
    agency = request.args.get("agency") or None
    return _users_page(agency)


def _users_page(agency=None, form=None, errors=None, status=200):
    uow = runtime().uow()
    rows = directory.list_users(uow, g.principal, agency)
    return render_template("admin/users.html", users=rows, agency=agency,
                           agency_options=_agency_options(),
                           may_manage=policy.may(g.principal, Action.MANAGE_DIRECTORY),
                           form=form or MultiDict(), errors=errors or {}), status


@bp.post("/nguoi-dung")
@signed_in
def create_user():
    """Create a user from the form (admins)."""
    data = {**_text("username", "full_name", "agency_code", "password", "email"),
            "roles": request.form.getlist("roles")}
    created, errors = submitted(schemas.UserIn(), data, lambda body: directory.create_user(
        runtime().uow(), runtime().clock, g.principal, body))
    if errors:
        return _users_page(form=request.form, errors=errors, status=422)
    flash(f"Đã tạo người dùng {created['username']}.", "success")
    return redirect(url_for(".users"))


@bp.get("/nguoi-dung/<user_id>")
@signed_in
def user(user_id: str):
    """Show a user's form: name, agency, roles, email, active flag, a new password."""
    return _user_page(user_id)


def _user_page(user_id, errors=None, status=200):
    policy.require(g.principal, Action.MANAGE_DIRECTORY)
    found = next((u for u in directory.list_users(runtime().uow(), g.principal)
                  if u["id"] == user_id), None)
    if found is None:
        return render_template("error.html", status=404, detail="Không có người dùng này"), 404
    return render_template("admin/user.html", user=found, errors=errors or {},
                           agency_options=_agency_options()), status


@bp.post("/nguoi-dung/<user_id>")
@signed_in
def update_user(user_id: str):
    """Save a user's changes; a change of password, roles, agency or state ends their sessions."""
    data = {**_text("full_name", "agency_code", "password"),
            "email": request.form.get("email", "").strip() or None,
            "roles": request.form.getlist("roles"), "active": "active" in request.form}
    _, errors = submitted(schemas.UserPatchIn(), data, lambda body: directory.update_user(
        runtime().uow(), runtime().clock, g.principal, user_id, body))
    if errors:
        return _user_page(user_id, errors, 422)
    flash("Đã lưu thay đổi người dùng.", "success")
    return redirect(url_for(".user", user_id=user_id))


# Delegations ----------------------------------------------------------------------------------

@bp.get("/uy-quyen")
@signed_in
def delegations():
    """List the agency's delegations with a form to delegate the head's authority."""
    return _delegations_page()


def _delegations_page(form=None, errors=None, status=200):
    uow = runtime().uow
    rows = directory.list_delegations(uow(), g.principal)
    members = directory.list_users(uow(), g.principal) if g.principal.has(Role.HEAD) else []
    people = {u["id"]: u["full_name"] for u in members}
    return render_template("admin/delegations.html", delegations=rows, members=members,
                           people=people, form=form or MultiDict(), errors=errors or {}), status


@bp.post("/uy-quyen")
@signed_in
def delegate():
    """Delegate the head's authority to a member for a period, with a reason."""
    data = {**_text("to_user_id", "reason"), "starts_at": _local_instant("starts_at"),
            "ends_at": _local_instant("ends_at")}
    rt = runtime()
    _, errors = submitted(schemas.DelegationIn(), {k: v for k, v in data.items() if v},
                          lambda body: directory.delegate(
                              rt.uow(), rt.clock, g.principal, body["to_user_id"],
                              body["starts_at"], body["ends_at"], body["reason"]))
    if errors:
        return _delegations_page(request.form, errors, 422)
    flash("Đã ủy quyền.", "success")
    return redirect(url_for(".delegations"))


@bp.post("/uy-quyen/<int:delegation_id>/thu-hoi")
@signed_in
def revoke_delegation(delegation_id: int):
    """End a delegation now."""
    directory.revoke_delegation(runtime().uow(), runtime().clock, g.principal, delegation_id)
    flash("Đã thu hồi ủy quyền; người được ủy quyền mất quyền từ yêu cầu kế tiếp.", "success")
    return redirect(url_for(".delegations"))


# API tokens -----------------------------------------------------------------------------------

@bp.get("/ma-truy-cap")
@signed_in
def tokens():
    """List the API tokens the person may review, with a form to issue one."""
    return _tokens_page()


def _tokens_page(form=None, errors=None, issued=None, status=200):
    p = g.principal
    scope = None if policy.may(p, Action.MANAGE_DIRECTORY) else p.agency
    rows = directory.list_api_tokens(runtime().uow(), p, scope, None)
    return render_template("admin/tokens.html", tokens=rows, issued=issued, form=form or MultiDict(),
                           errors=errors or {},
                           may_issue_system=policy.may(p, Action.MANAGE_DIRECTORY)), status


@bp.post("/ma-truy-cap")
@signed_in
def issue_token():
    """Issue a token and show it on this answer only."""
    data = {**_text("label", "valid_days"), "agency_code": g.principal.agency,
            "system": "system" in request.form}
    if g.principal.has(Role.ADMIN) and request.form.get("agency_code", "").strip():
        data["agency_code"] = request.form["agency_code"].strip()
    if roles := request.form.getlist("roles"):
        data["roles"] = roles
    rt = runtime()
    issued, errors = submitted(schemas.TokenIn(), data, lambda body: directory.issue_api_token(
        rt.uow(), rt.clock, g.principal, body["agency_code"], body["roles"], body["label"],
        body["valid_days"], body["system"], current_app.config["TOKEN_DAYS"]))
    if errors:
        return _tokens_page(request.form, errors, status=422)
    return _tokens_page(issued=issued, status=201)


@bp.post("/ma-truy-cap/<int:token_id>/thu-hoi")
@signed_in
def revoke_token(token_id: int):
    """Revoke a token: it is refused from the next request on."""
    directory.revoke_api_token(runtime().uow(), runtime().clock, g.principal, token_id)
    flash("Đã thu hồi mã truy cập.", "success")
    return redirect(url_for(".tokens"))


# Webhook subscriptions ------------------------------------------------------------------------

def _webhook_config():
    return current_app.extensions["webhooks"]


@bp.get("/webhook")
@signed_in
def webhooks():
    """List the agency's webhook subscriptions with a form to add one."""
    return _webhooks_page()


def _webhooks_page(form=None, errors=None, created=None, status=200):
    policy.require(g.principal, Action.MANAGE_WEBHOOKS, Resource(g.principal.agency))
    rows = subscriptions.list_subscriptions(runtime().uow(), g.principal)
    return render_template("admin/webhooks.html", subscriptions=rows, created=created,
                           event_types=[(t, t) for t in sorted(EVENT_TYPES)], form=form or MultiDict(),
                           errors=errors or {}), status


@bp.post("/webhook")
@signed_in
def subscribe():
    """Subscribe an address; the signing secret is shown on this answer only."""
    data = {**_text("url", "description"), "event_types": request.form.getlist("event_types")}
    rt = runtime()
    created, errors = submitted(webhook_schemas.SubscriptionIn(), data,
                                lambda body: subscriptions.create_subscription(
                                    rt.uow(), rt.clock, g.principal, _webhook_config(),
                                    body["url"], body["event_types"], body["description"]))
    if errors:
        return _webhooks_page(request.form, errors, status=422)
    return _webhooks_page(created=created, status=201)


@bp.get("/webhook/<subscription_id>")
@signed_in
def webhook(subscription_id: str):
    """Show a subscription and its delivery log, newest first, by state and page."""
    query, errors = validated(webhook_schemas.DeliveryQueryIn(),
                              {k: v for k, v in request.args.items() if v})
    query = query or {"page": 1, "per_page": 50}
    uow = runtime().uow
    sub = subscriptions.get_subscription(uow(), g.principal, subscription_id)
    log = subscriptions.list_deliveries(uow(), g.principal, subscription_id, query.get("status"),
                                        query["page"], query["per_page"])
    return render_template("admin/webhook.html", sub=sub, log=log, status=query.get("status"),
                           states=DELIVERY_STATES, errors=errors)


@bp.post("/webhook/<subscription_id>/trang-thai")
@signed_in
def toggle_webhook(subscription_id: str):
    """Turn a subscription on or off."""
    active = request.form.get("active") == "1"
    rt = runtime()
    subscriptions.update_subscription(rt.uow(), rt.clock, g.principal, _webhook_config(),
                                      subscription_id, {"active": active})
    flash("Đã bật đăng ký." if active else "Đã tắt đăng ký.", "success")
    return redirect(url_for(".webhook", subscription_id=subscription_id))


@bp.post("/webhook/<subscription_id>/gui-thu")
@signed_in
def ping_webhook(subscription_id: str):
    """Queue a test event (``webhook.ping``) to check the address; the worker sends it."""
    subscriptions.ping(runtime().uow(), runtime().clock, g.principal, subscription_id)
    flash("Đã xếp sự kiện thử vào hàng đợi; kết quả hiện trong nhật ký gửi.", "success")
    return redirect(url_for(".webhook", subscription_id=subscription_id))


@bp.post("/webhook/<subscription_id>/gui-lai")
@signed_in
def redeliver(subscription_id: str):
    """Send one delivery again (same ``webhook-id``), or every dead-lettered one."""
    rt = runtime()
    if delivery_id := request.form.get("delivery_id"):
        subscriptions.redeliver(rt.uow(), rt.clock, g.principal, subscription_id, delivery_id)
        flash("Đã xếp lần gửi vào hàng đợi gửi lại.", "success")
    else:
        result = subscriptions.redeliver_dead(rt.uow(), rt.clock, g.principal, subscription_id)
        flash(f"Đã xếp {result['redelivered']} lần gửi hết lượt vào hàng đợi gửi lại.", "success")
    return redirect(url_for(".webhook", subscription_id=subscription_id))
