"""hulian.formula: one typed formula language, compiled to Python and to SQL.

>>> from hulian.formula import evaluate
>>> evaluate("ROUND(1.005, 2)")
Decimal('1.01')
"""

from hulian.formula.checker import Options, RecordScope, Scope, UnknownField
from hulian.formula.compiled import CompiledFormula, compile_formula, evaluate, record_env
from hulian.formula.errors import FormulaError, Span
from hulian.formula.parser import MAX_LENGTH, parse
from hulian.formula.sql import SqlCompiler, install_sqlite, sqlite_decimal
from hulian.formula.types import FIELD_TYPE_MAP, T

__all__ = [
    "FIELD_TYPE_MAP",
    "MAX_LENGTH",
    "CompiledFormula",
    "FormulaError",
    "Options",
    "RecordScope",
    "Scope",
    "Span",
    "SqlCompiler",
    "T",
    "UnknownField",
    "compile_formula",
    "evaluate",
    "install_sqlite",
    "parse",
    "record_env",
    "sqlite_decimal",
]
