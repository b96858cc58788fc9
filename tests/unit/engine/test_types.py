"""Column types: what goes to each database and what comes back (bind and result processing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.schema.types import ExactDecimal, OptionSet, UTCDateTime

SQLITE = sqlite.dialect()
POSTGRESQL = postgresql.dialect()
UTC = dt.UTC
PLUS_8 = dt.timezone(dt.timedelta(hours=8))


# -- ExactDecimal --------------------------------------------------------------------------

def test_exact_decimal_column_types():
    money = ExactDecimal(18, 2)
    assert isinstance(money.load_dialect_impl(SQLITE), sa.BigInteger)
    pg = money.load_dialect_impl(POSTGRESQL)
    assert isinstance(pg, sa.Numeric) and (pg.precision, pg.scale) == (18, 2)
    assert str(money.load_dialect_impl(POSTGRESQL).compile(dialect=POSTGRESQL)) == \
        "NUMERIC(18, 2)"


@pytest.mark.parametrize(("scale", "value", "stored"), [
    (2, Decimal("12.34"), 1234),
    (2, Decimal("12.345"), 1235),           # half up
    (2, Decimal("-12.345"), -1235),         # half up: away from zero
    (2, Decimal("0.1"), 10),
    (0, Decimal("7"), 7),
    (4, Decimal("-0.00005"), -1),
    (2, Decimal("9999999999999999.99"), 999999999999999999),
    (2, 3, 300),
    (2, "1.5", 150),
])
def test_exact_decimal_is_a_scaled_integer_on_sqlite(scale, value, stored):
    column = ExactDecimal(18, scale)
    assert column.process_bind_param(value, SQLITE) == stored
    assert type(column.process_bind_param(value, SQLITE)) is int
    if isinstance(value, Decimal):
        assert column.to_storage(value, "sqlite") == stored


@pytest.mark.parametrize(("scale", "stored", "value"), [
    (2, 1234, "12.34"),
    (2, 10, "0.10"),
    (2, -1235, "-12.35"),
    (0, 7, "7"),
    (4, 1, "0.0001"),
    (2, 0, "0.00"),
    (2, 999999999999999999, "9999999999999999.99"),
])
def test_exact_decimal_reads_back_at_its_scale_on_sqlite(scale, stored, value):
    result = ExactDecimal(18, scale).process_result_value(stored, SQLITE)
    assert isinstance(result, Decimal)
    assert str(result) == value


def test_exact_decimal_on_postgresql_keeps_the_decimal_and_its_scale():
    column = ExactDecimal(12, 3)
    assert column.process_bind_param(Decimal("1.5"), POSTGRESQL) == Decimal("1.5")
    assert column.to_storage(Decimal("1.5"), "postgresql") == Decimal("1.5")
    assert str(column.process_result_value(Decimal("1.5"), POSTGRESQL)) == "1.500"
    assert str(column.process_result_value(Decimal("0"), POSTGRESQL)) == "0.000"


def test_exact_decimal_passes_blanks_through():
    column = ExactDecimal(18, 2)
    for dialect in (SQLITE, POSTGRESQL):
        assert column.process_bind_param(None, dialect) is None
        assert column.process_result_value(None, dialect) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**18) + 1, 10**18 - 1), st.integers(0, 18))
def test_exact_decimal_round_trips_every_value_of_its_precision_on_sqlite(units, scale):
    column = ExactDecimal(18, scale)
    value = Decimal(units).scaleb(-scale)
    back = column.process_result_value(column.process_bind_param(value, SQLITE), SQLITE)
    assert back == value
    assert back.as_tuple().exponent == -scale


@settings(max_examples=100, deadline=None)
@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_scaled_integers_order_like_the_decimals(a, b):
    column = ExactDecimal(18, 4)
    x, y = Decimal(a).scaleb(-4), Decimal(b).scaleb(-4)
    assert (column.process_bind_param(x, SQLITE) < column.process_bind_param(y, SQLITE)) == \
        (x < y)


# -- UTCDateTime ---------------------------------------------------------------------------

def test_utc_datetime_column_types():
    column = UTCDateTime()
    assert isinstance(column.load_dialect_impl(SQLITE), sa.String)
    pg = column.load_dialect_impl(POSTGRESQL)
    assert isinstance(pg, sa.DateTime) and pg.timezone is True


@pytest.mark.parametrize(("value", "stored"), [
    (dt.datetime(2024, 3, 31, 9, 30, tzinfo=PLUS_8), "2024-03-31 01:30:00.000000"),
    (dt.datetime(2024, 1, 1, 0, 0, 0, 7, tzinfo=UTC), "2024-01-01 00:00:00.000007"),
    (dt.datetime(2024, 1, 1, 3, 0, tzinfo=PLUS_8), "2023-12-31 19:00:00.000000"),
    (dt.datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 00:00:00.000000"),
    (dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "0999-12-31 23:59:59.999999"),
    (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31 23:59:59.999999"),
])
def test_utc_datetime_is_fixed_width_utc_text_on_sqlite(value, stored):
    column = UTCDateTime()
    assert column.process_bind_param(value, SQLITE) == stored
    assert column.to_storage(value, "sqlite") == stored
    back = column.process_result_value(stored, SQLITE)
    assert back == value and back.utcoffset() == dt.timedelta(0)


def test_utc_datetime_on_postgresql_is_aware_utc():
    column = UTCDateTime()
    moment = dt.datetime(2024, 3, 31, 9, 30, tzinfo=PLUS_8)
    bound = column.process_bind_param(moment, POSTGRESQL)
    assert bound == moment and bound.utcoffset() == dt.timedelta(0)
    back = column.process_result_value(moment, POSTGRESQL)
    assert back == moment and back.tzinfo == UTC
    naive = column.process_result_value(dt.datetime(2024, 3, 31, 1, 30), POSTGRESQL)
    assert naive == moment and naive.tzinfo == UTC


def test_utc_datetime_refuses_naive_values():
    for dialect in (SQLITE, POSTGRESQL):
        with pytest.raises(ValueError):
            UTCDateTime().process_bind_param(dt.datetime(2024, 1, 1), dialect)
        assert UTCDateTime().process_bind_param(None, dialect) is None
        assert UTCDateTime().process_result_value(None, dialect) is None


aware = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                     timezones=st.sampled_from([UTC, PLUS_8, dt.timezone(-dt.timedelta(
                         hours=9, minutes=30))]))


@settings(max_examples=200, deadline=None)
@given(aware, aware)
def test_stored_text_sorts_in_time_order(a, b):
    column = UTCDateTime()
    sa_, sb = column.process_bind_param(a, SQLITE), column.process_bind_param(b, SQLITE)
    assert len(sa_) == len(sb) == 26
    assert (sa_ < sb) == (a < b)
    assert column.process_result_value(sa_, SQLITE) == a


# -- OptionSet -----------------------------------------------------------------------------

def test_option_set_encodes_a_list_between_semicolons():
    column = OptionSet()
    for dialect in (SQLITE, POSTGRESQL):
        assert column.process_bind_param(["a", "b"], dialect) == ";a;b;"
        assert column.process_bind_param(("x",), dialect) == ";x;"
        assert column.process_bind_param([], dialect) is None
        assert column.process_bind_param(None, dialect) is None
        assert column.process_bind_param("%;a;%", dialect) == "%;a;%"   # a LIKE operand
        assert column.process_result_value(";a;b;", dialect) == ["a", "b"]
        assert column.process_result_value("", dialect) is None
        assert column.process_result_value(None, dialect) is None
    assert column.to_storage(["a", "c"], "postgresql") == ";a;c;"
    assert column.to_storage([], "sqlite") is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9][a-z0-9_]{0,10}", fullmatch=True), unique=True))
def test_option_set_round_trips(options):
    column = OptionSet()
    stored = column.process_bind_param(options, SQLITE)
    assert column.process_result_value(stored, SQLITE) == (options or None)
    for name in options:
        assert f";{name};" in stored
