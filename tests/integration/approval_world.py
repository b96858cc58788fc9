"""A small tenant with an approval process, for the approval tests (test_approvals.py,
test_approvals_rest.py). Builds inputs; asserts nothing.

Objects::

    Deal    name, amount, status (draft, pending, approved, rejected); private inside,
            company_read_write outside; approval process deal_approval (below)
    Line    a detail (master-detail ``deal``) of Deal

deal_approval: entry ``amount > 0 && ISPICKVAL(status, 'draft')``; step ``boss`` (the
users of the interconnect role dealer_boss in the deal's enterprise; ``any``), step
``upstream`` when amount > 1000 (the partner manager and the holders of the internal role
manager, ``all``); status pending / approved / rejected / draft on submit / approve /
reject / recall; details locked.

People::

    rep          internal, role rep (everything on Deal and Line)
    mgr          internal, role manager (reads and edits Deal and Line)
    pm           internal, role rep: partner manager of Dealer A
    buyer        Dealer A, role dealer (everything on Deal and Line)
    boss, boss2  Dealer A, roles dealer and dealer_boss
    stranger     Dealer B, role dealer
"""

from __future__ import annotations

import copy
from typing import Any

from hulian.engine import Engine
from tests.packs import documents, field, label, obj, options, pack_of

DEAL = obj("Deal", field("name", "text"), field("amount", "currency", scale=2),
           field("status", "picklist", options=options("draft", "pending", "approved",
                                                       "rejected"), default="draft"),
           data_permission={"internal": "private", "external": "company_read_write"})
LINE = obj("Line", field("name", "text"), field("amount", "currency", scale=2),
           field("deal", "master_detail", target="Deal", relationship_name="deal_lines"))
ALL = {"create": True, "read": True, "edit": True, "delete": True}
EDIT = {"read": True, "edit": True}
FLOW = {"api_name": "deal_approval", "type": "approval", "object": "Deal",
        "label": label("Deal approval"),
        "entry_criteria": "amount > 0 && ISPICKVAL(status, 'draft')",
        "lock": {"details": True, "approvers_may_edit": False},
        "steps": [
            {"api_name": "boss", "label": label("Boss"),
             "approvers": [{"enterprise_role": "dealer_boss"}], "decision": "any"},
            {"api_name": "upstream", "label": label("Upstream"),
             "criteria": "amount > 1000", "decision": "all",
             "approvers": [{"partner_manager": True}, {"role": "manager"}]}],
        "actions": {"submit": [{"field": "status", "value": "'pending'"}],
                    "approve": [{"field": "status", "value": "'approved'"}],
                    "reject": [{"field": "status", "value": "'rejected'"}],
                    "recall": [{"field": "status", "value": "'draft'"}]}}


def docs(flow: dict[str, Any] | None = None) -> dict[str, Any]:
    found = documents(DEAL, LINE)
    found["roles/rep.json"] = {"api_name": "rep", "label": label("Rep"), "kind": "internal",
                               "objects": {"Deal": ALL, "Line": ALL}}
    found["roles/manager.json"] = {"api_name": "manager", "label": label("Manager"),
                                   "kind": "internal",
                                   "objects": {"Deal": EDIT, "Line": EDIT}}
    found["roles/dealer.json"] = {"api_name": "dealer", "label": label("Dealer"),
                                  "kind": "interconnect",
                                  "objects": {"Deal": ALL, "Line": ALL}}
    found["roles/dealer_boss.json"] = {"api_name": "dealer_boss", "label": label("Boss"),
                                       "kind": "interconnect",
                                       "objects": {"Deal": EDIT, "Line": EDIT}}
    found["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                                 "objects": ["Deal", "Line"],
                                 "roles": ["dealer", "dealer_boss"]}
    found["flows/deal_approval.json"] = copy.deepcopy(flow or FLOW)
    return found


def build(engine: Engine, tenant: str, flow: dict[str, Any] | None = None) -> None:
    """Deploy the objects and the process, and add the people above."""
    engine.metadata(tenant).deploy(pack_of(docs(flow)))
    people = engine.people(tenant)
    people.create_user("rep", roles=["rep"])
    people.create_user("mgr", roles=["manager"])
    people.create_user("pm", roles=["rep"])
    people.create_enterprise("Dealer A", partner_manager="pm")
    people.create_enterprise("Dealer B", partner_manager="pm")
    people.create_user("buyer", enterprise="Dealer A", roles=["dealer"])
    for name in ("boss", "boss2"):
        people.create_user(name, enterprise="Dealer A", roles=["dealer", "dealer_boss"])
    people.create_user("stranger", enterprise="Dealer B", roles=["dealer"])


def deal(engine: Engine, tenant: str, user: str, amount: str, *lines: str
         ) -> dict[str, Any]:
    """A draft deal created by ``user`` with a line of each amount (``"line_ids"``)."""
    with engine.session(tenant, user) as s:
        made = s.create("Deal", {"name": f"D{amount}", "amount": amount})
        made["line_ids"] = [s.create("Line", {"name": f"l{i}", "amount": a,
                                              "deal": made["id"]})["id"]
                            for i, a in enumerate(lines)]
    return made
