"""Start, read and cancel process instances."""

from apiflask import APIBlueprint

from engine import services
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import CancelIn, InstanceOut, StartInstanceIn

bp = APIBlueprint("instances", __name__, url_prefix="/api/v1/instances", tag="Hồ sơ")


@bp.post("")
@bp.auth_required(auth)
@bp.input(StartInstanceIn, arg_name="body")
@bp.output(InstanceOut, status_code=201)
def start_instance(body):
    """Start the latest version of a process; the caller's agency leads it."""
    rt = runtime()
    return services.start_instance(rt.uow(), rt.clock, principal(), body["process_id"],
                                   body["variables"], rt.rules)


@bp.get("/<instance_id>")
@bp.auth_required(auth)
@bp.output(InstanceOut)
def get_instance(instance_id: str):
    """Show status, variables, open tasks and audit history."""
    rt = runtime()
    return services.get_instance(rt.uow(), principal(), instance_id, rt.rules)


@bp.post("/<instance_id>/cancel")
@bp.auth_required(auth)
@bp.input(CancelIn, arg_name="body")
@bp.output(InstanceOut)
def cancel_instance(instance_id: str, body):
    """Cancel a running instance; only its lead agency may."""
    rt = runtime()
    return services.cancel_instance(rt.uow(), rt.clock, principal(), instance_id, body["reason"],
                                    rt.rules)
