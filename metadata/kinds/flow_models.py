"""The typed models of flows (``flows/<api_name>.json``, :mod:`hulian.metadata.kinds.flows`).

A :class:`Flow` is an approval process (``flow.approval``: an :class:`ApprovalProcess`) or
an automation (``flow.automation``: an :class:`Automation`); the other one is None. Formulas
stay texts here: the engine compiles them against the object (once per compiled object).
A :class:`FlowSwitch` is what a tenant's overlay writes to switch a pack's flow off or on
(``{"api_name": "order_approval", "active": false}``); merging applies it to the pack's
flow, so merged metadata (``schema.pack.part("flow")``) holds :class:`Flow` models only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from hulian.metadata.kinds.base import Document
from hulian.metadata.model import frozen_map

__all__ = ["ActivityAction", "ApprovalActions", "ApprovalProcess", "ApprovalStep", "Automation",
           "AutomationAction", "CreateRecordAction", "FieldUpdate", "FieldUpdateAction",
           "Flow", "FlowSwitch", "Lock", "NotifyAction", "Party", "ScheduledAction",
           "WebhookEventAction", "build_flow", "party"]

PartyKind = Literal["user", "role", "department_leader", "partner_manager", "enterprise_role",
                    "owner"]


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Party:
    """An approver or a notification's recipient: ``kind`` is the one key of its object.

    ``user`` (``name``: a username), ``role`` (``name``: an internal role; its holders),
    ``department_leader`` (``levels``: 1 = the leader of the submitter's own department),
    ``partner_manager`` (of the record's downstream enterprise), ``enterprise_role``
    (``name``: an interconnect role; its holders in the record's downstream enterprise),
    ``owner`` (recipients only: the record's owner).
    """

    kind: PartyKind
    name: str | None = None
    levels: int | None = None


@dataclass(frozen=True)
class FieldUpdate:
    """Set ``field`` of the record to the value of the formula ``value``."""

    field: str
    value: str


@dataclass(frozen=True)
class ApprovalStep:
    api_name: str
    approvers: tuple[Party, ...]
    label: Mapping[str, str] = field(default_factory=_empty)
    criteria: str | None = None
    """A boolean formula; false at submit: the step is skipped."""
    decision: Literal["any", "all"] = "any"
    """any: one approval decides the step; all: every approver must approve."""


@dataclass(frozen=True)
class Lock:
    details: bool = True
    """The record's master-detail details are locked with it."""
    approvers_may_edit: bool = False
    """The current step's approvers may edit the record while it is pending."""
    when_approved: bool = True
    """An approved record stays locked (Salesforce's final approval lock)."""


@dataclass(frozen=True)
class ApprovalActions:
    """Field updates on the record per event (``approve``: after the last step)."""

    submit: tuple[FieldUpdate, ...] = ()
    approve: tuple[FieldUpdate, ...] = ()
    reject: tuple[FieldUpdate, ...] = ()
    recall: tuple[FieldUpdate, ...] = ()

    def on(self, event: Literal["submit", "approve", "reject", "recall"]
           ) -> tuple[FieldUpdate, ...]:
        result: tuple[FieldUpdate, ...] = getattr(self, event)
        return result


@dataclass(frozen=True)
class ApprovalProcess:
    steps: tuple[ApprovalStep, ...]
    entry_criteria: str | None = None
    lock: Lock = Lock()
    actions: ApprovalActions = ApprovalActions()


@dataclass(frozen=True)
class FieldUpdateAction:
    """Set ``field`` of the record (``target`` record) or of its master-detail parent
    (``target`` master; ``master_field`` names the master-detail field, None: the
    object's only one)."""

    field: str
    value: str
    target: Literal["record", "master"] = "record"
    master_field: str | None = None
    type: Literal["field_update"] = "field_update"


@dataclass(frozen=True)
class CreateRecordAction:
    """Create a record of ``object``; ``values``: its field -> a formula over the
    triggering record."""

    object: str
    values: Mapping[str, str]
    type: Literal["create_record"] = "create_record"


@dataclass(frozen=True)
class ActivityAction:
    kind: Literal["call", "visit", "note"]
    text: str
    """A text formula."""
    type: Literal["activity"] = "activity"


@dataclass(frozen=True)
class NotifyAction:
    to: tuple[Party, ...]
    title: str
    """A text formula."""
    body: str
    """A text formula."""
    type: Literal["notify"] = "notify"


@dataclass(frozen=True)
class WebhookEventAction:
    event: str
    """The outbox event's name (``order_approved``)."""
    type: Literal["webhook_event"] = "webhook_event"


AutomationAction = (FieldUpdateAction | CreateRecordAction | ActivityAction | NotifyAction
                    | WebhookEventAction)


@dataclass(frozen=True)
class ScheduledAction:
    """``actions`` run at the record's ``field`` (a date or datetime) + ``offset_days``."""

    api_name: str
    field: str
    offset_days: int
    actions: tuple[AutomationAction, ...]


@dataclass(frozen=True)
class Automation:
    trigger: Literal["create", "update", "create_or_update", "becomes_true"]
    condition: str | None = None
    """A boolean formula (ISNEW, ISCHANGED, PRIORVALUE allowed); None: always."""
    actions: tuple[AutomationAction, ...] = ()
    scheduled: tuple[ScheduledAction, ...] = ()


@dataclass(frozen=True)
class Flow(Document):
    type: Literal["approval", "automation"] = "approval"
    object: str = ""
    label: Mapping[str, str] = field(default_factory=_empty)
    active: bool = True
    description: str | None = None
    approval: ApprovalProcess | None = None
    """The approval process (``type`` approval), else None."""
    automation: Automation | None = None
    """The automation (``type`` automation), else None."""


@dataclass(frozen=True)
class FlowSwitch(Document):
    """A tenant overlay's switch of a pack's flow (only in an overlay read on its own)."""

    active: bool = True


def party(raw: Mapping[str, Any]) -> Party:
    """The model of one party as a flow document declares it (``{"role": "x"}``)."""
    kind, value = next(iter(raw.items()))
    if kind == "department_leader":
        return Party("department_leader", levels=value)
    return Party(kind, value if isinstance(value, str) else None)


def _updates(raw: Any) -> tuple[FieldUpdate, ...]:
    return tuple(FieldUpdate(u["field"], u["value"]) for u in raw or ())


def _action(raw: Mapping[str, Any]) -> AutomationAction:
    kind = raw["type"]
    if kind == "field_update":
        return FieldUpdateAction(raw["field"], raw["value"], raw.get("target", "record"),
                                 raw.get("master_field"))
    if kind == "create_record":
        return CreateRecordAction(raw["object"], frozen_map(raw["values"]))
    if kind == "activity":
        return ActivityAction(raw["kind"], raw["text"])
    if kind == "notify":
        return NotifyAction(tuple(party(r) for r in raw["to"]), raw["title"], raw["body"])
    return WebhookEventAction(raw["event"])


def _approval(doc: Mapping[str, Any]) -> ApprovalProcess:
    lock = doc.get("lock") or {}
    actions = doc.get("actions") or {}
    steps = tuple(ApprovalStep(s["api_name"], tuple(party(a) for a in s["approvers"]),
                               frozen_map(s.get("label")), s.get("criteria"),
                               s.get("decision", "any"))
                  for s in doc["steps"])
    return ApprovalProcess(
        steps, doc.get("entry_criteria"),
        Lock(lock.get("details", True), lock.get("approvers_may_edit", False),
             lock.get("when_approved", True)),
        ApprovalActions(*(_updates(actions.get(event))
                          for event in ("submit", "approve", "reject", "recall"))))


def _automation(doc: Mapping[str, Any]) -> Automation:
    return Automation(
        doc["trigger"], doc.get("condition"),
        tuple(_action(a) for a in doc.get("actions") or ()),
        tuple(ScheduledAction(s["api_name"], s["field"], s["offset_days"],
                              tuple(_action(a) for a in s["actions"]))
              for s in doc.get("scheduled") or ()))


def build_flow(doc: Mapping[str, Any], source: str, document: Mapping[str, Any]
               ) -> Flow | FlowSwitch:
    """The model of a valid flow document (``document``: it without ``$schema``)."""
    if "type" not in doc:
        return FlowSwitch(doc["api_name"], source, document, active=doc.get("active", True))
    is_approval = doc["type"] == "approval"
    return Flow(doc["api_name"], source, document, type=doc["type"], object=doc["object"],
                label=frozen_map(doc["label"]), active=doc.get("active", True),
                description=doc.get("description"),
                approval=_approval(doc) if is_approval else None,
                automation=None if is_approval else _automation(doc))
