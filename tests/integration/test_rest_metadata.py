"""The metadata API (issue 17): read the effective metadata and the overlay, change overlay
documents with a dry run first, deploy, history, diff, rollback and export; on both
databases, over REST, as the example CRM's administrator."""

from __future__ import annotations

import pytest

from hulian.metadata.loader import load_documents
from tests.integration.test_rest_support import Api, body, error

L = {"en": "Channel", "zh": "渠道"}
CHANNEL = {"api_name": "channel__c", "type": "picklist", "label": L,
           "options": [{"api_name": "web", "label": {"en": "Web", "zh": "网站"}},
                       {"api_name": "phone", "label": {"en": "Phone", "zh": "电话"}}]}
EXTENSION = "extensions/Order.json"


@pytest.fixture
def api(crm):
    return Api(*crm)


def _version(api: Api) -> int:
    return body(api.get("/admin/metadata"))["version"]


def test_reads_the_effective_metadata_and_an_empty_overlay(api):
    found = body(api.get("/admin/metadata"))
    assert found["version"] == 1
    assert found["packs"] == {"crm": "1.0.0"}
    assert found["has_overlay"] is False
    assert found["documents"]["objects/Order.json"]["api_name"] == "Order"
    overlay = body(api.get("/admin/metadata/overlay"))
    assert list(overlay["documents"]) == ["pack.json"]
    assert overlay["documents"]["pack.json"]["kind"] == "tenant"


def test_only_administrators_reach_it(api):
    api.engine.people(api.tenant).create_user("rep", roles=["member"])
    token = api.engine.people(api.tenant).create_token("rep")
    for method, path in (("GET", "/admin/metadata"), ("GET", "/admin/metadata/overlay"),
                         ("PUT", f"/admin/metadata/overlay/{EXTENSION}"),
                         ("GET", "/admin/metadata/versions")):
        sent = {"object": "Order", "fields": [CHANNEL]} if method == "PUT" else None
        response = api.call(method, path, sent, token=token) if sent else \
            api.call(method, path, token=token)
        assert error(response, 403)["code"] == "admin_required"
    assert _version(api) == 1


def test_a_dry_run_shows_the_plan_and_changes_nothing(api):
    response = api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
                        {"object": "Order", "fields": [CHANNEL]},
                        params={"dry_run": "true", "base": "1"})
    plan = body(response)
    assert plan["dry_run"] is True and plan["ok"] is True
    assert [(s["action"], s["field"], s["kind"]) for s in plan["steps"]] == \
        [("add_field", "channel__c", "safe")]
    assert _version(api) == 1
    assert error(api.get(f"/admin/metadata/overlay/{EXTENSION}"), 404)["code"] == \
        "overlay_document_not_found"


def test_a_put_document_is_deployed_and_used_at_once(api):
    plan = body(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
                         {"object": "Order", "fields": [CHANNEL]}, params={"base": "1"}))
    assert plan["dry_run"] is False and plan["version"] == 2
    stored = body(api.get(f"/admin/metadata/overlay/{EXTENSION}"))
    assert stored["version"] == 2
    assert stored["document"]["fields"][0]["api_name"] == "channel__c"
    account = api.create("Account", {"name": "Acme"})
    order = api.create("Order", {"account": account["id"],
                                 "channel__c": "phone"})
    assert order["channel__c"] == "phone"
    history = body(api.get("/admin/metadata/versions"))["versions"]
    assert [v["version"] for v in history] == [2, 1]
    assert history[0]["deployed_by"] == "admin"


def test_every_problem_is_reported_at_its_file_and_pointer_and_nothing_applies(api):
    bad = {"object": "Order", "fields": [
        {"api_name": "region", "type": "text", "label": L},
        {"api_name": "score__c", "type": "formula", "label": L, "formula": "amount +",
         "return_type": "number"}]}
    problems = error(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}", bad), 400)
    assert problems["code"] == "metadata_invalid"
    assert problems["hint"].startswith("every problem is in details")
    places = {(p["file"], p["pointer"], p["code"]) for p in problems["details"]}
    assert ("overlay/extensions/Order.json", "/fields/0/api_name", "name.custom_suffix") \
        in places
    assert any(p["pointer"].startswith("/fields/1") for p in problems["details"])
    assert _version(api) == 1


