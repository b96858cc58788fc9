"""What a user may learn of the metadata: which objects may be named to them, and which
formula texts and field paths name nothing they may not see.

An object the user may not read does not exist for them, and neither does a hidden
field; so no description, OpenAPI document or error may name them. A lookup to such an
object is an *opaque* reference (its target is not named), and a formula, quote or
roll-up that reaches such an object or a hidden field, directly or across lookups
(``funding.code``, ``$User.department.name``), keeps its text to itself:

>>> d = Disclosure(schema, rights)                    # doctest: +SKIP
>>> d.nameable("RebateBudget"), d.nameable("User")    # doctest: +SKIP
(False, True)
>>> d.formula_shown("Order", "funding.code = 'X'")    # doctest: +SKIP
False

The system objects ``User`` and ``Department`` are nameable to everyone (every object
has an owner); an administrator may see everything.
"""

from __future__ import annotations

from functools import lru_cache

from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.schema.system_objects import CURRENT_USER, SYSTEM_MODELS, hop
from hulian.engine.security.rights import Rights
from hulian.formula import FormulaError
from hulian.formula.ast import parsed_refs
from hulian.formula.parser import parse
from hulian.metadata.model import ObjectDef

__all__ = ["Disclosure", "formula_paths"]


@lru_cache(maxsize=4096)
def formula_paths(text: str) -> tuple[tuple[str, ...], ...] | None:
    """The field reference paths of a formula, or None when it does not parse."""
    try:
        return tuple(ref.path for ref in parsed_refs(parse(text)))
    except FormulaError:
        return None


class Disclosure:
    """What of ``schema``'s metadata the holder of ``rights`` may be told."""

    def __init__(self, schema: CompiledSchema, rights: Rights):
        self.schema = schema
        self.rights = rights
        self._hidden: dict[str, frozenset[str]] = {}

    def nameable(self, object_name: str | None) -> bool:
        """The object may be named to the user: they may read it, or it is a system
        object."""
        return object_name is not None and (object_name in SYSTEM_MODELS or (
            object_name in self.schema.objects and self.rights.can(object_name, "read")))

    def hidden(self, object_name: str) -> frozenset[str]:
        """The fields of ``object_name`` the user may not see (all of them: an object they
        may not read)."""
        found = self._hidden.get(object_name)
        if found is None:
            model = self._model(object_name)
            fields = model.field_names if model is not None else ()
            found = frozenset() if self.rights.admin or object_name in SYSTEM_MODELS else \
                frozenset(fields) if not self.rights.can(object_name, "read") else \
                frozenset(fields) & self.rights.hidden(object_name)
            self._hidden[object_name] = found
        return found

    def path_shown(self, start: str, path: tuple[str, ...]) -> bool:
        """The field path (``funding.code``, read from ``start``) reaches no hidden field
        and no object the user may not name."""
        if self.rights.admin:
            return True
        current = start
        if path and path[0] == CURRENT_USER:
            current, path = "User", path[1:]
        if not path or not self.nameable(current):
            return False
        for name in path[:-1]:
            model = self._model(current)
            found = hop(model, name) if model is not None else None
            if found is None or name in self.hidden(current) or not self.nameable(found[1]):
                return False
            current = found[1]
        return path[-1] not in self.hidden(current)

    def formula_shown(self, start: str, text: str | None) -> bool:
        """Every reference of the formula ``text`` (on ``start``) may be shown; False for
        a formula that does not parse."""
        if text is None or self.rights.admin:
            return True
        paths = formula_paths(text)
        return paths is not None and all(self.path_shown(start, p) for p in paths)

    def _model(self, object_name: str) -> ObjectDef | None:
        return SYSTEM_MODELS.get(object_name) or self.schema.pack.object(object_name)
