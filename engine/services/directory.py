"""Manage agencies, users, API tokens and delegations; sign users in with throttling and audit."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthenticated
from engine.identity import Principal, Role, check_password, hash_password, hash_token, new_token
from engine.identity import user_principal as principal_of
from engine.policy import Action, Resource
from engine.store.uow import UnitOfWork
from engine.views import agency_view, delegation_view, token_view, user_view

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5  # per (username, address): guesses from elsewhere lock no one out
MAX_FAILURES_PER_ADDRESS = 50  # an office behind one NAT address signs in from it all day
TOKEN_DAYS = 365  # default and longest life of an API token; DUNGHAN_TOKEN_DAYS changes it
MIN_PASSWORD = 10
# Changing any of these ends every session of the user.
SESSION_FIELDS = {"password", "roles", "agency_code", "active"}


@dataclass(frozen=True)
class Session:
    """What a signed-in browser carries: the user and the session generation it began in."""

    user_id: str
    generation: int


def list_agencies(uow: UnitOfWork) -> list[dict]:
    """List every agency; the directory of agencies is shared by all signed-in users."""
    with uow:
        return [agency_view(a) for a in uow.directory.agencies()]


def save_agency(uow: UnitOfWork, principal: Principal, code: str, fields: dict) -> dict:
    """Create or update an agency (admins only)."""
    policy.require(principal, Action.MANAGE_DIRECTORY)
    with uow:
        if fields.get("parent_code") and uow.directory.agency(fields["parent_code"]) is None:
            raise Invalid("Cơ quan cấp trên không tồn tại", {"parent_code": "Không có mã này"})
        if uow.directory.agency(code) is None:
            uow.directory.add_agency(code=code, **fields)
        else:
            uow.directory.update_agency(code, **fields)
        view = agency_view(uow.directory.agency(code))
        uow.commit()
    return view


def list_users(uow: UnitOfWork, principal: Principal, agency: str | None = None) -> list[dict]:
    """List users: admins see everyone; a head sees the members of their own agency."""
    if not policy.may(principal, Action.MANAGE_DIRECTORY):
        policy.require(principal, Action.REASSIGN_TASK, Resource(agency or principal.agency))
        agency = principal.agency
    with uow:
        return [user_view(u) for u in uow.directory.users(agency)]


def create_user(uow: UnitOfWork, clock: Clock, principal: Principal, fields: dict) -> dict:
    """Create a user (admins only); the password is stored as an argon2 hash."""
    policy.require(principal, Action.MANAGE_DIRECTORY)
    password_hash = _password_hash(fields.get("password"))  # CPU-heavy: before the transaction
    with uow:
        if uow.directory.user_by_username(fields["username"]):
            raise Conflict("Tên đăng nhập đã tồn tại")
        _check_agency(uow, fields["agency_code"])
        user_id = str(uuid.uuid4())
        uow.directory.add_user(id=user_id, created_at=clock.now(), active=fields.get("active", True),
                               username=fields["username"], full_name=fields["full_name"],
                               agency_code=fields["agency_code"], roles=sorted(fields["roles"]),
                               password_hash=password_hash, email=fields.get("email"))
        view = user_view(uow.directory.user(user_id))
        uow.commit()
    return view


def update_user(uow: UnitOfWork, clock: Clock, principal: Principal, user_id: str,
                fields: dict) -> dict:
    """Change a user's agency, roles, name, active flag or password (admins only).

    Each takes effect on the user's next request: membership and roles are read when each
    request is authenticated. A change of password, roles, agency or active flag also ends
    every session of the user, and their tokens stop working for an agency they left.
    """
    policy.require(principal, Action.MANAGE_DIRECTORY)
    values = {k: v for k, v in fields.items() if k != "password"}
    if "roles" in values:
        values["roles"] = sorted(values["roles"])
    if "password" in fields:
        values["password_hash"] = _password_hash(fields["password"])  # before the transaction
    with uow:
        if uow.directory.user(user_id) is None:
            raise NotFound("Không có người dùng này")
        if "agency_code" in fields:
            _check_agency(uow, fields["agency_code"])
        uow.directory.update_user(user_id, **values)
        if SESSION_FIELDS & set(fields):
            uow.directory.end_sessions(user_id)
        _security(uow, clock.now(), "user_updated", principal,
                  detail={"user_id": user_id, "fields": sorted(fields)})
        view = user_view(uow.directory.user(user_id))
        uow.commit()
    return view


def issue_api_token(uow: UnitOfWork, clock: Clock, principal: Principal, agency: str,
                    roles: list[str] | None, label: str, valid_days: int | None,
                    system: bool = False, max_days: int = TOKEN_DAYS) -> dict:
    """Issue a token; the plain token is in this answer only.

    A person's token is bound to them: it acts for their agency with at most the roles they
    hold at each request. A system token belongs to no one and only an admin issues it.
    Every token expires, after ``max_days`` at most.
    """
    policy.require(principal, Action.MANAGE_TOKENS, Resource(agency))
    if valid_days is not None and valid_days > max_days:
        raise Invalid("Thời hạn mã truy cập quá dài",
                      {"valid_days": f"Tối đa {max_days} ngày"})
    roles = _token_roles(principal, agency, roles, system)
    token, now = new_token(), clock.now()
    with uow:
        _check_agency(uow, agency)
        token_id = uow.directory.add_token(
            token_hash=hash_token(token), agency_code=agency, roles=roles, label=label,
            user_id=None if system else principal.user_id, issued_by=principal.subject,
            created_at=now, expires_at=now + timedelta(days=valid_days or max_days))
        _security(uow, now, "token_issued", principal,
                  detail={"token_id": token_id, "agency": agency, "system": system})
        view = {**token_view(uow.directory.token_by_id(token_id)), "token": token}
        uow.commit()
    return view


def _token_roles(principal: Principal, agency: str, roles: list[str] | None,
                 system: bool) -> list[str]:
    if system:
        if not principal.has(Role.ADMIN):
            raise Forbidden("Chỉ quản trị được cấp mã hệ thống (không gắn với người dùng)")
        if not roles:
            raise Invalid("Mã hệ thống phải nêu vai trò", {"roles": "Bắt buộc"})
        return sorted(set(roles))
    if principal.user_id is None:
        raise Forbidden("Mã hệ thống không cấp được mã cá nhân; quản trị cấp mã hệ thống")
    if agency != principal.agency:
        raise Invalid("Mã cá nhân chỉ dùng cho cơ quan của chính người cấp",
                      {"agency_code": f"Phải là {principal.agency}"})
    if roles and not set(roles) <= principal.roles:
        raise Invalid("Chỉ cấp được mã với vai trò mình đang giữ",
                      {"roles": "Vai trò không được cấp"})
    return sorted(set(roles or principal.roles))


def list_api_tokens(uow: UnitOfWork, principal: Principal, agency: str | None,
                    system: bool | None = None) -> list[dict]:
    """List tokens without any secret, for review: an agency's (its head), or all (admins)."""
    policy.require(principal, Action.MANAGE_TOKENS, Resource(agency))
    with uow:
        return [token_view(t) for t in uow.directory.tokens(agency, system)]


