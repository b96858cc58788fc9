"""Owner rules (负责人): who owns, upstream, a record an interconnect user creates.

A downstream user's record is owned externally by them (``out_owner_id``) and internally by
an upstream user, who (with their department's leaders) sees it under the object's internal
data permission. By default that is the creating enterprise's partner manager
(:meth:`hulian.engine.security.visibility.Visibility.new_record_owner`); an object's
``owner_rules`` choose otherwise: the first rule whose condition holds for the new record
(a rule without condition always holds) names

- ``{"user": username}``: that user, if active and internal;
- ``{"partner_manager": true}``: the partner manager (the default, spelled out);
- ``{"round_robin": {"department": name}}`` or ``{"round_robin": {"role": api_name}}``:
  the active internal users who are members of the department (not of the departments
  below it) or have the role, taking turns in username order; the turn is a counter kept with
  the tenant's auto-number counters, so it never repeats a user twice in a row, across
  processes and restarts.

A rule whose user, department or role has nobody active hands the record to the partner
manager. The owner's department becomes the record's department. Records of internal
users, and details (owned with their master), are not concerned.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.formulas.records import _Related, build_env
from hulian.engine.records.context import Context
from hulian.engine.records.plan import write_plan
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.system import people, roles
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.model import OwnerRule

__all__ = ["assign_owners"]

TURNS = "~turn"
"""The period under which round-robin counters live in the tenant's counter table."""


def assign_owners(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]]) -> None:
    """Give each new record of an interconnect user the owner its first matching rule
    names (rows already owned, e.g. by a master, keep theirs)."""
    model = obj.model
    if not model.owner_rules or not ctx.owner or ctx.owner.get("out_owner_id") is None:
        return
    formulas = ctx.schema.formulas[obj.api_name].owner_rules
    needs = write_plan(ctx.schema, obj.api_name).owner_rule_needs
    related = _Related(ctx)
    for row in rows:
        env = build_env(ctx, obj, row, None, related, needs) if formulas else {}
        for rule in model.owner_rules:
            formula = formulas.get(rule.api_name)
            if formula is not None and formula.run(env) is not True:
                continue
            owner = _owner(ctx, obj, rule)
            if owner is not None:
                row["owner_id"], row["department_id"] = owner.id, owner.department_id
            break


def _owner(ctx: Context, obj: CompiledObject, rule: OwnerRule) -> people.User | None:
    """The user ``rule`` names for one new record (None: the partner manager)."""
    tenant = ctx.schema.tenant
    target = rule.target
    if target == "user":
        found = people.find_user(ctx.conn, tenant, str(rule.owner["user"]))
        return found if found is not None and not found.is_interconnect else None
    if target != "round_robin":
        return None
    turn = rule.owner["round_robin"]
    tables = tables_of(ctx.conn, tenant)
    users, departments = tables.users, tables.departments
    query = sa.select(users.c.id).where(users.c.is_active == sa.true(),
                                        users.c.enterprise_id.is_(None))
    if "department" in turn:
        query = query.join(departments, departments.c.id == users.c.department_id).where(
            departments.c.name == turn["department"])
    else:
        query = query.where(users.c.id.in_(roles.users_with(tables, turn["role"])))
    candidates = list(ctx.conn.scalars(query.order_by(users.c.username, users.c.id)))
    if not candidates:
        return None
    index = _next_turn(ctx, obj.api_name, rule.api_name) % len(candidates)
    return people.user_by_id(ctx.conn, tenant, candidates[index])


def _next_turn(ctx: Context, object_name: str, rule: str) -> int:
    """The rule's next turn: 0, 1, 2... (one atomic upsert on the tenant's counters)."""
    sequences = tables_of(ctx.conn, ctx.schema.tenant).sequences
    insert = postgresql.insert if ctx.dialect == "postgresql" else sqlite.insert
    statement = insert(sequences).values(object=object_name, field=rule, period=TURNS,
                                         value=1).on_conflict_do_update(
        index_elements=[sequences.c.object, sequences.c.field, sequences.c.period],
        set_={"value": sequences.c.value + 1}).returning(sequences.c.value)
    return int(ctx.conn.execute(statement).scalar_one()) - 1
