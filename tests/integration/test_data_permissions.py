"""Internal data permissions (issue 6): who reads and edits which records, on both databases.

Departments (leaders in brackets)::

    Company [grand]
    ├── Sales
    │   ├── East [lead]      owner, colleague, lead work here
    │   └── West [other]     (a sibling of East: leading it gives nothing in East)
    └── Support [other]      other works here

``grand`` leads East's grandparent, so sees East's private records two levels down;
``admin`` is the built-in admin (no department). Every actor owns one record of each
object, named after them.
"""

from __future__ import annotations

import itertools

import pytest

from hulian.engine import HulianError, NotFoundError, PermissionDenied, RecordValidationError
from tests.packs import documents, field, obj, pack_of

LEVELS = {"private": "Secret", "company_read": "Memo", "company_read_write": "Board"}
ACTORS = ("owner", "lead", "grand", "colleague", "other", "admin")
EVERYONE = frozenset(ACTORS)
PRIVATE_READS = {
    "owner": {"owner"},
    "lead": {"owner", "lead", "colleague"},
    "grand": {"owner", "lead", "colleague", "grand", "other"},
    "colleague": {"colleague"},
    "other": {"other"},
    "admin": set(EVERYONE),
}
"""Whose records each actor reads (and edits) in a private object."""
MISSING = "01NOSUCHRECORD000000000000"


def _object(name: str, level: str | None, *fields: dict) -> dict:
    extra = {"data_permission": {"internal": level}} if level else {}
    return obj(name, field("name", "text"), field("note", "text"), *fields, **extra)


ACCOUNT = obj("Account", field("name", "text"))
DOCS = documents(
    ACCOUNT,
    *(_object(name, level, field("account", "lookup", target="Account"))
      for level, name in LEVELS.items()),
    _object("Plain", None),
    _object("SecretLine", None,  # a detail follows its master's data permission
            field("secret", "master_detail", target="Secret", relationship_name="lines")),
)


def reads(level: str, actor: str) -> set[str]:
    return set(EVERYONE) if level != "private" else PRIVATE_READS[actor]


def edits(level: str, actor: str) -> set[str]:
    return set(EVERYONE) if level == "company_read_write" else PRIVATE_READS[actor]


@pytest.fixture
def world(engine, tenant):
    """``{"users": {name: User}, "acme": id, "ids": {object: {owner name: id}}}``."""
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_department("Company")
    sales = engine.people(tenant).create_department("Sales", parent="Company")
    east = engine.people(tenant).create_department("East", parent=sales.id)
    support = engine.people(tenant).create_department("Support", parent="Company")
    homes = {"owner": east.id, "colleague": "East", "lead": "East", "grand": "Company",
             "other": "Support"}
    users = {name: engine.people(tenant).create_user(name, department=home)
             for name, home in homes.items()}
    engine.people(tenant).create_department("West", parent="Sales", leader=users["other"].id)
    engine.people(tenant).set_department_leader("Company", "grand")
    engine.people(tenant).set_department_leader(east.id, users["lead"].id)
    engine.people(tenant).set_department_leader(support.id, "other")
    with engine.session(tenant) as s:
        acme = s.create("Account", {"name": "Acme"})["id"]
    ids: dict[str, dict[str, str]] = {name: {} for name in [*LEVELS.values(), "Plain"]}
    for actor in ACTORS:
        with engine.session(tenant, actor) as s:
            for name in ids:
                data = {"name": actor, "note": f"{actor} note"}
                if name != "Plain":
                    data["account"] = acme
                ids[name][actor] = s.create(name, data)["id"]
    return {"users": users, "acme": acme, "ids": ids}


def not_found_shape(error: NotFoundError, record_id: str) -> tuple:
    """What a caller learns from the error, with the id it was asked about blanked out."""
    return (type(error), error.code, error.message.replace(record_id, "<id>"), error.hint,
            error.details())


