"""What the generic preset-app tests build from any dependent pack (no tests here).

- :func:`pack_documents` reads a pack folder as documents (path -> JSON);
- :func:`upgrade_of` builds its next minor version: a new field on one of its objects, and
  that field added to one of its layouts;
- :func:`overlay_of` a tenant overlay extending one of its objects (``note__c`` and a
  label override);
- :func:`permission_matrix` every (role x object x action) of its apps from the effective
  metadata, with what it should be.
- :func:`sample_dependent_pack`: a small dependent pack of our own (``visits``), so the
  harness is exercised whatever examples/ holds.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from hulian.metadata.model import Pack
from tests.packs import Documents, field, label, obj, options, write_pack

ACTIONS = ("read", "create", "edit", "delete")
NEW_FIELD = "upgrade_note"
NOTE = "note__c"


def pack_documents(folder: Path) -> Documents:
    """Every JSON document of the pack folder but its sample data, by relative path."""
    return {p.relative_to(folder).as_posix(): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(folder.rglob("*.json"))
            if p.relative_to(folder).parts[0] != "data"}


def own_objects(docs: Documents) -> list[str]:
    return sorted(d["api_name"] for path, d in docs.items() if path.startswith("objects/"))


@dataclass(frozen=True)
class Upgrade:
    documents: Documents
    object: str
    field: str
    layout: str
    """The layout that now shows ``field`` (its path in the pack)."""


def upgrade_of(docs: Documents, prefer: frozenset[str] = frozenset()) -> Upgrade:
    """The pack's next minor version: ``upgrade_note`` (text) added to the object of its
    first detail layout (a list layout else) over one of its own objects, those of
    ``prefer`` first, and shown there."""
    out = copy.deepcopy(docs)
    manifest = out["pack.json"]
    major, minor, _ = (int(x) for x in manifest["version"].split("-")[0].split(".")[:3])
    manifest["version"] = f"{major}.{minor + 1}.0"
    mine = set(own_objects(docs))
    layouts = sorted((d["object"] not in prefer, d.get("kind") != "detail", path)
                     for path, d in out.items()
                     if path.startswith("layouts/") and d.get("object") in mine)
    if not layouts:
        raise AssertionError("the pack has no layout for an object of its own")
    path = layouts[0][-1]
    layout = out[path]
    target = out[f"objects/{layout['object']}.json"]
    target["fields"].append(field(NEW_FIELD, "text", max_length=200))
    if layout.get("kind") == "detail":
        layout["sections"][0]["fields"].insert(0, NEW_FIELD)
    else:
        layout["columns"].append(NEW_FIELD)
    return Upgrade(out, layout["object"], NEW_FIELD, path)


def relabeled_field(pack: Pack, object_name: str) -> str:
    """A field of the object whose label a tenant may override (the name field's, usually)."""
    obj_def = pack.object(object_name)
    assert obj_def is not None
    return obj_def.name_field


def overlay_of(object_name: str, relabel: str, name: str = "acme") -> Documents:
    """A tenant overlay: ``note__c`` on the object and a new label for one of its fields."""
    return {
        "pack.json": {"name": name, "version": "1.0.0", "label": label("Acme"),
                      "kind": "tenant"},
        f"extensions/{object_name}.json": {
            "object": object_name,
            "fields": [field(NOTE, "text", max_length=200)],
            "field_overrides": {relabel: {"label": {"zh": "租户的名称", "en": "Tenant's name"}}},
        },
    }


@dataclass(frozen=True)
class Cell:
    role: str
    kind: str
    object: str
    action: str
    allowed: bool
    why: str


def apps_of(docs: Documents, effective: Pack) -> list[str]:
    """The apps a pack brings: its own and those of required packs it extends."""
    names = {d["api_name"] for p, d in docs.items() if p.startswith("apps/")}
    names |= {d["app"] for p, d in docs.items() if p.startswith("extensions/apps/")}
    return sorted(n for n in names if any(a.api_name == n for a in effective.apps))


def matrix_roles(docs: Documents, effective: Pack) -> list[str]:
    """The pack's own roles, the roles it extends, and every role of its apps."""
    names = {d["api_name"] for p, d in docs.items() if p.startswith("roles/")}
    names |= {d["role"] for p, d in docs.items() if p.startswith("extensions/roles/")}
    for app in effective.apps:
        if app.api_name in apps_of(docs, effective):
            names |= set(app.roles)
    return sorted(names)


def matrix_objects(docs: Documents, effective: Pack, roles: list[str]) -> list[str]:
    """The pack's own objects, the objects its apps open and its roles grant on."""
    names = set(own_objects(docs))
    apps = apps_of(docs, effective)
    for app in effective.apps:
        if app.api_name in apps:
            names |= set(app.objects)
    for role in roles:
        found = effective.role(role)
        if found is not None:
            names |= set(found.objects)
    return sorted(n for n in names if effective.object(n) is not None)


def opened(effective: Pack, role: str) -> set[str]:
    """The objects the apps holding ``role`` open (what an interconnect role acts on)."""
    return {o for app in effective.apps if role in app.roles for o in app.objects}


def permission_matrix(docs: Documents, effective: Pack) -> list[Cell]:
    """Every (role x object x action) of the pack's apps and roles, with what it should be:
    the role's grant (any action implies read), and for an interconnect role nothing on an
    object no app of the role opens."""
    roles = matrix_roles(docs, effective)
    cells = []
    for name in roles:
        role = effective.role(name)
        assert role is not None, f"the matrix names a role the tenant lacks: {name}"
        for object_name in matrix_objects(docs, effective, roles):
            grant = role.objects.get(object_name)
            for action in ACTIONS:
                if role.admin:
                    allowed, why = True, "admin role"
                elif role.kind == "interconnect" and object_name not in opened(effective, name):
                    allowed, why = False, "no app of the role opens it"
                elif grant is None:
                    allowed, why = False, "not granted"
                elif action == "read":
                    allowed = any(grant.allows(a) for a in ACTIONS)
                    why = "granted" if grant.read else "implied" if allowed else "not granted"
                else:
                    allowed = grant.allows(action)
                    why = "granted" if allowed else "not granted"
                cells.append(Cell(name, role.kind, object_name, action, allowed, why))
    return cells


def render(cells: list[Cell], results: dict[tuple[str, str, str], str]) -> str:
    """The matrix as a table: one row per (role, object), one column per action, each
    ``expected/seen`` (``+`` allowed, ``-`` refused, ``?`` skipped)."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for c in cells:
        seen = results.get((c.role, c.object, c.action), "?")
        rows.setdefault((c.role, c.object), {})[c.action] = \
            f"{'+' if c.allowed else '-'}/{seen}"
    lines = ["role | object | " + " | ".join(ACTIONS)]
    lines += [f"{role} | {object_name} | " + " | ".join(v.get(a, "") for a in ACTIONS)
              for (role, object_name), v in sorted(rows.items())]
    return "\n".join(lines)


def sample_dependent_pack(folder: Path) -> Path:
    """``visits`` 1.0.0, requiring crm: the object Visit (looking up crm's Account) with a
    detail and a list layout, an internal and an interconnect role (reading Account too),
    the app ``visits`` opening Visit to its interconnect role and crm's ``dealer_buyer``
    (whom a role extension lets read visits), a field added to Account; people and records
    in its data (keys of crm's data, records made by two enterprises' users)."""
    visit = obj("Visit", field("name", "text", required=True, max_length=120),
                field("status", "picklist", options=options("planned", "done"),
                      default="planned"),
                field("planned_on", "date"),
                field("account", "lookup", target="Account", relationship_name="visits"),
                data_permission={"internal": "private", "external": "company_read"})
    docs: Documents = {
        "pack.json": {"name": "visits", "version": "1.0.0", "label": label("Visits"),
                      "kind": "preset", "requires": {"crm": "^1.0.0"}},
        "objects/Visit.json": visit,
        "layouts/visit_detail.json": {
            "api_name": "visit_detail", "object": "Visit", "kind": "detail",
            "channel": "web", "label": label("Visit"), "default": True,
            "sections": [{"api_name": "main", "label": label("Visit"), "columns": 2,
                          "fields": ["name", "status", "planned_on"]}]},
        "layouts/visit_list.json": {
            "api_name": "visit_list", "object": "Visit", "kind": "list", "channel": "web",
            "label": label("Visits"), "default": True, "columns": ["name", "status"]},
        "roles/visit_planner.json": {
            "api_name": "visit_planner", "label": label("Visit planner"), "kind": "internal",
            "objects": {"Visit": {"create": True, "read": True, "edit": True, "delete": True},
                        "Account": {"read": True}}},
        "roles/visit_agent.json": {
            "api_name": "visit_agent", "label": label("Visit agent"), "kind": "interconnect",
            "objects": {"Visit": {"create": True, "read": True, "edit": True},
                        "Account": {"read": True}}},
        "apps/visits.json": {"api_name": "visits", "label": label("Visits"),
                             "objects": ["Visit"], "roles": ["visit_agent", "dealer_buyer"]},
        "extensions/Account.json": {"object": "Account",
                                    "fields": [field("last_visit_on", "date")]},
        "extensions/roles/dealer_buyer.json": {"role": "dealer_buyer",
                                               "objects": {"Visit": {"read": True}}},
        "data/_people.json": {
            "users": [{"username": "visits.planner", "department": "Sales",
                       "roles": ["visit_planner"], "password": "demo-visits-pass"}],
            "enterprises": [
                {"name": "Dealer A", "users": [{"username": "visits.a",
                                                "roles": ["visit_agent"]}]},
                {"name": "Visits B", "partner_manager": "wang",
                 "users": [{"username": "visits.b", "roles": ["visit_agent"]}]}]},
        "data/Visit.json": [
            {"$key": "visits_upstream", "name": "Upstream visit", "account": {"$ref": "huaxin"}},
            {"$key": "visits_a", "$as": "visits.a", "name": "Dealer A's visit"},
            {"$key": "visits_b", "$as": "visits.b", "name": "Visits B's visit"}],
    }
    return write_pack(folder / "visits", docs)
