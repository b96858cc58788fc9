"""Lists: a list layout (or a scene's columns) and a page of records turned into what a
list template shows, and a list's query parameters into a ``where`` filter.

>>> cols = list_columns(session.layout("Order", kind="list"), scene, describe)  # doctest: +SKIP
>>> rows = list_rows(cols, page.records, "en")                                   # doctest: +SKIP

Query parameters a list takes (the UI's URL map): ``scene``, ``sort`` (a column, ``-`` in
front for descending), ``q`` (search on the name field), ``f_<field>`` (a filter: contains
for text, equals for picklists, lookups and checkboxes, from for numbers and dates) and
``f_<field>__to`` (up to, for numbers and dates), ``after`` (the next page's cursor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from hulian.layouts.values import displayer, label_text, option_labels

__all__ = ["FILTER_KINDS", "SYSTEM_TARGETS", "card_rows", "field_entry", "filter_inputs",
           "list_columns", "list_rows",
           "lookup_ids", "read_filters", "read_sort"]

FILTER_KINDS = {
    "text": "text", "textarea": "text", "email": "text", "phone": "text", "url": "text",
    "auto_number": "text", "picklist": "select", "boolean": "boolean",
    "number": "range", "currency": "range", "percent": "range", "date": "range",
    "datetime": "range", "time": "range", "lookup": "lookup", "master_detail": "lookup",
}
"""How each field type is filtered on a list (types not listed are not filtered)."""
RANGE_INPUTS = {"date": "date", "datetime": "date", "time": "time"}
SYSTEM_LABELS = {
    "id": {"zh": "编号", "en": "Id"}, "owner_id": {"zh": "负责人", "en": "Owner"},
    "created_at": {"zh": "创建时间", "en": "Created"},
    "updated_at": {"zh": "修改时间", "en": "Last modified"},
    "created_by": {"zh": "创建人", "en": "Created by"},
    "updated_by": {"zh": "修改人", "en": "Modified by"},
    "business_type": {"zh": "业务类型", "en": "Business type"},
    "version": {"zh": "版本", "en": "Version"},
    "department_id": {"zh": "归属部门", "en": "Department"},
    "out_owner_id": {"zh": "外部负责人", "en": "External owner"},
    "out_tenant_id": {"zh": "外部企业", "en": "Partner enterprise"},
}
SYSTEM_TYPES = {"created_at": "datetime", "updated_at": "datetime", "version": "number"}
SYSTEM_TARGETS = {"owner_id": "User", "created_by": "User", "updated_by": "User",
                  "out_owner_id": "User", "department_id": "Department",
                  "out_tenant_id": "Enterprise"}
"""System fields holding the id of a user, a department or a downstream enterprise: shown
by its name."""


def field_entry(describe: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The describe entry of field ``name`` (a system field's with its label, and a
    user's or department's id as a lookup to ``User`` / ``Department``)."""
    for field in describe.get("fields") or ():
        if field["api_name"] == name:
            return dict(field)
    for field in describe.get("system_fields") or ():
        if field["api_name"] == name:
            kind = SYSTEM_TYPES.get(name) or field.get("type") or "text"
            if name in SYSTEM_TARGETS:
                return {**field, "label": SYSTEM_LABELS.get(name, name), "type": "reference",
                        "widget": "lookup", "target": SYSTEM_TARGETS[name]}
            return {**field, "label": SYSTEM_LABELS.get(name, name),
                    "type": "text" if kind in ("id", "reference") else kind,
                    "widget": "read-only"}
    return {"api_name": name, "label": SYSTEM_LABELS.get(name, name),
            "type": SYSTEM_TYPES.get(name, "text"), "widget": "read-only"}


def list_columns(layout: Mapping[str, Any], scene: Mapping[str, Any] | None,
                 describe: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The list's columns: the scene's when it names some, else the list layout's; each
    the field's describe entry (label, type, options, scale, target) with ``name``
    marking the name field."""
    names = [c for c in (scene or {}).get("columns") or () if c != "id"] or \
        [c["api_name"] for c in layout.get("columns") or ()]
    name_field = describe.get("name_field")
    columns = [field_entry(describe, n) for n in names]
    for column in columns:
        column["is_name"] = column["api_name"] == name_field
    if columns and not any(c["is_name"] for c in columns):
        columns[0]["is_name"] = True  # the link to the record
    return columns


def lookup_ids(columns: Iterable[Mapping[str, Any]], records: Iterable[Mapping[str, Any]]
               ) -> dict[str, set[str]]:
    """target object -> the ids the records' lookup columns hold (to fetch their names)."""
    out: dict[str, set[str]] = {}
    records = list(records)
    for column in columns:
        target = column.get("target")
        if column.get("widget") == "lookup" and target:
            out.setdefault(target, set()).update(
                str(r[column["api_name"]]) for r in records if r.get(column["api_name"]))
    return out


def list_heads(columns: list[Mapping[str, Any]], lang: str, names: Mapping[str, str],
               zone: dt.tzinfo | None) -> list[tuple[Any, ...]]:
    """Per column, once per page: api_name, label, is_name, numeric and its displayer (a
    function of a value, :func:`hulian.layouts.values.displayer`)."""
    return [(c["api_name"], label_text(c.get("label"), lang), bool(c.get("is_name")),
             c.get("type") in ("number", "currency", "percent"),
             displayer(c, lang, options=option_labels(c, lang), names=names, zone=zone))
            for c in columns]


def _cells(heads: list[tuple[Any, ...]], record: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"name": name, "label": label, "is_name": is_name, "numeric": numeric,
             "text": shown(record.get(name))}
            for name, label, is_name, numeric, shown in heads]


