"""Field references in formulas, resolved against a pack's objects.

``account.owner.name`` walks lookup fields (at most 10 hops, as in Salesforce)
to a field of the last object. The resolved target names the hops, so the SQL
back-end can join and the Python side can load related records.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from hulian.engine.schema.columns import SYSTEM_FIELDS
from hulian.engine.schema.system_objects import CURRENT_USER, SYSTEM_HOPS, SYSTEM_MODELS, hop
from hulian.formula import FIELD_TYPE_MAP, T, UnknownField
from hulian.metadata.model import ObjectDef, Pack

MAX_HOPS = 10
SYSTEM_TYPES: dict[str, T] = {
    **dict.fromkeys(SYSTEM_FIELDS, T.TEXT),
    "created_at": T.DATETIME, "updated_at": T.DATETIME, "version": T.NUMBER,
    "is_deleted": T.BOOLEAN,
}


class InstalledElsewhere(Exception):
    """A tenant pack's formula reaches an object of an installed pack, which the pack alone
    does not hold: the formula is checked when the pack is merged with its packs."""


@dataclass(frozen=True)
class FieldTarget:
    """``hops``: the lookup fields walked, from the root object; then ``object``.``field``."""

    hops: tuple[str, ...]
    object: str
    field: str


@dataclass(frozen=True)
class ObjectScope:
    """``opaque``: objects whose names the formula's writer may not learn (a reader's
    objects they may not read): errors say where in the path, never the object.
    ``reader``: False for formulas that run for nobody (a webhook's filter), which may not
    use ``$User``."""

    pack: Pack
    root: ObjectDef
    opaque: frozenset[str] = frozenset()
    reader: bool = True

    def _name(self, obj: ObjectDef, path: tuple[str, ...]) -> str:
        """How errors call ``obj``, reached along ``path``: by name unless opaque."""
        if not path:
            return obj.api_name
        shown = "" if obj.api_name in self.opaque else f" ({obj.api_name})"
        return f"{'.'.join(path)}{shown}"

    def resolve(self, path: tuple[str, ...]) -> tuple[T, FieldTarget]:
        obj = self.root
        if path[0] == CURRENT_USER and not self.reader:
            raise UnknownField(f"{CURRENT_USER} is not known here: the formula runs for no "
                               "user", "compare with a fixed value instead, e.g. owner_id = "
                                       "'01JB...' (a user's id)")
        if path[0] == CURRENT_USER and len(path) > 1:  # the user running the formula
            obj, path, start = SYSTEM_MODELS["User"], path[1:], (CURRENT_USER,)
        else:
            start = ()
        for i, name in enumerate(path[:-1]):
            found = hop(obj, name)
            if found is None:
                lookups = [x.api_name for x in obj.fields if x.is_reference]
                if obj.api_name not in SYSTEM_MODELS:
                    lookups += list(SYSTEM_HOPS)
                close = difflib.get_close_matches(name, lookups, n=1)
                called = self._name(obj, (*start, *path[:i])) if obj.api_name in self.opaque \
                    else obj.api_name
                raise UnknownField(
                    f"{called} has no lookup field {name!r} to follow",
                    f"did you mean {close[0]!r}?" if close else
                    (f"its lookups: {', '.join(lookups)}" if lookups
                     else f"{called} has no lookup fields"))
            if i + 1 > MAX_HOPS:
                raise UnknownField(f"{'.'.join(path)} follows more than {MAX_HOPS} lookups")
            target = self.pack.object(found[1]) or SYSTEM_MODELS.get(found[1])
            if target is None:  # the lookup's target is not in this pack
                if self.pack.partial:
                    raise InstalledElsewhere(found[1])
                raise UnknownField(f"{obj.api_name}.{name} points at {found[1]}, which this "
                                   "pack does not define")
            obj = target
        last = path[-1]
        target = FieldTarget((*start, *path[:-1]), obj.api_name, last)
        f = obj.field(last)
        if f is not None:
            return FIELD_TYPE_MAP[f.type], target
        if last in SYSTEM_TYPES and obj.api_name not in SYSTEM_MODELS:
            return SYSTEM_TYPES[last], target
        if last == "id":
            return T.TEXT, target
        names = [*obj.field_names, *SYSTEM_FIELDS]
        close = difflib.get_close_matches(last, names, n=1)
        where = self._name(obj, path[:-1])
        raise UnknownField(f"{where} has no field {last!r}",
                           f"did you mean {close[0]!r}?" if close else None)


def object_scope(pack: Pack, object_name: str) -> ObjectScope:
    """The scope of formulas on ``object_name`` (``hulian formula eval --metadata``)."""
    obj = pack.object(object_name)
    if obj is None:
        raise UnknownField(f"the pack has no object {object_name!r}",
                           f"its objects: {', '.join(o.api_name for o in pack.objects)}")
    return ObjectScope(pack, obj)
