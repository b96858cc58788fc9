"""Random sequences of safe field changes never lose a value of a field still there.

Each example deploys an object with records, then applies a few operations (add a
text or number field, rename a field, grow a text field, remove a field, re-add a
removed one, add a field of another type under a removed one's name), one deploy
each, writing records in between. A model says what every record must hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from hulian.engine import Engine
from tests.packs import documents, field, obj, pack_of

OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["add_text", "add_number", "rename", "grow", "remove", "remove", "readd",
                     "readd", "add_over"]),
    st.integers(0, 1000), st.booleans()), min_size=1, max_size=8)
_examples = itertools.count(1)


def _value(kind: str, n: int) -> Any:
    return f"v{n}" if kind == "text" else Decimal(n) + Decimal("0.25")


def _definition(name: str, kind: str, length: int = 10) -> dict[str, Any]:
    if kind == "text":
        return field(name, "text", max_length=length)
    return field(name, "number", precision=10, scale=2)


class FieldModel:
    """The Item object's stored fields and each record's value of them, as a deploy sees it."""

    def __init__(self) -> None:
        self.live: dict[str, dict[str, Any]] = {"f0": {"kind": "text", "length": 10},
                                                "f1": {"kind": "number"}}
        self.archived: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
        self.values: dict[str, dict[str, Any]] = {}
        self.renamed: dict[str, str] = {}
        self.names = (f"f{n}" for n in itertools.count(2))

    def documents(self) -> dict[str, Any]:
        fields = [{**_definition(n, i["kind"], i.get("length", 10)),
                   **({"renamed_from": self.renamed[n]} if n in self.renamed else {})}
                  for n, i in self.live.items()]
        return documents(obj("Item", field("name", "text"), *fields))

    def apply(self, op: str, pick: int, flag: bool) -> bool:
        """Change the model as ``op`` would; False when ``op`` has nothing to work on."""
        self.renamed = {}
        texts = sorted(n for n, i in self.live.items() if i["kind"] == "text")
        restorable = sorted(k for k in self.archived if k[0] not in self.live)
        if op in ("add_text", "add_number"):
            name = next(self.names)
            self.live[name] = {"kind": op.removeprefix("add_"), "length": 10}
            for values in self.values.values():
                values[name] = None
        elif op == "rename" and self.live:
            old = sorted(self.live)[pick % len(self.live)]
            new = next(self.names)
            self.live[new] = self.live.pop(old)
            self.renamed[new] = old
            for values in self.values.values():
                values[new] = values.pop(old)
        elif op == "grow" and texts:
            self.live[texts[pick % len(texts)]]["length"] += 5
        elif op == "remove" and self.live:
            name = sorted(self.live)[pick % len(self.live)]
            info = self.live.pop(name)
            self.archived[(name, info["kind"])] = (info, {
                record_id: values.pop(name) for record_id, values in self.values.items()})
        elif op == "readd" and restorable:
            name, kind = restorable[pick % len(restorable)]
            info, kept = self.archived.pop((name, kind))
            self.live[name] = {**info, "length": info.get("length", 10) + (5 if flag else 0)}
            for record_id, values in self.values.items():
                values[name] = kept.get(record_id)
        elif op == "add_over" and restorable:
            name, kind = restorable[pick % len(restorable)]
            other = "number" if kind == "text" else "text"
            if (name, other) in self.archived:
                return False
            self.live[name] = {"kind": other, "length": 10}
            for values in self.values.values():
                values[name] = None
        else:
            return False
        return True

    def write(self, engine: Engine, tenant: str, numbers: Iterator[int]) -> None:
        """Create one record and overwrite the oldest one, with values of every live field."""
        with engine.session(tenant) as s:
            new = {n: _value(i["kind"], next(numbers)) for n, i in self.live.items()}
            self.values[s.create("Item", {"name": "x", **new})["id"]] = new
            first = min(self.values)
            changed = {n: _value(i["kind"], next(numbers)) for n, i in self.live.items()}
            s.update("Item", first, {"name": "x", **changed})
            self.values[first].update(changed)

    def check(self, engine: Engine, tenant: str) -> None:
        gone = {name for name, _ in self.archived} - set(self.live)
        with engine.session(tenant) as s:
            stored = {r["id"]: r for r in s.query("Item", limit=200)}
        assert set(stored) == set(self.values)
        for record_id, values in self.values.items():
            assert {n: stored[record_id][n] for n in self.live} == {
                n: values[n] for n in self.live}, record_id
            assert not gone & set(stored[record_id]), record_id


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
@example(operations=[("remove", 0, False), ("add_over", 0, False), ("rename", 0, False),
                     ("remove", 0, False), ("readd", 0, True), ("grow", 0, False)])
@example(operations=[("remove", 0, False), ("add_over", 0, False), ("remove", 0, False),
                     ("readd", 0, False), ("remove", 0, False), ("readd", 1, False)])
def test_safe_field_changes_never_lose_a_value(engine, tenant, operations):
    tenant = f"{tenant}_h{next(_examples)}"
    model, numbers = FieldModel(), itertools.count(1)
    engine.metadata(tenant).deploy(pack_of(model.documents()))
    model.write(engine, tenant, numbers)
    model.write(engine, tenant, numbers)
    for op, pick, flag in operations:
        if not model.apply(op, pick, flag):
            continue
        event(op)
        engine.metadata(tenant).deploy(pack_of(model.documents()))
        model.check(engine, tenant)
        model.write(engine, tenant, numbers)
        model.check(engine, tenant)