def assert_not_found(call, record_id: str, obj_name: str) -> None:
    """``call(id)`` fails for ``record_id`` exactly as it fails for an id that never was."""
    with pytest.raises(NotFoundError) as hidden:
        call(record_id)
    with pytest.raises(NotFoundError) as missing:
        call(MISSING)
    assert hidden.value.code == "record_not_found"
    assert not_found_shape(hidden.value, record_id) == not_found_shape(missing.value, MISSING)
    assert obj_name in missing.value.message


def outcome(call) -> str:
    """``ok``, ``edit_denied`` or ``record_not_found``."""
    try:
        call()
    except PermissionDenied as exc:
        assert exc.code == "edit_denied", exc
        return "edit_denied"
    except NotFoundError as exc:
        assert exc.code == "record_not_found", exc
        return "record_not_found"
    return "ok"


def expected(level: str, actor: str, whose: str = "owner") -> str:
    if whose in edits(level, actor):
        return "ok"
    return "edit_denied" if whose in reads(level, actor) else "record_not_found"


# -- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("level", list(LEVELS))
def test_the_level_and_the_department_tree_decide(engine, tenant, world, level, actor):
    name, ids = LEVELS[level], world["ids"][LEVELS[level]]
    visible, target, want = reads(level, actor), ids["owner"], expected(level, actor)
    with engine.session(tenant, actor) as s:
        listed = s.query(name, order_by="name", limit=1000)
        assert [r["name"] for r in listed] == sorted(visible)
        assert s.count(name) == len(visible)
        for whose, record_id in ids.items():
            if whose in visible:
                assert s.get(name, record_id)["note"] == f"{whose} note"
                assert s.count(name, {"id": record_id}) == 1
            else:
                assert_not_found(lambda i: s.get(name, i), record_id, name)
                assert s.count(name, {"id": record_id}) == 0
        assert outcome(lambda: s.update(name, target, {"note": "changed"})) == want
        assert outcome(lambda: s.delete(name, target)) == want
    with engine.session(tenant) as s:
        record = s.get(name, target, include_deleted=True)
        assert (record["note"], record["is_deleted"]) == (
            ("changed", True) if want == "ok" else ("owner note", False))
        if want != "ok":
            s.delete(name, target)
    with engine.session(tenant, actor) as s:
        assert outcome(lambda: s.restore(name, target)) == want
    with engine.session(tenant) as s:
        assert s.get(name, target, include_deleted=True)["is_deleted"] is (want != "ok")


def test_every_actor_edits_every_record_of_an_object_without_a_level(engine, tenant, world):
    for actor in ACTORS:
        with engine.session(tenant, actor) as s:
            assert s.count("Plain") == len(ACTORS), actor
            for record_id in world["ids"]["Plain"].values():
                assert s.update("Plain", record_id, {"note": actor})["note"] == actor


def test_each_actor_edits_exactly_the_records_they_may(engine, tenant, world):
    for actor in ACTORS:
        for level, name in LEVELS.items():
            with engine.session(tenant, actor) as s:
                got = {whose: outcome(lambda n=name, i=record_id: s.update(n, i, {"note": "x"}))
                       for whose, record_id in world["ids"][name].items()}
            assert got == {whose: expected(level, actor, whose) for whose in ACTORS}, \
                (actor, level)


def test_a_new_leader_takes_over_the_department(engine, tenant, world):
    secret = world["ids"]["Secret"]["owner"]
    engine.people(tenant).set_department_leader("East", "colleague")
    with engine.session(tenant, "colleague") as s:
        assert sorted(r["name"] for r in s.query("Secret")) == ["colleague", "lead", "owner"]
        s.update("Secret", secret, {"note": "by the new leader"})
    with engine.session(tenant, "lead") as s:
        assert [r["name"] for r in s.query("Secret")] == ["lead"]
        assert_not_found(lambda i: s.get("Secret", i), secret, "Secret")
    engine.people(tenant).create_department("North", parent="East", leader="owner")
    engine.people(tenant).create_user("newbie", department="North")
    with engine.session(tenant, "newbie") as s:
        mine = s.create("Secret", {"name": "newbie"})["id"]
    for actor, sees in [("owner", True), ("colleague", True), ("grand", True), ("lead", False),
                        ("other", False)]:
        with engine.session(tenant, actor) as s:
            assert (s.count("Secret", {"id": mine}) == 1) is sees, actor


