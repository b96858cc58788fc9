"""Diff the deployed model against a new one into an ordered list of steps.

The foundation supports first deploys, new objects, new fields and changes that
need no DDL (labels, help, new or deactivated picklist options, defaults...).
Any other change to a deployed object is refused with the list of changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from hulian.engine.errors import DeployError
from hulian.metadata.model import Field, ObjectDef, Pack, label_text

# Field settings that only steer validation or display: changing them needs no DDL.
METADATA_ONLY = frozenset({
    "label", "help", "description", "default", "minimum", "maximum", "pattern", "on_delete",
    "format", "start", "reset", "options", "formula", "blank_as", "default_formula",
    "renamed_from",
})
LENGTHY = frozenset({"text", "textarea", "email", "phone", "url"})


@dataclass(frozen=True)
class Step:
    action: str
    object: str | None
    field: str | None
    description: str
    kind: str = "safe"
    from_field: str | None = None
    """rename_field: the column's previous name."""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _describe_field(f: Field) -> str:
    extra = f" -> {f.target}" if f.target else ""
    formula = " formula" if f.formula is not None else ""
    return f"{f.api_name} ({f.type}{formula}{extra})"


def _create_object_steps(obj: ObjectDef) -> list[Step]:
    return [Step("create_table", obj.api_name, None,
                 f"create table for {obj.api_name} ({label_text(obj.label)}) with fields: "
                 + ", ".join(_describe_field(f) for f in obj.fields))]


def _option_problems(old: Field, new: Field) -> list[str]:
    removed = [o.api_name for o in old.options if new.option(o.api_name) is None]
    return [f"option {name!r} of {new.api_name} removed (deactivate it instead: "
            f'"active": false keeps stored values)' for name in removed]


def _field_changes(obj: str, old: Field, new: Field) -> tuple[list[Step], list[str]]:
    refused = _option_problems(old, new)
    if (old.formula is None) != (new.formula is None):
        refused.append(f"{new.api_name}: turning a stored field into a formula field or back")
    structural = [
        f.name for f in fields(Field)
        if f.name not in METADATA_ONLY and getattr(old, f.name) != getattr(new, f.name)
    ]
    if "required" in structural and old.required and not new.required:
        structural.remove("required")
    steps: list[Step] = []
    if "max_length" in structural and new.type in LENGTHY and old.type == new.type \
            and (new.max_length or 0) > (old.max_length or 0):
        structural.remove("max_length")
        steps.append(Step("grow_field", obj, new.api_name,
                          f"widen {obj}.{new.api_name} from {old.max_length} to "
                          f"{new.max_length} characters (data kept)"))
    refused += [f"{new.api_name}: changing {name} from {getattr(old, name)!r} to "
                f"{getattr(new, name)!r}" for name in structural]
    if refused:
        return [], refused
    changed = sorted(f.name for f in fields(Field) if f.name not in ("max_length", "renamed_from")
                     and getattr(old, f.name) != getattr(new, f.name))
    if changed:
        steps.append(Step("update_field", obj, new.api_name,
                          f"update {obj}.{new.api_name}: {', '.join(changed)} (no data change)"))
    return steps, []


def _object_changes(old: ObjectDef, new: ObjectDef) -> tuple[list[Step], list[str]]:
    steps: list[Step] = []
    refused: list[str] = []
    name = new.api_name
    if old.name_field != new.name_field:
        refused.append(f"{name}: changing the name field from {old.name_field!r} to "
                       f"{new.name_field!r}")
    renames = {f.api_name: f.renamed_from for f in new.fields
               if f.renamed_from and old.field(f.api_name) is None
               and old.field(f.renamed_from) is not None}
    for f in old.fields:
        if new.field(f.api_name) is None and f.api_name not in renames.values():
            refused.append(f"{name}.{f.api_name}: removing a field")
    for f in new.fields:
        before = old.field(f.api_name)
        if f.api_name in renames:
            before = replace(old.field(renames[f.api_name]), api_name=f.api_name)
            if f.formula is None:
                steps.append(Step("rename_field", name, f.api_name,
                                  f"rename {name}.{renames[f.api_name]} to {f.api_name} "
                                  "(data kept)", from_field=renames[f.api_name]))
        if before is None:
            if f.formula is not None:
                steps.append(Step("add_formula_field", name, f.api_name,
                                  f"add formula field {name}.{_describe_field(f)} "
                                  "(computed on read, no data change)"))
            else:
                steps.append(Step("add_field", name, f.api_name,
                                  f"add field {name}.{_describe_field(f)}"))
            continue
        more_steps, more_refused = _field_changes(name, before, f)
        steps += more_steps
        refused += [f"{name}.{r}" for r in more_refused]
    bare_old = replace(old, fields=())
    bare_new = replace(new, fields=(), source=old.source)
    if bare_old != bare_new and not refused:
        steps.append(Step("update_object", name, None,
                          f"update {name}: labels, description or validation rules "
                          "(no data change)"))
    return steps, refused


def plan(old: Pack | None, new: Pack, *, new_schema: bool) -> list[Step]:
    """The steps that turn ``old`` (None: nothing deployed) into ``new``."""
    steps: list[Step] = []
    if new_schema:
        steps.append(Step("create_schema", None, None, "create the tenant's storage"))
    if old is None:
        for obj in new.objects:
            steps += _create_object_steps(obj)
        return steps
    refused: list[str] = []
    for obj in old.objects:
        if new.object(obj.api_name) is None:
            refused.append(f"{obj.api_name}: removing an object")
    for obj in new.objects:
        before = old.object(obj.api_name)
        if before is None:
            steps += _create_object_steps(obj)
        else:
            more_steps, more_refused = _object_changes(before, obj)
            steps += more_steps
            refused += more_refused
    if refused:
        raise DeployError(
            f"this deploy changes deployed objects in {len(refused)} way(s) that are not "
            f"supported yet: {refused[0]}",
            code="deploy_change_unsupported",
            hint="deployed objects can gain objects, fields, options and label changes; "
                 "revert the other changes or deploy to a new tenant",
            changes=[{"change": r} for r in refused],
        )
    return steps
