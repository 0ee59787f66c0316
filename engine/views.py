"""Shape rows and aggregates into the plain dictionaries use cases return.

Views are not ORM rows: callers get exactly these fields, so storage can change freely.
"""


def iso(value) -> str | None:
    """Format an instant as ISO 8601, keeping None."""
    return value.isoformat() if value is not None else None


def version_view(row) -> dict:
    """Describe one deployed process version."""
    return {
        "process_id": row["process_id"],
        "name": row["name"],
        "version": row["version"],
        "content_hash": row["content_hash"],
        "deployed_at": iso(row.get("deployed_at")),
    }


def task_view(row) -> dict:
    """Describe one human task from the projection."""
    return {
        "id": row["id"],
        "instance_id": row["instance_id"],
        "bpmn_id": row["bpmn_id"],
        "name": row["name"],
        "lane": row["lane"],
        "agency": row["agency_code"],
        "form": row["form"],
        "state": row["state"],
        "created_at": iso(row["created_at"]),
        "due_at": iso(row["due_at"]),
        "paused": row["paused_at"] is not None,
        "escalation_level": row["escalation_level"],
        "deemed_consent": row["deemed_consent"],
        "pause_approver": row["pause_approver"] or "none",
        "completed_at": iso(row["completed_at"]),
        "completed_by": row["completed_by"],
        "claimed_by": row["claimed_by"],
        "data": row["data"],
    }


def deadline_request_view(row) -> dict:
    """Describe one request and its decision."""
    return {"id": row["id"], "task_id": row["task_id"], "instance_id": row["instance_id"],
            "agency": row["agency_code"], "kind": row["kind"], "working_days": row["working_days"],
            "reason": row["reason"], "asked_by": row["asked_by"], "asked_at": iso(row["asked_at"]),
            "approver_agency": row["approver_agency"], "state": row["state"],
            "decided_by": row["decided_by"],
            "decided_at": iso(row["decided_at"]),
            "decision_reason": row["decision_reason"]}


def audit_view(row) -> dict:
    """Describe one audit event."""
    return {
        "type": row["type"],
        "task_id": row["task_id"],
        "actor": row["actor"],
        "occurred_at": iso(row["occurred_at"]),
    }


def instance_view(row, instance, tasks, history, principal, full: bool) -> dict:
    """Describe an instance; a participant that is not the lead sees only its own part."""
    own = {t["id"] for t in tasks if t["agency_code"] == principal.agency}
    return {
        "id": row["id"],
        "process_id": row["process_id"],
        "process_version": row["process_version"],
        "status": instance.status,
        "lead_agency": row["lead_agency"],
        "created_at": iso(row["created_at"]),
        "ended_at": iso(row["ended_at"]),
        # Why the last step failed (rolled back), for whoever may read the instance to act on.
        "last_error": row["last_error"],
        "variables": instance.variables if full else {},
        "open_tasks": [task_view(t) for t in tasks
                       if t["state"] == "open" and (full or t["id"] in own)],
        "history": [audit_view(h) for h in history if full or h["task_id"] in own],
    }


def agency_view(row) -> dict:
    """Describe an agency of the directory."""
    return {"code": row["code"], "name": row["name"], "kind": row["kind"],
            "head_name": row["head_name"], "parent_code": row["parent_code"]}


def user_view(row) -> dict:
    """Describe a user; never the password hash."""
    return {"id": row["id"], "username": row["username"], "full_name": row["full_name"],
            "agency_code": row["agency_code"], "roles": list(row["roles"]), "active": row["active"],
            "has_password": row["password_hash"] is not None, "email": row.get("email")}


def token_view(row) -> dict:
    """Describe an API token; never the token or its hash."""
    return {"id": row["id"], "agency_code": row["agency_code"], "roles": list(row["roles"]),
            "label": row["label"], "user_id": row["user_id"],
            "kind": "personal" if row["user_id"] else "system", "issued_by": row["issued_by"],
            "created_at": iso(row["created_at"]),
            "expires_at": iso(row["expires_at"]), "revoked_at": iso(row["revoked_at"])}


def delegation_view(row) -> dict:
    """Describe a delegation of a head's authority."""
    return {"id": row["id"], "agency_code": row["agency_code"], "from_user_id": row["from_user_id"],
            "to_user_id": row["to_user_id"], "starts_at": iso(row["starts_at"]),
            "ends_at": iso(row["ends_at"]), "reason": row["reason"],
            "revoked_at": iso(row["revoked_at"])}
