"""Property: any valid record of any object reads back as its input after coercion.

Hypothesis generates an object (random fields of every type but lookup and
auto_number, plus one fixed lookup) and valid records for it; each example is
deployed to a fresh tenant. ``create`` then ``get`` in a new session must give
the input's values (exact Decimals at the field's scale, datetimes as the same
instant in UTC, multi-picklists in option order), and an ``eq`` filter on each
value must find the record. The expected values are computed here, not by the
engine's coercers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.packs import field, obj, pack

EXAMPLES_PER_DATABASE = 25
UTC = dt.UTC
TYPES = ("text", "textarea", "number", "currency", "percent", "boolean", "date", "datetime",
         "time", "picklist", "multi_picklist", "email", "phone", "url")
LENGTH_CAP = {"text": 1000, "textarea": 4000, "email": 254, "phone": 40, "url": 2048}
SPECIALS = ["华信商贸", "🚀", "👩‍👩‍👧", "'", '"', "\\", "''", "\\\\'", "%", "_", "--", "é", "\t",
            "Ω≈ç√", "𝔘𝔫𝔦"]
_tenants = itertools.count(1)

# -- object definitions --------------------------------------------------------------------

option_names = st.lists(st.from_regex(r"o[a-z0-9_]{0,12}", fullmatch=True), min_size=1,
                        max_size=6, unique=True)


@st.composite
def field_specs(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    spec: dict[str, Any] = {"type": kind, "required": draw(st.booleans())}
    if kind in ("text", "textarea"):
        spec["max_length"] = draw(st.integers(1, LENGTH_CAP[kind]))
    elif kind in ("email", "url"):
        spec["max_length"] = draw(st.integers(80, LENGTH_CAP[kind]))
    elif kind == "phone":
        spec["max_length"] = draw(st.integers(25, LENGTH_CAP[kind]))
    elif kind in ("number", "currency", "percent"):
        spec["precision"] = draw(st.integers(1, 18))
        spec["scale"] = draw(st.integers(0, spec["precision"]))
    elif kind in ("picklist", "multi_picklist"):
        spec["options"] = draw(option_names)
    return spec


def object_doc(specs: list[dict[str, Any]]) -> dict[str, Any]:
    fields = [field("name", "text", max_length=100),
              field("parent", "lookup", target="Parent")]
    for i, spec in enumerate(specs):
        settings_ = {k: v for k, v in spec.items() if k not in ("type", "options")}
        if "options" in spec:
            settings_["options"] = [{"api_name": o, "label": {"zh": o, "en": o}}
                                    for o in spec["options"]]
        fields.append(field(f"f{i}_{spec['type']}", spec["type"], **settings_))
    return obj("Sample", *fields)


# -- values: (input, expected) ---------------------------------------------------------------

def texts(max_length: int) -> st.SearchStrategy[str]:
    plain = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                    min_size=1, max_size=min(max_length, 60))
    mixed = st.lists(st.sampled_from(SPECIALS), min_size=1, max_size=8).map("".join)
    return st.one_of(plain, mixed).filter(lambda s: 0 < len(s) <= max_length)


def decimals(precision: int, scale: int) -> st.SearchStrategy[tuple[Any, Decimal]]:
    """A value within precision/scale, given as str, Decimal, int, float or exponent form."""
    limit = 10 ** precision - 1

    @st.composite
    def build(draw) -> tuple[Any, Decimal]:
        exact = Decimal(draw(st.integers(-limit, limit))).scaleb(-scale)
        forms: list[Any] = [str(exact), exact, f"{exact:E}", f" {exact} "]
        if scale == 0:
            forms.append(int(exact))
        as_float = float(exact)
        if Decimal(repr(as_float)) == exact:
            forms.append(as_float)
        expected = exact.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        return draw(st.sampled_from(forms)), expected

    return build()


def aware_datetimes() -> st.SearchStrategy[tuple[str, dt.datetime]]:
    instants = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                            timezones=st.just(UTC))
    offsets = st.integers(-14 * 60 + 1, 14 * 60 - 1).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m)))
    return st.tuples(instants, offsets).map(
        lambda pair: (pair[0].astimezone(pair[1]).isoformat(), pair[0]))


EMAIL_LOCAL = "abcxyz0189._%+-'用户"
URL_PATH = "abcXYZ019/-_.~%'();=&"


def values_for(spec: dict[str, Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    kind = spec["type"]
    if kind in ("text", "textarea"):
        return texts(spec["max_length"]).map(lambda s: (s, s))
    if kind in ("number", "currency", "percent"):
        return decimals(spec["precision"], spec["scale"])
    if kind == "boolean":
        return st.sampled_from([(True, True), (False, False), ("true", True), ("FALSE", False)])
    if kind == "date":
        return st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(
            lambda d: (d.isoformat(), d))
    if kind == "datetime":
        return aware_datetimes()
    if kind == "time":
        return st.times().map(lambda t: (t.isoformat(), t))
    if kind == "picklist":
        return st.sampled_from(spec["options"]).map(lambda o: (o, o))
    if kind == "multi_picklist":
        order = spec["options"]
        return st.lists(st.sampled_from(order), min_size=1, max_size=8).map(
            lambda chosen: (chosen, sorted(set(chosen), key=order.index)))
    if kind == "email":
        parts = st.tuples(st.text(EMAIL_LOCAL, min_size=1, max_size=20),
                          st.from_regex(r"[a-z0-9]{1,12}\.[a-z]{2,6}", fullmatch=True))
        return parts.map(lambda p: f"{p[0]}@{p[1]}").map(lambda s: (s, s))
    if kind == "phone":
        return st.from_regex(r"\+?[0-9][0-9 ()\-.]{2,20}", fullmatch=True).filter(
            lambda s: sum(c.isdigit() for c in s) >= 3).map(lambda s: (s, s))
    if kind == "url":
        parts = st.tuples(st.sampled_from(["http://", "https://", ""]),
                          st.from_regex(r"[a-z0-9]{1,12}\.[a-z]{2,6}", fullmatch=True),
                          st.text(URL_PATH, max_size=40))
        return parts.map(lambda p: f"{p[0]}{p[1]}/{p[2]}").map(lambda s: (s, s))
    raise AssertionError(kind)


@st.composite
def records(draw, specs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One record: (input data, expected stored values)."""
    name = draw(texts(100))
    data: dict[str, Any] = {"name": name}
    want: dict[str, Any] = {"name": name}
    for i, spec in enumerate(specs):
        key = f"f{i}_{spec['type']}"
        if spec["required"] or draw(st.booleans()):
            data[key], want[key] = draw(values_for(spec))
        else:
            want[key] = False if spec["type"] == "boolean" else None
    return data, want


