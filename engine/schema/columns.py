"""Field type -> column type, and the system columns every object table has."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.schema.types import ExactDecimal, OptionSet, UTCDateTime
from hulian.metadata.model import Field

ID_LENGTH = 26
REFERENCE_LENGTH = 64

SYSTEM_FIELDS: tuple[str, ...] = (
    "id",
    "owner_id",
    "department_id",
    "business_type",
    "life_status",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "version",
    "is_deleted",
    "out_tenant_id",
    "out_owner_id",
)
"""System columns, in table order. ``describe`` lists them with these types."""

SYSTEM_FIELD_TYPES: dict[str, str] = {
    "id": "id",
    "owner_id": "reference",
    "department_id": "reference",
    "business_type": "text",
    "life_status": "text",
    "created_by": "reference",
    "created_at": "datetime",
    "updated_by": "reference",
    "updated_at": "datetime",
    "version": "integer",
    "is_deleted": "boolean",
    "out_tenant_id": "reference",
    "out_owner_id": "reference",
}

LIFE_STATUSES = ("ineffective", "under_review", "normal", "in_change", "invalid")
DEFAULT_BUSINESS_TYPE = "default"


def system_columns() -> list[sa.Column]:
    ref = sa.String(REFERENCE_LENGTH)
    return [
        sa.Column("id", sa.String(ID_LENGTH), primary_key=True),
        sa.Column("owner_id", ref, nullable=False),
        sa.Column("department_id", ref),
        sa.Column("business_type", sa.String(64), nullable=False),
        sa.Column("life_status", sa.String(32), nullable=False),
        sa.Column("created_by", ref, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", ref, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("is_deleted", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("out_tenant_id", ref),
        sa.Column("out_owner_id", ref),
    ]


def column_type(field: Field) -> Any:
    kind = field.type
    if kind in ("text", "email", "phone", "url"):
        return sa.String(field.max_length)
    if kind == "textarea":
        return sa.Text()
    if kind in ("number", "currency", "percent"):
        return ExactDecimal(field.precision or 18, field.scale or 0)
    if kind == "boolean":
        return sa.Boolean(create_constraint=False)
    if kind == "date":
        return sa.Date()
    if kind == "datetime":
        return UTCDateTime()
    if kind == "time":
        return sa.Time()
    if kind == "picklist":
        return sa.String(64)
    if kind == "multi_picklist":
        return OptionSet()
    if kind in ("lookup", "master_detail"):
        return sa.String(REFERENCE_LENGTH)
    if kind == "auto_number":
        return sa.String(80)
    raise ValueError(f"no column type for field type {kind!r}")


def field_column(field: Field) -> sa.Column:
    if field.type == "boolean":
        return sa.Column(field.api_name, column_type(field), nullable=False,
                         server_default=sa.false())
    return sa.Column(field.api_name, column_type(field))
