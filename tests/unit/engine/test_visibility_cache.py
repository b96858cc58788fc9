"""The permission cache: one read per (tenant, people version, schema, user), bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hulian.engine.schema.compiled import compile_schema
from hulian.engine.security import cache as cache_module
from hulian.engine.security.cache import VisibilityCache
from hulian.engine.system.people import User
from tests.packs import field, obj, pack

SCHEMA = compile_schema(pack(obj("Order", field("name", "text"))), "acme", "sqlite", 1)
ADMIN = User("u1", "acme", "admin", "Admin", True)


@pytest.fixture
def reads(monkeypatch):
    """The reads (Visibility.of) the cache makes; the user is an admin, whose visibility
    needs only their roles, answered here without a database."""
    made: list[tuple[str, int]] = []
    real = cache_module.Visibility.of.__func__

    def counted(cls, conn, schema, user):
        made.append((user.id, schema.version))
        return real(cls, conn, schema, user)

    monkeypatch.setattr(cache_module.Visibility, "of", classmethod(counted))
    monkeypatch.setattr("hulian.engine.security.visibility.roles.roles_of",
                        lambda conn, tenant, user_id: frozenset({"admin"}))
    return made


def test_a_hit_reads_nothing(reads):
    cache = VisibilityCache()
    first = cache.get(None, SCHEMA, ADMIN, 7)
    assert cache.get(None, SCHEMA, ADMIN, 7) is first
    assert reads == [("u1", 1)] and (cache.hits, cache.misses) == (1, 1)


def test_a_new_people_version_schema_or_user_row_reads_again(reads):
    cache = VisibilityCache()
    cache.get(None, SCHEMA, ADMIN, 7)
    cache.get(None, SCHEMA, ADMIN, 8)                                  # people changed
    cache.get(None, replace(SCHEMA, version=2), ADMIN, 8)               # a deploy
    cache.get(None, SCHEMA, replace(ADMIN, department_id="d1"), 8)      # the user moved
    cache.get(None, replace(SCHEMA), ADMIN, 8)   # same version, recompiled: not the same schema
    assert len(reads) == 5 and cache.hits == 0


def test_the_least_recently_used_entry_goes_first(reads):
    cache = VisibilityCache(size=2)
    a, b, c = (replace(ADMIN, id=i, username=i) for i in ("a", "b", "c"))
    cache.get(None, SCHEMA, a, 1)
    cache.get(None, SCHEMA, b, 1)
    cache.get(None, SCHEMA, a, 1)          # a is now the most recent
    cache.get(None, SCHEMA, c, 1)          # evicts b
    cache.get(None, SCHEMA, a, 1)
    cache.get(None, SCHEMA, b, 1)
    assert [user for user, _ in reads] == ["a", "b", "c", "b"]