def test_an_unknown_document_path_is_a_problem(api):
    problems = error(api.call("PUT", "/admin/metadata/overlay/secrets/x.json", {"a": 1}), 400)
    assert problems["details"][0]["code"] == "pack.unexpected_file"
    assert problems["details"][0]["file"] == "overlay/secrets/x.json"


def test_a_path_with_a_line_break_is_a_problem_not_a_missing_route(api):
    problems = error(api.call("PUT", "/admin/metadata/overlay/a%0Ab.json", {"a": 1}), 400)
    assert problems["details"][0]["file"] == "overlay/a\nb.json"
    missing = error(api.get("/admin/metadata/overlay/a%0Ab.json"), 404)
    assert missing["code"] == "overlay_document_not_found"


def test_a_change_made_on_an_older_version_is_refused(api):
    api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
             {"object": "Order", "fields": [CHANNEL]}, params={"base": "1"})
    late = {"object": "Order", "label": {"en": "Sales order", "zh": "销售订单"}}
    refused = error(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}", late,
                             params={"base": "1"}), 409)
    assert refused["code"] == "deploy_concurrent"
    stored = body(api.get(f"/admin/metadata/overlay/{EXTENSION}"))["document"]
    assert stored["fields"][0]["api_name"] == "channel__c"  # the first change is kept


def test_a_type_change_shows_the_records_in_the_way_and_applies_nothing(api):
    text = {**CHANNEL, "api_name": "code__c", "type": "text", "options": None}
    del text["options"]
    api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
             {"object": "Order", "fields": [text]})
    account = api.create("Account", {"name": "Acme"})
    good = api.create("Order", {"account": account["id"], "code__c": "12"})
    bad = api.create("Order", {"account": account["id"], "code__c": "twelve"})
    as_number = {"object": "Order", "fields": [{**text, "type": "number", "scale": 0}]}
    plan = body(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}", as_number,
                         params={"dry_run": "true"}))
    assert plan["ok"] is False
    [check] = plan["checks"]
    assert check["failed"] == 1 and [e["id"] for e in check["examples"]] == [bad["id"]]
    refused = error(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}", as_number), 400)
    assert refused["code"] == "deploy_data_check_failed"
    assert _version(api) == 2
    assert body(api.get(f"/objects/Order/records/{good['id']}"))["code__c"] == "12"


def test_several_documents_change_in_one_deploy(api):
    role = {"api_name": "event_planner__c", "label": {"en": "Planner", "zh": "策划"},
            "kind": "interconnect", "objects": {"Order": {"read": True}}}
    app = {"api_name": "events__c", "label": {"en": "Events", "zh": "活动"},
           "objects": ["Order"], "roles": ["event_planner__c"]}
    plan = body(api.post("/admin/metadata/overlay",
                         {"put": {"roles/event_planner__c.json": role,
                                  "apps/events__c.json": app}, "base": 1}))
    assert plan["version"] == 2
    roles = [r["api_name"] for r in body(api.get("/admin/roles"))["roles"]]
    assert "event_planner__c" in roles
    plan = body(api.post("/admin/metadata/overlay",
                         {"delete": ["apps/events__c.json", "roles/event_planner__c.json"]}))
    assert plan["version"] == 3
    assert list(body(api.get("/admin/metadata/overlay"))["documents"]) == ["pack.json"]


