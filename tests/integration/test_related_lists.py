"""Related lists: the child records of a relationship, through Session and REST, on both
databases.

Accounts have Contacts through two lookups (``account``, named ``Contact.account`` by
default, and ``referrer``, named ``referred_contacts``) and Invoices through a
master-detail field (``invoices``).
"""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from hulian.engine import NotFoundError, QueryError
from hulian.metadata.jsontext import dumps
from tests.integration.test_rest_openapi import validator
from tests.integration.test_rest_support import Api, body, error
from tests.packs import field, label, obj, pack

ACCOUNT = obj("Account", field("name", "text"), plural_label=label("Accounts"))
CONTACT = obj(
    "Contact",
    field("name", "text"),
    field("score", "number", precision=6, scale=0),
    field("account", "lookup", target="Account"),
    field("referrer", "lookup", target="Account", relationship_name="referred_contacts"),
)
INVOICE = obj(
    "Invoice",
    field("name", "text"),
    field("account", "master_detail", target="Account", relationship_name="invoices"),
    plural_label=label("Invoices"),
)
NOTE = obj("Note", field("name", "text"))


@pytest.fixture
def crm(engine, tenant):
    engine.metadata(tenant).deploy(pack(ACCOUNT, CONTACT, INVOICE, NOTE))
    return engine, tenant


@pytest.fixture
def accounts(crm):
    """Ids of two accounts, ``a`` with 120 contacts (scores 0..119), ``b`` with 3."""
    engine, tenant = crm
    with engine.session(tenant) as s:
        a = s.create("Account", {"name": "A"})["id"]
        b = s.create("Account", {"name": "B"})["id"]
        s.create_many("Contact", [{"name": f"a{i:03}", "score": i, "account": a}
                                  for i in range(120)])
        s.create_many("Contact", [{"name": f"b{i}", "score": i, "account": b, "referrer": a}
                                  for i in range(3)])
    return {"a": a, "b": b}


def related(crm, *args, **kwargs):
    engine, tenant = crm
    with engine.session(tenant) as s:
        return s.related("Account", *args, **kwargs)


def names(page) -> list[str]:
    return [r["name"] for r in page]


# -- describe ------------------------------------------------------------------------------


