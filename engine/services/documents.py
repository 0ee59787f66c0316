"""Gather the plain facts a dossier's documents print: who, what, when, and each hand-off's verdict.

Nothing here renders: the service turns these facts into HTML and PDF. Instants stay aware
datetimes; the renderer shows them in the calendar's zone.
"""

import enum
import hashlib
import hmac
from datetime import datetime

from engine import policy
from engine.clock import Clock
from engine.documents import NUMBERED, TITLES, Form, handoff_verdict
from engine.dossiers import PAUSING, DossierStatus, Verdict
from engine.errors import Forbidden, Invalid, NotFound
from engine.identity import Principal
from engine.instances import DEEMED_AGREE
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.dossiers import NOT_FOUND, dossier_row, require_dossier
from engine.services.persistence import load_instance, retrying_stale
from engine.store.dossiers import DossierQuery, to_dossier
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork

SECRET_LENGTH = 8


def receipt_secret(key: str, code: str) -> str:
    """Return the short secret printed on the receipt: an HMAC of the code, never stored."""
    digest = hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()
    return digest[:SECRET_LENGTH].upper()


def dossier_document(uow: UnitOfWork, clock: Clock, principal: Principal, code: str, form: str,
                     rules: Rules | None = None) -> dict:
    """Return the facts of one form of a dossier, to those who may read the dossier."""
    form, rules = _form(form), rules or default_rules()

    def attempt() -> dict:
        with uow:
            row = dossier_row(uow, code)
            require_dossier(uow, principal, Action.READ_DOSSIER, row)
            facts = _facts(uow, row, form, clock.now(), rules)
            facts["number"] = _number(uow, facts, rules)
            uow.commit()
        return facts

    return retrying_stale(attempt)


def printable_forms(uow: UnitOfWork, principal: Principal, code: str) -> list[dict]:
    """List the forms of a dossier whose fact happened (no refusal form for an accepted one)."""
    with uow:
        row = dossier_row(uow, code)
        require_dossier(uow, principal, Action.READ_DOSSIER, row)
        history = uow.journal.history(row["instance_id"])
        tasks, _ = uow.tasks.search(TaskQuery(instance_id=row["instance_id"], limit=1000))
    tasks = in_handoff_order(tasks, history)
    changes = [h for h in history if h["type"] == "dossier.status_changed"]
    facts = {"received_at": row["received_at"], "status": DossierStatus(row["status"]).label,
             "apology": next((h for h in history if h["type"] == "dossier.apologised"), None)}
    return [{"form": form.value, "title": TITLES[form]} for form in Form
            if not _missing(form, {**facts, "reasons": _reasons(changes, tasks, form)})]


def printable_papers(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str,
                     rules: Rules | None = None) -> list[dict]:
    """List the consultation papers of an instance that the principal may print now."""
    rules = rules or default_rules()
    with uow:
        return [{"paper": paper.value, "title": PAPER_TITLES[paper]} for paper in ConsultationPaper
                if _applies(lambda p=paper: _consultation_facts(uow, principal, instance_id, p,
                                                                clock.now(), rules))]


def _applies(gather) -> bool:
    try:
        gather()
    except (Invalid, Forbidden):
        return False
    return True


def _number(uow, facts: dict, rules: Rules) -> str:
    """Return the form's number and symbol, taking the next of its agency's series on first print."""
    form = Form(facts["form"])
    if form not in NUMBERED:
        return facts["code"]
    issued = uow.numbers.issued(facts["code"], form.value)
    if issued is None:
        agency = facts["agency" if form == Form.APOLOGY else "desk"]["code"]
        year = facts["issued_at"].astimezone(rules.calendar.tz).year
        issued = uow.numbers.issue(facts["code"], form.value, agency, year, NUMBERED[form], facts["now"])
    return issued["symbol"]


def public_receipt(uow: UnitOfWork, clock: Clock, code: str, secret: str, key: str,
                   rules: Rules | None = None) -> dict:
    """Return the receipt (form 01) to whoever holds its code and the secret printed on it."""
    expected = receipt_secret(key, code)
    with uow:
        row = uow.dossiers.get(code)
        # A wrong secret and an unknown code answer alike, so neither can be probed.
        if row is None or not hmac.compare_digest(expected, (secret or "").strip().upper()):
            raise NotFound(NOT_FOUND)
        facts = _facts(uow, row, Form.RECEIPT, clock.now(), rules or default_rules())
        return {**facts, "number": facts["code"]}


def _form(form: str) -> Form:
    try:
        return Form(form)
    except ValueError:
        raise NotFound(f"Không có mẫu phiếu '{form}'; có các mẫu {', '.join(f.value for f in Form)}") \
            from None


