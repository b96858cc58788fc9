"""The bulk insert's driver values, converted a column at a time, are what SQLAlchemy's
own bind processing gives each value (so a bulk write stores what a single write does)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.records import bulk
from hulian.engine.schema.types import ExactDecimal, OptionSet, UTCDateTime

TABLE = sa.Table(
    "t", sa.MetaData(),
    sa.Column("id", sa.String(26)),
    sa.Column("amount", ExactDecimal(18, 2)),
    sa.Column("rate", ExactDecimal(12, 5)),
    sa.Column("at", UTCDateTime()),
    sa.Column("day", sa.Date()),
    sa.Column("moment", sa.Time()),
    sa.Column("done", sa.Boolean()),
    sa.Column("tags", OptionSet()),
)
COLUMNS = list(TABLE.columns)

zones = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8)),
                         dt.timezone(dt.timedelta(hours=-5, minutes=-30))])
moments = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                       timezones=zones)
row = st.fixed_dictionaries({
    "id": st.text(max_size=3),
    "amount": st.none() | st.decimals(-10**15, 10**15, places=2),
    "rate": st.none() | st.decimals(-10**6, 10**6, places=5) | st.decimals(-1, 1, places=7),
    "at": st.none() | moments | moments.map(lambda m: m.astimezone(dt.UTC)),
    "day": st.none() | st.dates(),
    "moment": st.none() | st.times(),
    "done": st.none() | st.booleans(),
    "tags": st.none() | st.lists(st.sampled_from(["a", "b"]), max_size=2),
})


def one_by_one(rows: list[dict[str, Any]], dialect: sa.Dialect) -> list[tuple[Any, ...]]:
    processors = [c.type._cached_bind_processor(dialect) for c in COLUMNS]
    return [tuple(p(row.get(c.name)) if p else row.get(c.name)
                  for c, p in zip(COLUMNS, processors, strict=True)) for row in rows]


def driver_values(rows: list[dict[str, Any]], converters: list[Any]
                  ) -> list[dict[str, Any]]:
    """What the bulk insert binds per row, by column name (its order is its own)."""
    ordered, converted = bulk._layout(COLUMNS, converters)
    plain = [c.name for c in ordered[:len(ordered) - len(converted)]]
    names = [c.name for c in ordered]
    return [dict(zip(names, values, strict=True))
            for values in bulk._values(rows, plain, converted)]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()],
                         ids=["sqlite", "postgresql"])
@settings(max_examples=200, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=6), shared=st.booleans())
def test_a_column_at_a_time_is_what_sqlalchemy_binds(dialect: sa.Dialect,
                                                     rows: list[dict[str, Any]],
                                                     shared: bool) -> None:
    if shared:  # a batch shares one timestamp object
        for r in rows:
            r["at"] = rows[0]["at"]
    expected = [dict(zip([c.name for c in COLUMNS], values, strict=True))
                for values in one_by_one(rows, dialect)]
    if dialect.name == "postgresql":  # COPY: psycopg adapts all but hulian's own types
        got = driver_values(rows, bulk._copy_converters(COLUMNS, dialect.name))
        expected = [{name: value if name == "tags" else r.get(name)
                     for name, value in x.items()} for r, x in zip(rows, expected, strict=True)]
    else:
        got = driver_values(rows, bulk._bind_converters(COLUMNS, dialect))
    assert got == expected


def test_a_row_without_a_column_binds_null() -> None:
    rows = [{"id": "a", "amount": Decimal("1.50")}, {"id": "b", "day": dt.date(1, 1, 1)}]
    got = driver_values(rows, bulk._bind_converters(COLUMNS, sqlite.dialect()))
    assert [tuple(r[c.name] for c in COLUMNS) for r in got] == [
        ("a", 150, None, None, None, None, None, None),
        ("b", None, None, None, "0001-01-01", None, None, None)]
