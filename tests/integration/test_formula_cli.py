"""``hulian formula eval``: one JSON object on stdout, or an error a person can act on."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hulian.engine.database import open_database
from hulian.formula.sql import from_sqlite
from hulian.metadata.jsontext import loads
from hulian.runtime.cli import main
from tests.conftest import EXAMPLE_CRM


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["formula", "eval", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def result(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert err == ""
    assert out.count("\n") == 1, "one JSON object on one line"
    return loads(out)


def failure(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 1, (out, err)
    assert out == ""
    assert "Traceback" not in err
    return err


# -- values -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "record", "kind", "value"), [
    ("1 + 2", None, "number", 3),
    ("ROUND(amount * 1.1, 2)", {"amount": 12.5}, "number", Decimal("13.75")),
    ("amount / 3", {"amount": 1}, "number", Decimal("0.33333333333333333333")),
    ("0.1 + 0.2", None, "number", Decimal("0.3")),
    ("12.50 * 1", None, "number", Decimal("12.5")),
    ("name & '!'", {"name": "華信 🚀"}, "text", "華信 🚀!"),
    ("IF(amount > 100, 'big', 'small')", {"amount": 150}, "text", "big"),
    ("amount > 100 && is_active", {"amount": 150, "is_active": False}, "boolean", False),
    ("account.owner.email", {"account": {"owner": {"email": "o@x.cn"}}}, "text", "o@x.cn"),
    ("tags", {"tags": ["a", "b"]}, "multi_picklist", ["a", "b"]),
    ("amount + 1", {"amount": None}, "number", None),
    ("name", {"name": ""}, "text", None),
    ("NULL", None, "null", None),
])
def test_values(capsys, expr, record, kind, value):
    argv = [expr] if record is None else [expr, "--record", json.dumps(record)]
    assert result(capsys, *argv) == {"type": kind, "value": value}


def test_numbers_are_exact_json_numbers(capsys):
    _, out, _ = run(capsys, "amount * 3", "--record", '{"amount": 0.10}')
    assert out == '{"type": "number", "value": 0.3}\n'
    _, out, _ = run(capsys, "123456789012345678.25 + 0")
    assert out == '{"type": "number", "value": 123456789012345678.25}\n'


def test_iso_dates_stay_text_without_datevalue(capsys):
    record = '{"due": "2024-02-29"}'
    assert result(capsys, "due", "--record", record) == {"type": "text", "value": "2024-02-29"}
    if "DATEVALUE" not in _functions():
        pytest.skip("the dates family is not registered yet")
    assert result(capsys, "DATEVALUE(due) + 1", "--record", record) == {
        "type": "date", "value": "2024-03-01"}
    assert result(capsys, "DATETIMEVALUE('2024-02-29 10:30:00')") == {
        "type": "datetime", "value": "2024-02-29T10:30:00+00:00"}
    err = failure(capsys, "due + 1", "--record", record)
    assert "formula.type" in err


def _functions() -> set[str]:
    from hulian.formula.functions.base import REGISTRY
    from hulian.formula.functions.registry import load

    load()
    return set(REGISTRY)


def test_blank_as_zero(capsys):
    typed = ("--metadata", CRM, "--object", "Opportunity", "--record", '{"amount": 5}')
    assert result(capsys, "amount + quantity", *typed) == {"type": "number", "value": None}
    assert result(capsys, "amount + quantity", *typed, "--blank-as-zero") == {
        "type": "number", "value": 5}


def test_contexts(capsys):
    record = '{"amount": 5, "$Prior": {"amount": 7}, "$IsNew": false}'
    err = failure(capsys, "ISCHANGED(amount)", "--record", record)
    assert "formula.context" in err
    assert result(capsys, "ISCHANGED(amount) && PRIORVALUE(amount) > amount", "--record",
                  record, "--context", "validation") == {"type": "boolean", "value": True}
    assert result(capsys, "ISNEW()", "--record", record, "--context", "default") == {
        "type": "boolean", "value": False}


# -- errors -----------------------------------------------------------------------------------

def test_a_syntax_error_shows_position_and_caret(capsys):
    err = failure(capsys, "amount *")
    assert err == ("error: formula.syntax: 1:8: the formula ends too early (an operand or ')' "
                   "is missing)\namount *\n       ^\n")


def test_an_unknown_field_shows_a_hint(capsys):
    err = failure(capsys, "amout * 2", "--record", '{"amount": 1}')
    assert err.splitlines() == [
        "error: formula.unknown_field: 1:1: the record has no field 'amout'",
        "amout * 2",
        "^^^^^",
        "  hint: did you mean 'amount'?",
    ]


@pytest.mark.parametrize(("expr", "code"), [
    ("ROUDN(1, 2)", "formula.unknown_function"),
    ("ROUND(1)", "formula.arg_count"),
    ("1 + 'a'", "formula.type"),
    ("1" * 4000, "formula.too_long"),
    ("!" * 200 + "TRUE", "formula.too_deep"),
    ("ISNEW()", "formula.context"),
])
def test_formula_errors(capsys, expr, code):
    err = failure(capsys, expr)
    assert err.startswith(f"error: {code}: ")


@pytest.mark.parametrize(("record", "message"), [
    ("{bad", "--record is not valid JSON: Expecting property name"),
    ("", "--record is not valid JSON"),
    ("[1, 2]", "--record must be a JSON object"),
    ('"text"', "--record must be a JSON object"),
    ('{"a": NaN}', "--record is not valid JSON"),
])
def test_bad_record_json(capsys, record, message):
    err = failure(capsys, "1", "--record", record)
    assert err.startswith("error: ")
    assert message in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["formula", "eval"])
    assert raised.value.code == 2
    assert "EXPR" in capsys.readouterr().err


# -- --sql --------------------------------------------------------------------------------------

def test_sql_for_both_dialects(capsys):
    out = result(capsys, "IF(amount * quantity > 1000, 'big', name)", "--record",
                 '{"amount": 12.5, "quantity": 100, "name": "O\'Brien"}', "--sql")
    assert out["type"] == "text" and out["value"] == "big"
    assert set(out["sql"]) == {"sqlite", "postgresql"}
    pg = out["sql"]["postgresql"]
    assert "CASE WHEN" in pg and "12.5 * 100 > 1000" in pg and "'O''Brien'" in pg
    assert "hl_cmp(hl_call('_MUL', 'n,n>n', '12.5', '100'), '1000') > 0" in out["sql"]["sqlite"]
    assert "%(" not in pg and "?" not in out["sql"]["sqlite"], "values are rendered"


@pytest.mark.parametrize(("expr", "record"), [
    ("IF(amount * quantity > 1000, ROUND(amount * quantity * (1 - discount), 2), "
     "amount * quantity)", {"amount": 12.5, "quantity": 100, "discount": 0.1}),
    ("name & ' (' & code & ')'", {"name": "Zoë 華", "code": None}),
    ("NOT(is_active) || amount >= 10", {"is_active": True, "amount": 9.99}),
    ("CASE(stage, 'won', 1, 'lost', 0, 0.5)", {"stage": "lost"}),
])
def test_the_printed_sql_runs_and_agrees(capsys, db_url, expr, record):
    """The SQL printed for each database gives the printed value there."""
    out = result(capsys, expr, "--record", json.dumps(record), "--sql")
    engine = open_database(db_url)
    try:
        with engine.connect() as conn:
            value = conn.execute(sa.text("SELECT " + out["sql"][engine.dialect.name])).scalar()
    finally:
        engine.dispose()
    if engine.dialect.name == "sqlite":
        value = from_sqlite({"number": "n", "text": "t", "boolean": "b"}[out["type"]], value)
    if out["type"] == "number":
        assert Decimal(value) == Decimal(str(out["value"]))
    else:
        assert value == out["value"]


# -- --metadata ------------------------------------------------------------------------------

CRM = str(EXAMPLE_CRM)
DEAL = json.dumps({
    "amount": "1200.50", "probability": 0.25, "close_date": "2024-02-29", "stage": "won",
    "quantity": 3, "is_big_deal": True, "next_step_at": "2024-03-01T09:00:00+08:00",
    "account": {"name": "Acme", "parent": {"name": "Acme Group"}},
})


def opportunity(capsys, expr: str, *extra: str) -> dict:
    return result(capsys, expr, "--metadata", CRM, "--object", "Opportunity", "--record", DEAL,
                  *extra)


def test_metadata_types_the_fields(capsys):
    assert opportunity(capsys, "amount * quantity") == {"type": "number", "value": 3601.5}
    assert opportunity(capsys, "amount + amount") == {"type": "currency", "value": 2401}
    assert opportunity(capsys, "close_date") == {"type": "date", "value": "2024-02-29"}
    assert opportunity(capsys, "next_step_at") == {"type": "datetime",
                                                   "value": "2024-03-01T01:00:00+00:00"}
    assert opportunity(capsys, "ISPICKVAL(stage, 'won') && is_big_deal") == {
        "type": "boolean", "value": True}
    assert opportunity(capsys, "close_date + 1") == {"type": "date", "value": "2024-03-01"}


def test_metadata_cross_object_paths(capsys):
    assert opportunity(capsys, "account.parent.name") == {"type": "text", "value": "Acme Group"}


def test_metadata_blank_fields(capsys):
    assert opportunity(capsys, "notes") == {"type": "text", "value": None}
    assert opportunity(capsys, "BLANKVALUE(notes, 'none')") == {"type": "text", "value": "none"}


def test_metadata_with_sql(capsys):
    out = opportunity(capsys, "close_date + 30", "--sql")
    assert out["value"] == "2024-03-30"
    assert "2024-02-29" in out["sql"]["postgresql"]
    assert "2024-02-29" in out["sql"]["sqlite"]


def test_metadata_unknown_field(capsys):
    err = failure(capsys, "amout", "--metadata", CRM, "--object", "Opportunity")
    assert err.startswith("error: formula.unknown_field: 1:1: ")
    assert "did you mean 'amount'?" in err


def test_metadata_unknown_object(capsys):
    err = failure(capsys, "1", "--metadata", CRM, "--object", "Nope")
    assert "no object 'Nope'" in err and "Opportunity" in err


def test_metadata_a_value_of_the_wrong_type(capsys):
    err = failure(capsys, "close_date", "--metadata", CRM, "--object", "Opportunity",
                  "--record", '{"close_date": "soon"}')
    assert err == 'error: --record: close_date must be an ISO date (2024-03-01), not "soon"\n'
    err = failure(capsys, "amount", "--metadata", CRM, "--object", "Opportunity",
                  "--record", '{"amount": "lots"}')
    assert "amount must be a number" in err


def test_metadata_a_pack_that_does_not_load(capsys, tmp_path):
    err = failure(capsys, "1", "--metadata", str(tmp_path / "missing"), "--object", "X")
    assert "file.unreadable" in err and "cannot be loaded" in err


def test_metadata_needs_object(capsys):
    err = failure(capsys, "1", "--metadata", CRM)
    assert "--metadata and --object go together" in err
