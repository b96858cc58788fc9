"""The admin REST routes of webhooks on both databases: create, list, read, pause and
resume, change, delete; deliveries and replays; secrets never shown; URLs refused with
their codes; administrators only."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from hulian.engine.system.tenant_tables import tables_of
from hulian.engine.webhooks import UrlPolicy
from tests.integration.test_rest_support import Api
from tests.integration.webhook_receiver import Receiver
from tests.integration.webhook_world import SECRET, SETTINGS, World

URL = "https://erp.example.com/hulian/orders"


@pytest.fixture
def api(crm):
    return Api(*crm)


def _hook(**extra):
    return {"name": "erp", "object": "Order", "url": URL, "secret": SECRET, **extra}


def _error(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_create_read_pause_resume_change_and_delete(api):
    created = api.post("/admin/webhooks", _hook(events=["update", "create"],
                                                filter="ISPICKVAL(status, 'confirmed')"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("name", "source", "object", "events", "filter", "url",
                                 "active", "state", "secret_source", "secret_hint")} == {
        "name": "erp", "source": "api", "object": "Order", "events": ["create", "update"],
        "filter": "ISPICKVAL(status, 'confirmed')", "url": URL, "active": True,
        "state": "active", "secret_source": "stored", "secret_hint": f"…{SECRET[-4:]}"}
    assert body["deliveries"] == {"pending": 0, "retrying": 0, "delivered": 0, "dead": 0}
    assert api.get("/admin/webhooks").json()["webhooks"] == [api.get("/admin/webhooks/erp")
                                                             .json()]
    paused = api.patch("/admin/webhooks/erp", {"active": False}).json()
    assert (paused["active"], paused["state"]) == (False, "paused")
    changed = api.patch("/admin/webhooks/erp", {
        "active": True, "url": "https://erp.example.com/v2", "filter": None,
        "events": ["delete"], "secret": "another-secret-of-16+"}).json()
    assert {k: changed[k] for k in ("active", "url", "filter", "events", "secret_hint")} == {
        "active": True, "url": "https://erp.example.com/v2", "filter": None,
        "events": ["delete"], "secret_hint": "…-16+"}
    assert api.delete("/admin/webhooks/erp").status_code == 204
    assert _error(api.get("/admin/webhooks/erp"), 404)["code"] == "webhook_not_found"
    assert api.get("/admin/webhooks").json() == {"webhooks": []}


def test_the_secret_is_never_given_back(api):
    responses = [api.post("/admin/webhooks", _hook()), api.get("/admin/webhooks"),
                 api.get("/admin/webhooks/erp"), api.patch("/admin/webhooks/erp",
                                                           {"active": False})]
    assert all(r.status_code < 300 for r in responses)
    assert not any(SECRET in r.text for r in responses)


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://erp.example.com/orders", "webhook_url_scheme"),
    ("erp.example.com/orders", "webhook_url_scheme"),
    ("https://hulian:pw@erp.example.com/orders", "webhook_url_invalid"),
    ("https://erp.example.com:99999/orders", "webhook_url_invalid"),
    ("https://erp example.com/", "webhook_url_invalid"),
    ("http://127.0.0.1:9000/hook", "webhook_host_not_allowed"),
    ("http://localhost/hook", "webhook_host_not_allowed"),
    ("http://10.1.2.3/hook", "webhook_host_not_allowed"),
    ("http://169.254.169.254/latest/meta-data", "webhook_host_not_allowed"),
    ("http://[::1]:8080/hook", "webhook_host_not_allowed"),
    ("http://[::ffff:192.168.0.1]/hook", "webhook_host_not_allowed"),
])
def test_urls_are_refused_with_a_clear_code(api, url, code):
    error = _error(api.post("/admin/webhooks", _hook(url=url)), 422)
    assert error["code"] == code
    assert error["details"][0]["parameter"] == "url"
    assert error["hint"]
    assert api.get("/admin/webhooks").json() == {"webhooks": []}


def test_the_allow_list_and_development_mode(api, monkeypatch):
    monkeypatch.setattr(api.engine, "webhook_urls", UrlPolicy(hosts=("*.example.com",
                                                                     "erp.partner.cn")))
    assert api.post("/admin/webhooks", _hook(url="https://a.b.example.com/x")).status_code \
        == 201
    error = _error(api.post("/admin/webhooks", _hook(name="other", url="https://evil.com/")),
                   422)
    assert error["code"] == "webhook_host_not_allowed"
    assert "*.example.com, erp.partner.cn" in error["hint"]
    monkeypatch.setattr(api.engine, "webhook_urls", UrlPolicy(development=True))
    assert api.post("/admin/webhooks", _hook(name="local", url="http://127.0.0.1:9/x")) \
        .status_code == 201


@pytest.mark.parametrize(("change", "status", "code", "parameter"), [
    ({"name": "ERP"}, 422, "invalid_webhook", "name"),
    ({"object": "Ordr"}, 422, "webhook_unknown_object", "object"),
    ({"events": []}, 422, "invalid_webhook", "events"),
    ({"events": ["insert"]}, 422, "invalid_webhook", "events"),
    ({"secret": "short"}, 422, "invalid_webhook", "secret"),
    ({"active": "yes"}, 422, "invalid_webhook", "active"),
    ({"filter": ""}, 422, "invalid_webhook", "filter"),
    ({"filter": "notes = '\u0000'"}, 422, "invalid_character", "filter"),
])
def test_bad_subscriptions_are_refused(api, change, status, code, parameter):
    error = _error(api.post("/admin/webhooks", _hook(**change)), status)
    assert (error["code"], error["details"][0]["parameter"]) == (code, parameter)


def test_requests_the_routes_cannot_read(api):
    assert _error(api.post("/admin/webhooks", {"name": "erp"}), 400)["code"] == \
        "invalid_parameter"
    assert _error(api.post("/admin/webhooks", _hook(colour="red")), 400)["code"] == \
        "unknown_parameter"
    api.post("/admin/webhooks", _hook())
    assert _error(api.post("/admin/webhooks", _hook()), 409)["code"] == "webhook_exists"
    assert _error(api.patch("/admin/webhooks/erp", {}), 400)["code"] == "invalid_parameter"
    assert _error(api.get("/admin/webhooks/erp/deliveries", params={"status": "lost"}),
                  422)["code"] == "invalid_webhook"
    assert _error(api.get("/admin/webhooks/erp/deliveries", params={"limit": "0"}),
                  400)["code"] == "invalid_limit"
    assert _error(api.post("/admin/webhooks/erp/deliveries/x/replay"), 400)["code"] == \
        "invalid_parameter"
    assert _error(api.post("/admin/webhooks/erp/replay", {"from": "1"}), 400)["code"] == \
        "invalid_parameter"
    assert _error(api.get("/admin/webhooks/nope/deliveries"), 404)["code"] == \
        "webhook_not_found"


def test_only_administrators_may_use_them(api):
    api.post("/admin/webhooks", _hook())
    api.engine.people(api.tenant).create_user("mei")
    token = api.engine.people(api.tenant).create_token("mei")
    for method, path, body in (("GET", "/admin/webhooks", None),
                               ("POST", "/admin/webhooks", _hook(name="x")),
                               ("PATCH", "/admin/webhooks/erp", {"active": False}),
                               ("DELETE", "/admin/webhooks/erp", None),
                               ("GET", "/admin/webhooks/erp/deliveries", None),
                               ("POST", "/admin/webhooks/erp/replay", {"from": 1})):
        response = api.call(method, path, body, token=token) if body is not None else \
            api.call(method, path, token=token)
        assert _error(response, 403)["code"] == "admin_required", (method, path)
    assert api.get("/admin/webhooks/erp").json()["active"] is True


def test_deliveries_page_and_replay_over_rest(crm, monkeypatch):
    engine, tenant = crm
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    receiver = Receiver(SECRET)
    try:
        world = World(engine, tenant, receiver)
        api = Api(engine, tenant)
        orders = world.orders(5)
        assert api.post("/admin/webhooks", _hook(url=receiver.url)).status_code == 201
        ids = [world.update(order, {"notes": "1"}) for order in orders]
        receiver.fail_once = {ids[0]}
        world.run(settings=replace(SETTINGS, max_attempts=1))
        first = api.get("/admin/webhooks/erp/deliveries", params={"limit": "2"}).json()
        assert [d["change_id"] for d in first["deliveries"]] == ids[:2]
        assert first["next"] == ids[1]
        rest = api.get("/admin/webhooks/erp/deliveries",
                       params={"after": str(first["next"])}).json()
        assert ([d["change_id"] for d in rest["deliveries"]], rest["next"]) == (ids[2:], None)
        dead = api.get("/admin/webhooks/erp/deliveries", params={"status": "dead"}).json()
        assert [(d["change_id"], d["attempts"], d["last_status"]) for d in
                dead["deliveries"]] == [(ids[0], 1, 500)]
        assert _error(api.post(f"/admin/webhooks/erp/deliveries/{ids[1]}/replay"),
                      409)["code"] == "delivery_not_dead"
        assert _error(api.post("/admin/webhooks/erp/deliveries/999999/replay"),
                      404)["code"] == "delivery_not_found"
        replayed = api.post(f"/admin/webhooks/erp/deliveries/{ids[0]}/replay")
        assert (replayed.status_code, replayed.json()["status"]) == (200, "pending")
        world.run()
        assert sorted(receiver.acknowledged()) == [("erp", i) for i in ids]
        again = api.post("/admin/webhooks/erp/replay", {"from": ids[3]})
        assert again.json() == {"name": "erp", "from": ids[3], "position": ids[3] - 1}
        world.run()
        assert sorted(receiver.acknowledged()[-2:]) == [("erp", ids[3]), ("erp", ids[4])]
        with engine.db.begin() as conn:
            changes = tables_of(conn, tenant).changes
            conn.execute(changes.delete().where(changes.c.id < ids[2]))   # a purge
        error = _error(api.post("/admin/webhooks/erp/replay", {"from": ids[0]}), 409)
        assert error["code"] == "webhook_replay_purged"
        assert str(ids[2]) in error["hint"]
    finally:
        receiver.close()


def test_deleting_a_subscription_removes_its_deliveries(crm, monkeypatch):
    engine, tenant = crm
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    receiver = Receiver(SECRET)
    try:
        world = World(engine, tenant, receiver)
        world.subscribe()
        world.orders(1)
        world.run()
        assert len(receiver.acknowledged()) == 1
        engine.webhooks(tenant).delete("erp")
        with engine.db.connect() as conn:
            d = tables_of(conn, tenant).webhook_deliveries
            assert conn.scalar(sa.select(sa.func.count()).select_from(d)) == 0
    finally:
        receiver.close()
