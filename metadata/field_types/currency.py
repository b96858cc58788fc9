"""``currency``: an amount in the tenant's currency, two decimals by default."""

from __future__ import annotations

from hulian.metadata.field_types.number import NumberType


class Currency(NumberType):
    name = "currency"
    widget = "money"
    formula_type = default_formula_type = "currency"
    quoted_as = "currency"
    default_scale = 2


CURRENCY = Currency()
