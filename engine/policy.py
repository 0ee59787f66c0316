"""Answer one question for every use case: may this principal do this action on this resource?

The agency is the boundary. Officers work on their agency's tasks; heads also reassign and
decide the pause and more-time requests addressed to their agency; the Provincial Office
reads everything and owns the overdue list; Home Affairs reads reports; designers deploy
processes; admins manage the directory. A refusal is always 403 Forbidden (never a disguised
404): ids are random UUIDs, so existence leaks nothing useful, and an explicit refusal helps
agencies debug their integrations.
"""

import enum
from dataclasses import dataclass, field

from engine.errors import Forbidden
from engine.identity import Principal, Role


class Action(enum.StrEnum):
    READ_TASK = "read_task"
    ACT_ON_TASK = "act_on_task"
    ACT_IN_ROLE = "act_in_role"
    CLAIM_TASK = "claim_task"
    REASSIGN_TASK = "reassign_task"
    DECIDE_DEADLINE_REQUEST = "decide_deadline_request"
    READ_INSTANCE = "read_instance"
    START_INSTANCE = "start_instance"
    CANCEL_INSTANCE = "cancel_instance"
    DEPLOY_PROCESS = "deploy_process"
    READ_OVERDUE = "read_overdue"
    FLAG_CONSULTATION = "flag_consultation"
    READ_REPORTS = "read_reports"
    MANAGE_DIRECTORY = "manage_directory"
    MANAGE_TOKENS = "manage_tokens"
    MANAGE_WEBHOOKS = "manage_webhooks"
    SEND_MESSAGE = "send_message"
    RECEIVE_DOSSIER = "receive_dossier"
    READ_DOSSIER = "read_dossier"
    WITHDRAW_DOSSIER = "withdraw_dossier"
    DECIDE_DOSSIER = "decide_dossier"
    RECEIVE_FEEDBACK = "receive_feedback"
    READ_FEEDBACK = "read_feedback"
    READ_ASSIGNMENTS = "read_assignments"


@dataclass(frozen=True)
class Resource:
    """What an action touches: the owning agency, an instance's lead and participants, a claim."""

    agency: str | None = None
    lead_agency: str | None = None
    participants: frozenset[str] = field(default_factory=frozenset)
    claimed_by: str | None = None
    # The role a process's start event asks of its starter (``starter_role``), if any.
    starter_role: str | None = None
    # The role a task asks of whoever completes it (``actor_role``), e.g. a head who signs.
    actor_role: str | None = None


WORKERS = {Role.OFFICER, Role.HEAD, Role.DEPUTY, Role.PROVINCIAL_OFFICE}
READ_ALL = {Role.PROVINCIAL_OFFICE, Role.ADMIN}


def _own(p: Principal, r: Resource) -> bool:
    return r.agency is not None and r.agency == p.agency


def _acts_on_task(p: Principal, r: Resource) -> bool:
    claim_ok = r.claimed_by in (None, p.user_id) or p.has(Role.HEAD)
    return _own(p, r) and p.has_any(WORKERS) and claim_ok


RULES = {
    Action.READ_TASK: lambda p, r: _own(p, r) or p.has_any(READ_ALL),
    Action.ACT_ON_TASK: _acts_on_task,
    # A head's step (a signature): a deputy holds ``head`` only while a delegation is in force.
    Action.ACT_IN_ROLE: lambda p, r: r.actor_role is None or r.actor_role in p.roles,
    Action.CLAIM_TASK: lambda p, r: _own(p, r) and p.has_any(WORKERS) and p.user_id is not None,
    Action.REASSIGN_TASK: lambda p, r: _own(p, r) and p.has(Role.HEAD),
    # A pause or more time is decided by a head of the approving agency, never by an admin:
    # the decision is on the substance of the work, which only a head answers for.
    Action.DECIDE_DEADLINE_REQUEST: lambda p, r: _own(p, r) and p.has(Role.HEAD),
    Action.READ_INSTANCE: lambda p, r: p.has_any(READ_ALL) or p.agency == r.lead_agency
    or p.agency in r.participants,
    Action.START_INSTANCE: lambda p, r: p.has_any(WORKERS)
    and (r.starter_role is None or r.starter_role in p.roles),
    Action.CANCEL_INSTANCE: lambda p, r: p.has(Role.ADMIN)
    or (p.agency == r.lead_agency and p.has_any(WORKERS)),
    Action.DEPLOY_PROCESS: lambda p, r: p.has_any({Role.DESIGNER, Role.ADMIN}),
    Action.READ_OVERDUE: lambda p, r: p.has_any(READ_ALL),
    # Item 1d: the Provincial Office, which follows consultations for the Chairman, judges breadth.
    Action.FLAG_CONSULTATION: lambda p, r: p.has(Role.PROVINCIAL_OFFICE),
    Action.READ_REPORTS: lambda p, r: p.has_any({Role.HOME_AFFAIRS, *READ_ALL}),
    Action.MANAGE_DIRECTORY: lambda p, r: p.has(Role.ADMIN),
    Action.MANAGE_TOKENS: lambda p, r: p.has(Role.ADMIN) or (_own(p, r) and p.has(Role.HEAD)),
    Action.MANAGE_WEBHOOKS: lambda p, r: p.has(Role.ADMIN) or (_own(p, r) and p.has_any(WORKERS)),
    # An agency's own system may message an instance it leads or has an open task in.
    Action.SEND_MESSAGE: lambda p, r: p.has_any(WORKERS)
    and (p.agency == r.lead_agency or p.agency in r.participants),
    # A dossier: ``agency`` handles it, ``lead_agency`` is the one-stop desk that received it.
    Action.RECEIVE_DOSSIER: lambda p, r: _own(p, r) and p.has_any(WORKERS),
    Action.READ_DOSSIER: lambda p, r: p.has_any(READ_ALL)
    or p.agency in (r.agency, r.lead_agency) or p.agency in r.participants,
    Action.WITHDRAW_DOSSIER: lambda p, r: p.has_any(WORKERS) and p.agency in (r.agency, r.lead_agency),
    Action.DECIDE_DOSSIER: lambda p, r: _own(p, r) and p.has(Role.HEAD),
    # Feedback: ``agency`` is accountable now, ``lead_agency`` received it, ``participants``
    # are every agency that had a step of it (those it was transferred up from).
    Action.RECEIVE_FEEDBACK: lambda p, r: p.has_any(WORKERS),
    Action.READ_FEEDBACK: lambda p, r: p.has_any(READ_ALL)
    or p.agency in (r.agency, r.lead_agency) or p.agency in r.participants,
    # Assigned tasks: ``agency`` is the lead agency; the Provincial Office follows every one.
    Action.READ_ASSIGNMENTS: lambda p, r: p.has_any(READ_ALL) or (_own(p, r) and p.has_any(WORKERS)),
}