def test_describe_lists_child_relationships_by_name(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        described = s.describe("Account")
        assert s.describe("Contact")["child_relationships"] == []
    contacts = label("Contact")  # no plural_label: the label
    assert described["child_relationships"] == [
        {"name": "Contact.account", "object": "Contact", "field": "account", "type": "lookup",
         "label": contacts},
        {"name": "invoices", "object": "Invoice", "field": "account", "type": "master_detail",
         "label": label("Invoices")},
        {"name": "referred_contacts", "object": "Contact", "field": "referrer",
         "type": "lookup", "label": contacts},
    ]


# -- Session.related -----------------------------------------------------------------------


def test_paging_walks_every_child_once(crm, accounts):
    seen, after, sizes = [], None, []
    while True:
        page = related(crm, accounts["a"], "Contact.account", limit=50, after=after)
        sizes.append(len(page))
        seen.extend(page)
        after = page.next
        if after is None:
            break
    assert sizes == [50, 50, 20]
    assert sorted(names(seen)) == [f"a{i:03}" for i in range(120)]
    assert {r["account"] for r in seen} == {accounts["a"]}


def test_sorted_pages_follow_the_order(crm, accounts):
    first = related(crm, accounts["a"], "Contact.account", order_by="-score", limit=50)
    second = related(crm, accounts["a"], "Contact.account", order_by="-score", limit=50,
                     after=first.next)
    assert [r["score"] for r in [*first, *second]] == list(range(119, 19, -1))


def test_the_result_is_exactly_what_query_returns(crm, accounts):
    engine, tenant = crm
    with engine.session(tenant) as s:
        expected = s.query("Contact", {"account": accounts["a"], "score": {"lt": 70}},
                           order_by="name", limit=30, filter="score >= 10")
        got = s.related("Account", accounts["a"], "Contact.account", {"score": {"lt": 70}},
                        order_by="name", limit=30, filter="score >= 10")
        assert got == expected
        assert names(got) == [f"a{i:03}" for i in range(10, 40)]
        nxt = s.related("Account", accounts["a"], "Contact.account", {"score": {"lt": 70}},
                        order_by="name", limit=30, filter="score >= 10", after=got.next)
    assert names(nxt) == [f"a{i:03}" for i in range(40, 70)] and nxt.next is None


def test_filters_narrow_the_children_but_never_widen_them(crm, accounts):
    a, b = accounts["a"], accounts["b"]
    assert names(related(crm, b, "Contact.account", {"score": {"ge": 1}}, order_by="name")) \
        == ["b1", "b2"]
    assert names(related(crm, b, "Contact.account", filter="score = 2")) == ["b2"]
    assert names(related(crm, b, "Contact.account", {"or": [{"name": "b0"}, {"name": "a001"}]})) \
        == ["b0"]
    # a condition on the relationship's own field cannot reach another parent's children
    assert names(related(crm, b, "Contact.account", {"account": a})) == []
    assert names(related(crm, b, "Contact.account", {"account": {"ne": b}})) == []
    assert len(related(crm, b, "Contact.account", {"account": b})) == 3


def test_other_parents_children_are_never_included(crm, accounts):
    a, b = accounts["a"], accounts["b"]
    assert sorted(names(related(crm, b, "Contact.account"))) == ["b0", "b1", "b2"]
    # b's contacts point at a through the other lookup
    assert sorted(names(related(crm, a, "referred_contacts"))) == ["b0", "b1", "b2"]
    assert names(related(crm, b, "referred_contacts")) == []


def test_a_master_detail_relationship(crm, accounts):
    engine, tenant = crm
    with engine.session(tenant) as s:
        s.create_many("Invoice", [{"name": f"inv{i}", "account": accounts["a"]}
                                  for i in range(3)])
        s.create("Invoice", {"name": "other", "account": accounts["b"]})
    assert names(related(crm, accounts["a"], "invoices", order_by="name")) == \
        ["inv0", "inv1", "inv2"]


def test_deleted_children_are_hidden_unless_asked_for(crm, accounts):
    engine, tenant = crm
    b = accounts["b"]
    with engine.session(tenant) as s:
        b0 = next(r for r in s.related("Account", b, "Contact.account") if r["name"] == "b0")
        s.delete("Contact", b0["id"])
    assert sorted(names(related(crm, b, "Contact.account"))) == ["b1", "b2"]
    shown = related(crm, b, "Contact.account", include_deleted=True, order_by="name")
    assert [(r["name"], r["is_deleted"]) for r in shown] == \
        [("b0", True), ("b1", False), ("b2", False)]


def test_a_missing_or_deleted_parent_is_not_found(crm, accounts):
    engine, tenant = crm
    with pytest.raises(NotFoundError) as missing:
        related(crm, "01NOSUCHRECORD000000000000", "Contact.account")
    assert missing.value.code == "record_not_found"
    with engine.session(tenant) as s:
        s.create("Account", {"name": "Gone"})
        gone = s.query("Account", {"name": "Gone"}).records[0]["id"]
        s.delete("Account", gone)
    with pytest.raises(NotFoundError) as deleted:
        related(crm, gone, "Contact.account", include_deleted=True)
    assert deleted.value.code == "record_not_found"


@pytest.mark.parametrize(("name", "hint"), [
    ("Contact.acount", "did you mean 'Contact.account'?"),
    ("contact.account", "did you mean 'Contact.account'?"),
    ("Invoices", "did you mean 'invoices'?"),
    ("zzz", "the relationships of Account: Contact.account, invoices, referred_contacts"),
])
def test_an_unknown_relationship_says_which_there_are(crm, accounts, name, hint):
    with pytest.raises(NotFoundError) as raised:
        related(crm, accounts["a"], name)
    assert raised.value.code == "unknown_relationship"
    assert raised.value.hint == hint


def test_an_object_nothing_points_at_has_no_relationships(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        note = s.create("Note", {"name": "n"})["id"]
        with pytest.raises(NotFoundError) as raised:
            s.related("Note", note, "Contact.account")
    assert raised.value.code == "unknown_relationship"
    assert raised.value.hint == "no lookup or master-detail field points at Note"


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"limit": 0}, "invalid_limit"),
    ({"after": "nonsense"}, "invalid_cursor"),
    ({"where": {"nope": 1}}, "unknown_field"),
    ({"where": ["score"]}, "invalid_filter"),
    ({"order_by": "nope"}, "unknown_field"),
])
def test_query_errors_are_the_same_as_for_query(crm, accounts, kwargs, code):
    with pytest.raises(QueryError) as raised:
        related(crm, accounts["a"], "Contact.account", **kwargs)
    assert raised.value.code == code


# -- REST ----------------------------------------------------------------------------------


@pytest.fixture
def api(crm):
    return Api(*crm)


