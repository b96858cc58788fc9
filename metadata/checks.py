"""Cross-checks: what the JSON schemas cannot say.

Names, duplicates, labels, references between fields and objects, defaults,
number settings, patterns and auto-number formats. They run after the schema
check on documents that may still be wrong in any way, so each check looks only
at values of the right JSON type and skips the rest (the schema check reports
those).

One field at a time here, in each field type's ``check_settings``
(:mod:`hulian.metadata.field_types`: patterns, numbers, options, targets, auto-number
formats), in :mod:`~hulian.metadata.field_settings` (indexes, defaults and backfills),
:mod:`~hulian.metadata.rule_checks`
(formulas and validation rules) and :mod:`~hulian.metadata.derived_checks`
(roll-up and quote keys); across objects in
:mod:`~hulian.metadata.relationship_checks` (master-detail chains, relationship
names), :mod:`~hulian.metadata.derived_checks` (what roll-ups and quotes name) and
:mod:`~hulian.metadata.access_checks` (roles, apps, sharing rules and custom actions);
the field history list in :mod:`~hulian.metadata.history_checks`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from hulian.metadata.access_checks import check_access
from hulian.metadata.business_type_checks import check_business_types
from hulian.metadata.derived_checks import check_derived, check_derived_keys, derived_key
from hulian.metadata.documents import EXTENSIONS_HINT, MANIFEST, SUPPORTED, document_kind
from hulian.metadata.extension_checks import check_extension
from hulian.metadata.field_settings import (
    check_default,
    check_indexed,
    type_settings,
    value_problem,
)
from hulian.metadata.field_types import TYPE_KEYS, FieldContext, field_type, is_field_type
from hulian.metadata.hints import a_field, choices_hint
from hulian.metadata.history_checks import check_history
from hulian.metadata.kind_checks import check_kinds
from hulian.metadata.model import DEPENDENT, PACK_KINDS, PARTIAL_KINDS
from hulian.metadata.names import NameKind, name_issues
from hulian.metadata.owner_rule_checks import check_owner_rules
from hulian.metadata.problems import Problem, pointer
from hulian.metadata.relationship_checks import PackObjects, check_relationships, may_be_installed
from hulian.metadata.rule_checks import check_formula_keys, check_rules

__all__ = ["TYPE_KEYS", "check_documents", "type_settings"]

LANGUAGES = ("zh", "en")


class _Report:
    """Collects the problems of one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, code: str, path: tuple[Any, ...], message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(code, self.file, pointer(*path), message, hint))

    def name(self, kind: NameKind, name: Any, path: tuple[Any, ...],
             pack_kind: str | None = None) -> None:
        if isinstance(name, str):
            for issue in name_issues(kind, name, pack_kind):
                self.add(issue.code, path, issue.message, issue.hint)

    def labels(self, value: Any, path: tuple[Any, ...]) -> None:
        if not isinstance(value, dict):
            return
        missing = [lang for lang in LANGUAGES if lang not in value]
        if missing:
            names = " and ".join({"zh": "Chinese (zh)", "en": "English (en)"}[m] for m in missing)
            self.add("label.missing_language", path, f"{path[-1]} lacks {names}",
                     "add " + ", ".join(f'"{m}": "..."' for m in missing)
                     + "; every label has zh and en at least")


def _check_field(raw: Any, path: tuple[Any, ...], report: _Report, targets: Collection[str],
                 pack_kind: str | None) -> None:
    if not isinstance(raw, dict):
        return
    report.name("field", raw.get("api_name"), (*path, "api_name"), pack_kind)
    report.labels(raw.get("label"), (*path, "label"))
    report.labels(raw.get("help"), (*path, "help"))
    name = raw.get("type")
    if not is_field_type(name):
        return
    kind = field_type(name)
    for key in raw:
        if key in TYPE_KEYS and key not in kind.settings:
            report.add("field.key_not_applicable", (*path, key),
                       f"{key} does not apply to {a_field(name)}",
                       f"{key} is for {', '.join(TYPE_KEYS[key])} fields;"
                       f" remove it or change the type{kind.key_notes.get(key, '')}")
    context = FieldContext(targets, pack_kind,
                           lambda target: target in targets or may_be_installed(target, pack_kind))
    sound = kind.check_settings(raw, path, report, context)
    check_indexed(raw, path, report)
    computed = derived_key(raw) in ("roll_up", "quote")  # their keys are reported instead
    for key in ("default", "backfill"):
        if key in raw and sound and not computed:
            check_default(raw, path, report, key)
    check_formula_keys(raw, path, report.add)
    check_derived_keys(raw, path, report.add)


def _duplicates(items: Iterator[tuple[Any, str, str]], report_for: Any, what: str) -> None:
    """Report the second and later of case-insensitively equal names."""
    seen: dict[str, str] = {}
    for name, file, where in items:
        if not isinstance(name, str):
            continue
        first = seen.setdefault(name.lower(), f"{file}#{where}" if file else where)
        if first != (f"{file}#{where}" if file else where):
            report_for(file).add("name.duplicate", tuple(where.split("/")[1:]),
                                 f"{name!r} is already the api_name of {what} at {first}",
                                 "api_names must differ, ignoring case; rename one")


