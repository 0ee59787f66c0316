"""Use cases: each runs in one unit of work and commits state, tasks, audit and outbox together."""

from engine.services.assignments import assignment_backlog, get_assignment, list_assignments
from engine.services.deadline_requests import (
    decide_deadline_request,
    list_deadline_requests,
    request_deadline_change,
)
from engine.services.deadlines import (
    end_legacy_pause,
    explain_deadline,
    recompute_deadlines,
    refuse_self_service,
)
from engine.services.enforcement import climb_ladder, fire_timer, handlers, overdue_list
from engine.services.flags import flag_over_broad
from engine.services.instances import (
    cancel_instance,
    get_instance,
    start_instance,
    startable_processes,
)
from engine.services.processes import (
    deploy_process,
    get_process,
    list_processes,
    load_process_directory,
)
from engine.services.returns import return_reply, returnable_agencies
from engine.services.tasks import (
    claim_task,
    complete_task,
    get_task,
    list_tasks,
    reassign_task,
    unclaim_task,
)
from engine.store.repositories import TaskQuery

__all__ = [
    "TaskQuery",
    "assignment_backlog",
    "cancel_instance",
    "claim_task",
    "climb_ladder",
    "complete_task",
    "decide_deadline_request",
    "deploy_process",
    "end_legacy_pause",
    "explain_deadline",
    "fire_timer",
    "flag_over_broad",
    "get_assignment",
    "get_instance",
    "get_process",
    "get_task",
    "handlers",
    "list_assignments",
    "list_deadline_requests",
    "list_processes",
    "list_tasks",
    "load_process_directory",
    "overdue_list",
    "reassign_task",
    "return_reply",
    "returnable_agencies",
    "refuse_self_service",
    "recompute_deadlines",
    "request_deadline_change",
    "start_instance",
    "startable_processes",
    "unclaim_task",
]
