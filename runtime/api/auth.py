"""Bearer-token authentication: ``Authorization: Bearer hl_...`` -> the token's User.

The token names both the tenant and the user, so no request carries a tenant
of its own. Tokens are made with ``hulian token create`` or ``Engine.create_token``.
"""

from __future__ import annotations

from starlette.requests import Request

from hulian.engine import Engine, User
from hulian.engine.errors import UnauthenticatedError

__all__ = ["authenticate", "bearer_token"]

HOW_TO_GET_ONE = "create a token with: hulian token create --db URL --tenant T --user U"


def bearer_token(request: Request) -> str:
    """The token of the ``Authorization`` header; UnauthenticatedError when there is none."""
    header = request.headers.get("authorization")
    if not header or not header.strip():
        raise UnauthenticatedError("this request needs an API token", code="missing_token",
                                   hint=f"send 'Authorization: Bearer <token>'; {HOW_TO_GET_ONE}")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError("the Authorization header must use the Bearer scheme",
                                   code="invalid_auth_scheme",
                                   hint="send 'Authorization: Bearer <token>'")
    return token.strip()


def authenticate(engine: Engine, request: Request) -> User:
    """The user the request's bearer token belongs to (blocking: run it in a thread)."""
    return engine.authenticate(bearer_token(request))
