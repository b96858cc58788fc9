"""Loading a pack: documents -> schema check -> cross-checks -> the frozen model.

>>> pack = load_pack("examples/crm")                        # doctest: +SKIP
>>> pack.object("Account").field("amount").scale            # doctest: +SKIP
2

Every problem is collected before anything is raised: :func:`load_documents`
and :func:`load_pack` raise one :class:`MetadataError` holding all of them,
:func:`check_pack` returns them.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from hulian.metadata.checks import check_documents
from hulian.metadata.documents import (
    MANIFEST,
    SUPPORTED,
    clean_document,
    document_kind,
    join,
    read_documents,
)
from hulian.metadata.field_types import field_type
from hulian.metadata.kinds import KINDS
from hulian.metadata.model import (
    DEFAULT_HISTORY_RETENTION_DAYS,
    Action,
    App,
    BusinessType,
    Field,
    FieldDependency,
    ObjectAccess,
    ObjectDef,
    OptionSubset,
    OwnerRule,
    Pack,
    Role,
    RollUp,
    SharingRule,
    ValidationRule,
    frozen_map,
)
from hulian.metadata.problems import MetadataError, Problem, reading_order
from hulian.metadata.schema_check import schema_problems

__all__ = ["DEFAULT_DATA_PERMISSION", "build_app", "build_field", "build_object", "build_role",
           "check_pack", "load_documents", "load_pack", "read_documents"]

DEFAULT_DATA_PERMISSION = {"internal": "company_read_write", "external": "private"}
"""What an object's ``data_permission`` holds for the keys it leaves out."""


def _collect(documents: Any, broken: Collection[str] = ()) -> tuple[dict[str, Any], list[Problem]]:
    """Clean, schema-check and cross-check documents; files in problems are relative."""
    if not isinstance(documents, Mapping):
        found = type(documents).__name__
        return {}, [Problem("file.unreadable", "", "",
                            f"documents must map file paths to JSON, not {found}")]
    clean: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in documents.items():
        kind = document_kind(name) if isinstance(name, str) else None
        if kind is None:
            problems.append(Problem("pack.unexpected_file", str(name), "",
                                    f"the pack format has no file {name!r}", SUPPORTED))
            continue
        clean[name], found = clean_document(value, name)
        problems += found
        covered = {p.pointer for p in found}
        problems += [p for p in schema_problems(clean[name], kind, name)
                     if p.pointer not in covered]
    if MANIFEST not in clean and MANIFEST not in broken:
        problems.append(Problem("pack.missing_manifest", MANIFEST, "", "the pack has no pack.json",
                                'add pack.json: {"name": ..., "version": "1.0.0",'
                                ' "label": {"zh": ..., "en": ...}}'))
    covered_at = {(p.file, p.pointer) for p in problems}
    problems += [p for p in check_documents(clean, broken)
                 if (p.file, p.pointer) not in covered_at]
    return clean, list(dict.fromkeys(problems))


def _with_source(problems: list[Problem], source: str) -> list[Problem]:
    return sorted((replace(p, file=join(source, p.file))
                   for p in problems), key=reading_order)


def build_field(raw: Mapping[str, Any], name_field: str) -> Field:
    """The model of one valid field document (``name_field``: its object's name field)."""
    kind = field_type(raw["type"])
    settings = kind.settings_of(raw)
    computed = "formula" in raw or "quote" in raw
    required = raw.get("required", False) or kind.implied_required(
        name_field=raw["api_name"] == name_field, computed=computed)
    field = Field(
        api_name=raw["api_name"],
        type=kind.name,
        label=frozen_map(raw["label"]),
        required=required,
        unique=raw.get("unique", False),
        indexed=raw.get("indexed", False),
        help=frozen_map(raw["help"]) if "help" in raw else None,
        description=raw.get("description"),
        formula=raw.get("formula"),
        blank_as=raw.get("blank_as", "blank"),
        default_formula=raw.get("default_formula"),
        hidden=raw.get("hidden", False),
        lookup_filter=raw.get("lookup_filter"),
        relationship_name=raw.get("relationship_name"),
        roll_up=_roll_up(raw.get("roll_up")),
        quote=raw.get("quote"),
        renamed_from=raw.get("renamed_from"),
        customizable=frozen_map(raw.get("customizable")),
        **settings,
    )
    coerce = kind.coercer(field)
    default = coerce(raw.get("default"))
    if default is None and not computed:
        default = kind.implied_default  # a boolean is never blank: false
    backfill = coerce(raw.get("backfill"))
    return replace(field, default=_frozen(default), backfill=_frozen(backfill))


