"""Rewrite the field references of a formula after fields were renamed.

>>> renamed = {("Account", "region"): "area"}
>>> lookups = {("Contact", "account"): "Account"}
>>> rename_references("account.region & ' / ' & region", "Contact",
...                   lambda o, f: renamed.get((o, f), f), lambda o, f: lookups.get((o, f)))
"account.area & ' / ' & region"

Only the references change; spacing, comments and everything else are kept. A
formula that does not parse is returned unchanged (the checker reports it).
"""

from __future__ import annotations

from collections.abc import Callable

from hulian.formula.ast import parsed_refs
from hulian.formula.errors import FormulaError
from hulian.formula.parser import parse

Rename = Callable[[str, str], str]
"""(object, field api_name as written) -> the field's api_name now."""
Target = Callable[[str, str], "str | None"]
"""(object, field api_name now) -> the object a lookup field points at, or None."""


def _renamed_path(path: tuple[str, ...], start: str, rename: Rename,
                  target: Target) -> tuple[str, ...]:
    current: str | None = start
    out = []
    for segment in path:
        if current is None:
            out.append(segment)
            continue
        now = rename(current, segment)
        out.append(now)
        current = target(current, now)
    return tuple(out)


def rename_references(text: str, start: str, rename: Rename, target: Target) -> str:
    """``text`` with every field reference renamed, read from the object ``start``."""
    try:
        tree = parse(text)
    except FormulaError:
        return text
    edits = []
    for ref in parsed_refs(tree):
        if ref.path[0].startswith("$"):
            continue
        new = _renamed_path(ref.path, start, rename, target)
        written = text[ref.span.start:ref.span.end]
        if new != ref.path and written == ".".join(ref.path):
            edits.append((ref.span.start, ref.span.end, ".".join(new)))
    for begin, end, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text
