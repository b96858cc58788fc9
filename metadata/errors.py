"""The root of every error hulian raises on purpose.

Each error carries a stable ``code`` (documented in docs/errors.md), a message a
person can act on and, where it helps, a ``hint``. The web layer maps error
classes to HTTP statuses in one place (``hulian.runtime.api.errors``); domain
errors never carry a status themselves.
"""

from __future__ import annotations

from typing import Any


class HulianError(Exception):
    """Base of all hulian errors: ``code``, ``message``, optional ``hint``."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.hint = hint

    def details(self) -> list[dict[str, Any]]:
        """Structured detail items (per field, per file...); empty by default."""
        return []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        out["details"] = self.details()
        return out

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"
