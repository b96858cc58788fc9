"""hulian.engine.schema.field_storage: the SQL half of every field type."""

from __future__ import annotations

from dataclasses import MISSING
from dataclasses import fields as dataclass_fields

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.deploy.casts import pg_cast
from hulian.engine.schema.columns import field_column
from hulian.engine.schema.field_storage import STORAGE, FieldStorage, storage
from hulian.metadata.field_types import FIELD_TYPES, REGISTERED, FieldType
from hulian.metadata.model import Field, PicklistOption

LABEL = {"zh": "字段", "en": "Field"}


def field(kind: FieldType, api_name: str = "f") -> Field:
    settings = kind.settings_of({"type": kind.name, "target": "Account",
                                 "format": "N-{0000}"})
    if kind.choice:
        settings["options"] = (PicklistOption("a", LABEL),)
    return Field(api_name, kind.name, LABEL, **settings)


def test_every_stored_type_has_storage_and_nothing_else_does():
    assert set(STORAGE) == {t.name for t in REGISTERED if t.stored}
    assert set(STORAGE) <= set(FIELD_TYPES)


def test_storage_declares_every_attribute():
    with pytest.raises(TypeError):
        FieldStorage(column_type=lambda f: sa.Text())  # type: ignore[call-arg]
    assert all(f.default is MISSING and f.default_factory is MISSING
               for f in dataclass_fields(FieldStorage))


@pytest.mark.parametrize("kind", [t for t in REGISTERED if t.stored], ids=lambda k: k.name)
def test_every_type_has_a_column_on_both_databases(kind: FieldType):
    column = field_column(field(kind))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert column.type.compile(dialect=dialect)
    assert column.nullable == (not kind.never_blank)
    assert (storage(kind.name).not_null_default is not None) == kind.never_blank


@pytest.mark.parametrize("kind", [t for t in REGISTERED if t.stored], ids=lambda k: k.name)
def test_conversions_to_and_from_text_are_declared_both_ways(kind: FieldType):
    entry = storage(kind.name)
    text = field(REGISTERED[0], "t")
    assert not (kind.textual and (entry.from_text or entry.to_text)), "text is the other side"
    if entry.from_text and entry.pg_from_text is not None:
        assert pg_cast(text, field(kind), "t") is not None
    if entry.to_text and entry.pg_to_text is not None:
        assert pg_cast(field(kind), text, "f") is not None
    if not entry.from_text and not kind.textual:
        assert entry.pg_from_text is None


def test_a_number_from_text_casts_only_plain_decimals():
    number = next(t for t in REGISTERED if t.name == "currency")
    cast = pg_cast(field(REGISTERED[0], "t"), field(number), "t")
    assert cast is not None and cast.using == 'trim("t")::numeric(18,2)'
    assert cast.plain is not None and cast.plain.fullmatch(" -12.50 ")
    assert not cast.plain.fullmatch("1e3")
