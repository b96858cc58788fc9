"""``percent``: the percentage itself (12.5 means 12.5 %); formulas read the fraction 0.125."""

from __future__ import annotations

from hulian.metadata.field_types.number import NumberType


class Percent(NumberType):
    name = "percent"
    widget = "percent"
    formula_type = default_formula_type = "percent"
    quoted_as = "percent"
    default_scale = 2
    formula_shift = 2


PERCENT = Percent()
