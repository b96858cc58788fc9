"""``number``: an exact decimal; :class:`NumberType` is the base of number, currency and percent.

A numeric field holds ``precision`` digits (1 to 18, default 18), ``scale`` of them after
the point (a default per type), optionally between ``minimum`` and ``maximum``. Values are
``Decimal`` end to end and rounded half away from zero to ``scale`` digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from typing import Any

from hulian.metadata.field_types.base import (
    COMPARABLE,
    FieldContext,
    FieldType,
    Parser,
    Path,
    Raw,
    Report,
    described_settings,
    number,
    whole,
)
from hulian.metadata.hints import a_field
from hulian.metadata.model import Field
from hulian.metadata.values import (
    Coercer,
    ColumnCoercer,
    NotPlain,
    ValueProblem,
    check_magnitude,
    kinds_of,
    out_of_range,
    to_decimal,
)

DEFAULT_PRECISION = 18
MAX_PRECISION = 18
"""SQLite stores a number as a 64-bit integer scaled by ``10**scale``: 18 digits fit."""


class NumberType(FieldType):
    default_scale: int

    textual = choice = reference = False
    numeric = True
    stored = True
    derived = frozenset({"formula", "roll_up", "quote"})
    assigned = always_required = always_unique = names_records = False
    implied_default = None
    indexable = sortable = True
    operators = COMPARABLE
    summarised_by = frozenset({"SUM", "AVG", "MIN", "MAX"})
    settings = ("precision", "scale", "minimum", "maximum")
    default_json = (int, Decimal)

    def digits(self, field: Field) -> tuple[int, int]:
        """(precision, scale) of ``field``, defaults filled in."""
        scale = field.scale if field.scale is not None else self.default_scale
        return field.precision or DEFAULT_PRECISION, scale

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        precision, scale = whole(raw.get("precision")), whole(raw.get("scale"))
        return {"precision": precision if precision is not None
                and 1 <= precision <= MAX_PRECISION else DEFAULT_PRECISION,
                "scale": scale if scale is not None and 0 <= scale <= MAX_PRECISION
                else self.default_scale,
                "minimum": number(raw.get("minimum")), "maximum": number(raw.get("maximum"))}

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        """Scale within precision, bounds that fit and are in order; True when consistent."""
        settings = self.settings_of(raw)
        precision, scale = settings["precision"], settings["scale"]
        if scale > precision:
            if whole(raw.get("scale")) is not None:
                report.add("number.scale", (*path, "scale"),
                           f"scale {scale} is greater than precision {precision}",
                           "scale counts the digits after the point among the precision's"
                           " digits; lower scale or raise precision")
            else:
                report.add("number.scale", (*path, "precision"),
                           f"precision {precision} is less than the default scale {scale} of"
                           f" {a_field(self.name)}", "raise precision or set scale")
            return False
        ok = True
        limit = Decimal(10) ** (precision - scale)
        for key in ("minimum", "maximum"):
            bound = settings[key]
            if bound is not None and abs(bound) >= limit:
                report.add("number.range", (*path, key),
                           f"{key} {bound} does not fit {precision} digits,"
                           f" {scale} of them after the point",
                           "raise precision or change the bound")
                ok = False
        low, high = settings["minimum"], settings["maximum"]
        if low is not None and high is not None and low > high:
            report.add("number.range", (*path, "minimum"),
                       f"minimum {low} is greater than maximum {high}", "swap the two")
            ok = False
        return ok

    def coercer(self, field: Field) -> Coercer:
        precision, scale = self.digits(field)
        quantum = Decimal(1).scaleb(-scale)
        limit = Decimal(10) ** (precision - scale)
        minimum, maximum = field.minimum, field.maximum

        def coerce(value: Any) -> Decimal | None:
            if value is None or value == "":
                return None
            number = to_decimal(value)
            # Check the size before rounding: quantize() fails on numbers wider than
            # the decimal context (1e30 at scale 2), and checking after it catches 99.995.
            check_magnitude(number, precision, scale)
            number = number.quantize(quantum, rounding=ROUND_HALF_UP)
            if abs(number) >= limit:
                raise out_of_range(number, precision, scale)
            if minimum is not None and number < minimum:
                raise ValueProblem("too_small", f"{number} is less than the minimum {minimum}")
            if maximum is not None and number > maximum:
                raise ValueProblem("too_large",
                                   f"{number} is greater than the maximum {maximum}")
            return number

        return coerce

    def column_coercer(self, field: Field) -> ColumnCoercer:
        """Whole columns of ints, or of plain decimal text (``-12.5``) that fits the field
        without rounding: parsed and scaled in C, bounds checked on the column's least
        and greatest value."""
        precision, scale = self.digits(field)
        quantum = Decimal(1).scaleb(-scale)
        before = precision - scale
        limit = 10 ** before
        plain = re.compile("(?:-?" + (f"[0-9]{{1,{before}}}" if before else "0")
                           + (f"(?:[.][0-9]{{1,{scale}}})?" if scale else "") + "\n)*")
        minimum, maximum = field.minimum, field.maximum

        def column(values: Sequence[Any]) -> list[Any]:
            kinds = kinds_of(values)
            if kinds == {str}:
                if not plain.fullmatch("\n".join(values) + "\n"):
                    raise NotPlain
            elif kinds != {int} or not -limit < min(values) <= max(values) < limit:
                raise NotPlain
            numbers = list(map(Decimal.quantize, map(Decimal, values), repeat(quantum)))
            if numbers and ((minimum is not None and min(numbers) < minimum)
                            or (maximum is not None and max(numbers) > maximum)):
                raise NotPlain
            return numbers

        return column

    def filter_parser(self, field: Field | None) -> Parser:
        """Exact, unrounded (a filter may compare with more decimals than the field holds),
        but with no more digits before the point than the field can hold."""
        if field is None:
            return to_decimal
        precision, scale = self.digits(field)

        def parse(value: Any) -> Decimal:
            parsed = to_decimal(value)
            check_magnitude(parsed, precision, scale)
            return parsed

        return parse

    def describe(self, field: Field) -> dict[str, Any]:
        return described_settings(field, ("precision", "scale", "minimum", "maximum"))

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        schema: dict[str, Any] = {"type": "number"}
        for bound in ("minimum", "maximum"):
            if described.get(bound) is not None:
                schema[bound] = described[bound]
        precision = described.get("precision") or DEFAULT_PRECISION
        scale = described.get("scale") if described.get("scale") is not None \
            else self.default_scale
        return schema, (f"An exact decimal: at most {precision - scale} digits before the point "
                        f"and {scale} after (more are rounded half up). Written as a JSON number "
                        "with exactly these digits; read it as a decimal, not a float.")


class Number(NumberType):
    name = "number"
    widget = "number"
    formula_type = default_formula_type = "number"
    quoted_as = "number"
    default_scale = 0


NUMBER = Number()
