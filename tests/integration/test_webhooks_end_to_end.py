"""Issue 14's "done when", on SQLite and PostgreSQL, as a new user would try it over REST:
an administrator subscribes a local receiver to ``Order`` changes; orders are created and
updated; the worker delivers them signed (checked with the recipe docs/integration.md gives),
in order per record, keyed by change id; the receiver stops, more is written, it comes back
and gets everything, once; the change feed from a cursor taken before gives the same
events, and the record history says who changed what."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from hulian.engine.webhooks import UrlPolicy
from hulian.metadata.jsontext import loads
from tests.integration.test_rest_support import Api, body
from tests.integration.webhook_receiver import Receiver
from tests.integration.webhook_world import SECRET, SETTINGS, World

DOCS = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def documented_check() -> Any:
    """The signature check docs/integration.md tells receivers to copy, run as written."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Checking the signature", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)[:1]
    scope: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), scope)
    return scope["hulian_signature_ok"]


@pytest.fixture
def world(crm, monkeypatch):
    engine, tenant = crm
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    engine.people(tenant).create_user("mei", display_name="Mei Chen", roles=["sales_rep"])
    receiver = Receiver(SECRET)
    yield World(engine, tenant, receiver)
    receiver.close()


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return body(response)


def _feed(api: Api, cursor: str) -> list[dict[str, Any]]:
    """Every Order change after ``cursor``, page by page."""
    out: list[dict[str, Any]] = []
    while True:
        page = _ok(api.get("/changes", params={"after": cursor, "objects": "Order",
                                               "limit": "3"}))
        out.extend(page["changes"])
        cursor = page["next"]
        if not page["more"]:
            return out


def test_subscribe_write_deliver_lose_nothing_and_read_the_same_from_the_feed(world):
    admin = Api(world.engine, world.tenant)
    mei = Api(world.engine, world.tenant, "mei")
    check = documented_check()
    subscribed = admin.post("/admin/webhooks", {
        "name": "erp", "object": "Order", "url": world.receiver.url, "secret": SECRET})
    assert _ok(subscribed, 201)["state"] == "active"
    start = _ok(admin.get("/changes/cursor"))["cursor"]

    def create(api: Api, values: dict[str, Any], request: str) -> dict[str, Any]:
        return _ok(api.post("/objects/Order/records", values,
                            headers={"X-Request-Id": request}), 201)

    def update(api: Api, record: dict[str, Any], values: dict[str, Any], request: str
               ) -> dict[str, Any]:
        path = f"/objects/Order/records/{record['id']}"
        current = _ok(api.get(path))
        return _ok(api.patch(path, {"version": current["version"], **values},
                             headers={"X-Request-Id": request}))

    first = create(mei, {"status": "draft", "notes": "两箱"}, "mei-1")
    second = create(admin, {"status": "draft"}, "admin-1")
    update(mei, first, {"notes": "三箱"}, "mei-2")
    update(admin, first, {"status": "confirmed"}, "admin-2")
    update(admin, second, {"delivery": "express", "carrier": "sf"}, "admin-3")
    report = world.run()
    assert (report.enqueued, report.delivered, report.failed) == (5, 5, 0)

    world.receiver.stop()
    update(admin, second, {"status": "confirmed"}, "admin-4")
    third = create(mei, {"status": "draft"}, "mei-3")
    update(mei, first, {"notes": "四箱"}, "mei-4")
    deleted = admin.delete(f"/objects/Order/records/{third['id']}",
                           headers={"X-Request-Id": "admin-5"})
    assert deleted.status_code == 204, deleted.text
    bulk = _ok(admin.post("/objects/Order/records", [{"status": "draft", "notes": f"批{i}"}
                                                     for i in range(3)],
                          headers={"X-Request-Id": "admin-6"}), 201)["ids"]  # one pack
    down = world.run()
    assert (down.enqueued, down.delivered) == (7, 0) and down.failed >= 1
    assert len(world.receiver.received) == 5                  # nothing reached it meanwhile
    world.receiver.start()
    world.later(SETTINGS.backoff_cap)
    world.run()

    # everything, once, in order per record, signed, keyed by the change id
    feed = _feed(admin, start)
    assert len(feed) == 12
    received = world.receiver.received
    assert all(r.status == 200 for r in received)
    assert [r.key for r in received] == [("erp", r.json["id"]) for r in received]
    assert sorted(r.json["id"] for r in received) == [c["id"] for c in feed]
    per_record: dict[str, list[int]] = defaultdict(list)
    for r in received:
        per_record[r.json["record_id"]].append(r.json["id"])
    assert all(ids == sorted(ids) for ids in per_record.values())
    assert set(per_record) == {first["id"], second["id"], third["id"], *bulk}
    for r in received:
        assert r.headers["X-Hulian-Delivery"] == str(r.json["id"])
        assert check(SECRET, r.headers["X-Hulian-Signature"], r.body,
                     now=world.clock.now.timestamp())
        assert not check(SECRET + "x", r.headers["X-Hulian-Signature"], r.body,
                         now=world.clock.now.timestamp())
        assert not check(SECRET, r.headers["X-Hulian-Signature"], r.body + b" ",
                         now=world.clock.now.timestamp())
    assert not check(SECRET, received[0].headers["X-Hulian-Signature"], received[0].body,
                     now=world.clock.now.timestamp() + 3600)          # an old request

    # the feed from the cursor taken before says the same
    delivered = {r.json["id"]: loads(r.body) for r in received}
    keys = ("kind", "object", "record_id", "before", "after", "user", "enterprise",
            "channel", "request_id")
    for change in feed:
        sent = delivered[change["id"]]
        assert {k: sent[k] for k in keys} == {k: change[k] for k in keys}, change["id"]
        assert dt.datetime.fromisoformat(sent["at"]) == dt.datetime.fromisoformat(change["at"])
    assert [(c["kind"], c["request_id"]) for c in feed] == [
        ("create", "mei-1"), ("create", "admin-1"), ("update", "mei-2"),
        ("update", "admin-2"), ("update", "admin-3"), ("update", "admin-4"),
        ("create", "mei-3"), ("update", "mei-4"), ("delete", "admin-5"),
        ("create", "admin-6"), ("create", "admin-6"), ("create", "admin-6")]
    assert feed[2]["before"] == {"notes": "两箱"} and feed[2]["after"] == {"notes": "三箱"}
    assert feed[8]["after"] == {"is_deleted": True}
    assert [(c["record_id"], c["after"]["notes"]) for c in feed[9:]] == [
        (record_id, f"批{i}") for i, record_id in enumerate(bulk)]
    hook = _ok(admin.get("/admin/webhooks/erp"))
    assert hook["deliveries"] == {"pending": 0, "retrying": 0, "delivered": 12, "dead": 0}

    # the record history shows who changed what
    history = _ok(admin.get(f"/objects/Order/records/{first['id']}/history"))["entries"]
    assert [(e["kind"], e["user"]["name"], e["request_id"]) for e in history] == [
        ("update", "Administrator", "admin-2"), ("create", "Mei Chen", "mei-1")]
    assert history[0]["fields"] == [{"field": "status", "old": "draft", "new": "confirmed"}]
