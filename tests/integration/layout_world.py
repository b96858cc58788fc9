"""A tenant with layouts, for the layout tests (test_layouts.py, test_rest_layouts.py): no
tests here.

``Deal`` has three business types (``standard``, ``sample``, the inactive ``legacy``), a
field dependency (region -> city), a formula field, a custom action (``approve``) and two
children: ``DealNote`` (``notes``) and ``DealCost`` (``costs``, which only managers read).
Roles: ``seller`` (``margin`` hidden, ``note`` read-only), ``sampler``, ``manager`` (every
action) and the interconnect ``dealer`` (``margin`` hidden). Users: one per role, ``both``
(seller and sampler), ``pm`` and the dealer's ``buyer``.

Layouts of Deal (detail, web unless said):

=====================  ==============================  =====================================
layout                 assigned to                     what it marks
=====================  ==============================  =====================================
deal_default           default                         status and reference_no required
deal_seller            role seller                     region required, status read-only
deal_sampler           role sampler                    -
deal_seller_sample     role seller + type sample       channels read-only, reference_no
                                                       required
deal_sample            type sample                     -
deal_dealer_mobile     role dealer (mobile)            status required
deal_list              default (list)                  columns name, status, margin, region
=====================  ==============================  =====================================
"""

from __future__ import annotations

from typing import Any

from tests.packs import documents, field, label, obj, options, pack_of

DEAL = obj(
    "Deal",
    field("name", "text", required=True),
    field("status", "picklist",
          options=options("draft", "open", "won", "lost", "sample", "closed",
                          inactive=("closed",))),
    field("channels", "multi_picklist", options=options("web", "shop", "phone")),
    field("region", "picklist", options=options("east", "north")),
    field("city", "picklist", options=options("shanghai", "hangzhou", "beijing")),
    field("priority", "boolean"),
    field("note", "text"),
    field("margin", "number", precision=10, scale=2),
    field("reference_no", "text"),
    field("summary", "text", formula="name"),
    actions=[{"api_name": "approve", "label": label("Approve")}],
    business_types=[
        {"api_name": "standard", "label": label("Standard"), "default": True,
         "roles": ["seller", "manager", "dealer"],
         "options": {"status": {"values": ["draft", "open", "won", "lost"],
                                "default": "draft"}}},
        {"api_name": "sample", "label": label("Sample"), "roles": ["sampler", "manager"],
         "options": {"status": {"values": ["sample", "won"], "default": "sample"},
                     "channels": {"values": ["shop"]},
                     "city": {"values": ["shanghai", "beijing"]}}},
        {"api_name": "legacy", "label": label("Legacy"), "active": False},
    ],
    field_dependencies=[
        {"controlling": "region", "dependent": "city",
         "values": {"east": ["shanghai", "hangzhou"], "north": ["beijing"]}},
    ],
)
NOTE = obj("DealNote", field("name", "text"),
           field("deal", "lookup", target="Deal", relationship_name="notes"),
           field("internal", "text"))
COST = obj("DealCost", field("name", "text"),
           field("deal", "lookup", target="Deal", relationship_name="costs"),
           field("amount", "currency", precision=12, scale=2))


def _role(name: str, objects: dict[str, Any], kind: str = "internal") -> dict[str, Any]:
    return {"api_name": name, "label": label(name.title()), "kind": kind, "objects": objects}


WRITE = {"create": True, "read": True, "edit": True}
ROLES = {
    "seller": _role("seller", {"Deal": {**WRITE, "fields": {"margin": "hidden",
                                                            "note": "read_only"}},
                               "DealNote": {"read": True, "fields": {"internal": "hidden"}}}),
    "sampler": _role("sampler", {"Deal": WRITE}),
    "manager": _role("manager", {
        "Deal": {**WRITE, "delete": True, "export": True, "actions": ["approve"]},
        "DealNote": {"read": True}, "DealCost": {"read": True}}),
    "dealer": _role("dealer", {"Deal": {**WRITE, "fields": {"margin": "hidden"}},
                               "DealNote": {"read": True}}, kind="interconnect"),
}


def section(name: str, *fields: Any) -> dict[str, Any]:
    return {"api_name": name, "label": label(name.title()), "fields": list(fields)}


def layout(name: str, *sections: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"api_name": name, "object": "Deal", "label": label(name), **extra,
            "sections": list(sections)}


LAYOUTS = {
    "deal_default": layout(
        "deal_default",
        section("main", "name", {"field": "status", "required": True}, "channels", "region",
                "city", "note", "margin", "summary", {"field": "reference_no",
                                                       "required": True}),
        section("more", "priority", "created_at", "owner_id"),
        default=True,
        related_lists=[{"relationship": "notes", "columns": ["name", "internal", "created_at"],
                        "sort": "-created_at", "page_size": 5},
                       {"relationship": "costs", "columns": ["name", "amount"]}],
        buttons=["new", "edit", "delete", "clone", "export", "restore", "share", "approve"]),
    "deal_seller": layout(
        "deal_seller",
        section("main", "name", {"field": "region", "required": True}, "city",
                {"field": "status", "read_only": True}, "note", "owner_id"),
        section("secret", "margin"),
        assignments=[{"role": "seller"}],
        related_lists=[{"relationship": "notes", "columns": ["name", "internal"],
                        "sort": ["internal", "-created_at"]},
                       {"relationship": "costs", "columns": ["name"]}],
        buttons=["new", "edit", "delete", "approve"]),
    "deal_sampler": layout("deal_sampler", section("main", "name", "status", "channels"),
                           assignments=[{"role": "sampler"}], buttons=["new", "edit"]),
    "deal_seller_sample": layout(
        "deal_seller_sample",
        section("main", "name", {"field": "channels", "read_only": True}, "status",
                {"field": "reference_no", "required": True}, "region", "city"),
        section("secret", "margin"),
        assignments=[{"role": "seller", "business_type": "sample"}], buttons=["new", "edit"]),
    "deal_sample": layout("deal_sample",
                          section("main", "name", "status", "channels", "region", "city"),
                          assignments=[{"business_type": "sample"}]),
    "deal_dealer_mobile": layout(
        "deal_dealer_mobile",
        section("main", "name", {"field": "status", "required": True}, "margin"),
        channel="mobile", assignments=[{"role": "dealer"}], buttons=["new", "edit"]),
    "deal_list": {"api_name": "deal_list", "object": "Deal", "kind": "list",
                  "label": label("Deals"), "default": True,
                  "columns": ["name", "status", "margin", "region"],
                  "card": {"title": "name", "fields": ["status", "margin"]}},
}


def world_documents() -> dict[str, Any]:
    docs = documents(DEAL, NOTE, COST)
    for name, role in ROLES.items():
        docs[f"roles/{name}.json"] = role
    docs["apps/deals.json"] = {"api_name": "deals", "label": label("Deals"),
                               "objects": ["Deal", "DealNote"], "roles": ["dealer"]}
    for name, doc in LAYOUTS.items():
        docs[f"layouts/{name}.json"] = doc
    return docs


def build(engine: Any, tenant: str) -> None:
    engine.metadata(tenant).deploy(pack_of(world_documents()))
    people = engine.people(tenant)
    for name in ("seller", "sampler", "manager"):
        people.create_user(name, roles=[name])
    people.create_user("both", roles=["seller", "sampler"])
    people.create_user("pm")
    people.create_enterprise("Dealer A", partner_manager="pm")
    people.create_user("buyer", enterprise="Dealer A", roles=["dealer"])
