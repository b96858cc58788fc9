"""What a field type declares: the root class every type module subclasses.

A field type (``text``, ``currency``, ``picklist``...) is one instance of a subclass of
:class:`FieldType`, written in its own module of this package and listed in
:mod:`~hulian.metadata.field_types.registry`. Whatever the metadata layer and the layers
above do differently per type asks the type, never ``if kind == ...``:

- what it is: :attr:`~FieldType.textual`, :attr:`~FieldType.numeric`,
  :attr:`~FieldType.choice`, :attr:`~FieldType.reference`, whether a stored field of
  this type has a column (:attr:`~FieldType.stored`) and which derived fields (formula,
  roll-up, quote) may have it (:attr:`~FieldType.derived`);
- its settings: the keys a field document may carry (:attr:`~FieldType.settings`), their
  defaults (:meth:`~FieldType.settings_of`) and checks (:meth:`~FieldType.check_settings`),
  and the JSON a literal default may be (:attr:`~FieldType.default_json`);
- values: the coercer of input (:meth:`~FieldType.coercer`), the filter operators it takes
  and the parser of their operands (:meth:`~FieldType.filter_parser`), whether lists sort
  on it and whether it may be indexed;
- what others see: its formula type (:attr:`~FieldType.formula_type`, a value of
  ``hulian.formula.T``), its additions to ``describe`` (:meth:`~FieldType.describe`), the
  JSON Schema of a value (:meth:`~FieldType.json_schema`) and the form widget.

Every name in :data:`ASPECTS` must be declared by the type's own class or a family base of
this package (``TextType``, ``NumberType``...), never inherited from :class:`FieldType`
itself, which declares none (a unit test checks it). What needs SQL (the column type, SQL
conditions, PostgreSQL casts) is registered under the same type name in
``hulian.engine.schema.field_storage``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from hulian.metadata.model import Field
    from hulian.metadata.values import Coercer, ColumnCoercer

Raw = Mapping[str, Any]
Path = tuple[Any, ...]
Parser = Callable[[Any], Any]

WIDGETS = ("text", "textarea", "number", "money", "percent", "checkbox", "date",
           "datetime-local", "time", "select", "multi-select", "lookup", "email", "tel", "url",
           "read-only")
"""The form widgets the generated UI knows (``describe`` gives each field's as ``widget``)."""
OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "contains", "starts_with", "is_null")
"""Every operator of the ``where`` filter language."""
ORDERED = frozenset({"lt", "le", "gt", "ge"})
LIKE = frozenset({"contains", "starts_with"})
ALL_OPERATORS = frozenset(OPERATORS)
COMPARABLE = ALL_OPERATORS - LIKE
"""Operators of types that compare but hold no text (numbers, dates, references)."""
DERIVED_KINDS = ("formula", "roll_up", "quote")
"""The keys that make a field derived: its value is computed, not input."""


class Report(Protocol):
    """Where problems of one file go (``hulian.metadata.checks._Report``)."""

    def add(self, code: str, path: Path, message: str, hint: str | None = None) -> None: ...

    def name(self, kind: Any, name: Any, path: Path, pack_kind: str | None = None) -> None: ...

    def labels(self, value: Any, path: Path) -> None: ...


@dataclass(frozen=True)
class FieldContext:
    """What a field's checks may know beyond its own document: the objects of its pack
    (``targets``), the pack's kind, and ``known(name)``: whether an object may be
    named (one of the pack, or of an installed pack a tenant pack extends)."""

    targets: Collection[str]
    pack_kind: str | None
    known: Callable[[str], bool]


