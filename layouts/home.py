"""Home views (首页): the page a user sees first, with every widget's data, in one call.

>>> home_view(session, "mobile")                                   # doctest: +SKIP
{'api_name': 'dealer_mobile', 'label': {...}, 'channel': 'mobile', 'widgets': [...]}

Which view: among the deployed home views of the channel, the first by api_name that
lists one of the user's roles (as they count for permissions, :meth:`Session.roles`);
else the channel's default view. On ``mobile``, when neither exists, the same is done for
``web``. No view at all is an empty one (``api_name`` None, no widgets).

Each widget is computed for the user through the Session API, so under their
permissions and data visibility:

- ``scene_list``: the first ``rows`` records of the scene, with the scene's columns (and
  ``id``; a scene without columns, such as the built-in ones, gives whole records), the
  scene's label, and ``more`` when there are further records;
- ``metric``: the ``function`` of ``field`` over the scene (:meth:`Session.aggregate`);
- ``quick_create``: the listed objects the user may create;
- ``app_tiles``: the interconnect apps the user may use (:meth:`Session.apps`);
- ``text``: the announcement, in every language it has.

A widget over an object the user may not read, a scene they may not use or a field they
may not see is left out, as are quick-create and app-tile widgets with nothing to show:
the view never names what the user may not see, and never fails for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hulian.engine import QueryError, Session
from hulian.metadata.kinds.home_views import HomeView, Widget

__all__ = ["CHANNELS", "home_view", "resolve"]

CHANNELS = ("web", "mobile")


def resolve(views: Iterable[HomeView], roles: Iterable[str], channel: str) -> HomeView | None:
    """The home view of ``channel`` for a user with ``roles`` (see the module's docstring)."""
    views = sorted(views, key=lambda v: v.api_name)
    mine = set(roles)
    for tried in (channel, "web") if channel == "mobile" else (channel,):
        of_channel = [v for v in views if v.channel == tried]
        found = next((v for v in of_channel if mine.intersection(v.roles)), None) or \
            next((v for v in of_channel if v.default), None)
        if found is not None:
            return found
    return None


def home_view(session: Session, channel: str = "web") -> dict[str, Any]:
    """The home view of the session's user on ``channel`` (``web`` or ``mobile``), each
    widget with its data; QueryError ``invalid_parameter`` for another channel."""
    if channel not in CHANNELS:
        raise QueryError(f"channel must be web or mobile, not {str(channel)[:20]!r}",
                         code="invalid_parameter", parameter="channel")
    schema, roles = session.schema, frozenset(session.roles())
    view = schema.memo.get(("home_view", roles, channel),  # once per metadata version
                           lambda: resolve(schema.pack.part("home_view"), roles, channel))
    if view is None:
        return {"api_name": None, "label": None, "channel": channel, "widgets": []}
    composer = _Composer(session)
    widgets = [shown for shown in map(composer.widget, view.widgets) if shown is not None]
    return {"api_name": view.api_name, "label": dict(view.label), "channel": view.channel,
            "widgets": widgets}


class _Composer:
    """Computes widgets for one session, reading each object's scenes once."""

    def __init__(self, session: Session):
        self.session = session
        self._scenes: dict[str, dict[str, dict[str, Any]]] = {}

    def _scene(self, object_name: str | None, name: str | None) -> dict[str, Any] | None:
        """The built-in or declared scene the widget names, if the user may use it."""
        if object_name is None or name is None or not self.session.can(object_name, "read"):
            return None
        if object_name not in self._scenes:
            self._scenes[object_name] = {s["api_name"]: s for s in self.session.scenes(
                object_name, personal=False)}
        return self._scenes[object_name].get(name)

    def widget(self, widget: Widget) -> dict[str, Any] | None:
        label = dict(widget.label) if widget.label is not None else None
        if widget.kind == "text":
            return {"kind": "text", "label": label, "text": dict(widget.text or {})}
        if widget.kind == "quick_create":
            objects = [{"api_name": name, "label": dict(
                self.session.schema.object(name).model.label)}
                for name in widget.objects if self.session.can(name, "create")]
            return {"kind": "quick_create", "label": label, "objects": objects} \
                if objects else None
        if widget.kind == "app_tiles":
            apps = self.session.apps()
            return {"kind": "app_tiles", "label": label, "apps": apps} if apps else None
        scene = self._scene(widget.object, widget.scene)
        if scene is None:
            return None
        assert widget.object is not None and widget.scene is not None
        shown = {"api_name": scene["api_name"], "label": scene["label"]}
        if widget.kind == "scene_list":
            return self._list(widget, label or scene["label"], scene, shown)
        try:
            value = self.session.aggregate(widget.object, widget.function or "COUNT",
                                           widget.field, scene=widget.scene)
        except QueryError as exc:
            if exc.code != "unknown_field":  # a field the user may not see
                raise
            return None
        return {"kind": "metric", "label": label, "object": widget.object, "scene": shown,
                "function": widget.function, "field": widget.field, "value": value}

    def _list(self, widget: Widget, label: Any, scene: dict[str, Any],
              shown: dict[str, Any]) -> dict[str, Any]:
        assert widget.object is not None
        page = self.session.query(widget.object, scene=widget.scene, limit=widget.rows)
        columns = scene["columns"]
        records = page.records if not columns else [
            {"id": r["id"], **{c: r.get(c) for c in columns if c != "id"}} for r in page]
        return {"kind": "scene_list", "label": label, "object": widget.object, "scene": shown,
                "columns": columns, "records": records, "more": page.next is not None}
