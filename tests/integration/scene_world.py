"""A small tenant for the scene and home-view tests: deals, their lines, memos, people in a
department tree, a dealer, declared scenes and home views.

People (departments: Sales above East; Other)::

    lead      internal, role rep, leads Sales (so East too); in Sales
    rep1      internal, role rep, in Sales
    rep2      internal, role rep, in East
    outsider  internal, role rep, in Other
    pm        internal, role rep, in Other; partner manager of both dealers
    admin     the tenant's administrator; leads Other
    buyer, buyer2   interconnect users of Dealer A (role dealer)
    buyer3          interconnect user of Dealer B (role dealer)

``Deal`` is private internally and externally; the dealer role does not see its ``cost``
and cannot read ``Memo`` at all. Deals (title: owner)::

    d1: rep1, 1200.50, new        (team: buyer reads it)
    d2: rep1, 99.99, won
    d3: rep2, 5000.00, new
    d4: outsider, 10.00, new      (team: rep1 reads it)
    d5: lead, 0.01, won
    d6: buyer (owned upstream by pm), 300.00, new
    d7: buyer2, 45.55, new

Each deal has one line (``DealLine``, a detail of Deal) of quantity 1.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from hulian.engine import Engine
from tests.packs import documents, field, label, obj, options, pack_of

DEAL = obj("Deal", field("title", "text"),
           field("amount", "currency", precision=18, scale=2),
           field("cost", "currency", precision=18, scale=2),
           field("stage", "picklist", options=options("new", "won", "lost")),
           field("closes_on", "date"),
           field("margin", "currency", precision=18, scale=2, formula="amount - cost",
                 blank_as="zero"),
           name_field="title",
           data_permission={"internal": "private", "external": "private"})
LINE = obj("DealLine", field("deal", "master_detail", target="Deal", relationship_name="lines"),
           field("quantity", "number", precision=9, scale=0), field("label", "text"),
           name_field="label")
MEMO = obj("Memo", field("name", "text"))

ALL = {"create": True, "read": True, "edit": True}
SCENES: dict[str, Any] = {
    "big_deals": {"api_name": "big_deals", "object": "Deal", "label": label("Big deals"),
                  "filter": "amount >= 1000", "columns": ["title", "amount"],
                  "sort": ["-amount"]},
    "my_open": {"api_name": "my_open", "object": "Deal", "label": label("My open"),
                "filter": "owner_id = $User.id && !ISPICKVAL(stage, 'won')",
                "visible_to": {"roles": ["rep"]}},
    "new_for_dealers": {"api_name": "new_for_dealers", "object": "Deal",
                        "label": label("New (dealers)"), "filter": "ISPICKVAL(stage, 'new')",
                        "visible_to": {"users": "interconnect"}},
    "dealer_role": {"api_name": "dealer_role", "object": "Deal", "label": label("Dealer role"),
                    "visible_to": {"roles": ["dealer"]}, "sort": "title"},
    "cheap": {"api_name": "cheap", "object": "Deal", "label": label("Cheap to make"),
              "filter": "cost < 50", "columns": ["title", "cost"], "sort": ["cost"]},
    "directors": {"api_name": "directors", "object": "Deal", "label": label("Directors"),
                  "visible_to": {"roles": ["director"]}},
}
HOME: dict[str, Any] = {
    "rep_web": {"api_name": "rep_web", "label": label("Rep home"), "channel": "web",
                "roles": ["rep"], "widgets": [
                    {"kind": "text", "text": label("Quarter ends Friday")},
                    {"kind": "metric", "label": label("My pipeline"), "object": "Deal",
                     "scene": "mine", "function": "SUM", "field": "amount"},
                    {"kind": "metric", "label": label("Deals"), "object": "Deal",
                     "scene": "all", "function": "COUNT"},
                    {"kind": "scene_list", "object": "Deal", "scene": "big_deals", "rows": 2},
                    {"kind": "quick_create", "objects": ["Deal", "Memo"]},
                    {"kind": "app_tiles"}]},
    "dealer_mobile": {"api_name": "dealer_mobile", "label": label("Dealer home"),
                      "channel": "mobile", "roles": ["dealer"], "widgets": [
                          {"kind": "scene_list", "object": "Deal", "scene": "mine"},
                          {"kind": "metric", "object": "Deal", "scene": "all",
                           "function": "SUM", "field": "amount"},
                          {"kind": "metric", "object": "Deal", "scene": "all",
                           "function": "SUM", "field": "cost"},
                          {"kind": "metric", "object": "Deal", "scene": "big_deals",
                           "function": "AVG", "field": "amount"},
                          {"kind": "scene_list", "object": "Deal", "scene": "my_open"},
                          {"kind": "scene_list", "object": "Memo", "scene": "all"},
                          {"kind": "metric", "object": "Memo", "scene": "all",
                           "function": "COUNT"},
                          {"kind": "quick_create", "objects": ["Deal", "Memo"]},
                          {"kind": "quick_create", "objects": ["Memo"]},
                          {"kind": "app_tiles"}]},
    "everyone": {"api_name": "everyone", "label": label("Welcome"), "channel": "web",
                 "default": True, "widgets": [{"kind": "text", "text": label("Welcome")}]},
}


def pack_documents(scenes: bool = True, home: bool = True) -> dict[str, Any]:
    docs = documents(DEAL, LINE, MEMO)
    docs["roles/rep.json"] = {"api_name": "rep", "label": label("Rep"), "kind": "internal",
                              "objects": {"Deal": ALL, "DealLine": ALL, "Memo": ALL}}
    docs["roles/director.json"] = {"api_name": "director", "label": label("Director"),
                                   "kind": "internal", "objects": {"Deal": ALL}}
    docs["roles/dealer.json"] = {
        "api_name": "dealer", "label": label("Dealer"), "kind": "interconnect",
        "objects": {"Deal": {**ALL, "fields": {"cost": "hidden", "margin": "hidden"}},
                    "DealLine": ALL}}
    docs["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                                "objects": ["Deal", "DealLine"], "roles": ["dealer"]}
    docs["apps/service.json"] = {"api_name": "service", "label": label("Service"),
                                 "objects": ["Memo"], "roles": []}
    if scenes:
        docs.update({f"scenes/{k}.json": copy.deepcopy(v) for k, v in SCENES.items()})
    if home:
        docs.update({f"home/{k}.json": copy.deepcopy(v) for k, v in HOME.items()})
    return docs


DEALS = [  # title, creator, amount, cost, stage
    ("d1", "rep1", "1200.50", "600.25", "new"),
    ("d2", "rep1", "99.99", "20.00", "won"),
    ("d3", "rep2", "5000.00", "4000.00", "new"),
    ("d4", "outsider", "10.00", "1.00", "new"),
    ("d5", "lead", "0.01", "0.01", "won"),
    ("d6", "buyer", "300.00", None, "new"),
    ("d7", "buyer2", "45.55", "45.00", "new"),
]


def build(engine: Engine, tenant: str, **parts: bool) -> dict[str, str]:
    """Deploy, people and deals as in the module's docstring; deal ids by title."""
    engine.metadata(tenant).deploy(pack_of(pack_documents(**parts)))
    staff = engine.people(tenant)
    for name, parent in (("Sales", None), ("East", "Sales"), ("Other", None)):
        staff.create_department(name, parent=parent)
    for username, department in (("lead", "Sales"), ("rep1", "Sales"), ("rep2", "East"),
                                 ("outsider", "Other"), ("pm", "Other")):
        staff.create_user(username, department=department, roles=["rep"])
    staff.set_department_leader("Sales", "lead")
    staff.set_department_leader("Other", "admin")
    staff.create_enterprise("Dealer A", partner_manager="pm")
    staff.create_enterprise("Dealer B", partner_manager="pm")
    for username, enterprise in (("buyer", "Dealer A"), ("buyer2", "Dealer A"),
                                 ("buyer3", "Dealer B")):
        staff.create_user(username, enterprise=enterprise, roles=["dealer"])
    ids: dict[str, str] = {}
    for title, creator, amount, cost, stage in DEALS:
        with engine.session(tenant, creator) as s:
            values: dict[str, Any] = {"title": title, "amount": amount, "stage": stage}
            if cost is not None and creator not in ("buyer", "buyer2"):
                values["cost"] = cost
            ids[title] = s.create("Deal", values)["id"]
            s.create("DealLine", {"deal": ids[title], "quantity": 1, "label": f"{title}/1"})
    with engine.session(tenant) as s:  # the dealers' deals get their costs upstream
        for title, creator, _amount, cost, _stage in DEALS:
            if cost is not None and creator in ("buyer", "buyer2"):
                s.update("Deal", ids[title], {"cost": cost})
    with engine.session(tenant, "rep1") as s:
        s.share("Deal", ids["d1"], "buyer", access="read")
    with engine.session(tenant, "outsider") as s:
        s.share("Deal", ids["d4"], "rep1", access="read")
    return ids


def amounts(*titles: str) -> Decimal:
    """The sum of the amounts of the deals ``titles``, by hand."""
    return sum((Decimal(a) for t, _c, a, _x, _s in DEALS if t in titles), Decimal(0))


def titles(records: Any) -> set[str]:
    return {r["title"] for r in records}
