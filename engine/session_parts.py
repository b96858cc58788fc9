"""What :class:`~hulian.engine.session.Session` provides to the mixins its methods live in
(engine/session_*.py), declared once for type checkers; at run time an empty base."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa

    from hulian.engine.records.access import Guard
    from hulian.engine.records.context import Context
    from hulian.engine.records.cursors import CursorSigner
    from hulian.engine.schema.compiled import CompiledSchema
    from hulian.engine.security.visibility import Visibility
    from hulian.engine.system.people import User

__all__ = ["SessionParts"]


class SessionParts:
    """The base of the Session mixins: the connection, schema, user, permissions and
    transaction helpers that Session defines."""

    if TYPE_CHECKING:
        _conn: sa.Connection
        _cursors: CursorSigner
        schema: CompiledSchema
        user: User

        @property
        def guard(self) -> Guard: ...

        @property
        def visibility(self) -> Visibility: ...

        def _context(self) -> Context: ...

        def _read(self) -> AbstractContextManager[None]: ...

        def _write(self) -> AbstractContextManager[None]: ...
