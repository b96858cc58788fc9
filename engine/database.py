"""Opening the database: SQLAlchemy engines set up the same way on SQLite and PostgreSQL.

SQLite is opened so that transactions really are transactions: the driver's own
implicit-transaction handling is switched off and every transaction starts with
``BEGIN IMMEDIATE``, so DDL is transactional, savepoints work and concurrent
writers queue (busy timeout) instead of failing. File databases use WAL.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from hulian.engine.errors import HulianError
from hulian.formula.sql import install_sqlite
from hulian.formula.sql_errors import translate_errors

SQLITE_BUSY_TIMEOUT_S = 30


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_engine(url: sa.URL, echo: bool) -> sa.Engine:
    in_memory = url.database in (None, "", ":memory:")
    options: dict = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if in_memory:
        # One shared connection, so every thread sees the same in-memory database.
        options["poolclass"] = StaticPool
        options["connect_args"]["check_same_thread"] = False
    engine = sa.create_engine(url, echo=echo, **options)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()
        # SQLite's lower() folds ASCII only; ilike (lower() LIKE lower()) must match
        # "Ä" with "ä" as PostgreSQL's ILIKE does.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        install_sqlite(dbapi_connection)

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return translate_errors(engine)


def open_database(url: str, *, echo: bool = False) -> sa.Engine:
    """An SQLAlchemy engine for ``url`` (``sqlite:///file.db``, ``postgresql://...``)."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise HulianError(
            f"{url!r} is not a database URL",
            code="invalid_database_url",
            hint="use sqlite:///path/to/file.db or postgresql://user@host:port/dbname",
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo)
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Custom plans always: a generic plan cached while a table was small (a sequential
        # scan) would otherwise be reused as the table grows, e.g. during a bulk load.
        return translate_errors(sa.create_engine(
            parsed, echo=echo, pool_pre_ping=True,
            connect_args={"options": "-c plan_cache_mode=force_custom_plan -c TimeZone=UTC"}))
    raise HulianError(
        f"hulian runs on SQLite and PostgreSQL, not {backend!r}",
        code="unsupported_database",
        hint="use sqlite:///path/to/file.db or postgresql://user@host:port/dbname",
    )