def _check_object(doc: Any, file: str, report: _Report, targets: Collection[str],
                  pack_kind: str | None) -> None:
    if not isinstance(doc, dict):
        return
    api_name = doc.get("api_name")
    report.name("object", api_name, ("api_name",), pack_kind)
    expected = file.removeprefix("objects/").removesuffix(".json")
    if isinstance(api_name, str) and api_name != expected:
        report.add("object.file_name_mismatch", ("api_name",),
                   f"the file {file} holds the object {api_name!r}",
                   f"rename the file to objects/{api_name}.json, or set api_name to {expected!r}")
    for key in ("label", "plural_label"):
        report.labels(doc.get(key), (key,))
    fields = doc.get("fields")
    if not isinstance(fields, list):
        return
    for i, raw in enumerate(fields):
        _check_field(raw, ("fields", i), report, targets, pack_kind)
    named = [(f.get("api_name"), "", pointer("fields", i, "api_name"))
             for i, f in enumerate(fields) if isinstance(f, dict)]
    _duplicates(iter(named), lambda _file: report, "another field")
    _check_name_field(doc.get("name_field"), fields, report)
    check_history(doc, report.add)
    check_rules(doc.get("validation_rules"),
                {f["api_name"] for f in fields if isinstance(f, dict)
                 and isinstance(f.get("api_name"), str)},
                report.add, report.name, report.labels)


def _check_name_field(name_field: Any, fields: list[Any], report: _Report) -> None:
    if not isinstance(name_field, str):
        return
    types = {f["api_name"]: f.get("type") for f in fields
             if isinstance(f, dict) and isinstance(f.get("api_name"), str)}
    if name_field not in types:
        usable = [n for n, t in types.items() if is_field_type(t) and field_type(t).names_records]
        report.add("name_field.unknown", ("name_field",),
                   f"{name_field!r} is not a field of this object",
                   choices_hint(name_field, usable, "text and auto_number fields")
                   if usable else "add a text field to name the records by")
    elif is_field_type(types[name_field]) and not field_type(types[name_field]).names_records:
        report.add("name_field.type", ("name_field",),
                   f"the name field {name_field!r} is {a_field(types[name_field])}",
                   "records are named by a text field or an auto_number")


def check_documents(documents: Mapping[str, Any], broken: Collection[str] = ()) -> list[Problem]:
    """Cross-check a pack's documents (JSON values only); problem files are relative.

    ``broken`` lists files that exist but could not be read: their objects count
    as present, so lookups to them are not reported again.
    """
    reports = {name: _Report(name) for name in documents}
    manifest = documents.get(MANIFEST)
    pack_kind: str | None = None
    if isinstance(manifest, dict):
        kind = manifest.get("kind", "preset")
        pack_kind = kind if kind in PACK_KINDS else None
        if pack_kind == "preset" and isinstance(manifest.get("requires"), dict) \
                and manifest["requires"]:
            pack_kind = DEPENDENT
        reports[MANIFEST].name("pack", manifest.get("name"), ("name",))
        reports[MANIFEST].labels(manifest.get("label"), ("label",))
        branding = manifest.get("branding")
        if isinstance(branding, dict):
            reports[MANIFEST].labels(branding.get("name"), ("branding", "name"))
    objects = sorted(name for name in documents if document_kind(name) == "object")
    targets = {doc["api_name"] for name in objects
               if isinstance(doc := documents[name], dict) and isinstance(doc.get("api_name"), str)}
    targets |= {name.removeprefix("objects/").removesuffix(".json") for name in broken
                if document_kind(name) == "object"}
    for name in objects:
        _check_object(documents[name], name, reports[name], targets, pack_kind)
    pack_objects = PackObjects.of(documents, targets, pack_kind)
    check_relationships(pack_objects, reports.__getitem__)
    check_derived(pack_objects, reports.__getitem__)
    for name in sorted(name for name in documents if document_kind(name) == "extension"):
        if pack_kind in PARTIAL_KINDS:
            check_extension(documents[name], name, reports[name], _check_field, targets,
                            pack_kind)
        elif pack_kind is not None:
            reports[name].add("pack.unexpected_file", (),
                              f"a {pack_kind} pack has no extension files",
                              EXTENSIONS_HINT if pack_kind == "preset" else SUPPORTED)
    _duplicates(((documents[name].get("api_name"), name, "/api_name") for name in objects
                 if isinstance(documents[name], dict)), reports.__getitem__, "another object")
    check_access(documents, reports.__getitem__, pack_kind, broken)
    check_kinds(documents, reports.__getitem__, pack_kind, broken)
    check_business_types(documents, reports.__getitem__, pack_kind, value_problem)
    check_owner_rules(documents, reports.__getitem__, pack_kind)
    for kind, what in (("role", "another role"), ("app", "another app")):
        files = sorted(name for name in documents if document_kind(name) == kind)
        _duplicates(((documents[name].get("api_name"), name, "/api_name") for name in files
                     if isinstance(documents[name], dict)), reports.__getitem__, what)
    return [p for report in reports.values() for p in report.problems]