def revoke_api_token(uow: UnitOfWork, clock: Clock, principal: Principal, token_id: int) -> dict:
    """Revoke a token at once; it is refused from the next request on."""
    with uow:
        token = uow.directory.token_by_id(token_id)
        if token is None:
            raise NotFound("Không có mã truy cập này")
        policy.require(principal, Action.MANAGE_TOKENS, Resource(token["agency_code"]))
        uow.directory.revoke_token(token_id, clock.now())
        _security(uow, clock.now(), "token_revoked", principal, detail={"token_id": token_id})
        view = token_view(uow.directory.token_by_id(token_id))
        uow.commit()
    return view


def delegate(uow: UnitOfWork, clock: Clock, principal: Principal, to_user_id: str,
             starts_at: datetime, ends_at: datetime, reason: str) -> dict:
    """Let a head hand their authority to a member of the same agency for a period (ủy quyền)."""
    if not principal.user_id or not principal.has(Role.HEAD) or principal.acting_for:
        raise Forbidden("Chỉ lãnh đạo (không phải người được ủy quyền) được ủy quyền")
    if ends_at <= starts_at:
        raise Invalid("Thời gian ủy quyền không hợp lệ", {"ends_at": "Phải sau thời điểm bắt đầu"})
    with uow:
        deputy = uow.directory.user(to_user_id)
        if deputy is None or deputy["agency_code"] != principal.agency or not deputy["active"]:
            raise Invalid("Người nhận ủy quyền phải là cán bộ đang làm việc của cùng cơ quan",
                          {"to_user_id": "Không hợp lệ"})
        delegation_id = uow.directory.add_delegation(
            agency_code=principal.agency, from_user_id=principal.user_id, to_user_id=to_user_id,
            starts_at=starts_at, ends_at=ends_at, reason=reason, created_at=clock.now())
        _security(uow, clock.now(), "delegation_created", principal,
                  detail={"delegation_id": delegation_id, "to_user_id": to_user_id})
        view = delegation_view(uow.directory.delegation(delegation_id))
        uow.commit()
    return view