class FieldType(ABC):
    """One field type's behaviour. Subclasses declare every name of :data:`ASPECTS` and
    implement the abstract methods (a type missing one cannot be made)."""

    # -- what it is ---------------------------------------------------------------------
    name: str
    """The ``type`` of a field document."""
    widget: str
    """The default form widget, one of :data:`WIDGETS`."""
    formula_type: str
    """The formula language's type of a field of this type (a ``hulian.formula.T`` value)."""
    default_formula_type: str
    """The type a ``default_formula`` of a field of this type must give."""
    textual: bool
    numeric: bool
    choice: bool
    reference: bool
    """Holds the id of another record; ``target`` names its object."""
    stored: bool
    """A field of this type that is not derived has a column of its own."""
    derived: frozenset[str]
    """Which of :data:`DERIVED_KINDS` a field of this type may be (the derived field's
    ``type`` is its result's)."""
    assigned: bool
    """hulian assigns the value (auto-numbers): never input, read-only."""
    implied_default: Any
    """What a new record holds when it gives no value and the field declares no default
    (``False`` for a boolean, which is never blank); None: blank."""
    always_required: bool
    always_unique: bool
    """Its values never repeat (a unique index), whatever ``unique`` says."""
    names_records: bool
    """May be an object's ``name_field``."""
    indexable: bool
    """``"indexed": true`` may give a stored field of this type an index."""
    sortable: bool
    """Lists may sort on it (``order_by``)."""
    operators: frozenset[str]
    """The filter operators it takes (of :data:`OPERATORS`)."""
    quoted_as: str | None
    """The type a quote field showing a field of this type declares; None: it cannot be
    quoted (a reference: quote a field of its target instead)."""
    summarised_by: frozenset[str]
    """The roll-up functions besides COUNT that summarise a field of this type."""
    settings: tuple[str, ...]
    """The type-specific keys a field document of this type may carry."""
    default_json: tuple[type, ...] | None
    """The JSON types a literal ``default`` or ``backfill`` may have; None: it takes none."""

    # -- optional extras (defaults here) ------------------------------------------------
    no_default_why: ClassVar[str] = ""
    """Appended to the hint when a type taking no default is given one."""
    not_indexed: ClassVar[tuple[str, str] | None] = None
    """(message, hint) when ``indexed`` is asked of a type that is not :attr:`indexable`."""
    key_notes: ClassVar[Mapping[str, str]] = {}
    """Appended to the hint when a key of another type is given (``master_detail``'s
    ``on_delete``: deleting the master always deletes its details)."""
    formula_shift: ClassVar[int] = 0
    """Formulas read a stored value times ``10**-formula_shift`` (a percent: 12.5 is 0.125)."""

    # -- behaviour ------------------------------------------------------------------------
    @abstractmethod
    def settings_of(self, raw: Raw) -> dict[str, Any]:
        """The type-specific ``Field`` arguments of a field document, defaults filled in
        (values of the wrong JSON type or out of range give the defaults)."""

    @abstractmethod
    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        """Report what is wrong with the type-specific keys of a field document (of the
        right JSON type: the schema reports the rest); False when a default cannot be
        checked against them."""

    @abstractmethod
    def coercer(self, field: Field) -> Coercer:
        """The function turning one input value into the stored Python value (built once
        per field); ValueProblem when the value does not fit."""

    def column_coercer(self, field: Field) -> ColumnCoercer:
        """The coercer of a whole column of input values (a bulk create): exactly what
        :meth:`coercer` gives value by value, or NotPlain/ValueProblem, and the caller then
        goes value by value. This default maps the coercer; a type overrides it with
        checks that run over the whole column at once (``hulian.metadata.values``)."""
        coerce = self.coercer(field)
        return lambda values: list(map(coerce, values))

    @abstractmethod
    def filter_parser(self, field: Field | None) -> Parser:
        """The function turning a filter operand into a value to compare with (``field``
        is None for a system field); ValueProblem when it does not fit."""

    @abstractmethod
    def describe(self, field: Field) -> dict[str, Any]:
        """What ``describe`` shows of the type-specific settings."""

    @abstractmethod
    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        """The JSON Schema of a non-blank value of the ``described`` field, and a note for
        its description. ``for_input``: the schema of what a client may send."""

    # -- derived from the aspects -------------------------------------------------------
    @property
    def never_blank(self) -> bool:
        return self.implied_default is not None

    def implied_required(self, *, name_field: bool, computed: bool) -> bool:
        """Whether a field of this type is required whatever its document says: always
        (master-detail), or as its object's name field when a value must be given."""
        return self.always_required or (name_field and not computed and self.names_records
                                        and not self.assigned)

    def __repr__(self) -> str:
        return f"<field type {self.name}>"


ASPECTS: tuple[str, ...] = (
    *(name for name, annotation in FieldType.__annotations__.items()
      if not str(annotation).startswith("ClassVar")),
    "settings_of", "check_settings", "coercer", "filter_parser", "describe", "json_schema",
)
"""What every field type declares (a unit test fails on a type missing one)."""


# -- helpers the type modules share ---------------------------------------------------------

def whole(value: Any) -> int | None:
    """A JSON integer (or integral decimal) as an int; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def number(value: Any) -> Decimal | None:
    """A finite JSON number as a Decimal; None for anything else."""
    ok = isinstance(value, int | Decimal) and not isinstance(value, bool)
    return Decimal(value) if ok and Decimal(value).is_finite() else None


def described_settings(field: Field, keys: tuple[str, ...]) -> dict[str, Any]:
    """``keys`` of ``field`` that have a value, for ``describe``."""
    return {key: value for key in keys if (value := getattr(field, key)) is not None}
