"""``/setup/objects/{object}/sharing``: an object's sharing rules (共享规则).

A rule opens records further than the object's data permission: the records a criteria
formula selects, or those owned by a department's people or a role's users, shared with
a department, a role or a downstream enterprise for reading or editing
(docs/permissions.md). A rule of the tenant's own is in the object's ``sharing_rules``
(its definition for an own object, else ``extensions/<Object>.json``) and is edited whole
or removed; a pack's rule is changed with ``sharing_rule_overrides``: switched off, shared
with someone else, or for another access, its selection staying the pack's.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.overlay_edits_access import (
    override_sharing_rule,
    own_sharing_rule,
    put_sharing_rule,
    remove_sharing_rule,
)
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import name_with_suffix

__all__ = ["routes"]

SHARE_KINDS = ("department", "role", "enterprise")
OWNER_KINDS = ("department", "role")
ACCESS = ("read", "edit")
INPUTS = ("api_name", "basis", "criteria", "owned_kind", "owned_name", "share_kind",
          "share_name", "access", "description")


def _rules(setup: Setup, name: str) -> list[dict[str, Any]]:
    draft = setup.draft()
    return [{**r, "whose": "custom" if own_sharing_rule(draft, name, r["api_name"])
             else "pack"} for r in setup.object(name).get("sharing_rules", [])]


def sharing(setup: Setup) -> Response:
    """GET /setup/objects/{object}/sharing: the object's sharing rules."""
    name = setup.page.request.path_params["object"]
    return setup.render("setup/sharing.html", {
        "object": setup.object(name), "rules": _rules(setup, name),
        "deployed": setup.page.request.query_params.get("deployed")}, section="objects")


def _values(rule: dict[str, Any]) -> dict[str, Any]:
    owned = rule.get("owned_by") or {}
    share = rule.get("share_with") or {}
    return {"api_name": rule.get("api_name", ""),
            "basis": "owned_by" if owned else "criteria",
            "criteria": rule.get("criteria", ""),
            "owned_kind": next(iter(owned), "department"),
            "owned_name": next(iter(owned.values()), ""),
            "share_kind": next(iter(share), "department"),
            "share_name": next(iter(share.values()), ""),
            "access": rule.get("access", "read"), "active": rule.get("active", True),
            "description": rule.get("description", "")}


def _form(setup: Setup, obj: dict[str, Any], rule: str | None, whose: str,
          values: dict[str, Any], problems: Problems) -> Response:
    return setup.render("setup/sharing_rule.html", {
        "object": obj, "rule": rule, "whose": whose, "values": values,
        "problems": problems, "share_kinds": SHARE_KINDS, "owner_kinds": OWNER_KINDS,
        "access_levels": ACCESS}, section="objects", status=422 if problems else 200)


def rule_page(setup: Setup) -> Response:
    """GET /setup/objects/{object}/sharing/new and /sharing/{rule}: the rule's form;
    POST: plan the new rule, the changed own rule, a pack rule's overrides, or (``remove``)
    taking an own rule out."""
    page = setup.page
    name = page.request.path_params["object"]
    rule_name = page.request.path_params.get("rule")
    obj = setup.object(name)
    current = next((r for r in obj.get("sharing_rules", []) if r["api_name"] == rule_name),
                   None) if rule_name else None
    if rule_name and current is None:
        raise NotFoundError(f"{name} has no sharing rule {rule_name!r}",
                            code="page_not_found")
    draft = setup.draft()
    whose = "pack" if rule_name and own_sharing_rule(draft, name, rule_name) is None \
        else "custom"
    if page.request.method == "GET":
        return _form(setup, obj, rule_name, whose, _values(current or {}), Problems())
    values: dict[str, Any] = {k: str(page.form.get(k) or "").strip() for k in INPUTS}
    values["active"] = page.form.get("active") == "true"
    back = f"/setup/objects/{name}/sharing"
    title = page.t("setup_sharing_rules") + f" {name}.{rule_name or values['api_name']}"
    share = {values["share_kind"]: values["share_name"]}
    if rule_name and page.form.get("remove") == "true" and whose == "custom":
        place = remove_sharing_rule(draft, name, rule_name)
    elif whose == "pack":
        assert current is not None and rule_name is not None
        values.update({k: v for k, v in _values(current).items()
                       if k in ("api_name", "basis", "criteria", "owned_kind", "owned_name")})
        changes = {"active": None if values["active"] == current.get("active", True)
                   else values["active"],
                   "share_with": None if share == current.get("share_with") else share,
                   "access": None if values["access"] == current.get("access", "read")
                   else values["access"],
                   "description": None if values["description"] == current.get(
                       "description", "") else values["description"]}
        place = override_sharing_rule(draft, name, rule_name,
                                      {k: v for k, v in changes.items() if v is not None})
    else:
        document: dict[str, Any] = {"api_name": rule_name or name_with_suffix(
            values["api_name"])}
        if values["basis"] == "owned_by":
            document["owned_by"] = {values["owned_kind"]: values["owned_name"]}
        else:
            document["criteria"] = values["criteria"]
        document["share_with"] = share
        document["access"] = values["access"]
        if not values["active"]:
            document["active"] = False
        if values["description"]:
            document["description"] = values["description"]
        place = put_sharing_rule(draft, name, document)
    inputs = {"owned_by": "owned_name", "share_with": "share_name"}

    def editor(problems: Problems) -> Response:
        renamed = Problems({inputs.get(k, k): v for k, v in problems.by_input.items()},
                           problems.general)
        return _form(setup, obj, rule_name, whose, values, renamed)

    return propose(setup, draft, [place], title=title, back=back, editor=editor)


routes = [
    Route("/setup/objects/{object}/sharing", setup_endpoint(sharing), methods=["GET"],
          name="setup_sharing"),
    Route("/setup/objects/{object}/sharing/new", setup_endpoint(rule_page),
          methods=["GET", "POST"], name="setup_new_sharing_rule"),
    Route("/setup/objects/{object}/sharing/{rule}", setup_endpoint(rule_page),
          methods=["GET", "POST"], name="setup_sharing_rule"),
]