def _facts(uow, row, form: Form, now: datetime, rules: Rules) -> dict:
    version = uow.catalog.get(row["procedure_version_id"])["definition"]
    history = uow.journal.history(row["instance_id"])
    changes = [h for h in history if h["type"] == "dossier.status_changed"]
    apology = next((h for h in history if h["type"] == "dossier.apologised"), None)
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=row["instance_id"], limit=1000))
    tasks = in_handoff_order(tasks, history)
    facts = {
        "form": form.value, "title": TITLES[form], "now": now,
        "code": row["code"], "status": DossierStatus(row["status"]).label,
        "procedure": {"code": version["code"], "name": version["name"],
                      "total_working_days": version["total_working_days"]},
        "agency": agency_facts(uow, row["agency_code"]), "desk": agency_facts(uow, row["desk_agency"]),
        "applicant": dict(row["applicant"]), "channel": row["channel"],
        "submitted_at": row["submitted_at"], "received_at": row["received_at"],
        "promised_at": row["promised_at"], "original_promised_at": row["original_promised_at"],
        "finished_at": row["finished_at"], "supplement_count": row["supplement_count"],
        "received_by": person_name(uow, next((c["actor"] for c in changes
                                           if c["detail"]["to_status"] == 2), None)),
        "documents": _received_documents(uow, row, rules, now),
        "pauses": _pauses(changes),
        "apology": apology and {"at": apology["occurred_at"], "actor": apology["actor"],
                                "old_promised_at": _instant(apology["detail"]["old_promised_at"]),
                                "new_promised_at": _instant(apology["detail"]["new_promised_at"]),
                                "reason": apology["detail"]["reason"]},
        "reasons": _reasons(changes, tasks, form),
    }
    facts["issued_at"] = _issued_at(facts)
    if form == Form.CONTROL_SHEET:
        facts["handoffs"] = handoffs(uow, tasks, rules.calendar.tz,
                                     {"agency": facts["desk"]["name"], "person": facts["received_by"]})
    _check_applies(form, facts)
    return facts


def _issued_at(facts: dict) -> datetime:
    """Date the form by the fact it records: the receipt, the apology, the refusal, or now."""
    if facts["form"] == Form.RECEIPT:
        return facts["received_at"] or facts["submitted_at"]
    if facts["form"] == Form.APOLOGY and facts["apology"]:
        return facts["apology"]["at"]
    if facts["form"] == Form.REFUSAL and facts["finished_at"]:
        return facts["finished_at"]
    return facts["now"]


def _check_applies(form: Form, facts: dict) -> None:
    """Refuse a form whose fact never happened: no apology, no refusal, no supplement request."""
    if _missing(form, facts):
        raise Invalid(f"Hồ sơ {facts['code']} không có {TITLES[form].lower()}")


def _missing(form: Form, facts: dict) -> bool:
    """Tell whether the fact a form records never happened to the dossier."""
    return {
        Form.RECEIPT: facts["received_at"] is None and facts["status"] != DossierStatus.SUBMITTED.label,
        Form.APOLOGY: facts["apology"] is None,
        Form.REFUSAL: facts["reasons"] is None,
        Form.SUPPLEMENT: facts["reasons"] is None,
    }.get(form, False)


def agency_facts(uow, code: str) -> dict:
    agency = uow.directory.agency(code)
    return {"code": code, "name": agency["name"] if agency else code,
            "head_name": agency["head_name"] if agency else None,
            "parent": _parent(uow, agency)}


def _parent(uow, agency) -> str | None:
    parent = uow.directory.agency(agency["parent_code"]) if agency and agency["parent_code"] else None
    return parent["name"] if parent else None


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _received_documents(uow, row, rules: Rules, now: datetime) -> list:
    """Read the documents the desk listed at receipt from the process's variables."""
    _, instance = load_instance(uow, row["instance_id"], rules, now)
    return list(instance.variables.get("received_documents") or [])


def _pauses(changes) -> list[dict]:
    """Pair each entry into a pausing status with the change that ended it."""
    pauses = []
    for entered, left in zip(changes, changes[1:] + [None], strict=True):
        if entered["detail"]["to_status"] in PAUSING:
            pauses.append({"status": entered["detail"]["label"], "from": entered["occurred_at"],
                           "to": left["occurred_at"] if left else None,
                           "reason": entered["detail"].get("reason") or ""})
    return pauses


