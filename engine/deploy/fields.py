"""How a change to one deployed field is carried out: which step, and how risky.

``field_changes(obj, old, new, indexes=...)`` compares a field's deployed definition with
its new one (after a rename, ``old`` already carries the new api_name) and returns the
steps or, for changes hulian cannot make without losing data, sentences saying why not.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace

from hulian.engine.deploy.step import DESTRUCTIVE, NEEDS_DATA_CHECK, SAFE, Step
from hulian.engine.schema.compiled import PLAIN_INDEX
from hulian.engine.schema.field_storage import storage
from hulian.metadata.field_types.number import NumberType
from hulian.metadata.field_types.text import TextType
from hulian.metadata.model import Field

# Settings that change storage or what stored values must satisfy; handled below.
STRUCTURAL = frozenset({"type", "max_length", "precision", "scale", "required", "unique",
                        "target"})
# Settings that only steer display, validation of new writes, or computed values.
IGNORED = frozenset({"renamed_from", "backfill"})


def max_length(f: Field) -> int:
    """The longest value a textual field holds."""
    kind = f.kind
    assert isinstance(kind, TextType), "a textual field"
    return kind.max_length(f)


def digits(f: Field) -> tuple[int, int]:
    """(digits before the point, digits after it) a number field holds."""
    kind = f.kind
    assert isinstance(kind, NumberType), "a numeric field"
    precision, scale = kind.digits(f)
    return precision - scale, scale


def _texts(*fields: Field) -> bool:
    return all(f.kind.textual for f in fields)


def _numbers(*fields: Field) -> bool:
    return all(f.kind.numeric for f in fields)


def same_storage(old: Field, new: Field) -> bool:
    """True when the stored values need no rewriting (only checking) for ``new``."""
    if _texts(old, new):
        return True
    if _numbers(old, new):
        return digits(old) == digits(new)
    return old.type == new.type


def convertible(old: Field, new: Field) -> bool:
    """Whether ``old``'s values convert to ``new``'s type value by value: text to a type
    that reads text, or a type written as text to text."""
    return (old.kind.textual and storage(new.type).from_text) or \
        (storage(old.type).to_text and new.kind.textual)


def _retype(obj: str, old: Field, new: Field) -> Step | None:
    """The step converting ``old``'s values for ``new`` (a type or number size change)."""
    name = f"{obj}.{new.api_name}"
    what = f"{old.type} to {new.type}" if old.type != new.type else \
        f"{old.type}({old.precision},{old.scale}) to ({new.precision},{new.scale})"
    if _numbers(old, new):
        (old_int, old_frac), (new_int, new_frac) = digits(old), digits(new)
        if (old_int, old_frac) == (new_int, new_frac):
            return Step("retype_field", obj, new.api_name,
                        f"change {name} from {what} (values kept as they are)", SAFE)
        if new_frac < old_frac:
            return Step("retype_field", obj, new.api_name,
                        f"change {name} from {what}: values are rounded to {new_frac} "
                        "decimal(s) and must fit", DESTRUCTIVE)
        kind = SAFE if new_int >= old_int else NEEDS_DATA_CHECK
        return Step("retype_field", obj, new.api_name,
                    f"change {name} from {what}: every value is rewritten"
                    + (" and must fit" if kind != SAFE else " (all fit)"), kind)
    if _texts(old, new):
        kind = new.kind
        widening = isinstance(kind, TextType) and kind.content_check is None \
            and not new.pattern and max_length(new) >= max_length(old)
        return Step("retype_field", obj, new.api_name,
                    f"change {name} from {what} (values kept"
                    + (")" if widening else f"; each must be a valid {new.type})"),
                    SAFE if widening else NEEDS_DATA_CHECK)
    if not convertible(old, new):
        return None
    return Step("retype_field", obj, new.api_name,
                f"convert {name} from {what}: every stored value must convert", NEEDS_DATA_CHECK)


def _removed_options(old: Field, new: Field) -> list[str]:
    return [f"{new.api_name}: removing option {o.api_name!r} (deactivate it instead: "
            f'"active": false keeps stored values)'
            for o in old.options if new.option(o.api_name) is None]


