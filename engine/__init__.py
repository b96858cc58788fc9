"""hulian.engine: the library core.

>>> from hulian.engine import Engine                    # doctest: +SKIP
>>> eng = Engine("sqlite:///demo.db")
>>> eng.metadata("acme").deploy("examples/crm")
"""

from hulian.engine.accounts import Accounts
from hulian.engine.actor import SYSTEM, Actor, System
from hulian.engine.admin import MetadataAdmin
from hulian.engine.changes import RecordChange
from hulian.engine.changes.feed import ChangesPage
from hulian.engine.changes.history import FieldChange, HistoryEntry, HistoryPage
from hulian.engine.changes.retention import Purged
from hulian.engine.deploy.plan import Step
from hulian.engine.deploy.report import DeployReport
from hulian.engine.engine import Engine
from hulian.engine.errors import (
    ConflictError,
    DeployError,
    FieldError,
    GoneError,
    HulianError,
    MetadataError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    QueryTimeout,
    RecordValidationError,
    StorageError,
    UnauthenticatedError,
    WebhookError,
)
from hulian.engine.people_api import PeopleAdmin
from hulian.engine.recycle import PurgeReport, purge_deleted
from hulian.engine.session import Session
from hulian.engine.session_reads import Page
from hulian.engine.system.arrival import BearerToken, Credential, LoginCookie
from hulian.engine.system.people import User

__all__ = [
    "SYSTEM",
    "Accounts",
    "Actor",
    "BearerToken",
    "ChangesPage",
    "ConflictError",
    "Credential",
    "DeployError",
    "DeployReport",
    "Engine",
    "FieldChange",
    "FieldError",
    "GoneError",
    "HistoryEntry",
    "HistoryPage",
    "HulianError",
    "LoginCookie",
    "MetadataAdmin",
    "MetadataError",
    "NotFoundError",
    "Page",
    "PeopleAdmin",
    "PermissionDenied",
    "PurgeReport",
    "Purged",
    "QueryError",
    "QueryTimeout",
    "RecordChange",
    "RecordValidationError",
    "Session",
    "Step",
    "StorageError",
    "System",
    "UnauthenticatedError",
    "User",
    "WebhookError",
    "purge_deleted",
]
