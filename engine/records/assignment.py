"""Assigning records to downstream enterprises (分配给下游): ``out_tenant_id`` and
``out_owner_id`` written by upstream users.

What an interconnect user creates belongs to their enterprise and to them
(:mod:`hulian.engine.records.prepare`). An upstream user may also hand a record down, as a
Salesforce user gives a lead to a partner user or a Fxiaoke user assigns it to a
downstream enterprise: a work order dispatched to a service provider, a lead distributed
to an agent. The write names

- ``out_owner_id``: an active interconnect user of an active enterprise; the record's
  ``out_tenant_id`` becomes that user's enterprise (a different ``out_tenant_id`` in the
  same write is ``enterprise_mismatch``);
- or ``out_tenant_id`` alone: an active enterprise; the record has no external owner
  (with the object's external level ``company_read`` or more, the enterprise's users see
  it; with ``private``, none of them until it gets an external owner);
- null: the record is taken back upstream (both columns cleared).

The write needs the rights of any write (edit access to the record). Interconnect users
cannot write either column (:mod:`hulian.engine.records.access`); a detail's columns
follow its master's (``read_only``), and a master's assignment is pushed down to its
details like its owner.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import FieldError
from hulian.engine.records.context import Context
from hulian.engine.records.plan import write_plan
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.system.tenant_tables import tables_of

__all__ = ["ASSIGNMENT", "check_assignment"]

ASSIGNMENT = ("out_tenant_id", "out_owner_id")


def check_assignment(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                     errors: list[FieldError], inputs: list[Any], *, creating: bool) -> None:
    """Check each row's ``out_owner_id`` / ``out_tenant_id`` and complete the pair.

    A detail's are its master's, copied by
    :func:`~hulian.engine.records.masters.follow_masters` (which refuses them in a new
    detail's input); ``inputs`` (what the user sent) tell an update naming them."""
    assigning = [(i, row) for i, row in enumerate(rows)
                 if "out_tenant_id" in row or "out_owner_id" in row]  # ASSIGNMENT
    if not assigning:
        return
    if write_plan(ctx.schema, obj.api_name).master is not None:
        if creating:
            return
        for i, _row in assigning:
            sent = inputs[i] if i < len(inputs) and isinstance(inputs[i], dict) else {}
            for key in ASSIGNMENT:
                if key in sent:
                    errors.append(FieldError(
                        key, "read_only", f"a {obj.api_name} record is assigned with its master",
                        "assign the master record; its details follow", row=i))
        return
    tables = tables_of(ctx.conn, ctx.schema.tenant)
    users, enterprises = tables.users, tables.enterprises
    wanted_users = {row["out_owner_id"] for _, row in assigning
                    if isinstance(row.get("out_owner_id"), str)}
    wanted_enterprises = {row["out_tenant_id"] for _, row in assigning
                          if isinstance(row.get("out_tenant_id"), str)}
    members: dict[str, str] = {}
    if wanted_users:
        members = {r.id: r.enterprise_id for r in ctx.conn.execute(
            sa.select(users.c.id, users.c.enterprise_id)
            .join(enterprises, enterprises.c.id == users.c.enterprise_id)
            .where(users.c.id.in_(sorted(wanted_users)), users.c.is_active == sa.true(),
                   enterprises.c.is_active == sa.true()))}
    active: set[str] = set()
    if wanted_enterprises:
        active = set(ctx.conn.scalars(sa.select(enterprises.c.id).where(
            enterprises.c.id.in_(sorted(wanted_enterprises)),
            enterprises.c.is_active == sa.true())))
    for i, row in assigning:
        _complete(row, members, active, errors, i)


def _complete(row: dict[str, Any], members: dict[str, str], active: set[str],
              errors: list[FieldError], i: int) -> None:
    owner, enterprise = row.get("out_owner_id"), row.get("out_tenant_id")
    if "out_owner_id" in row and owner is not None:
        if owner not in members:
            errors.append(FieldError(
                "out_owner_id", "unknown_user",
                f"there is no active interconnect user with id {owner!r}", row=i,
                hint="give the id of a user of an active downstream enterprise, or null "
                     "to take the record back upstream"))
            return
        if enterprise is not None and "out_tenant_id" in row and enterprise != members[owner]:
            errors.append(FieldError(
                "out_tenant_id", "enterprise_mismatch",
                f"the user {owner!r} is not of the enterprise {enterprise!r}", row=i,
                hint="leave out_tenant_id out: it follows the external owner"))
            return
        row["out_tenant_id"] = members[owner]
    elif "out_owner_id" in row:  # null: taken back upstream
        if enterprise is not None:
            errors.append(FieldError(
                "out_tenant_id", "enterprise_mismatch",
                "a record taken back upstream (out_owner_id null) has no enterprise", row=i,
                hint="give out_tenant_id alone to assign the record to an enterprise"))
            return
        row["out_tenant_id"] = None
    elif enterprise is not None:
        if enterprise not in active:
            errors.append(FieldError(
                "out_tenant_id", "unknown_enterprise",
                f"there is no active downstream enterprise with id {enterprise!r}", row=i,
                hint="give the id of an active enterprise (GET /api/v1/admin/enterprises)"))
            return
        row["out_owner_id"] = None
    else:  # out_tenant_id null alone
        row["out_owner_id"] = None
