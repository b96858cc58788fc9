"""The permission matrix of issue 6 through the REST API, on both databases.

Every internal level and every external level, times every kind of actor, asserting what
each actor reads (``GET`` a record: 200, or 404 ``record_not_found`` exactly like an id
that never existed; the list) and edits (``PATCH``: 200, 403 ``edit_denied`` or 404).

People (department leaders in brackets)::

    Company [grand]
    ├── Sales [lead]     owner
    ├── Channel          pm (partner manager of Dealer A), pm_b (of Dealer B)
    └── Support          team_r, team_e, unrelated
    Dealer A             a_owner, a_mate              interconnect, role ``dealer``
    Dealer B             b_user, b_team_r, b_team_e   interconnect, role ``dealer``

Every object of ``OBJECTS`` (one per pair of levels, so each internal and each external
level appears, never paired with its namesake) has four records, each created by the
person it is named after: ``owner`` (internal), ``a_owner``, ``a_mate`` (Dealer A) and
``b_user`` (Dealer B). The records of ``owner`` and ``a_owner`` have a
related team: ``team_r`` and ``b_team_r`` read, ``team_e`` and ``b_team_e`` edit. Each
record of the objects in ``DETAILED`` has one detail line (``<Object>Line``).

The read-only levels (internal ``company_read``, external ``company_read`` and
``public_read``) edit as ``private`` does: one's own records and those of an edit team.

The world is built once per database (module scope); each test reads it, and its edits
change only ``note``, which no rule looks at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hulian.engine import Engine
from tests.integration.test_rest_support import Api, body, error
from tests.packs import documents, field, label, obj, pack_of

OBJECTS = {
    "Alpha": ("private", "company_read_write"),
    "Bravo": ("company_read", "private"),
    "Charlie": ("company_read_write", "company_read"),
    "Delta": ("private", "public_read"),
    "Echo": ("company_read", "public_read_write"),
    "Plain": (None, None),  # no data_permission: company_read_write inside, private outside
}
"""Object -> (internal level, external level); None: the key is left out."""
DETAILED = ("Bravo", "Charlie", "Delta")
"""The objects with a detail object (``<Object>Line``): every internal level, three
external ones (details follow their master whatever its level; each request costs)."""
DEFAULTS = ("company_read_write", "private")
INTERNAL = ("owner", "lead", "grand", "pm", "team_r", "team_e", "unrelated", "admin")
EXTERNAL = ("a_owner", "a_mate", "b_user", "b_team_r", "b_team_e")
ACTORS = INTERNAL + EXTERNAL
RECORDS = ("owner", "a_owner", "a_mate", "b_user")
"""Each object's records, by the name of whoever created them (their ``name`` too)."""
EVERY = frozenset(RECORDS)
TEAMED = frozenset({"owner", "a_owner"})
DEALER_A = frozenset({"a_owner", "a_mate"})
DEALER_B = frozenset({"b_user"})
MISSING = "01ABCDEFGHJKMNPQRSTVWXYZ00"
"""A well-formed id no record has."""

PRIVATE_INTERNAL = {
    # actor: (reads, edits) at internal level ``private``
    "owner": ({"owner"}, {"owner"}),
    "lead": ({"owner"}, {"owner"}),  # leads Sales
    "grand": (EVERY, EVERY),  # leads Company: Sales, and Channel (the partner managers)
    "pm": (DEALER_A, DEALER_A),  # owns upstream what Dealer A's people create
    "team_r": (TEAMED, set()),
    "team_e": (TEAMED, TEAMED),
    "unrelated": (set(), set()),
    "admin": (EVERY, EVERY),
}
PRIVATE_EXTERNAL = {
    # actor: (reads, edits) at external level ``private``: their own, and their teams
    "a_owner": ({"a_owner"}, {"a_owner"}),
    "a_mate": ({"a_mate"}, {"a_mate"}),
    "b_user": ({"b_user"}, {"b_user"}),
    "b_team_r": (TEAMED, set()),
    "b_team_e": (TEAMED, TEAMED),
}
ENTERPRISE = {"a_owner": DEALER_A, "a_mate": DEALER_A, "b_user": DEALER_B,
              "b_team_r": DEALER_B, "b_team_e": DEALER_B}


