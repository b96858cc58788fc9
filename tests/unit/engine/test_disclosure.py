"""What may be named to a reader (engine/security/disclosure.py): objects they may read
and the system objects; formula texts and paths that reach no hidden field and no object
they may not read, however many lookups away."""

from __future__ import annotations

import pytest

from hulian.engine.schema.compiled import compile_schema
from hulian.engine.security.disclosure import Disclosure
from hulian.engine.security.rights import rights_of
from hulian.engine.system.people import User
from tests.packs import documents, field, label, obj, pack_of

DOCS = documents(
    obj("Order", field("name", "text"), field("margin", "number"),
        field("account", "lookup", target="Account"),
        field("secret_link", "lookup", target="Account"),
        field("funding", "lookup", target="Budget")),
    obj("Account", field("name", "text"), field("tier", "text"),
        field("parent", "lookup", target="Account"), field("budget", "lookup", target="Budget")),
    obj("Budget", field("name", "text"), field("code", "text")),
)
DOCS["roles/reader.json"] = {"api_name": "reader", "label": label("Reader"), "kind": "internal",
                             "objects": {"Order": {"read": True, "fields": {
                                 "margin": "hidden", "secret_link": "hidden"}},
                                 "Account": {"read": True, "fields": {"tier": "hidden"}}}}
SCHEMA = compile_schema(pack_of(DOCS), "acme", "sqlite", 1)
READER = Disclosure(SCHEMA, rights_of(SCHEMA.pack, User("u1", "acme", "li", "Li", False),
                                      ["reader"]))
ADMIN = Disclosure(SCHEMA, rights_of(SCHEMA.pack, User("u0", "acme", "admin", "A", True), []))


def test_objects_the_reader_may_read_and_system_objects_are_nameable():
    assert [o for o in ("Order", "Account", "Budget", "User", "Department", "Nope", None)
            if READER.nameable(o)] == ["Order", "Account", "User", "Department"]
    assert ADMIN.nameable("Budget")
    assert READER.hidden("Budget") == {"name", "code"} and ADMIN.hidden("Budget") == set()
    assert READER.hidden("Order") == {"margin", "secret_link"}


@pytest.mark.parametrize(("text", "shown"), [
    ("name & account.name", True),
    ("account.parent.parent.name", True),
    ("owner.department.name & $User.name & $User.department.parent.name", True),
    ("account.owner.name", True),
    ("id & created_at", True),
    ("margin > 1", False),                      # a hidden field
    ("account.tier", False),                    # a hidden field across a lookup
    ("account.parent.tier", False),
    ("secret_link.name", False),                # a hidden lookup followed
    ("funding.name", False),                    # an object the reader may not read
    ("ISBLANK(funding)", True),                 # the lookup itself is the reader's
    ("account.budget.code", False),             # ... two lookups away
    ("account.budget.owner.name", False),       # ... and beyond it
    ("IF(name = 'x', account.name, funding.code)", False),
    ("name = = 1", False),                      # does not parse: not shown
])
def test_a_formula_is_shown_when_it_reaches_nothing_hidden(text, shown):
    assert READER.formula_shown("Order", text) is shown
    assert ADMIN.formula_shown("Order", text)


def test_paths_start_where_they_are_read():
    assert READER.path_shown("Account", ("parent", "name"))
    assert not READER.path_shown("Account", ("budget", "name"))
    assert not READER.path_shown("Budget", ("name",))
    assert READER.formula_shown("Order", None)
