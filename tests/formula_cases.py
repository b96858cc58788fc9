"""The formula conformance table: loading cases, and running one on Python or SQL.

A case is a JSON object in ``tests/unit/formula/conformance/*.json``:

    {"expr": "ROUND(2.5, 0)", "type": "number", "value": 3}
    {"expr": "LEFT(name, 2)", "record": {"name": "Acme"}, "type": "text", "value": "Ac"}
    {"expr": "1 + 'a'", "error": "formula.type", "line": 1, "column": 1}
    {"expr": "LPAD('', 100001, 'ab')", "type": "text", "raises": "formula.text_too_long"}

``value`` is JSON: numbers as numbers or strings, dates and times ISO 8601, blank null.
``error`` is refused when the formula is checked; ``raises`` is raised while it runs (by
Python, and by each database through ``formula.sql_errors``).
Cases with ``"sql": false`` are checked in Python only (e.g. TODAY()).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from hulian.formula import RecordScope, SqlCompiler, T, compile_formula, record_env
from hulian.formula.sql import CODES, from_sqlite
from hulian.formula.values import normal

FOLDER = Path(__file__).resolve().parent / "unit" / "formula" / "conformance"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(FOLDER.glob("*.json")):
        for i, case in enumerate(json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)):
            cases.append((f"{path.stem}[{i}] {case['expr'][:40]}", case))
    return cases


def expected_value(case: dict[str, Any]) -> Any:
    value, kind = case.get("value"), T(case["type"])
    if value is None:
        return None
    if kind in (T.NUMBER, T.CURRENCY, T.PERCENT):
        return Decimal(str(value))
    if kind is T.DATE:
        return dt.date.fromisoformat(value)
    if kind is T.DATETIME:
        return dt.datetime.fromisoformat(value)
    if kind is T.TIME:
        return dt.time.fromisoformat(value)
    return value


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        return actual == expected
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    return actual == expected


def scope(case: dict[str, Any]) -> RecordScope:
    """The case's record; ``"types": {"stage": "picklist"}`` types fields JSON cannot."""
    return RecordScope(case.get("record") or {}, {k: T(v) for k, v in
                                                  (case.get("types") or {}).items()})


def python_result(case: dict[str, Any]) -> tuple[T, Any]:
    formula = compile_formula(case["expr"], scope(case))
    value = formula.run(record_env(case.get("record")))
    if isinstance(value, Decimal):
        value = normal(value)
    return formula.type, value


def sql_result(engine: sa.Engine, case: dict[str, Any]) -> Any:
    """The case evaluated by the database: field values become literals in its dialect."""
    formula = compile_formula(case["expr"], scope(case))
    return sql_value(engine, formula, record_env(case.get("record") or {}))


def sql_value(engine: sa.Engine, formula: Any, env: Any) -> Any:
    """``formula`` computed by the database, its field references bound from ``env``."""
    compiler = SqlCompiler(engine.dialect.name,
                           lambda ref: compiler.literal(env.get(ref.path), ref.type))
    expression = compiler.compile(formula.typed)
    with engine.connect() as conn:
        value = conn.execute(sa.select(expression)).scalar()
    if engine.dialect.name == "sqlite":
        return from_sqlite(CODES[formula.type], value)
    if formula.type is T.BOOLEAN and value is not None:
        return bool(value)
    if formula.type is T.MULTI_PICKLIST:
        return from_sqlite("m", value)
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value
