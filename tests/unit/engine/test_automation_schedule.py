"""When a scheduled action is due (hulian.engine.automations.schedule.due_at), and a
record's formula environment as a new record's (as_new)."""

from __future__ import annotations

import datetime as dt

import pytest

from hulian.engine.automations.compiled import Scheduled
from hulian.engine.automations.schedule import as_new, due_at


def entry(days: int) -> Scheduled:
    return Scheduled("remind", "due", days, (), date_only=True)


@pytest.mark.parametrize("value, days, expected", [
    (dt.date(2030, 1, 10), -3, dt.datetime(2030, 1, 7, tzinfo=dt.UTC)),
    (dt.date(2030, 1, 10), 0, dt.datetime(2030, 1, 10, tzinfo=dt.UTC)),
    (dt.datetime(2030, 1, 10, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), 2,
     dt.datetime(2030, 1, 12, 7, 30, tzinfo=dt.UTC)),
    (dt.datetime(2030, 1, 10, 15, 30), 1, dt.datetime(2030, 1, 11, 15, 30, tzinfo=dt.UTC)),
    (None, 5, None),
    ("2030-01-10", 0, None),
])
def test_due_at(value, days, expected):
    assert due_at(entry(days), value) == expected


def test_as_new_forgets_the_prior_record():
    env = {("amount",): 5, ("$IsNew",): False, ("$Prior", "amount"): 3}
    assert as_new(env) == {("amount",): 5, ("$IsNew",): True}
    assert env[("$IsNew",)] is False  # a copy
