"""``auto_number``: a number hulian assigns on create, rendered with a ``format``.

``format`` is literal text plus ``{yyyy}``, ``{yy}``, ``{mm}``, ``{dd}`` and one counter of
zeros (``{0000}``: its minimum width); ``start`` is the first number and ``reset``
restarts the counter each year, month or day. The value cannot be set, and never repeats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hulian.metadata.field_types.base import (
    ALL_OPERATORS,
    FieldContext,
    FieldType,
    Parser,
    Path,
    Raw,
    Report,
    described_settings,
    whole,
)
from hulian.metadata.field_types.text import filter_text
from hulian.metadata.model import AUTO_NUMBER_RESETS, Field
from hulian.metadata.values import Coercer, ValueProblem

DATE_TOKENS = ("yyyy", "yy", "mm", "dd")
_RESET_NEEDS = {"yearly": ("year",), "monthly": ("year", "mm"), "daily": ("year", "mm", "dd")}
_TOKEN = re.compile(r"\{([^{}]*)\}")


def format_issue(fmt: str) -> str | None:
    """What is wrong with an auto-number format, or None.

    >>> format_issue("SO-{yyyy}-{0000}") is None, format_issue("SO-{n}")
    (True, "unknown token '{n}'")
    """
    counters, end = 0, 0
    for match in [*_TOKEN.finditer(fmt), None]:
        literal = fmt[end: match.start() if match else len(fmt)]
        if "{" in literal or "}" in literal:
            return "a '{' or '}' is not part of a token"
        if match is None:
            break
        token, end = match.group(1), match.end()
        if re.fullmatch("0+", token):
            counters += 1
        elif token not in DATE_TOKENS:
            return f"unknown token {match.group(0)!r}"
    if counters != 1:
        return f"the format has {counters} counter tokens; it needs exactly one"
    return None


class AutoNumber(FieldType):
    name = "auto_number"
    widget = "read-only"
    formula_type = default_formula_type = "text"
    textual = numeric = choice = reference = False
    stored = True
    derived = frozenset()
    assigned = True
    implied_default = None
    always_required = False
    always_unique = True
    names_records = True
    indexable = sortable = True
    operators = ALL_OPERATORS
    quoted_as = "text"
    summarised_by = frozenset()
    settings = ("format", "start", "reset")
    default_json = None
    no_default_why = "; hulian assigns the numbers"

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        fmt, start, reset = raw.get("format"), whole(raw.get("start")), raw.get("reset")
        return {"format": fmt if isinstance(fmt, str) else None,
                "start": start if start is not None and start >= 0 else 1,
                "reset": reset if isinstance(reset, str) and reset in AUTO_NUMBER_RESETS
                else "never"}

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        """A format of known tokens with one counter, and the date tokens its reset needs."""
        fmt, reset = raw.get("format"), raw.get("reset")
        if not isinstance(fmt, str):
            return True
        issue = format_issue(fmt)
        if issue:
            report.add("auto_number.format", (*path, "format"), f"{fmt!r}: {issue}",
                       "use literal text, {yyyy} {yy} {mm} {dd} and one counter of zeros such"
                       " as {0000}, e.g. 'SO-{yyyy}{mm}-{0000}'")
            return True
        tokens = set(_TOKEN.findall(fmt))
        have = {"year": bool(tokens & {"yyyy", "yy"}), "mm": "mm" in tokens, "dd": "dd" in tokens}
        needs = _RESET_NEEDS.get(reset, ()) if isinstance(reset, str) else ()
        missing = [t for t in needs if not have[t]]
        if missing and isinstance(reset, str):
            shown = ", ".join("{yyyy} or {yy}" if t == "year" else "{" + t + "}"
                              for t in missing)
            report.add("auto_number.reset", (*path, "reset"),
                       f"the counter resets {reset} but the format lacks {shown},"
                       " so numbers would repeat",
                       f"add {shown} to the format, or set reset to 'never'")
        return True

    def coercer(self, field: Field) -> Coercer:
        def coerce(value: Any) -> str | None:
            if value is None:
                return None
            raise ValueProblem("read_only",
                               "an auto-number is assigned by hulian and cannot be set")

        return coerce

    def filter_parser(self, field: Field | None) -> Parser:
        return filter_text

    def describe(self, field: Field) -> dict[str, Any]:
        return described_settings(field, ("format", "start", "reset"))

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        return ({"type": "string", "readOnly": True},
                f"Assigned by hulian when the record is created ({described.get('format', '')}).")


AUTO_NUMBER = AutoNumber()
