"""The law of Session.aggregate, on both databases: over any records, COUNT, SUM, AVG, MIN
and MAX equal what exact decimal arithmetic gives over the values ``query`` lists, with the
same ``where`` and scene, for a stored currency field, a formula over it, and values large
enough to overflow SQLite's 64-bit sums."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.packs import field, obj, pack

LARGEST = Decimal("9999999999999999.99")
VALUES = st.one_of(st.none(), st.decimals(min_value=-LARGEST, max_value=LARGEST,
                                           places=2, allow_nan=False, allow_infinity=False),
                   st.sampled_from([Decimal("0.01"), Decimal("-0.01"), Decimal("0.00")]))
_batches = itertools.count(1)


@pytest.fixture
def ledger(engine, tenant):
    engine.metadata(tenant).deploy(pack(obj(
        "Entry", field("name", "text"), field("batch", "text"),
        field("amount", "currency", precision=18, scale=2),
        field("doubled", "currency", precision=18, scale=2, formula="amount * 2"))))
    return engine, tenant


def _summary(function: str, values: list[Decimal | None]) -> object:
    present = [v for v in values if v is not None]
    if function == "COUNT":
        return len(present)
    if function == "SUM":
        return sum(present, Decimal("0.00"))
    if not present:
        return None
    if function == "AVG":
        return sum(present, Decimal(0)) / Decimal(len(present))
    return min(present) if function == "MIN" else max(present)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(values=st.lists(VALUES, max_size=12))
@example(values=[LARGEST] * 11 + [None])   # past SQLite's 64-bit sums (x 100)
def _check(ledger, values):
    engine, tenant = ledger
    batch = f"b{next(_batches)}"
    with engine.session(tenant) as s:
        if values:
            s.create_many("Entry", [{"name": str(i), "batch": batch, "amount": v}
                                    for i, v in enumerate(values)])
        where = {"batch": batch}
        listed = list(s.query("Entry", where, scene="mine", limit=100))
        for name in ("amount", "doubled"):
            seen = [r[name] for r in listed]
            for function in ("COUNT", "SUM", "AVG", "MIN", "MAX"):
                assert s.aggregate("Entry", function, name, scene="mine", where=where) == \
                    _summary(function, seen), (function, name)
        assert s.aggregate("Entry", "COUNT", where=where) == len(values) == \
            s.count("Entry", where, scene="mine")


def test_aggregates_equal_exact_arithmetic_over_the_listed_values(ledger):
    _check(ledger)
