"""Opening the database: SQLAlchemy engines set up the same way on SQLite and PostgreSQL.

SQLite is opened so that transactions really are transactions: the driver's own
implicit-transaction handling is switched off, so DDL is transactional and savepoints
work. A transaction that may write starts with ``BEGIN IMMEDIATE`` (writers queue on the
busy timeout instead of failing halfway); a read-only one (execution option
:data:`READ_ONLY`, see :func:`read_only`) starts with a deferred ``BEGIN`` and, on a file
database in WAL mode, neither waits for nor blocks anyone. PostgreSQL read-only
transactions are ``READ ONLY`` (the driver's ``read_only`` attribute, no extra round trip).

Every statement has a time budget (``query_timeout`` seconds, None for none): on
PostgreSQL the session's ``statement_timeout``, on SQLite a progress handler that
interrupts a statement running past its deadline. A statement that runs out of time
raises :class:`QueryTimeout` where hulian converts driver errors
(:func:`storage_error`). Work that may legitimately run long (deploys, recalculations,
purges, migrations) lifts the budget for its transaction with :func:`unbounded`.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from hulian.engine.errors import HulianError, QueryTimeout, StorageError
from hulian.formula.sql import install_sqlite
from hulian.formula.sql_errors import translate_errors

__all__ = ["QUERY_TIMEOUT_S", "READ_ONLY", "eager_writing", "open_database", "read_only",
           "reading", "storage_error", "unbounded"]

SQLITE_BUSY_TIMEOUT_S = 30
QUERY_TIMEOUT_S = 30.0
"""The default time budget of one statement (``Engine(query_timeout=...)``)."""
READ_ONLY = "hulian_read_only"
"""Execution option of a connection whose transaction only reads."""
PROGRESS_STEPS = 20_000
"""SQLite virtual-machine steps between two looks at the clock (about a millisecond)."""
_BUDGET = "hulian_budget"
T = TypeVar("T", sa.Engine, sa.Connection)
PG_QUERY_CANCELED = "57014"
PING_AFTER_IDLE_S = 1.0
"""PostgreSQL: a pooled connection idle longer than this is pinged before it is used (and
replaced when the server closed it); one used more recently is trusted, as connection
pools commonly do, which saves a busy server a round trip per request."""
_IDLE_SINCE = "hulian_idle_since"


class _Budget:
    """The deadline of the statement running on one SQLite connection."""

    __slots__ = ("deadline", "lifted", "seconds")

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.deadline: float | None = None
        self.lifted = False
        """Set by :func:`unbounded` for the rest of the transaction."""

    def start(self) -> None:
        if self.seconds is not None and not self.lifted:
            self.deadline = time.monotonic() + self.seconds

    def expired(self) -> int:
        """The progress handler: non-zero interrupts the statement."""
        deadline = self.deadline
        return 1 if deadline is not None and time.monotonic() > deadline else 0


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_engine(url: sa.URL, echo: bool, timeout: float | None) -> sa.Engine:
    in_memory = url.database in (None, "", ":memory:")
    options: dict = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if in_memory:
        # One shared connection, so every thread sees the same in-memory database.
        options["poolclass"] = StaticPool
        options["connect_args"]["check_same_thread"] = False
    engine = sa.create_engine(url, echo=echo, **options)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
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
        budget = _Budget(timeout)
        record.info[_BUDGET] = budget
        if timeout is not None:
            dbapi_connection.set_progress_handler(budget.expired, PROGRESS_STEPS)

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        budget = connection.info.get(_BUDGET)
        if budget is not None:
            budget.lifted = False
        readonly = connection.get_execution_options().get(READ_ONLY)
        # straight to the driver: BEGIN needs none of SQLAlchemy's statement machinery
        connection.connection.driver_connection.execute(
            "BEGIN" if readonly else "BEGIN IMMEDIATE")

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(connection, _cursor, _statement, _parameters, _context, _many):
        budget = connection.info.get(_BUDGET)
        if budget is not None:
            budget.start()  # the deadline also covers fetching the statement's rows

    @sa.event.listens_for(engine, "commit")
    @sa.event.listens_for(engine, "rollback")
    def _end(connection):
        budget = connection.info.get(_BUDGET)
        if budget is not None:  # COMMIT and ROLLBACK are never interrupted
            budget.deadline = None

    return translate_errors(engine)


def _postgresql_engine(url: sa.URL, echo: bool, timeout: float | None) -> sa.Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    # Custom plans always: a generic plan cached while a table was small (a sequential
    # scan) would otherwise be reused as the table grows, e.g. during a bulk load.
    options = "-c plan_cache_mode=force_custom_plan -c TimeZone=UTC"
    if timeout is not None:
        options += f" -c statement_timeout={max(1, round(timeout * 1000))}"
    engine = sa.create_engine(url, echo=echo, connect_args={"options": options})
    dialect = engine.dialect

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        if connection.get_execution_options().get(READ_ONLY):
            # psycopg starts the transaction as BEGIN READ ONLY; reset on the next begin.
            connection.connection.driver_connection.read_only = True

    @sa.event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, record):
        if getattr(dbapi_connection, "read_only", None):
            dbapi_connection.read_only = None
        record.info[_IDLE_SINCE] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        # A pooled connection idle for a while is pinged first: the server may have closed
        # it (a restart, an idle timeout); then the pool replaces it. One used moments ago
        # is not, which saves every request of a busy server a round trip.
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise sa.exc.DisconnectionError(
                    "the database server closed the pooled connection") from exc
            raise

    return translate_errors(engine)


def open_database(url: str, *, echo: bool = False,
                  query_timeout: float | None = QUERY_TIMEOUT_S) -> sa.Engine:
    """An SQLAlchemy engine for ``url`` (``sqlite:///file.db``, ``postgresql://...``)."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise HulianError(
            f"{url!r} is not a database URL",
            code="invalid_database_url",
            hint="use sqlite:///path/to/file.db or postgresql://user@host:port/dbname",
        ) from exc
    if query_timeout is not None and not query_timeout > 0:
        raise HulianError(f"query_timeout must be a positive number of seconds or None, not "
                          f"{query_timeout!r}", code="invalid_query_timeout")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo, query_timeout)
    if backend == "postgresql":
        return _postgresql_engine(parsed, echo, query_timeout)
    raise HulianError(
        f"hulian runs on SQLite and PostgreSQL, not {backend!r}",
        code="unsupported_database",
        hint="use sqlite:///path/to/file.db or postgresql://user@host:port/dbname",
    )


