"""Memo: values built once and shared between threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from hulian.engine.memo import Memo


def test_a_value_is_built_once_and_then_shared():
    memo = Memo()
    built = []
    first = memo.get("k", lambda: built.append(1) or object())
    assert memo.get("k", lambda: built.append(1) or object()) is first
    assert built == [1] and "k" in memo and len(memo) == 1


def test_threads_that_miss_together_go_on_with_one_value():
    memo = Memo()
    start = threading.Barrier(16)

    def build() -> object:
        return object()

    def get(_: int) -> object:
        start.wait()
        return memo.get("shared", build)

    with ThreadPoolExecutor(16) as pool:
        values = list(pool.map(get, range(16)))
    assert len({id(v) for v in values}) == 1


def test_a_size_bounds_what_is_kept_not_what_is_answered():
    memo = Memo(size=2)
    assert [memo.get(k, lambda k=k: k * 10) for k in range(5)] == [0, 10, 20, 30, 40]
    assert len(memo) == 2 and 0 in memo and 4 not in memo
    assert memo.get(0, lambda: "rebuilt") == 0


def test_a_failed_build_keeps_nothing():
    memo = Memo()

    def fail() -> object:
        raise ValueError("no")

    with pytest.raises(ValueError):
        memo.get("k", fail)
    assert "k" not in memo and memo.get("k", lambda: 1) == 1


def test_statements_kept_per_table_go_with_a_dropped_tenants_tables():
    """A tenant the engine no longer keeps is not kept alive by the statement caches of
    the outbox, approvals and notifications (an lru_cache keyed on its tables did)."""
    import gc
    import weakref

    from hulian.engine.approvals import store
    from hulian.engine.changes import outbox
    from hulian.engine.notifications import _active_query
    from hulian.engine.system import tenant_tables as kept

    tables = kept.tenant_tables("sqlite", "memo_dropped_tenant")
    first = outbox._bump_statement(tables.sequences, "sqlite")
    assert outbox._bump_statement(tables.sequences, "sqlite") is first, "built once"
    store._latest_query(tables.approvals)
    _active_query(tables.users)
    gone = weakref.ref(tables.sequences)
    with kept._lock:
        del kept._built[("sqlite", "memo_dropped_tenant")]
    del tables, first
    gc.collect()
    assert gone() is None
