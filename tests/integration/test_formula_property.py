"""Property: Python and SQL agree on random well-typed formulas over random records.

Hypothesis builds formula text from a small grammar over ``REGISTRY``: for each
public function (and each operator) that is neither volatile nor limited to a
context, the accepted argument types are found by asking its typer about every
combination of the types below, so a family that is not registered yet is
simply absent. Leaves are literals (moderate numbers, text mixing ASCII,
accented Latin, Chinese and emoji, TRUE/FALSE, NULL) and references to the
fields of a generated record (any of them may be blank). Each formula is run by
``compile_formula(...).run`` and by the database (``SELECT`` of the compiled
expression, field values as literals, like ``tests/formula_cases.py::sql_result``);
the two values must be equal, on SQLite and on PostgreSQL.

A formula may also raise while it runs (``formula.text_too_long``: ``LPAD(t1, n1)`` with
``n1`` in the hundreds of thousands is enough). Then both must raise it, or, when the too
long text is not needed for the result (``LEFT(LPAD(t1, n1), 0)``: PostgreSQL's CASE never
builds it, Python does), the one that answers must give the value Python computes
without the limit (``formula/limits.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from itertools import product
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from hulian.engine.database import open_database
from hulian.formula import FormulaError, Options, T, UnknownField, compile_formula, limits
from hulian.formula.functions.base import REGISTRY, ArgTypeError
from hulian.formula.functions.registry import load
from hulian.formula.values import normal
from tests.formula_cases import same, sql_value

EXAMPLES_PER_DATABASE = 150
MAX_DEPTH = 4
MAX_PROBED_ARITY = 4
UTC = dt.UTC

FIELDS: dict[str, T] = {
    "n1": T.NUMBER, "n2": T.NUMBER, "c1": T.CURRENCY, "p1": T.PERCENT,
    "t1": T.TEXT, "t2": T.TEXT, "b1": T.BOOLEAN, "d1": T.DATE, "d2": T.DATE,
    "dt1": T.DATETIME, "tm1": T.TIME, "pk1": T.PICKLIST, "m1": T.MULTI_PICKLIST,
}
PROBED = (T.NUMBER, T.TEXT, T.BOOLEAN, T.DATE, T.DATETIME, T.TIME, T.PICKLIST,
          T.MULTI_PICKLIST)
"""The argument types tried on every typer; the first six are also result types we build."""
BUILT = PROBED[:6]
NUMBERISH = (T.NUMBER, T.CURRENCY, T.PERCENT)
OPTIONS = ("red", "green", "blue", "紅")

SYMBOLS = {"_ADD": "+", "_SUB": "-", "_MUL": "*", "_DIV": "/", "_POW": "^", "_CONCAT": "&",
           "_EQ": "=", "_NE": "<>", "_LT": "<", "_LE": "<=", "_GT": ">", "_GE": ">=",
           "_AND": "&&", "_OR": "||"}
UNARY = {"_NEG": "-", "_NOT": "!"}


# -- the grammar, read off the registry ---------------------------------------------------------

def _accepted(function: Any, types: tuple[T, ...]) -> T | None:
    try:
        return function.typer(types)
    except ArgTypeError:
        return None


@cache
def signatures() -> dict[T, dict[str, tuple[tuple[T, ...], ...]]]:
    """result type -> function name -> the argument type tuples that give it."""
    load()
    found: dict[T, dict[str, list[tuple[T, ...]]]] = {t: {} for t in BUILT}
    for name, function in sorted(REGISTRY.items()):
        if function.volatile or function.contexts is not None:
            continue
        if name.startswith("_") and name not in SYMBOLS and name not in UNARY:
            continue
        top = function.max_args if function.max_args is not None else function.min_args + 1
        for arity in range(function.min_args, min(top, MAX_PROBED_ARITY) + 1):
            for types in product(PROBED, repeat=arity):
                result = _accepted(function, types)
                if result in NUMBERISH:
                    result = T.NUMBER
                if result in found:
                    found[result].setdefault(name, []).append(types)
    return {t: {n: tuple(s) for n, s in by_name.items()} for t, by_name in found.items()}


def render(name: str, parts: list[str]) -> str:
    if name in SYMBOLS:
        return f"({parts[0]} {SYMBOLS[name]} {parts[1]})"
    if name in UNARY:
        return f"({UNARY[name]}{parts[0]})"
    return f"{name}({', '.join(parts)})"


# -- literals and records ------------------------------------------------------------------------

st_sep = ("T", " ")
ALPHABET = st.sampled_from(
    list("abcXYZ019 _-.,;:/?%'\"\\") + list("éÉàçñøÅß") + list("中文字华信") + ["😀", "🎉", "👍🏽"])
texts = st.one_of(
    st.lists(ALPHABET, max_size=12).map("".join),
    # text that DATEVALUE, TIMEVALUE, VALUE and ISNUMBER may read (or nearly)
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat(sep=st_sep[d.microsecond % 2])),
    st.times().map(dt.time.isoformat),
    st.sampled_from(["2024-02-29", "2023-02-29", "2024-13-01", "0000-01-01", " 12 ", "1e3",
                     "-0.5", "+7", "１２", "12.", ".5", "1,000", "NaN", "Infinity", "0x1F"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)


@st.composite
def numbers(draw) -> Decimal:
    places = draw(st.integers(0, 4))
    bound = 10 ** (6 + places) - 1
    return Decimal(draw(st.integers(-bound, bound))).scaleb(-places)


def number_text(value: Decimal) -> str:
    text = format(value, "f")
    return f"({text})" if value < 0 else text


def string_text(value: str) -> str:
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{body}"'


dates = st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31))
datetimes = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2199, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC))
times = st.times()
VALUES: dict[T, st.SearchStrategy[Any]] = {
    T.NUMBER: numbers(), T.CURRENCY: numbers().map(lambda d: d.quantize(Decimal("0.01"))),
    T.PERCENT: numbers(), T.TEXT: texts.map(lambda s: s or None), T.BOOLEAN: st.booleans(),
    T.DATE: dates, T.DATETIME: datetimes, T.TIME: times, T.PICKLIST: st.sampled_from(OPTIONS),
    T.MULTI_PICKLIST: st.lists(st.sampled_from(OPTIONS), min_size=1, unique=True),
}


@st.composite
def records(draw) -> dict[str, Any]:
    """A value (or blank) for every field."""
    return {name: None if draw(st.integers(0, 5)) == 0 else draw(VALUES[kind])
            for name, kind in FIELDS.items()}


@st.composite
def leaves(draw, kind: T) -> tuple[str, T]:
    fields = [n for n, t in FIELDS.items() if t == kind or (kind is T.NUMBER and t in NUMBERISH)]
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return "NULL", T.NULL
    if fields and (choice < 5 or kind not in (T.NUMBER, T.TEXT, T.BOOLEAN)):
        name = draw(st.sampled_from(fields))
        return name, FIELDS[name]
    if kind is T.NUMBER:
        return number_text(draw(numbers())), T.NUMBER
    if kind is T.TEXT:
        return string_text(draw(texts)), T.TEXT
    if kind is T.BOOLEAN:
        return draw(st.sampled_from(["TRUE", "FALSE"])), T.BOOLEAN
    return "NULL", T.NULL


def _fits(actual: T, kind: T) -> bool:
    return actual in (kind, T.NULL) or (kind is T.NUMBER and actual in NUMBERISH)


@st.composite
def expressions(draw, kind: T, depth: int = MAX_DEPTH) -> tuple[str, T]:
    """Formula text whose type fits ``kind``, and its type.

    The arguments' actual types are given to the typer again (a NULL or a currency
    argument may change the result: ``ADDMONTHS(NULL, 1)`` is a date); when the call
    no longer fits, a leaf stands in for it, so every formula is well typed.
    """
    by_name = signatures().get(kind, {})
    if depth == 0 or not by_name or draw(st.integers(0, 3)) == 0:
        return draw(leaves(kind))
    name = draw(st.sampled_from(sorted(by_name)))
    arg_types = draw(st.sampled_from(by_name[name]))
    parts = [draw(expressions(T.NUMBER if t in NUMBERISH else t, depth - 1))
             for t in arg_types]
    actual = _accepted(REGISTRY[name], tuple(t for _, t in parts))
    if actual is None or not _fits(actual, kind):
        return draw(leaves(kind))
    return render(name, [text for text, _ in parts]), actual


formulas = st.sampled_from(BUILT).flatmap(expressions).map(lambda pair: pair[0])


# -- the two back-ends ---------------------------------------------------------------------------

class FieldScope:
    """The generated record's fields, typed by ``FIELDS``."""

    def resolve(self, path: tuple[str, ...]) -> tuple[T, Any]:
        if len(path) != 1 or path[0] not in FIELDS:
            raise UnknownField(f"no field {'.'.join(path)!r}")
        return FIELDS[path[0]], path


