"""hulian.engine: the library core.

>>> from hulian.engine import Engine                    # doctest: +SKIP
>>> eng = Engine("sqlite:///demo.db")
>>> eng.deploy("examples/crm", tenant="acme")
"""

from hulian.engine.deploy.plan import Step
from hulian.engine.deploy.report import DeployReport
from hulian.engine.engine import Engine
from hulian.engine.errors import (
    ConflictError,
    DeployError,
    FieldError,
    HulianError,
    MetadataError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    QueryTimeout,
    RecordValidationError,
    StorageError,
    UnauthenticatedError,
)
from hulian.engine.session import Session
from hulian.engine.session_reads import Page
from hulian.engine.system.arrival import BearerToken, Credential, LoginCookie
from hulian.engine.system.people import User

__all__ = [
    "BearerToken",
    "ConflictError",
    "Credential",
    "DeployError",
    "DeployReport",
    "Engine",
    "FieldError",
    "HulianError",
    "LoginCookie",
    "MetadataError",
    "NotFoundError",
    "Page",
    "PermissionDenied",
    "QueryError",
    "QueryTimeout",
    "RecordValidationError",
    "Session",
    "Step",
    "StorageError",
    "UnauthenticatedError",
    "User",
]
