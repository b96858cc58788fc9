"""Cross-checks of who may do what: roles, apps, sharing rules, custom actions.

Roles (``roles/<api_name>.json``) name objects, their fields and custom actions; apps
(``apps/<api_name>.json``) name objects and interconnect roles; an object's sharing rules
name roles. This module checks that every such name exists and is of the right kind, and
the same parts of a tenant's changes to the packs: the sharing rules an extension file
adds and role extensions (``extensions/roles/<api_name>.json``):

>>> from hulian.metadata.checks import check_documents
>>> label = {"zh": "甲", "en": "A"}
>>> docs = {"pack.json": {"name": "shop", "version": "1.0.0", "label": label},
...         "roles/clerk.json": {"api_name": "clerk", "label": label,
...                              "objects": {"Order": {"read": True}}}}
>>> [(p.code, p.file, p.pointer) for p in check_documents(docs)]
[('role.unknown_object', 'roles/clerk.json', '/objects/Order')]

A tenant pack (its overlay) may name the installed packs' objects and roles, which it
does not hold: those names are checked when the overlay is merged with the packs
(:func:`hulian.metadata.layers.merge` loads the merged documents, so every check here runs
again on them). Sharing-rule ``criteria`` are formulas: the engine type-checks them with
the other formulas (``formula.*`` problems). Like the other cross-checks, these look only
at values of the right JSON type; the schema check reports the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hulian.metadata.documents import (
    APP_EXTENSIONS,
    APPS,
    EXTENSIONS_HINT,
    ROLE_EXTENSIONS,
    ROLES,
    SUPPORTED,
    document_kind,
)
from hulian.metadata.hints import choices_hint
from hulian.metadata.model import (
    BUILTIN_ROLES,
    DEPENDENT,
    PARTIAL_KINDS,
    ROLE_KINDS,
    STANDARD_ACTIONS,
)
from hulian.metadata.named_lists import named_items
from hulian.metadata.names import NameKind
from hulian.metadata.relationship_checks import may_be_installed

__all__ = ["check_access"]


class Report(Protocol):
    """The problems of one file (``hulian.metadata.checks._Report``)."""

    def add(self, code: str, path: tuple[Any, ...], message: str,
            hint: str | None = None) -> None: ...

    def name(self, kind: NameKind, name: Any, path: tuple[Any, ...],
             pack_kind: str | None = None) -> None: ...

    def labels(self, value: Any, path: tuple[Any, ...]) -> None: ...


ReportFor = Callable[[str], Report]


@dataclass(frozen=True)
class _Object:
    fields: frozenset[str]
    actions: frozenset[str]
    is_detail: bool


def _names(items: Any) -> list[str]:
    """The text api_names of a list of documents."""
    if not isinstance(items, list):
        return []
    return [i["api_name"] for i in items
            if isinstance(i, dict) and isinstance(i.get("api_name"), str)]


def _object_info(doc: Mapping[str, Any]) -> _Object:
    fields = doc.get("fields")
    detail = isinstance(fields, list) and any(
        isinstance(f, dict) and f.get("type") == "master_detail" for f in fields)
    return _Object(frozenset(_names(fields)), frozenset(_names(doc.get("actions"))), detail)


@dataclass(frozen=True)
class _Pack:
    """What the access checks need to know of the whole pack."""

    objects: Mapping[str, _Object]
    """api_name -> the object (the first of duplicates)"""
    present: frozenset[str]
    """objects that exist: those above and those whose file cannot be read"""
    roles: Mapping[str, str | None]
    """role api_name -> its kind (None: unknown, e.g. its file cannot be read)"""
    pack_kind: str | None

    @classmethod
    def of(cls, documents: Mapping[str, Any], broken: Collection[str],
           pack_kind: str | None) -> _Pack:
        objects: dict[str, _Object] = {}
        roles: dict[str, str | None] = {}
        for name in sorted(documents):
            doc, kind = documents[name], document_kind(name)
            if not isinstance(doc, dict) or not isinstance(doc.get("api_name"), str):
                continue
            if kind == "object":
                objects.setdefault(doc["api_name"], _object_info(doc))
            elif kind == "role":
                role_kind = doc.get("kind", "internal")
                roles.setdefault(doc["api_name"],
                                 role_kind if role_kind in ROLE_KINDS else None)
        present = set(objects)
        for name in broken:
            stem = name.partition("/")[2].removesuffix(".json")
            if document_kind(name) == "object":
                present.add(stem)
            elif document_kind(name) == "role":
                roles.setdefault(stem, None)
        return cls(objects, frozenset(present), roles, pack_kind)

    def unknown_object(self, name: str) -> bool:
        """True when ``name`` is not an object here and cannot be an installed pack's."""
        return name not in self.present and not may_be_installed(name, self.pack_kind)

    def unknown_role(self, name: str) -> bool:
        """True when ``name`` is not a role here, nor a built-in one, nor possibly an
        installed pack's (a tenant pack's role names are checked when it is merged)."""
        return name not in self.roles and name not in BUILTIN_ROLES \
            and self.pack_kind not in PARTIAL_KINDS

    def role_hint(self, name: str, kinds: Collection[str] = ROLE_KINDS) -> str:
        choices = [r for r, k in self.roles.items() if k in kinds]
        if "internal" in kinds:
            choices += BUILTIN_ROLES
        what = "interconnect roles of the pack" if "internal" not in kinds else "roles"
        return choices_hint(name, choices, what,
                            none="the pack has no interconnect roles; add one in roles/")


