"""Values built once and shared between threads: compiled statements, plans, predicates.

>>> memo = Memo()
>>> memo.get(("page", "Order"), lambda: "built")
'built'

:meth:`Memo.get` reads without a lock (a dict look-up is atomic in CPython); on a miss it
builds outside the lock and keeps the first value stored under the key, so two threads
that miss together build twice at worst but always go on with the same value. With a
``size``, at most that many keys are kept; past that, values are built and not kept (a
bound for caches whose keys come from requests).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa

__all__ = ["Memo", "per_table"]

T = TypeVar("T")


class Memo:
    def __init__(self, size: int | None = None):
        self.size = size
        self._items: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        try:
            return self._items[key]
        except KeyError:
            pass
        value = build()
        with self._lock:
            if self.size is None or len(self._items) < self.size or key in self._items:
                return self._items.setdefault(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items


def per_table(build: Callable[..., T]) -> Callable[..., T]:
    """``build(table, *args)`` (a statement over one tenant's table) kept in the table's
    own ``info``: it lives as long as the table and goes with it. A module-level cache
    keyed on tables (``lru_cache``) would keep the tables of tenants the engine has
    dropped (:data:`hulian.engine.system.tenant_tables.KEPT`) alive, with their whole
    metadata."""
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def cached(table: sa.Table, *args: Hashable) -> T:
        key = ("hulian.memo", name, args)
        try:
            found: T = table.info[key]
        except KeyError:
            found = table.info.setdefault(key, build(table, *args))
        return found

    return cached
