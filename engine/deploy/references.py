"""What in the new metadata still uses a field or object the deploy would remove.

A removed field may still be named by a formula field, a default formula, a
validation rule or a sharing rule's criteria of any object (directly or across lookups,
``account.industry``), or be a rule's ``error_field``; a removed object or field may
still be named by a role's object or field permissions, by an app, or by a layout, scene
or home view (the metadata checks refuse those when the pack is loaded, so only packs
built in code reach here; a scene's filter is a formula, found here).
Each use is reported with its file and JSON pointer so the consultant can fix every one
of them in one go.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hulian.formula.ast import parsed_refs
from hulian.formula.errors import FormulaError
from hulian.formula.parser import parse
from hulian.metadata.kinds import KINDS, PackView, pack_view
from hulian.metadata.kinds import Use as DocumentUse
from hulian.metadata.model import ObjectDef, Pack
from hulian.metadata.problems import pointer


@dataclass(frozen=True)
class Use:
    """``what`` (e.g. "formula of Ticket.score") at ``file`` + ``pointer`` uses ``target``."""

    target: str
    what: str
    file: str
    pointer: str

    def to_dict(self) -> dict[str, str]:
        return {"removed": self.target, "used_by": self.what, "file": self.file,
                "pointer": self.pointer}


def _formulas(obj: ObjectDef) -> Iterator[tuple[str, str, str, str]]:
    """(what, pointer, text, the object the formula reads) of every formula of ``obj``:
    formula fields, default formulas, rules, lookup filters and roll-up filters."""
    name = obj.api_name
    for i, f in enumerate(obj.fields):
        if f.formula is not None:
            yield f"formula field {name}.{f.api_name}", pointer("fields", i, "formula"), \
                f.formula, name
        if f.default_formula is not None:
            yield (f"default formula of {name}.{f.api_name}",
                   pointer("fields", i, "default_formula"), f.default_formula, name)
        if f.lookup_filter is not None and f.target:
            yield (f"lookup filter of {name}.{f.api_name}",
                   pointer("fields", i, "lookup_filter"), f.lookup_filter, f.target)
        if f.roll_up is not None and f.roll_up.filter is not None:
            yield (f"roll-up filter of {name}.{f.api_name}",
                   pointer("fields", i, "roll_up", "filter"), f.roll_up.filter, f.roll_up.object)
    for i, rule in enumerate(obj.validation_rules):
        yield (f"validation rule {name}.{rule.api_name}",
               pointer("validation_rules", i, "condition"), rule.condition, name)
    for i, owner_rule in enumerate(obj.owner_rules):
        if owner_rule.condition is not None:
            yield (f"condition of owner rule {name}.{owner_rule.api_name}",
                   pointer("owner_rules", i, "condition"), owner_rule.condition, name)
    for i, sharing in enumerate(obj.sharing_rules):
        if sharing.criteria is not None:
            yield (f"criteria of sharing rule {name}.{sharing.api_name}",
                   pointer("sharing_rules", i, "criteria"), sharing.criteria, name)


def _paths(obj: ObjectDef) -> Iterator[tuple[str, str, tuple[str, ...], str]]:
    """(what, pointer, field path, start object) of the other field references of ``obj``:
    quotes and the fields roll-ups summarise."""
    for i, f in enumerate(obj.fields):
        if f.quote is not None:
            yield (f"quote field {obj.api_name}.{f.api_name}", pointer("fields", i, "quote"),
                   tuple(f.quote.split(".")), obj.api_name)
        if f.roll_up is not None:
            for key in ("relationship", "field"):
                value = getattr(f.roll_up, key)
                if value:
                    yield (f"roll-up {obj.api_name}.{f.api_name}",
                           pointer("fields", i, "roll_up", key), (value,), f.roll_up.object)


class _Resolver:
    """Follows a reference path through the new pack, falling back on the deployed one."""

    def __init__(self, new: Pack, old: Pack):
        self.packs = (new, old)

    def field(self, obj_name: str, name: str):
        for pack in self.packs:
            obj = pack.object(obj_name)
            found = obj.field(name) if obj is not None else None
            if found is not None:
                return found
        return None

    def targets(self, start: str, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        """Every (object, field) the path names, in order: lookups then the last field."""
        current = start
        for depth, name in enumerate(path):
            yield current, name
            found = self.field(current, name)
            if found is None or depth == len(path) - 1 or not found.is_reference \
                    or found.target is None:
                return
            current = found.target


def field_uses(new: Pack, old: Pack, removed: set[tuple[str, str]]) -> list[Use]:
    """Every place in ``new`` that uses one of the ``removed`` (object, field) pairs."""
    if not removed:
        return []
    resolver = _Resolver(new, old)
    uses: list[Use] = []
    for obj in new.objects:
        found: list[tuple[str, str, list[tuple[str, ...]], str]] = []
        for what, where, text, start in _formulas(obj):
            try:
                tree = parse(text)
            except FormulaError:
                continue  # reported by the formula checker
            found.append((what, where, [ref.path for ref in parsed_refs(tree)
                                        if not ref.path[0].startswith("$")], start))
        found += [(what, where, [path], start) for what, where, path, start in _paths(obj)]
        for what, where, paths, start in found:
            hit = sorted({f"{o}.{f}" for path in paths
                          for o, f in resolver.targets(start, path) if (o, f) in removed})
            uses += [Use(target, what, obj.source, where) for target in hit]
        for i, rule in enumerate(obj.validation_rules):
            if (obj.api_name, rule.error_field) in removed:
                uses.append(Use(f"{obj.api_name}.{rule.error_field}",
                                f"error_field of validation rule {obj.api_name}.{rule.api_name}",
                                obj.source, pointer("validation_rules", i, "error_field")))
    return uses


def access_uses(new: Pack, removed: set[tuple[str, str]], objects: set[str]) -> list[Use]:
    """Every role permission and app of ``new`` that names one of the ``removed``
    (object, field) pairs or one of the removed ``objects``."""
    uses: list[Use] = []
    for role in new.roles:
        for name, access in role.objects.items():
            if name in objects:
                uses.append(Use(name, f"object permissions of role {role.api_name}",
                                role.source, pointer("objects", name)))
                continue
            uses += [Use(f"{name}.{f}", f"field permissions of role {role.api_name}",
                         role.source, pointer("objects", name, "fields", f))
                     for f in access.fields if (name, f) in removed]
    for app in new.apps:
        uses += [Use(name, f"app {app.api_name}", app.source, pointer("objects", i))
                 for i, name in enumerate(app.objects) if name in objects]
    return uses


def document_uses(new: Pack, old: Pack, removed: set[tuple[str, str]],
                  objects: set[str]) -> list[Use]:
    """Every layout, scene and home view of ``new`` (the registered document kinds) that
    names one of the ``removed`` (object, field) pairs or ``objects``, lists the records of
    a relationship whose lookup is removed, is assigned to a business type an object no
    longer declares (read from the object documents' ``business_types``), or whose formula
    (a scene's filter) reads one of the removed fields."""
    view, before = pack_view(new.documents, "snapshot"), pack_view(old.documents, "snapshot")
    types = {(name, kept) for name, obj in before.objects.items() if name in view.objects
             for kept in obj.business_types if kept not in view.objects[name].business_types}
    if not removed and not objects and not types:
        return []
    resolver = _Resolver(new, old)
    uses: list[Use] = []
    for kind in KINDS:
        for model in new.part(kind.name):
            what = f"{kind.name.replace('_', ' ')} {model.api_name}"
            for use in kind.uses(model.document, view):
                target = _removed(use, removed, objects, before) or \
                    (use.target if use.kind == "business_type" and (use.object, use.name)
                     in types else None)
                if target is not None:
                    uses.append(Use(target, what, model.source, use.pointer))
            for formula in kind.formulas(model.document):
                try:
                    paths = [ref.path for ref in parsed_refs(parse(formula.text))
                             if not ref.path[0].startswith("$")]
                except FormulaError:
                    continue  # reported by the formula checker
                hit = sorted({f"{o}.{f}" for path in paths
                              for o, f in resolver.targets(formula.object, path)
                              if (o, f) in removed})
                uses += [Use(target, f"{formula.what} ({what})", model.source,
                             pointer(*formula.path)) for target in hit]
    return uses


def _removed(use: DocumentUse, removed: set[tuple[str, str]], objects: set[str],
             before: PackView) -> str | None:
    """What removed thing ``use`` names (``Order``, ``Order.amount``), if any."""
    if use.kind == "object" and use.name in objects:
        return use.name
    if use.kind == "field" and (use.object, use.name) in removed:
        return use.target
    if use.kind == "relationship" and use.object is not None:
        found = before.relationship(use.object, use.name)
        if found is not None and (found[0].api_name, found[1]) in removed:
            return f"{found[0].api_name}.{found[1]}"
    return None