def _file_name(doc: Mapping[str, Any], file: str, folder: str, kind: str,
               report: Report) -> None:
    api_name = doc.get("api_name")
    expected = file.removeprefix(f"{folder}/").removesuffix(".json")
    if isinstance(api_name, str) and api_name != expected:
        report.add(f"{kind}.file_name_mismatch", ("api_name",),
                   f"the file {file} holds the {kind} {api_name!r}",
                   f"rename the file to {folder}/{api_name}.json, or set api_name to"
                   f" {expected!r}")


def _check_role(doc: Any, file: str, report: Report, pack: _Pack) -> None:
    if not isinstance(doc, dict):
        return
    api_name = doc.get("api_name")
    report.name("role", api_name, ("api_name",))
    _file_name(doc, file, ROLES, "role", report)
    if api_name in BUILTIN_ROLES:
        report.add("role.builtin_name", ("api_name",),
                   f"{api_name!r} is a role every tenant has already",
                   "admin and member are built in; give this role its own name, e.g."
                   f" 'sales_{api_name}'")
    report.labels(doc.get("label"), ("label",))
    if doc.get("kind") == "interconnect" and doc.get("admin") is True:
        report.add("role.interconnect_admin", ("admin",),
                   "an interconnect role cannot be an admin role",
                   "remove admin: downstream users act only on the objects their apps open;"
                   " or make the role internal")
    if doc.get("kind") == "interconnect" and doc.get("setup") is True:
        report.add("role.interconnect_setup", ("setup",),
                   "an interconnect role cannot hold the setup permission",
                   "remove setup: only the upstream company's own users change its metadata;"
                   " or make the role internal")
    _check_objects(doc.get("objects"), report, pack)


def _check_role_extension(doc: Any, file: str, report: Report, pack: _Pack) -> None:
    """A tenant's ``extensions/roles/<role>.json``: what can be checked without the packs
    (the role itself and the packs' objects are checked when the overlay is merged)."""
    if pack.pack_kind is None:
        return
    if pack.pack_kind not in PARTIAL_KINDS:
        report.add("pack.unexpected_file", (), f"a {pack.pack_kind} pack has no role extensions",
                   EXTENSIONS_HINT if pack.pack_kind == "preset" else SUPPORTED)
        return
    if not isinstance(doc, dict):
        return
    role = doc.get("role")
    report.name("role", role, ("role",))
    expected = file.removeprefix(f"{ROLE_EXTENSIONS}/").removesuffix(".json")
    if isinstance(role, str) and role != expected:
        report.add("role.file_name_mismatch", ("role",),
                   f"the file {file} extends the role {role!r}",
                   f"rename the file to {ROLE_EXTENSIONS}/{role}.json, or set role to"
                   f" {expected!r}")
    report.labels(doc.get("label"), ("label",))
    _check_objects(doc.get("objects"), report, pack)


