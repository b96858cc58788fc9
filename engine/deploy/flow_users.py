"""The users flows name, checked at deploy against the tenant's users.

An approver or a notification recipient may name a user (``{"user": "mei"}``); the pack
cannot know the tenant's users, so the deploy does: a name that is no user of the
tenant (active or not) refuses the deploy with ``flow_unknown_user``, every such name
listed with its file and pointer.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from hulian.engine.errors import DeployError
from hulian.engine.system.people import ADMIN
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.kinds.flow_checks import parties
from hulian.metadata.model import Pack
from hulian.metadata.problems import pointer

__all__ = ["check_flow_users"]


def _named(pack: Pack) -> Iterator[tuple[str, str, str]]:
    """(username, file, pointer) of every user the pack's flows name."""
    for flow in pack.part("flow"):
        for path, key, value in parties(flow.document):
            if key == "user" and isinstance(value, str):
                yield value, flow.source, pointer(*path)


def check_flow_users(conn: sa.Connection, tenant: str, pack: Pack, *, new: bool = False
                     ) -> None:
    """Refuse the deploy when a flow of ``pack`` names a user the tenant does not have
    (``new``: the tenant is created by this deploy, with its ``admin`` alone)."""
    named = list(_named(pack))
    if not named:
        return
    wanted = sorted({name for name, _, _ in named})
    if new:
        known = {ADMIN} & set(wanted)
    else:
        users = tables_of(conn, tenant).users
        known = set(conn.execute(sa.select(users.c.username).where(
            users.c.username.in_(wanted))).scalars())
    missing = [(name, file, where) for name, file, where in named if name not in known]
    if not missing:
        return
    name, file, where = missing[0]
    raise DeployError(
        f"{len(missing)} user(s) named by flows are not users of {tenant!r}: {name!r} "
        f"({file}#{where})",
        code="flow_unknown_user",
        hint="add the user first (hulian user add), or name a role instead of a user",
        changes=[{"user": n, "file": f, "pointer": w,
                  "message": f"{n!r} is not a user of {tenant!r}"} for n, f, w in missing])
