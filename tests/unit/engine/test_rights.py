"""Roles -> rights (engine/security/rights.py): the union of roles, apps for interconnect
users, built-in roles; and the law that adding a role never takes a right away."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hulian.engine.security.rights import rights_of
from hulian.engine.system.people import User
from hulian.metadata.loader import build_field
from hulian.metadata.model import (
    FIELD_ACCESS,
    STANDARD_ACTIONS,
    Action,
    App,
    ObjectAccess,
    ObjectDef,
    Pack,
    Role,
)

OBJECTS = ("Order", "Product")
FIELDS = ("name", "cost", "note")
INTERNAL = User("u1", "acme", "li", "Li", False, "d1")
EXTERNAL = User("u2", "acme", "buyer", "Buyer", False, None, "e1")


def _object(name: str) -> ObjectDef:
    return ObjectDef(name, {"en": name, "zh": name}, "name",
                     tuple(build_field({"api_name": f, "type": "text",
                                        "label": {"en": f, "zh": f}}, "name") for f in FIELDS),
                     actions=(Action("approve", {"en": "Approve", "zh": "批准"}),))


def _pack(roles: tuple[Role, ...], apps: tuple[App, ...] = ()) -> Pack:
    return Pack("p", "1.0.0", {"en": "p", "zh": "p"}, tuple(_object(o) for o in OBJECTS),
                roles=roles, apps=apps)


def _role(name: str, kind: str = "internal", **objects: ObjectAccess) -> Role:
    return Role(name, {"en": name, "zh": name}, kind, objects=objects)


def test_member_may_do_everything_but_admin_things():
    rights = rights_of(_pack(()), INTERNAL, ["member"])
    assert not rights.admin
    assert all(rights.can(o, a) for o in OBJECTS for a in (*STANDARD_ACTIONS, "approve"))


def test_no_role_no_right():
    rights = rights_of(_pack(()), INTERNAL, [])
    assert not any(rights.can(o, a) for o in OBJECTS for a in STANDARD_ACTIONS)
    assert rights.field_access("Order", "name") == "hidden"


def test_any_action_implies_read_and_fields_take_the_most_open_level():
    pack = _pack((_role("a", Order=ObjectAccess(edit=True, fields={"cost": "hidden"})),
                  _role("b", Order=ObjectAccess(read=True, fields={"cost": "read_only",
                                                                   "note": "hidden"}))))
    assert rights_of(pack, INTERNAL, ["a"]).can("Order", "read")
    both = rights_of(pack, INTERNAL, ["a", "b"])
    assert both.field_access("Order", "cost") == "read_only"
    assert both.field_access("Order", "note") == "editable"  # role a leaves it editable
    assert rights_of(pack, INTERNAL, ["b"]).hidden("Order") == {"note"}


def test_interconnect_roles_count_only_where_an_app_opens_the_object():
    role = _role("dealer", "interconnect", Order=ObjectAccess(read=True),
                 Product=ObjectAccess(read=True))
    closed = rights_of(_pack((role,)), EXTERNAL, ["dealer"])
    assert not closed.can("Order", "read")
    opened = rights_of(_pack((role,), (App("order", {"en": "o"}, ("Order",), ("dealer",)),)),
                       EXTERNAL, ["dealer"])
    assert opened.can("Order", "read") and not opened.can("Product", "read")


def test_roles_of_the_other_kind_and_builtins_do_not_count_for_interconnect_users():
    pack = _pack((_role("rep", Order=ObjectAccess(read=True)),
                  Role("boss", {"en": "b"}, "internal", admin=True)),
                 (App("order", {"en": "o"}, ("Order",), ("rep",)),))
    rights = rights_of(pack, EXTERNAL, ["rep", "member", "admin", "boss"])
    assert not rights.admin and not rights.can("Order", "read")
    assert rights_of(pack, INTERNAL, ["boss"]).admin


ACCESS = st.builds(
    ObjectAccess, create=st.booleans(), read=st.booleans(), edit=st.booleans(),
    delete=st.booleans(), export=st.booleans(), import_=st.booleans(),
    actions=st.sampled_from([(), ("approve",)]),
    fields=st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(FIELD_ACCESS), max_size=3))
ROLES = st.lists(st.dictionaries(st.sampled_from(OBJECTS), ACCESS, max_size=2),
                 min_size=1, max_size=4)
RANK = {level: i for i, level in enumerate(FIELD_ACCESS)}


@settings(max_examples=200)
@given(ROLES, st.data())
def test_adding_a_role_never_takes_a_right_away(grants, data):
    pack = _pack(tuple(_role(f"r{i}", **objects) for i, objects in enumerate(grants)))
    names = [f"r{i}" for i in range(len(grants))]
    some = data.draw(st.lists(st.sampled_from(names), unique=True))
    fewer, more = rights_of(pack, INTERNAL, some), rights_of(pack, INTERNAL, names)
    for o in OBJECTS:
        for action in (*STANDARD_ACTIONS, "approve"):
            assert not fewer.can(o, action) or more.can(o, action)
        for f in FIELDS:
            assert RANK[more.field_access(o, f)] >= RANK[fewer.field_access(o, f)]


def test_the_roles_that_count_are_those_of_the_users_kind():
    from hulian.engine.security.rights import roles_counting

    pack = _pack((_role("rep"), _role("dealer", "interconnect"),
                  _role("viewer", "interconnect")),
                 (App("portal", {"en": "P", "zh": "P"}, ("Order",), ("dealer",)),))
    granted = ["rep", "dealer", "viewer", "member", "admin", "gone"]
    assert roles_counting(pack, INTERNAL, granted) == {"rep", "member", "admin"}
    assert roles_counting(pack, INTERNAL, granted, "Order") == {"rep", "member", "admin"}
    assert roles_counting(pack, EXTERNAL, granted) == {"dealer", "viewer"}
    # on an object, an interconnect role counts only where an app opens it to the role
    assert roles_counting(pack, EXTERNAL, granted, "Order") == {"dealer"}
    assert roles_counting(pack, EXTERNAL, granted, "Product") == frozenset()
