"""Cursors of lists ordered by a moment and an id (recycle bin, activities): a client can
hand one back, never forge, alter or move one to another list."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hulian.engine.errors import QueryError
from hulian.engine.records import time_cursors
from hulian.engine.records.cursors import CursorSigner

SIGNER = CursorSigner("a secret of the installation")
SCOPE = ("acme", "Order#recycle-bin")
MOMENTS = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                       timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]))


@given(at=MOMENTS, last_id=st.text(max_size=26))
def test_a_cursor_gives_back_its_moment_and_id(at, last_id):
    cursor = time_cursors.encode(SIGNER, SCOPE, at, last_id)
    assert time_cursors.decode(SIGNER, SCOPE, cursor) == (at, last_id)


@pytest.mark.parametrize("scope", [("beta", "Order#recycle-bin"), ("acme", "Line#recycle-bin"),
                                   ("acme", "Order#activities:01ABC")])
def test_a_cursor_of_another_list_is_refused(scope):
    cursor = time_cursors.encode(SIGNER, SCOPE, dt.datetime.now(dt.UTC), "01ABC")
    with pytest.raises(QueryError) as refused:
        time_cursors.decode(SIGNER, scope, cursor)
    assert (refused.value.code, refused.value.parameter) == ("invalid_cursor", "after")


@pytest.mark.parametrize("cursor", ["", "x", "a.b", "." * 2000, 5, None,
                                    CursorSigner("another").sign(SCOPE, b'["2024", "x"]'),
                                    SIGNER.sign(SCOPE, b'["not a time", "x"]'),
                                    SIGNER.sign(SCOPE, b'["2024-03-31T01:30:00", "x"]'),
                                    SIGNER.sign(SCOPE, b'["2024-03-31T01:30:00+00:00", 3]'),
                                    SIGNER.sign(SCOPE, b'{"at": 1}')])
def test_anything_else_is_refused(cursor):
    with pytest.raises(QueryError) as refused:
        time_cursors.decode(SIGNER, SCOPE, cursor)
    assert refused.value.code == "invalid_cursor"
