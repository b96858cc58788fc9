"""A small tenant that uses every per-tenant system table, for the tests of where those
tables live (test_system_migration_0008.py, test_tenant_self_contained.py).

People of each tenant::

    seller   internal, role seller: owns the tickets
    peer     internal: in the related team of the first ticket (read)
    auditor  internal, role auditor: sees the sellers' tickets by a sharing rule
    newbie   internal, no role but member
    buyer, buyer2   interconnect users of Dealer (role dealer); Dealer reads every
                    ticket of its enterprise by an override (company_read)

Tickets are private internally and externally, numbered ``T-0001``, ``T-0002``...
(auto-number). The seller keeps a personal scene ``first`` (the ticket T-0001).
"""

from __future__ import annotations

from typing import Any

from hulian.engine import Engine
from tests.packs import documents, field, label, obj, pack_of

TICKET = obj("Ticket", field("number", "auto_number", format="T-{0000}"),
             field("subject", "text"), name_field="number",
             data_permission={"internal": "private", "external": "private"},
             sharing_rules=[{"api_name": "sellers_to_auditors",
                             "owned_by": {"role": "seller"},
                             "share_with": {"role": "auditor"}, "access": "read"}])
DOCS = documents(TICKET)
_ALL = {"Ticket": {"create": True, "read": True, "edit": True}}
DOCS["roles/seller.json"] = {"api_name": "seller", "label": label("seller"),
                             "kind": "internal", "objects": _ALL}
DOCS["roles/auditor.json"] = {"api_name": "auditor", "label": label("auditor"),
                              "kind": "internal", "objects": {"Ticket": {"read": True}}}
DOCS["roles/dealer.json"] = {"api_name": "dealer", "label": label("dealer"),
                             "kind": "interconnect", "objects": _ALL}
DOCS["apps/service.json"] = {"api_name": "service", "label": label("Service"),
                             "objects": ["Ticket"], "roles": ["dealer"]}
PACK = pack_of(DOCS)


def build(engine: Engine, tenant: str, tickets: int = 2) -> dict[str, Any]:
    """Deploy and people as above; ``tickets`` tickets by the seller (the first shared
    with peer) and one by buyer. Returns ticket ids by number."""
    engine.metadata(tenant).deploy(PACK)
    engine.people(tenant).create_user("seller", roles=["seller"])
    engine.people(tenant).create_user("peer")
    engine.people(tenant).create_user("auditor", roles=["auditor"])
    engine.people(tenant).create_user("newbie")
    engine.people(tenant).create_enterprise("Dealer", partner_manager="seller")
    engine.people(tenant).set_enterprise_permission("Dealer", "Ticket", "company_read")
    for name in ("buyer", "buyer2"):
        engine.people(tenant).create_user(name, enterprise="Dealer", roles=["dealer"])
    ids = {}
    with engine.session(tenant, "seller") as s:
        for i in range(tickets):
            made = s.create("Ticket", {"subject": f"ticket {i + 1}"})
            ids[made["number"]] = made["id"]
        s.share("Ticket", ids["T-0001"], "peer", access="read")
        s.save_scene("Ticket", "first", label="First", filter="number = 'T-0001'")
    with engine.session(tenant, "buyer") as s:
        made = s.create("Ticket", {"subject": "from the dealer"})
        ids[made["number"]] = made["id"]
    return ids


def visible(engine: Engine, tenant: str, user: str) -> set[str]:
    """The numbers of the tickets ``user`` reads."""
    with engine.session(tenant, user) as s:
        return {r["number"] for r in s.query("Ticket", limit=100)}


def editable(engine: Engine, tenant: str, user: str, ticket: str) -> bool:
    """Whether ``user`` may edit the ticket with id ``ticket`` (the edit is rolled back)."""
    from hulian.engine import NotFoundError, PermissionDenied

    try:
        with engine.session(tenant, user) as s:
            s.update("Ticket", ticket, {"subject": "edited"})
            raise _Undo
    except _Undo:
        return True
    except (PermissionDenied, NotFoundError):
        return False


class _Undo(Exception):
    """Rolls back the session of :func:`editable`."""
