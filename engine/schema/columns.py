"""A field's column (its type's storage), and the system columns every object table has."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.schema.field_storage import storage
from hulian.engine.schema.types import UTCDateTime
from hulian.metadata.field_types.lookup import MAX_ID_LENGTH
from hulian.metadata.model import Field

ID_LENGTH = 26
REFERENCE_LENGTH = MAX_ID_LENGTH

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
    """The column type of a stored field (its type's :class:`FieldStorage`)."""
    return storage(field.type).column_type(field)


def field_column(field: Field) -> sa.Column:
    default = storage(field.type).not_null_default
    if default is not None:  # never blank: a boolean is false unless set
        return sa.Column(field.api_name, column_type(field), nullable=False,
                         server_default=default())
    return sa.Column(field.api_name, column_type(field))
