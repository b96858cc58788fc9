"""Webhooks declared in metadata (``webhooks/<api_name>.json``) on both databases: deployed,
delivered with the secret the worker's environment or an administrator gives, changed only by
deploying, removed with their deliveries, refused at deploy for a host the installation does
not allow, exported, and kept in step with renames and removals."""

from __future__ import annotations

import copy

import pytest

from hulian.engine import ConflictError, DeployError
from hulian.engine.webhooks import UrlPolicy
from tests.integration.webhook_receiver import Receiver
from tests.integration.webhook_world import SECRET, World
from tests.packs import documents, field, obj, options, pack_of

ENV = "HULIAN_WEBHOOK_DEALS"


def _docs(url: str, **webhook):
    docs = documents(obj("Deal", field("name", "text"), field("amount", "currency", scale=2),
                         field("stage", "picklist", options=options("open", "won"))))
    docs["webhooks/won_deals.json"] = {"api_name": "won_deals", "object": "Deal", "url": url,
                                       "events": ["create", "update"],
                                       "filter": "ISPICKVAL(stage, 'won')",
                                       "secret_env": ENV, **webhook}
    return docs


@pytest.fixture
def world(engine, tenant, monkeypatch):
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    receiver = Receiver(SECRET)
    world = World(engine, tenant, receiver)
    engine.metadata(tenant).deploy(pack_of(_docs(receiver.url)))
    yield world
    receiver.close()


def _deal(world: World, stage: str) -> tuple[str, int]:
    """A deal created at ``stage``, and the id of its create change."""
    return world.create({"name": "D", "stage": stage}, "Deal")


def test_a_declared_webhook_delivers_with_the_secret_from_the_environment(world):
    hooks = world.engine.webhooks(world.tenant)
    (found,) = hooks.list()
    assert {k: found[k] for k in ("name", "source", "object", "events", "state",
                                  "secret_source", "secret_hint")} == {
        "name": "won_deals", "source": "metadata", "object": "Deal",
        "events": ["create", "update"], "state": "active", "secret_source": f"env:{ENV}",
        "secret_hint": None}
    _deal(world, "open")
    _, won = _deal(world, "won")
    world.run(environ={})                                  # no secret: nothing goes out
    assert world.receiver.received == []
    world.run(environ={ENV: SECRET})
    assert world.receiver.acknowledged() == [("won_deals", won)]
    assert all(r.signed for r in world.receiver.received)


def test_changes_before_the_deploy_are_not_delivered(engine, tenant, monkeypatch):
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    receiver = Receiver(SECRET)
    try:
        world = World(engine, tenant, receiver)
        docs = _docs(receiver.url)
        without = {k: v for k, v in docs.items() if not k.startswith("webhooks/")}
        engine.metadata(tenant).deploy(pack_of(without))
        _deal(world, "won")
        engine.metadata(tenant).deploy(pack_of(docs))
        _, after = _deal(world, "won")
        world.run(environ={ENV: SECRET})
        assert receiver.acknowledged() == [("won_deals", after)]
    finally:
        receiver.close()


def test_an_administrator_sets_the_secret_and_pauses_but_changes_nothing_else(world):
    hooks = world.engine.webhooks(world.tenant)
    stored = hooks.update("won_deals", secret=SECRET)
    assert (stored["secret_source"], stored["secret_hint"]) == ("stored", f"…{SECRET[-4:]}")
    _, won = _deal(world, "won")
    world.run(environ={})
    assert world.receiver.acknowledged() == [("won_deals", won)]
    assert hooks.update("won_deals", active=False)["state"] == "paused"
    assert hooks.update("won_deals", active=None)["active"] is True     # the metadata's
    assert hooks.update("won_deals", secret=None)["secret_source"] == f"env:{ENV}"
    for change in ({"url": "https://elsewhere.example.com"}, {"filter": None},
                   {"events": ["delete"]}):
        with pytest.raises(ConflictError) as refused:
            hooks.update("won_deals", **change)
        assert refused.value.code == "webhook_in_metadata"
    with pytest.raises(ConflictError) as refused:
        hooks.delete("won_deals")
    assert refused.value.code == "webhook_in_metadata"