def python_value(formula: Any, env: Mapping[tuple[str, ...], Any]) -> Any:
    value = formula.run(env)
    return normal(value) if isinstance(value, Decimal) else value


class Raised:
    """A FormulaError raised while the formula ran, as an outcome to compare."""

    def __init__(self, code: str):
        self.code = code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Raised) and other.code == self.code

    def __repr__(self) -> str:
        return f"Raised({self.code!r})"


def outcome(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except FormulaError as exc:
        return Raised(exc.code)


@contextmanager
def unlimited() -> Iterator[None]:
    """Python without the text limit (well, with one a hundred times larger)."""
    saved = limits.TEXT_LIMIT
    limits.TEXT_LIMIT = saved * 100
    try:
        yield
    finally:
        limits.TEXT_LIMIT = saved


def agree(engine: sa.Engine, text: str, record: Mapping[str, Any],
          blank_as_zero: bool = False) -> tuple[Any, Any]:
    """The formula's outcome in Python and in the database: a value or ``Raised`` (a
    FormulaError escapes when the formula does not compile)."""
    formula = compile_formula(text, FieldScope(), Options(blank_as_zero=blank_as_zero))
    env = {(name,): value for name, value in record.items()}
    python = outcome(lambda: python_value(formula, env))
    sql = outcome(lambda: sql_value(engine, formula, env))
    if python != sql and Raised("formula.text_too_long") in (python, sql):
        with unlimited():  # compiled anew: the generated code holds the limit it was given
            bigger = compile_formula(text, FieldScope(), Options(blank_as_zero=blank_as_zero))
            true = outcome(lambda: python_value(bigger, env))
        answer = sql if isinstance(python, Raised) else python
        if not isinstance(true, Raised) and same(answer, true):
            return answer, answer  # the text over the limit was not needed
    return python, sql


@pytest.fixture(scope="module")
def database(db_url):
    engine = open_database(db_url)
    yield engine
    engine.dispose()


CHECKED = {name for name, f in REGISTRY.items() if getattr(f, "check_args", None)}
"""Functions whose arguments are checked beyond their types when the formula is compiled."""


def test_the_grammar_covers_every_family_registered():
    names = {n for by_name in signatures().values() for n in by_name}
    assert {"_ADD", "_AND", "_CONCAT", "_EQ"} <= names
    for family in ("IF", "ROUND", "LEFT", "YEAR"):
        if family in REGISTRY:
            assert family in names, f"{family} is registered but no signature was found"


@settings(max_examples=EXAMPLES_PER_DATABASE, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(text=formulas, record=records(), blank_as_zero=st.booleans())
def test_python_and_sql_agree(database, text, record, blank_as_zero):
    try:
        python, sql = agree(database, text, record, blank_as_zero)
    except FormulaError as exc:
        # The grammar builds well-typed formulas; a FormulaError is a bug in the grammar or
        # in a typer, except the length limit (which nesting may reach) and the checks some
        # functions make beyond types (a literal REGEX pattern must be valid).
        checked = exc.code == "formula.type" and exc.message.split(":")[0] in CHECKED
        assert exc.code == "formula.too_long" or checked, f"{text}: {exc}"
        reject()
    assert same(python, sql), f"{text}\nrecord {record}\npython {python!r}\nsql    {sql!r}"


# -- minimal cases the property found ------------------------------------------------------------
#
# Each was a disagreement between Python and a database (or an exception), shrunk by hand from
# what the property found; all are fixed and kept as regression tests.

DAY = dt.datetime(2000, 1, 1, tzinfo=UTC)
FOUND: list[tuple[tuple[str, ...], str, dict[str, Any]]] = [
    (("sqlite", "postgresql"), "FALSE = (n1 > 0 && n1 > 0)", {"n1": Decimal(-1)}),
    (("sqlite",), "FALSE = (TRUE && FALSE)", {}),
    (("postgresql",), "CASE(ISNULL(b1), ISNULL(n1), 1, 2)", {}),
    (("postgresql",), "ISBLANK(!b1)", {}),
    (("sqlite", "postgresql"), "0 ^ 0", {}),
    (("sqlite", "postgresql"), "c1 ^ 0", {"c1": Decimal("0.00")}),
    (("postgresql",), 't1 + "a"', {}),
    (("sqlite", "postgresql"), '""', {}),
    (("sqlite",), '"" < "a"', {}),
    (("postgresql",), 'IF(FALSE, "x", "") > "a"', {}),
    (("postgresql",), "ROUND(1.5, n1)", {}),
    (("postgresql",), "TRUNC(1.5, n1)", {}),
    (("postgresql",), "-NULL", {}),
    (("postgresql",), "NULL + NULL", {}),
    (("postgresql",), "NULLVALUE(NULL, NULL) <= dt1", {"dt1": DAY}),
    (("postgresql",), 'ADDMONTHS(DATETIMEVALUE("2000-01-01 00:00:00"), 3000000000)', {}),
    (("postgresql",), "dt1 + 171999999", {"dt1": DAY}),
    (("postgresql",), "dt1 - ABS(EXP(HOUR(dt1)))", {"dt1": DAY.replace(hour=15)}),
    (("postgresql",), "d1 - 3652000", {"d1": DAY.date()}),
    (("postgresql",), "9 ^ 19.378", {}),
    (("postgresql",), "0.1 ^ 17", {}),
    # a text over the limit that the result does not need: Python builds it and raises,
    # PostgreSQL's CASE never builds it and answers blank, the answer without the limit
    (("sqlite", "postgresql"), 'LEFT(LPAD(t1, 200000, "x"), 0)', {}),
    (("sqlite", "postgresql"), 'LEN(LPAD(t1, 200000, "x"))', {}),
]
REGRESSIONS = [pytest.param(db, text, record, id=f"{db}: {text}")
               for dbs, text, record in FOUND for db in dbs]


@pytest.fixture(scope="module")
def databases(request):
    """An engine per database, opened on first use."""
    opened: dict[str, sa.Engine] = {}

    def get(name: str) -> sa.Engine:
        if name not in opened:
            url = request.getfixturevalue("sqlite_url" if name == "sqlite" else "pg_url")
            opened[name] = open_database(url)
        return opened[name]

    yield get
    for engine in opened.values():
        engine.dispose()


@pytest.mark.parametrize(("db", "text", "record"), REGRESSIONS)
def test_found_by_the_property(databases, db, text, record):
    python, sql = agree(databases(db), text, {**dict.fromkeys(FIELDS), **record})
    assert same(python, sql), f"{text}: python {python!r}, sql {sql!r}"
