"""Cross-checks of ``extensions/<Object>.json`` files, on the overlay alone.

An extension changes an object of an installed pack, which the overlay does not
hold: what needs that object (does the field exist, may it be overridden, does a
default fit it) is checked when the overlay is merged with its packs
(:mod:`hulian.metadata.layers`). Here: the file name, the names and labels of the
new fields and rules (their api_names end with ``__c``), and the labels and
option names inside the overrides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from hulian.metadata.field_types.base import Report
from hulian.metadata.names import CUSTOM_SUFFIX
from hulian.metadata.problems import pointer
from hulian.metadata.rule_checks import check_rules

EXTENSIONS_FOLDER = "extensions/"


CheckField = Callable[[Any, tuple[Any, ...], Any, Collection[str], str | None], None]


def check_extension(doc: Any, file: str, report: Report, check_field: CheckField,
                    targets: Collection[str], pack_kind: str = "tenant") -> None:
    """Check one extension document of a tenant pack (or of a dependent pack:
    ``pack_kind`` :data:`~hulian.metadata.model.DEPENDENT`, whose new names do not end
    with ``__c``).

    ``check_field`` checks one field definition (``checks._check_field``), and
    ``targets`` are the pack's own objects, which its new lookups may name.
    """
    if not isinstance(doc, dict):
        return
    target = doc.get("object")
    report.name("object", target, ("object",))
    expected = file.removeprefix(EXTENSIONS_FOLDER).removesuffix(".json")
    if isinstance(target, str) and target != expected:
        report.add("object.file_name_mismatch", ("object",),
                   f"the file {file} extends the object {target!r}",
                   f"rename the file to {EXTENSIONS_FOLDER}{target}.json,"
                   f" or set object to {expected!r}")
    for key in ("label", "plural_label"):
        report.labels(doc.get(key), (key,))
    fields = doc.get("fields")
    own: set[str] = set()
    if isinstance(fields, list):
        for i, raw in enumerate(fields):
            check_field(raw, ("fields", i), report, targets, pack_kind)
        _no_duplicates(fields, report)
        own = {f["api_name"] for f in fields
               if isinstance(f, dict) and isinstance(f.get("api_name"), str)}
    _check_new_rules(doc.get("validation_rules"), own, report, pack_kind)
    _check_field_overrides(doc.get("field_overrides"), report)
    rule_overrides = doc.get("rule_overrides")
    if isinstance(rule_overrides, dict):
        for key, override in rule_overrides.items():
            if isinstance(override, dict):
                report.labels(override.get("message"), ("rule_overrides", key, "message"))


def _no_duplicates(fields: list[Any], report: Report) -> None:
    seen: dict[str, str] = {}
    for i, raw in enumerate(fields):
        name = raw.get("api_name") if isinstance(raw, dict) else None
        if not isinstance(name, str):
            continue
        where = pointer("fields", i, "api_name")
        if name.lower() in seen:
            report.add("name.duplicate", ("fields", i, "api_name"),
                       f"{name!r} is already the api_name of another field at {seen[name.lower()]}",
                       "api_names must differ, ignoring case; rename one")
        else:
            seen[name.lower()] = where


def _check_new_rules(rules: Any, own: set[str], report: Report, pack_kind: str) -> None:
    """New rules: a tenant's api_names end with __c, and an error_field ending with __c is
    a new field.

    Other error fields name the extended pack's fields, checked when the packs are merged.
    """
    if not isinstance(rules, list):
        return
    known = own | {r["error_field"] for r in rules if isinstance(r, dict)
                   and isinstance(r.get("error_field"), str)
                   and not r["error_field"].endswith(CUSTOM_SUFFIX)}

    def name(kind: Any, value: Any, path: tuple[Any, ...]) -> None:
        report.name(kind, value, path, pack_kind)

    check_rules(rules, known, report.add, name, report.labels)


def _check_field_overrides(overrides: Any, report: Report) -> None:
    if not isinstance(overrides, dict):
        return
    for key, override in overrides.items():
        if not isinstance(override, dict):
            continue
        for label in ("label", "help"):
            report.labels(override.get(label), ("field_overrides", key, label))
        options = override.get("options")
        if not isinstance(options, list):
            continue
        for i, option in enumerate(options):
            if isinstance(option, dict):
                path = ("field_overrides", key, "options", i)
                report.name("option", option.get("api_name"), (*path, "api_name"))
                report.labels(option.get("label"), (*path, "label"))
