"""Date functions in SQL beyond the conformance table.

TODAY(), NOW() and TIMENOW() change with the clock, so their conformance cases run in
Python only: here their SQL is built and run on each database and compared with the
clock around the query (a midnight between the two readings is allowed). Then every
date case runs again on PostgreSQL sessions whose time zone is far from UTC: results
must not depend on the session's TimeZone.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hulian.engine.database import open_database
from hulian.formula import SqlCompiler, T, compile_formula
from hulian.formula.functions.dates import pg_utc
from hulian.formula.sql import CODES, from_sqlite, sql_type, to_sqlite
from hulian.formula.values import python_value
from tests.formula_cases import FOLDER, expected_value, same, sql_result

SLACK = dt.timedelta(seconds=2)
ZONES = ["Pacific/Kiritimati", "America/St_Johns", "Pacific/Pago_Pago"]
CASES = [c for c in json.loads((FOLDER / "dates.json").read_text(encoding="utf-8"))
         if "error" not in c and c.get("sql", True)]


@pytest.fixture(scope="module")
def database(db_url):
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_clock(engine: sa.Engine) -> None:
    before = _utc_now()
    today = sql_result(engine, {"expr": "TODAY()"})
    now = sql_result(engine, {"expr": "NOW()"})
    clock = sql_result(engine, {"expr": "TIMENOW()"})
    after = _utc_now()
    assert before.date() <= today <= after.date()
    assert before - SLACK <= now <= after + SLACK
    assert isinstance(clock, dt.time)
    if before.date() == after.date():
        moment = dt.datetime.combine(before.date(), clock, tzinfo=dt.UTC)
        assert before - SLACK <= moment <= after + SLACK


def test_volatile_functions_read_the_utc_clock(database):
    _check_clock(database)


def test_volatile_functions_work_inside_expressions(database):
    assert sql_result(database, {"expr": "TODAY() - TODAY()"}) == 0
    assert sql_result(database, {"expr": "NOW() > DATETIMEVALUE('2024-01-01')"}) is True
    assert sql_result(database, {"expr": "YEAR(TODAY()) >= 2024"}) is True


@pytest.fixture(scope="module", params=ZONES)
def zoned_pg(request, pg_url):
    url = make_url(pg_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, connect_args={"options": f"-c TimeZone={request.param}"})
    with engine.connect() as conn:
        assert conn.execute(sa.text("show timezone")).scalar() == request.param
    yield engine
    engine.dispose()


def test_the_clock_ignores_the_session_time_zone(zoned_pg):
    _check_clock(zoned_pg)


@pytest.mark.parametrize("case", CASES, ids=[c["expr"][:50] for c in CASES])
def test_date_cases_ignore_the_session_time_zone(zoned_pg, case):
    value = sql_result(zoned_pg, case)
    assert same(value, expected_value(case)), f"{case['expr']} gave {value!r}"


# -- real columns: the guards run per row, not folded away as for literals ----------------------

COLUMNS = {"s": T.TEXT, "n": T.NUMBER, "d": T.DATE, "ts": T.DATETIME, "t": T.TIME}
UTC = dt.UTC
ROWS = [
    ("2024-02-29", Decimal(1), dt.date(2024, 1, 31), dt.datetime(2024, 1, 31, 10, 20, 30, 500000,
                                                                 tzinfo=UTC), dt.time(23, 0)),
    ("2023-02-29", Decimal("-1.5"), dt.date(2024, 2, 29), dt.datetime(1999, 12, 31, 23, 59, 59,
                                                                      tzinfo=UTC), dt.time(0, 0)),
    ("0000-01-01", Decimal("1e20"), dt.date(9999, 12, 31), dt.datetime(2024, 6, 1, tzinfo=UTC),
     dt.time(12, 0, 0, 1)),
    ("abc", Decimal("-1e20"), dt.date(1, 1, 1), dt.datetime(2000, 2, 29, 12, tzinfo=UTC),
     dt.time(17, 30, 45, 125000)),
    (None, None, None, None, None),
    ("2024-02-29 13:45:10.5Z", Decimal("0.5"), dt.date(2023, 2, 28), dt.datetime(
        2024, 2, 29, 13, 45, 10, tzinfo=UTC), dt.time(1, 2, 3)),
    ("24:00", Decimal(13), dt.date(2024, 3, 31), dt.datetime(2030, 3, 31, 1, tzinfo=UTC),
     dt.time(23, 59, 59, 999999)),
    ("17:30:45.125", Decimal(2024), dt.date(2024, 12, 31), dt.datetime(
        2024, 12, 31, 23, 59, 59, tzinfo=UTC), dt.time(6, 0)),
    ("9999-12-31 23:59:59", Decimal(119999), dt.date(2000, 1, 1), dt.datetime(
        2000, 1, 1, tzinfo=UTC), dt.time(8, 15)),
    ("2024-13-45 99:99:99", Decimal(3000000), dt.date(1999, 1, 31), dt.datetime(
        1970, 1, 1, tzinfo=UTC), dt.time(9, 30)),
    ("", Decimal("-0.0005"), dt.date(2024, 1, 30), dt.datetime(2024, 1, 30, 5, tzinfo=UTC),
     dt.time(12, 0)),
]
FORMULAS = [
    "DATEVALUE(s)", "DATETIMEVALUE(s)", "TIMEVALUE(s)", "DATE(n, 2, 29)", "DATE(2024, n, 1)",
    "DATE(2024, 1, n)", "ADDMONTHS(d, n)", "ADDMONTHS(ts, n)", "d + n", "d - n", "ts + n",
    "t + n", "d - DATE(2024, 1, 1)", "ts - DATETIMEVALUE('2000-01-01')", "t - TIMEVALUE('12:00')",
    "YEAR(d)", "WEEKDAY(d)", "ISOWEEK(d)", "HOUR(ts)", "MILLISECOND(t)", "DATEVALUE(ts)",
    "TIMEVALUE(ts)", "DATETIMEVALUE(d)", "DAY(ts)",
]


class ColumnScope:
    def resolve(self, path):
        return COLUMNS[path[0]], path[0]


def _table(dialect: str) -> tuple[sa.Table, list[dict]]:
    table = sa.Table(
        "formula_dates_rows", sa.MetaData(), sa.Column("i", sa.Integer, primary_key=True),
        *(sa.Column(name, sa.Text() if dialect == "sqlite" else sql_type(kind))
          for name, kind in COLUMNS.items()))
    rows = []
    for i, row in enumerate(ROWS):
        values = dict(zip(COLUMNS, row, strict=True))
        if dialect == "sqlite":
            values = {name: to_sqlite(COLUMNS[name], v) for name, v in values.items()}
        rows.append({"i": i, **values})
    return table, rows


def _check_columns(engine: sa.Engine, text: str) -> None:
    formula = compile_formula(text, ColumnScope())
    dialect = engine.dialect.name
    table, rows = _table(dialect)
    compiler = SqlCompiler(dialect, lambda ref: table.c[ref.target])
    expression = compiler.compile(formula.typed)
    if dialect == "postgresql" and formula.type is T.DATETIME:
        # Fetched as UTC wall-clock time: psycopg cannot represent 9999-12-31 23:00 UTC in a
        # session at UTC+14 (year 10000 there), a limit of the driver, not of the SQL.
        expression = pg_utc(expression)
    with engine.connect() as conn:
        table.create(conn)
        try:
            conn.execute(table.insert(), rows)
            got = [r[0] for r in conn.execute(sa.select(expression).order_by(table.c.i))]
        finally:
            conn.rollback()
    wanted = [formula.run({(name,): python_value(v) for name, v in zip(COLUMNS, row,
                                                                        strict=True)})
              for row in ROWS]
    if dialect == "sqlite":
        got = [from_sqlite(CODES[formula.type], v) for v in got]
    else:
        got = [v.replace(tzinfo=UTC) if isinstance(v, dt.datetime) else v for v in got]
    assert got == wanted


@pytest.mark.parametrize("text", FORMULAS)
def test_column_values_agree_with_python(database, text):
    _check_columns(database, text)


@pytest.mark.parametrize("text", FORMULAS)
def test_column_values_ignore_the_session_time_zone(zoned_pg, text):
    _check_columns(zoned_pg, text)