def test_another_admin_user_reads_and_edits_everything(engine, tenant, world):
    engine.people(tenant).create_user("boss", is_admin=True, department="Support")
    with engine.session(tenant, "boss") as s:
        assert s.count("Secret") == len(ACTORS)
        s.update("Secret", world["ids"]["Secret"]["owner"], {"note": "seen"})
        s.delete("Secret", world["ids"]["Secret"]["colleague"])


# -- master-detail -------------------------------------------------------------------------


@pytest.fixture
def lines(engine, tenant, world):
    """One SecretLine under the Secret of owner, colleague and other: ``{whose: id}``."""
    out = {}
    for whose in ("owner", "colleague", "other"):
        with engine.session(tenant, whose) as s:
            out[whose] = s.create("SecretLine", {"name": f"{whose} line",
                                                 "secret": world["ids"]["Secret"][whose]})["id"]
    return out


@pytest.mark.parametrize("actor", ACTORS)
def test_details_follow_their_master(engine, tenant, world, lines, actor):
    secrets = world["ids"]["Secret"]
    visible = PRIVATE_READS[actor] & set(lines)
    with engine.session(tenant, actor) as s:
        assert sorted(r["name"] for r in s.query("SecretLine", order_by="name")) == \
            sorted(f"{w} line" for w in visible)
        assert s.count("SecretLine") == len(visible)
        for whose, line in lines.items():
            if whose in visible:
                assert s.get("SecretLine", line)["owner_id"] == \
                    s.get("Secret", secrets[whose])["owner_id"]
                assert [r["id"] for r in s.related("Secret", secrets[whose], "lines")] == [line]
                assert outcome(lambda i=line: s.update("SecretLine", i, {"note": "x"})) == "ok"
            else:
                assert_not_found(lambda i: s.get("SecretLine", i), line, "SecretLine")
                assert_not_found(lambda i: s.related("Secret", i, "lines"), secrets[whose],
                                 "Secret")
                assert outcome(lambda i=line: s.update("SecretLine", i, {"note": "x"})) == \
                    "record_not_found"


def test_details_move_with_their_masters_owner(engine, tenant, world):
    secret, other = world["ids"]["Secret"]["owner"], world["users"]["other"]
    with engine.session(tenant, "owner") as s:
        line = s.create("SecretLine", {"name": "l", "secret": secret})["id"]
        s.update("Secret", secret, {"owner_id": other.id})
        assert_not_found(lambda i: s.get("SecretLine", i), line, "SecretLine")
    with engine.session(tenant, "other") as s:
        assert s.get("SecretLine", line)["owner_id"] == other.id
    with engine.session(tenant, "lead") as s:
        assert s.count("SecretLine") == 0


# -- giving records away -------------------------------------------------------------------


def test_editors_give_records_away_and_the_new_owners_department_counts(engine, tenant, world):
    secret, other = world["ids"]["Secret"]["owner"], world["users"]["other"]
    with engine.session(tenant, "lead") as s:
        assert s.update("Secret", secret, {"owner_id": other.id})["owner_id"] == other.id
        assert_not_found(lambda i: s.get("Secret", i), secret, "Secret")
    with engine.session(tenant, "owner") as s:
        assert_not_found(lambda i: s.get("Secret", i), secret, "Secret")
    for actor in ("other", "grand", "admin"):
        with engine.session(tenant, actor) as s:
            assert s.get("Secret", secret)["owner_id"] == other.id


def test_a_reader_who_may_not_edit_cannot_take_a_record(engine, tenant, world):
    memo, colleague = world["ids"]["Memo"]["owner"], world["users"]["colleague"]
    with engine.session(tenant, "colleague") as s:
        with pytest.raises(PermissionDenied) as denied:
            s.update("Memo", memo, {"owner_id": colleague.id})
        assert denied.value.code == "edit_denied"
        assert s.get("Memo", memo)["owner_id"] == world["users"]["owner"].id


