"""Seed the demo province for `make run`: agencies, users with passwords, and API tokens.

Plain demo credentials are written once to var/ (mode 600) and reused on the next run; the
database keeps only argon2 password hashes and SHA-256 token hashes.
"""

import json
import secrets
from pathlib import Path

from engine import directory
from engine.clock import Clock
from engine.identity import Role, authenticate_token
from engine.shipped import shipped
from engine.store.uow import UnitOfWorkFactory

SEED = shipped("config/demo_province.json")
# A reserved example domain: the demo's would-be emails land in var/outbox-mail/, never a real inbox.
DEMO_MAIL_DOMAIN = "bacninh.example.vn"
SPECIAL_USERS = [("quantri", "Quản trị hệ thống", "VPUBND", ["admin"]),
                 ("thietke", "Người thiết kế quy trình", "SKHCN", ["designer"])]


def seed(uow: UnitOfWorkFactory, clock: Clock, var: Path) -> tuple[str, dict, dict]:
    """Seed everything; return the province name, the tokens and the user passwords."""
    data = json.loads(SEED.read_text(encoding="utf-8"))
    directory.seed_agencies(uow(), data["agencies"])
    tokens = _tokens(uow, clock, data["agencies"], var / "demo-tokens.env")
    passwords = _users(uow, clock, data["agencies"], var / "demo-users.txt")
    return data["province"], tokens, passwords


def _tokens(uow, clock, agencies, path: Path) -> dict[str, str]:
    saved = _read_pairs(path, "export ")
    with uow() as u:
        if saved and all(authenticate_token(u, t, clock.now()) for t in saved.values()):
            return saved
    tokens = {}
    for agency in agencies:
        for role in agency["roles"]:
            plain = role in ("officer", "provincial_office")
            name = f"TOKEN_{agency['code']}" + ("" if plain else f"_{role.upper()}")
            tokens[name] = directory.issue_token(uow(), clock, agency["code"], Role(role), f"demo {role}")
    _write_private(path, "".join(f"export {k}={v}\n" for k, v in tokens.items()))
    return tokens


def _users(uow, clock, agencies, path: Path) -> dict[str, str]:
    saved = _read_pairs(path, "")
    passwords = {}
    for username, full_name, agency, roles in _demo_users(agencies):
        password = saved.get(username) or secrets.token_urlsafe(9)
        directory.seed_user(uow(), clock, username, full_name, agency, roles, password,
                            email=f"{username}@{DEMO_MAIL_DOMAIN}")
        passwords[username] = password
    _write_private(path, "".join(f"{k}={v}\n" for k, v in passwords.items()))
    return passwords


def _demo_users(agencies):
    """Give each agency an officer (cv.), a head (ld.) and a deputy (pho.)."""
    for a in agencies:
        code, extra = a["code"].lower(), [r for r in a["roles"] if r in ("provincial_office", "home_affairs")]
        yield f"cv.{code}", f"Chuyên viên {a['name']}", a["code"], ["officer", *extra]
        yield f"ld.{code}", a.get("head_name") or f"Lãnh đạo {a['name']}", a["code"], ["head", *extra]
        yield f"pho.{code}", f"Phó {a['name']}", a["code"], ["deputy", "officer", *extra]
    yield from SPECIAL_USERS


def _read_pairs(path: Path, prefix: str) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.removeprefix(prefix).split("=", 1) for line in path.read_text().splitlines())
    return {k: v for k, v in pairs}


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)  # plain demo credentials: readable by their owner only
