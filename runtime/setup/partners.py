"""``/setup/partners`` and ``/setup/users``: downstream enterprises (互联企业) and the users
who sign in: interconnect users of each enterprise, and the tenant's internal users.

These are people data, not metadata: every change is applied at once through the
engine's :class:`~hulian.engine.people_api.PeopleAdmin` (one transaction each; a refused
change changes nothing) and shown on the page it came from (post-redirect-get), with no
deploy plan. A refused change comes back beside the input it concerns (an enterprise name
that is taken, a password the policy refuses...).

- ``/setup/partners``: the enterprises (active and not) and a new one with its partner
  manager (对接人); the internal users and a new one.
- ``/setup/partners/{id}``: rename, another partner manager, deactivate or reactivate,
  the enterprise's data permission overrides (per object, its external level), its
  interconnect users and a new one (username, display name, interconnect roles, the
  initial password the admin types).
- ``/setup/users/{username}``: a user's roles, deactivate or reactivate, a new password.

An invitation link (the user sets their own password) is not offered yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.engine.people_api import PeopleAdmin
from hulian.engine.system.passwords import PasswordPolicyError, check_policy
from hulian.metadata.errors import HulianError
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS
from hulian.runtime.setup.flow import Problems, Setup, setup_endpoint

__all__ = ["routes"]

INPUT_OF = {
    "enterprise_exists": "name", "invalid_enterprise": "name",
    "invalid_partner_manager": "partner_manager", "partner_manager_in_use": "active",
    "user_exists": "username", "invalid_username": "username",
    "invalid_display_name": "display_name", "unknown_role": "roles",
    "unknown_department": "department", "last_admin": "active",
    "invalid_data_permission": "permissions",
}
"""Error code -> the input it is shown beside."""
POLICY_TEXTS = {"password_too_short": "setup_password_too_short",
                "password_is_username": "setup_password_is_username"}


def _people(setup: Setup) -> PeopleAdmin:
    assert setup.page.user is not None
    return setup.page.engine.people(setup.page.user.tenant, actor=setup.page.user)


def _problem(setup: Setup, error: HulianError, default: str) -> Problems:
    if isinstance(error, PasswordPolicyError):
        key = POLICY_TEXTS.get(getattr(error, "code", ""))
        return Problems(by_input={"password": [setup.page.t(key) if key else
                                               _text(error)]})
    name = INPUT_OF.get(getattr(error, "code", ""), default)
    return Problems(by_input={name: [_text(error)]})


def _input_of(action: str) -> str:
    return "active" if action in ("deactivate", "reactivate") else \
        {"rename": "name", "manager": "partner_manager"}.get(action, action)


def _text(error: HulianError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


def _form(setup: Setup, names: tuple[str, ...]) -> dict[str, str]:
    return {k: str(setup.page.form.get(k) or "").strip() for k in names}


def _done(setup: Setup, url: str, what: str) -> Response:
    separator = "&" if "?" in url else "?"
    return setup.page.redirect(f"{url}{separator}done={quote(what)}")


def _done_text(setup: Setup) -> str | None:
    what = setup.page.request.query_params.get("done")
    return setup.page.t(f"setup_done_{what}") if what in DONE else None


DONE = ("created", "renamed", "manager", "deactivated", "reactivated", "permissions",
        "user_created", "roles", "password")


def _role_choices(setup: Setup, kind: str) -> list[dict[str, Any]]:
    return [r for r in _people(setup).roles() if r["kind"] == kind]


# -- the list -----------------------------------------------------------------------------

def _partners_page(setup: Setup, problems: Problems | None = None,
                   values: Mapping[str, Any] | None = None, user_problems: Problems | None = None,
                   user_values: Mapping[str, Any] | None = None) -> Response:
    people = _people(setup)
    users = people.users(include_inactive=True)
    names = {u.id: u.display_name or u.username for u in users}
    internal = [u for u in users if not u.is_interconnect]
    counts: dict[str, int] = {}
    for u in users:
        if u.enterprise_id:
            counts[u.enterprise_id] = counts.get(u.enterprise_id, 0) + 1
    status = 422 if problems or user_problems else 200
    return setup.render("setup/partners.html", {
        "enterprises": people.enterprises(include_inactive=True), "names": names,
        "counts": counts, "managers": [u for u in internal if u.is_active],
        "internal": [{"user": u, "roles": people.user_roles(u.id)} for u in internal],
        "roles": _role_choices(setup, "internal"), "departments": people.departments(),
        "problems": problems or Problems(), "values": values or {},
        "user_problems": user_problems or Problems(),
        "user_values": user_values or {"roles": ["member"]},
        "done": _done_text(setup)}, section="partners", status=status)


def partners(setup: Setup) -> Response:
    """GET /setup/partners: enterprises and internal users."""
    return _partners_page(setup)


def new_enterprise(setup: Setup) -> Response:
    """POST /setup/partners/new: a downstream enterprise with its partner manager."""
    values = _form(setup, ("name", "partner_manager"))
    if not values["partner_manager"]:
        return _partners_page(setup, Problems(by_input={"partner_manager": [
            setup.page.t("required_field")]}), values)
    try:
        found = _people(setup).create_enterprise(values["name"],
                                                 partner_manager=values["partner_manager"])
    except HulianError as error:
        return _partners_page(setup, _problem(setup, error, "name"), values)
    return _done(setup, f"/setup/partners/{found.id}", "created")


# -- users (both kinds) ---------------------------------------------------------------------

def _create_user(setup: Setup, enterprise: str | None,
                 editor: Callable[[Problems, dict[str, Any]], Response]) -> Response:
    values: dict[str, Any] = _form(setup, ("username", "display_name", "department",
                                           "password"))
    values["roles"] = [str(r) for r in setup.page.form.getlist("roles")]
    shown = {**values, "password": ""}
    if not values["username"]:
        return editor(Problems(by_input={"username": [setup.page.t("required_field")]}), shown)
    try:
        check_policy(values["password"], values["username"])
    except PasswordPolicyError as error:
        return editor(_problem(setup, error, "password"), shown)
    people = _people(setup)
    try:
        people.create_user(values["username"], display_name=values["display_name"] or None,
                           department=values["department"] or None, enterprise=enterprise,
                           roles=values["roles"], password=values["password"])
    except HulianError as error:
        return editor(_problem(setup, error, "username"), shown)
    return _done(setup, f"/setup/users/{quote(values['username'])}", "user_created")


def new_internal_user(setup: Setup) -> Response:
    """POST /setup/users/new: an internal user with roles and an initial password."""
    return _create_user(setup, None, lambda problems, values: _partners_page(
        setup, user_problems=problems, user_values=values))


def _user(setup: Setup, username: str) -> Any:
    found = next((u for u in _people(setup).users(include_inactive=True)
                  if u.username == username), None)
    if found is None:
        raise NotFoundError(f"there is no user {username!r}", code="page_not_found")
    return found


def _user_page(setup: Setup, username: str, problems: Problems | None = None) -> Response:
    people = _people(setup)
    user = _user(setup, username)
    enterprise = next((e for e in people.enterprises(include_inactive=True)
                       if e.id == user.enterprise_id), None)
    kind = "interconnect" if user.is_interconnect else "internal"
    return setup.render("setup/user.html", {
        "person": user, "enterprise": enterprise, "kind": kind,
        "roles": _role_choices(setup, kind), "granted": people.user_roles(user.id),
        "problems": problems or Problems(), "done": _done_text(setup)},
        section="partners", status=422 if problems else 200)


def user_page(setup: Setup) -> Response:
    """GET /setup/users/{username}; POST ``action``: roles, deactivate, reactivate,
    password."""
    page = setup.page
    username = page.request.path_params["username"]
    if page.request.method == "GET":
        return _user_page(setup, username)
    user = _user(setup, username)
    people = _people(setup)
    action = str(page.form.get("action") or "")
    url = f"/setup/users/{quote(username)}"
    try:
        if action == "roles":
            people.set_roles(user.id, {str(r) for r in page.form.getlist("roles")})
            return _done(setup, url, "roles")
        if action in ("deactivate", "reactivate"):
            people.update_user(user.id, active=action == "reactivate")
            return _done(setup, url, f"{action}d")
        if action == "password":
            people.set_password(user.id, str(page.form.get("password") or ""))
            return _done(setup, url, "password")
    except HulianError as error:
        return _user_page(setup, username, _problem(setup, error, _input_of(action)))
    raise NotFoundError(f"there is no action {action!r}", code="page_not_found")


# -- one enterprise -----------------------------------------------------------------------

def _enterprise(setup: Setup, ref: str) -> Any:
    found = next((e for e in _people(setup).enterprises(include_inactive=True)
                  if e.id == ref), None)
    if found is None:
        raise NotFoundError(f"there is no enterprise {ref!r}", code="page_not_found")
    return found


def _external_objects(setup: Setup) -> list[dict[str, Any]]:
    """Objects with an external data permission of their own (a detail follows its
    master)."""
    return [o for o in setup.objects()
            if not any(f.get("type") == "master_detail" for f in o.get("fields", []))]


def _enterprise_page(setup: Setup, ref: str, problems: Problems | None = None,
                     user_problems: Problems | None = None,
                     user_values: Mapping[str, Any] | None = None) -> Response:
    people = _people(setup)
    enterprise = _enterprise(setup, ref)
    users = people.users(include_inactive=True)
    members = [{"user": u, "roles": people.user_roles(u.id)}
               for u in users if u.enterprise_id == enterprise.id]
    overrides = people.enterprise_permissions(enterprise.id) if enterprise.is_active else {}
    return setup.render("setup/partner.html", {
        "enterprise": enterprise, "members": members,
        "managers": [u for u in users if not u.is_interconnect and u.is_active],
        "objects": _external_objects(setup), "overrides": overrides,
        "levels": EXTERNAL_DATA_PERMISSIONS, "roles": _role_choices(setup, "interconnect"),
        "problems": problems or Problems(), "user_problems": user_problems or Problems(),
        "user_values": user_values or {"roles": []}, "done": _done_text(setup)},
        section="partners", status=422 if problems or user_problems else 200)


def enterprise_page(setup: Setup) -> Response:
    """GET /setup/partners/{id}; POST ``action``: rename, manager, deactivate, reactivate,
    permissions."""
    page = setup.page
    ref = page.request.path_params["enterprise"]
    if page.request.method == "GET":
        return _enterprise_page(setup, ref)
    enterprise = _enterprise(setup, ref)
    people = _people(setup)
    action = str(page.form.get("action") or "")
    url = f"/setup/partners/{enterprise.id}"
    try:
        if action == "rename":
            people.update_enterprise(enterprise.id, name=str(page.form.get("name") or ""))
            return _done(setup, url, "renamed")
        if action == "manager":
            people.update_enterprise(enterprise.id, partner_manager=str(
                page.form.get("partner_manager") or ""))
            return _done(setup, url, "manager")
        if action in ("deactivate", "reactivate"):
            people.update_enterprise(enterprise.id, active=action == "reactivate")
            return _done(setup, url, f"{action}d")
        if action == "permissions":
            current = people.enterprise_permissions(enterprise.id)
            for obj in _external_objects(setup):
                name = obj["api_name"]
                level = str(page.form.get(f"level.{name}") or "") or None
                if level != current.get(name):
                    people.set_enterprise_permission(enterprise.id, name, level)
            return _done(setup, url, "permissions")
    except HulianError as error:
        return _enterprise_page(setup, ref, _problem(setup, error, _input_of(action)))
    raise NotFoundError(f"there is no action {action!r}", code="page_not_found")


def new_interconnect_user(setup: Setup) -> Response:
    """POST /setup/partners/{id}/users/new: an interconnect user of the enterprise."""
    ref = setup.page.request.path_params["enterprise"]
    enterprise = _enterprise(setup, ref)
    return _create_user(setup, enterprise.id, lambda problems, values: _enterprise_page(
        setup, ref, user_problems=problems, user_values=values))


routes = [
    Route("/setup/partners", setup_endpoint(partners), methods=["GET"], name="setup_partners"),
    Route("/setup/partners/new", setup_endpoint(new_enterprise), methods=["POST"],
          name="setup_new_enterprise"),
    Route("/setup/partners/{enterprise}", setup_endpoint(enterprise_page),
          methods=["GET", "POST"], name="setup_enterprise"),
    Route("/setup/partners/{enterprise}/users/new", setup_endpoint(new_interconnect_user),
          methods=["POST"], name="setup_new_interconnect_user"),
    Route("/setup/users/new", setup_endpoint(new_internal_user), methods=["POST"],
          name="setup_new_user"),
    Route("/setup/users/{username}", setup_endpoint(user_page), methods=["GET", "POST"],
          name="setup_user"),
]