def test_bad_bodies_and_parameters(api):
    assert error(api.post("/admin/metadata/overlay", {"put": []}), 400)["code"] == \
        "invalid_parameter"
    assert error(api.post("/admin/metadata/overlay", {}), 400)["code"] == "invalid_parameter"
    assert error(api.post("/admin/metadata/overlay", {"push": {}}), 400)["code"] == \
        "unknown_parameter"
    assert error(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}", {"object": "Order"},
                          params={"base": "x"}), 400)["code"] == "invalid_parameter"
    assert error(api.post("/admin/metadata/overlay", {"delete": ["pack.json"]}),
                 400)["details"][0]["code"] == "overlay.manifest_required"
    assert error(api.delete(f"/admin/metadata/overlay/{EXTENSION}"), 404)["code"] == \
        "overlay_document_not_found"
    assert error(api.get("/admin/metadata/diff"), 400)["code"] == "invalid_parameter"
    assert error(api.post("/admin/metadata/rollback", {}), 400)["code"] == "invalid_parameter"
    assert error(api.get("/admin/metadata/export", params={"of": "x"}), 400)["code"] == \
        "invalid_parameter"


def test_diff_rollback_and_export(api):
    api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
             {"object": "Order", "fields": [CHANNEL]})
    diff = body(api.get("/admin/metadata/diff", params={"from": "1", "to": "2"}))
    assert [s["field"] for s in diff["steps"]] == ["channel__c"]
    plan = body(api.post("/admin/metadata/rollback", {"to": 1, "dry_run": True}))
    assert plan["dry_run"] is True and plan["steps"][0]["kind"] == "destructive"
    exported = body(api.get("/admin/metadata/export"))
    assert exported["of"] == "overlay"
    overlay = load_documents(exported["documents"])  # a valid tenant pack as it stands
    assert overlay.kind == "tenant"
    assert overlay.documents[EXTENSION]["fields"][0]["api_name"] == "channel__c"
    snapshot = body(api.get("/admin/metadata/export", params={"of": "snapshot"}))
    assert snapshot["documents"]["pack.json"]["kind"] == "snapshot"
    rolled = body(api.post("/admin/metadata/rollback", {"to": 1}))
    assert rolled["version"] == 3
    assert "channel__c" not in body(api.get("/admin/metadata"))["documents"][
        "objects/Order.json"]["fields"]


def test_an_exported_overlay_deploys_unchanged_to_a_fresh_tenant(api, tmp_path):
    api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
             {"object": "Order", "fields": [CHANNEL]})
    engine = api.engine
    written = engine.metadata(api.tenant).export_overlay(tmp_path / "overlay")
    assert str(tmp_path / "overlay" / "extensions" / "Order.json") in written
    other = f"{api.tenant}_copy"
    engine.metadata(other).deploy("examples/crm")
    engine.metadata(other).deploy(tmp_path / "overlay")
    ours = body(api.get("/admin/metadata"))["documents"]
    theirs = engine.metadata(other).overlay().effective
    assert theirs["objects/Order.json"] == ours["objects/Order.json"]


def test_a_consultants_files_and_the_admins_changes_keep_each_other(api, tmp_path):
    """The overlay exported to git, edited and deployed: the UI shows it, and the next
    change made through the API (as the UI does) keeps it."""
    engine, tenant = api.engine, api.tenant
    api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}",
             {"object": "Order", "fields": [CHANNEL]})
    folder = tmp_path / "git"
    engine.metadata(tenant).export_overlay(folder)
    edited = folder / "extensions" / "Order.json"
    text = edited.read_text("utf-8").replace(
        '"fields": [', '"fields": [{"api_name": "po__c", "type": "text", '
                      '"label": {"en": "PO", "zh": "采购单号"}}, ', 1)
    edited.write_text(text, "utf-8")
    engine.metadata(tenant).deploy(folder)
    seen = body(api.get(f"/admin/metadata/overlay/{EXTENSION}"))
    assert [f["api_name"] for f in seen["document"]["fields"]] == ["po__c", "channel__c"]
    document = seen["document"]
    document["label"] = {"en": "Sales order", "zh": "销售订单"}
    body(api.call("PUT", f"/admin/metadata/overlay/{EXTENSION}", document,
                  params={"base": str(seen["version"])}))
    order = body(api.get("/admin/metadata"))["documents"]["objects/Order.json"]
    assert order["label"]["en"] == "Sales order"
    assert {"po__c", "channel__c"} <= {f["api_name"] for f in order["fields"]}
