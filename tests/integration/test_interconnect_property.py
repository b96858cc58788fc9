"""Data permissions with interconnect, teams and sharing rules against a plain-Python
reference, on random organisations, on both databases.

Each example builds a tenant with:

- a random department forest (up to 5 departments; leaders among the internal users);
- internal users (some admins, some without a department) with random internal roles
  ``r_a`` / ``r_b`` besides ``member``;
- up to 3 downstream enterprises ``e0``..., each with a random internal partner manager,
  and interconnect users with random interconnect roles: ``x_a`` and ``x_b`` are opened by
  the app ``portal``, ``x_none`` is not (alone it gives no access at all);
- two objects ``Thing0`` and ``Thing1`` with random internal and external levels and up to
  three sharing rules each, drawn from a fixed set of shapes (owned by a department or an
  internal role, or matching a criteria formula; shared with a department, a role or an
  enterprise; read or edit) whose department and enterprise names may name nothing;
- ``Line``, a detail of ``Thing0`` (it follows its master);
- random per-enterprise level overrides;
- records created by random internal and interconnect users, lines created by the admin,
  and random team members (read or edit) on ``Thing`` records.

For every user and object, the ids ``Session.query`` lists are the records the reference
lets them read, and the ids the predicate ``visibility.predicate(object, "edit")`` selects
are those it lets them edit; a sample of updates in a rolled-back session agrees.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hulian.engine import NotFoundError, PermissionDenied
from tests.packs import documents, field, label, obj, options, pack_of

INTERNAL_LEVELS = ("private", "company_read", "company_read_write")
EXTERNAL_LEVELS = ("private", "company_read", "company_read_write", "public_read",
                   "public_read_write")
INTERNAL_ROLES = ("r_a", "r_b")
OPENED_ROLES = ("x_a", "x_b")
INTERCONNECT_ROLES = (*OPENED_ROLES, "x_none")
CRITERIA = {"amount >= 100": lambda r: r.amount >= 100,
            "ISPICKVAL(stage, 'won')": lambda r: r.stage == "won"}
AMOUNTS = (0, 50, 100, 150)
STAGES = ("open", "won")
THINGS = ("Thing0", "Thing1")
MAX_DEPARTMENTS = 5
MAX_ENTERPRISES = 3
ADMIN = 0
_examples = itertools.count(1)


@dataclass(frozen=True)
class Person:
    department: int | None = None
    admin: bool = False
    roles: frozenset[str] = frozenset()
    enterprise: int | None = None
    """The downstream enterprise of an interconnect user; None: an internal user."""

    @property
    def external(self) -> bool:
        return self.enterprise is not None


@dataclass(frozen=True)
class Rule:
    basis: tuple[str, str]
    """("department", name) | ("role", internal role) | ("criteria", formula)."""
    share_with: tuple[str, str]
    """("department", name) | ("role", any role) | ("enterprise", name)."""
    access: str

    def document(self, api_name: str) -> dict:
        kind, value = self.basis
        basis = {"criteria": value} if kind == "criteria" else {"owned_by": {kind: value}}
        return {"api_name": api_name, **basis, "share_with": dict([self.share_with]),
                "access": self.access}


@dataclass(frozen=True)
class Thing:
    internal: str | None
    external: str | None
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Record:
    thing: int
    creator: int
    amount: int = 0
    stage: str = "open"


@dataclass(frozen=True)
class World:
    parents: tuple[int | None, ...]
    """Per department, the index of its parent (an earlier one) or None."""
    leaders: tuple[int | None, ...]
    """Per department, the index of its leader (an internal person) or None."""
    people: tuple[Person, ...]
    """Index 0 is the built-in admin."""
    managers: tuple[int, ...]
    """Per enterprise, the index of its partner manager (an internal person)."""
    things: tuple[Thing, ...]
    overrides: Mapping[tuple[int, int], str]
    """(enterprise, thing) -> the enterprise's level for it."""
    records: tuple[Record, ...]
    lines: tuple[int, ...]
    """Per line, the index of its master in ``records`` (a Thing0 record)."""
    teams: Mapping[tuple[int, int], str] = dataclasses.field(default_factory=dict)
    """(record, person) -> read | edit."""

    def username(self, person: int) -> str:
        return "admin" if person == ADMIN else f"u{person}"