def _check_objects(objects: Any, report: Report, pack: _Pack) -> None:
    """A role's (or role extension's) ``objects``: the pack's objects, fields and actions."""
    if not isinstance(objects, dict):
        return
    for name, access in objects.items():
        if pack.unknown_object(name):
            report.add("role.unknown_object", ("objects", name),
                       f"{name!r} is not an object of this pack",
                       choices_hint(name, pack.present, "objects of the pack",
                                    none="the pack has no objects"))
            continue
        obj = pack.objects.get(name)
        if obj is None or not isinstance(access, dict):
            continue  # an installed pack's object (checked at merge), or unreadable
        _check_access(name, obj, access, ("objects", name), report)


def _check_access(name: str, obj: _Object, access: Mapping[str, Any], path: tuple[Any, ...],
                  report: Report) -> None:
    fields = access.get("fields")
    for field in fields if isinstance(fields, dict) else ():
        if field not in obj.fields:
            report.add("role.unknown_field", (*path, "fields", field),
                       f"{field!r} is not a field of {name}",
                       choices_hint(field, obj.fields, f"fields of {name}"))
    actions = access.get("actions")
    for i, action in enumerate(actions if isinstance(actions, list) else ()):
        if not isinstance(action, str) or action in obj.actions:
            continue
        if action in STANDARD_ACTIONS:
            hint = f'{action} is a standard action: set "{action}": true instead'
        else:
            hint = choices_hint(action, obj.actions, f"custom actions of {name}",
                                none=f"{name} has no custom actions; declare {action!r} in"
                                     " its actions first")
        report.add("role.unknown_action", (*path, "actions", i),
                   f"{action!r} is not a custom action of {name}", hint)


def _check_app(doc: Any, file: str, report: Report, pack: _Pack) -> None:
    if not isinstance(doc, dict):
        return
    report.name("app", doc.get("api_name"), ("api_name",))
    _file_name(doc, file, APPS, "app", report)
    report.labels(doc.get("label"), ("label",))
    _check_app_members(doc, report, pack)


def _check_app_extension(doc: Any, file: str, report: Report, pack: _Pack) -> None:
    """A dependent pack's ``extensions/apps/<app>.json``: its objects and roles (the app
    itself, of a required pack, is checked when the packs are merged)."""
    if pack.pack_kind is None:
        return
    if pack.pack_kind != DEPENDENT:
        report.add("pack.unexpected_file", (), f"a {pack.pack_kind} pack has no app extensions",
                   "an overlay does not change a pack's app: add an app of its own"
                   " (apps/<api_name>.json) for the same roles" if pack.pack_kind == "tenant"
                   else EXTENSIONS_HINT)
        return
    if not isinstance(doc, dict):
        return
    app = doc.get("app")
    expected = file.removeprefix(f"{APP_EXTENSIONS}/").removesuffix(".json")
    if isinstance(app, str) and app != expected:
        report.add("app.file_name_mismatch", ("app",), f"the file {file} extends the app {app!r}",
                   f"rename the file to {APP_EXTENSIONS}/{app}.json, or set app to"
                   f" {expected!r}")
    _check_app_members(doc, report, pack)


def _check_app_members(doc: Mapping[str, Any], report: Report, pack: _Pack) -> None:
    """An app's (or app extension's) objects and roles."""
    objects = doc.get("objects")
    for i, name in enumerate(objects if isinstance(objects, list) else ()):
        if isinstance(name, str) and pack.unknown_object(name):
            report.add("app.unknown_object", ("objects", i),
                       f"{name!r} is not an object of this pack",
                       choices_hint(name, pack.present, "objects of the pack",
                                    none="the pack has no objects"))
    roles = doc.get("roles")
    for i, name in enumerate(roles if isinstance(roles, list) else ()):
        if not isinstance(name, str):
            continue
        if pack.unknown_role(name):
            report.add("app.unknown_role", ("roles", i), f"{name!r} is not a role of this pack",
                       pack.role_hint(name, ("interconnect",)))
        elif name in BUILTIN_ROLES or pack.roles.get(name) == "internal":
            report.add("app.role_kind", ("roles", i),
                       f"{name!r} is an internal role; an app is used by interconnect roles",
                       "list roles of kind interconnect, or make this role one"
                       if name not in BUILTIN_ROLES else
                       f"{name} is built in and internal; list roles of kind interconnect")


