"""The system objects ``User`` and ``Department``: lookup targets and formula hops.

A custom lookup may point at a user or a department (``"target": "User"``), and
formulas walk from any record to its owner and department: ``owner.name``,
``owner.department.name``, ``created_by.username``, ``department.parent.name``. The
system objects are read-only views of the tenant's own ``hulian_users`` and
``hulian_departments``:
a subquery whose columns carry the field names, so joins, lookup checks and reads
treat them like any object table (``is_deleted`` is false for every row; an
inactive user still shows, as Salesforce shows inactive owners).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from hulian.engine.system.tenant_tables import tenant_tables
from hulian.metadata.model import Field, ObjectDef, frozen_map

CURRENT_USER = "$User"
"""Formulas' name for the user they run for: ``$User.id``, ``$User.department.name``."""

SYSTEM_HOPS = MappingProxyType({
    "owner": ("owner_id", "User"),
    "created_by": ("created_by", "User"),
    "updated_by": ("updated_by", "User"),
    "department": ("department_id", "Department"),
})
"""On every object: the relationship names formulas follow -> (column, system object)."""


def _label(zh: str, en: str) -> Mapping[str, Any]:
    return frozen_map({"zh": zh, "en": en})


USER = ObjectDef("User", _label("用户", "User"), "name", (
    Field("name", "text", _label("姓名", "Name"), max_length=200),
    Field("username", "text", _label("用户名", "Username"), max_length=80),
    Field("is_active", "boolean", _label("启用", "Active")),
    Field("department", "lookup", _label("部门", "Department"), target="Department",
          on_delete="set_null"),
), plural_label=_label("用户", "Users"), source="(system)")

DEPARTMENT = ObjectDef("Department", _label("部门", "Department"), "name", (
    Field("name", "text", _label("名称", "Name"), max_length=200),
    Field("parent", "lookup", _label("上级部门", "Parent"), target="Department",
          on_delete="set_null"),
), plural_label=_label("部门", "Departments"), source="(system)")

SYSTEM_MODELS = MappingProxyType({"User": USER, "Department": DEPARTMENT})


def system_table(name: str, tenant: str, dialect: str) -> sa.Subquery:
    """The tenant's rows of system object ``name`` (from its own ``hulian_users`` or
    ``hulian_departments``), with its field names as columns."""
    tables = tenant_tables(dialect, tenant)
    if name == "User":
        users = tables.users
        query = sa.select(users.c.id, users.c.display_name.label("name"), users.c.username,
                          users.c.is_active, users.c.department_id.label("department"),
                          sa.false().label("is_deleted"))
    else:
        departments = tables.departments
        query = sa.select(departments.c.id, departments.c.name,
                          departments.c.parent_id.label("parent"),
                          sa.false().label("is_deleted"))
    return query.subquery(f"sys_{name.lower()}")


def hop(obj: ObjectDef, name: str) -> tuple[str, str] | None:
    """(column, target object) of the relationship ``name`` of ``obj``: one of its lookup or
    master-detail fields, else a system relationship (owner, department...)."""
    f = obj.field(name)
    if f is not None:
        return (f.api_name, f.target) if f.is_reference and f.target else None
    if obj.api_name in SYSTEM_MODELS:
        return None
    return SYSTEM_HOPS.get(name)
