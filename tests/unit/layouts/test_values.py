import datetime as dt

from hulian.layouts.values import display, time_zone

MOMENT = dt.datetime(2024, 7, 1, 9, 30, tzinfo=dt.UTC)
DATETIME = {"type": "datetime"}


def test_moments_are_shown_in_the_users_zone_with_its_offset():
    assert display(MOMENT, DATETIME, "en") == "2024-07-01 09:30 UTC"
    assert display(MOMENT, DATETIME, "en", zone=time_zone("Asia/Shanghai")) == \
        "2024-07-01 17:30 UTC+08:00"
    assert display(MOMENT, DATETIME, "en", zone=time_zone("America/New_York")) == \
        "2024-07-01 05:30 UTC-04:00"  # summer time
    assert display(MOMENT, DATETIME, "en", zone=time_zone("Europe/London")) == \
        "2024-07-01 10:30 UTC+01:00"


def test_an_unknown_or_odd_zone_is_utc():
    for name in (None, "", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "x" * 100):
        assert time_zone(name) is dt.UTC


def test_a_moment_given_as_iso_text_is_shown_like_a_moment():
    """The history shows a date-time field's old and new values from the record's changes,
    where they are ISO 8601 text."""
    shanghai = time_zone("Asia/Shanghai")
    assert display("2024-07-01T09:30:00+00:00", DATETIME, "en", zone=shanghai) == \
        "2024-07-01 17:30 UTC+08:00"
    assert display("not a moment", DATETIME, "en") == "not a moment"
