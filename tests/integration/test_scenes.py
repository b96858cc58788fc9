"""Scenes (场景) through the Python API, on both databases: the built-in ones for each kind
of reader, declared ones (``$User`` filters, ``visible_to``), personal ones, and the one
answer for a scene that is missing or not allowed."""

from __future__ import annotations

import pytest

from hulian.engine import (
    ConflictError,
    HulianError,
    NotFoundError,
    PermissionDenied,
    QueryError,
)
from hulian.formula import FormulaError
from tests.integration.scene_world import build, titles

BUILT_IN = {
    "rep1": {"all": {"d1", "d2", "d4"}, "mine": {"d1", "d2"}, "in_my_team": {"d4"},
             "my_subordinates": set()},
    "lead": {"all": {"d1", "d2", "d3", "d5"}, "mine": {"d5"}, "in_my_team": set(),
             "my_subordinates": {"d1", "d2", "d3"}},
    "buyer": {"all": {"d1", "d6"}, "mine": {"d6"}, "in_my_team": {"d1"},
              "my_subordinates": set()},
    "admin": {"all": {f"d{i}" for i in range(1, 8)}, "mine": set(), "in_my_team": set(),
              "my_subordinates": {"d4", "d6", "d7"}},
}


@pytest.fixture
def world(engine, tenant):
    return engine, tenant, build(engine, tenant)


def listed(engine, tenant, user, scene, **kwargs):
    with engine.session(tenant, user, readonly=True) as s:
        return titles(s.query("Deal", scene=scene, limit=100, **kwargs))


@pytest.mark.parametrize("user", sorted(BUILT_IN))
def test_built_in_scenes_list_exactly_their_records(world, user):
    """Internal user, department leader (not their own records), interconnect user (out
    owner, external team), administrator (leads a department too)."""
    engine, tenant, _ = world
    for scene, expected in BUILT_IN[user].items():
        assert listed(engine, tenant, user, scene) == expected, scene
        with engine.session(tenant, user, readonly=True) as s:
            assert s.count("Deal", scene=scene) == len(expected), scene


def test_in_my_team_of_a_detail_follows_its_masters_team(world):
    engine, tenant, _ = world
    for user, expected in (("buyer", {"d1/1"}), ("rep1", {"d4/1"}), ("lead", set())):
        with engine.session(tenant, user) as s:
            assert {r["label"] for r in s.query("DealLine", scene="in_my_team")} == expected


def test_built_in_scenes_have_labels_in_both_languages(world):
    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s:
        found = {x["api_name"]: x for x in s.scenes("Deal")}
    assert found["all"]["label"] == {"zh": "全部", "en": "All"}
    assert found["mine"]["label"]["zh"] == "我负责的"
    assert found["in_my_team"]["label"]["zh"] == "我参与的"
    assert found["my_subordinates"]["label"]["zh"] == "我下属负责的"
    assert found["all"]["default"] is True and found["all"]["kind"] == "built_in"


def test_declared_scenes_apply_their_filter_with_the_readers_user(world):
    engine, tenant, _ = world
    assert listed(engine, tenant, "rep1", "my_open") == {"d1"}       # owner_id = $User.id
    assert listed(engine, tenant, "rep2", "my_open") == {"d3"}
    assert listed(engine, tenant, "lead", "big_deals") == {"d1", "d3"}
    assert listed(engine, tenant, "buyer", "big_deals") == {"d1"}    # and visibility
    assert listed(engine, tenant, "buyer", "new_for_dealers") == {"d1", "d6"}


def test_a_scenes_sort_is_the_default_order(world):
    engine, tenant, _ = world
    with engine.session(tenant, "lead") as s:
        assert [r["title"] for r in s.query("Deal", scene="big_deals")] == ["d3", "d1"]
        assert [r["title"] for r in s.query("Deal", scene="big_deals",
                                            order_by="amount")] == ["d1", "d3"]
        first = s.query("Deal", scene="cheap", limit=1)
        assert [r["title"] for r in first] == ["d5"]
        assert [r["title"] for r in s.query("Deal", scene="cheap", after=first.next)] == ["d2"]


