"""API-name rules: patterns, lengths, SQL keywords and system names.

Names become table and column names, URL segments and formula identifiers, so
they are kept to a small, boring alphabet. :func:`name_issues` lists what is
wrong with one name; a fixed name is proposed where one can be made.

>>> [i.code for i in name_issues("field", "Unit Price")]
['name.quote_char']
>>> suggest_name("field", "Unit Price")
'unit_price'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

NameKind = Literal["pack", "object", "field", "option", "role", "app", "action"]

MAX_LENGTH: dict[str, int] = {"pack": 40, "object": 40, "field": 40, "option": 64, "role": 40,
                              "app": 40, "action": 40}
CUSTOM_SUFFIX = "__c"

# The JSON schemas carry the same patterns (a test keeps them equal) so that
# editors flag bad names while typing.
PATTERNS: dict[str, str] = {
    "pack": r"^[a-z][a-z0-9_]*$",
    "object": r"^[A-Z][A-Za-z0-9]*(__c)?$",
    "field": r"^[a-z](_?[a-z0-9])*(_|__c)?$",
    "option": r"^[a-z0-9][a-z0-9_]*$",
    # roles, apps and custom actions never become columns: no SQL keyword rule
    "role": r"^[a-z][a-z0-9_]*$",
    "app": r"^[a-z][a-z0-9_]*$",
    "action": r"^[a-z][a-z0-9_]*$",
}
_COMPILED = {kind: re.compile(p) for kind, p in PATTERNS.items()}
_RULES = {
    "pack": "lower-case letters, digits and '_', starting with a letter",
    "object": "letters and digits in CamelCase, starting with an upper-case letter"
    " (a custom object ends with '__c')",
    "field": "lower-case letters, digits and single '_', starting with a letter"
    " (a custom field ends with '__c')",
    "option": "lower-case letters, digits and '_'",
    "role": "lower-case letters, digits and '_', starting with a letter",
    "app": "lower-case letters, digits and '_', starting with a letter",
    "action": "lower-case letters, digits and '_', starting with a letter",
}
_EXAMPLES = {"pack": "crm", "object": "SalesOrder", "field": "unit_price", "option": "in_progress",
             "role": "dealer_buyer", "app": "order", "action": "approve"}

QUOTE_CHARS = frozenset("\"'`[];")

# SQLite keywords that cannot stand unquoted as a column name (the others fall back to
# identifiers; https://sqlite.org/lang_keywords.html) ...
SQLITE_KEYWORDS = frozenset("""
add all alter and as autoincrement between by case check collate commit constraint create cross
default deferrable delete distinct drop else escape except exists foreign from full glob group
having in index indexed inner insert intersect into is isnull join left like limit match natural
not nothing notnull null on or order outer primary references regexp returning right rollback
select set table then to transaction union unique update using values when where
""".split())  # noqa: SIM905
# ... and PostgreSQL's reserved words, including "reserved (can be function or type)"
# (https://www.postgresql.org/docs/current/sql-keywords-appendix.html).
POSTGRESQL_RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric authorization binary both case cast check
collate collation column concurrently constraint create cross current_catalog current_date
current_role current_schema current_time current_timestamp current_user default deferrable desc
distinct do else end except false fetch for foreign freeze from full grant group having ilike in
initially inner intersect into is isnull join lateral leading left like limit localtime
localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
references returning right select session_user similar some symmetric system_user table
tablesample then to trailing true union unique user using variadic verbose when where window with
""".split())  # noqa: SIM905
SQL_KEYWORDS = SQLITE_KEYWORDS | POSTGRESQL_RESERVED | {"true", "false"}

SYSTEM_COLUMNS = frozenset({
    "id", "owner_id", "department_id", "business_type", "life_status", "created_by",
    "created_at", "updated_by", "updated_at", "version", "is_deleted", "out_tenant_id",
    "out_owner_id",
})
# Columns the databases themselves add to every table.
DATABASE_COLUMNS = frozenset({
    "rowid", "oid", "_rowid_", "ctid", "xmin", "xmax", "cmin", "cmax", "tableoid",
})
RESERVED_FIELD_PREFIXES = ("sys_", "_")
SYSTEM_OBJECTS = frozenset({
    "User", "Department", "Tenant", "Role", "Token", "Group", "Team", "App", "Pack",
    "Metadata", "Audit",
})
_SYSTEM_OBJECTS_LOWER = {name.lower(): name for name in SYSTEM_OBJECTS}


@dataclass(frozen=True)
class NameIssue:
    code: str
    message: str
    hint: str | None = None


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def suggest_name(kind: NameKind, name: str) -> str | None:
    """A valid name close to ``name``, or None when none can be made.

    >>> suggest_name("object", "sales order"), suggest_name("field", "Unit__Price")
    ('SalesOrder', 'unit_price')
    """
    custom = name.endswith(CUSTOM_SUFFIX) and kind in ("object", "field")
    words = _words(name[: -len(CUSTOM_SUFFIX)] if custom else name)
    if not words:
        return None
    if kind == "object":
        fixed = "".join(w[:1].upper() + w[1:] for w in words)
        if fixed[0].isdigit():
            fixed = "Object" + fixed
    else:
        fixed = "_".join(w.lower() for w in words)
        if kind != "option" and fixed[0].isdigit():
            fixed = f"{kind}_" + fixed
    suffix = CUSTOM_SUFFIX if custom else ""
    fixed = fixed[: MAX_LENGTH[kind] - len(suffix)].rstrip("_") + suffix
    return fixed if _COMPILED[kind].match(fixed) else None


