"""Flows (互联流程, ``flows/<api_name>.json``): approval processes and automations of an object.

An approval process (``"type": "approval"``) takes a record through ordered steps of
approvers, with field updates on submit, approve, reject and recall, and the record
locked while pending; an automation (``"type": "automation"``, a workflow rule) runs
actions when records are created or updated, and scheduled actions relative to a date
field. The models are in :mod:`hulian.metadata.kinds.flow_models`; docs/flows.md
describes the documents::

    {"api_name": "order_approval", "type": "approval", "object": "Order",
     "label": {"zh": "订单审批", "en": "Order approval"},
     "entry_criteria": "ISPICKVAL(status, 'draft')",
     "steps": [{"api_name": "dealer_boss",
                "approvers": [{"enterprise_role": "dealer_boss"}]}],
     "actions": {"approve": [{"field": "status", "value": "'approved'"}]}}

A tenant's overlay may add flows, replace a pack's (unless locked) or switch one off with
a file of the same name holding only ``{"api_name": "order_approval", "active": false}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.metadata.kinds.base import DocumentKind, content
from hulian.metadata.kinds.flow_models import Flow, FlowSwitch, build_flow

__all__ = ["FLOWS", "FlowKind"]


class FlowKind(DocumentKind):
    name = "flow"
    folder = "flows"
    schema = "flow.schema.json"
    what = "a flow"

    def build(self, doc: Mapping[str, Any], source: str) -> Flow | FlowSwitch:
        return build_flow(doc, source, content(doc))


FLOWS = FlowKind()
