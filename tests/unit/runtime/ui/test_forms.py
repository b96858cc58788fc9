from __future__ import annotations

import pytest

from hulian.runtime.ui.channel import channel_from_agent
from hulian.runtime.ui.forms import safe_next
from hulian.runtime.ui.login_pages import portal_hosts


@pytest.mark.parametrize(("value", "expected"), [
    ("/app/o/Order?scene=mine", "/app/o/Order?scene=mine"),
    ("/", "/"),
    (None, "/app"),
    ("", "/app"),
    ("app", "/app"),
    ("https://evil.example/", "/app"),
    ("//evil.example/", "/app"),
    ("/\\evil.example", "/app"),
    ("/app\r\nSet-Cookie: x=1", "/app"),
    ("javascript:alert(1)", "/app"),
])
def test_next_is_a_path_of_this_site_or_the_shell(value, expected):
    assert safe_next(value) == expected


@pytest.mark.parametrize(("agent", "expected"), [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", "mobile"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8)", "mobile"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120", "web"),
    ("", "web"),
])
def test_the_channel_follows_the_user_agent(agent, expected):
    assert channel_from_agent(agent) == expected


def test_portal_hosts_are_read_from_configuration():
    assert portal_hosts("a.example=acme, B.example:8443 = globex,broken,=x,y=") == {
        "a.example": "acme", "b.example:8443": "globex"}
    assert portal_hosts("") == {}
