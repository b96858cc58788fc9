"""``/account/password``: a user changes their own password.

The current password is checked like a login (it counts against the login throttle);
the new one must meet the policy and be typed twice. Every other login session of the
user ends; this browser gets a new session (and CSRF token), so it stays logged in.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import PermissionDenied
from hulian.engine.errors import ThrottledError
from hulian.engine.system.passwords import PasswordPolicyError
from hulian.runtime.api.auth import session_id, set_session_cookie
from hulian.runtime.ui.pages import UIPage, page_endpoint

__all__ = ["routes"]

POLICY_MESSAGES = {"password_too_short": "password_too_short",
                   "password_is_username": "password_is_username",
                   "password_unchanged": "password_unchanged"}


def _text(page: UIPage, name: str) -> str:
    value = page.form.get(name, "")
    return value if isinstance(value, str) else ""


def _form(page: UIPage, errors: dict[str, str] | None = None, *, status: int = 200,
          message: str | None = None) -> Response:
    return page.render("password.html", {"errors": errors or {}, "message": message,
                                         "done": page.request.query_params.get("done") == "1"},
                       status=status)


def password(page: UIPage) -> Response:
    """GET,POST /account/password: current, new and repeated new password."""
    if page.request.method == "GET":
        return _form(page)
    assert page.user is not None
    current, new, repeat = (_text(page, n) for n in ("current_password", "new_password",
                                                    "repeat_password"))
    errors: dict[str, str] = {}
    for name, value in (("current_password", current), ("new_password", new),
                        ("repeat_password", repeat)):
        if not value:
            errors[name] = page.t("required_field")
    if not errors and new != repeat:
        errors["repeat_password"] = page.t("passwords_differ")
    if errors:
        return _form(page, errors, status=422)
    request = page.request
    try:
        renewed = page.engine.accounts.change_password(
            page.user.tenant, page.user, current, new,
            client_ip=request.client.host if request.client else None,
            session_id=session_id(page.engine, request), now=request.app.state.auth.now())
    except PasswordPolicyError as exc:
        key = POLICY_MESSAGES.get(exc.code, "password_policy")
        return _form(page, {"new_password": page.t(key)}, status=422)
    except PermissionDenied as exc:
        if exc.code != "wrong_current_password":
            raise
        return _form(page, {"current_password": page.t("wrong_current_password")},
                     status=422)
    except ThrottledError as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        return _form(page, status=429, message=page.t("login_throttled", minutes=minutes))
    response = page.redirect("/account/password?done=1")
    if renewed is not None:
        set_session_cookie(response, page.engine, request, renewed)
    return response


routes = [Route("/account/password", page_endpoint(password, session=False),
                methods=["GET", "POST"], name="ui_password")]
