"""Hypothesis strategies: nested text formulas over long texts and large counts.

Each formula is well typed and may build texts far over the limit (SUBSTITUTE of a long
text by a long text, LPAD to a billion characters, ``&`` of such), or give REGEX a
pathological pattern. Used by the fuzz tests in tests/unit/formula/test_fuzz.py (Python)
and tests/integration/test_formula_limits.py (Python against SQLite).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from hulian.formula import T

FIELDS: dict[str, T] = {"t1": T.TEXT, "t2": T.TEXT, "n1": T.NUMBER}
COUNTS = ["0", "1", "3", "1000", "50000", "99999", "100000", "100001", "2000000", "1" + "0" * 30,
          "n1", "-5", "LEN(t1)", "LEN(t2) * 1000"]
SHORT = ["'x'", "'xx'", "''", "'é😀'", "NULL", "t1", "t2", "t1", "t2"]
OLD = ["'x'", "'x'", "'é'", "'xy'", "''", "t2"]
"""What SUBSTITUTE replaces: mostly a character the long texts are made of."""
PATTERNS = ["'(x+)*$'", "'(x+x+)+y'", "'(?=x)(x|xx)*(x|xx)*y'", "'x(?!y)(x|y)*z'",
            r"'\\W{0,255}\\W{0,255}(.*)*'", "'[^y]*'", "'.*(?=x$).'", "t2"]


@st.composite
def records(draw) -> dict[str, Any]:
    """Long texts (up to past the limit) of few distinct characters, and a count."""
    def text() -> str | None:
        size = draw(st.sampled_from([0, 1, 30, 1000, 1000, 40_000, 100_000, 120_000]))
        unit = draw(st.sampled_from(["x", "x", "xy", "é", "x😀"]))
        return (unit * size)[:size] or None

    return {"t1": text(), "t2": text(), "n1": draw(st.sampled_from([None, 0, 7, 100_001,
                                                                     10 ** 9]))}


def _calls(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    count = st.sampled_from(COUNTS)
    substitutes = [st.tuples(children, st.sampled_from(OLD), children).map(
        lambda a: f"SUBSTITUTE({', '.join(a)})") for _ in range(3)]  # it multiplies lengths
    return st.one_of(
        *substitutes,
        st.tuples(st.sampled_from(["LPAD", "RPAD"]), children, count, children).map(
            lambda a: f"{a[0]}({a[1]}, {a[2]}, {a[3]})"),
        st.tuples(children, children).map(lambda a: f"({a[0]} & {a[1]})"),
        st.tuples(children, children).map(  # '' + b is text even when b is NULL
            lambda a: f"({a[0]} + ('' + {a[1]}))"),
        st.tuples(st.sampled_from(["LEFT", "RIGHT"]), children, count).map(
            lambda a: f"{a[0]}({a[1]}, {a[2]})"),
        st.tuples(children, count, count).map(lambda a: f"MID({', '.join(a)})"),
        st.tuples(st.sampled_from(["UPPER", "LOWER", "TRIM"]), children).map(
            lambda a: f"{a[0]}({a[1]})"),
        st.tuples(children).map(lambda a: f"TEXT(LEN({a[0]}))"),
        st.tuples(children, st.sampled_from(PATTERNS), children, children).map(
            lambda a: f"IF(REGEX({a[0]}, {a[1]}), {a[2]}, {a[3]})"),
    )


texts = st.recursive(st.sampled_from(SHORT), _calls, max_leaves=8)
formulas = texts.map(lambda text: f"LEN({text})")
"""A number formula: LEN of a text formula (its value is small even when the text is not)."""


class FieldScope:
    def resolve(self, path: tuple[str, ...]) -> tuple[T, Any]:
        return FIELDS[path[0]], path


__all__ = ["FieldScope", "formulas", "records"]