# -- random worlds -------------------------------------------------------------------------


def _sometimes_none(values: st.SearchStrategy) -> st.SearchStrategy:
    return st.integers(0, 3).flatmap(lambda n: st.none() if n == 0 else values)


def _rules(departments: int) -> st.SearchStrategy[tuple[Rule, ...]]:
    # names one past the last department or enterprise name nothing
    department = st.integers(0, departments).map(lambda i: ("department", f"d{i}"))
    basis = st.one_of(department, st.sampled_from(INTERNAL_ROLES).map(lambda r: ("role", r)),
                      st.sampled_from(sorted(CRITERIA)).map(lambda c: ("criteria", c)))
    share_with = st.one_of(
        department,
        st.sampled_from((*INTERNAL_ROLES, *INTERCONNECT_ROLES)).map(lambda r: ("role", r)),
        st.integers(0, MAX_ENTERPRISES).map(lambda i: ("enterprise", f"e{i}")))
    rule = st.builds(Rule, basis, share_with, st.sampled_from(("read", "edit")))
    return st.lists(rule, max_size=3).map(tuple)


@st.composite
def worlds(draw) -> World:
    """Random organisations, biased towards what the rules are about: chains of
    departments with leaders, private levels, records of several enterprises."""
    departments = draw(st.integers(0, MAX_DEPARTMENTS))
    parents = tuple(draw(_sometimes_none(st.integers(0, 1).flatmap(
        lambda n, i=i: st.just(i - 1) if n else st.integers(0, i - 1)))) if i else None
        for i in range(departments))
    homes = _sometimes_none(st.integers(0, departments - 1)) if departments else st.none()
    internal = draw(st.lists(st.builds(
        Person, homes, st.integers(0, 9).map(lambda n: n == 0),
        st.frozensets(st.sampled_from(INTERNAL_ROLES))), min_size=1, max_size=5))
    people = [Person(admin=True), *internal]
    inside = len(people)
    leaders = tuple(draw(st.lists(_sometimes_none(st.integers(min(1, inside - 1), inside - 1)),
                                  min_size=departments, max_size=departments)))
    managers = tuple(draw(st.lists(st.integers(0, inside - 1), min_size=1,
                                   max_size=MAX_ENTERPRISES)))
    enterprises = len(managers)
    people += draw(st.lists(st.builds(
        lambda e, roles: Person(enterprise=e, roles=roles),
        st.integers(0, enterprises - 1),
        st.frozensets(st.sampled_from(INTERCONNECT_ROLES)).filter(
            lambda r: r != frozenset()) | st.just(frozenset({"x_a"}))),
        min_size=1, max_size=5))
    internal_level = st.sampled_from((*INTERNAL_LEVELS, None, "private", "private"))
    external_level = st.sampled_from((*EXTERNAL_LEVELS, None, "private", "company_read"))
    things = [draw(st.builds(Thing, internal_level, external_level, _rules(departments)))
              for _ in THINGS]
    overrides = draw(st.dictionaries(
        st.tuples(st.integers(0, enterprises - 1), st.integers(0, len(THINGS) - 1)),
        st.sampled_from(EXTERNAL_LEVELS), max_size=3))
    creators = [i for i, p in enumerate(people) if opened(p)]
    records = tuple(draw(st.lists(st.builds(
        Record, st.integers(0, len(THINGS) - 1), st.sampled_from(creators),
        st.sampled_from(AMOUNTS), st.sampled_from(STAGES)), min_size=1, max_size=16)))
    masters = [n for n, r in enumerate(records) if r.thing == 0]
    lines = tuple(draw(st.lists(st.sampled_from(masters), max_size=4))) if masters else ()
    teams = draw(st.dictionaries(
        st.tuples(st.integers(0, len(records) - 1), st.integers(1, len(people) - 1)),
        st.sampled_from(("read", "edit")), max_size=6))
    return World(parents, leaders, tuple(people), managers, tuple(things), overrides,
                 records, lines, teams)


