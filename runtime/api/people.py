"""Administration routes: downstream enterprises (互联企业) and their data permissions,
users (internal and interconnect) and their roles, the tenant's roles, departments.

Only administrators may call them: a user made with ``is_admin``, or one holding an
admin role (the built-in ``admin``, or a role with ``"admin": true``); anyone else gets
403 ``admin_required``. Each handler is one Engine call, one transaction, except
``PUT /admin/users/{user}/roles``, which grants (every name checked first) and then
revokes. Users, enterprises and departments are named in paths and bodies by id or by
name (username). A PATCH changes the keys its body has and leaves the others.

>>> # POST /api/v1/admin/enterprises {"name": "Dealer A", "partner_manager": "wang"}
>>> # POST /api/v1/admin/users {"username": "li", "enterprise": "Dealer A",
>>> #                           "roles": ["dealer_buyer"]}
>>> # PATCH /api/v1/admin/users/li {"active": false}
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import PeopleAdmin, User
from hulian.engine.system.enterprises import Enterprise
from hulian.engine.system.people import Department
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _boolean, _params

__all__ = ["administered", "department_json", "enterprise_json", "routes", "user_json"]


def administered(call: Call) -> PeopleAdmin:
    """The caller's tenant's people, administered by the caller: the engine refuses
    (403 ``admin_required``) a caller who does not administer the tenant."""
    assert call.user is not None, "admin routes are not public"
    return call.engine.people(actor=call.user)


def _fields(call: Call, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The JSON body, refusing keys the route does not take."""
    body: dict[str, Any] = call.body
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}",
                         code="unknown_parameter", hint=f"send only: {', '.join(allowed)}")
    return body


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise BadRequest(f"{name!r} is required and must be a string",
                         code="invalid_parameter")
    return value


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{name!r} must be a string or null", code="invalid_parameter")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BadRequest(f"{name!r} must be true or false", code="invalid_parameter")
    return value


def _given(body: dict[str, Any], read: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of an ``update_*`` call: each key the body has, read by its
    reader (body key -> (keyword, reader)); a body with none of them is refused."""
    if not body:
        raise BadRequest("the body changes nothing", code="invalid_parameter",
                         hint=f"send at least one of: {', '.join(read)}")
    return {keyword: reader(body, key) for key, (keyword, reader) in read.items()
            if key in body}


def _names(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"{name!r} must be an array of role api_names",
                         code="invalid_parameter", hint='e.g. {"roles": ["dealer_buyer"]}')
    return value


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "is_active": user.is_active, "is_admin": user.is_admin,
            "department_id": user.department_id, "enterprise_id": user.enterprise_id}


def enterprise_json(found: Enterprise) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "is_active": found.is_active,
            "partner_manager_id": found.partner_manager_id}


def department_json(found: Department) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "parent_id": found.parent_id,
            "leader_id": found.leader_id}


def renamed(staff: PeopleAdmin, kind: str, old: str | None, new: str) -> dict[str, Any]:
    """``{"warnings": [...]}`` when a rename leaves sharing rules naming the ``old`` name of
    a department or enterprise (``kind``), else ``{}``."""
    if old is None or old == new:
        return {}
    rules = staff.sharing_rules_naming(kind, old)
    if not rules:
        return {}
    return {"warnings": [{
        "code": "sharing_rules_name_old_name",
        "message": f"sharing rules {', '.join(rules)} name the {kind} {old!r}: they share "
                   f"nothing until they name {new!r}",
        "hint": "change them in the tenant's overlay (sharing_rule_overrides), or rename "
                "back"}]}


# -- enterprises ----------------------------------------------------------------------------

def list_enterprises(call: Call) -> Response:
    """GET /admin/enterprises[?include_inactive=true]: the downstream enterprises, by name."""
    staff = administered(call)
    params = _params(call.request, ("include_inactive",))
    found = staff.enterprises(include_inactive=_boolean(params, "include_inactive"))
    return JSONResponse({"enterprises": [enterprise_json(e) for e in found]})


def create_enterprise(call: Call) -> Response:
    """POST /admin/enterprises: {"name", "partner_manager"} (an internal user)."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("name", "partner_manager"))
    found = staff.create_enterprise(_required(body, "name"),
                                          partner_manager=_required(body, "partner_manager"))
    return JSONResponse(enterprise_json(found), status_code=201)


def update_enterprise(call: Call) -> Response:
    """PATCH /admin/enterprises/{enterprise}: {"name"?, "active"?, "partner_manager"?}."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("name", "active", "partner_manager"))
    changes = _given(body, {"name": ("name", _required), "active": ("active", _flag),
                            "partner_manager": ("partner_manager", _required)})
    ref = call.param("enterprise")
    before = {e.id: e.name for e in staff.enterprises(include_inactive=True)}
    found = staff.update_enterprise(ref, **changes)
    return JSONResponse({**enterprise_json(found),
                         **renamed(staff, "enterprise", before.get(found.id),
                                   found.name)})


def _permissions(call: Call, staff: PeopleAdmin) -> Response:
    levels = staff.enterprise_permissions(call.param("enterprise"))
    return JSONResponse({"permissions": dict(sorted(levels.items()))})


def get_permissions(call: Call) -> Response:
    """GET /admin/enterprises/{enterprise}/permissions: object -> overriding level."""
    staff = administered(call)
    _params(call.request, ())
    return _permissions(call, staff)


def set_permission(call: Call) -> Response:
    """PUT /admin/enterprises/{enterprise}/permissions/{object}: {"level": ...}."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("level",))
    staff.set_enterprise_permission(call.param("enterprise"), call.param("object"),
                                          _required(body, "level"))
    return _permissions(call, staff)


def clear_permission(call: Call) -> Response:
    """DELETE /admin/enterprises/{enterprise}/permissions/{object}: back to the object's
    own external level."""
    staff = administered(call)
    _params(call.request, ())
    staff.set_enterprise_permission(call.param("enterprise"), call.param("object"),
                                          None)
    return _permissions(call, staff)


# -- users and roles ------------------------------------------------------------------------

def list_users(call: Call) -> Response:
    """GET /admin/users[?enterprise=E][&include_inactive=true]: active (or all) users by
    username."""
    staff = administered(call)
    params = _params(call.request, ("enterprise", "include_inactive"))
    found = staff.users(enterprise=params.get("enterprise") or None,
                              include_inactive=_boolean(params, "include_inactive"))
    return JSONResponse({"users": [user_json(u) for u in found]})


def update_user(call: Call) -> Response:
    """PATCH /admin/users/{user}: {"display_name"?, "department"? (null: none), "active"?};
    an inactive user too."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("display_name", "department", "active"))
    changes = _given(body, {"display_name": ("display_name", _required),
                            "department": ("department", _text),
                            "active": ("active", _flag)})
    user = staff.update_user(call.param("user"), **changes)
    return JSONResponse(user_json(user))


def create_user(call: Call) -> Response:
    """POST /admin/users: an internal user (department, roles) or, with "enterprise", an
    interconnect user of that downstream enterprise (interconnect roles)."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("username", "display_name", "is_admin", "department", "enterprise",
                          "roles"))
    user = staff.create_user(_required(body, "username"),
                                   display_name=_text(body, "display_name"),
                                   is_admin=_flag(body, "is_admin"),
                                   department=_text(body, "department"),
                                   enterprise=_text(body, "enterprise"),
                                   roles=_names(body, "roles"))
    return JSONResponse({**user_json(user), "roles": staff.user_roles(user.id)},
                        status_code=201)


