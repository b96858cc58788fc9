"""Column types that keep values exact and comparable on both databases.

- :class:`ExactDecimal`: ``NUMERIC(p, s)`` on PostgreSQL; on SQLite (which has no
  exact decimal type) a 64-bit integer holding ``value * 10**scale``, so sums,
  comparisons and sorting stay exact. Precision is capped at 18 digits for this.
- :class:`UTCDateTime`: ``timestamptz`` on PostgreSQL; on SQLite fixed-width UTC
  text ``YYYY-MM-DD HH:MM:SS.ffffff`` that sorts in time order. Always aware, UTC.
- :class:`OptionSet`: a multi-picklist as ``;a;b;`` text (options in definition
  order), so "includes b" is ``LIKE '%;b;%'`` on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC


class ExactDecimal(TypeDecorator):
    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__()
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale).to_integral_value(ROUND_HALF_UP))
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)

    def needs_storage(self, dialect_name: str) -> bool:
        return dialect_name == "sqlite"

    def to_storage(self, value: Decimal, dialect_name: str):
        """The raw value the driver gets (bulk paths that bypass SQLAlchemy's processors)."""
        if dialect_name == "sqlite":
            return int(value.scaleb(self.scale).to_integral_value(ROUND_HALF_UP))
        return value

    def storage_column(self, values: Sequence[Decimal | None], dialect_name: str) -> list:
        """:meth:`to_storage` of a column of values (None stays None)."""
        if dialect_name != "sqlite":
            return list(values)
        scale = self.scale
        return [None if v is None else int(v.scaleb(scale).to_integral_value(ROUND_HALF_UP))
                for v in values]


def format_utc(value: dt.datetime) -> str:
    # isoformat pads the year to 4 digits; strftime("%Y") gives "1" for year 1 on glibc.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class UTCDateTime(TypeDecorator):
    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(26))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        if dialect.name == "sqlite":
            return format_utc(value)
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def needs_storage(self, dialect_name: str) -> bool:
        return dialect_name == "sqlite"

    def to_storage(self, value: dt.datetime, dialect_name: str):
        return format_utc(value) if dialect_name == "sqlite" else value

    def storage_column(self, values: Sequence[dt.datetime | None], dialect_name: str) -> list:
        """:meth:`to_storage` of a column; a run of the same object (a batch's one
        ``created_at``) is formatted once."""
        if dialect_name != "sqlite":
            return list(values)
        out = []
        last: object = object()
        shown = None
        for value in values:
            if value is not last:
                last = value
                shown = None if value is None else \
                    value.isoformat(" ", "microseconds")[:26] if value.tzinfo is UTC \
                    else format_utc(value)
            out.append(shown)
        return out


def encode_options(value: list[str]) -> str:
    return ";" + ";".join(value) + ";"


class OptionSet(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # already encoded, e.g. a LIKE pattern's operand
            return value
        return encode_options(value) if value else None

    def process_result_value(self, value, dialect):
        if not value:
            return None
        return [v for v in value.split(";") if v]

    def needs_storage(self, dialect_name: str) -> bool:
        return True

    def to_storage(self, value: list[str], dialect_name: str):
        return encode_options(value) if value else None

    def storage_column(self, values: Sequence[list[str] | None], dialect_name: str) -> list:
        return [encode_options(v) if v else None for v in values]


CHANGE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""The type of the outbox's change ids (``hulian_changes.id``): 64-bit; on SQLite declared
``INTEGER`` so that the id is the table's rowid (SQLite integers are 64-bit anyway) and
each change writes one b-tree fewer."""
