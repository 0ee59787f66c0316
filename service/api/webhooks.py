"""Agencies manage their own webhook subscriptions, delivery log and dead letters."""

from datetime import timedelta

from apiflask import APIBlueprint, APIFlask
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from service import webhook_schemas as ws
from service.auth import auth, principal
from service.runtime import runtime
from webhooks import subscriptions
from webhooks.catalog import EVENT_TYPES
from webhooks.config import WebhookConfig
from webhooks.payloads import PING_TYPE

TAG = {
    "name": "Webhook",
    "description": (
        "Mỗi cơ quan tự đăng ký địa chỉ nhận sự kiện. Một sự kiện về nhiệm vụ được gửi tới cơ "
        "quan được giao nhiệm vụ và cơ quan chủ trì hồ sơ; một sự kiện về hồ sơ chỉ tới cơ quan "
        "chủ trì. Gửi ít nhất một lần (trùng thì lọc theo `webhook-id`), thứ tự chỉ là cố gắng. "
        "Đăng ký của cơ quan khác trả 403. Xem mục `webhooks` của tài liệu OpenAPI."),
}
NOT_OWNER = {403: "Đăng ký của cơ quan khác", 404: "Không có đăng ký"}

bp = APIBlueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", tag=TAG)


def _config() -> WebhookConfig:
    return current_app.extensions["webhooks"]


@bp.get("")
@bp.auth_required(auth)
@bp.output(ws.SubscriptionOut(many=True))
def list_subscriptions():
    """List the caller's agency's subscriptions, without their secrets."""
    return subscriptions.list_subscriptions(runtime().uow(), principal())


@bp.post("")
@bp.auth_required(auth)
@bp.input(ws.SubscriptionIn, arg_name="body")
@bp.output(ws.SubscriptionSecretOut, status_code=201)
@bp.doc(responses={422: "Địa chỉ nội bộ, không phải https, hoặc bộ lọc sai"})
def create_subscription(body):
    """Subscribe; the answer shows the signing secret, this once only."""
    rt = runtime()
    return subscriptions.create_subscription(rt.uow(), rt.clock, principal(), _config(),
                                             body["url"], body["event_types"],
                                             body["description"])


@bp.get("/<subscription_id>")
@bp.auth_required(auth)
@bp.output(ws.SubscriptionOut)
@bp.doc(responses=NOT_OWNER)
def get_subscription(subscription_id: str):
    """Show one subscription, without its secret."""
    return subscriptions.get_subscription(runtime().uow(), principal(), subscription_id)


@bp.patch("/<subscription_id>")
@bp.auth_required(auth)
@bp.input(ws.SubscriptionPatchIn, arg_name="body")
@bp.output(ws.SubscriptionOut)
@bp.doc(responses={**NOT_OWNER, 422: "Địa chỉ hoặc bộ lọc không hợp lệ"})
def update_subscription(subscription_id: str, body):
    """Change the URL, the event filter or the description, or switch it off and on."""
    rt = runtime()
    return subscriptions.update_subscription(rt.uow(), rt.clock, principal(), _config(),
                                             subscription_id, body)