def get_user_roles(call: Call) -> Response:
    """GET /admin/users/{user}/roles."""
    staff = administered(call)
    _params(call.request, ())
    return JSONResponse({"roles": staff.user_roles(call.param("user"))})


def set_user_roles(call: Call) -> Response:
    """PUT /admin/users/{user}/roles: {"roles": [...]}, the user's roles from now on."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("roles",))
    if body.get("roles") is None:
        raise BadRequest("'roles' is required", code="invalid_parameter",
                         hint='send every role the user keeps, e.g. {"roles": ["member"]}')
    wanted = set(_names(body, "roles") or ())
    return JSONResponse({"roles": staff.set_roles(call.param("user"), wanted)})


def list_roles(call: Call) -> Response:
    """GET /admin/roles: api_name, kind (internal | interconnect), admin, label."""
    staff = administered(call)
    _params(call.request, ())
    return JSONResponse({"roles": staff.roles()})


# -- departments ----------------------------------------------------------------------------

def list_departments(call: Call) -> Response:
    """GET /admin/departments: by name."""
    staff = administered(call)
    _params(call.request, ())
    return JSONResponse({"departments": [department_json(d)
                                         for d in staff.departments()]})


def create_department(call: Call) -> Response:
    """POST /admin/departments: {"name", "parent"?, "leader"?}."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("name", "parent", "leader"))
    found = staff.create_department(_required(body, "name"),
                                          parent=_text(body, "parent"),
                                          leader=_text(body, "leader"))
    return JSONResponse(department_json(found), status_code=201)


def update_department(call: Call) -> Response:
    """PATCH /admin/departments/{department}: {"name"?, "parent"? (null: to the top)}."""
    staff = administered(call)
    _params(call.request, ())
    body = _fields(call, ("name", "parent"))
    changes = _given(body, {"name": ("name", _required), "parent": ("parent", _text)})
    before = {d.id: d.name for d in staff.departments()}
    found = staff.update_department(call.param("department"), **changes)
    return JSONResponse({**department_json(found),
                         **renamed(staff, "department", before.get(found.id),
                                   found.name)})


def _own(handler: Any, **options: Any) -> Any:
    """An endpoint whose handler calls Engine methods with transactions of their own."""
    return endpoint(handler, session=False, **options)


routes = [
    Route("/admin/enterprises", by_method(
        GET=_own(list_enterprises),
        POST=_own(create_enterprise, body="object"),
    ), methods=["GET", "POST"], name="admin_enterprises"),
    Route("/admin/enterprises/{enterprise}", _own(update_enterprise, body="object"),
          methods=["PATCH"], name="admin_enterprise"),
    Route("/admin/enterprises/{enterprise}/permissions", _own(get_permissions),
          methods=["GET"], name="admin_enterprise_permissions"),
    Route("/admin/enterprises/{enterprise}/permissions/{object}", by_method(
        PUT=_own(set_permission, body="object"),
        DELETE=_own(clear_permission),
    ), methods=["PUT", "DELETE"], name="admin_enterprise_permission"),
    Route("/admin/users", by_method(
        GET=_own(list_users),
        POST=_own(create_user, body="object"),
    ), methods=["GET", "POST"], name="admin_users"),
    Route("/admin/users/{user}", _own(update_user, body="object"), methods=["PATCH"],
          name="admin_user"),
    Route("/admin/users/{user}/roles", by_method(
        GET=_own(get_user_roles),
        PUT=_own(set_user_roles, body="object"),
    ), methods=["GET", "PUT"], name="admin_user_roles"),
    Route("/admin/roles", _own(list_roles), methods=["GET"], name="admin_roles"),
    Route("/admin/departments", by_method(
        GET=_own(list_departments),
        POST=_own(create_department, body="object"),
    ), methods=["GET", "POST"], name="admin_departments"),
    Route("/admin/departments/{department}", _own(update_department, body="object"),
          methods=["PATCH"], name="admin_department"),
]
