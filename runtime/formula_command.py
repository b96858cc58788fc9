"""``hulian formula eval``: evaluate a formula from the command line.

    hulian formula eval "ROUND(amount * 1.1, 2)" --record '{"amount": 12.5}'
    {"type": "number", "value": 13.75}

Without ``--metadata`` the fields of ``--record`` are typed from their JSON
values (``RecordScope``: numbers, text, booleans, lists for multi-picklists; an
ISO date string stays text until DATEVALUE reads it). With ``--metadata PACK
--object OBJ`` they are typed from the object's field definitions and the
record's values are read as those types (``"2024-03-01"`` becomes a date).
``--sql`` adds the SQL the formula compiles to on each dialect, with the
record's values as literals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from hulian.formula import (
    FormulaError,
    Options,
    RecordScope,
    Scope,
    SqlCompiler,
    T,
    UnknownField,
    compile_formula,
    record_env,
)
from hulian.formula.checker import CONTEXTS
from hulian.formula.types import NUMERIC
from hulian.formula.values import normal, python_value
from hulian.metadata.jsontext import dumps, loads
from hulian.metadata.problems import MetadataError

__all__ = ["add_formula_command", "cmd_formula_eval"]

UTC = dt.UTC


class _InputError(Exception):
    """A command-line input that cannot be used (bad JSON, a value of the wrong type)."""


def _record(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        record = loads(text)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise _InputError(f"--record is not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise _InputError("--record must be a JSON object, e.g. '{\"amount\": 12.5}'")
    return record


def _object_scope(pack_path: str, object_name: str) -> Scope:
    """The scope of formulas on ``object_name`` of the pack at ``pack_path``."""
    try:
        from hulian.engine.formulas import object_scope
    except ImportError:  # until the engine package exports it
        from hulian.engine.formulas.scope import object_scope
    from hulian.metadata import load_pack

    try:
        return object_scope(load_pack(pack_path), object_name)
    except UnknownField as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        raise _InputError(f"--object: {exc.message}{hint}") from None


def _scope(args: argparse.Namespace, record: dict[str, Any]) -> Scope:
    if args.metadata is None:
        return RecordScope(record)
    return _object_scope(args.metadata, args.object)


# -- values ------------------------------------------------------------------------------------

def _typed_value(kind: T, value: Any, where: str) -> Any:
    """A JSON value read as formula type ``kind`` (for fields typed by metadata)."""
    value = python_value(value)
    if value is None or kind is T.NULL:
        return value
    try:
        if kind in NUMERIC:
            if isinstance(value, bool):
                raise ValueError
            number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
            if not number.is_finite():
                raise ValueError
            # a percent field holds the percentage (12.5); formulas read the fraction (0.125)
            return number.scaleb(-2) if kind is T.PERCENT else number
        if kind is T.BOOLEAN:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError
        if kind is T.DATE:
            return dt.date.fromisoformat(value)
        if kind is T.DATETIME:
            moment = dt.datetime.fromisoformat(value)
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        if kind is T.TIME:
            return dt.time.fromisoformat(value)
        if kind is T.MULTI_PICKLIST:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError
            return value or None
        if not isinstance(value, str):
            raise ValueError
        return value
    except (ValueError, TypeError, InvalidOperation):
        raise _InputError(f"--record: {where} must be {_a(kind)}, not {_json(value)}") from None


def _a(kind: T) -> str:
    return {T.DATE: "an ISO date (2024-03-01)", T.DATETIME: "an ISO date-time "
            "(2024-03-01T09:30:00Z)", T.TIME: "an ISO time (09:30:00)",
            T.MULTI_PICKLIST: "a list of option names", T.BOOLEAN: "true or false"}.get(
        kind, "a number" if kind in NUMERIC else kind.value)


def _json(value: Any) -> str:
    try:
        return dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _output(kind: T, value: Any) -> Any:
    if isinstance(value, Decimal) and (kind in NUMERIC or kind is T.NULL):
        return normal(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


# -- SQL ---------------------------------------------------------------------------------------

def _sql(typed: Any, env: Mapping[tuple[str, ...], Any]) -> dict[str, str]:
    """The formula's SQL for each dialect, the record's values rendered as literals."""
    from sqlalchemy.dialects import postgresql, sqlite

    out = {}
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        expression = _literal_compiler(dialect.name, env).compile(typed)
        out[dialect.name] = str(expression.compile(dialect=dialect,
                                                   compile_kwargs={"literal_binds": True}))
    return out


def _literal_compiler(dialect: str, env: Mapping[tuple[str, ...], Any]) -> SqlCompiler:
    """A compiler that renders each field reference as a literal of the record's value."""
    compiler = SqlCompiler(dialect, lambda ref: compiler.literal(env.get(ref.path), ref.type))
    return compiler


# -- the command -------------------------------------------------------------------------------

def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_formula_eval(args: argparse.Namespace) -> int:
    if (args.metadata is None) != (args.object is None):
        return _error("--metadata and --object go together: --metadata PACK --object OBJECT")
    try:
        record = _record(args.record)
        options = Options(context=args.context, blank_as_zero=args.blank_as_zero)
        formula = compile_formula(args.expression, _scope(args, record), options)
        env = record_env(record)
        if args.metadata is not None:
            for ref in formula.references:
                env[ref.path] = _typed_value(ref.type, env.get(ref.path), ".".join(ref.path))
        value = _output(formula.type, formula.run(env))
        result: dict[str, Any] = {"type": formula.type.value, "value": value}
        if args.sql:
            result["sql"] = _sql(formula.typed, env)
        text = dumps(result)
    except FormulaError as exc:
        print(f"error: {exc.code}: {exc.describe()}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return 1
    except _InputError as exc:
        return _error(str(exc))
    except MetadataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _error(f"--metadata: {args.metadata} cannot be loaded ({len(exc.problems)} "
                      "problem(s) above); `hulian validate` lists them")
    print(text)
    return 0


def add_formula_command(commands: argparse._SubParsersAction) -> None:
    """Register ``hulian formula eval``."""
    formula = commands.add_parser("formula", help="the formula language (docs/formulas.md)")
    actions = formula.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "eval", help="evaluate a formula; prints {\"type\": ..., \"value\": ...} as JSON",
        description="Evaluate a formula and print one JSON object {\"type\", \"value\"} "
                    "(numbers exact, dates ISO 8601, blank null).")
    p.add_argument("expression", metavar="EXPR", help="the formula, e.g. \"amount * 2\"")
    p.add_argument("--record", metavar="JSON",
                   help="the record's field values as a JSON object; related records as "
                        "nested objects, e.g. '{\"amount\": 12.5, \"account\": {\"name\": "
                        "\"Acme\"}}'")
    p.add_argument("--metadata", metavar="PACK",
                   help="type the fields from this pack's object (with --object)")
    p.add_argument("--object", metavar="OBJECT", help="the object of --metadata")
    p.add_argument("--sql", action="store_true",
                   help="also print the SQL for SQLite and PostgreSQL (values as literals)")
    p.add_argument("--context", choices=CONTEXTS, default="formula",
                   help="where the formula would run (default: formula field); ISNEW, "
                        "ISCHANGED and PRIORVALUE need validation or default, and read "
                        "\"$IsNew\" and \"$Prior\" from the record")
    p.add_argument("--blank-as-zero", action="store_true",
                   help="read blank number fields as zero (default: blank as blank)")
    p.set_defaults(handler=cmd_formula_eval)