def read_only(target: T) -> T:
    """``target`` marked so that its transactions only read: a connection (call before its
    ``begin``), or an engine whose connections all begin read-only transactions (sharing the
    engine's pool)."""
    return target.execution_options(**{READ_ONLY: True})


@contextmanager
def reading(db: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose transaction only reads (and so never queues on SQLite)."""
    with db.connect() as conn:
        yield read_only(conn)  # (an engine from Engine.reads is read-only already)


@contextmanager
def eager_writing(db: sa.Engine) -> Iterator[sa.Connection]:
    """``db.begin()`` for background work whose transactions are short (the webhook
    worker). On SQLite a writer that finds the write lock taken waits in SQLite's busy
    handler, whose sleeps grow to 100 ms: behind a steady stream of writers it can wait
    for seconds, each time it wakes the lock taken again. This asks for the lock every few
    milliseconds instead (up to the usual busy timeout), as a peer of the writers rather
    than behind them; PostgreSQL has no such lock."""
    if db.dialect.name != "sqlite":
        with db.begin() as conn:
            yield conn
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        conn = db.connect()
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            transaction = conn.begin()
        except (sa.exc.OperationalError, sqlite3.OperationalError) as exc:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
            conn.close()  # the pooled connection is fine: its BEGIN failed, nothing is open
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.002 + random.random() * 0.004)
            continue
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        break
    with conn, transaction:
        yield conn


def unbounded(conn: sa.Connection) -> None:
    """Lift the statement time budget for the rest of ``conn``'s transaction (deploys,
    recalculations, purges, migrations: work an operator started and waits for)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        return
    budget = conn.info.get(_BUDGET)
    if budget is not None:
        budget.lifted = True
        budget.deadline = None


def is_timeout(exc: sa.exc.DBAPIError) -> bool:
    """Whether the driver error is a statement that ran out of its time budget."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == PG_QUERY_CANCELED:
        return True
    return type(orig).__name__ == "OperationalError" and str(orig) == "interrupted"


def storage_error(exc: sa.exc.DBAPIError, what: str = "the query") -> HulianError:
    """The hulian error for a driver error: :class:`QueryTimeout` when the statement ran
    out of time, else :class:`StorageError` keeping the statement and the cause."""
    if is_timeout(exc):
        return QueryTimeout(cause=exc)
    return StorageError(f"the database refused {what}: {exc.orig}",
                        statement=str(exc.statement), cause=exc)