REFUSALS = {
    Action.READ_TASK: "Không được xem công việc của cơ quan khác",
    Action.ACT_ON_TASK: "Nhiệm vụ này thuộc cơ quan khác hoặc đã được cán bộ khác nhận xử lý",
    Action.ACT_IN_ROLE: "Bước này chỉ dành cho vai trò quy trình chỉ định, như lãnh đạo ký duyệt "
    "(hoặc người được lãnh đạo ủy quyền)",
    Action.CLAIM_TASK: "Chỉ cán bộ của cơ quan được giao mới nhận xử lý nhiệm vụ",
    Action.REASSIGN_TASK: "Chỉ lãnh đạo cơ quan được phân công lại nhiệm vụ",
    Action.DECIDE_DEADLINE_REQUEST: "Chỉ lãnh đạo cơ quan có thẩm quyền được duyệt đề nghị này",
    Action.READ_INSTANCE: "Không được xem hồ sơ của cơ quan khác",
    Action.START_INSTANCE: "Vai trò này không được khởi tạo hồ sơ của quy trình này",
    Action.CANCEL_INSTANCE: "Chỉ cơ quan chủ trì được hủy hồ sơ",
    Action.DEPLOY_PROCESS: "Chỉ người thiết kế quy trình hoặc quản trị được triển khai quy trình",
    Action.READ_OVERDUE: "Chỉ Văn phòng UBND tỉnh được xem danh sách quá hạn của mọi cơ quan",
    Action.FLAG_CONSULTATION: "Chỉ Văn phòng UBND tỉnh được đánh dấu yêu cầu lấy ý kiến quá rộng",
    Action.READ_REPORTS: "Chỉ Sở Nội vụ và Văn phòng UBND tỉnh được xem báo cáo",
    Action.MANAGE_DIRECTORY: "Chỉ quản trị hệ thống được quản lý danh bạ",
    Action.MANAGE_TOKENS: "Chỉ lãnh đạo cơ quan hoặc quản trị được quản lý mã truy cập",
    Action.MANAGE_WEBHOOKS: "Chỉ cơ quan sở hữu được quản lý webhook của mình",
    Action.SEND_MESSAGE: "Chỉ cơ quan chủ trì hoặc cơ quan đang có nhiệm vụ trong hồ sơ "
    "được gửi thông điệp",
    Action.RECEIVE_DOSSIER: "Chỉ bộ phận Một cửa nơi tiếp nhận thủ tục này được nhận hồ sơ",
    Action.READ_DOSSIER: "Không được xem hồ sơ của cơ quan khác",
    Action.WITHDRAW_DOSSIER: "Chỉ bộ phận Một cửa hoặc cơ quan giải quyết được rút hồ sơ",
    Action.DECIDE_DOSSIER: "Chỉ lãnh đạo cơ quan giải quyết được dừng xử lý hoặc duyệt hẹn lại",
    Action.RECEIVE_FEEDBACK: "Vai trò này không được tiếp nhận phản ánh, kiến nghị",
    Action.READ_FEEDBACK: "Không được xem phản ánh, kiến nghị của cơ quan khác",
    Action.READ_ASSIGNMENTS: "Chỉ Văn phòng UBND tỉnh được xem nhiệm vụ được giao của cơ quan khác",
}


def may(p: Principal, action: Action, resource: Resource | None = None) -> bool:
    """Tell whether the principal may do the action on the resource."""
    return bool(RULES[action](p, resource or Resource()))


def require(p: Principal, action: Action, resource: Resource | None = None) -> None:
    """Raise Forbidden, with a Vietnamese reason, unless the principal may act."""
    if not may(p, action, resource):
        raise Forbidden(REFUSALS[action])


def reads_all(p: Principal) -> bool:
    """Tell whether the principal may read every agency's work (Provincial Office, admins)."""
    return p.has_any(READ_ALL)