def list_rows(columns: list[Mapping[str, Any]], records: Iterable[Mapping[str, Any]],
              lang: str, names: Mapping[str, str] | None = None,
              zone: dt.tzinfo | None = None) -> list[dict[str, Any]]:
    """One row per record: ``id``, ``title`` (the name column's text, else the id) and a
    cell per column with its display text (moments in ``zone``, the reader's; None: UTC)."""
    heads = list_heads(columns, lang, names or {}, zone)
    rows = []
    for record in records:
        cells = _cells(heads, record)
        title = next((c["text"] for c in cells if c["is_name"] and c["text"]), "")
        rows.append({"id": record["id"], "title": title or str(record["id"]),
                     "cells": cells, "version": record.get("version")})
    return rows


def card_rows(layout: Mapping[str, Any], describe: Mapping[str, Any],
              records: Iterable[Mapping[str, Any]], lang: str,
              names: Mapping[str, str] | None = None,
              zone: dt.tzinfo | None = None) -> list[dict[str, Any]]:
    """The mobile card of each record from the list layout's ``card`` (a title and up to
    six fields, each with its label)."""
    card = layout.get("card") or {}
    title = card.get("title")
    title_field = field_entry(describe, title["api_name"]) if title else \
        field_entry(describe, describe.get("name_field") or "id")
    fields = [field_entry(describe, f["api_name"]) for f in card.get("fields") or ()]
    heads = list_heads(fields, lang, names or {}, zone)
    show_title = displayer(title_field, lang, options=option_labels(title_field, lang),
                           names=names, zone=zone)
    out = []
    for record in records:
        text = show_title(record.get(title_field["api_name"]))
        out.append({"id": record["id"], "title": text or str(record["id"]),
                    "cells": _cells(heads, record)})
    return out


def read_sort(text: str | None, columns: Iterable[Mapping[str, Any]]) -> str | None:
    """``sort`` when it names a column (``-`` in front for descending), else None."""
    if not text:
        return None
    name = text[1:] if text.startswith("-") else text
    return text if any(c["api_name"] == name for c in columns) else None


def filter_inputs(columns: Iterable[Mapping[str, Any]], params: Mapping[str, str],
                  lang: str) -> list[dict[str, Any]]:
    """A filter control per filterable column, holding what ``params`` give: ``text``
    (contains), ``select`` (one option), ``boolean`` (yes / no), ``range`` (from, to),
    ``lookup`` (a record id)."""
    out = []
    for column in columns:
        kind = FILTER_KINDS.get(column.get("type") or "")
        if kind is None:
            continue
        name = column["api_name"]
        labels = option_labels(column, lang)
        out.append({"name": f"f_{name}", "to_name": f"f_{name}__to", "field": name,
                    "id": f"filter-{name}", "kind": kind,
                    "label": label_text(column.get("label"), lang),
                    "value": params.get(f"f_{name}", ""), "to": params.get(f"f_{name}__to", ""),
                    "input": RANGE_INPUTS.get(column.get("type") or "", "number"),
                    "options": [{"value": k, "label": v,
                                 "selected": params.get(f"f_{name}") == k}
                                for k, v in labels.items()]})
    return out


def read_filters(columns: Iterable[Mapping[str, Any]], params: Mapping[str, str],
                 name_field: str | None = None) -> Any:
    """The ``where`` filter of the list's ``f_<field>`` parameters and ``q`` (a search of
    the name field); None when there is none. Values are passed as written: the engine
    coerces them with the field's type and names the field when one does not fit."""
    conditions: list[dict[str, Any]] = []
    for column in columns:
        name = column["api_name"]
        kind = FILTER_KINDS.get(column.get("type") or "")
        value = (params.get(f"f_{name}") or "").strip()
        to = (params.get(f"f_{name}__to") or "").strip()
        if kind is None or not (value or to):
            continue
        if kind == "text":
            conditions.append({name: {"contains": value}})
        elif kind == "boolean":
            conditions.append({name: {"eq": value.lower() in ("true", "1", "yes", "on")}})
        elif kind == "range":
            bounds = {op: text for op, text in (("ge", value), ("le", to)) if text}
            if column.get("type") == "datetime":
                bounds = {op: text + ("T00:00:00Z" if op == "ge" else "T23:59:59.999999Z")
                          if len(text) == 10 else text for op, text in bounds.items()}
            conditions.append({name: bounds})
        elif value:
            conditions.append({name: {"eq": value}})
    query = (params.get("q") or "").strip()
    if query and name_field:
        conditions.append({name_field: {"contains": query}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"and": conditions}
