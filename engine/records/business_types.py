"""Business types (业务类型) and field dependencies (字段依赖) on the write path.

- A new record's ``business_type`` is the one it names, else the object's default type if
  the user may use it, else the only type the user may use. The type must exist
  (``unknown_business_type``), be active (``inactive_business_type``) and be one the user
  may use (``business_type_not_allowed``: the type's ``roles`` name none of theirs). An
  update may change it only to such a type.
- The type's ``defaults`` and its picklists' default options fill fields the input leaves
  out (before the object's own defaults).
- A picklist value outside the type's subset is refused
  (``picklist_option_not_in_business_type``); a value already stored may stay.
- A dependent picklist's values must be among those its controlling field's value allows
  (``picklist_option_not_allowed_by_dependency``), checked whenever either of the two is
  written.

Which types a user may use is worked out once per reader (their roles) and object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.engine.errors import FieldError
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.model import BusinessType

__all__ = ["apply_type_defaults", "check_dependencies", "check_subsets", "resolve_type",
           "resolve_types", "usable_types"]

FIELD = "business_type"


def usable_types(obj: CompiledObject, visibility: Any) -> tuple[BusinessType, ...]:
    """The active business types of ``obj`` the user may create records of (a system
    session, ``visibility`` None: all of them)."""
    def build() -> tuple[BusinessType, ...]:
        active = tuple(t for t in obj.model.types if t.active)
        if visibility is None or visibility.rights.admin:
            return active
        roles = visibility.roles
        return tuple(t for t in active if t.roles is None or roles & set(t.roles))

    if visibility is None:
        return build()
    return visibility.statement(("business_types", obj.api_name), build)


def _refused(obj: CompiledObject, name: Any, usable: tuple[BusinessType, ...], row: int | None
             ) -> FieldError | None:
    """Why ``name`` cannot be the business type of a record the user writes (None: it can)."""
    names = [t.api_name for t in usable]
    hint = f"business types you may use: {', '.join(names)}" if names else \
        "you may use no business type of this object: ask an administrator"
    if not isinstance(name, str):
        return FieldError(FIELD, "invalid_type", "expected the api_name of a business type",
                          hint, row=row)
    found = obj.model.business_type(name)
    if found is None:
        return FieldError(FIELD, "unknown_business_type",
                          f"{obj.api_name} has no business type {name!r}", hint, row=row)
    if not found.active:
        return FieldError(FIELD, "inactive_business_type",
                          f"the business type {name!r} is no longer in use", hint, row=row)
    if found not in usable:
        return FieldError(FIELD, "business_type_not_allowed",
                          f"you may not create or keep records of the business type {name!r}",
                          hint, row=row)
    return None


def resolve_type(obj: CompiledObject, row: dict[str, Any], visibility: Any,
                 errors: list[FieldError], index: int) -> BusinessType | None:
    """Give a new record (``row``) its business type, or add the error saying why not."""
    usable = usable_types(obj, visibility)
    if FIELD in row:
        problem = _refused(obj, row[FIELD], usable, index)
        if problem is not None:
            errors.append(problem)
            return None
        return obj.model.business_type(row[FIELD])
    default = obj.model.default_type
    chosen = default if default in usable else usable[0] if len(usable) == 1 else None
    if chosen is None:
        errors.append(_refused(obj, default.api_name, usable, index) if not usable else
                      FieldError(FIELD, "required", "choose the record's business type",
                                 "business types you may use: "
                                 + ", ".join(t.api_name for t in usable), row=index))
        return None
    row[FIELD] = chosen.api_name
    return chosen


def resolve_types(obj: CompiledObject, rows: list[dict[str, Any]], visibility: Any,
                  errors: list[FieldError]) -> list[BusinessType | None]:
    """:func:`resolve_type` of each new record (rows numbered from 0); the records that
    name no type get the one they all get at once."""
    usable = usable_types(obj, visibility)
    default = obj.model.default_type
    chosen = default if default in usable else usable[0] if len(usable) == 1 else None
    out: list[BusinessType | None] = []
    for i, row in enumerate(rows):
        if chosen is None or FIELD in row:
            out.append(resolve_type(obj, row, visibility, errors, i))
        else:
            row[FIELD] = chosen.api_name
            out.append(chosen)
    return out


def check_type_change(obj: CompiledObject, values: Mapping[str, Any], visibility: Any,
                      errors: list[FieldError]) -> None:
    """An update that changes the business type changes it to one the user may use."""
    if FIELD in values:
        problem = _refused(obj, values[FIELD], usable_types(obj, visibility), None)
        if problem is not None:
            errors.append(problem)


def apply_type_defaults(btype: BusinessType | None, obj: CompiledObject,
                        row: dict[str, Any]) -> None:
    """Fill the fields ``row`` leaves out with the type's defaults (coerced like input)."""
    if btype is None:
        return
    for name, value in btype.defaults.items():
        if name not in row and name in obj.coercers:
            row[name] = obj.coercers[name](value)
    for name, subset in btype.options.items():
        if name not in row and subset.default is not None and name in obj.coercers:
            row[name] = obj.coercers[name](subset.default if obj.kinds[name] == "picklist"
                                           else [subset.default])


def _chosen(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def check_subsets(obj: CompiledObject, btype: BusinessType | None, row: Mapping[str, Any],
                  errors: list[FieldError], index: int | None,
                  kept: Mapping[str, Any] | None = None) -> None:
    """Picklist values of ``row`` are among the options ``btype`` allows (``kept``: the
    stored record, whose values may stay)."""
    if btype is None or not btype.options:
        return
    for name, subset in btype.options.items():
        if name not in row:
            continue
        stored = set(_chosen((kept or {}).get(name)))
        for option in _chosen(row[name]):
            if option not in subset.values and option not in stored:
                errors.append(FieldError(
                    name, "picklist_option_not_in_business_type",
                    f"{option!r} is not an option of {name} for the business type "
                    f"{btype.api_name!r}", "choose one of " + ", ".join(subset.values),
                    row=index))


def check_dependencies(obj: CompiledObject, record: Mapping[str, Any],
                       written: Mapping[str, Any], errors: list[FieldError],
                       index: int | None) -> None:
    """Dependent picklists of ``record`` (the record as it will be) hold only what their
    controlling field allows, for the dependencies ``written`` touches."""
    for dependency in obj.model.field_dependencies:
        if dependency.controlling not in written and dependency.dependent not in written:
            continue
        value = record.get(dependency.dependent)
        if value is None or value == []:
            continue
        allowed = dependency.allowed(record.get(dependency.controlling))
        for option in _chosen(value):
            if option not in allowed:
                errors.append(FieldError(
                    dependency.dependent, "picklist_option_not_allowed_by_dependency",
                    f"{option!r} is not allowed for {dependency.dependent} when "
                    f"{dependency.controlling} is {record.get(dependency.controlling)!r}",
                    "choose one of " + ", ".join(allowed) if allowed else
                    f"set {dependency.controlling} first (or leave "
                    f"{dependency.dependent} blank)", row=index))
