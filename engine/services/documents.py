"""Gather the plain facts a dossier's documents print: who, what, when, and each hand-off's verdict.

Nothing here renders: the service turns these facts into HTML and PDF. Instants stay aware
datetimes; the renderer shows them in the calendar's zone.
"""

import hashlib
import hmac
from datetime import datetime

from engine.clock import Clock
from engine.documents import TITLES, Form, handoff_verdict
from engine.dossiers import PAUSING, DossierStatus
from engine.errors import Invalid, NotFound
from engine.identity import Principal
from engine.policy import Action
from engine.rules import Rules, default_rules
from engine.services.dossiers import NOT_FOUND, _require, _row
from engine.services.persistence import load_instance
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
    form = _form(form)
    with uow:
        row = _row(uow, code)
        _require(uow, principal, Action.READ_DOSSIER, row)
        return _facts(uow, row, form, clock.now(), rules or default_rules())


def public_receipt(uow: UnitOfWork, clock: Clock, code: str, secret: str, key: str,
                   rules: Rules | None = None) -> dict:
    """Return the receipt (form 01) to whoever holds its code and the secret printed on it."""
    expected = receipt_secret(key, code)
    with uow:
        row = uow.dossiers.get(code)
        # A wrong secret and an unknown code answer alike, so neither can be probed.
        if row is None or not hmac.compare_digest(expected, (secret or "").strip().upper()):
            raise NotFound(NOT_FOUND)
        return _facts(uow, row, Form.RECEIPT, clock.now(), rules or default_rules())


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
    # Steps opened in one instant are ordered as the audit trail recorded them.
    opened = {h["task_id"]: h["id"] for h in reversed(history) if h["type"] == "task.assigned"}
    tasks = sorted(tasks, key=lambda t: (t["created_at"], opened.get(t["id"], 0)))
    facts = {
        "form": form.value, "title": TITLES[form], "now": now,
        "code": row["code"], "status": DossierStatus(row["status"]).label,
        "procedure": {"code": version["code"], "name": version["name"],
                      "total_working_days": version["total_working_days"]},
        "agency": _agency(uow, row["agency_code"]), "desk": _agency(uow, row["desk_agency"]),
        "applicant": dict(row["applicant"]), "channel": row["channel"],
        "submitted_at": row["submitted_at"], "received_at": row["received_at"],
        "promised_at": row["promised_at"], "original_promised_at": row["original_promised_at"],
        "finished_at": row["finished_at"], "supplement_count": row["supplement_count"],
        "received_by": _person(uow, next((c["actor"] for c in changes
                                           if c["detail"]["to_status"] == 2), None)),
        "documents": _received_documents(uow, row, rules, now),
        "pauses": _pauses(changes),
        "apology": apology and {"at": apology["occurred_at"], "actor": apology["actor"],
                                "old_promised_at": _instant(apology["detail"]["old_promised_at"]),
                                "new_promised_at": _instant(apology["detail"]["new_promised_at"]),
                                "reason": apology["detail"]["reason"]},
        "reasons": _reasons(changes, tasks, form),
    }
    if form == Form.CONTROL_SHEET:
        facts["handoffs"] = _handoffs(uow, tasks, rules.calendar.tz, facts)
    _check_applies(form, facts)
    return facts


def _check_applies(form: Form, facts: dict) -> None:
    """Refuse a form whose fact never happened: no apology, no refusal, no supplement request."""
    missing = {
        Form.RECEIPT: facts["received_at"] is None and facts["status"] != DossierStatus.SUBMITTED.label,
        Form.APOLOGY: facts["apology"] is None,
        Form.REFUSAL: facts["reasons"] is None,
        Form.SUPPLEMENT: facts["reasons"] is None,
    }
    if missing.get(form):
        raise Invalid(f"Hồ sơ {facts['code']} không có {TITLES[form].lower()}")


def _agency(uow, code: str) -> dict:
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


def _person(uow, actor: str | None) -> str | None:
    """Name the officer behind an audit actor; an API token or the system has no name to print."""
    if not actor or not actor.startswith("user:"):
        return None
    user = uow.directory.user_by_username(actor.removeprefix("user:").split("@")[0])
    return user["full_name"] if user else None


def _handoffs(uow, tasks, tz, facts) -> list[dict]:
    """List each hand-off: who gave, who received, when, by when, when done, and the verdict."""
    rows, giver = [], {"agency": facts["desk"]["name"], "person": facts["received_by"]}
    names = {}
    for task in tasks:
        verdict = handoff_verdict(task["completed_at"], task["due_at"], tz)
        if task["agency_code"] not in names:
            names[task["agency_code"]] = _agency(uow, task["agency_code"])["name"]
        receiver = {"agency": names[task["agency_code"]],
                    "person": _person(uow, task["completed_by"])}
        rows.append({"step": task["name"], "giver": giver, "receiver": receiver,
                     "received_at": task["created_at"], "due_at": task["due_at"],
                     "completed_at": task["completed_at"], "verdict": verdict.value,
                     "verdict_label": verdict.label})
        if task["completed_at"]:
            giver = receiver
    return rows
