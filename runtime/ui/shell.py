"""The shell's app launcher: the internal CRM for internal users, and the interconnect
apps of the user's roles (:meth:`hulian.engine.Session.apps`), each with the objects it
opens that the user may read.

>>> launcher(session)                                             # doctest: +SKIP
[{'api_name': 'crm', 'label': {'zh': '客户管理', ...}, 'internal': True, 'objects': [...]},
 {'api_name': 'order', 'label': {'zh': '订货通', ...}, 'internal': False, 'objects': [...]}]
"""

from __future__ import annotations

from typing import Any

from hulian.engine import Session

__all__ = ["INTERNAL_APP", "launcher"]

INTERNAL_APP = "crm"
"""The launcher's name for the internal CRM (every object the user may read); an
interconnect app of the same name is shown under its own label after it."""


def _object(session: Session, name: str) -> dict[str, Any]:
    return {"api_name": name, "label": dict(session.schema.object(name).model.label)}


def launcher(session: Session) -> list[dict[str, Any]]:
    """The apps the session's user may open, each ``api_name``, ``label`` (i18n map, or
    None for the internal CRM, whose label is a UI string), ``internal`` and ``objects``
    (``api_name`` and ``label`` of each object the user may read, in the app's order)."""
    readable = session.objects()
    may_read = set(readable)
    found: list[dict[str, Any]] = []
    if not session.user.is_interconnect:
        found.append({"api_name": INTERNAL_APP, "label": None, "internal": True,
                      "objects": [_object(session, name) for name in readable]})
    by_name = {app.api_name: app for app in session.schema.pack.apps}
    for app in session.apps():
        declared = by_name[app["api_name"]]
        found.append({"api_name": app["api_name"], "label": app["label"], "internal": False,
                      "objects": [_object(session, name) for name in declared.objects
                                  if name in may_read]})
    return found
