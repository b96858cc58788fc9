"""Sharing rules (``sharing_rules`` of an object) as SQL conditions for one reader.

A rule applies to a reader it shares with (``share_with``: a department, at any depth
below it; a role; a downstream enterprise). It then opens the records it covers:
``owned_by`` a department (at any depth) or a role, or matching ``criteria``, a boolean
formula evaluated in SQL as a subquery over the object, whatever the reader may see
of the records it reads through lookups (like a validation rule, it is the system's
view). A rule with ``"access": "read"`` never opens records for editing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system import roles
from hulian.engine.system.people import DepartmentTree
from hulian.engine.system.tenant_tables import tenant_tables
from hulian.metadata.model import SharingRule


def applies(rule: SharingRule, *, departments: set[str], role_names: frozenset[str],
            enterprise_name: str | None, tree: DepartmentTree) -> bool:
    """Whether ``rule`` shares with a reader in ``departments`` (their own and those above
    it), with ``role_names``, of the enterprise ``enterprise_name``."""
    ((kind, name),) = rule.share_with.items()
    if kind == "department":
        found = tree.names.get(name)
        return found is not None and found in departments
    if kind == "role":
        return name in role_names
    return kind == "enterprise" and enterprise_name is not None and name == enterprise_name


def condition(rule: SharingRule, schema: CompiledSchema, obj: CompiledObject, table: Any,
              tree: DepartmentTree) -> Any:
    """The records of ``obj`` (``table``: it or an alias) that ``rule`` covers."""
    if rule.owned_by is not None:
        ((kind, name),) = rule.owned_by.items()
        if kind == "department":
            found = tree.names.get(name)
            if found is None:
                return sa.false()
            users = tenant_tables(schema.dialect, schema.tenant).users
            owners = sa.select(users.c.id).where(
                users.c.department_id.in_(sorted(tree.below({found}))))
        else:
            owners = roles.users_with(tenant_tables(schema.dialect, schema.tenant), name)
        return table.c.owner_id.in_(owners.correlate(None))
    return table.c.id.in_(criteria_records(schema, obj, rule.api_name))


def criteria_records(schema: CompiledSchema, obj: CompiledObject, rule: str) -> sa.Select:
    """The live records of ``obj`` matching the criteria of the sharing rule ``rule``
    (compiled with the schema's other formulas), as the system sees them."""
    from hulian.engine.formulas.select import base_select
    from hulian.engine.records.filters import compiled_filter

    select = base_select(schema, obj)
    formula = schema.formulas[obj.api_name].sharing_criteria[rule]
    matches = compiled_filter(select, formula)  # first: compiling adds the joins it needs
    return sa.select(obj.table.c.id).select_from(select.from_clause()).where(
        matches, obj.table.c.is_deleted == sa.false()).correlate(None)