def _reasons(changes, tasks, form: Form) -> str | None:
    """Find the reasons a refusal (status 3) or a supplement request (status 5, or at the desk) gave."""
    wanted = {Form.REFUSAL: ("refuse", {int(DossierStatus.REFUSED)}),
              Form.SUPPLEMENT: ("supplement", {int(DossierStatus.SUPPLEMENT_REQUESTED)})}.get(form)
    if wanted is None:
        return None
    decision, statuses = wanted
    for task in reversed(tasks):
        data = task["data"] or {}
        # The desk decides at receipt; the handling agency's appraisal names an outcome.
        chosen = decision in (data.get("decision"), data.get("outcome"))
        if task["completed_at"] and chosen and data.get("reasons"):
            return data["reasons"]
    for change in reversed(changes):
        if change["detail"]["to_status"] in statuses:
            return change["detail"].get("reason") or ""
    return None


def person_name(uow, actor: str | None) -> str | None:
    """Name the officer behind an audit actor; an API token or the system has no name to print."""
    if not actor or not actor.startswith("user:"):
        return None
    user = uow.directory.user_by_username(actor.removeprefix("user:").split("@")[0])
    return user["full_name"] if user else None


def in_handoff_order(tasks: list, history: list) -> list:
    """Order steps as they were handed on; steps opened in one instant as the audit recorded them."""
    opened = {h["task_id"]: h["id"] for h in reversed(history) if h["type"] == "task.assigned"}
    return sorted(tasks, key=lambda t: (t["created_at"], opened.get(t["id"], 0)))


def handoffs(uow, tasks, tz, giver: dict) -> list[dict]:
    """List each hand-off: who gave, who received, when, by when, when done, and the verdict.

    ``giver`` is who handed the first step on: the desk that received a dossier, the agency
    that started a consultation.
    """
    rows = []
    names = {}
    for task in tasks:
        verdict = handoff_verdict(task["completed_at"], task["due_at"], tz)
        if task["agency_code"] not in names:
            names[task["agency_code"]] = agency_facts(uow, task["agency_code"])["name"]
        receiver = {"agency": names[task["agency_code"]],
                    "person": person_name(uow, task["completed_by"])}
        rows.append({"task_id": task["id"], "bpmn_id": task["bpmn_id"], "agency_code": task["agency_code"],
                     "step": task["name"], "giver": giver, "receiver": receiver,
                     "received_at": task["created_at"], "due_at": task["due_at"],
                     "completed_at": task["completed_at"], "verdict": verdict.value,
                     "verdict_label": verdict.label})
        if task["completed_at"]:
            giver = receiver
    return rows


class ConsultationPaper(enum.StrEnum):
    """The papers a consultation prints: the request (công văn) and the synthesis table."""

    REQUEST = "request"
    SYNTHESIS = "synthesis"


PAPER_TITLES = {ConsultationPaper.REQUEST: "Về việc lấy ý kiến",
                ConsultationPaper.SYNTHESIS: "Bảng tổng hợp, tiếp thu, giải trình ý kiến"}
POSITIONS = {"agree": "Đồng ý", "agree_with_amendments": "Đồng ý, có ý kiến",
             "disagree": "Không đồng ý", DEEMED_AGREE: "Coi như đồng ý (không trả lời đúng hạn)"}


def consultation_document(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str,
                          paper: str, rules: Rules | None = None) -> dict:
    """Return the facts of a consultation's request or synthesis table.

    Every agency of the consultation may print the request it received; the synthesis table
    shows every reply, so only the lead agency or a reader of all prints it.
    """
    rules = rules or default_rules()
    try:
        paper = ConsultationPaper(paper)
    except ValueError:
        raise NotFound(f"Không có văn bản '{paper}'; có: request, synthesis") from None

    def attempt() -> dict:
        with uow:
            facts = _consultation_facts(uow, principal, instance_id, paper, clock.now(), rules)
            if paper == ConsultationPaper.REQUEST:
                issued = (uow.numbers.issued(instance_id, paper.value)
                          or uow.numbers.issue(instance_id, paper.value, facts["lead"]["code"],
                                               facts["issued_at"].astimezone(rules.calendar.tz).year,
                                               "", facts["now"]))
                facts["number"] = issued["symbol"]
            uow.commit()
        return facts

    return retrying_stale(attempt)