def _storage_steps(obj: str, old: Field, new: Field) -> tuple[list[Step], list[str]]:
    name = f"{obj}.{new.api_name}"
    if old.is_reference or new.is_reference:
        if old.type != new.type or old.target != new.target:
            return [], [f"{new.api_name}: changing a lookup's type or target (from "
                        f"{old.type} -> {old.target} to {new.type} -> {new.target})"]
        return [], []
    if old.kind.assigned or new.kind.assigned:
        if old.type != new.type:
            return [], [f"{new.api_name}: changing the type from {old.type} to {new.type} "
                        "(auto-numbers are assigned by hulian)"]
        return [], []
    if old.type == new.type and old.kind.textual:
        before, after = max_length(old), max_length(new)
        if after > before:
            return [Step("grow_field", obj, new.api_name,
                         f"widen {name} from {before} to {after} characters (data kept)")], []
        if after < before:
            return [Step("shrink_field", obj, new.api_name,
                         f"shrink {name} from {before} to {after} characters: every stored "
                         "value must fit", NEEDS_DATA_CHECK)], []
        return [], []
    if old.type == new.type and not old.kind.numeric:
        return [], []
    if old.type == new.type and digits(old) == digits(new):
        return [], []
    step = _retype(obj, old, new)
    if step is None:
        return [], [f"{new.api_name}: changing the type from {old.type} to {new.type} "
                    "(no conversion exists; add a new field and copy the values instead)"]
    return [step], []


def _constraint_steps(obj: str, old: Field, new: Field) -> list[Step]:
    name = f"{obj}.{new.api_name}"
    steps = []
    if new.required and not old.required and not new.kind.never_blank:
        fill = f"; blank values are filled with {new.backfill!r}" if new.backfill is not None \
            else "; no record may be blank (or give a backfill)"
        steps.append(Step("make_required", obj, new.api_name,
                          f"make {name} required{fill}", NEEDS_DATA_CHECK))
    if new.unique and not old.unique:
        steps.append(Step("make_unique", obj, new.api_name,
                          f"make {name} unique: no two live records may share a value",
                          NEEDS_DATA_CHECK))
    elif old.unique and not new.unique:
        steps.append(Step("drop_unique", obj, new.api_name,
                          f"{name} is no longer unique (its unique index is dropped)"))
    return steps


def create_index_step(obj: str, field: str) -> Step:
    return Step("create_index", obj, field, f"create an index on {obj}.{field} for lists that "
                "filter or sort on it (data unchanged)")


def _index_steps(obj: str, old: Field, new: Field, before: str | None,
                 after: str | None) -> list[Step]:
    """create_index / drop_index when ``indexed`` makes the field's plain index come or go.

    ``before`` and ``after`` are the field's index kinds (``field_index``) in the live table
    and in the new metadata. A plain index that comes or goes with ``unique`` alone (the
    unique index then serves) is left to the index sync, as it always was.
    """
    name = f"{obj}.{new.api_name}"
    if not (old.indexed or new.indexed) or (before == PLAIN_INDEX) == (after == PLAIN_INDEX):
        return []
    if after == PLAIN_INDEX:
        return [create_index_step(obj, new.api_name)]
    why = "no longer indexed" if not new.indexed else "its unique index serves instead"
    return [Step("drop_index", obj, new.api_name,
                 f"drop the index on {name} ({why}; data unchanged)")]


def field_changes(obj: str, old: Field, new: Field, *,
                  indexes: tuple[str | None, str | None]) -> tuple[list[Step], list[str]]:
    """Steps turning deployed field ``old`` into ``new``, or the reasons it cannot be done.

    ``indexes`` are the field's index kinds before and after (see :func:`_index_steps`).
    """
    refused = _removed_options(old, new) if new.kind.choice else []
    if old.computed != new.computed:
        refused.append(f"{new.api_name}: turning a stored field into a formula field or back "
                       "(add a new field instead)")
    if refused:
        return [], refused
    changed = sorted(f.name for f in dataclass_fields(Field)
                     if f.name not in IGNORED and getattr(old, f.name) != getattr(new, f.name))
    steps: list[Step] = []
    if not new.computed:
        steps, refused = _storage_steps(obj, old, new)
        if refused:
            return [], refused
        steps += _constraint_steps(obj, old, new)
        index_steps = _index_steps(obj, old, new, *indexes)
        steps += index_steps
        changed = [c for c in changed if c not in STRUCTURAL
                   or (c == "required" and not new.required)]
        if index_steps:
            changed = [c for c in changed if c != "indexed"]
    steps = [replace(s, before=old) for s in steps]
    if new.roll_up is not None and old.roll_up != new.roll_up:
        steps.append(Step("recalc_field", obj, new.api_name,
                          f"recompute the roll-up {obj}.{new.api_name} for every record"))
    if changed:
        steps.append(Step("update_field", obj, new.api_name,
                          f"update {obj}.{new.api_name}: {', '.join(changed)} (no data change)"))
    return steps, []
