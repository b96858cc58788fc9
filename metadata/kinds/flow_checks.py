"""What the flow schema cannot see (:mod:`hulian.metadata.kinds.flows`): names of objects,
fields and roles, keys of the other flow type or action type, unique step names, fields a
flow cannot write, scheduled actions on a field that is not a date, a master that is not
there, and a switch (``{"api_name", "active"}``) where there is nothing to switch.

The formulas are type-checked by the engine when it compiles the pack (each flow
formula is a :class:`~hulian.metadata.kinds.base.Formula` of the kind); the users an
approver or recipient names are checked at deploy against the tenant's users.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hulian.metadata.hints import choices_hint
from hulian.metadata.kinds.base import ObjectView, PackView, Report, items, mapping
from hulian.metadata.kinds.naming import Names

__all__ = ["APPROVAL_KEYS", "AUTOMATION_KEYS", "ROLE_KEYS", "SWITCH_KEYS", "actions_of",
           "check_flow", "is_switch", "master_fields", "parties"]

SWITCH_KEYS = frozenset({"$schema", "api_name", "active"})
APPROVAL_KEYS = ("entry_criteria", "lock", "steps")
AUTOMATION_KEYS = ("trigger", "condition", "scheduled")
ACTION_KEYS: Mapping[str, tuple[str, ...]] = {
    "field_update": ("field", "value", "target", "master_field"),
    "create_record": ("object", "values"),
    "activity": ("kind", "text"),
    "notify": ("to", "title", "body"),
    "webhook_event": ("event",),
}
DERIVED_KEYS = ("formula", "roll_up", "quote")
DATE_TYPES = ("date", "datetime")
ROLE_KEYS = {"role": "internal", "enterprise_role": "interconnect"}


def is_switch(doc: Mapping[str, Any]) -> bool:
    """Whether ``doc`` only switches a pack's flow off or on (no ``type``)."""
    return "type" not in doc


def master_fields(obj: ObjectView) -> list[str]:
    """The master-detail fields of ``obj`` (its masters), in document order."""
    return [name for name, f in obj.fields.items() if f.get("type") == "master_detail"]


