"""Pack versions (``MAJOR.MINOR.PATCH[-pre][+build]``) and ``requires`` specifiers.

A specifier is comma-separated conditions, all of which must hold: an operator
(``>=``, ``<=``, ``==``, ``!=``, ``>``, ``<``, ``~=``, ``^``; none means ``==``) and a
version of one to three parts. ``^1.2`` allows 1.2 up to (not including) 2.0;
``^0.3`` allows 0.3.x; ``~=1.2`` allows 1.2 up to 2.0, ``~=1.2.3`` 1.2.3 up to 1.3.

>>> satisfies("1.4.0", ">=1.2,<2")
True
>>> satisfies("2.0.0", "^1.2")
False
>>> parse_version("1.10.0") > parse_version("1.9.3")
True
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_CONDITION = re.compile(r"^\s*(>=|<=|==|!=|>|<|~=|\^)?\s*([0-9][0-9.]*)\s*$")

Version = tuple[int, int, int, int]
"""(major, minor, patch, 1 for a release or 0 for a pre-release): pre-releases sort first."""


def parse_version(text: str) -> Version:
    found = _VERSION.match(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a version such as 1.2.0")
    major, minor, patch, pre = found.groups()
    return int(major), int(minor or 0), int(patch or 0), 0 if pre else 1


def _upper(parts: list[int], caret: bool) -> Version:
    """The first version a ``^`` (caret) or ``~=`` condition excludes."""
    if caret:
        index = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
    else:
        index = max(len(parts) - 2, 0)
    bumped = [*parts[:index], parts[index] + 1] + [0] * (3 - index - 1)
    return bumped[0], bumped[1], bumped[2], 0


def _holds(version: Version, operator: str, parts: list[int]) -> bool:
    bound = (*parts, *[0] * (3 - len(parts)), 1)
    if operator in ("^", "~="):
        return bound <= version < _upper(parts, operator == "^")
    return {">=": version >= bound, "<=": version <= bound, ">": version > bound,
            "<": version < bound, "!=": version != bound, "==": version == bound}[operator]


def satisfies(version: str, specifier: str) -> bool:
    """Whether ``version`` meets every condition of ``specifier``."""
    parsed = parse_version(version)
    for condition in specifier.split(","):
        found = _CONDITION.match(condition)
        if found is None:
            raise ValueError(f"{condition!r} is not a version condition such as >=1.2")
        operator, number = found.groups()
        parts = [int(p) for p in number.split(".") if p][:3]
        if not _holds(parsed, operator or "==", parts):
            return False
    return True
