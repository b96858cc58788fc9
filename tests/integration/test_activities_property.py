"""The activities a user can list are exactly the activities of the live records they can
read, on random organisations (tests/integration/test_interconnect_property.py's worlds:
departments, leaders, downstream enterprises and their users, data permission levels,
overrides, teams, sharing rules, a detail object), on both databases.

Each example logs an activity on every record and line (as the admin), then activities by
random people on random records (allowed exactly when the reference lets them read the
record), deletes some records (their lines go with them), and checks for every person
that the union of what they list, over every record, is the activities of the live
records the reference lets them read; a record they may not read answers as ``get``
does."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hulian.engine import NotFoundError
from tests.integration.test_interconnect_property import (
    CROSS,
    PARTNERS,
    THINGS,
    World,
    allowed,
    build,
    opened,
    worlds,
)

_examples = itertools.count(1)


@st.composite
def scenarios(draw) -> tuple[World, frozenset[int], tuple[tuple[int, int], ...]]:
    """A world, the records the admin deletes, and (target, person) pairs of activities
    people try to log (a target indexes the records, then the lines)."""
    world = draw(worlds())
    targets = len(world.records) + len(world.lines)
    deleted = draw(st.frozensets(st.integers(0, len(world.records) - 1), max_size=4))
    tries = draw(st.lists(st.tuples(st.integers(0, targets - 1),
                                    st.integers(0, len(world.people) - 1)), max_size=8))
    return world, deleted, tuple(tries)


def check(engine, tenant: str, world: World, deleted: frozenset[int],
          tries: tuple[tuple[int, int], ...]) -> None:
    ids, lines = build(engine, tenant, world)
    # (object, id, index of the record whose readers read it)
    targets = [(THINGS[r.thing], ids[n], n) for n, r in enumerate(world.records)]
    targets += [("Line", lines[k], master) for k, master in enumerate(world.lines)]
    logged: dict[str, str] = {}  # activity id -> record id
    with engine.session(tenant) as s:
        for name, record_id, _ in targets:
            logged[s.add_activity(name, record_id, kind="note", text="admin")["id"]] = \
                record_id
    for target, person in tries:
        name, record_id, reader = targets[target]
        user = world.username(person)
        with engine.session(tenant, user) as s:
            if allowed(world, person, reader, "read"):
                logged[s.add_activity(name, record_id, kind="call", text=user)["id"]] = \
                    record_id
            else:
                with pytest.raises(NotFoundError):
                    s.add_activity(name, record_id, kind="call", text=user)
    with engine.session(tenant) as s:
        for n in sorted(deleted):
            s.delete(THINGS[world.records[n].thing], ids[n])
    gone = {ids[n] for n in deleted} | {lines[k] for k, master in enumerate(world.lines)
                                        if master in deleted}
    for person in range(len(world.people)):
        user = world.username(person)
        readable = {record_id for _, record_id, reader in targets
                    if record_id not in gone and allowed(world, person, reader, "read")}
        listed: set[str] = set()
        with engine.session(tenant, user, readonly=True) as s:
            for name, record_id, _ in targets:
                try:
                    page = s.activities(name, record_id, limit=1000)
                except NotFoundError as exc:
                    assert record_id not in readable, (user, name, record_id)
                    assert exc.code == ("record_not_found" if opened(world.people[person])
                                        else "unknown_object")
                    with pytest.raises(NotFoundError) as same:
                        s.get(name, record_id)
                    assert same.value.code == exc.code
                    continue
                assert record_id in readable, (user, name, record_id)
                assert page.next is None
                listed |= {a["id"] for a in page}
        assert listed == {a for a, record_id in logged.items() if record_id in readable}, user


@settings(max_examples=12, deadline=None,  # each example builds a tenant: keep them few
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
@example(scenario=(PARTNERS, frozenset({0}), ((1, 4), (2, 6), (8, 2), (9, 7), (0, 5))))
@example(scenario=(CROSS, frozenset(), ((0, 3), (1, 2), (4, 2), (5, 3))))
def test_listed_activities_are_those_of_the_readable_records(engine, tenant, scenario):
    check(engine, f"{tenant}_a{next(_examples)}", *scenario)