def parties(doc: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    """(path, key, value) of every approver and notification recipient of ``doc``."""
    for i, step in items(doc.get("steps")):
        for j, party in items(step.get("approvers")):
            for key, value in party.items():
                yield ("steps", i, "approvers", j, key), key, value
    for path, action in actions_of(doc):
        if action.get("type") == "notify":
            for j, party in items(action.get("to")):
                for key, value in party.items():
                    yield (*path, "to", j, key), key, value


def actions_of(doc: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(path, action) of an automation's actions, its scheduled ones included."""
    if doc.get("type") != "automation":
        return
    for i, action in items(doc.get("actions")):
        yield ("actions", i), action
    for i, scheduled in items(doc.get("scheduled")):
        for j, action in items(scheduled.get("actions")):
            yield ("scheduled", i, "actions", j), action


def check_flow(doc: Mapping[str, Any], report: Report, pack: PackView) -> None:
    if is_switch(doc):
        _check_switch(doc, report, pack)
        return
    names = Names("flow", f"the flow {doc.get('api_name')!r}", report, pack)
    checker = _Checker(names, report, pack)
    obj = names.object(doc.get("object"), ("object",))
    is_approval = doc.get("type") == "approval"
    other = AUTOMATION_KEYS if is_approval else APPROVAL_KEYS
    for key in other:
        if key in doc:
            report.add("flow.key_not_applicable", (key,),
                       f"{key} does not apply to an {doc.get('type')} flow",
                       f"remove {key!r}; it belongs to "
                       f"{'automations' if is_approval else 'approval processes'}")
    if is_approval:
        checker.approval(doc, obj)
    elif doc.get("type") == "automation":
        checker.automation(doc, obj)
    for path, key, value in parties(doc):
        if key in ROLE_KEYS:
            checker.role(value, ROLE_KEYS[key], path)


def _check_switch(doc: Mapping[str, Any], report: Report, pack: PackView) -> None:
    extra = sorted(set(doc) - SWITCH_KEYS)
    if extra:
        report.add("flow.incomplete", (extra[0],),
                   f"a flow without a type only switches a pack's flow off or on, but this "
                   f"one has {', '.join(extra)}",
                   "add \"type\": \"approval\" or \"automation\" (and object, label...), or "
                   "keep only api_name and active")
    elif "active" not in doc:
        report.add("flow.incomplete", (), "a flow without a type switches a pack's flow off "
                   "or on, but this one says neither", "add \"active\": false (or true)")
    elif not pack.partial:
        report.add("flow.switch_without_flow", ("active",),
                   f"{doc.get('api_name')!r} switches a flow off or on, but only a tenant's "
                   "overlay may switch an installed pack's flow",
                   "write the whole flow (type, object, label...) in a pack")


class _Checker:
    def __init__(self, names: Names, report: Report, pack: PackView):
        self.names = names
        self.report = report
        self.pack = pack

    def role(self, name: Any, kind: str, path: tuple[Any, ...]) -> None:
        if not isinstance(name, str):
            return
        found = self.pack.roles.get(name)
        if found is None:
            self.names.role(name, path)
        elif found != kind:
            key = "role" if kind == "internal" else "enterprise_role"
            other = "enterprise_role" if kind == "internal" else "role"
            self.report.add("flow.role_kind", path,
                            f"{name} is an {found} role, but {key} names an {kind} role",
                            f"write {{{other!r}: {name!r}}} for an {found} role, or name an "
                            f"{kind} role")

    def writable(self, obj: ObjectView | None, name: Any, path: tuple[Any, ...]) -> None:
        """``name``: a field of ``obj`` a flow may set (not computed, not a system field)."""
        if not self.names.field(obj, name, path, system=False) or obj is None:
            return
        definition = obj.fields[name]
        if any(key in definition for key in DERIVED_KEYS) \
                or definition.get("type") == "auto_number":
            self.report.add("flow.field_not_writable", path,
                            f"{obj.api_name}.{name} is computed by hulian: a flow cannot "
                            "set it", "set a field that people can edit")

    def unique(self, value: Any, path: tuple[Any, ...], what: str) -> None:
        seen: dict[str, int] = {}
        for i, item in items(value):
            name = item.get("api_name")
            if not isinstance(name, str):
                continue
            if name in seen:
                self.report.add("flow.duplicate_name", (*path, i, "api_name"),
                                f"two {what} are named {name!r} (the first at "
                                f"/{'/'.join(map(str, path))}/{seen[name]})",
                                f"give each {what.rstrip('s')} its own api_name")
            seen.setdefault(name, i)

    def approval(self, doc: Mapping[str, Any], obj: ObjectView | None) -> None:
        self.unique(doc.get("steps"), ("steps",), "steps")
        for i, step in items(doc.get("steps")):
            self.report.labels(step.get("label"), ("steps", i, "label"))
        for event, updates in mapping(doc.get("actions")).items():
            for i, update in items(updates):
                self.writable(obj, update.get("field"), ("actions", event, i, "field"))

    def automation(self, doc: Mapping[str, Any], obj: ObjectView | None) -> None:
        self.unique(doc.get("scheduled"), ("scheduled",), "scheduled actions")
        for i, scheduled in items(doc.get("scheduled")):
            field = scheduled.get("field")
            if self.names.field(obj, field, ("scheduled", i, "field")) and obj is not None:
                kind = obj.field_type(field) or ("datetime" if field in ("created_at",
                                                                          "updated_at")
                                                 else None)
                if kind not in DATE_TYPES:
                    self.report.add("flow.not_a_date", ("scheduled", i, "field"),
                                    f"{obj.api_name}.{field} is not a date or datetime field: "
                                    "scheduled actions run at a date",
                                    "name a date or datetime field, e.g. due_date")
        for path, action in actions_of(doc):
            self.action(action, path, obj)

    def action(self, action: Mapping[str, Any], path: tuple[Any, ...],
               obj: ObjectView | None) -> None:
        kind = action.get("type")
        allowed = ACTION_KEYS.get(kind) if isinstance(kind, str) else None
        if allowed is None:
            return
        for key in action:
            if key != "type" and key not in allowed:
                self.report.add("flow.key_not_applicable", (*path, key),
                                f"{key} does not apply to a {kind} action",
                                f"a {kind} action takes " + ", ".join(allowed))
        if kind == "field_update":
            target = obj
            if action.get("target") == "master":
                target = self.master(obj, action.get("master_field"), path)
            self.writable(target, action.get("field"), (*path, "field"))
        elif kind == "create_record":
            other = self.names.object(action.get("object"), (*path, "object"))
            for name in mapping(action.get("values")):
                self.writable(other, name, (*path, "values", name))

    def master(self, obj: ObjectView | None, named: Any, path: tuple[Any, ...]
               ) -> ObjectView | None:
        """The master object a field update with ``target`` master sets."""
        if obj is None:
            return None
        masters = master_fields(obj)
        if isinstance(named, str):
            if named not in masters:
                self.report.add("flow.no_master", (*path, "master_field"),
                                f"{obj.api_name} has no master-detail field {named!r}",
                                choices_hint(named, masters,
                                             f"master-detail fields of {obj.api_name}",
                                             none=f"{obj.api_name} is not a detail of any "
                                                  "object: set a field of the record"))
                return None
            field = named
        elif len(masters) == 1:
            field = masters[0]
        else:
            self.report.add("flow.no_master", (*path, "target"),
                            f"{obj.api_name} has {len(masters) or 'no'} master-detail fields: "
                            "the master is " + ("ambiguous" if masters else "missing"),
                            f"name one in master_field: {', '.join(masters)}" if masters
                            else "set a field of the record (target record)")
            return None
        target = obj.fields[field].get("target")
        found = self.pack.objects.get(target) if isinstance(target, str) else None
        if found is None and not self.pack.partial:
            return None  # the object checks report the unknown target
        return found
