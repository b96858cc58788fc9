"""What the two flow editors (:mod:`~hulian.runtime.setup.flows_approval`,
:mod:`~hulian.runtime.setup.flows_automation`) share: rows of inputs, the people a step or
a notification names, field updates, and where the deploy's problems go.

Each editor turns a flow document into a *view* (plain dicts the template only shows,
with blank rows to fill) and a posted form back into a document. Rows left blank are
ignored; a row filled in part is kept, so that the deploy says what it misses beside the
row's inputs. A problem at a JSON pointer of the document reaches its input through a
:class:`RowPlace` per row (``/steps/1/criteria`` -> ``step1_criteria``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hulian.metadata.overlay_edits import Place
from hulian.metadata.problems import Problem
from hulian.runtime.setup.flow import Problems

__all__ = ["APPROVER_KEYS", "MAX_ROWS", "RECIPIENT_KEYS", "Form", "RowPlace", "field_updates",
           "i18n_view", "parse_parties", "parse_updates", "parties_view", "row_count", "rows",
           "text", "within"]

MAX_ROWS = 40
"""At most this many rows of one kind are read from a form."""

APPROVER_KEYS = ("user", "role", "department_leader", "partner_manager", "enterprise_role")
RECIPIENT_KEYS = ("owner", "user", "role", "partner_manager", "enterprise_role")


class Form(Protocol):
    """A posted form (Starlette's ``FormData``)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


@dataclass(frozen=True)
class RowPlace(Place):
    """A row of the form: a problem at or under ``pointer`` goes to the input
    ``<prefix><key>`` (``key``: the first key below the pointer; the row itself:
    ``<prefix>row``)."""

    prefix: str = ""

    def input_of(self, problem: Problem) -> str | None:
        key = super().input_of(problem)
        return None if key is None else self.prefix + (key or "row")


def within(problems: Problems, slots: Iterable[str]) -> Problems:
    """``problems`` with those of inputs the page does not show moved to the general list,
    so that none is lost."""
    shown = set(slots)
    kept = {k: v for k, v in problems.by_input.items() if k in shown}
    others = [text for k, v in problems.by_input.items() if k not in shown for text in v]
    return Problems(kept, [*problems.general, *others])


def text(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def row_count(form: Form, name: str) -> int:
    """The number of rows the form says it has (``rows_<name>``), at most MAX_ROWS."""
    found = text(form, f"rows_{name}")
    return min(int(found), MAX_ROWS) if found.isdigit() else 0


def rows(existing: list[Any], blank: int, limit: int = MAX_ROWS) -> int:
    """How many rows a form shows: the existing ones and ``blank`` more, within limit."""
    return max(len(existing), min(len(existing) + blank, limit))


def i18n_view(value: Any) -> tuple[str, str]:
    found = value if isinstance(value, Mapping) else {}
    return str(found.get("zh", "")), str(found.get("en", ""))


# -- people: approvers and recipients ---------------------------------------------------------

def parties_view(parties: Any) -> dict[str, Any]:
    """Approvers or recipients as the inputs show them: ``users`` (comma separated),
    ``roles`` and ``enterprise_roles`` (lists), ``department_leader`` (text),
    ``partner_manager`` and ``owner`` (booleans)."""
    view: dict[str, Any] = {"users": [], "roles": [], "enterprise_roles": [],
                            "department_leader": "", "partner_manager": False, "owner": False}
    for party in parties if isinstance(parties, list) else []:
        if not isinstance(party, Mapping):
            continue
        for key, value in party.items():
            if key == "user":
                view["users"].append(str(value))
            elif key in ("role", "enterprise_role"):
                view[f"{key}s"].append(str(value))
            elif key == "department_leader":
                view["department_leader"] = str(value)
            elif key in ("partner_manager", "owner"):
                view[key] = value is True
    view["users"] = ", ".join(view["users"])
    return view


def parse_parties(form: Form, prefix: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The approvers (``keys`` = APPROVER_KEYS) or recipients (RECIPIENT_KEYS) of a row,
    in the order of ``keys``."""
    found: list[dict[str, Any]] = []
    for key in keys:
        if key in ("owner", "partner_manager"):
            if form.get(f"{prefix}{key}") == "true":
                found.append({key: True})
        elif key == "user":
            found += [{"user": name} for name in re.split(r"[,\s，]+", text(form,
                                                                          f"{prefix}users"))
                      if name]
        elif key == "department_leader":
            level = text(form, f"{prefix}department_leader")
            if level:
                found.append({key: int(level) if level.isdigit() else level})
        else:
            found += [{key: str(name)} for name in form.getlist(f"{prefix}{key}s") if name]
    return found


# -- field updates ----------------------------------------------------------------------------

def field_updates(updates: Any, blank: int) -> list[dict[str, str]]:
    """Field updates as rows (``field``, ``value``) with ``blank`` empty rows more."""
    found = [{"field": str(u.get("field", "")), "value": str(u.get("value", ""))}
             for u in (updates if isinstance(updates, list) else []) if isinstance(u, Mapping)]
    return found + [{"field": "", "value": ""}] * (rows(found, blank) - len(found))


def parse_updates(form: Form, name: str, file: str, pointer: str
                  ) -> tuple[list[dict[str, str]], list[Place]]:
    """The field updates of rows ``<name><i>_field`` / ``_value`` (blank rows skipped) and
    the place of each, ``pointer`` being the list's."""
    found: list[dict[str, str]] = []
    places: list[Place] = []
    for i in range(row_count(form, name)):
        field, value = text(form, f"{name}{i}_field"), text(form, f"{name}{i}_value")
        if not field and not value:
            continue
        places.append(RowPlace(file, f"{pointer}/{len(found)}", f"{name}{i}_"))
        found.append({"field": field, "value": value})
    return found, places
