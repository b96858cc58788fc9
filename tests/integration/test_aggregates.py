"""Session.aggregate on both databases: COUNT, SUM, AVG, MIN and MAX equal to what is
computed by hand over the records the reader may see, exact to the last digit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hulian.engine import NotFoundError, QueryError
from tests.integration.scene_world import amounts, build
from tests.packs import field, obj, pack


@pytest.fixture
def world(engine, tenant):
    return engine, tenant, build(engine, tenant)


def test_sums_and_counts_follow_the_scene_and_the_readers_visibility(world):
    engine, tenant, _ = world
    with engine.session(tenant, "lead") as s:
        assert s.aggregate("Deal", "SUM", "amount") == amounts("d1", "d2", "d3", "d5")
        assert s.aggregate("Deal", "SUM", "amount", scene="my_subordinates") == \
            amounts("d1", "d2", "d3") == Decimal("6300.49")
        assert s.aggregate("Deal", "COUNT", scene="my_subordinates") == 3 == \
            s.count("Deal", scene="my_subordinates")
        assert s.aggregate("Deal", "SUM", "amount", scene="mine") == Decimal("0.01")
        assert s.aggregate("Deal", "SUM", "amount", scene="in_my_team") == Decimal("0.00")
        assert s.aggregate("Deal", "AVG", "amount", scene="big_deals") == \
            amounts("d1", "d3") / 2
        assert s.aggregate("Deal", "MIN", "amount") == Decimal("0.01")
        assert s.aggregate("Deal", "MAX", "amount", scene="mine") == Decimal("0.01")
        assert s.aggregate("Deal", "SUM", "amount", scene="my_subordinates",
                           where={"stage": "won"}) == Decimal("99.99")
    with engine.session(tenant, "buyer") as s:
        assert s.aggregate("Deal", "SUM", "amount") == amounts("d1", "d6")
        assert s.aggregate("Deal", "avg", "amount", scene="mine") == Decimal("300.00")


def test_an_average_is_sum_over_count_in_decimal_arithmetic(world):
    engine, tenant, _ = world
    with engine.session(tenant) as s:
        value = s.aggregate("Deal", "AVG", "amount")
    assert value == amounts(*(f"d{i}" for i in range(1, 8))) / Decimal(7)
    assert str(value) == "950.8642857142857142857142857"


def test_count_of_a_field_counts_its_values_and_nothing_is_an_empty_sum(world):
    engine, tenant, _ = world
    with engine.session(tenant) as s:
        assert s.aggregate("Deal", "COUNT", "cost") == 6        # d6 has no cost
        assert s.aggregate("Deal", "COUNT") == 7
        empty = {"title": "none"}
        assert s.aggregate("Deal", "SUM", "amount", where=empty) == Decimal("0.00")
        assert str(s.aggregate("Deal", "SUM", "amount", where=empty)) == "0.00"
        for function in ("AVG", "MIN", "MAX"):
            assert s.aggregate("Deal", function, "amount", where=empty) is None


def test_formula_fields_sum_exactly(world):
    """``margin = amount - cost`` (blank cost as zero): computed in SQL, summed by the
    database on PostgreSQL and in Python on SQLite, the same to the cent."""
    engine, tenant, _ = world
    with engine.session(tenant) as s:
        records = list(s.query("Deal", limit=100))
        assert s.aggregate("Deal", "SUM", "margin") == sum(
            (r["margin"] for r in records), Decimal(0)) == Decimal("1989.79")
        assert s.aggregate("Deal", "MAX", "margin") == Decimal("1000.00")
        assert s.aggregate("Deal", "AVG", "margin", scene="big_deals") == \
            (Decimal("600.25") + Decimal("1000.00")) / 2


def test_dates_and_datetimes_have_a_minimum_and_a_maximum(world):
    engine, tenant, ids = world
    with engine.session(tenant) as s:
        s.update("Deal", ids["d1"], {"closes_on": "2026-03-01"})
        s.update("Deal", ids["d2"], {"closes_on": "2025-12-31"})
        assert s.aggregate("Deal", "MIN", "closes_on") == dt.date(2025, 12, 31)
        assert s.aggregate("Deal", "MAX", "closes_on") == dt.date(2026, 3, 1)
        created = [r["created_at"] for r in s.query("Deal", limit=100)]
        assert s.aggregate("Deal", "MAX", "created_at") == max(created)


def test_a_hidden_field_answers_like_a_missing_one(world):
    engine, tenant, _ = world
    with engine.session(tenant, "buyer") as s:
        for name in ("cost", "costs"):
            with pytest.raises(QueryError) as caught:
                s.aggregate("Deal", "SUM", name)
            assert (caught.value.code, caught.value.field) == ("unknown_field", name)
            assert "cost" not in caught.value.hint.replace(name, "")
        with pytest.raises(NotFoundError):
            s.aggregate("Memo", "COUNT")


@pytest.mark.parametrize(("function", "name"), [
    ("MEDIAN", "amount"), ("SUM", None), ("AVG", None), ("SUM", "title"), ("AVG", "stage"),
    ("MIN", "title"), ("MAX", "stage"), (5, None)])
def test_a_function_that_does_not_fit_the_field_is_refused(world, function, name):
    engine, tenant, _ = world
    with engine.session(tenant) as s, pytest.raises(QueryError) as caught:
        s.aggregate("Deal", function, name)
    assert caught.value.code == "invalid_aggregate"


def test_sums_beyond_64_bit_integers_stay_exact(engine, tenant):
    """SQLite keeps decimals as scaled 64-bit integers: a sum past 9.2e18 overflows there
    and is summed in Python instead."""
    engine.metadata(tenant).deploy(pack(obj("Big", field("name", "text"),
                                            field("n", "number", precision=18, scale=2))))
    value = Decimal("9999999999999999.99")
    with engine.session(tenant) as s:
        s.create_many("Big", [{"name": str(i), "n": value} for i in range(1000)])
        assert s.aggregate("Big", "SUM", "n") == value * 1000
        assert s.aggregate("Big", "AVG", "n") == value
        assert s.aggregate("Big", "SUM", "n", where={"name": {"ne": "0"}}) == value * 999
