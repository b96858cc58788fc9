"""Administering a tenant's webhook subscriptions: ``engine.webhooks(tenant, actor=...)``.

>>> hooks = engine.webhooks("acme")                                  # doctest: +SKIP
>>> hooks.create("erp_orders", object="Order", url="https://erp.example.com/hulian",
...              secret="a-long-random-secret", events=["create", "update"],
...              filter="total_amount > 10000")
>>> hooks.update("erp_orders", active=False)                         # pause
>>> hooks.deliveries("erp_orders", status="dead")
>>> hooks.replay("erp_orders", 1042)                                 # a dead letter again

Every method is one transaction, checked in the engine: the actor must administer the
tenant. A subscription declared in metadata (``webhooks/*.json``) changes by deploying; here
only its secret and whether it is paused can be set. Secrets are stored so that the
worker can sign with them and are never given back: a subscription shows the last four
characters (``secret_hint``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.actor import Actor, actor_name
from hulian.engine.changes import KINDS, outbox
from hulian.engine.database import reading
from hulian.engine.deploy import versions
from hulian.engine.errors import ConflictError, NotFoundError, WebhookError
from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.system import people
from hulian.engine.system.people import now as utc_now
from hulian.engine.system.tenant_tables import tables_of
from hulian.engine.webhooks import store
from hulian.engine.webhooks.filters import compile_filter
from hulian.engine.webhooks.store import STATUSES, Subscription
from hulian.engine.webhooks.urls import check_url
from hulian.metadata.hints import choices_hint

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["MAX_LIST", "WebhookAdmin"]

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MIN_SECRET, MAX_SECRET = 16, 256
MAX_LIST = 500
UNSET: Any = object()


def _secret(value: Any) -> str:
    if not isinstance(value, str) or not MIN_SECRET <= len(value) <= MAX_SECRET \
            or not value.isprintable():
        raise WebhookError(f"secret must be a text of {MIN_SECRET} to {MAX_SECRET} printable "
                           "characters", parameter="secret",
                           hint='make one with: python -c "import secrets; '
                                'print(secrets.token_hex(32))"')
    return value


def _events(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value or \
            any(e not in KINDS for e in value):
        raise WebhookError("events must be a non-empty list of " + ", ".join(KINDS),
                           parameter="events", hint='e.g. ["create", "update"]')
    return tuple(k for k in KINDS if k in value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise WebhookError(f"{name} must be true or false", parameter=name)
    return value


def describe(sub: Subscription, counts: dict[str, int], problem: str | None = None
             ) -> dict[str, Any]:
    """A subscription as the admin API shows it (never its secret)."""
    state = "filter_invalid" if problem and sub.state == "active" else sub.state
    out: dict[str, Any] = {
        "name": sub.name, "source": sub.source, "object": sub.object,
        "events": list(sub.events), "filter": sub.filter, "url": sub.url,
        "active": sub.active, "state": state,
        "secret_source": sub.secret_source,
        "secret_hint": f"…{sub.secret[-4:]}" if sub.secret else None,
        "position": sub.position,
        "deliveries": {status: counts.get(status, 0) for status in STATUSES},
        "created_by": sub.created_by, "created_at": sub.created_at,
        "updated_at": sub.updated_at}
    if problem:
        out["problem"] = problem
    return out


def delivery_json(row: Any) -> dict[str, Any]:
    return {"change_id": int(row.change_id), "record_id": row.record_id,
            "status": row.status, "attempts": row.attempts,
            "next_at": row.next_at if row.status in store.OPEN else None,
            "last_status": row.last_status, "last_error": row.last_error,
            "delivered_at": row.delivered_at, "updated_at": row.updated_at}


class WebhookAdmin:
    """One tenant's webhook subscriptions, administered by ``actor``."""

    def __init__(self, engine: Engine, tenant: str, actor: Actor):
        self.engine = engine
        self.tenant = tenant
        self.actor = actor

    # -- reading ----------------------------------------------------------------------------

    def _schema(self, conn: sa.Connection) -> CompiledSchema | None:
        people.require_tenant(conn, self.tenant)
        if versions.newest(conn, self.tenant) is None:
            return None
        return self.engine.schema(conn, self.tenant)

    def _all(self, conn: sa.Connection) -> tuple[CompiledSchema | None, list[Subscription]]:
        schema = self._schema(conn)
        found = store.subscriptions(conn, self.tenant, schema.pack if schema else None,
                                    schema.ids if schema else {})
        return schema, found

    def _one(self, conn: sa.Connection, name: str) -> tuple[CompiledSchema | None,
                                                            Subscription]:
        schema, found = self._all(conn)
        for sub in found:
            if sub.name == name:
                return schema, sub
        raise NotFoundError(f"there is no webhook {name!r}", code="webhook_not_found",
                            hint=choices_hint(name, [s.name for s in found], "webhooks"))

    def _counts(self, conn: sa.Connection, names: Iterable[str]) -> dict[str, dict[str, int]]:
        d = tables_of(conn, self.tenant).webhook_deliveries
        out: dict[str, dict[str, int]] = {name: {} for name in names}
        for row in conn.execute(sa.select(d.c.subscription, d.c.status, sa.func.count())
                                .group_by(d.c.subscription, d.c.status)):
            out.setdefault(row[0], {})[row[1]] = int(row[2])
        return out

    @staticmethod
    def _problem(schema: CompiledSchema | None, sub: Subscription) -> str | None:
        """Why a subscription made through the API cannot be delivered although it is
        active: its filter no longer type-checks (a field it reads was removed)."""
        if sub.source != "api" or sub.filter is None or sub.object is None or schema is None:
            return None
        try:
            compile_filter(schema.pack, sub.object, sub.filter)
        except WebhookError as error:
            return f"{error.code}: {error.message}"
        return None

    def list(self) -> list[dict[str, Any]]:
        """Every subscription (made through the API or declared in metadata), by name."""
        with reading(self.engine.db) as conn, conn.begin():
            schema, found = self._all(conn)
            counts = self._counts(conn, [s.name for s in found])
        return [describe(s, counts[s.name], self._problem(schema, s)) for s in found]

    def get(self, name: str) -> dict[str, Any]:
        with reading(self.engine.db) as conn, conn.begin():
            schema, sub = self._one(conn, name)
            counts = self._counts(conn, [name])
        return describe(sub, counts[name], self._problem(schema, sub))

    def deliveries(self, name: str, *, status: str | None = None, after: int = 0,
                   limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
        """The subscription's deliveries in change order after change ``after`` (only
        ``status`` ones if given): at most ``limit``, and the ``after`` of the next page
        (None: none)."""
        if status is not None and status not in STATUSES:
            raise WebhookError(f"status must be one of {', '.join(STATUSES)}",
                               parameter="status")
        limit = max(1, min(limit, MAX_LIST))
        with reading(self.engine.db) as conn, conn.begin():
            self._one(conn, name)
            d = tables_of(conn, self.tenant).webhook_deliveries
            query = sa.select(d).where(d.c.subscription == name, d.c.change_id > after)
            if status is not None:
                query = query.where(d.c.status == status)
            rows = conn.execute(query.order_by(d.c.change_id).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return [delivery_json(r) for r in rows], int(rows[-1].change_id) if more else None

    # -- changing ---------------------------------------------------------------------------

    def _object(self, schema: CompiledSchema | None, name: Any) -> str:
        known = sorted(schema.objects) if schema is not None else []
        if not isinstance(name, str) or name not in known:
            raise WebhookError(f"there is no object {name!r} to subscribe to",
                               code="webhook_unknown_object", parameter="object",
                               hint=choices_hint(str(name), known, "objects"))
        return name

    def create(self, name: str, *, object: str, url: str, secret: str,
               events: Iterable[str] | None = None, filter: str | None = None,
               active: bool = True) -> dict[str, Any]:
        """A subscription to the changes of ``object``'s records from now on."""
        if not isinstance(name, str) or not NAME.match(name):
            raise WebhookError("name must be lower-case letters, digits and _, starting "
                               "with a letter, at most 64 characters", parameter="name",
                               hint="e.g. erp_orders")
        chosen = KINDS if events is None else _events(list(events))
        check_url(url, self.engine.webhook_urls)
        _secret(secret)
        _flag(active, "active")
        now = utc_now()
        with self.engine.db.begin() as conn:
            schema, found = self._all(conn)
            self._object(schema, object)
            assert schema is not None
            if filter is not None:
                compile_filter(schema.pack, object, filter)
            if name in {s.name for s in found} | {w.api_name for w in
                                                  schema.pack.part("webhook")}:
                raise ConflictError(f"there is already a webhook {name!r}",
                                    code="webhook_exists", hint="choose another name")
            object_id = store.object_ids(schema.ids).get(object)
            if object_id is None:
                raise WebhookError(f"{object} has no stable id yet; deploy again",
                                   code="webhook_unknown_object", parameter="object")
            conn.execute(tables_of(conn, self.tenant).webhooks.insert().values(
                name=name, source="api", object_id=object_id,
                events=store.events_text(chosen), filter=filter, url=url, secret=secret,
                active=active, position=outbox.last_id(conn, self.tenant),
                created_by=actor_name(self.actor), created_at=now, updated_at=now))
        return self.get(name)

    def update(self, name: str, *, url: Any = UNSET, secret: Any = UNSET, filter: Any = UNSET,
               events: Any = UNSET, active: Any = UNSET) -> dict[str, Any]:
        """Change what is given: a subscription made through the API any of these; one
        declared in metadata only ``secret`` (None: back to its ``secret_env``) and
        ``active`` (None: back to what the metadata says)."""
        values: dict[str, Any] = {}
        with self.engine.db.begin() as conn:
            schema, sub = self._one(conn, name)
            if sub.source == "metadata":
                fixed = [k for k, v in (("url", url), ("filter", filter), ("events", events))
                         if v is not UNSET]
                if fixed:
                    raise ConflictError(f"webhook {name} is declared in metadata: its "
                                        f"{', '.join(fixed)} change by deploying",
                                        code="webhook_in_metadata",
                                        hint=f"edit webhooks/{name}.json and deploy; here "
                                             "only secret and active can be set")
                if active is not UNSET:
                    values["active"] = None if active is None else _flag(active, "active")
                if secret is not UNSET:
                    values["secret"] = None if secret is None else _secret(secret)
            else:
                if url is not UNSET:
                    values["url"] = url
                    check_url(url, self.engine.webhook_urls)
                if secret is not UNSET:
                    values["secret"] = _secret(secret)
                if events is not UNSET:
                    values["events"] = store.events_text(_events(events))
                if active is not UNSET:
                    values["active"] = _flag(active, "active")
                if filter is not UNSET:
                    if filter is not None:
                        if sub.object is None or schema is None:
                            raise WebhookError(f"the object of webhook {name} is gone",
                                               code="webhook_unknown_object",
                                               parameter="filter")
                        compile_filter(schema.pack, sub.object, filter)
                    values["filter"] = filter
            if values:
                table = tables_of(conn, self.tenant).webhooks
                conn.execute(table.update().where(table.c.name == name)
                             .values(**values, updated_at=utc_now()))
        return self.get(name)

    def delete(self, name: str) -> None:
        """Remove a subscription made through the API, and its deliveries."""
        with self.engine.db.begin() as conn:
            _, sub = self._one(conn, name)
            if sub.source == "metadata":
                raise ConflictError(f"webhook {name} is declared in metadata",
                                    code="webhook_in_metadata",
                                    hint=f"remove webhooks/{name}.json and deploy, or pause "
                                         "it with active: false")
            tables = tables_of(conn, self.tenant)
            conn.execute(tables.webhook_deliveries.delete().where(
                tables.webhook_deliveries.c.subscription == name))
            conn.execute(tables.webhooks.delete().where(tables.webhooks.c.name == name))

    def replay(self, name: str, change_id: int) -> dict[str, Any]:
        """Deliver a dead-lettered delivery again (with fresh attempts, at once)."""
        with self.engine.db.begin() as conn:
            self._one(conn, name)
            d = tables_of(conn, self.tenant).webhook_deliveries
            row = conn.execute(sa.select(d).where(d.c.subscription == name,
                                                  d.c.change_id == change_id)).first()
            if row is None:
                raise NotFoundError(f"webhook {name} has no delivery of change {change_id}",
                                    code="delivery_not_found",
                                    hint="list them: GET /api/v1/admin/webhooks/"
                                         f"{name}/deliveries?status=dead")
            if row.status != "dead":
                raise ConflictError(f"the delivery of change {change_id} is {row.status}, "
                                    "not dead-lettered", code="delivery_not_dead",
                                    hint="only dead letters are replayed one by one; replay "
                                         "from a change id to deliver delivered ones again")
            conn.execute(d.update().where(d.c.subscription == name,
                                          d.c.change_id == change_id)  # next_at: when it
                         .values(status="pending", attempts=0,         # died, so due now
                                 lease_until=None, updated_at=utc_now()))
            row = conn.execute(sa.select(d).where(d.c.subscription == name,
                                                  d.c.change_id == change_id)).one()
        return delivery_json(row)

    def replay_from(self, name: str, change_id: int) -> dict[str, Any]:
        """Deliver again every change from ``change_id`` on that the subscription takes
        (its events and filter): delivered and dead-lettered ones are sent again, in order
        per record; those still on their way stay as they are."""
        if isinstance(change_id, bool) or not isinstance(change_id, int) or change_id < 1:
            raise WebhookError("from must be a change id (a whole number from 1)",
                               parameter="from")
        with self.engine.db.begin() as conn:
            _, sub = self._one(conn, name)
            tables = tables_of(conn, self.tenant)
            oldest = conn.scalar(sa.select(sa.func.min(tables.changes.c.id)))
            newest = outbox.last_id(conn, self.tenant)
            kept_from = int(oldest) if oldest is not None else newest + 1
            if change_id < kept_from and change_id <= newest:
                raise ConflictError(f"changes before {kept_from} are no longer kept",
                                    code="webhook_replay_purged",
                                    hint=f"replay from {kept_from} or later; dead letters "
                                         "keep their bodies and can be replayed one by one")
            d = tables.webhook_deliveries
            conn.execute(d.delete().where(d.c.subscription == name,
                                          d.c.change_id >= change_id,
                                          d.c.status.in_(("delivered", "dead"))))
            position = min(sub.position, change_id - 1)
            conn.execute(tables.webhooks.update().where(tables.webhooks.c.name == name)
                         .values(position=position, updated_at=utc_now()))
        return {"name": name, "from": change_id, "position": position}
