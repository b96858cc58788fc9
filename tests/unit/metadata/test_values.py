"""hulian.metadata.values: one coercer per field type, each ValueProblem code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from hulian.metadata.field_types import coercer, field_type, inactive_options
from hulian.metadata.field_types.text import Text
from hulian.metadata.model import Field, PicklistOption
from hulian.metadata.values import ValueProblem, storable, to_decimal

LABEL = {"zh": "字段", "en": "Field"}
UTC = dt.UTC


def make(type_: str, **settings: Any) -> Field:
    return Field("f", type_, LABEL, **settings)


def coerce(field: Field, value: Any) -> Any:
    return coercer(field)(value)


def code_of(field: Field, value: Any) -> str:
    with pytest.raises(ValueProblem) as info:
        coerce(field, value)
    return info.value.code


OPTIONS = (PicklistOption("red", LABEL), PicklistOption("green", LABEL),
           PicklistOption("blue", LABEL, active=False))


# --- text types ---------------------------------------------------------------

@pytest.mark.parametrize("type_", ["text", "textarea", "email", "phone", "url"])
def test_text_types_treat_none_and_empty_as_blank(type_: str) -> None:
    assert coerce(make(type_), None) is None
    assert coerce(make(type_), "") is None


def test_text_keeps_the_value() -> None:
    assert coerce(make("text"), "Acme 公司") == "Acme 公司"


def test_text_too_long_uses_max_length_or_the_type_default() -> None:
    assert coerce(make("text", max_length=3), "abc") == "abc"
    assert code_of(make("text", max_length=3), "abcd") == "too_long"
    default = field_type("text")
    assert isinstance(default, Text) and default.default_max_length == 255
    assert coerce(make("text"), "x" * 255)
    assert code_of(make("text"), "x" * 256) == "too_long"


def test_text_pattern_must_match_the_whole_value() -> None:
    field = make("text", pattern=r"[A-Z]{2}\d+")
    assert coerce(field, "AB12") == "AB12"
    assert code_of(field, "AB12x") == "pattern_mismatch"
    assert code_of(field, "xAB12") == "pattern_mismatch"


@pytest.mark.parametrize("value", ["a\x00b", "lone \ud800 surrogate"])
def test_text_rejects_characters_a_database_cannot_store(value: str) -> None:
    assert code_of(make("text"), value) == "invalid_character"


@pytest.mark.parametrize("value", [12, True, ["a"], {"a": 1}])
def test_text_rejects_other_json_types(value: Any) -> None:
    assert code_of(make("text"), value) == "invalid_type"


@pytest.mark.parametrize("value", ["ann@example.com", "a.b+c@mail.example.cn"])
def test_email_valid(value: str) -> None:
    assert coerce(make("email"), value) == value


@pytest.mark.parametrize("value", ["ann", "ann@example", "a b@example.com", "@example.com"])
def test_email_invalid(value: str) -> None:
    assert code_of(make("email"), value) == "invalid_email"


@pytest.mark.parametrize("value", ["+86 10 1234 5678", "(010) 8888-9999", "123 ext 45"])
def test_phone_valid(value: str) -> None:
    assert coerce(make("phone"), value) == value


@pytest.mark.parametrize("value", ["12", "call me", "+", "12a45"])
def test_phone_invalid(value: str) -> None:
    assert code_of(make("phone"), value) == "invalid_phone"


@pytest.mark.parametrize("value", ["https://example.com/a?b=1", "example.com", "http://localhost:8000"])
def test_url_valid(value: str) -> None:
    assert coerce(make("url"), value) == value


@pytest.mark.parametrize("value", ["ftp://example.com", "https://", "not a url", "http://intranet",
                                   "http://[::1"])
def test_url_invalid(value: str) -> None:
    assert code_of(make("url"), value) == "invalid_url"


# --- numbers ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("12.345", Decimal("12.35")), ("12.344", Decimal("12.34")), (12.345, Decimal("12.35")),
    (Decimal("-0.005"), Decimal("-0.01")), ("0.005", Decimal("0.01")), (7, Decimal("7.00")),
    (" 3.5 ", Decimal("3.50")),
])
def test_currency_rounds_half_up_to_its_scale(value: Any, expected: Decimal) -> None:
    result = coerce(make("currency", precision=18, scale=2), value)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_number_uses_the_default_scale_of_its_type() -> None:
    assert coerce(make("number"), "2.5") == Decimal("3")
    assert coerce(make("percent"), "2.555") == Decimal("2.56")


@pytest.mark.parametrize("value", [None, ""])
def test_number_blank(value: Any) -> None:
    assert coerce(make("number"), value) is None


@pytest.mark.parametrize("value", ["abc", "1,000", "NaN", "Infinity", float("nan"), float("inf")])
def test_number_invalid(value: Any) -> None:
    assert code_of(make("number"), value) == "invalid_number"


@pytest.mark.parametrize("value", [True, False, [1], {"a": 1}])
def test_number_rejects_booleans_and_containers(value: Any) -> None:
    assert code_of(make("number"), value) == "invalid_type"


@pytest.mark.parametrize("value", ["1000", "999.995", "-1000", "1e30", "1e999999"])
def test_number_out_of_range_for_its_precision(value: str) -> None:
    assert code_of(make("number", precision=5, scale=2), value) == "out_of_range"


def test_number_largest_value_that_fits() -> None:
    assert coerce(make("number", precision=5, scale=2), "999.994") == Decimal("999.99")


def test_number_minimum_and_maximum() -> None:
    field = make("number", minimum=Decimal(0), maximum=Decimal(10))
    assert coerce(field, 0) == 0 and coerce(field, 10) == 10
    assert code_of(field, -1) == "too_small"
    assert code_of(field, 11) == "too_large"


def test_to_decimal_is_exact() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("1e3") == Decimal(1000)


@pytest.mark.parametrize("value", [
    "1e999999999", Decimal("-1E+999999999"), "1e-999999999", "-1e-999999", "1e41", "1e-41",
    10**40, -(10**40), "1" + "0" * 40, "1." + "0" * 39 + "1", 5e-324, 1e300,
    "0e999999999",
])
def test_to_decimal_refuses_numbers_beyond_any_field_at_once(value: Any) -> None:
    with pytest.raises(ValueProblem) as info:
        to_decimal(value)
    assert info.value.code == "out_of_range"
    assert len(info.value.message) < 120  # never the number's million digits


@pytest.mark.parametrize("value", [
    "9" * 40, "-" + "9" * 40, "1e40", "1e-40", "0.000", 0, "1." + "0" * 38 + "1",
])
def test_to_decimal_takes_forty_digits_within_1e_minus_40_and_1e40(value: Any) -> None:
    assert to_decimal(value) == Decimal(value)


def test_a_huge_number_is_out_of_range_for_a_field() -> None:
    field = make("currency", precision=18, scale=2)
    for value in ("1e999999999", "1e16", 10**20, "-1e-999999"):
        assert code_of(field, value) == "out_of_range"
    assert coerce(field, "1e-40") == Decimal("0.00")


@pytest.mark.parametrize(("value", "expected"), [
    ("Acme 互联 😀", True), ("", True), ("a\x00b", False), ("\ud800", False),
    ("x\udfff", False), ("\ud83d\ude00", False),  # a surrogate pair in a str: two lone ones
])
def test_storable_text(value: str, expected: bool) -> None:
    assert storable(value) is expected


# --- boolean ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (None, None), ("true", True), ("FALSE", False),
])
def test_boolean_valid(value: Any, expected: Any) -> None:
    assert coerce(make("boolean"), value) is expected


@pytest.mark.parametrize("value", [1, 0, "yes", "", [True]])
def test_boolean_invalid(value: Any) -> None:
    assert code_of(make("boolean"), value) == "invalid_type"


# --- dates and times ------------------------------------------------------------

def test_date_valid() -> None:
    assert coerce(make("date"), "2024-02-29") == dt.date(2024, 2, 29)
    assert coerce(make("date"), dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)
    assert coerce(make("date"), "") is None


@pytest.mark.parametrize("value", ["2023-02-29", "2024-13-01", "31/12/2024", "tomorrow"])
def test_date_invalid(value: str) -> None:
    assert code_of(make("date"), value) == "invalid_date"


@pytest.mark.parametrize("value", [20240101, dt.datetime(2024, 1, 1, tzinfo=UTC)])
def test_date_rejects_other_types(value: Any) -> None:
    assert code_of(make("date"), value) == "invalid_type"


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-03-31T09:30:00+08:00", dt.datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
    ("2024-03-31T09:30:00Z", dt.datetime(2024, 3, 31, 9, 30, tzinfo=UTC)),
    ("2024-01-01T00:30:00+01:00", dt.datetime(2023, 12, 31, 23, 30, tzinfo=UTC)),
])
def test_datetime_is_normalised_to_utc(value: str, expected: dt.datetime) -> None:
    result = coerce(make("datetime"), value)
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


def test_datetime_needs_a_time_zone() -> None:
    assert code_of(make("datetime"), "2024-03-31T09:30:00") == "missing_timezone"
    assert code_of(make("datetime"), dt.datetime(2024, 3, 31)) == "missing_timezone"


@pytest.mark.parametrize("value", ["yesterday", "2024-03-31 25:00", "9999-12-31T23:30:00-01:00"])
def test_datetime_invalid(value: str) -> None:
    assert code_of(make("datetime"), value) == "invalid_datetime"


def test_time_valid() -> None:
    assert coerce(make("time"), "09:30") == dt.time(9, 30)
    assert coerce(make("time"), "09:30:15.5") == dt.time(9, 30, 15, 500000)


@pytest.mark.parametrize("value", ["25:00", "9:30", "noon", "09:30:00+08:00"])
def test_time_invalid(value: str) -> None:
    assert code_of(make("time"), value) == "invalid_time"


def test_time_rejects_an_aware_time() -> None:
    assert code_of(make("time"), dt.time(9, 30, tzinfo=UTC)) == "invalid_time"


# --- picklists ------------------------------------------------------------------

def test_picklist_takes_an_option_api_name() -> None:
    field = make("picklist", options=OPTIONS)
    assert coerce(field, "red") == "red"
    assert coerce(field, "blue") == "blue"  # inactive options stay valid in stored records
    assert coerce(field, "") is None


def test_picklist_rejects_a_label_or_unknown_name() -> None:
    field = make("picklist", options=OPTIONS)
    with pytest.raises(ValueProblem) as info:
        coerce(field, "Red")
    assert info.value.code == "invalid_option"
    assert "red, green" in (info.value.hint or "") and "blue" not in (info.value.hint or "")
    assert code_of(field, 3) == "invalid_type"


def test_multi_picklist_is_deduplicated_in_option_order() -> None:
    field = make("multi_picklist", options=OPTIONS)
    assert coerce(field, ["blue", "red", "blue"]) == ["red", "blue"]
    assert coerce(field, ("green",)) == ["green"]
    assert coerce(field, []) is None


def test_multi_picklist_invalid() -> None:
    field = make("multi_picklist", options=OPTIONS)
    assert code_of(field, ["red", "pink"]) == "invalid_option"
    assert code_of(field, ["red", ["x"]]) == "invalid_option"
    assert code_of(field, "red") == "invalid_type"


def test_inactive_options() -> None:
    field = make("multi_picklist", options=OPTIONS)
    assert inactive_options(field, ["red", "blue"]) == ["blue"]
    assert inactive_options(make("picklist", options=OPTIONS), "blue") == ["blue"]
    assert inactive_options(make("text"), "blue") == []


# --- lookup and auto-number -----------------------------------------------------

def test_lookup_takes_a_record_id() -> None:
    field = make("lookup", target="Account")
    assert coerce(field, "01HV3K8Z9Q") == "01HV3K8Z9Q"
    assert coerce(field, "") is None
    assert code_of(field, "x; drop table") == "invalid_reference"
    assert code_of(field, 12) == "invalid_type"


def test_auto_number_is_read_only() -> None:
    field = make("auto_number", format="SO-{0000}")
    assert coerce(field, None) is None
    assert code_of(field, "SO-0001") == "read_only"