@st.composite
def cases(draw) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]],
                         list[bool]]:
    specs = draw(st.lists(field_specs(), min_size=1, max_size=10))
    rows = draw(st.lists(records(specs), min_size=1, max_size=3))
    linked = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    return specs, rows, linked


# -- the property ----------------------------------------------------------------------------

def assert_same(name: str, got: Any, want: Any) -> None:
    assert got == want, (name, got, want)
    assert type(got) is type(want), (name, type(got), type(want))
    if isinstance(want, Decimal):
        assert got.as_tuple().exponent == want.as_tuple().exponent, (name, got, want)
    if isinstance(want, dt.datetime):
        assert got.utcoffset() == dt.timedelta(0), (name, got)


@settings(max_examples=EXAMPLES_PER_DATABASE, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=cases())
def test_created_records_read_back_as_their_coerced_input(engine, case):
    specs, rows, linked = case
    tenant = f"rt{os.getpid()}_{next(_tenants)}"
    engine.metadata(tenant).deploy(pack(obj("Parent", field("name", "text")), object_doc(specs)))
    with engine.session(tenant) as s:
        parent = s.create("Parent", {"name": "p"})["id"]
        ids = []
        for (data, _), link in zip(rows, linked, strict=True):
            ids.append(s.create("Sample", {**data, "parent": parent if link else None})["id"])
    with engine.session(tenant) as s:
        for record_id, (data, want), link in zip(ids, rows, linked, strict=True):
            got = s.get("Sample", record_id)
            assert_same("parent", got["parent"], parent if link else None)
            for name, value in want.items():
                assert_same(name, got[name], value)
            for name, given in data.items():
                found = [r["id"] for r in s.query("Sample", {name: given}, limit=10)]
                assert record_id in found, (name, given)
        assert s.count("Sample") == len(rows)
