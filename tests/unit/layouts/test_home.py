"""Which home view a user gets (layouts/home.py ``resolve``): a view of the channel naming
one of their roles, the first by api_name; else the channel's default; mobile falls back
to web; else none."""

from __future__ import annotations

from hulian.layouts.home import resolve
from hulian.metadata.kinds.home_views import HomeView


def view(name: str, channel: str = "web", roles: tuple[str, ...] = (),
         default: bool = False) -> HomeView:
    return HomeView(name, f"home/{name}.json", channel=channel, roles=roles, default=default)


VIEWS = [view("z_rep", roles=("rep",)), view("a_boss", roles=("boss",)),
         view("web_default", default=True), view("m_dealer", "mobile", ("dealer",)),
         view("m_default", "mobile", default=True)]


def names(roles: tuple[str, ...], channel: str, views=VIEWS) -> str | None:
    found = resolve(views, roles, channel)
    return found.api_name if found is not None else None


def test_a_view_naming_one_of_the_users_roles_wins_the_first_by_api_name():
    assert names(("rep",), "web") == "z_rep"
    assert names(("rep", "boss"), "web") == "a_boss"
    assert names(("dealer",), "mobile") == "m_dealer"


def test_else_the_channels_default():
    assert names(("dealer",), "web") == "web_default"
    assert names(("rep",), "mobile") == "m_default"
    assert names((), "web") == "web_default"


def test_mobile_falls_back_to_web_and_then_there_is_none():
    without_mobile = [v for v in VIEWS if v.channel == "web"]
    assert names(("rep",), "mobile", without_mobile) == "z_rep"
    assert names(("nobody",), "mobile", without_mobile) == "web_default"
    only_roles = [v for v in VIEWS if not v.default]
    assert names(("nobody",), "mobile", only_roles) is None
    assert names(("dealer",), "web", only_roles) is None
