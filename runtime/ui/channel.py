"""Which channel a page is shown for: ``web`` (desktop) or ``mobile``.

The ``channel`` cookie (set by the shell's switch), else ``mobile`` when the User-Agent
names a phone (Mobile, Android, iPhone), else ``web``. The channel picks mobile layouts,
mobile home views and card lists.

>>> channel_from_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)")
'mobile'
>>> channel_from_agent("Mozilla/5.0 (X11; Linux x86_64)")
'web'
"""

from __future__ import annotations

import re

from starlette.requests import Request

__all__ = ["CHANNELS", "CHANNEL_COOKIE", "channel", "channel_from_agent"]

CHANNELS = ("web", "mobile")
CHANNEL_COOKIE = "channel"
_PHONE = re.compile(r"Mobile|Android|iPhone", re.IGNORECASE)


def channel_from_agent(user_agent: str) -> str:
    return "mobile" if _PHONE.search(user_agent[:512]) else "web"


def channel(request: Request) -> str:
    chosen = request.cookies.get(CHANNEL_COOKIE)
    if chosen in CHANNELS:
        return chosen
    return channel_from_agent(request.headers.get("user-agent", ""))
