"""Where a tenant's tables live.

PostgreSQL: one schema per tenant (``t_<tenant>``), one table per object named by
the object's api_name in lower case. SQLite: one database file for everything,
tables prefixed ``<tenant>__`` (tenant names cannot contain ``__``, so the prefix is
unambiguous). SQLite could attach a file per tenant instead, but attached files
break atomic commits under WAL and are capped at ten per connection; a prefix
keeps a deploy, its version row and its data in one atomic transaction.

A tenant's own system tables (record teams, role grants, sequences...: see
:mod:`hulian.engine.system.tenant_tables`) live beside its object tables under the same
rule, named ``hulian_<what>`` (``t_acme.hulian_record_teams``,
``acme__hulian_record_teams``). They can never collide with an object's table: an
object's api_name has no single ``_`` (``^[A-Z][A-Za-z0-9]*(__c)?$``), an archived
object's table is ``arch__<id>``, and both are lower-cased, so no object table name
starts with ``hulian_``.
"""

from __future__ import annotations

import hashlib
import re

from hulian.engine.errors import HulianError

TENANT_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MAX_TENANT_LENGTH = 30
PG_MAX_IDENTIFIER = 63
SYSTEM_TABLE_PREFIX = "hulian_"


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


def system_table_name(dialect_name: str, tenant: str, name: str) -> str:
    """The name of the tenant's own system table ``name`` (``hulian_...``), in
    :func:`tenant_schema` on PostgreSQL.

    >>> system_table_name("sqlite", "acme", "hulian_record_teams")
    'acme__hulian_record_teams'
    """
    if not name.startswith(SYSTEM_TABLE_PREFIX):
        raise ValueError(f"{name!r}: a tenant's system tables are named {SYSTEM_TABLE_PREFIX}*")
    return table_name(dialect_name, tenant, name)


def short_name(*parts: str) -> str:
    """A constraint/index name within PostgreSQL's 63-byte limit, stable for the same parts."""
    name = "_".join(parts)
    if len(name) <= PG_MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{name[:PG_MAX_IDENTIFIER - 11]}_{digest}"
