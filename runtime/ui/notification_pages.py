"""``/app/notifications``: the user's notifications, newest first, and marking them read.

``GET /app/notifications`` (``?unread=1`` only the unread ones, ``?after=`` the next
page); ``POST /app/notifications/read`` marks the ``ids`` posted (a notification's own
button) or, without any, all of them, then comes back to the list.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.runtime.ui.display import display
from hulian.runtime.ui.pages import UIPage, page_endpoint

__all__ = ["PAGE_SIZE", "routes"]

PAGE_SIZE = 30


def notifications(page: UIPage) -> Response:
    """GET /app/notifications: one page of the user's notifications."""
    params = page.request.query_params
    unread = params.get("unread") == "1"
    found = page.session.notifications(unread=unread, limit=PAGE_SIZE,
                                       after=params.get("after") or None)
    items = [{**n, "when": display(n["created_at"], page.lang),
              "href": f"/app/o/{n['object']}/{n['record_id']}"
              if n["object"] and n["record_id"] else None} for n in found]
    return page.render("notifications.html", {
        "notifications": items, "unread": unread, "next": found.next})


def mark_read(page: UIPage) -> Response:
    """POST /app/notifications/read: mark the posted ``ids`` read (all without any)."""
    ids = [i for i in page.form.getlist("ids") if isinstance(i, str)]
    page.session.mark_notifications_read(ids or None)
    back = "/app/notifications?unread=1" if page.form.get("unread") == "1" \
        else "/app/notifications"
    return page.redirect(back)


routes = [
    Route("/app/notifications", page_endpoint(notifications), methods=["GET"],
          name="ui_notifications"),
    Route("/app/notifications/read", page_endpoint(mark_read), methods=["POST"],
          name="ui_notifications_read"),
]
