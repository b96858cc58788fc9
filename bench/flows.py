"""Flows: what automations and approval processes cost the writes they do not concern, and
what submitting and approving cost.

    .venv/bin/python bench/flows.py [--writes 300] [--runs 3] [--db sqlite|postgresql|both]
        [--pg-url URL]

The bench pack has three objects of the same shape (a name, a picklist ``status``, an
amount, a date, a note): ``Plain`` has no flow; ``Automated`` has three automations
(``update``, ``create_or_update`` and ``becomes_true``, one with scheduled actions) whose
conditions the bench's writes never meet; ``Flowed`` has the same automations and an
approval process (entry criteria, two steps, field updates on each outcome). Each write is
a ``Session`` of its own (one transaction, as an app does per request), timed from
``Engine.session`` to the commit; contenders alternate in blocks of 25 so that they see
the same machine, each going first in turn:

- create: ``Session.create`` of ``--writes`` records of each object;
- update: ``Session.update`` of one field of each of those records;
- approvals, on ``Flowed``: ``submit_for_approval`` (by the owner) and ``approve`` (by
  the approver of the one step the records reach) against a plain ``update`` of a
  ``Plain`` record.

Targets (issue 15): a write on an object whose flows do not fire at most 1.05x the same
write on an object without flows; submitting and approving each at most 3x a plain
update. Each run uses a fresh tenant; the best run counts. It prints the per-write
microseconds and the ratios; nothing is asserted. The machine is shared: run it several
times. For the 1.05x target, where a shared machine's noise (a checkpoint, another
process) is larger than the difference measured, the verdict is on the median of the
block ratios (each block of 25 writes of a contender over the ``Plain`` block next to
it, over every run): a stall falls on one block of one contender and moves the sums, not
the median. The ratio of the best sums is printed beside it. Without ``--pg-url``
PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import database

from hulian.engine import Engine
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack

BLOCK = 25
CREATE_TARGET, APPROVAL_TARGET = 1.05, 3.0
OBJECTS = ("Plain", "Automated", "Flowed")


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


def _object(api_name: str) -> dict[str, Any]:
    return {"api_name": api_name, "label": _label(api_name), "name_field": "name", "fields": [
        {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 120},
        {"api_name": "status", "type": "picklist", "label": _label("Status"), "options": [
            {"api_name": n, "label": _label(n)}
            for n in ("draft", "pending", "approved", "rejected", "closed")]},
        {"api_name": "amount", "type": "number", "label": _label("Amount"), "scale": 2},
        {"api_name": "due_date", "type": "date", "label": _label("Due")},
        {"api_name": "note", "type": "text", "label": _label("Note"), "max_length": 200}]}


def _automations(obj: str) -> list[dict[str, Any]]:
    common = {"type": "automation", "object": obj, "active": True}
    return [
        {**common, "api_name": f"{obj.lower()}_big", "label": _label("Big"),
         "trigger": "update", "condition": "amount > 1000000000 && ISCHANGED(amount)",
         "actions": [{"type": "field_update", "field": "note", "value": "'big'"},
                     {"type": "webhook_event", "event": "big"}]},
        {**common, "api_name": f"{obj.lower()}_closed", "label": _label("Closed"),
         "trigger": "becomes_true", "condition": "ISPICKVAL(status, 'closed')",
         "actions": [{"type": "activity", "kind": "note", "text": "name & ' closed'"}]},
        {**common, "api_name": f"{obj.lower()}_remind", "label": _label("Remind"),
         "trigger": "create_or_update", "condition": "ISPICKVAL(status, 'rejected')",
         "actions": [{"type": "notify", "to": [{"owner": True}], "title": "'Rejected'",
                      "body": "name"}],
         "scheduled": [{"api_name": "later", "field": "due_date", "offset_days": -3,
                        "actions": [{"type": "notify", "to": [{"owner": True}],
                                     "title": "'Due'", "body": "name"}]}]}]


APPROVAL = {
    "api_name": "flowed_approval", "type": "approval", "object": "Flowed",
    "label": _label("Approval"), "active": True, "entry_criteria": "amount > 0",
    "lock": {"details": True, "approvers_may_edit": False},
    "steps": [
        {"api_name": "boss", "label": _label("Boss"), "approvers": [{"user": "boss"}]},
        {"api_name": "board", "label": _label("Board"), "criteria": "amount > 1000000",
         "approvers": [{"user": "boss"}]}],
    "actions": {"submit": [{"field": "status", "value": "'pending'"}],
                "approve": [{"field": "status", "value": "'approved'"}],
                "reject": [{"field": "status", "value": "'rejected'"}],
                "recall": [{"field": "status", "value": "'draft'"}]}}


def bench_pack(*, flows: bool = True) -> Pack:
    docs: dict[str, Any] = {"pack.json": {"name": "flowbench",
                                          "version": "1.0.1" if flows else "1.0.0",
                                          "label": _label("Flow bench")}}
    for name in OBJECTS:
        docs[f"objects/{name}.json"] = _object(name)
    for flow in [*_automations("Automated"), *_automations("Flowed"), APPROVAL] if flows \
            else []:
        docs[f"flows/{flow['api_name']}.json"] = flow
    return load_documents(docs)


def new_tenant(eng: Engine, tag: str) -> str:
    """A tenant with the objects, the approver ``boss`` (the approval names them: a deploy
    refuses a flow naming a user the tenant lacks), then the flows."""
    tenant = f"bench_flows_{tag}_{time.time_ns() % 10**9}"
    eng.metadata(tenant).deploy(bench_pack(flows=False))
    eng.people(tenant).create_user("boss", is_admin=True)
    eng.metadata(tenant).deploy(bench_pack())
    return tenant


def timed(contenders: dict[str, Callable[[int], object]], count: int) -> dict[str, Any]:
    """Seconds each contender spends on ``count`` calls, alternating in blocks: wall
    time under the contender's name, this process's CPU time under ``<name> cpu`` (less
    sensitive to other work on a shared machine; it leaves out the database server's
    time on PostgreSQL), and each block's wall time under ``<name> blocks``."""
    spent: dict[str, Any] = dict.fromkeys([*contenders, *(f"{n} cpu" for n in contenders)],
                                          0.0)
    spent.update({f"{n} blocks": [] for n in contenders})
    gc.collect()
    names = list(contenders)
    for block, start in enumerate(range(0, count, BLOCK)):
        turn = block % len(names)  # each contender goes first in turn: no place is favoured
        for name in names[turn:] + names[:turn]:
            call = contenders[name]
            began, cpu = time.perf_counter(), time.process_time()
            for i in range(start, min(start + BLOCK, count)):
                call(i)
            spent[name] += time.perf_counter() - began
            spent[f"{name} cpu"] += time.process_time() - cpu
            spent[f"{name} blocks"].append(time.perf_counter() - began)
    return spent