def _roll_up(raw: Mapping[str, Any] | None) -> RollUp | None:
    if raw is None:
        return None
    return RollUp(raw["object"], raw["relationship"], raw["function"], raw.get("field"),
                  raw.get("filter"))


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def build_object(doc: Mapping[str, Any], source: str) -> ObjectDef:
    """The model of one valid object document read from ``source``."""
    return ObjectDef(
        api_name=doc["api_name"],
        label=frozen_map(doc["label"]),
        name_field=doc["name_field"],
        fields=tuple(build_field(f, doc["name_field"]) for f in doc["fields"]),
        plural_label=frozen_map(doc["plural_label"]) if "plural_label" in doc else None,
        description=doc.get("description"),
        source=source,
        renamed_from=doc.get("renamed_from"),
        data_permission=frozen_map({**DEFAULT_DATA_PERMISSION,
                                    **doc.get("data_permission", {})}),
        sharing_rules=tuple(_sharing_rule(rule) for rule in doc.get("sharing_rules", ())),
        actions=tuple(Action(a["api_name"], frozen_map(a["label"]), a.get("description"))
                      for a in doc.get("actions", ())),
        customizable=frozen_map(doc.get("customizable")),
        business_types=tuple(_business_type(raw) for raw in doc.get("business_types", ())),
        field_dependencies=tuple(
            FieldDependency(raw["controlling"], raw["dependent"],
                            frozen_map({key: tuple(values)
                                        for key, values in raw["values"].items()}))
            for raw in doc.get("field_dependencies", ())),
        owner_rules=tuple(OwnerRule(raw["api_name"], frozen_map(raw["owner"]),
                                    raw.get("condition"), raw.get("description"))
                          for raw in doc.get("owner_rules", ())),
        track_history=_track_history(doc.get("track_history", False)),
        history_retention_days=int(doc.get("history_retention_days",
                                           DEFAULT_HISTORY_RETENTION_DAYS)),
        validation_rules=tuple(
            ValidationRule(rule["api_name"], rule["condition"], frozen_map(rule["message"]),
                           rule.get("error_field"), rule.get("active", True),
                           rule.get("description"), frozen_map(rule.get("customizable")))
            for rule in doc.get("validation_rules", ())),
    )


def _track_history(raw: bool | list[str]) -> bool | tuple[str, ...]:
    return raw if isinstance(raw, bool) else tuple(raw)


def _business_type(raw: Mapping[str, Any]) -> BusinessType:
    roles = raw.get("roles")
    return BusinessType(
        api_name=raw["api_name"], label=frozen_map(raw["label"]),
        description=raw.get("description"), active=raw.get("active", True),
        default=raw.get("default", False), defaults=frozen_map(raw.get("defaults")),
        roles=tuple(roles) if roles is not None else None,
        options=frozen_map({name: OptionSubset(tuple(subset["values"]), subset.get("default"))
                            for name, subset in raw.get("options", {}).items()}),
        customizable=frozen_map(raw.get("customizable")))


def _sharing_rule(raw: Mapping[str, Any]) -> SharingRule:
    owned_by = raw.get("owned_by")
    return SharingRule(
        api_name=raw["api_name"],
        share_with=frozen_map(raw["share_with"]),
        access=raw.get("access", "read"),
        owned_by=frozen_map(owned_by) if owned_by is not None else None,
        criteria=raw.get("criteria"),
        description=raw.get("description"),
        customizable=frozen_map(raw.get("customizable")),
        active=raw.get("active", True),
    )


def _object_access(raw: Mapping[str, Any]) -> ObjectAccess:
    return ObjectAccess(
        create=raw.get("create", False),
        read=raw.get("read", False),
        edit=raw.get("edit", False),
        delete=raw.get("delete", False),
        export=raw.get("export", False),
        import_=raw.get("import", False),
        actions=tuple(raw.get("actions", ())),
        fields=frozen_map(raw.get("fields")),
    )