def allowed(levels: tuple[str | None, str | None], actor: str
            ) -> tuple[frozenset[str], frozenset[str]]:
    """(the records ``actor`` reads, the records they edit) in an object with ``levels``."""
    internal, external = levels[0] or DEFAULTS[0], levels[1] or DEFAULTS[1]
    if actor in PRIVATE_INTERNAL:
        reads, edits = PRIVATE_INTERNAL[actor]
        if internal == "company_read_write":
            reads = edits = EVERY
        elif internal == "company_read":
            reads = EVERY
        return frozenset(reads), frozenset(edits)
    reads, edits = PRIVATE_EXTERNAL[actor]
    company = ENTERPRISE[actor]
    reads = {
        "private": reads,
        "company_read": reads | company, "company_read_write": reads | company,
        "public_read": EVERY, "public_read_write": EVERY,
    }[external]
    edits = {
        "private": edits, "company_read": edits, "public_read": edits,
        "company_read_write": edits | company, "public_read_write": EVERY,
    }[external]
    return frozenset(reads), frozenset(edits)


def cases(objects) -> list:
    """(object, actor) for each object of ``objects`` and each actor."""
    return [pytest.param(name, actor, id=f"{name}-{OBJECTS[name][0] or 'default'}-"
                                         f"{OBJECTS[name][1] or 'default'}-{actor}")
            for name in objects for actor in ACTORS]


def expected(levels: tuple[str | None, str | None], actor: str, whose: str) -> int:
    """The status of a PATCH of ``whose`` record by ``actor``."""
    reads, edits = allowed(levels, actor)
    return 200 if whose in edits else 403 if whose in reads else 404


# -- the pack --------------------------------------------------------------------------


def _master(name: str, internal: str | None, external: str | None) -> dict:
    levels = {k: v for k, v in (("internal", internal), ("external", external)) if v}
    extra = {"data_permission": levels} if levels else {}
    return obj(name, field("name", "text"), field("note", "text"), **extra)


def _line(master: str) -> dict:
    return obj(f"{master}Line", field("name", "text"), field("note", "text"),
               field("master", "master_detail", target=master, relationship_name="lines"))


