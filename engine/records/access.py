"""The functional and field permissions of one session's user, applied to record calls.

:class:`Guard` wraps a :class:`~hulian.engine.security.visibility.Visibility` (whose
:class:`~hulian.engine.security.rights.Rights` say which actions and fields the user's
roles allow) and checks every call before it touches the database:

- an object the user may not read does not exist for an interconnect user (the error
  and its hint are those of a missing object; describe and the object list omit it);
  an internal user gets ``action_denied`` (403), as for any other action not allowed;
- a hidden field does not exist for the user: input naming it, filters and sorts on it
  get the errors and hints of a missing field (hints list the visible fields only), and
  records and descriptions leave it out;
- a read-only field refuses writes (``field_read_only``);
- nothing the user may not see is named in a description
  (:class:`~hulian.engine.security.disclosure.Disclosure`): a lookup to an object they may
  not read is an opaque reference (``"target": null, "opaque": true``), a roll-up over
  such an object keeps only its function, and formula texts, quotes, lookup filters and
  rule conditions that reach a hidden field or such an object are left out;
- an interconnect user cannot set ``owner_id``: what they create is owned upstream by
  their enterprise's partner manager and externally by them (``out_owner_id``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

from hulian.engine.errors import FieldError, NotFoundError, PermissionDenied, QueryError
from hulian.engine.memo import Memo
from hulian.engine.schema.columns import SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.disclosure import Disclosure
from hulian.engine.security.rights import Rights
from hulian.engine.security.visibility import Visibility
from hulian.metadata.field_types import REFERENCE_TYPES
from hulian.metadata.model import ObjectDef, Pack

CHANGE_HINT = "ask an admin for a role that allows it"


class Guard:
    """Built once per :class:`Visibility` and shared by the user's sessions (and threads):
    what it works out per object is kept in thread-safe memos."""

    def __init__(self, visibility: Visibility):
        self.visibility = visibility
        self.schema = visibility.schema
        self.user = visibility.user
        self._locked = Memo()

    @property
    def rights(self) -> Rights:
        return self.visibility.rights

    # -- objects -----------------------------------------------------------------------

    def readable(self) -> list[str]:
        return sorted(o for o in self.schema.objects if self.rights.can(o, "read"))

    def object(self, name: str, action: str = "read") -> CompiledObject:
        """The object ``name`` for ``action``; a missing object, or ``action_denied``."""
        readable = name in self.schema.objects and self.rights.can(name, "read")
        if not readable and (self.user.is_interconnect or name not in self.schema.objects):
            names = self.readable()
            close = difflib.get_close_matches(str(name), names, n=1)
            raise NotFoundError(f"there is no object {name!r}", code="unknown_object",
                                hint=f"did you mean {close[0]!r}?" if close else
                                f"this tenant has the objects: {', '.join(names) or 'none'}")
        obj = self.schema.object(name)
        if not self.rights.can(name, action):
            verb = "import records into" if action == "import" else \
                f"{action} records of" if action in ("read", "export") else f"{action}"
            what = f"{verb} {name}" if action in ("read", "export", "import") else \
                f"{verb} {name} records"
            raise PermissionDenied(f"you may not {what}", code="action_denied", hint=CHANGE_HINT)
        return obj

    def can(self, name: str, action: str) -> bool:
        return name in self.schema.objects and self.rights.can(name, action)

    # -- fields ------------------------------------------------------------------------

    @cached_property
    def pack(self) -> Pack:
        """The metadata as the user sees it: every object without its hidden fields."""
        if self.rights.admin:
            return self.schema.pack
        return replace(self.schema.pack, objects=tuple(
            self.model(o.api_name) for o in self.schema.pack.objects))

    def model(self, name: str) -> ObjectDef:
        model = self.schema.object(name).model
        hidden = self.hidden(name)
        if not hidden:
            return model
        return replace(model, fields=tuple(f for f in model.fields if f.api_name not in hidden))

    @cached_property
    def disclosure(self) -> Disclosure:
        """What of the metadata may be named to the user."""
        return Disclosure(self.schema, self.rights)

    def hidden(self, name: str) -> frozenset[str]:
        """The fields of ``name`` the user may not see (all of them: an unreadable object)."""
        return self.disclosure.hidden(name)

    def locked(self, name: str) -> frozenset[str]:
        """The visible fields of ``name`` the user may read but not change."""
        return self._locked.get(name, lambda: frozenset(
            self.rights.read_only(name) - self.hidden(name)))

    @cached_property
    def opaque(self) -> frozenset[str]:
        """The objects whose names the user may not learn (formula errors leave them out)."""
        return frozenset(o for o in self.schema.objects if not self.disclosure.nameable(o))

    def _unknown(self, obj: CompiledObject, name: Any) -> tuple[str, str]:
        visible = [*self.model(obj.api_name).field_names, *SYSTEM_FIELDS]
        close = difflib.get_close_matches(str(name), visible, n=1)
        return (f"{obj.api_name} has no field {name!r}",
                f"did you mean {close[0]!r}?" if close else
                f"{obj.api_name} has the fields: "
                f"{', '.join(self.model(obj.api_name).field_names)}")

    def _known(self, obj: CompiledObject, name: Any) -> bool:
        return isinstance(name, str) and (name in SYSTEM_FIELDS or (
            obj.model.field(name) is not None and name not in self.hidden(obj.api_name)))

    def check_names(self, obj: CompiledObject, where: Any, order_by: Any) -> None:
        """QueryError ``unknown_field`` for a filter or sort on a field the user cannot see
        (exactly as for a field that does not exist)."""
        names: list[Any] = []
        _filter_names(where, names, 0)
        if isinstance(order_by, str):
            names += [p.strip().lstrip("-") for p in order_by.split(",") if p.strip()]
        elif isinstance(order_by, (list, tuple)):
            names += [p.lstrip("-") for p in order_by if isinstance(p, str)]
        for name in names:
            if name == "":
                continue  # not a sort key at all: parse_order says so
            if not self._known(obj, name):
                message, hint = self._unknown(obj, name)
                raise QueryError(message, code="unknown_field", hint=hint, field=str(name))

    def _writable(self, obj: CompiledObject) -> frozenset[str]:
        """The keys the user may send for ``obj`` (built once per object)."""
        def build() -> frozenset[str]:
            hidden, locked = self.hidden(obj.api_name), self.locked(obj.api_name)
            names = {n for n in obj.model.field_names if n not in hidden and n not in locked}
            names |= set(SYSTEM_FIELDS)
            if self.user.is_interconnect:
                names -= {"owner_id", "out_tenant_id", "out_owner_id"}
            return frozenset(names)

        return self._locked.get(("writable", obj.api_name), build)

    def check_input(self, obj: CompiledObject, rows: list[Any], errors: list[FieldError],
                    *, creating: bool) -> list[Any]:
        """The rows without the keys the user may not write, each refused as an error."""
        writable = self._writable(obj)
        cleaned = []
        for i, row in enumerate(rows):
            if (type(row) is not dict and not isinstance(row, Mapping)) \
                    or writable.issuperset(row):
                cleaned.append(row)  # the common case: nothing to refuse, nothing copied
                continue
            cleaned.append(self._refuse(obj, row, writable, errors, i))
        return cleaned

    def _refuse(self, obj: CompiledObject, row: Mapping[Any, Any], writable: frozenset[str],
                errors: list[FieldError], i: int) -> dict[str, Any]:
        """``row`` without the keys the user may not write, each refused as an error."""
        hidden = self.hidden(obj.api_name)
        locked = self.locked(obj.api_name)
        kept = {}
        for key, value in row.items():
            if key in writable:
                kept[key] = value
            elif key in hidden or (key not in SYSTEM_FIELDS and not self._known(obj, key)):
                # hidden or missing alike, with hints naming visible fields only
                message, hint = self._unknown(obj, key)
                errors.append(FieldError(key if isinstance(key, str) else repr(key),
                                         "unknown_field", message, hint, row=i))
            elif key in locked:
                errors.append(FieldError(key, "field_read_only",
                                         f"you may read {key} but not change it",
                                         CHANGE_HINT, row=i))
            elif key == "owner_id":  # an interconnect user's
                errors.append(FieldError(key, "read_only",
                                         "records of interconnect users are owned by "
                                         "their enterprise's partner manager", row=i))
            else:  # an interconnect user's out_tenant_id or out_owner_id
                errors.append(FieldError(key, "read_only",
                                         "upstream users assign records to downstream "
                                         "enterprises; yours are your enterprise's", row=i))
        return kept

    def strip(self, obj: CompiledObject, record: dict[str, Any]) -> dict[str, Any]:
        hidden = self.hidden(obj.api_name)
        if not hidden:
            return record
        return {k: v for k, v in record.items() if k not in hidden}

    def describe(self, obj: CompiledObject, described: dict[str, Any]) -> dict[str, Any]:
        """A description for this user: hidden fields left out, read-only ones marked,
        nothing named that the user may not see (see the module's docstring), the user's
        permissions on the object added."""
        name = obj.api_name
        hidden = self.hidden(name)
        locked = self.rights.read_only(name)
        out = dict(described)
        out["fields"] = []
        for f in described["fields"]:
            if f["api_name"] in hidden:
                continue
            f = self._disclosed_field(name, f)
            access = "read_only" if f["read_only"] or f["api_name"] in locked or \
                not self.rights.can(name, "edit") else "editable"
            f["access"] = access
            out["fields"].append(f)
        out["validation_rules"] = [self._disclosed_rule(name, r)
                                   for r in described["validation_rules"]]
        if "history_fields" in out:
            out["history_fields"] = [f for f in out["history_fields"] if f not in hidden]
        if "child_relationships" in out:
            out["child_relationships"] = [r for r in out["child_relationships"]
                                          if self.can(r["object"], "read")
                                          and r["field"] not in self.hidden(r["object"])]
        actions = [*("create", "read", "edit", "delete", "export", "import"),
                   *(a.api_name for a in obj.model.actions)]
        out["permissions"] = {a: self.rights.can(name, a) for a in actions}
        return out

    def _disclosed_field(self, name: str, described: dict[str, Any]) -> dict[str, Any]:
        """A field's description without the settings that name what the user may not
        see: an opaque lookup, a roll-up over an unreadable object, formula texts."""
        shown = self.disclosure
        f = dict(described)
        if f["type"] in REFERENCE_TYPES and not shown.nameable(f.get("target")):
            f.update(target=None, opaque=True)
            f.pop("relationship_name", None)
            f.pop("lookup_filter", None)
        elif not shown.formula_shown(f.get("target") or name, f.get("lookup_filter")):
            f.pop("lookup_filter", None)
        for setting in ("formula", "default_formula"):
            if not shown.formula_shown(name, f.get(setting)):
                f.pop(setting, None)
        if "quote" in f and not shown.path_shown(name, tuple(f["quote"].split("."))):
            f.pop("quote")
        spec = f.get("roll_up")
        if spec is not None:
            child = spec["object"]
            if not shown.nameable(child):
                f.update(roll_up={"function": spec["function"]}, opaque=True)
            else:
                f["roll_up"] = {k: v for k, v in spec.items() if not (
                    (k in ("relationship", "field") and v in shown.hidden(child))
                    or (k == "filter" and not shown.formula_shown(child, v)))}
        return f

    def _disclosed_rule(self, name: str, rule: dict[str, Any]) -> dict[str, Any]:
        """A rule's description; its condition only if it names nothing hidden."""
        out = {k: v for k, v in rule.items()
               if k != "condition" or self.disclosure.formula_shown(name, v)}
        if out.get("error_field") in self.hidden(name):
            out["error_field"] = None
        return out


def _filter_names(where: Any, names: list[Any], depth: int) -> None:
    if not isinstance(where, Mapping) or depth > 32:
        return
    for key, condition in where.items():
        if key in ("and", "or"):
            for part in condition if isinstance(condition, list) else ():
                _filter_names(part, names, depth + 1)
        elif key == "not":
            _filter_names(condition, names, depth + 1)
        else:
            names.append(key)