@pytest.mark.parametrize(("user", "usable"), [
    ("rep1", {"big_deals", "cheap", "my_open"}),
    ("buyer", {"big_deals", "cheap", "dealer_role", "new_for_dealers"}),
    ("admin", {"big_deals", "cheap", "dealer_role", "directors", "my_open",
               "new_for_dealers"}),
])
def test_visible_to_decides_who_may_use_a_declared_scene(world, user, usable):
    engine, tenant, _ = world
    with engine.session(tenant, user) as s:
        found = [x["api_name"] for x in s.scenes("Deal")]
    assert found[:4] == ["all", "mine", "in_my_team", "my_subordinates"]
    assert set(found[4:]) == usable


def test_a_filter_on_a_hidden_field_applies_but_is_not_shown(world):
    engine, tenant, _ = world
    with engine.session(tenant, "buyer") as s:
        cheap = s.scene("Deal", "cheap")
        assert cheap["filter"] is None and cheap["columns"] == ["title"]
        assert cheap["sort"] == []
    with engine.session(tenant, "rep1") as s:
        assert s.scene("Deal", "cheap")["filter"] == "cost < 50"
    assert listed(engine, tenant, "buyer", "cheap") == set()   # d1 costs 600.25, d6 nothing
    assert listed(engine, tenant, "rep1", "cheap") == {"d2", "d4"}


@pytest.mark.parametrize(("user", "scene"), [
    ("rep1", "nope"), ("rep1", "directors"), ("rep1", "new_for_dealers"), ("rep1", "dealer_role"),
    ("buyer", "my_open"), ("buyer", "directors"), ("rep1", ""), ("rep1", "ALL")])
def test_a_missing_scene_and_one_not_allowed_answer_the_same(world, user, scene):
    engine, tenant, _ = world
    with engine.session(tenant, user) as s:
        for call in (lambda: s.query("Deal", scene=scene), lambda: s.count("Deal", scene=scene),
                     lambda: s.scene("Deal", scene),
                     lambda: s.aggregate("Deal", "COUNT", scene=scene)):
            with pytest.raises(NotFoundError) as caught:
                call()
            assert caught.value.code == "unknown_scene"
            assert caught.value.message == f"Deal has no scene {scene!r}"
            usable = ", ".join(x["api_name"] for x in s.scenes("Deal"))
            assert caught.value.hint.endswith(f"the scenes of Deal you may use: {usable}")


def test_a_scene_of_an_unreadable_object_does_not_exist(world):
    engine, tenant, _ = world
    with engine.session(tenant, "buyer") as s, pytest.raises(NotFoundError) as caught:
        s.query("Memo", scene="all")
    assert caught.value.code == "unknown_object"


def test_a_scene_combines_with_where_and_filter(world):
    engine, tenant, _ = world
    assert listed(engine, tenant, "lead", "my_subordinates",
                  where={"stage": "new"}) == {"d1", "d3"}
    assert listed(engine, tenant, "lead", "my_subordinates", where={"stage": "new"},
                  filter="amount > 2000") == {"d3"}
    assert listed(engine, tenant, "rep1", "mine", where={"title": "d4"}) == set()
    with engine.session(tenant, "lead") as s:
        assert s.count("Deal", {"stage": "won"}, scene="my_subordinates") == 1