def one_run(eng: Engine, tag: str, writes: int) -> dict[str, Any]:
    tenant = new_tenant(eng, tag)
    with eng.session(tenant) as s:  # warm up: compile the schema, plans and flows once
        for name in OBJECTS:
            made = s.create(name, {"name": "warm", "status": "draft", "amount": 1})
            s.update(name, made["id"], {"amount": 2})
    ids: dict[str, list[str]] = {name: [] for name in OBJECTS}

    def creating(name: str) -> Callable[[int], object]:
        def create(i: int) -> None:
            with eng.session(tenant) as s:
                ids[name].append(s.create(name, {"name": f"{name} {i}", "status": "draft",
                                                 "amount": 100 + i})["id"])
        return create

    def updating(name: str) -> Callable[[int], object]:
        def update(i: int) -> None:
            with eng.session(tenant) as s:
                s.update(name, ids[name][i], {"amount": 200 + i})
        return update

    out = {f"create {k}": v for k, v in
           timed({name: creating(name) for name in OBJECTS}, writes).items()}
    out.update({f"update {k}": v for k, v in
                timed({name: updating(name) for name in OBJECTS}, writes).items()})

    def plain_update(i: int) -> None:
        with eng.session(tenant) as s:
            s.update("Plain", ids["Plain"][i], {"note": f"n{i}"})

    def submit(i: int) -> None:
        with eng.session(tenant) as s:
            s.submit_for_approval("Flowed", ids["Flowed"][i])

    def approve(i: int) -> None:
        with eng.session(tenant, "boss") as s:
            s.approve("Flowed", ids["Flowed"][i])

    out.update({f"approval {k}": v for k, v in timed(
        {"plain update": plain_update, "submit": submit}, writes).items()})
    approving = timed({"approve": approve}, writes)
    out["approval approve"] = approving["approve"]
    out["approval approve cpu"] = approving["approve cpu"]
    return out


