"""Authenticate API callers by bearer token; views read the principal from here."""

from apiflask import HTTPTokenAuth

from engine import log_context
from engine.identity import Principal, authenticate_token
from service.runtime import runtime

auth = HTTPTokenAuth(scheme="Bearer", description="Mã truy cập API của cơ quan")


@auth.verify_token
def verify(token: str) -> Principal | None:
    if not token:
        return None
    rt = runtime()
    with rt.uow.reader() as uow:  # reads only: no transaction to open and roll back
        principal = authenticate_token(uow, token, rt.clock.now())
    if principal is not None:
        log_context.bind(principal=f"{principal.subject}@{principal.agency}")  # reset at teardown
    return principal


@auth.error_processor
def unauthorized(error):
    from service.problems import problem

    return problem(401, "Thiếu hoặc sai mã truy cập (Authorization: Bearer ...)",
                   headers={"WWW-Authenticate": 'Bearer realm="dunghan"'})


def principal() -> Principal:
    """Return the authenticated principal of the current request."""
    return auth.current_user
