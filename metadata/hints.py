"""Wording shared by the cross-checks: articles and "did you mean" hints.

>>> a_field("email"), a_field("number")
('an email field', 'a number field')
>>> choices_hint("acount", ["account", "contact"], "fields of Order")
"did you mean 'account'?"
>>> choices_hint("x", ["b", "a"], "fields of Order")
'the fields of Order: a, b'
"""

from __future__ import annotations

from collections.abc import Collection

from hulian.metadata.names import closest

SHOWN = 20


def a_field(kind: str) -> str:
    """ "a number field", "an email field"."""
    return f"{'an' if kind[:1] in tuple('aeiou') else 'a'} {kind} field"


def choices_hint(word: str, choices: Collection[str], what: str, none: str | None = None) -> str:
    """The closest of ``choices``, else the choices themselves (``what`` names them).

    ``none`` is the hint when there are no choices at all.
    """
    close = closest(word, choices)
    if close:
        return f"did you mean {close!r}?"
    if not choices:
        return none or f"there are no {what}"
    shown = sorted(choices)
    return f"the {what}: " + ", ".join(shown[:SHOWN]) + (", ..." if len(shown) > SHOWN else "")