def url(parent: str, relationship: str, obj_name: str = "Account") -> str:
    return f"/objects/{obj_name}/records/{parent}/related/{relationship}"


def test_rest_pages_filters_and_sorts(api, accounts):
    a = accounts["a"]
    seen, params = [], {"limit": "50"}
    while True:
        response = api.get(url(a, "Contact.account"), params=params)
        assert response.status_code == 200, response.text
        page = body(response)
        assert set(page) == {"records", "next"}
        seen.extend(page["records"])
        if page["next"] is None:
            break
        params = {"limit": "50", "after": page["next"]}
    assert len(seen) == 120 and len({r["id"] for r in seen}) == 120
    response = api.get(url(a, "Contact.account"), params={
        "where": dumps({"score": {"lt": 20}}), "filter": "score >= 15", "order_by": "-name"})
    assert [r["name"] for r in body(response)["records"]] == \
        ["a019", "a018", "a017", "a016", "a015"]
    referred = body(api.get(url(a, "referred_contacts"), params={"order_by": "name"}))
    assert [r["name"] for r in referred["records"]] == ["b0", "b1", "b2"]


def test_rest_shows_deleted_children_only_when_asked(api, accounts):
    b = accounts["b"]
    first = body(api.get(url(b, "Contact.account"), params={"order_by": "name"}))["records"][0]
    assert api.delete(f"/objects/Contact/records/{first['id']}").status_code == 204
    listed = body(api.get(url(b, "Contact.account")))["records"]
    assert sorted(r["name"] for r in listed) == ["b1", "b2"]
    listed = body(api.get(url(b, "Contact.account"), params={"include_deleted": "true"}))
    assert sorted(r["name"] for r in listed["records"]) == ["b0", "b1", "b2"]


def test_rest_errors(api, accounts):
    a = accounts["a"]
    unknown = error(api.get(url(a, "Contact.acount")), 404)
    assert unknown["code"] == "unknown_relationship"
    assert unknown["hint"] == "did you mean 'Contact.account'?"
    missing = error(api.get(url("01NOSUCHRECORD000000000000", "Contact.account")), 404)
    assert missing["code"] == "record_not_found"
    assert error(api.get(url(a, "Contact.account", "Acount")), 404)["code"] == "unknown_object"
    assert error(api.get(url(a, "Contact.account"), params={"sort": "name"}),
                 400)["code"] == "unknown_parameter"
    assert error(api.get(url(a, "Contact.account"), params={"limit": "201"}),
                 400)["code"] == "invalid_limit"
    assert error(api.get(url(a, "Contact.account"), params={"where": "{"}),
                 400)["code"] == "invalid_filter"
    assert error(api.get(url(a, "Contact.account"), params={"filter": "score >"}),
                 400)["code"].startswith("formula.")
    assert error(api.client.get("/api/v1" + url(a, "Contact.account")), 401)["code"] == \
        "missing_token"
    assert error(api.post(url(a, "Contact.account"), {}), 405)["code"] == "method_not_allowed"


def test_rest_describe_lists_child_relationships(api):
    described = body(api.get("/objects/Account"))
    assert [r["name"] for r in described["child_relationships"]] == \
        ["Contact.account", "invoices", "referred_contacts"]


def test_the_openapi_document_has_the_related_paths(api, accounts):
    document = body(api.get("/openapi.json"))
    validate(document)
    paths = document["paths"]
    item = paths["/api/v1/objects/Account/records/{record_id}/related/{relationship}"]
    (relationship,) = [p for p in item["parameters"] if p.get("name") == "relationship"]
    assert relationship["schema"]["enum"] == [
        "Contact.account", "invoices", "referred_contacts"]
    assert item["get"]["operationId"] == "listAccountRelated"
    assert not any("/related/" in path for path in paths if "/Contact/" in path)
    assert "ContactRelatedPage" not in document["components"]["schemas"]
    page = body(api.get(url(accounts["a"], "Contact.account"), params={"limit": "3"}))
    validator(document, "AccountRelatedPage").validate(page)
    validator(document, "ObjectDescription").validate(body(api.get("/objects/Account")))
    api.post("/objects/Invoice/records", {"name": "inv", "account": accounts["a"]})
    invoices = body(api.get(url(accounts["a"], "invoices")))
    assert len(invoices["records"]) == 1
    validator(document, "AccountRelatedPage").validate(invoices)
    assert not validator(document, "AccountRelatedPage").is_valid(
        {"records": [{"name": "not a record"}], "next": None})
