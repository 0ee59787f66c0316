"""Return a vague reply to the agency that sent it (trả lại ý kiến chưa rõ), once per agency.

A task declares it may be returned with ``return_window_days`` (the lead has that many
working days from receiving the reply); the lead's task that declares ``receives_returns``
is where the return is made: it closes, the agency gets a re-answer task with a short
deadline, and the synthesis opens again with the new answer in place of the returned one.
"""

from engine import policy
from engine.calendar import DeadlineModel
from engine.calendar_explain import dmy, hm
from engine.clock import Clock
from engine.deadlines import Deadline, Unit
from engine.errors import Conflict, Invalid, NotFound, StepFailed
from engine.events import ReplyReturned
from engine.identity import Principal
from engine.instances import TaskStatus, task_properties
from engine.policy import Action
from engine.rules import Rules, default_rules
from engine.services.persistence import load_instance, record_failure, retrying_stale, save_instance
from engine.services.responsibility import people_behind_answer
from engine.services.tasks import task_resource
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import task_view

VAGUE_REPLY = "vague_reply"
DEFAULT_REANSWER_DAYS = 2
MAX_REANSWER_DAYS = 5
RETURNABLE_POSITIONS = ("agree_with_amendments", "disagree")


def return_reply(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str, agency: str,
                 reason: str, reanswer_days: int | None = None, rules: Rules | None = None) -> dict:
    """Send a consulted agency's reply back as vague, with a reason, and record the violation."""
    days = DEFAULT_REANSWER_DAYS if reanswer_days is None else reanswer_days
    _check(reason, days)
    return retrying_stale(lambda: _return(uow, clock, principal, instance_id, agency, reason.strip(),
                                          days, rules or default_rules()))


def _return(uow, clock, principal, instance_id, agency, reason, days, rules) -> dict:
    now = clock.now()
    try:
        with uow:
            row = uow.instances.get(instance_id)
            if row is None:
                raise NotFound("Không tìm thấy hồ sơ")
            tasks = _tasks(uow, instance_id)
            compiled = uow.processes.compiled(row["process_version_id"])
            receiving = _receiving(tasks, compiled)
            policy.require(principal, Action.ACT_ON_TASK, task_resource(receiving))
            reply, window = _returnable(uow, tasks, compiled, instance_id, agency)
            _within_window(reply, receiving, window, now, rules.calendar.for_agency(receiving["agency_code"]))
            row, instance = load_instance(uow, instance_id, rules, now)
            returned = _as_synthesised(instance.variables, agency)
            instance.return_reply(receiving["id"], returned, reason, days, now, principal.subject)
            instance.events.append(ReplyReturned(instance_id, now, principal.subject, reply["id"], agency,
                                                 reason))
            save_instance(uow, row, instance, rules, now)
            uow.violations.add(agency_code=agency, kind=VAGUE_REPLY, instance_id=instance_id,
                               task_id=reply["id"], occurred_at=now, **people_behind_answer(uow, reply))
            reanswer = next(t for t in _tasks(uow, instance_id)
                            if t["state"] == TaskStatus.OPEN and t["agency_code"] == agency)
            view = {"instance_id": instance_id, "agency": agency, "returned_task_id": reply["id"],
                    "reason": reason, "returned_reply": returned, "reanswer_task": task_view(reanswer)}
            uow.commit()
    except StepFailed as err:
        record_failure(uow, instance_id, err, principal.subject, now)
        raise
    return view


def _check(reason: str, days) -> None:
    errors = {}
    if len((reason or "").strip()) < 10:
        errors["reason"] = "Bắt buộc: nêu rõ vì sao ý kiến chưa rõ, ít nhất 10 ký tự"
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_REANSWER_DAYS:
        errors["working_days"] = f"Thời hạn trả lời lại từ 1 đến {MAX_REANSWER_DAYS} ngày làm việc"
    if errors:
        raise Invalid("Yêu cầu trả lại ý kiến không hợp lệ", errors)