def test_personal_scenes_are_saved_listed_with_counts_used_and_deleted(world):
    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s:
        saved = s.save_scene("Deal", "pricey", label="Pricey", filter="amount > 50",
                             columns=["title", "amount"], sort="-amount")
        assert saved == {"api_name": "pricey", "kind": "personal",
                         "label": {"zh": "Pricey", "en": "Pricey"}, "filter": "amount > 50",
                         "columns": ["title", "amount"], "sort": ["-amount"],
                         "default": False}
    with engine.session(tenant, "rep1", readonly=True) as s:
        counts = {x["api_name"]: x["count"] for x in s.scenes("Deal", counts=True)}
        assert counts == {"all": 3, "mine": 2, "in_my_team": 1, "my_subordinates": 0,
                          "big_deals": 1, "cheap": 2, "my_open": 1, "pricey": 2}
        assert [r["title"] for r in s.query("Deal", scene="pricey")] == ["d1", "d2"]
        assert titles(s.query("Deal", {"stage": "won"}, scene="pricey")) == {"d2"}
    with engine.session(tenant, "rep2") as s:  # another user's scene is not theirs
        with pytest.raises(NotFoundError):
            s.query("Deal", scene="pricey")
        s.save_scene("Deal", "pricey", label={"zh": "贵的", "en": "Pricey"},
                     filter="amount > 10000")
        assert s.count("Deal", scene="pricey") == 0
    with engine.session(tenant, "rep1") as s:
        s.save_scene("Deal", "pricey", label="Pricier", filter="amount > 1000")
        assert s.count("Deal", scene="pricey") == 1
        s.delete_scene("Deal", "pricey")
        with pytest.raises(NotFoundError) as caught:
            s.delete_scene("Deal", "pricey")
        assert caught.value.code == "unknown_scene"
    with engine.session(tenant, "rep2") as s:
        assert s.scene("Deal", "pricey")["label"] == {"zh": "贵的", "en": "Pricey"}


def test_a_personal_filter_sees_only_what_the_user_may_see(world):
    engine, tenant, _ = world
    with engine.session(tenant, "buyer") as s:
        with pytest.raises(FormulaError) as caught:
            s.save_scene("Deal", "costly", label="Costly", filter="cost > 10")
        assert caught.value.code == "formula.unknown_field"
        assert "cost" not in (caught.value.hint or "")
        with pytest.raises(FormulaError) as caught:
            s.save_scene("Deal", "typo", label="Typo", filter="amount + 1")
        assert caught.value.code.startswith("formula.")
        assert caught.value.details()[0]["excerpt"]
        for bad in ({"columns": ["cost"]}, {"sort": ["-margin"]}):
            with pytest.raises(QueryError) as caught:
                s.save_scene("Deal", "x", label="X", **bad)
            assert caught.value.code == "unknown_field"
        assert [x["api_name"] for x in s.scenes("Deal") if x["kind"] == "personal"] == []


@pytest.mark.parametrize("name", ["all", "mine", "big_deals", "my_open"])
def test_a_personal_scene_cannot_take_a_shared_scenes_name(world, name):
    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s, pytest.raises(ConflictError) as caught:
        s.save_scene("Deal", name, label="Mine too")
    assert caught.value.code == "scene_exists"


def test_a_name_the_user_may_not_use_is_free_for_them(world):
    """``directors`` exists, but not for rep1: their own scene of that name is theirs."""
    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s:
        s.save_scene("Deal", "directors", label="Mine", filter="ISPICKVAL(stage, 'won')")
        assert titles(s.query("Deal", scene="directors")) == {"d2"}
    with engine.session(tenant, "rep1") as s:
        s.save_scene("Deal", "again", label="Again")
        with pytest.raises(ConflictError) as caught:
            s.save_scene("Deal", "again", label="Again", replace=False)
        assert caught.value.code == "scene_exists"
    engine.people(tenant).grant_roles("rep1", ["director"])   # the declared one now wins
    with engine.session(tenant, "rep1") as s:
        found = [(x["api_name"], x["kind"]) for x in s.scenes("Deal")]
        assert ("directors", "declared") in found and ("directors", "personal") not in found
        assert titles(s.query("Deal", scene="directors")) == {"d1", "d2", "d4"}
        s.delete_scene("Deal", "directors")                    # the personal one goes
        with pytest.raises(PermissionDenied):
            s.delete_scene("Deal", "directors")