def revoke_delegation(uow: UnitOfWork, clock: Clock, principal: Principal,
                      delegation_id: int) -> dict:
    """End a delegation now (the head is back early); the deputy's next request is a deputy's."""
    with uow:
        delegation = uow.directory.delegation(delegation_id)
        if delegation is None:
            raise NotFound("Không có ủy quyền này")
        if principal.user_id != delegation["from_user_id"] and not principal.has(Role.ADMIN):
            raise Forbidden("Chỉ lãnh đạo đã ủy quyền hoặc quản trị được chấm dứt ủy quyền")
        now = clock.now()
        if delegation["revoked_at"] is not None or delegation["ends_at"] <= now:
            raise Conflict("Ủy quyền này đã chấm dứt")
        uow.directory.revoke_delegation(delegation_id, now)
        _security(uow, now, "delegation_revoked", principal,
                  detail={"delegation_id": delegation_id})
        view = delegation_view(uow.directory.delegation(delegation_id))
        uow.commit()
    return view


def list_delegations(uow: UnitOfWork, principal: Principal) -> list[dict]:
    """List the delegations of the principal's agency."""
    with uow:
        return [delegation_view(d) for d in uow.directory.delegations(principal.agency)]


def sign_in(uow: UnitOfWork, clock: Clock, username: str, password: str,
            remote_addr: str | None) -> Session:
    """Check a password, throttling repeated attempts; every attempt is audited.

    Attempts are counted before the password is checked, atomically, per (username, address)
    and per address. The argon2 check runs between two short transactions: it takes tens of
    milliseconds of CPU, and no transaction should stay open for that.
    """
    now = clock.now()
    by_user, by_address = f"user:{username}|{remote_addr}", f"address:{remote_addr}"
    with uow:
        throttled = (uow.directory.count_attempt(by_user, now, LOGIN_WINDOW) > MAX_FAILURES_PER_USER
                     or uow.directory.count_attempt(by_address, now, LOGIN_WINDOW)
                     > MAX_FAILURES_PER_ADDRESS)
        user = None if throttled else uow.directory.user_by_username(username)
        uow.commit()
    if throttled:
        _audit_login(uow, now, "login_throttled", username, remote_addr)
        raise TooManyAttempts("Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút")
    if not check_password(user["password_hash"] if user else None, password) or not user["active"]:
        _audit_login(uow, now, "login_failed", username, remote_addr)
        raise Unauthenticated("Sai tên đăng nhập hoặc mật khẩu")
    with uow:
        uow.directory.clear_attempts(by_user)
        uow.directory.forget_attempt(by_address)
        _login_event(uow, now, "login_succeeded", username, remote_addr, user)
        uow.commit()
    return Session(user["id"], user["session_generation"])


def _audit_login(uow, now, kind: str, username: str, remote_addr: str | None) -> None:
    with uow:
        _login_event(uow, now, kind, username, remote_addr)
        uow.commit()


def session_principal(uow: UnitOfWork, clock: Clock, session: Session) -> Principal | None:
    """Rebuild a signed-in user's principal for each request, so changes apply at once.

    None when the session has ended: the user signed out anywhere, or was changed since.
    """
    with uow:
        user = uow.directory.user(session.user_id)
        if user is None or not user["active"] or user["session_generation"] != session.generation:
            return None
        return principal_of(uow, user, clock.now())


def sign_out(uow: UnitOfWork, clock: Clock, session: Session, remote_addr: str | None) -> None:
    """End every session of the user, wherever its cookie was copied to."""
    with uow:
        user = uow.directory.user(session.user_id)
        if user is None or user["session_generation"] != session.generation:
            return
        uow.directory.end_sessions(user["id"])
        _login_event(uow, clock.now(), "logout", user["username"], remote_addr, user)
        uow.commit()


def _login_event(uow, now, kind, username, remote_addr, user=None) -> None:
    uow.directory.record_security_event(
        kind=kind, username=username[:64], remote_addr=remote_addr, occurred_at=now,
        user_id=user["id"] if user else None, agency_code=user["agency_code"] if user else None,
        detail={})


def _security(uow, now, kind, principal: Principal, detail: dict) -> None:
    uow.directory.record_security_event(kind=kind, user_id=principal.user_id,
                                        agency_code=principal.agency, occurred_at=now,
                                        username=principal.subject[:64], detail=detail)


def _check_agency(uow, code: str) -> None:
    if uow.directory.agency(code) is None:
        raise Invalid("Cơ quan không tồn tại", {"agency_code": f"Không có mã {code}"})


def _password_hash(password: str | None) -> str | None:
    if password is None:
        return None
    if len(password) < MIN_PASSWORD:
        raise Invalid("Mật khẩu quá ngắn", {"password": f"Ít nhất {MIN_PASSWORD} ký tự"})
    return hash_password(password)
