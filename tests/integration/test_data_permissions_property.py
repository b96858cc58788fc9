"""Internal data permissions against a plain-Python reference, on random organisations.

Each example builds a tenant with a random department forest (up to 6 departments,
random parents and leaders), up to 8 users in random departments (some admins, some
without a department), objects at random levels and up to 30 records owned by random
users (some created by the owner, some created by the admin and given to them). For
every user, the records ``Session.query`` lists and the ones ``update`` accepts are
exactly those the rules allow.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hulian.engine import NotFoundError, PermissionDenied
from tests.packs import documents, field, obj, pack_of

LEVELS = ("private", "company_read", "company_read_write", None)  # None: no key (default)
ADMIN = "admin"
_examples = itertools.count(1)


@dataclass(frozen=True)
class World:
    parents: tuple[int | None, ...]
    """Per department, the index of its parent (always an earlier one) or None."""
    leaders: tuple[int | None, ...]
    """Per department, the index of its leader in ``users`` or None."""
    users: tuple[tuple[int | None, bool], ...]
    """Per user: (department index or None, is_admin). Index 0 is the built-in admin."""
    levels: tuple[str | None, ...]
    """Per object, its level."""
    records: tuple[tuple[int, int, bool], ...]
    """Per record: (object index, owner's user index, created by the admin for the owner)."""

    def username(self, user: int) -> str:
        return ADMIN if user == 0 else f"u{user}"


def _sometimes_none(values: st.SearchStrategy[int]) -> st.SearchStrategy[int | None]:
    """``values`` three times in four, else None (plain ``none() | x`` is half None)."""
    return st.integers(0, 3).flatmap(lambda n: st.none() if n == 0 else values)


@st.composite
def worlds(draw) -> World:
    """Organisations biased towards what the rules are about: deep chains of departments
    (a parent is most often the previous department), departments with leaders, people in
    departments and private objects."""
    departments = draw(st.integers(0, 6))
    parents = tuple(draw(_sometimes_none(st.integers(0, 1).flatmap(
        lambda n, i=i: st.just(i - 1) if n else st.integers(0, i - 1)))) if i else None
        for i in range(departments))
    homes = _sometimes_none(st.integers(0, departments - 1)) if departments else st.none()
    users = ((None, True), *draw(st.lists(
        st.tuples(homes, st.integers(0, 7).map(lambda n: n == 0)), min_size=1, max_size=8)))
    leaders = tuple(draw(st.lists(_sometimes_none(st.integers(0, len(users) - 1)),
                                  min_size=departments, max_size=departments)))
    levels = tuple(draw(st.lists(st.sampled_from(LEVELS + ("private",) * 2),
                                 min_size=1, max_size=3)))
    records = tuple(draw(st.lists(st.tuples(st.integers(0, len(levels) - 1),
                                            st.integers(0, len(users) - 1), st.booleans()),
                                  min_size=1, max_size=30)))
    return World(parents, leaders, users, levels, records)


# -- the reference ---------------------------------------------------------------------------


def led_departments(world: World, user: int) -> set[int]:
    """The departments ``user`` leads and every department below them."""
    led = {d for d, leader in enumerate(world.leaders) if leader == user}
    grew = True
    while grew:
        below = {d for d, parent in enumerate(world.parents) if parent in led}
        grew = not below <= led
        led |= below
    return led


def allowed(world: World, user: int, record: int, access: str) -> bool:
    obj_index, owner, _ = world.records[record]
    level = world.levels[obj_index] or "company_read_write"
    if world.users[user][1] or level == "company_read_write":
        return True
    if level == "company_read" and access == "read":
        return True
    department = world.users[owner][0]
    return owner == user or (department is not None and
                             department in led_departments(world, user))


# -- building the tenant ---------------------------------------------------------------------


def object_name(index: int) -> str:
    return f"Thing{index}"


def deploy(engine, tenant: str, world: World) -> None:
    objects = []
    for i, level in enumerate(world.levels):
        extra = {"data_permission": {"internal": level}} if level else {}
        objects.append(obj(object_name(i), field("name", "text"), field("note", "text"),
                           **extra))
    engine.metadata(tenant).deploy(pack_of(documents(*objects)))


def build(engine, tenant: str, world: World) -> list[str]:
    """Departments, users, leaders and records; the records' ids in ``world.records`` order."""
    departments = []
    for i, parent in enumerate(world.parents):
        departments.append(engine.people(tenant).create_department(
            f"d{i}", parent=None if parent is None else departments[parent]).id)
    user_ids = [None]
    for i, (home, is_admin) in enumerate(world.users[1:], start=1):
        user_ids.append(engine.people(tenant).create_user(
            world.username(i), is_admin=is_admin,
            department=None if home is None else f"d{home}").id)
    for i, leader in enumerate(world.leaders):
        if leader is not None:
            by_id = leader % 2 == 1 and leader != 0
            engine.people(tenant).set_department_leader(departments[i] if i % 2 else f"d{i}",
                                         user_ids[leader] if by_id else world.username(leader))
    ids: list[str | None] = [None] * len(world.records)
    by_creator: dict[int, list[int]] = {}
    for n, (_, owner, by_admin) in enumerate(world.records):
        by_creator.setdefault(0 if by_admin else owner, []).append(n)
    for creator, numbers in sorted(by_creator.items()):
        with engine.session(tenant, world.username(creator)) as s:
            if creator == 0:
                user_ids[0] = s.user.id
            for n in numbers:
                obj_index, owner, by_admin = world.records[n]
                data = {"name": f"r{n}", "note": "before"}
                if by_admin:
                    data["owner_id"] = user_ids[owner] if owner else s.user.id
                ids[n] = s.create(object_name(obj_index), data)["id"]
    return ids  # type: ignore[return-value]


# -- the property ----------------------------------------------------------------------------


CHAIN = World(parents=(None, 0, 1), leaders=(1, None, 3), users=(
    (None, True), (0, False), (2, False), (2, False), (None, False)),
    levels=("private", "company_read", None),
    records=((0, 2, False), (0, 2, True), (1, 2, False), (1, 4, True), (2, 3, False),
             (0, 1, True), (0, 0, False)))
"""u1 leads d0, two levels above u2's d2 (which u3 leads): u1 sees u2's private records."""


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
@example(world=CHAIN)
def test_reads_and_edits_match_the_reference(engine, tenant, world):
    tenant = f"{tenant}_p{next(_examples)}"
    deploy(engine, tenant, world)
    ids = build(engine, tenant, world)
    for user in range(len(world.users)):
        name = world.username(user)
        with engine.session(tenant, name) as s:
            for i in range(len(world.levels)):
                listed = {r["name"]: r["id"] for r in s.query(object_name(i), limit=1000)}
                expected = {f"r{n}": ids[n] for n, record in enumerate(world.records)
                            if record[0] == i and allowed(world, user, n, "read")}
                assert sorted(listed) == sorted(expected), (name, object_name(i))
                assert listed == expected
                assert s.count(object_name(i)) == len(expected), (name, object_name(i))
            for n, (obj_index, _, _) in enumerate(world.records):
                want = ("ok" if allowed(world, user, n, "edit") else
                        "edit_denied" if allowed(world, user, n, "read") else "record_not_found")
                try:
                    s.update(object_name(obj_index), ids[n], {"note": name})
                    got = "ok"
                except (PermissionDenied, NotFoundError) as exc:
                    got = exc.code
                assert got == want, (name, f"r{n}")