@pytest.mark.parametrize(("changes", "key"), [
    ({"api_name": "Bad Name"}, "api_name"), ({"api_name": "x" * 65}, "api_name"),
    ({"label": ""}, "label"), ({"label": {"en": "only"}}, "label"),
    ({"label": {"zh": "a", "en": "b", "english": "c"}}, "label"),
    ({"label": "x" * 201}, "label"), ({"label": "nul\x00"}, "label"), ({"label": 5}, "label"),
    ({"columns": ["title", "title"]}, "columns"), ({"columns": ["-title"]}, "columns"),
    ({"columns": [5]}, "columns"), ({"sort": ["title", "title"]}, "sort"),
    ({"filter": "x" * 10_001}, "filter"),
])
def test_bad_personal_scenes_are_refused(world, changes, key):
    engine, tenant, _ = world
    scene = {"api_name": "fine", "label": "Fine", **changes}
    with engine.session(tenant, "rep1") as s:
        with pytest.raises(QueryError) as caught:
            s.save_scene("Deal", scene.pop("api_name"), **scene)
        assert (caught.value.code, caught.value.field) == ("invalid_scene", key)
        assert [x for x in s.scenes("Deal") if x["kind"] == "personal"] == []


def test_only_personal_scenes_can_be_deleted(world):
    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s:
        for name in ("mine", "big_deals"):
            with pytest.raises(PermissionDenied) as caught:
                s.delete_scene("Deal", name)
            assert caught.value.code == "scene_not_personal"
        with pytest.raises(NotFoundError) as caught:   # exists, but not for rep1
            s.delete_scene("Deal", "directors")
        assert caught.value.code == "unknown_scene"


def test_a_personal_filter_broken_by_a_later_change_is_reported_where_it_is_used(world):
    """A field hidden from the user after they saved a scene: the scene stays listed (its
    count None) and using it says what is wrong."""
    engine, tenant, _ = world
    with engine.session(tenant, "buyer") as s:
        s.save_scene("Deal", "stale", label="Stale", filter="ISPICKVAL(stage, 'new')")
    from tests.integration.scene_world import pack_documents
    from tests.packs import pack_of

    docs = pack_documents()
    docs["roles/dealer.json"]["objects"]["Deal"]["fields"]["stage"] = "hidden"
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant, "buyer") as s:
        counts = {x["api_name"]: x["count"] for x in s.scenes("Deal", counts=True)}
        assert counts["stale"] is None and counts["mine"] == 1
        with pytest.raises(FormulaError) as caught:
            s.query("Deal", scene="stale")
        assert caught.value.code == "formula.unknown_field"
        s.delete_scene("Deal", "stale")


def test_personal_scenes_need_a_session_that_writes(world):
    engine, tenant, _ = world
    with engine.session(tenant, "rep1", readonly=True) as s:
        with pytest.raises(HulianError) as caught:
            s.save_scene("Deal", "fine", label="Fine")
        assert caught.value.code == "read_only_session"


def test_every_scenes_count_comes_from_one_statement(world):
    """The scene picker's counts: one statement however many scenes, each count what
    :meth:`Session.count` of that scene says."""
    from tests.integration.test_deploy import statements

    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s:
        s.save_scene("Deal", "pricey", label="Pricey", filter="amount > 50")
    with engine.session(tenant, "rep1", readonly=True) as s:
        with statements(engine) as seen:
            found = s.scenes("Deal", counts=True)
        assert len([q for q in seen if "count(" in q.lower()]) == 1, seen
        assert len(found) == 8
        assert {x["api_name"]: x["count"] for x in found} == {
            x["api_name"]: s.count("Deal", scene=x["api_name"]) for x in found}


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_counts_up_to_a_limit_say_whether_there_are_more(world, limit):
    """``count_limit``: each count stops there (a list page's "99+"); below it the counts
    are exact, and a stale personal scene is still None."""
    engine, tenant, _ = world
    with engine.session(tenant, "rep1") as s:
        s.save_scene("Deal", "pricey", label="Pricey", filter="amount > 50")
    with engine.session(tenant, "rep1", readonly=True) as s:
        exact = {x["api_name"]: x["count"] for x in s.scenes("Deal", counts=True)}
        capped = s.scenes("Deal", counts=True, count_limit=limit)
        assert {x["api_name"]: (x["count"], x["count_more"]) for x in capped} == {
            name: (min(count, limit), count > limit) for name, count in exact.items()}
        with pytest.raises(QueryError) as caught:
            s.scenes("Deal", counts=True, count_limit=0)
        assert caught.value.code == "invalid_parameter"
