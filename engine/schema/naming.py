"""Where a tenant's tables live.

PostgreSQL: one schema per tenant (``t_<tenant>``), one table per object named by
the object's api_name in lower case. SQLite: one database file for everything,
tables prefixed ``<tenant>__`` (tenant names cannot contain ``__``, so the prefix is
unambiguous). SQLite could attach a file per tenant instead, but attached files
break atomic commits under WAL and are capped at ten per connection; a prefix
keeps a deploy, its version row and its data in one atomic transaction.
"""

from __future__ import annotations

import hashlib
import re

from hulian.engine.errors import HulianError

TENANT_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MAX_TENANT_LENGTH = 30
PG_MAX_IDENTIFIER = 63


def check_tenant_name(tenant: str) -> str:
    if not isinstance(tenant, str) or not TENANT_RE.fullmatch(tenant) \
            or len(tenant) > MAX_TENANT_LENGTH:
        raise HulianError(
            f"{tenant!r} is not a valid tenant name",
            code="invalid_tenant",
            hint=f"use lower-case letters, digits and single underscores, at most "
                 f"{MAX_TENANT_LENGTH} characters, starting with a letter (e.g. 'acme')",
        )
    return tenant


def tenant_schema(dialect_name: str, tenant: str) -> str | None:
    return f"t_{tenant}" if dialect_name == "postgresql" else None


def table_name(dialect_name: str, tenant: str, object_api_name: str) -> str:
    name = object_api_name.lower()
    return name if dialect_name == "postgresql" else f"{tenant}__{name}"


def short_name(*parts: str) -> str:
    """A constraint/index name within PostgreSQL's 63-byte limit, stable for the same parts."""
    name = "_".join(parts)
    if len(name) <= PG_MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{name[:PG_MAX_IDENTIFIER - 11]}_{digest}"