# -- the reference -------------------------------------------------------------------------


def opened(person: Person) -> bool:
    """Whether the person's roles let them use the objects at all (functional rights)."""
    return not person.external or bool(person.roles & set(OPENED_ROLES))


def below(world: World, roots: set[int]) -> set[int]:
    """``roots`` and every department under them."""
    found = set(roots)
    grew = True
    while grew:
        more = {d for d, parent in enumerate(world.parents) if parent in found}
        grew = not more <= found
        found |= more
    return found


def department_named(world: World, name: str) -> int | None:
    index = int(name[1:])
    return index if index < len(world.parents) else None


def owner(world: World, record: Record) -> int:
    """The record's (internal) owner: its creator, or their enterprise's partner manager."""
    creator = world.people[record.creator]
    return world.managers[creator.enterprise] if creator.external else record.creator


def applies(world: World, rule: Rule, person: int) -> bool:
    kind, name = rule.share_with
    who = world.people[person]
    if kind == "department":
        found = department_named(world, name)
        return found is not None and who.department is not None and \
            who.department in below(world, {found})
    if kind == "role":
        return name in who.roles
    return who.external and name == f"e{who.enterprise}"


def covers(world: World, rule: Rule, record: Record) -> bool:
    kind, value = rule.basis
    if kind == "criteria":
        return CRITERIA[value](record)
    holder = world.people[owner(world, record)]
    if kind == "role":
        return value in holder.roles
    found = department_named(world, value)
    return found is not None and holder.department is not None and \
        holder.department in below(world, {found})


def allowed(world: World, person: int, n: int, access: str) -> bool:
    """Whether ``person`` may ``access`` (read | edit) the record ``n`` of ``world.records``."""
    who, record = world.people[person], world.records[n]
    read = access == "read"
    if not opened(who):
        return False
    if who.admin:
        return True
    thing = world.things[record.thing]
    if who.external:
        level = world.overrides.get((who.enterprise, record.thing)) or thing.external \
            or "private"
        creator = world.people[record.creator]
        if level == "public_read_write" or (read and level == "public_read"):
            return True
        if (level == "company_read_write" or (read and level == "company_read")) and \
                creator.enterprise == who.enterprise:
            return True
        if record.creator == person:
            return True
    else:
        level = thing.internal or "company_read_write"
        if level == "company_read_write" or (read and level == "company_read"):
            return True
        holder = world.people[owner(world, record)]
        led = below(world, {d for d, leader in enumerate(world.leaders) if leader == person})
        if owner(world, record) == person or holder.department in led:
            return True
    team = world.teams.get((n, person))
    if team is not None and (read or team == "edit"):
        return True
    return any((read or rule.access == "edit") and applies(world, rule, person)
               and covers(world, rule, record) for rule in thing.rules)


# -- building the tenant -------------------------------------------------------------------


