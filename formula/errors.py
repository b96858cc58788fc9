"""Formula errors: a code, a message, the position and a caret excerpt of the formula."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hulian.metadata.errors import HulianError


@dataclass(frozen=True)
class Span:
    """Where a node stands in the formula text: offsets, and 1-based line and column."""

    start: int
    end: int
    line: int
    column: int


def excerpt(text: str, span: Span) -> str:
    """The span's line with a caret line under the offending part."""
    lines = text.split("\n")
    line = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
    width = max(1, min(span.end - span.start, len(line) - span.column + 1))
    return f"{line}\n{' ' * (span.column - 1)}{'^' * width}"


class FormulaError(HulianError):
    """A formula that does not parse, does not type-check or cannot be used where it is."""

    code = "formula.invalid"

    def __init__(self, message: str, *, code: str, text: str = "", span: Span | None = None,
                 hint: str | None = None):
        super().__init__(message, code=code, hint=hint)
        self.text = text
        self.span = span

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    def located(self, text: str) -> FormulaError:
        """The same error, pointing into ``text`` (for errors raised before the text was known)."""
        return FormulaError(self.message, code=self.code, text=text, span=self.span,
                            hint=self.hint)

    def describe(self) -> str:
        """``line:column: message`` followed by the caret excerpt."""
        if self.span is None:
            return self.message
        return f"{self.span.line}:{self.span.column}: {self.message}\n" \
               f"{excerpt(self.text, self.span)}"

    def details(self) -> list[dict[str, Any]]:
        if self.span is None:
            return []
        return [{"line": self.span.line, "column": self.span.column,
                 "excerpt": excerpt(self.text, self.span)}]

    def __str__(self) -> str:
        text = self.describe()
        return f"{text}\n(hint: {self.hint})" if self.hint else text
