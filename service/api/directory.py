"""The directory: agencies, users, API tokens and delegations."""

from apiflask import APIBlueprint
from flask import current_app

from engine.services import directory
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import (
    AgencyIn,
    AgencyOut,
    DelegationIn,
    DelegationOut,
    TokenIn,
    TokenOut,
    TokenQueryIn,
    UserIn,
    UserOut,
    UserPatchIn,
)

bp = APIBlueprint("directory", __name__, url_prefix="/api/v1", tag="Danh bạ")


@bp.get("/agencies")
@bp.auth_required(auth)
@bp.output(AgencyOut(many=True))
def list_agencies():
    """List every agency (shared by all signed-in callers)."""
    return directory.list_agencies(runtime().uow())


@bp.put("/agencies/<code>")
@bp.auth_required(auth)
@bp.input(AgencyIn, arg_name="body")
@bp.output(AgencyOut)
def save_agency(code: str, body):
    """Create or update an agency (admins only)."""
    return directory.save_agency(runtime().uow(), principal(), code, body)


@bp.get("/users")
@bp.auth_required(auth)
@bp.output(UserOut(many=True))
def list_users():
    """List users: admins see all, heads see their agency's members."""
    return directory.list_users(runtime().uow(), principal())


@bp.post("/users")
@bp.auth_required(auth)
@bp.input(UserIn, arg_name="body")
@bp.output(UserOut, status_code=201)
def create_user(body):
    """Create a user (admins only); the password is stored as an argon2 hash."""
    rt = runtime()
    return directory.create_user(rt.uow(), rt.clock, principal(), body)


@bp.patch("/users/<user_id>")
@bp.auth_required(auth)
@bp.input(UserPatchIn, arg_name="body")
@bp.output(UserOut)
def update_user(user_id: str, body):
    """Change a user's agency, roles, name, password or active flag (admins only).

    A change of password, roles, agency or active flag signs the user out everywhere.
    """
    rt = runtime()
    return directory.update_user(rt.uow(), rt.clock, principal(), user_id, body)


@bp.get("/tokens")
@bp.auth_required(auth)
@bp.input(TokenQueryIn, location="query", arg_name="q")
@bp.output(TokenOut(many=True))
def list_tokens(q):
    """List API tokens for review, without secrets: an agency's (its head), or all (admins)."""
    system = None if q["kind"] is None else q["kind"] == "system"
    return directory.list_api_tokens(runtime().uow(), principal(), q["agency"], system)


@bp.post("/tokens")
@bp.auth_required(auth)
@bp.input(TokenIn, arg_name="body")
@bp.output(TokenOut, status_code=201)
def issue_token(body):
    """Issue an API token; the token is shown in this answer only.

    A person's token is bound to them (never more than their roles at each request, never
    outliving their membership or delegation); `system: true` issues an agency system token
    (admins only). Every token expires: after 365 days by default.
    """
    rt = runtime()
    return directory.issue_api_token(rt.uow(), rt.clock, principal(), body["agency_code"],
                                     body["roles"], body["label"], body["valid_days"],
                                     body["system"], current_app.config["TOKEN_DAYS"])


@bp.post("/tokens/<int(max=2147483647):token_id>/revoke")
@bp.auth_required(auth)
@bp.output(TokenOut)
def revoke_token(token_id: int):
    """Revoke a token; it is refused from the next request on."""
    rt = runtime()
    return directory.revoke_api_token(rt.uow(), rt.clock, principal(), token_id)


@bp.get("/delegations")
@bp.auth_required(auth)
@bp.output(DelegationOut(many=True))
def list_delegations():
    """List the delegations of the caller's agency."""
    return directory.list_delegations(runtime().uow(), principal())


@bp.post("/delegations")
@bp.auth_required(auth)
@bp.input(DelegationIn, arg_name="body")
@bp.output(DelegationOut, status_code=201)
def delegate(body):
    """Delegate the caller's head authority to a member of the same agency for a period."""
    rt = runtime()
    return directory.delegate(rt.uow(), rt.clock, principal(), body["to_user_id"],
                              body["starts_at"], body["ends_at"], body["reason"])


@bp.post("/delegations/<int(max=2147483647):delegation_id>/revoke")
@bp.auth_required(auth)
@bp.output(DelegationOut)
def revoke_delegation(delegation_id: int):
    """End a delegation now: the deputy loses the head's authority from the next request on.

    The head who delegated, or an admin.
    """
    rt = runtime()
    return directory.revoke_delegation(rt.uow(), rt.clock, principal(), delegation_id)
