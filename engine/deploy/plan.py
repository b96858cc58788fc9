"""Diff the deployed model against a new one into an ordered, classed list of steps.

``plan(old, new, catalog=...)`` never touches data: it says what a deploy would do
(see :mod:`hulian.engine.deploy.step` for the classes of steps). Changes hulian
cannot make raise DeployError listing every one; removing something the new
metadata still uses raises DeployError listing every use.

Changes to roles and apps come last, as ``update_access`` steps: they change no table
(:data:`METADATA_ONLY`), but they make a deploy that changes nothing else record a new
version, like an ``update_object`` step does for an object's data permission, sharing
rules or actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hulian.engine.deploy.catalog import ARCHIVED, Catalog, Item
from hulian.engine.deploy.fields import create_index_step, field_changes, same_storage
from hulian.engine.deploy.references import Use, access_uses, document_uses, field_uses
from hulian.engine.deploy.step import DESTRUCTIVE, SAFE, Step
from hulian.engine.errors import DeployError
from hulian.engine.schema.columns import column_type
from hulian.engine.schema.compiled import PLAIN_INDEX, field_index
from hulian.metadata.kinds import KINDS
from hulian.metadata.loader import build_field, build_object
from hulian.metadata.model import Field, ObjectDef, Pack, label_text

METADATA_ONLY = ("update_access", "update_document")
"""Step actions that change no table (the migrator skips them; they come last in a plan)."""
_ACCESS_PARTS = (("data_permission", "data permission"), ("sharing_rules", "sharing rules"),
                 ("actions", "actions"), ("track_history", "field history"),
                 ("history_retention_days", "history retention"))
"""Object properties an ``update_object`` step names (the rest: "labels, description or
validation rules"); none of them changes a table."""


@dataclass
class _Plan:
    old: Pack
    new: Pack
    catalog: Catalog | None
    steps: list[Step]
    refused: list[str]
    removed: set[tuple[str, str]]
    removed_objects: set[str] = field(default_factory=set)


def _describe_field(f: Field) -> str:
    extra = f" -> {f.target}" if f.target else ""
    formula = " formula" if f.formula is not None else " quote" if f.quote else \
        " roll-up" if f.roll_up else ""
    return f"{f.api_name} ({f.type}{formula}{extra})"


def _create_object_steps(obj: ObjectDef) -> list[Step]:
    return [Step("create_table", obj.api_name, None,
                 f"create table for {obj.api_name} ({label_text(obj.label)}) with fields: "
                 + ", ".join(_describe_field(f) for f in obj.fields))]


def _archived_field(catalog: Catalog | None, obj: str, new: Field) -> tuple[Item, Field] | None:
    """The archived field ``new`` can bring back: same object, api_name and storage."""
    if catalog is None or new.computed:
        return None
    for item in catalog.archived_fields(obj):
        if item.api_name != new.api_name:
            continue
        document: dict[str, Any] = item.document or {}
        try:
            old = build_field(document, "")
        except (KeyError, TypeError, ValueError):
            continue
        if same_storage(old, new) and type(column_type(old)) is type(column_type(new)):
            return item, old
    return None


def _added_field(state: _Plan, new: ObjectDef, f: Field) -> None:
    obj = new.api_name
    if f.computed:
        state.steps.append(Step("add_formula_field", obj, f.api_name,
                                f"add formula field {obj}.{_describe_field(f)} "
                                "(computed on read, no data change)"))
        return
    restorable = _archived_field(state.catalog, obj, f)
    if restorable is None:
        state.steps.append(Step("add_field", obj, f.api_name,
                                f"add field {obj}.{_describe_field(f)}"
                                + (" (required: blank records are filled with "
                                   f"{f.backfill!r})" if f.required and f.backfill is not None
                                   else "")))
        if f.roll_up is not None:
            state.steps.append(Step("recalc_field", obj, f.api_name,
                                    f"compute the roll-up {obj}.{f.api_name} for every record"))
        if f.indexed and field_index(new, f) == PLAIN_INDEX:
            state.steps.append(create_index_step(obj, f.api_name))
        return
    item, before = restorable
    state.steps.append(Step("restore_field", obj, f.api_name,
                            f"restore archived field {obj}.{f.api_name} (archived in version "
                            f"{item.archived_version}; its stored values come back)",
                            item=item.id))
    # the archive dropped the column's indexes
    more, refused = field_changes(obj, before, f, indexes=(None, field_index(new, f)))
    state.steps += more
    state.refused += [f"{obj}.{r}" for r in refused]


def _object_changes(state: _Plan, old: ObjectDef, new: ObjectDef, restored: bool = False) -> None:
    """The steps changing deployed object ``old`` into ``new`` (``restored``: from its
    archive, which kept no index)."""
    name = new.api_name
    if old.name_field != new.name_field:
        state.refused.append(f"{name}: changing the name field from {old.name_field!r} to "
                             f"{new.name_field!r}")
    renames = {f.api_name: f.renamed_from for f in new.fields
               if f.renamed_from and old.field(f.api_name) is None
               and old.field(f.renamed_from) is not None}
    for f in old.fields:
        if new.field(f.api_name) is None and f.api_name not in renames.values():
            state.removed.add((name, f.api_name))
            if f.computed:
                state.steps.append(Step("remove_formula_field", name, f.api_name,
                                        f"remove formula field {name}.{f.api_name} "
                                        "(computed, nothing stored)"))
            else:
                index = "" if restored or field_index(old, f) is None else \
                    "; its index is dropped"
                state.steps.append(Step("archive_field", name, f.api_name,
                                        f"archive field {name}.{f.api_name}: hidden from the "
                                        "metadata and the API, its values kept and restorable "
                                        f"until hulian purge{index}", DESTRUCTIVE))
    for f in new.fields:
        deployed = old.field(renames.get(f.api_name, f.api_name))
        if f.api_name in renames:
            state.steps.append(Step("rename_field", name, f.api_name,
                                    f"rename {name}.{renames[f.api_name]} to {f.api_name} "
                                    "(data kept)", from_field=renames[f.api_name]))
        if deployed is None:
            _added_field(state, new, f)
            continue
        was = None if restored else field_index(old, deployed)
        more, refused = field_changes(name, replace(deployed, api_name=f.api_name), f,
                                      indexes=(was, field_index(new, f)))
        state.steps += more
        state.refused += [f"{name}.{r}" for r in refused]
    bare_old = replace(old, fields=(), source=new.source, renamed_from=new.renamed_from,
                       api_name=new.api_name)
    bare_new = replace(new, fields=())
    if bare_old != bare_new:
        access = [what for key, what in _ACCESS_PARTS if getattr(old, key) != getattr(new, key)]
        same_access = {key: getattr(new, key) for key, _ in _ACCESS_PARTS}
        parts = ["labels, description or validation rules"] \
            if replace(bare_old, **same_access) != bare_new else []
        state.steps.append(Step("update_object", name, None,
                                f"update {name}: {', '.join(parts + access)} (no data change)"))


def _document_steps(old: Pack, new: Pack) -> list[Step]:
    """One ``update_document`` step per layout, scene or home view (each registered
    document kind) added, changed or removed: metadata only, no table changes. A change
    names the keys it changes: ``update layout order_detail: sections, buttons``."""
    steps = []
    for kind in KINDS:
        was = {item.api_name: item for item in old.part(kind.name)}
        now = {item.api_name: item for item in new.part(kind.name)}
        what = kind.name.replace("_", " ")
        for name in sorted(was.keys() | now.keys()):
            before, after = was.get(name), now.get(name)
            if before is None or after is None:
                verb = "add" if before is None else "remove"
            elif before.document != after.document:
                keys = [k for k in dict.fromkeys([*before.document, *after.document])
                        if before.document.get(k) != after.document.get(k)]
                verb = "update"
                name = f"{name}: {', '.join(keys)}"
            else:
                continue
            model = after or before
            steps.append(Step("update_document", getattr(model, "object", None) or None, None,
                              f"{verb} {what} {name} (no data change)"))
    return steps


def _access_steps(old: Pack, new: Pack) -> list[Step]:
    """One ``update_access`` step per role or app added, changed or removed."""
    steps = []
    for kind, before, after in (("role", old.roles, new.roles), ("app", old.apps, new.apps)):
        was = {item.api_name: item for item in before}
        now = {item.api_name: item for item in after}
        for name in sorted(was.keys() | now.keys()):
            if name not in was:
                verb = "add"
            elif name not in now:
                verb = "remove"
            elif was[name] != now[name]:
                verb = "update"
            else:
                continue
            steps.append(Step("update_access", None, None,
                              f"{verb} {kind} {name} (no data change)"))
    return steps


def _archived_object(state: _Plan, new: ObjectDef) -> ObjectDef | None:
    """The archived object ``new`` brings back (its definition when archived), if any."""
    item = state.catalog.object(new.api_name, ARCHIVED) if state.catalog else None
    if item is None:
        return None
    try:
        before = build_object(item.document, new.source)
    except (KeyError, TypeError, ValueError):
        return None
    state.steps.append(Step("restore_object", new.api_name, None,
                            f"restore archived object {new.api_name} (archived in version "
                            f"{item.archived_version}; its records come back)", item=item.id))
    return before


def _retarget(pack: Pack, renamed: dict[str, str]) -> Pack:
    """``pack`` with lookups to renamed objects pointing at their new names."""
    if not renamed:
        return pack
    objects = tuple(replace(o, fields=tuple(
        replace(f, target=renamed.get(f.target, f.target)) if f.is_reference else f
        for f in o.fields)) for o in pack.objects)
    return replace(pack, objects=objects)


def _refuse_unsupported(refused: list[str]) -> None:
    raise DeployError(
        f"this deploy changes deployed objects in {len(refused)} way(s) hulian cannot carry "
        f"out without losing data: {refused[0]}",
        code="deploy_change_unsupported",
        hint="revert these changes; to change a field in a way listed here, add a new field, "
             "copy the values, then remove the old one (it is archived, not dropped)",
        changes=[{"change": r} for r in refused],
    )


def _uses(state: _Plan) -> list[Use]:
    return field_uses(state.new, state.old, state.removed) \
        + access_uses(state.new, state.removed, state.removed_objects) \
        + document_uses(state.new, state.old, state.removed, state.removed_objects)


def _refuse_in_use(state: _Plan) -> None:
    uses = _uses(state)
    if not uses:
        return
    first = uses[0]
    raise DeployError(
        f"{len(uses)} place(s) still use what this deploy removes: {first.target} is used by "
        f"the {first.what} ({first.file}#{first.pointer})",
        code="deploy_removed_in_use",
        hint="change or remove every use listed in the details in the same deploy, or keep "
             "the field",
        changes=[u.to_dict() for u in uses],
    )


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between two packs, whether or not hulian can deploy it."""

    steps: tuple[Step, ...]
    refused: tuple[str, ...]
    uses: tuple[dict[str, str], ...]

    def lines(self) -> list[str]:
        out = [f"[{s.kind}] {s.description}" for s in self.steps]
        out += [f"[refused] {r}" for r in self.refused]
        out += [f"[refused] {u['removed']} is removed but the {u['used_by']} uses it "
                f"({u['file']}#{u['pointer']})" for u in self.uses]
        return out


def _compare(old: Pack | None, new: Pack, new_schema: bool, catalog: Catalog | None) -> _Plan:
    steps: list[Step] = []
    if new_schema:
        steps.append(Step("create_schema", None, None, "create the tenant's storage"))
    if old is None:
        for obj in new.objects:
            steps += _create_object_steps(obj)
        return _Plan(new, new, catalog, steps, [], set())
    renamed = {o.renamed_from: o.api_name for o in new.objects
               if o.renamed_from and old.object(o.api_name) is None
               and old.object(o.renamed_from) is not None}
    old = _retarget(old, renamed)
    state = _Plan(old, new, catalog, steps, [], set())
    for obj in old.objects:
        if new.object(obj.api_name) is None and obj.api_name not in renamed:
            state.removed |= {(obj.api_name, f) for f in obj.field_names}
            state.removed_objects.add(obj.api_name)
            steps.append(Step("archive_object", obj.api_name, None,
                              f"archive object {obj.api_name} and its records: hidden from the "
                              "metadata and the API, kept and restorable until hulian purge",
                              DESTRUCTIVE))
    for obj in new.objects:
        before = old.object(obj.api_name)
        if obj.api_name in renamed.values():
            source = next(k for k, v in renamed.items() if v == obj.api_name)
            before = old.object(source)
            steps.append(Step("rename_object", obj.api_name, None,
                              f"rename object {source} to {obj.api_name} (table renamed, "
                              "records kept)", SAFE, from_object=source))
        restored = False
        if before is None:
            before = _archived_object(state, obj)
            restored = before is not None
        if before is None:
            steps += _create_object_steps(obj)
        else:
            _object_changes(state, before, obj, restored)
    steps += _access_steps(old, new)
    steps += _document_steps(old, new)
    return state


def compare(old: Pack | None, new: Pack, catalog: Catalog | None = None) -> Comparison:
    """What differs from ``old`` to ``new``: the steps, and what a deploy would refuse."""
    state = _compare(old, new, False, catalog)
    uses = _uses(state) if old is not None else []
    return Comparison(tuple(state.steps), tuple(state.refused),
                      tuple(u.to_dict() for u in uses))


def plan(old: Pack | None, new: Pack, *, new_schema: bool,
         catalog: Catalog | None = None) -> list[Step]:
    """The steps that turn ``old`` (None: nothing deployed) into ``new``."""
    state = _compare(old, new, new_schema, catalog)
    if state.refused:
        _refuse_unsupported(state.refused)
    if old is not None:
        _refuse_in_use(state)
    return state.steps
