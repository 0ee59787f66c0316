"""Agencies' systems send BPMN messages to waiting instances, signed like webhooks."""

import time

from apiflask import APIBlueprint
from flask import current_app, request

from engine.services.messages import deliver_message
from service.auth import auth, principal
from service.runtime import runtime
from service.webhook_schemas import MessageIn, MessageOut
from webhooks import inbound

bp = APIBlueprint("messages", __name__, url_prefix="/api/v1/messages", tag="Thông điệp")


@bp.post("/<name>")
@bp.auth_required(auth)
@bp.input(MessageIn, arg_name="body", validation=False)
@bp.output(MessageOut, status_code=202)
@bp.doc(responses={
    401: "Thiếu mã truy cập, hoặc chữ ký sai hay lệch quá 5 phút",
    403: "Cơ quan không tham gia hồ sơ",
    404: "Không có hồ sơ nào đang chờ thông điệp này với mã này",
    409: "webhook-id đã dùng cho nội dung khác",
})
def send_message(name: str, body):
    """Deliver message ``name`` to the instance whose id is ``correlation_key``.

    Sign the exact body as Standard Webhooks do (``webhook-id``, ``webhook-timestamp``,
    ``webhook-signature``) with a secret of one of your agency's active subscriptions. A
    repeated ``webhook-id`` with the same body answers 202 again without applying it twice.
    """
    rt, who = runtime(), principal()
    # The signature is checked on the raw bytes, before the body is trusted at all.
    message = inbound.verify(rt.uow(), current_app.extensions["webhooks"], who.agency, name,
                             request.headers, request.get_data(), rt.clock.now(), time.time())

    def deliver(correlation_key: str, payload: dict) -> dict:
        return deliver_message(rt.uow(), rt.clock, who, name, correlation_key, payload, rt.rules)

    return inbound.receive(rt.uow, message, rt.clock.now(), deliver)