def _verdict(ratio: float, target: float) -> str:
    return "ok" if ratio <= target else "OVER TARGET"


def _block_ratio(runs: list[dict[str, Any]], key: str, base: str) -> tuple[float, int]:
    """The median, over every run's blocks, of a block's time of ``key`` over the time of
    the ``base`` block beside it; and how many blocks."""
    ratios = [a / b for run in runs
              for a, b in zip(run[f"{key} blocks"], run[f"{base} blocks"], strict=True)]
    return statistics.median(ratios), len(ratios)


def report(db: str, writes: int, runs: list[dict[str, Any]]) -> None:
    best = {key: min(run[key] for run in runs) for key in runs[0]
            if not key.endswith(" blocks")}
    us = {key: value / writes * 1e6 for key, value in best.items()}
    print(f"\n{db}: {writes} writes per contender, best of {len(runs)} runs (µs per write)")
    for op in ("create", "update"):
        base, base_cpu = us[f"{op} Plain"], us[f"{op} Plain cpu"]
        print(f"  {op:<7} Plain     {base:8.0f}  (cpu {base_cpu:6.0f})")
        for name in OBJECTS[1:]:
            ratio = us[f"{op} {name}"] / base
            cpu = us[f"{op} {name} cpu"] / base_cpu
            median, blocks = _block_ratio(runs, f"{op} {name}", f"{op} Plain")
            print(f"  {op:<7} {name:<9} {us[f'{op} {name}']:8.0f}  ratio {ratio:5.3f}; "
                  f"cpu ratio {cpu:5.3f}; median of {blocks} block ratios {median:5.3f} "
                  f"(target <= {CREATE_TARGET}: {_verdict(median, CREATE_TARGET)})")
    base, base_cpu = us["approval plain update"], us["approval plain update cpu"]
    print(f"  plain update {base:8.0f}  (cpu {base_cpu:6.0f})")
    for name in ("submit", "approve"):
        ratio = us[f"approval {name}"] / base
        cpu = us[f"approval {name} cpu"] / base_cpu
        print(f"  {name:<12} {us[f'approval {name}']:8.0f}  ratio {ratio:5.2f}  "
              f"(target <= {APPROVAL_TARGET}: {_verdict(ratio, APPROVAL_TARGET)}); "
              f"cpu ratio {cpu:5.2f}")
    per_run = [run[f"update {OBJECTS[1]}"] / run[f"update {OBJECTS[0]}"] for run in runs]
    print("  update Automated/Plain per run: " + ", ".join(f"{r:.3f}" for r in per_run))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url")
    args = parser.parse_args()
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        with database(db, args.pg_url) as eng:
            runs = [one_run(eng, f"{db[:2]}{i}", args.writes) for i in range(args.runs)]
        report(db, args.writes, runs)


if __name__ == "__main__":
    main()