def build_role(doc: Mapping[str, Any], source: str) -> Role:
    """The model of one valid role document read from ``source``."""
    return Role(
        api_name=doc["api_name"],
        label=frozen_map(doc["label"]),
        kind=doc.get("kind", "internal"),
        admin=doc.get("admin", False),
        setup=doc.get("setup", False),
        objects=frozen_map({name: _object_access(access)
                            for name, access in doc.get("objects", {}).items()}),
        description=doc.get("description"),
        source=source,
        customizable=frozen_map(doc.get("customizable")),
    )


def build_app(doc: Mapping[str, Any], source: str) -> App:
    """The model of one valid app document read from ``source``."""
    return App(
        api_name=doc["api_name"],
        label=frozen_map(doc["label"]),
        objects=tuple(doc["objects"]),
        roles=tuple(doc["roles"]),
        description=frozen_map(doc["description"]) if isinstance(doc.get("description"), dict)
        else doc.get("description"),
        source=source,
    )


def _build_pack(documents: Mapping[str, Any]) -> Pack:
    manifest = documents[MANIFEST]
    def files(kind: str) -> list[str]:
        return sorted(name for name in documents if document_kind(name) == kind)

    return Pack(
        name=manifest["name"],
        version=manifest["version"],
        label=frozen_map(manifest["label"]),
        objects=tuple(build_object(documents[name], name) for name in files("object")),
        kind=manifest.get("kind", "preset"),
        requires=frozen_map(manifest.get("requires")),
        description=manifest.get("description"),
        documents=frozen_map(documents),
        customizable=frozen_map({level: frozen_map(policies) for level, policies
                                 in manifest.get("customizable", {}).items()}),
        roles=tuple(build_role(documents[name], name) for name in files("role")),
        apps=tuple(build_app(documents[name], name) for name in files("app")),
        parts=frozen_map({kind.name: tuple(kind.build(documents[name], name)
                                           for name in files(kind.name))
                          for kind in KINDS}),
        branding=_branding(manifest.get("branding")),
    )


def load_documents(documents: Mapping[str, Any], source: str = "") -> Pack:
    """Validate a pack's documents and build its model.

    ``documents`` maps paths relative to the pack folder (``pack.json``,
    ``objects/Account.json``) to parsed JSON. Problem files are those paths
    joined onto ``source``. Raises :class:`MetadataError` with every problem.
    """
    clean, problems = _collect(documents)
    if problems:
        raise MetadataError(_with_source(problems, source))
    return _build_pack(clean)


def _source(path: str | os.PathLike[str]) -> str:
    text = os.fspath(path)
    return text.rstrip("/") or text


def _pack_problems(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[Problem]]:
    documents, read = read_documents(path)
    if any(p.file == "" for p in read):  # the folder itself cannot be read
        return {}, _with_source(read, _source(path))
    broken = {p.file for p in read if p.code in ("file.unreadable", "file.encoding",
                                                 "json.syntax", "json.value")}
    clean, found = _collect(documents, broken)
    if any(p.code == "pack.missing_manifest" for p in read):
        found = [p for p in found if p.code != "pack.missing_manifest"]
    return clean, _with_source(read + found, _source(path))


def load_pack(path: str | os.PathLike[str]) -> Pack:
    """Read and load the pack folder ``path``; raises :class:`MetadataError` with every problem."""
    clean, problems = _pack_problems(path)
    if problems:
        raise MetadataError(problems)
    return _build_pack(clean)


def check_pack(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of the pack folder ``path``; an empty list when it is valid.

    A folder without pack.json whose sub-folders are packs is a folder of packs:
    each of them is checked. Never raises for bad input.
    """
    root = Path(path)
    if root.is_dir() and not (root / MANIFEST).exists():
        try:
            packs = sorted(p for p in root.iterdir()
                           if not p.name.startswith(".") and (p / MANIFEST).exists())
        except OSError:
            packs = []
        if packs:
            return [p for pack in packs
                    for p in _pack_problems(join(_source(path), pack.name))[1]]
    return _pack_problems(path)[1]


def _branding(raw: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    return frozen_map({**raw, "name": frozen_map(raw["name"])})