def test_a_record_given_by_the_admin_is_seen_through_its_owners_department(engine, tenant,
                                                                           world):
    owner = world["users"]["owner"]
    with engine.session(tenant) as s:          # admin has no department
        given = s.create("Secret", {"name": "given", "owner_id": owner.id})["id"]
    for actor in ACTORS:
        with engine.session(tenant, actor) as s:
            assert ("given" in {r["name"] for r in s.query("Secret", limit=1000)}) == \
                ("owner" in PRIVATE_READS[actor]), actor
            assert outcome(lambda: s.update("Secret", given, {"note": "x"})) == \
                expected("private", actor), actor


def test_creating_records_is_not_restricted(engine, tenant, world):
    for actor in ACTORS:
        with engine.session(tenant, actor) as s:
            for name in [*LEVELS.values(), "Plain"]:
                assert s.create(name, {"name": f"new {actor}"})["owner_id"] == s.user.id


# -- no oracle -----------------------------------------------------------------------------


def test_an_invisible_record_fails_every_call_like_a_missing_id(engine, tenant, world):
    secret = world["ids"]["Secret"]["owner"]
    with engine.session(tenant, "owner") as s:
        deleted = s.create("Secret", {"name": "deleted"})["id"]
        s.delete("Secret", deleted)
    with engine.session(tenant, "colleague") as s:
        calls = {
            "get": lambda i: s.get("Secret", i),
            "get deleted": lambda i: s.get("Secret", i, include_deleted=True),
            "update": lambda i: s.update("Secret", i, {"note": "x"}),
            "update stale": lambda i: s.update("Secret", i, {"note": "x"}, version=99),
            "update invalid": lambda i: s.update("Secret", i, {"nope": 1, "note": 5}),
            "give away": lambda i: s.update("Secret", i, {"owner_id": s.user.id}),
            "delete": lambda i: s.delete("Secret", i),
            "delete stale": lambda i: s.delete("Secret", i, version=99),
            "restore": lambda i: s.restore("Secret", i),
            "related": lambda i: s.related("Secret", i, "lines"),
        }
        for what, call in calls.items():
            target = deleted if what in ("get deleted", "restore") else secret
            try:
                assert_not_found(call, target, "Secret")
            except (AssertionError, HulianError) as exc:
                raise AssertionError(f"{what}: {exc!r}") from exc


def test_filters_and_sorting_never_reveal_invisible_records(engine, tenant, world):
    with engine.session(tenant, "colleague") as s:
        assert s.count("Secret", {"name": "owner"}) == 0
        assert s.count("Secret", {"note": {"starts_with": "owner"}}) == 0
        assert s.count("Secret", filter="note = 'owner note'") == 0
        assert s.count("Secret", filter="CONTAINS(note, 'note')") == 1
        assert s.count("Secret", {"or": [{"name": "owner"}, {"name": "colleague"}]}) == 1
        assert s.count("Secret", {"not": {"name": "colleague"}}) == 0
        assert s.count("Secret", include_deleted=True) == 1
        assert list(s.query("Secret", {"name": "other"}, filter="LEN(note) > 0")) == []
        for order in ("name", "-name", "-note", "created_at", "-created_at", "owner_id"):
            page = s.query("Secret", order_by=order, limit=1)
            assert ([r["name"] for r in page], page.next) == (["colleague"], None), order


def test_pages_walk_exactly_the_readable_records(engine, tenant, world):
    for actor in ACTORS:
        for order in ("name", "-name", "note,-created_at"):
            seen, after = [], None
            with engine.session(tenant, actor) as s:
                while True:
                    page = s.query("Secret", order_by=order, limit=2, after=after)
                    seen += [r["name"] for r in page]
                    assert len(page) == 2 if page.next else 1 <= len(page) <= 2, (actor, order)
                    if page.next is None:
                        break
                    after = page.next
            assert sorted(seen) == sorted(PRIVATE_READS[actor]) and len(seen) == len(set(seen))


# -- related lists -------------------------------------------------------------------------