@bp.delete("/<subscription_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
@bp.doc(responses=NOT_OWNER)
def delete_subscription(subscription_id: str):
    """Delete a subscription and its delivery log."""
    subscriptions.delete_subscription(runtime().uow(), principal(), subscription_id)
    return ""


@bp.post("/<subscription_id>/rotate-secret")
@bp.auth_required(auth)
@bp.input(ws.RotateIn, arg_name="body")
@bp.output(ws.SubscriptionSecretOut)
@bp.doc(responses=NOT_OWNER)
def rotate_secret(subscription_id: str, body):
    """Issue a new secret; both sign every webhook until the grace period (24 h) ends."""
    rt = runtime()
    return subscriptions.rotate_secret(rt.uow(), rt.clock, principal(), _config(),
                                       subscription_id, timedelta(hours=body["grace_hours"]))


@bp.post("/<subscription_id>/ping")
@bp.auth_required(auth)
@bp.output(ws.DeliveryOut, status_code=202)
@bp.doc(responses={**NOT_OWNER, 409: "Đăng ký đang tắt"})
def ping(subscription_id: str):
    """Queue a signed ``webhook.ping``; its outcome shows in the delivery log."""
    rt = runtime()
    return subscriptions.ping(rt.uow(), rt.clock, principal(), subscription_id)


@bp.get("/<subscription_id>/deliveries")
@bp.auth_required(auth)
@bp.input(ws.DeliveryQueryIn, location="query", arg_name="q")
@bp.output(ws.DeliveryPageOut)
@bp.doc(responses=NOT_OWNER)
def list_deliveries(subscription_id: str, q):
    """Show the delivery log, newest first: status, attempts, last code, latency and error."""
    return subscriptions.list_deliveries(runtime().uow(), principal(), subscription_id,
                                         q.get("status"), q["page"], q["per_page"])


@bp.post("/<subscription_id>/deliveries/redeliver")
@bp.auth_required(auth)
@bp.output(ws.RedeliveredOut, status_code=202)
@bp.doc(responses={**NOT_OWNER, 409: "Đăng ký đang tắt"})
def redeliver_dead(subscription_id: str):
    """Send every dead-lettered delivery again, each with its own ``webhook-id``."""
    rt = runtime()
    return subscriptions.redeliver_dead(rt.uow(), rt.clock, principal(), subscription_id)


@bp.post("/<subscription_id>/deliveries/<delivery_id>/redeliver")
@bp.auth_required(auth)
@bp.output(ws.DeliveryOut, status_code=202)
@bp.doc(responses={**NOT_OWNER, 409: "Đang gửi, hoặc đăng ký đang tắt"})
def redeliver(subscription_id: str, delivery_id: str):
    """Send one settled delivery again, with the same ``webhook-id``."""
    rt = runtime()
    return subscriptions.redeliver(rt.uow(), rt.clock, principal(), subscription_id, delivery_id)


def document_events(app: APIFlask) -> None:
    """Add one OpenAPI ``webhooks`` entry and one schema per event type to the document."""
    previous = app.spec_callback

    def add_events(spec: dict) -> dict:
        spec = previous(spec) if previous else spec
        bodies = {t: ws.event_schema(t) for t in EVENT_TYPES} | {PING_TYPE: ws.ping_schema()}
        schemas = _component_schemas(bodies.values())
        spec.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
        spec["webhooks"] = {t: _webhook_operation(t, ws.schema_name(t)) for t in bodies}
        return spec

    app.spec_processor(add_events)


def _component_schemas(schemas) -> dict:
    """Render marshmallow schemas, and those they nest, as OpenAPI component schemas."""
    spec = APISpec("events", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    for schema in schemas:
        spec.components.schema(schema.__name__, schema=schema)
    return spec.to_dict()["components"]["schemas"]


def _webhook_operation(event_type: str, schema: str) -> dict:
    header = [{"name": n, "in": "header", "required": True, "schema": {"type": "string"},
               "description": d} for n, d in (
        ("webhook-id", "Mã thông điệp, giữ nguyên qua mọi lần gửi lại: dùng để lọc trùng"),
        ("webhook-timestamp", "Giây Unix lúc gửi lần này"),
        ("webhook-signature", "v1,<base64 HMAC-SHA256 của id.timestamp.body>, cách nhau dấu cách"),
    )]
    return {"post": {
        "summary": EVENT_TYPES.get(event_type, "Thử kết nối (ping)"),
        "tags": ["Webhook"],
        "parameters": header,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "responses": {"2XX": {"description": "Đã nhận"},
                      "410": {"description": "Không nhận nữa: đăng ký bị tắt"}},
    }}
