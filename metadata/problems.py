"""Metadata problems: collected, never raised one at a time.

A :class:`Problem` names the file and the JSON pointer at fault, a stable code,
what is wrong and how to fix it. Loading a pack gathers every problem it finds
and raises one :class:`MetadataError` holding all of them.

>>> p = Problem("name.sql_keyword", "objects/Order.json", "/fields/2/api_name",
...             "'select' is reserved", hint="rename it")
>>> str(p)
"objects/Order.json:/fields/2/api_name: name.sql_keyword: 'select' is reserved (hint: rename it)"
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from hulian.metadata.errors import HulianError


@dataclass(frozen=True, order=True)
class Problem:
    code: str
    file: str
    pointer: str
    message: str
    hint: str | None = None
    excerpt: str | None = None
    """For formulas: the formula line and a caret line under the mistake."""

    def __str__(self) -> str:
        text = f"{self.file}:{self.pointer}: {self.code}: {self.message}"
        text = f"{text} (hint: {self.hint})" if self.hint else text
        if self.excerpt:
            text += "".join(f"\n    {line}" for line in self.excerpt.split("\n"))
        return text

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer: ``pointer("fields", 3, "type") == "/fields/3/type"``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def reading_order(problem: Problem) -> tuple:
    """Sort key: by file, then by pointer with array indexes compared as numbers."""
    parts = tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
                  for part in problem.pointer.split("/"))
    return (problem.file, parts, problem.code)


class MetadataError(HulianError):
    """Metadata that cannot be loaded or deployed; ``problems`` lists every mistake."""

    code = "metadata_invalid"

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(sorted(problems, key=reading_order))
        n = len(self.problems)
        first = f": {self.problems[0]}" if self.problems else ""
        super().__init__(
            f"metadata has {n} problem{'s' if n != 1 else ''}{first}",
            hint="run `hulian validate PATH` to list them all",
        )

    def details(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.problems]
