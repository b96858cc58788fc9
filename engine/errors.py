"""Engine errors: records that break rules, missing records, conflicts, storage faults.

All derive from :class:`hulian.metadata.errors.HulianError`; none knows HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hulian.metadata.errors import HulianError
from hulian.metadata.problems import MetadataError

__all__ = [
    "ConcurrentDeploy",
    "ConflictError",
    "DeployError",
    "FieldError",
    "FlowRefused",
    "GoneError",
    "HulianError",
    "MetadataError",
    "NotFoundError",
    "PermissionDenied",
    "QueryError",
    "QueryTimeout",
    "RecordValidationError",
    "StorageError",
    "ThrottledError",
    "UnauthenticatedError",
    "WebhookError",
]


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a record (``field`` None: the record as a whole)."""

    field: str | None
    code: str
    message: str
    hint: str | None = None
    row: int | None = None
    messages: Mapping[str, str] | None = None
    """The message in every language it has (validation rules' i18n messages)."""

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("field", "code", "message", "hint", "row")
               if getattr(self, k) is not None}
        if self.messages is not None:
            out["messages"] = dict(self.messages)
        return out


class RecordValidationError(HulianError):
    """A record (or several, in bulk) broke its object's rules; ``errors`` lists them all."""

    code = "validation_failed"

    def __init__(self, object_name: str, errors: list[FieldError]):
        self.object_name = object_name
        self.errors = tuple(errors)
        first = errors[0]
        where = f"{first.field}: " if first.field else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{object_name} record is invalid: {where}{first.message}{more}")

    def details(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.errors]


class NotFoundError(HulianError):
    code = "not_found"


class GoneError(HulianError):
    """What was asked for existed once but is no longer kept (a change-feed cursor older
    than the feed's retention)."""

    code = "gone"


class ConflictError(HulianError):
    """The record changed since it was read (stale version), or a unique value is taken."""

    code = "conflict"


class QueryError(HulianError):
    """A list query that cannot run: unknown field, bad operator, bad cursor...; ``field``
    names the field at fault, or ``parameter`` the argument (``where``, ``filter``...)."""

    code = "invalid_query"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None,
                 field: str | None = None, parameter: str | None = None):
        super().__init__(message, code=code, hint=hint)
        self.field = field
        self.parameter = parameter

    def details(self) -> list[dict[str, Any]]:
        if self.field:
            return [{"field": self.field, "code": self.code, "message": self.message}]
        if self.parameter:
            return [{"parameter": self.parameter, "code": self.code, "message": self.message}]
        return []


class WebhookError(HulianError):
    """A webhook subscription that cannot be saved as asked: a URL that is not http(s) or
    whose host is not allowed, a filter that is not a boolean formula over the object (its
    ``formula.*`` code, with line, column and caret excerpt), events or a secret that do not
    fit; ``parameter`` names the part at fault."""

    code = "invalid_webhook"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None,
                 parameter: str | None = None, position: Mapping[str, Any] | None = None):
        super().__init__(message, code=code, hint=hint)
        self.parameter = parameter
        self.position = position

    def details(self) -> list[dict[str, Any]]:
        if self.parameter is None:
            return []
        return [{"parameter": self.parameter, "code": self.code, "message": self.message,
                 **(self.position or {})}]


class PermissionDenied(HulianError):
    code = "permission_denied"


class FlowRefused(HulianError):
    """A flow cannot do what was asked with the record as it is: its entry criteria are
    not met (``approval_entry_criteria_not_met``), or a step has no approver
    (``approval_no_approver``)."""

    code = "flow_refused"


class UnauthenticatedError(HulianError):
    code = "unauthenticated"


class ThrottledError(HulianError):
    """Too many attempts (failed logins): refused until ``retry_after`` seconds have passed."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None,
                 hint: str | None = None):
        super().__init__(message, code=code, hint=hint)
        self.retry_after = retry_after


class DeployError(HulianError):
    """A deploy that cannot be applied (e.g. an unsupported change to a deployed object)."""

    code = "deploy_refused"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None,
                 changes: list[dict[str, Any]] | None = None):
        super().__init__(message, code=code, hint=hint)
        self.changes = changes or []

    def details(self) -> list[dict[str, Any]]:
        return self.changes


class ConcurrentDeploy(DeployError, ConflictError):
    """Another deploy to the tenant committed after this one read its metadata (409)."""

    code = "deploy_concurrent"


class StorageError(HulianError):
    """The database refused a statement; keeps the statement and the driver's error."""

    code = "storage_error"

    def __init__(self, message: str, *, statement: str | None = None,
                 cause: BaseException | None = None):
        super().__init__(message, hint="this is a fault in hulian or the database; "
                                       "the operation was rolled back")
        self.statement = statement
        self.__cause__ = cause


class QueryTimeout(HulianError):
    """A statement ran past its time budget (``Engine(query_timeout=...)``) and was
    stopped; the transaction was rolled back."""

    code = "query_timeout"

    def __init__(self, *, cause: BaseException | None = None):
        super().__init__("the request took longer than the database may spend on it and "
                         "was stopped; nothing was changed",
                         hint="narrow the filter (an indexed field, fewer records), or ask "
                              "the operator to raise query_timeout")
        self.__cause__ = cause