def _tasks(uow, instance_id: str) -> list:
    rows, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=10_000))
    return sorted(rows, key=lambda t: (t["created_at"], t["id"]))


def _receiving(tasks: list, compiled):
    for task in tasks:
        receives = task_properties(compiled, task["bpmn_id"]).get("receives_returns")
        if task["state"] == TaskStatus.OPEN and receives:
            return task
    raise Conflict("Chỉ trả lại ý kiến khi cơ quan chủ trì đang tổng hợp ý kiến (đã nhận đủ ý kiến)")


def _returnable(uow, tasks: list, compiled, instance_id: str, agency: str):
    """Return the agency's reply that may go back, and the window its task declares."""
    if any(v["kind"] == VAGUE_REPLY and v["agency_code"] == agency
           for v in uow.violations.for_instance(instance_id)):
        raise Conflict("Ý kiến của cơ quan này đã bị trả lại một lần; không trả lại lần thứ hai")
    answered = [t for t in tasks if t["agency_code"] == agency and t["state"] == TaskStatus.COMPLETED]
    windows = [(t, task_properties(compiled, t["bpmn_id"]).get("return_window_days")) for t in answered]
    returnable = [(t, int(w)) for t, w in windows if w]
    if not returnable:
        raise Conflict(f"Cơ quan {agency} chưa gửi ý kiến nào có thể trả lại trong hồ sơ này")
    reply, window = returnable[-1]
    if (reply["data"] or {}).get("position") not in RETURNABLE_POSITIONS:
        raise Conflict("Chỉ trả lại ý kiến đồng ý có ý kiến hoặc không đồng ý; ý kiến đồng ý hoặc coi"
                       " như đồng ý không cần nêu lý do")
    return reply, window


def _within_window(reply, receiving, window: int, now, cal) -> None:
    # The lead receives a reply when it can act on it: when it arrives, or when the synthesis
    # opens if the reply came earlier, so an early reply is not lost to a slow one.
    received = max(reply["completed_at"], receiving["created_at"])
    until = Deadline(window, Unit.WORKING_DAYS, received, True, DeadlineModel.DAY_COUNT).base_due(cal)
    if now > until:
        local = until.astimezone(cal.tz)
        raise Conflict(f"Đã quá {window} ngày làm việc kể từ khi nhận ý kiến (hạn trả lại: "
                       f"{hm(local)} ngày {dmy(local.date())})")


def _as_synthesised(variables: dict, agency: str) -> dict:
    for reply in variables.get("replies") or []:
        if reply.get("agency") == agency:
            return dict(reply)
    raise Conflict(f"Bản tổng hợp không có ý kiến của {agency}")


def returnable_agencies(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                        rules: Rules | None = None) -> list[tuple[str, str]]:
    """List the agencies (code, name) whose reply the principal may still return from this task.

    Empty unless the task is the lead's open receiving task and the principal may act on it;
    each agency listed passes the same checks ``return_reply`` makes (position, once, window).
    """
    rules, now = rules or default_rules(), clock.now()
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task["state"] != TaskStatus.OPEN \
                or not policy.may(principal, Action.ACT_ON_TASK, task_resource(task)):
            return []
        compiled = uow.processes.compiled(uow.instances.get(task["instance_id"])["process_version_id"])
        if not task_properties(compiled, task["bpmn_id"]).get("receives_returns"):
            return []
        tasks = _tasks(uow, task["instance_id"])
        cal = rules.calendar.for_agency(task["agency_code"])
        found = []
        for agency in sorted({t["agency_code"] for t in tasks} - {task["agency_code"]}):
            try:
                reply, window = _returnable(uow, tasks, compiled, task["instance_id"], agency)
                _within_window(reply, task, window, now, cal)
            except Conflict:
                continue
            found.append((agency, uow.directory.agency(agency)["name"]))
    return found
