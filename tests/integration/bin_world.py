"""A small tenant for the recycle bin and activity tests (test_recycle_bin.py,
test_bin_purge.py, test_activities.py, test_rest_bin_activities.py).

Objects::

    Deal      name, amount; roll-ups total (SUM of its lines' amount) and lines (COUNT);
              private internally, company_read externally
    Line      a detail (master-detail ``deal``) of Deal, with an amount
    Memo      a lookup ``deal`` to Deal (set_null); company_read_write

People::

    rep, rep2   internal, role rep (create, read, edit, delete everything)
    viewer      internal, role viewer (reads Deal and Line; may not delete)
    outsider    internal, no role (no right on any object)
    pm          internal, role rep: the partner manager of both enterprises
    a1, a2      interconnect users of Dealer A, role dealer (create, read, edit, delete
                Deal and Line through the app ``portal``)
    b1          interconnect user of Dealer B, role dealer (its role names Memo too, but no
                app opens Memo to interconnect users)
"""

from __future__ import annotations

from typing import Any

from hulian.engine import Engine
from tests.packs import documents, field, label, obj, pack_of

DEAL = obj("Deal", field("name", "text"), field("amount", "currency", scale=2),
           {**field("total", "currency", scale=2),
            "roll_up": {"object": "Line", "relationship": "deal", "function": "SUM",
                        "field": "amount"}},
           {**field("lines", "number"),
            "roll_up": {"object": "Line", "relationship": "deal", "function": "COUNT"}},
           data_permission={"internal": "private", "external": "company_read"})
LINE = obj("Line", field("name", "text"), field("amount", "currency", scale=2),
           field("deal", "master_detail", target="Deal", relationship_name="deal_lines"))
MEMO = obj("Memo", field("name", "text"),
           field("deal", "lookup", target="Deal", on_delete="set_null"))
ALL = {"create": True, "read": True, "edit": True, "delete": True}
DOCS = documents(DEAL, LINE, MEMO)
DOCS["roles/rep.json"] = {"api_name": "rep", "label": label("Rep"), "kind": "internal",
                          "objects": {"Deal": ALL, "Line": ALL, "Memo": ALL}}
DOCS["roles/viewer.json"] = {"api_name": "viewer", "label": label("Viewer"),
                             "kind": "internal",
                             "objects": {"Deal": {"read": True}, "Line": {"read": True}}}
DOCS["roles/dealer.json"] = {"api_name": "dealer", "label": label("Dealer"),
                             "kind": "interconnect",
                             "objects": {"Deal": ALL, "Line": ALL, "Memo": ALL}}
DOCS["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                            "objects": ["Deal", "Line"], "roles": ["dealer"]}
PACK = pack_of(DOCS)


def build(engine: Engine, tenant: str) -> None:
    """Deploy the objects and add the people above."""
    engine.metadata(tenant).deploy(PACK)
    people = engine.people(tenant)
    for name in ("rep", "rep2"):
        people.create_user(name, roles=["rep"])
    people.create_user("viewer", roles=["viewer"])
    people.create_user("outsider", roles=[])
    people.create_user("pm", roles=["rep"])
    people.create_enterprise("Dealer A", partner_manager="pm")
    people.create_enterprise("Dealer B", partner_manager="pm")
    for name in ("a1", "a2"):
        people.create_user(name, enterprise="Dealer A", roles=["dealer"])
    people.create_user("b1", enterprise="Dealer B", roles=["dealer"])


def deal(engine: Engine, tenant: str, user: str, name: str, *lines: int) -> dict[str, Any]:
    """A deal created by ``user`` with a line of each amount; returns it (with
    ``"line_ids"``)."""
    with engine.session(tenant, user) as s:
        made = s.create("Deal", {"name": name, "amount": "100"})
        made["line_ids"] = [s.create("Line", {"name": f"{name} line {i}", "amount": amount,
                                              "deal": made["id"]})["id"]
                            for i, amount in enumerate(lines)]
    return made