def _check_sharing_rules(doc: Mapping[str, Any], report: Report, pack: _Pack,
                         pack_kind: str | None = None) -> None:
    """An object's sharing rules, or the new ones of an extension (``pack_kind`` "tenant":
    their api_names end with ``__c``)."""
    def name(kind: NameKind, value: Any, path: tuple[Any, ...]) -> None:
        report.name(kind, value, path, pack_kind)

    for _i, rule, path in named_items(doc.get("sharing_rules"), "sharing_rules",
                                      "sharing rule", report.add, name):
        if "criteria" in rule and "owned_by" in rule:
            report.add("sharing_rule.basis", (*path, "owned_by"),
                       "a sharing rule has both owned_by and criteria",
                       "a rule selects records by owner or by criteria: keep one, or make"
                       " two rules")
        elif "criteria" not in rule and "owned_by" not in rule:
            report.add("sharing_rule.basis", path,
                       "a sharing rule has neither owned_by nor criteria",
                       'add owned_by ({"department": ...} or {"role": ...}) or criteria (a'
                       " formula such as amount > 10000)")
        for key in ("owned_by", "share_with"):
            role = rule[key].get("role") if isinstance(rule.get(key), dict) else None
            if not isinstance(role, str):
                continue
            if pack.unknown_role(role):
                report.add("sharing_rule.unknown_role", (*path, key, "role"),
                           f"{role!r} is not a role of this pack",
                           pack.role_hint(role, ("internal",) if key == "owned_by"
                                          else ROLE_KINDS))
            elif key == "owned_by" and pack.roles.get(role) == "interconnect":
                report.add("sharing_rule.owner_role_kind", (*path, key, "role"),
                           f"{role!r} is an interconnect role",
                           "owned_by names an internal role (records are owned by the"
                           " tenant's users); share downstream records by criteria instead")


def _check_actions(doc: Mapping[str, Any], report: Report) -> None:
    for _i, action, path in named_items(doc.get("actions"), "actions", "action", report.add,
                                        report.name, "action",
                                        counts=lambda n: n not in STANDARD_ACTIONS):
        report.labels(action.get("label"), (*path, "label"))
        if action.get("api_name") in STANDARD_ACTIONS:
            report.add("action.standard_name", (*path, "api_name"),
                       f"{action['api_name']!r} is a standard action every object has",
                       "roles grant " + ", ".join(STANDARD_ACTIONS) + " with their own keys;"
                       " give the custom action another name")


def _check_detail(doc: Mapping[str, Any], report: Report) -> None:
    master = next((f.get("target") for f in doc["fields"]
                   if isinstance(f, dict) and f.get("type") == "master_detail"), None)
    whose = f"its master's ({master})" if isinstance(master, str) else "its master's"
    for key in ("data_permission", "sharing_rules"):
        if key in doc:
            report.add("master_detail.access", (key,),
                       f"a detail object takes no {key}",
                       f"remove {key}: who may see and edit a detail record follows"
                       f" {whose}, so set it on the master")


def check_access(documents: Mapping[str, Any], report_for: ReportFor, pack_kind: str | None,
                 broken: Collection[str] = ()) -> None:
    """Check roles, apps, each object's sharing rules and actions, and in a tenant pack the
    new sharing rules of its extensions and its role extensions.

    ``report_for(file)`` collects the problems of ``file``; ``broken`` lists files that
    exist but could not be read (their objects and roles count as present).
    """
    pack = _Pack.of(documents, broken, pack_kind)
    for file in sorted(documents):
        doc, kind = documents[file], document_kind(file)
        if kind == "role":
            _check_role(doc, file, report_for(file), pack)
        elif kind == "app":
            _check_app(doc, file, report_for(file), pack)
        elif kind == "role_extension":
            _check_role_extension(doc, file, report_for(file), pack)
        elif kind == "app_extension":
            _check_app_extension(doc, file, report_for(file), pack)
        elif kind == "extension" and pack_kind in PARTIAL_KINDS and isinstance(doc, dict):
            _check_sharing_rules(doc, report_for(file), pack, pack_kind)
        elif kind == "object" and isinstance(doc, dict):
            report = report_for(file)
            _check_sharing_rules(doc, report, pack)
            _check_actions(doc, report)
            if isinstance(doc.get("fields"), list) and _object_info(doc).is_detail:
                _check_detail(doc, report)
