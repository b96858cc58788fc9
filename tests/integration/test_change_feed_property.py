"""The change feed against a plain-Python reference, on random histories of writes.

Each example writes a random sequence of creates, updates, ownership transfers and deletes
by users who see different records (``Deal`` records are private to their owner, every
internal user reads ``Memo``, only the admin reads ``Secret``; ``cost`` is hidden from the
reps), then each user reads the whole feed in pages of random sizes. What they get is
exactly the changes of the records they may read now (ownership as it is at the end),
deleted ones included, in id order, without repeats, each without the fields they may not
see, and without the updates that changed only such fields.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hulian.engine.changes import outbox
from tests.integration.changes_world import World, build

_examples = itertools.count(1)
USERS = ("admin", "mei", "li")
FIELDS = {"Deal": ("amount", "cost", "notes", "stage"), "Memo": ("body",), "Secret": ("name",)}
HIDDEN = {"Deal": frozenset({"cost"})}
"""Fields hidden from the reps."""

creates = st.tuples(st.just("create"), st.sampled_from(USERS),
                    st.sampled_from(("Deal", "Memo", "Secret")))
updates = st.tuples(st.just("update"), st.integers(0, 30),
                    st.sets(st.sampled_from(("amount", "cost", "notes", "stage", "body", "name")),
                            min_size=1))
transfers = st.tuples(st.just("transfer"), st.integers(0, 30), st.sampled_from(USERS))
deletes = st.tuples(st.just("delete"), st.integers(0, 30))
operations = st.lists(st.one_of(creates, creates, updates, updates, transfers, deletes),
                      min_size=1, max_size=14)


def _value(name: str, step: int) -> Any:
    return {"amount": Decimal(step), "cost": Decimal(step) / 4,
            "stage": ("new", "won", "lost")[step % 3]}.get(name, f"{name} {step}")


def apply(world: World, ops: list[Any]) -> dict[str, tuple[str, str]]:
    """Run ``ops``; record id -> (object, owner's username) at the end."""
    records: list[tuple[str, str]] = []  # (object, id)
    owners: dict[str, tuple[str, str]] = {}
    deleted: set[str] = set()
    for step, op in enumerate(ops):
        if op[0] == "create":
            _, user, name = op
            user = "admin" if name == "Secret" else user
            record = world.create(user, name, {"name": f"{name} {step}"})
            records.append((name, record["id"]))
            owners[record["id"]] = (name, user)
            continue
        if not records:
            continue
        name, record_id = records[op[1] % len(records)]
        if record_id in deleted:
            continue
        if op[0] == "update":
            changed = {f: _value(f, step) for f in sorted(op[2]) if f in FIELDS[name]}
            if changed:
                with world.engine.session(world.tenant) as s:
                    s.update(name, record_id, changed)
        elif op[0] == "transfer" and name == "Deal":
            new_owner = world.user_id(op[2])
            with world.engine.session(world.tenant) as s:
                s.update(name, record_id, {"owner_id": new_owner})
            owners[record_id] = (name, op[2])
        elif op[0] == "delete":
            with world.engine.session(world.tenant) as s:
                s.delete(name, record_id)
            deleted.add(record_id)
    return owners


def readable(user: str, name: str, owner: str) -> bool:
    return user == "admin" or name == "Memo" or (name == "Deal" and owner == user)


def expected(world: World, user: str, owners: dict[str, tuple[str, str]]) -> list[Any]:
    with world.engine.db.connect() as conn:
        every = outbox.read_after(conn, world.tenant, 0, limit=10_000)
    out = []
    for change in every:
        name, owner = owners[change.record_id]
        if not readable(user, name, owner):
            continue
        hidden = HIDDEN.get(name, frozenset()) if user != "admin" else frozenset()
        before = None if change.before is None else {
            k: v for k, v in change.before.items() if k not in hidden}
        after = None if change.after is None else {
            k: v for k, v in change.after.items() if k not in hidden}
        if change.kind == "update" and not before and not after:
            continue
        out.append((change.id, change.kind, name, change.record_id, before, after))
    return out


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_each_reader_gets_exactly_the_changes_they_may_see_once_in_order(
        engine, tenant, ops, sizes):
    world = build(engine, f"{tenant}_f{next(_examples)}")
    owners = apply(world, ops)
    for user in USERS:
        got, after, pages = [], None, itertools.cycle(sizes)
        with engine.session(world.tenant, user, readonly=True) as s:
            while True:
                page = s.changes(after=after, limit=next(pages))
                got += [(c.id, c.kind, c.object, c.record_id, c.before, c.after)
                        for c in page]
                after = page.next
                if not page.more:
                    break
            assert s.changes(after=after).changes == []
        assert got == expected(world, user, owners), user