def _docs() -> dict:
    docs = documents(*(_master(n, *levels) for n, levels in OBJECTS.items()),
                     *(_line(n) for n in DETAILED))
    everything = {"create": True, "read": True, "edit": True, "delete": True}
    names = [*OBJECTS, *(f"{n}Line" for n in DETAILED)]
    docs["roles/dealer.json"] = {"api_name": "dealer", "label": label("Dealer"),
                                 "kind": "interconnect",
                                 "objects": {n: everything for n in names}}
    docs["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                                "objects": names, "roles": ["dealer"]}
    return docs


DOCS = _docs()


# -- the world -------------------------------------------------------------------------


class World:
    def __init__(self, engine: Engine, tenant: str):
        self.engine = engine
        self.tenant = tenant
        engine.metadata(tenant).deploy(pack_of(DOCS))
        engine.people(tenant).create_department("Company")
        for name in ("Sales", "Channel", "Support"):
            engine.people(tenant).create_department(name, parent="Company")
        homes = {"owner": "Sales", "lead": "Sales", "grand": "Company",
                 "pm": "Channel", "pm_b": "Channel", "team_r": "Support",
                 "team_e": "Support", "unrelated": "Support"}
        self.users = {name: engine.people(tenant).create_user(name, department=home)
                      for name, home in homes.items()}
        engine.people(tenant).set_department_leader("Company", "grand")
        engine.people(tenant).set_department_leader("Sales", "lead")
        self.enterprises = {
            "Dealer A": engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm"),
            "Dealer B": engine.people(tenant).create_enterprise("Dealer B", partner_manager="pm_b"),
        }
        for name in EXTERNAL:
            company = "Dealer A" if name.startswith("a_") else "Dealer B"
            self.users[name] = engine.people(tenant).create_user(name, enterprise=company,
                                                  roles=["dealer"])
        self.api = {name: Api(engine, tenant, name) for name in ACTORS}
        self.client = self.api["admin"].client.__enter__()  # one event loop for every call
        for api in self.api.values():
            api.client = self.client
        self.ids: dict[str, dict[str, str]] = {n: {} for n in OBJECTS}
        self.lines: dict[str, dict[str, str]] = {n: {} for n in DETAILED}
        for whose in RECORDS:  # over REST, as the person it is named after
            api = self.api[whose]
            for name in OBJECTS:
                made = api.create(name, {"name": whose, "note": "first"})
                self.ids[name][whose] = made["id"]
                if name in DETAILED:
                    self.lines[name][whose] = api.create(
                        f"{name}Line", {"name": whose, "master": made["id"]})["id"]
        with engine.session(tenant) as s:
            for name in OBJECTS:
                for whose in TEAMED:
                    for member, access in (("team_r", "read"), ("team_e", "edit"),
                                           ("b_team_r", "read"), ("b_team_e", "edit")):
                        s.share(name, self.ids[name][whose], member, access=access)


@pytest.fixture(scope="module")
def world(engine) -> Iterator[World]:
    built = World(engine, f"t{os.getpid()}_matrix_{engine.dialect[:2]}")
    yield built
    built.client.__exit__(None, None, None)


def missing_shape(response, record_id: str) -> dict:
    """The 404 body with the id asked about blanked out."""
    err = error(response, 404)
    return {k: (v.replace(record_id, "<id>") if isinstance(v, str) else v)
            for k, v in err.items()}


def check_reads(api: Api, object_name: str, ids: dict[str, str], reads: frozenset[str],
                url: str) -> dict[str, int]:
    """Assert what ``api`` reads of ``ids``; returns the versions of the records read (an
    unreadable record gets 1: a PATCH of it must fail before its version is looked at)."""
    versions = dict.fromkeys(ids, 1)
    listed = api.list(object_name, order_by="name", limit=200)
    assert [r["name"] for r in listed["records"]] == sorted(reads)
    assert listed["next"] is None
    gone = missing_shape(api.get(f"{url}/{MISSING}"), MISSING)
    assert gone["code"] == "record_not_found"
    for whose, record_id in ids.items():
        response = api.get(f"{url}/{record_id}")
        if whose in reads:
            assert response.status_code == 200, (whose, response.text)
            record = body(response)
            assert (record["id"], record["name"]) == (record_id, whose)
            versions[whose] = record["version"]
        else:
            assert missing_shape(response, record_id) == gone, whose
    return versions


# -- the matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(("object_name", "actor"), cases(OBJECTS))
def test_reads_and_edits(world, object_name, actor):
    api, ids = world.api[actor], world.ids[object_name]
    reads, _ = allowed(OBJECTS[object_name], actor)
    url = f"/objects/{object_name}/records"
    versions = check_reads(api, object_name, ids, reads, url)
    got = {}
    for whose, record_id in ids.items():
        version = versions[whose]
        response = api.patch(f"{url}/{record_id}", {"note": f"by {actor}", "version": version})
        got[whose] = response.status_code
        if response.status_code == 200:
            assert body(response)["note"] == f"by {actor}"
            assert body(response)["version"] == version + 1
        elif response.status_code == 403:
            assert error(response, 403)["code"] == "edit_denied"
        else:
            assert error(response, 404)["code"] == "record_not_found"
    assert got == {whose: expected(OBJECTS[object_name], actor, whose) for whose in ids}


@pytest.mark.parametrize(("object_name", "actor"), cases(DETAILED))
def test_details_follow_their_master(world, object_name, actor):
    api, lines, masters = world.api[actor], world.lines[object_name], world.ids[object_name]
    reads, _ = allowed(OBJECTS[object_name], actor)
    url = f"/objects/{object_name}Line/records"
    listed = api.list(f"{object_name}Line", order_by="name", limit=200)["records"]
    assert [r["name"] for r in listed] == sorted(reads)
    versions = dict.fromkeys(lines, 1) | {r["name"]: r["version"] for r in listed}
    gone = None
    for whose, master in masters.items():
        related = api.get(f"/objects/{object_name}/records/{master}/related/lines")
        if whose in reads:
            assert [r["id"] for r in body(related)["records"]] == [lines[whose]]
        else:
            gone = gone or missing_shape(
                api.get(f"/objects/{object_name}/records/{MISSING}/related/lines"), MISSING)
            assert missing_shape(related, master) == gone
    got = {}
    for whose, line in lines.items():
        got[whose] = api.patch(f"{url}/{line}",
                               {"note": actor, "version": versions[whose]}).status_code
    assert got == {whose: expected(OBJECTS[object_name], actor, whose) for whose in lines}


# -- ownership, overrides ----------------------------------------------------------------


def test_records_of_interconnect_users_are_owned_by_the_partner_manager(world):
    users, companies = world.users, world.enterprises
    for whose, manager, company in (("a_owner", "pm", "Dealer A"), ("a_mate", "pm", "Dealer A"),
                                    ("b_user", "pm_b", "Dealer B")):
        for name in OBJECTS:
            record = body(world.api["admin"].get(
                f"/objects/{name}/records/{world.ids[name][whose]}"))
            assert (record["owner_id"], record["department_id"], record["out_tenant_id"],
                    record["out_owner_id"]) == (
                users[manager].id, users[manager].department_id, companies[company].id,
                users[whose].id)
            if name not in DETAILED:
                continue
            line = body(world.api["admin"].get(
                f"/objects/{name}Line/records/{world.lines[name][whose]}"))
            assert (line["owner_id"], line["out_tenant_id"], line["out_owner_id"]) == (
                record["owner_id"], record["out_tenant_id"], record["out_owner_id"])
    internal = body(world.api["admin"].get(f"/objects/Plain/records/{world.ids['Plain']['owner']}"))
    assert (internal["owner_id"], internal["out_tenant_id"], internal["out_owner_id"]) == (
        users["owner"].id, None, None)


def test_an_interconnect_user_cannot_give_records_away(world):
    response = world.api["a_owner"].post("/objects/Plain/records",
                                         {"name": "mine", "owner_id": world.users["a_owner"].id})
    err = error(response, 422)
    assert [(d["field"], d["code"]) for d in err["details"]] == [("owner_id", "read_only")]


@pytest.mark.parametrize("level", ["private", "company_read", "company_read_write",
                                   "public_read", "public_read_write"])
def test_an_enterprise_override_replaces_the_external_level_for_that_enterprise(world, level):
    """Dealer A gets ``level`` on Bravo (external ``private``); Dealer B keeps ``private``."""
    engine, tenant = world.engine, world.tenant
    engine.people(tenant).set_enterprise_permission("Dealer A", "Bravo", level)
    try:
        for actor in ("a_mate", "b_user"):
            levels = ("company_read", level if actor.startswith("a_") else "private")
            reads, _ = allowed(levels, actor)
            api = world.api[actor]
            versions = check_reads(api, "Bravo", world.ids["Bravo"], reads,
                                   "/objects/Bravo/records")
            for whose, record_id in world.ids["Bravo"].items():
                response = api.patch(f"/objects/Bravo/records/{record_id}",
                                     {"version": versions[whose]})
                assert response.status_code == expected(levels, actor, whose), (actor, whose)
    finally:
        engine.people(tenant).set_enterprise_permission("Dealer A", "Bravo", None)
