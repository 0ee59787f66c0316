"""Answer whether a principal may do an action on a resource; every use case asks here."""

from engine.errors import Forbidden
from engine.identity import Principal, Role

READ_ALL = {Role.PROVINCIAL_OFFICE, Role.ADMIN}
STARTERS = {Role.OFFICER, Role.HEAD, Role.PROVINCIAL_OFFICE}
DEPLOYERS = {Role.DESIGNER, Role.ADMIN}


def reads_all(p: Principal) -> bool:
    """Tell whether the principal may read every agency's work (Provincial Office, admins)."""
    return p.role in READ_ALL


def require_deploy(p: Principal) -> None:
    if p.role not in DEPLOYERS:
        raise Forbidden("Chỉ người thiết kế quy trình hoặc quản trị được triển khai quy trình")


def require_start(p: Principal) -> None:
    if p.role not in STARTERS:
        raise Forbidden("Vai trò này không được khởi tạo hồ sơ")


def require_read_agency(p: Principal, agency: str) -> None:
    if agency != p.agency and not reads_all(p):
        raise Forbidden("Không được xem công việc của cơ quan khác")


def require_act_on_task(p: Principal, task_agency: str) -> None:
    if task_agency != p.agency or p.role not in STARTERS:
        raise Forbidden("Nhiệm vụ này thuộc cơ quan khác")


def require_read_instance(p: Principal, lead_agency: str, task_agencies: set[str]) -> None:
    if not reads_all(p) and p.agency != lead_agency and p.agency not in task_agencies:
        raise Forbidden("Không được xem hồ sơ của cơ quan khác")


def require_cancel(p: Principal, lead_agency: str) -> None:
    if p.role != Role.ADMIN and (p.agency != lead_agency or p.role not in STARTERS):
        raise Forbidden("Chỉ cơ quan chủ trì được hủy hồ sơ")


def require_approve_extension(p: Principal, agency: str) -> None:
    if p.agency != agency or p.role not in (Role.HEAD, Role.ADMIN):
        raise Forbidden("Chỉ lãnh đạo cơ quan được duyệt gia hạn")


def require_read_all(p: Principal) -> None:
    if not reads_all(p):
        raise Forbidden("Chỉ Văn phòng UBND tỉnh được xem danh sách quá hạn của mọi cơ quan")
