"""Approvals on both databases (tests/integration/approval_world.py): submit, approve,
reject, recall; approver resolution and step criteria; the lock on the record and its
details; two approvers at once; a failure after any step of approve changes nothing."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from hulian.engine import ConflictError, NotFoundError, PermissionDenied
from hulian.engine.approvals import run
from hulian.engine.errors import FlowRefused
from hulian.engine.system.tenant_tables import tables_of
from tests.integration.approval_world import FLOW, build, deal


@pytest.fixture
def world(engine, tenant):
    build(engine, tenant)
    return engine, tenant


def _status(engine, tenant, record_id):
    with engine.session(tenant, readonly=True) as s:
        return s.get("Deal", record_id)["status"]


def _act(engine, tenant, user, action, record_id, **kwargs):
    with engine.session(tenant, user) as s:
        method = s.submit_for_approval if action == "submit" else getattr(s, action)
        return method("Deal", record_id, **kwargs)


def test_a_big_deal_goes_through_both_steps_and_ends_approved(world):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "5000", "10")
    state = _act(engine, tenant, "buyer", "submit", made["id"], comment="please")
    assert (state["locked"], state["approval"]["status"], state["approval"]["step"]) == \
        (True, "pending", "boss")
    assert _status(engine, tenant, made["id"]) == "pending"
    with engine.session(tenant, "boss", readonly=True) as s:
        assert [p["record_id"] for p in s.pending_approvals()] == [made["id"]]
    with engine.session(tenant, "pm", readonly=True) as s:
        assert s.pending_approvals() == []  # not their step yet
    state = _act(engine, tenant, "boss", "approve", made["id"], comment="ok")
    assert state["approval"]["step"] == "upstream"
    with engine.session(tenant, "boss2", readonly=True) as s:
        assert s.pending_approvals() == []  # "any": boss decided the step
    _act(engine, tenant, "pm", "approve", made["id"])
    assert _status(engine, tenant, made["id"]) == "pending"  # "all": mgr still to approve
    state = _act(engine, tenant, "mgr", "approve", made["id"], comment="fine")
    assert (state["locked"], state["approval"]["status"]) == (True, "approved")
    assert _status(engine, tenant, made["id"]) == "approved"
    assert [(h["action"], h["step"], h["actor_name"], h["comment"]) for h in state["history"]
            ] == [("submit", "boss", "buyer", "please"), ("approve", "boss", "boss", "ok"),
                  ("approve", "upstream", "pm", None), ("approve", "upstream", "mgr", "fine")]
    with engine.session(tenant, "buyer", readonly=True) as s:
        assert [n["title"] for n in s.notifications()] == ["Deal D5000 was approved"]
        events = [c.after["event"] for c in s.changes().changes if c.kind == "event"]
        updates = [c.after for c in s.changes().changes
                   if c.kind == "update" and c.channel == "flow"]
    assert events == ["approval_submitted", "approval_step_approved", "approval_approved"]
    assert updates == [{"status": "pending"}, {"status": "approved"}]
    with engine.session(tenant, "boss", readonly=True) as s:
        assert [n["title"] for n in s.notifications()] == ["Deal D5000 awaits your approval"]


def test_a_small_deal_skips_the_upstream_step(world):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "500")
    _act(engine, tenant, "buyer", "submit", made["id"])
    state = _act(engine, tenant, "boss2", "approve", made["id"])
    assert state["approval"]["status"] == "approved"
    assert {a["step"] for a in state["approval"]["approvers"]} == {"boss"}


def test_reject_and_recall(world):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "500")
    _act(engine, tenant, "buyer", "submit", made["id"])
    state = _act(engine, tenant, "boss", "reject", made["id"], comment="too dear")
    assert (state["approval"]["status"], _status(engine, tenant, made["id"])) == \
        ("rejected", "rejected")
    with engine.session(tenant, "buyer", readonly=True) as s:
        assert [n["title"] for n in s.notifications()] == ["Deal D500 was rejected"]
    other = deal(engine, tenant, "buyer", "700")
    _act(engine, tenant, "buyer", "submit", other["id"])
    with pytest.raises(PermissionDenied) as caught:
        _act(engine, tenant, "boss", "recall", other["id"])
    assert caught.value.code == "recall_denied"
    state = _act(engine, tenant, "buyer", "recall", other["id"])
    assert (state["approval"]["status"], state["locked"]) == ("recalled", False)
    assert _status(engine, tenant, other["id"]) == "draft"
    with pytest.raises(ConflictError) as caught:
        _act(engine, tenant, "boss", "approve", other["id"])
    assert caught.value.code == "approval_already_decided"
    assert _act(engine, tenant, "buyer", "submit", other["id"])["approval"]["status"] == \
        "pending"  # submitted again after the recall
    assert _act(engine, tenant, "admin", "recall", other["id"])["approval"]["status"] == \
        "recalled"


def test_refusals(world):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "500")
    with pytest.raises(ConflictError) as caught:
        _act(engine, tenant, "boss", "approve", made["id"])
    assert caught.value.code == "approval_not_pending"
    zero = deal(engine, tenant, "buyer", "0")
    with pytest.raises(FlowRefused) as caught:
        _act(engine, tenant, "buyer", "submit", zero["id"])
    assert caught.value.code == "approval_entry_criteria_not_met"
    assert FLOW["entry_criteria"] in caught.value.message
    with pytest.raises(NotFoundError) as caught:
        _act(engine, tenant, "buyer", "submit", made["id"], process="nope")
    assert caught.value.code == "no_approval_process"
    inside = deal(engine, tenant, "rep", "500")  # no downstream enterprise: no dealer boss
    with pytest.raises(FlowRefused) as caught:
        _act(engine, tenant, "rep", "submit", inside["id"])
    assert caught.value.code == "approval_no_approver"
    _act(engine, tenant, "buyer", "submit", made["id"])
    with pytest.raises(ConflictError) as caught:
        _act(engine, tenant, "buyer", "submit", made["id"])
    assert caught.value.code == "approval_pending"
    for user in ("buyer", "pm"):
        with pytest.raises(PermissionDenied) as caught:
            _act(engine, tenant, user, "approve", made["id"])
        assert caught.value.code == "not_an_approver"
    for user in ("mgr", "stranger"):  # neither reads the deal nor decides it yet: not found
        with pytest.raises(NotFoundError) as caught:
            _act(engine, tenant, user, "approve", made["id"])
        assert caught.value.code == "record_not_found"
    with pytest.raises(NotFoundError), \
            engine.session(tenant, "stranger", readonly=True) as s:  # Dealer A's deal
        s.approval("Deal", made["id"])
    _act(engine, tenant, "boss", "approve", made["id"])
    with pytest.raises(ConflictError) as caught:
        _act(engine, tenant, "boss2", "approve", made["id"])
    assert caught.value.code == "approval_already_decided"


def test_a_pending_record_and_its_lines_are_locked_except_for_admins(world):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "5000", "10")
    _act(engine, tenant, "buyer", "submit", made["id"])
    line = made["line_ids"][0]
    attempts = [
        lambda s: s.update("Deal", made["id"], {"name": "x"}),
        lambda s: s.delete("Deal", made["id"]),
        lambda s: s.update("Line", line, {"name": "x"}),
        lambda s: s.delete("Line", line),
        lambda s: s.create("Line", {"name": "new", "amount": "1", "deal": made["id"]}),
    ]
    for user in ("buyer", "boss"):
        for attempt in attempts:
            with pytest.raises(ConflictError) as caught, engine.session(tenant, user) as s:
                attempt(s)
            assert caught.value.code == "record_locked"
    with engine.session(tenant) as s:  # an administrator
        assert s.update("Deal", made["id"], {"name": "by admin"})["name"] == "by admin"
        s.update("Line", line, {"name": "admin line"})
    _act(engine, tenant, "boss", "approve", made["id"])
    _act(engine, tenant, "pm", "approve", made["id"])
    _act(engine, tenant, "mgr", "approve", made["id"])
    for attempt in attempts:  # approved: still locked (lock.when_approved, the default)
        with pytest.raises(ConflictError) as caught, engine.session(tenant, "buyer") as s:
            attempt(s)
        assert (caught.value.code, "approved" in caught.value.message) == \
            ("record_locked", True)
    with engine.session(tenant) as s:  # an administrator still may
        assert s.update("Line", line, {"name": "admin after"})["name"] == "admin after"


def test_a_rejected_record_and_one_approved_without_the_final_lock_are_editable(
        engine, tenant):
    build(engine, tenant, {**FLOW, "lock": {"when_approved": False}})
    approved = deal(engine, tenant, "buyer", "5000", "10")
    rejected = deal(engine, tenant, "buyer", "5000", "10")
    for made in (approved, rejected):
        _act(engine, tenant, "buyer", "submit", made["id"])
        _act(engine, tenant, "boss", "approve", made["id"])
    _act(engine, tenant, "pm", "approve", approved["id"])
    state = _act(engine, tenant, "mgr", "approve", approved["id"])
    assert (state["locked"], state["approval"]["status"]) == (False, "approved")
    state = _act(engine, tenant, "pm", "reject", rejected["id"])
    assert (state["locked"], state["approval"]["status"]) == (False, "rejected")
    with engine.session(tenant, "buyer") as s:
        for made in (approved, rejected):
            line = made["line_ids"][0]
            assert s.update("Line", line, {"name": "after"})["name"] == "after"
            assert s.update("Deal", made["id"], {"name": "after"})["name"] == "after"


def test_approvers_may_edit_when_the_process_says_so(engine, tenant):
    build(engine, tenant, {**FLOW, "lock": {"details": False, "approvers_may_edit": True}})
    made = deal(engine, tenant, "buyer", "500", "10")
    _act(engine, tenant, "buyer", "submit", made["id"])
    with engine.session(tenant, "boss") as s:
        assert s.update("Deal", made["id"], {"name": "boss edit"})["name"] == "boss edit"
    with pytest.raises(ConflictError), engine.session(tenant, "buyer") as s:
        s.update("Deal", made["id"], {"name": "x"})
    with engine.session(tenant, "buyer") as s:  # details not locked
        s.update("Line", made["line_ids"][0], {"name": "free"})


def test_two_approvers_at_once_one_wins(world, engine):
    _, tenant = world
    made = deal(engine, tenant, "buyer", "500")
    _act(engine, tenant, "buyer", "submit", made["id"])
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def approve(user: str) -> None:
        barrier.wait()
        try:
            results[user] = _act(engine, tenant, user, "approve", made["id"])["approval"]
        except ConflictError as exc:
            results[user] = exc.code

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("boss", "boss2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(str(r) if isinstance(r, str) else r["status"] for r in results.values())
    assert outcomes == ["approval_already_decided", "approved"]
    with engine.session(tenant, readonly=True) as s:
        state = s.approval("Deal", made["id"])
    assert [h["action"] for h in state["history"]] == ["submit", "approve"]
    assert sorted(a["state"] for a in state["approval"]["approvers"]) == ["approved", "skipped"]


def _snapshot(engine, tenant):
    with engine.session(tenant, readonly=True) as s:
        tables = tables_of(s._conn, tenant)
        return {name: sorted(map(tuple, s._conn.execute(sa.select(getattr(tables, name)))))
                for name in ("approvals", "approval_items", "approval_history",
                             "notifications", "changes")} | {
            "deals": sorted(map(tuple, (r.items() for r in s.query("Deal").records)))}


@pytest.mark.parametrize("failing", ["items", "approval", "field_updates", "history",
                                     "notifications", "outbox"])
def test_a_failure_after_any_step_of_approve_changes_nothing(world, monkeypatch, failing):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "500")
    _act(engine, tenant, "buyer", "submit", made["id"])
    before = _snapshot(engine, tenant)

    def fail(name: str) -> None:
        if name == failing:
            raise RuntimeError(f"injected after {name}")

    monkeypatch.setattr(run, "after_step", fail)
    with pytest.raises(RuntimeError):
        _act(engine, tenant, "boss", "approve", made["id"])
    assert _snapshot(engine, tenant) == before
    monkeypatch.undo()
    assert _act(engine, tenant, "boss", "approve", made["id"])["approval"]["status"] == \
        "approved"
    assert _snapshot(engine, tenant) != before


def test_the_approval_of_a_record_one_may_not_read_or_that_does_not_exist_is_not_found(world):
    engine, tenant = world
    made = deal(engine, tenant, "buyer", "500")
    _act(engine, tenant, "buyer", "submit", made["id"])
    missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    for user, record_id in (("admin", missing), ("buyer", missing), ("stranger", made["id"])):
        for method in ("approval", "submit_for_approval"):
            with pytest.raises(NotFoundError) as caught, engine.session(tenant, user) as s:
                getattr(s, method)("Deal", record_id)
            assert caught.value.code == "record_not_found"