def test_related_lists_show_only_readable_children(engine, tenant, world):
    acme = world["acme"]
    for actor, (level, name) in itertools.product(ACTORS, LEVELS.items()):
        with engine.session(tenant, actor) as s:
            relationship = f"{name}.account"
            page = s.related("Account", acme, relationship, order_by="name", limit=1000)
            assert [r["name"] for r in page] == sorted(reads(level, actor)), (actor, level)
            hidden = sorted(EVERYONE - reads(level, actor)) or ["nobody"]
            assert list(s.related("Account", acme, relationship, {"name": {"in": hidden}})) == []
            assert len(s.related("Account", acme, relationship, filter="NOT(ISBLANK(note))")) \
                == len(reads(level, actor))
            first = s.related("Account", acme, relationship, order_by="-name", limit=1)
            assert (first.next is None) == (len(reads(level, actor)) == 1)


def test_lookups_cannot_point_at_or_probe_invisible_records(engine, tenant):
    """A record the user may not read does not exist for their lookups either (no oracle),
    and a detail needs a master the user may edit."""
    docs = documents(
        obj("Vault", field("name", "text"), data_permission={"internal": "private"}),
        obj("VaultLine", field("name", "text"),
            field("vault", "master_detail", target="Vault")),
        obj("Pointer", field("name", "text"), field("vault", "lookup", target="Vault")))
    engine.metadata(tenant).deploy(pack_of(docs))
    engine.people(tenant).create_user("alice")
    engine.people(tenant).create_user("bob")
    with engine.session(tenant, "alice") as s:
        hidden = s.create("Vault", {"name": "x"})["id"]
    with engine.session(tenant, "bob") as s:
        refused = {}
        for name, values in (("VaultLine", {"name": "l", "vault": hidden}),
                             ("Pointer", {"name": "p", "vault": hidden}),
                             ("Pointer", {"name": "p", "vault": "01NOSUCHRECORD0000000000000"})):
            with pytest.raises(RecordValidationError) as exc:
                s.create(name, values)
            error = exc.value.errors[0]
            refused[(name, values["vault"] == hidden)] = (
                error.code, error.message.replace(values["vault"], "ID"))
        assert len(set(refused.values())) == 1, refused
    with engine.session(tenant, "alice") as s:
        assert s.create("VaultLine", {"name": "mine", "vault": hidden})["vault"] == hidden


def test_formulas_filters_and_sorts_do_not_read_through_to_invisible_records(engine, tenant):
    docs = documents(
        obj("Vault", field("name", "text"), field("note", "text"),
            data_permission={"internal": "private"}),
        obj("Pointer", field("name", "text"), field("vault", "lookup", target="Vault"),
            field("peek", "text", formula="vault.note"),
            {**field("quoted", "text"), "quote": "vault.note"},
            validation_rules=[{"api_name": "no_secret",
                               "condition": "NOT(ISNEW()) && vault.note = 'password'",
                               "message": {"zh": "不行", "en": "no"}}]))
    engine.metadata(tenant).deploy(pack_of(docs))
    engine.people(tenant).create_user("alice")
    bob = engine.people(tenant).create_user("bob")
    with engine.session(tenant, "alice") as s:
        vault = s.create("Vault", {"name": "v", "note": "password"})["id"]
    with engine.session(tenant) as s:   # an admin links bob's pointer to alice's vault
        pointer = s.create("Pointer", {"name": "p", "vault": vault, "owner_id": bob.id})["id"]
        assert s.get("Pointer", pointer)["peek"] == "password"        # the admin reads it
    with engine.session(tenant, "bob") as s:
        seen = s.get("Pointer", pointer)
        assert (seen["peek"], seen["quoted"]) == (None, None)
        assert s.count("Pointer", filter="vault.note = 'password'") == 0
        assert s.count("Pointer", where={"peek": "password"}) == 0
        assert [r["id"] for r in s.query("Pointer", order_by=["-peek"])] == [pointer]
        s.update("Pointer", pointer, {"name": "renamed"})   # the rule cannot see it either
    with engine.session(tenant) as s, pytest.raises(RecordValidationError):
        s.update("Pointer", pointer, {"name": "again"})      # the admin's rule does
