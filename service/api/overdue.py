"""The Provincial Office's overdue list."""

from apiflask import APIBlueprint

from engine import services
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import OverdueOut

bp = APIBlueprint("overdue", __name__, url_prefix="/api/v1/overdue", tag="Giám sát")


@bp.get("")
@bp.auth_required(auth)
@bp.output(OverdueOut(many=True))
@bp.doc(responses={403: "Chỉ Văn phòng UBND tỉnh"})
def overdue():
    """List open tasks past due, oldest first, with the accountable agency and its head."""
    rt = runtime()
    return services.overdue_list(rt.uow(), principal(), rt.clock.now(), rt.rules)
