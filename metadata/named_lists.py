"""Lists of named items in a document: validation rules, sharing rules, custom actions.

Every item of such a list has an ``api_name`` that follows the naming rule and is
unique in its list, ignoring case. :func:`named_items` checks both and hands each
item on for the checks of its own kind:

>>> found = []
>>> def add(code, path, message, hint=None):
...     found.append((code, path))
>>> def name(kind, value, path):
...     pass
>>> rules = [{"api_name": "a"}, "not a rule", {"api_name": "A"}]
>>> [i for i, _rule, _path in named_items(rules, "validation_rules", "rule", add, name)]
[0, 2]
>>> found
[('name.duplicate', ('validation_rules', 2, 'api_name'))]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Add = Callable[..., None]
"""``add(code, path, message, hint)``: report a problem of the document."""
Name = Callable[[Any, Any, tuple[Any, ...]], None]
"""``name(kind, api_name, path)``: report what is wrong with a name (``names.name_issues``)."""


def named_items(items: Any, key: str, what: str, add: Add, name: Name, kind: str = "field",
                counts: Callable[[str], bool] | None = None
                ) -> Iterator[tuple[int, dict[str, Any], tuple[Any, ...]]]:
    """(index, item, path) of each object in the list ``items`` found at ``key``.

    Before an item is yielded its api_name is checked as a name of ``kind`` and
    reported as ``name.duplicate`` when an earlier item of the list has it
    (``what`` names the items in the message: "rule", "sharing rule"). A name for
    which ``counts`` is false is left to the caller and never makes a duplicate.
    Items that are not objects are skipped: the schema check reports them.
    """
    if not isinstance(items, list):
        return
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        path = (key, i)
        api_name = item.get("api_name")
        name(kind, api_name, (*path, "api_name"))
        if isinstance(api_name, str) and (counts is None or counts(api_name)):
            if api_name.lower() in seen:
                add("name.duplicate", (*path, "api_name"),
                    f"{api_name!r} is already the api_name of {what} "
                    f"/{key}/{seen[api_name.lower()]}",
                    "api_names must differ, ignoring case; rename one")
            else:
                seen[api_name.lower()] = i
        yield i, item, path