def test_a_webhook_without_a_secret_waits_for_one(world):
    docs = _docs(world.receiver.url)
    del docs["webhooks/won_deals.json"]["secret_env"]
    world.engine.metadata(world.tenant).deploy(pack_of(docs))
    assert world.engine.webhooks(world.tenant).get("won_deals")["state"] == "needs_secret"
    _, won = _deal(world, "won")
    world.run()
    assert world.receiver.received == []
    world.engine.webhooks(world.tenant).update("won_deals", secret=SECRET)
    world.run()
    assert world.receiver.acknowledged() == [("won_deals", won)]


def test_removing_the_document_removes_the_subscription_and_its_deliveries(world):
    _deal(world, "won")
    world.receiver.mode = "error"
    world.run(environ={ENV: SECRET})
    assert len(world.deliveries("won_deals")) == 1
    docs = _docs(world.receiver.url)
    del docs["webhooks/won_deals.json"]
    world.engine.metadata(world.tenant).deploy(pack_of(docs))
    assert world.engine.webhooks(world.tenant).list() == []
    world.engine.metadata(world.tenant).deploy(pack_of(_docs(world.receiver.url)))
    assert world.deliveries("won_deals") == []


def test_a_host_the_installation_does_not_allow_fails_the_deploy(engine, tenant):
    with pytest.raises(DeployError) as refused:
        engine.metadata(tenant).deploy(pack_of(_docs("http://127.0.0.1:9000/deals")))
    assert refused.value.code == "webhook_host_not_allowed"
    assert refused.value.details() == [{
        "change": "webhook won_deals: 127.0.0.1 is a loopback, private or reserved address: "
                  "webhooks may reach it only in development",
        "file": "webhooks/won_deals.json", "pointer": "/url"}]
    assert engine.tenants().count(tenant) == 0


def test_a_pack_may_not_declare_a_webhook_named_like_one_of_the_api(engine, tenant,
                                                                   monkeypatch):
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    docs = _docs("https://erp.example.com/deals")
    without = {k: v for k, v in docs.items() if not k.startswith("webhooks/")}
    engine.metadata(tenant).deploy(pack_of(without))
    engine.webhooks(tenant).create("won_deals", object="Deal", url="https://erp.example.com",
                                   secret=SECRET)
    with pytest.raises(DeployError) as refused:
        engine.metadata(tenant).deploy(pack_of(docs))
    assert refused.value.code == "webhook_exists"
    with pytest.raises(ConflictError):
        engine.webhooks(tenant).create("won_deals", object="Deal",
                                       url="https://erp.example.com", secret=SECRET)


def test_export_writes_the_webhook_back(world, tmp_path):
    written = world.engine.metadata(world.tenant).export(tmp_path / "out")
    assert str(tmp_path / "out" / "webhooks" / "won_deals.json") in written
    import json

    exported = json.loads((tmp_path / "out" / "webhooks" / "won_deals.json").read_text())
    assert exported == _docs(world.receiver.url)["webhooks/won_deals.json"]


def test_removing_a_field_the_filter_reads_is_refused(world):
    docs = _docs(world.receiver.url)
    deal = docs["objects/Deal.json"]
    deal["fields"] = [f for f in deal["fields"] if f["api_name"] != "stage"]
    with pytest.raises(DeployError) as refused:
        world.engine.metadata(world.tenant).deploy(pack_of(docs))
    assert refused.value.code == "deploy_removed_in_use"
    assert "webhook won_deals" in str(refused.value.details())


def test_subscriptions_follow_a_renamed_object(world):
    hooks = world.engine.webhooks(world.tenant)
    hooks.create("from_api", object="Deal", url=world.receiver.url, secret=SECRET)
    docs = copy.deepcopy(_docs(world.receiver.url))
    deal = docs.pop("objects/Deal.json")
    deal.update(api_name="Opportunity", renamed_from="Deal")
    docs["objects/Opportunity.json"] = deal
    docs["webhooks/won_deals.json"]["object"] = "Opportunity"
    world.engine.metadata(world.tenant).deploy(pack_of(docs))
    assert {h["name"]: h["object"] for h in hooks.list()} == {"from_api": "Opportunity",
                                                              "won_deals": "Opportunity"}