def closest(word: str, choices: Collection[str]) -> str | None:
    """The choice ``word`` probably meant: the same ignoring case, else the most similar.

    >>> closest("picklst", ["text", "picklist"]), closest("account", ["Account"])
    ('picklist', 'Account')
    """
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _fix_hint(kind: NameKind, name: str) -> str:
    fixed = suggest_name(kind, name)
    if fixed and fixed != name:
        return f"use {fixed!r}; names are {_RULES[kind]}"
    return f"names are {_RULES[kind]}, e.g. {_EXAMPLES[kind]!r}"


def _shape_issues(kind: NameKind, name: str) -> list[NameIssue]:
    issues = []
    bad = sorted({c for c in name if c in QUOTE_CHARS or c.isspace()})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        issues.append(NameIssue("name.quote_char", f"{name!r} contains {shown}",
                                _fix_hint(kind, name)))
    elif not _COMPILED[kind].match(name):
        what = "empty" if not name else "not a valid name"
        issues.append(NameIssue("name.pattern", f"{name!r} is {what} for {_article(kind)}",
                                _fix_hint(kind, name)))
    if len(name) > MAX_LENGTH[kind]:
        issues.append(NameIssue(
            "name.too_long", f"{name!r} is {len(name)} characters long;"
            f" at most {MAX_LENGTH[kind]} are allowed", "shorten the name"))
    return issues


def _article(kind: str) -> str:
    return {"pack": "a pack", "object": "an object", "field": "a field",
            "option": "a picklist option", "role": "a role", "app": "an app",
            "action": "an action"}[kind]


def _system_issues(kind: NameKind, name: str) -> list[NameIssue]:
    lower = name.lower()
    if kind == "field":
        if lower in SQL_KEYWORDS:
            return [NameIssue("name.sql_keyword",
                              f"{name!r} is a reserved word in PostgreSQL or SQLite",
                              f"choose another name, e.g. '{lower}_value'")]
        if lower in SYSTEM_COLUMNS:
            return [NameIssue("name.reserved",
                              f"{name!r} is a system column every object already has",
                              "choose another name; the system column is always there to use")]
        if lower in DATABASE_COLUMNS:
            return [NameIssue("name.reserved",
                              f"{name!r} is a hidden column of PostgreSQL or SQLite",
                              f"choose another name, e.g. '{lower}_value'")]
        if lower.startswith(RESERVED_FIELD_PREFIXES):
            prefix = next(p for p in RESERVED_FIELD_PREFIXES if lower.startswith(p))
            return [NameIssue("name.reserved",
                              f"names starting with {prefix!r} are kept for system columns",
                              f"use {lower.lstrip('_').removeprefix('sys_') or 'another name'!r}")]
    if kind == "object" and lower in _SYSTEM_OBJECTS_LOWER:
        return [NameIssue("name.reserved",
                          f"{name!r} is the name of the system object"
                          f" {_SYSTEM_OBJECTS_LOWER[lower]}",
                          f"choose another name, e.g. '{name}Profile', or the custom"
                          f" '{name}{CUSTOM_SUFFIX}' in a tenant pack")]
    return []


def _suffix_issues(kind: NameKind, name: str, pack_kind: str | None) -> list[NameIssue]:
    if kind not in ("object", "field"):
        return []
    custom = name.endswith(CUSTOM_SUFFIX)
    if pack_kind in ("preset", "dependent") and custom:
        return [NameIssue("name.custom_suffix",
                          f"{name!r} ends with '{CUSTOM_SUFFIX}' in a preset pack",
                          f"the '{CUSTOM_SUFFIX}' suffix is for a tenant's own customisations;"
                          f" use {name.removesuffix(CUSTOM_SUFFIX)!r}")]
    if pack_kind == "tenant" and not custom:
        return [NameIssue("name.custom_suffix",
                          f"{name!r} does not end with '{CUSTOM_SUFFIX}' in a tenant pack",
                          f"a tenant's objects and fields end with '{CUSTOM_SUFFIX}' so they"
                          f" never collide with a pack's; use '{name}{CUSTOM_SUFFIX}'")]
    return []


def name_issues(kind: NameKind, name: str, pack_kind: str | None = None) -> list[NameIssue]:
    """What is wrong with ``name`` as the api_name of a ``kind``; empty when nothing is.

    ``pack_kind`` ("preset" or "tenant") decides the ``__c`` suffix rule for
    objects and fields; None skips that rule.
    """
    issues = _shape_issues(kind, name)
    if not any(i.code in ("name.quote_char", "name.pattern") for i in issues):
        issues += _system_issues(kind, name)
    return issues + _suffix_issues(kind, name, pack_kind)
