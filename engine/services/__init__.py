"""Use cases: each runs in one unit of work and commits state, tasks, audit and outbox together."""

from engine.services.assignments import assignment_backlog, list_assignments
from engine.services.deadlines import (
    explain_deadline,
    extend_task,
    pause_task,
    recompute_deadlines,
    resume_task,
)
from engine.services.enforcement import climb_ladder, fire_timer, handlers, overdue_list
from engine.services.instances import cancel_instance, get_instance, start_instance
from engine.services.processes import (
    deploy_process,
    get_process,
    list_processes,
    load_process_directory,
)
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
    "deploy_process",
    "explain_deadline",
    "extend_task",
    "fire_timer",
    "get_instance",
    "get_process",
    "get_task",
    "handlers",
    "list_assignments",
    "list_processes",
    "list_tasks",
    "load_process_directory",
    "overdue_list",
    "pause_task",
    "reassign_task",
    "recompute_deadlines",
    "resume_task",
    "start_instance",
    "unclaim_task",
]