def _consultation_facts(uow, principal: Principal, instance_id: str, paper: ConsultationPaper,
                        now: datetime, rules: Rules) -> dict:
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ")
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=1000))
    resource = Resource(lead_agency=row["lead_agency"],
                        participants=frozenset(t["agency_code"] for t in tasks))
    policy.require(principal, Action.READ_INSTANCE, resource)
    if paper == ConsultationPaper.SYNTHESIS and not (
            policy.reads_all(principal) or principal.agency == row["lead_agency"]):
        raise Forbidden("Chỉ cơ quan chủ trì xem được bảng tổng hợp ý kiến")
    done = sorted((t for t in tasks if t["completed_at"]), key=lambda t: t["completed_at"])
    draft = next((t for t in done if t["bpmn_id"] == "draft_request"), None)
    if draft is None:
        raise Invalid("Quy trình chưa có yêu cầu lấy ý kiến đã gửi")
    request = draft["data"] or {}
    replies = sorted((t for t in tasks if t["bpmn_id"] == "reply_to_consultation"),
                     key=lambda t: t["agency_code"])
    synthesis = next((t for t in reversed(done) if t["bpmn_id"] == "synthesize"), None)
    if paper == ConsultationPaper.SYNTHESIS and synthesis is None:
        raise Invalid("Cơ quan chủ trì chưa tổng hợp ý kiến")
    tz = rules.calendar.tz
    lead = agency_facts(uow, row["lead_agency"])
    return {
        "paper": paper.value, "title": PAPER_TITLES[paper], "now": now, "instance_id": instance_id,
        "lead": lead, "subject": request.get("title", ""), "summary": request.get("summary", ""),
        "reply_days": request.get("reply_days"),
        "issued_at": (draft if paper == ConsultationPaper.REQUEST else synthesis)["completed_at"],
        "reply_due_at": max((t["due_at"] for t in replies if t["due_at"]), default=None),
        "consulted": [agency_facts(uow, c) for c in request.get("consulted_agencies", [])],
        "replies": [_reply(uow, t, tz) for t in replies],
        "synthesis": (synthesis["data"] or {}).get("synthesis", "") if synthesis else "",
    }


def _reply(uow, task, tz) -> dict:
    data = (task["data"] or {}) if task["completed_at"] else {}
    position = data.get("position")
    verdict = handoff_verdict(task["completed_at"], task["due_at"], tz)
    return {"agency": agency_facts(uow, task["agency_code"])["name"],
            "position": POSITIONS.get(position, "Chưa trả lời"), "reasons": data.get("reasons") or "",
            "received_at": task["created_at"], "due_at": task["due_at"],
            "replied_at": task["completed_at"], "deemed": position == DEEMED_AGREE,
            "verdict_label": verdict.label}


VERDICTS = {Verdict.ON_TIME: "Đúng hạn", Verdict.LATE: "Quá hạn", Verdict.IN_TIME: "Trong hạn",
            Verdict.OVERDUE: "Quá hạn"}
LOG_LIMIT = 5000  # one agency's month at a busy desk is a few hundred dossiers


def dossier_log(uow: UnitOfWork, clock: Clock, principal: Principal, agency: str | None,
                first: datetime, end: datetime, rules: Rules | None = None) -> dict:
    """Return form 06, the log of dossiers handed in at or to an agency in [first, end), in order.

    A dossier refused at the desk was never accepted, yet the log keeps it: it counts from
    submission.
    """
    agency = agency or principal.agency
    if agency != principal.agency and not policy.reads_all(principal):
        raise Forbidden("Không được xem sổ theo dõi hồ sơ của cơ quan khác")
    now, rules = clock.now(), rules or default_rules()
    with uow:
        rows, total = uow.dossiers.search(DossierQuery(agency=agency, submitted_from=first,
                                                       submitted_to=end, limit=LOG_LIMIT))
        if total > LOG_LIMIT:
            raise Invalid(f"Khoảng thời gian có {total} hồ sơ; hãy chọn khoảng ngắn hơn")
        names = {}
        entries = []
        for row in sorted(rows, key=lambda r: (r["submitted_at"], r["code"])):
            if row["procedure_version_id"] not in names:
                names[row["procedure_version_id"]] = uow.catalog.get(
                    row["procedure_version_id"])["definition"]["name"]
            verdict = to_dossier(row, 0).verdict(now)
            entries.append({
                "code": row["code"], "applicant": row["applicant"].get("name", ""),
                "procedure": names[row["procedure_version_id"]],
                "submitted_at": row["submitted_at"], "promised_at": row["promised_at"],
                "finished_at": row["finished_at"], "status": DossierStatus(row["status"]).label,
                "verdict_label": VERDICTS.get(verdict, ""), "supplements": row["supplement_count"],
                "apologised": row["apologised_at"] is not None})
        return {"title": "Sổ theo dõi hồ sơ", "now": now, "agency": agency_facts(uow, agency),
                "first": first, "end": end, "entries": entries}