def pack_documents(world: World) -> dict:
    things = []
    for i, thing in enumerate(world.things):
        levels = {k: v for k, v in (("internal", thing.internal), ("external", thing.external))
                  if v}
        extra = {"data_permission": levels} if levels else {}
        if thing.rules:
            extra["sharing_rules"] = [r.document(f"rule{j}") for j, r in enumerate(thing.rules)]
        things.append(obj(THINGS[i], field("name", "text"), field("amount", "number"),
                          field("stage", "picklist", options=options(*STAGES)), **extra))
    line = obj("Line", field("name", "text"),
               field("master", "master_detail", target="Thing0"))
    docs = documents(*things, line)
    names = [*THINGS, "Line"]
    everything = {n: {"create": True, "read": True, "edit": True} for n in names}
    for role in (*INTERNAL_ROLES, *INTERCONNECT_ROLES):
        docs[f"roles/{role}.json"] = {
            "api_name": role, "label": label(role), "objects": everything,
            "kind": "internal" if role in INTERNAL_ROLES else "interconnect"}
    docs["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                                "objects": names, "roles": list(OPENED_ROLES)}
    return docs


def build(engine, tenant: str, world: World) -> tuple[list[str], list[str]]:
    """The tenant of ``world``; returns the ids of its records and of its lines."""
    engine.metadata(tenant).deploy(pack_of(pack_documents(world)))
    for i, parent in enumerate(world.parents):
        engine.people(tenant).create_department(
            f"d{i}", parent=None if parent is None else f"d{parent}")
    internal = [i for i, p in enumerate(world.people) if not p.external and i != ADMIN]
    for i in internal:
        p = world.people[i]
        engine.people(tenant).create_user(world.username(i), is_admin=p.admin,
                           department=None if p.department is None else f"d{p.department}",
                           roles=["member", *sorted(p.roles)])
    for d, leader in enumerate(world.leaders):
        if leader is not None:
            engine.people(tenant).set_department_leader(f"d{d}", world.username(leader))
    for e, manager in enumerate(world.managers):
        engine.people(tenant).create_enterprise(f"e{e}", partner_manager=world.username(manager))
    for i, p in enumerate(world.people):
        if p.external:
            engine.people(tenant).create_user(world.username(i), enterprise=f"e{p.enterprise}",
                               roles=sorted(p.roles))
    for (e, thing), level in sorted(world.overrides.items()):
        engine.people(tenant).set_enterprise_permission(f"e{e}", THINGS[thing], level)
    ids: list[str] = [""] * len(world.records)
    for creator in sorted({r.creator for r in world.records}):
        with engine.session(tenant, world.username(creator)) as s:
            for n, r in enumerate(world.records):
                if r.creator == creator:
                    ids[n] = s.create(THINGS[r.thing], {"name": f"r{n}", "amount": r.amount,
                                                        "stage": r.stage})["id"]
    lines = []
    with engine.session(tenant) as s:
        for k, master in enumerate(world.lines):
            lines.append(s.create("Line", {"name": f"l{k}", "master": ids[master]})["id"])
        for (n, person), access in sorted(world.teams.items()):
            s.share(THINGS[world.records[n].thing], ids[n], world.username(person),
                    access=access)
    return ids, lines


# -- the property --------------------------------------------------------------------------


def expected_ids(world: World, ids: list[str], lines: list[str], person: int,
                 access: str) -> dict[str, set[str]]:
    out = {name: {ids[n] for n, r in enumerate(world.records)
                  if r.thing == i and allowed(world, person, n, access)}
           for i, name in enumerate(THINGS)}
    out["Line"] = {lines[k] for k, master in enumerate(world.lines)
                   if allowed(world, person, master, access)}
    return out


class _RollBack(Exception):
    pass


def check(engine, tenant: str, world: World) -> None:
    ids, lines = build(engine, tenant, world)
    names = {i: f"r{n}" for n, i in enumerate(ids)} | {i: f"l{k}" for k, i in enumerate(lines)}
    for person in range(len(world.people)):
        user = world.username(person)
        reads = expected_ids(world, ids, lines, person, "read")
        edits = expected_ids(world, ids, lines, person, "edit")
        with engine.session(tenant, user) as s:
            predicates = {}
            for name in (*THINGS, "Line"):
                if opened(world.people[person]):
                    listed = {r["id"] for r in s.query(name, limit=1000)}
                    assert sorted(names[i] for i in listed) == \
                        sorted(names[i] for i in reads[name]), (user, name, "read")
                else:
                    with pytest.raises(NotFoundError) as missing:
                        s.query(name)
                    assert missing.value.code == "unknown_object"
                compiled = s.schema.object(name)
                predicates[name] = (compiled, s.visibility.predicate(compiled, "edit"))
        with engine.db.connect() as conn:
            for name, (compiled, predicate) in predicates.items():
                query = sa.select(compiled.table.c.id).where(
                    compiled.table.c.is_deleted == sa.false())
                if predicate is not None:
                    query = query.where(predicate)
                editable = set(conn.scalars(query))
                assert sorted(names[i] for i in editable) == \
                    sorted(names[i] for i in edits[name]), (user, name, "edit")
        check_updates(engine, tenant, world, person, ids, reads, edits)


def check_updates(engine, tenant: str, world: World, person: int, ids: list[str],
                  reads: dict[str, set[str]], edits: dict[str, set[str]]) -> None:
    """Updates of every third record (a different third per person) agree, in a session
    rolled back at the end."""
    sample = [(n, ids[n]) for n in range(person % 3, len(ids), 3)]
    if not sample or not opened(world.people[person]):
        return
    try:
        with engine.session(tenant, world.username(person)) as s:
            for n, record_id in sample:
                name = THINGS[world.records[n].thing]
                want = "ok" if record_id in edits[name] else \
                    "edit_denied" if record_id in reads[name] else "record_not_found"
                try:
                    s.update(name, record_id, {"amount": 1})
                    got = "ok"
                except (PermissionDenied, NotFoundError) as exc:
                    got = exc.code
                assert got == want, (world.username(person), f"r{n}")
            raise _RollBack
    except _RollBack:
        pass


PARTNERS = World(
    parents=(None, 0), leaders=(1, None),
    people=(Person(admin=True), Person(department=0), Person(department=1, roles=frozenset(
        {"r_a"})), Person(department=1), Person(enterprise=0, roles=frozenset({"x_a"})),
        Person(enterprise=0, roles=frozenset({"x_b", "x_none"})),
        Person(enterprise=1, roles=frozenset({"x_a"})),
        Person(enterprise=1, roles=frozenset({"x_none"}))),
    managers=(2, 3),
    things=(Thing("private", "company_read", (
        Rule(("department", "d1"), ("enterprise", "e1"), "read"),
        Rule(("criteria", "amount >= 100"), ("role", "x_b"), "edit"),
        Rule(("role", "r_a"), ("department", "d1"), "edit"))),
        Thing("company_read", "public_read", (
            Rule(("department", "d7"), ("department", "d0"), "edit"),
            Rule(("criteria", "ISPICKVAL(stage, 'won')"), ("enterprise", "e5"), "read")))),
    overrides={(1, 0): "private", (0, 1): "private"},
    records=(Record(0, 4, 150), Record(0, 5, 0, "won"), Record(0, 6, 50), Record(0, 1),
             Record(0, 2, 100), Record(1, 4), Record(1, 6, 0, "won"), Record(1, 3)),
    lines=(0, 2, 3),
    teams={(0, 6): "read", (2, 4): "edit", (3, 5): "read", (6, 1): "edit"},
)
"""Two enterprises, e0 managed by u2 (in d1, under d0 which u1 leads) and e1 by u3; u7
(only ``x_none``) sees nothing; rules naming d7 and e5 name nothing."""

CROSS = World(
    parents=(), leaders=(), people=(Person(admin=True), Person(),
                                    Person(enterprise=0, roles=frozenset({"x_a"})),
                                    Person(enterprise=1, roles=frozenset({"x_a"}))),
    managers=(1, 1),
    things=(Thing(None, "company_read_write"), Thing(None, None)),
    overrides={(1, 1): "company_read_write"},
    records=(Record(0, 2), Record(0, 3), Record(1, 2), Record(1, 3)),
    lines=(0, 1),
)
"""Each enterprise must read and edit only its own records at company_read_write."""



@settings(max_examples=25, deadline=None,  # each example builds a tenant: keep them few
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
@example(world=PARTNERS)
@example(world=CROSS)
def test_reads_and_edits_match_the_reference(engine, tenant, world):
    check(engine, f"{tenant}_x{next(_examples)}", world)
