"""Field history metadata: track_history and history_retention_days in the model, exports,
overlays (policies, renames), and pack upgrades that remove a tracked field."""

from __future__ import annotations

import pytest

from hulian.metadata import Layers, kept_overrides, load_documents, merge, rename_overlay
from hulian.metadata.layers import untrack_removed
from hulian.metadata.model import DEFAULT_HISTORY_RETENTION_DAYS, HISTORY_SYSTEM_FIELDS
from hulian.metadata.snapshot import snapshot_documents

from .layered import account, label, overlay, pack, problems

AMOUNT_WITH_TAX = {"api_name": "amount_with_tax", "type": "number", "label": label("Tax"),
                   "formula": "1"}


def test_off_by_default_with_a_year_of_retention() -> None:
    obj = pack(account()).object("Account")
    assert obj is not None
    assert (obj.track_history, obj.tracked_fields) == (False, None)
    assert obj.history_retention_days == DEFAULT_HISTORY_RETENTION_DAYS == 365


def test_true_tracks_every_stored_field_and_the_ownership_fields() -> None:
    doc = account(track_history=True)
    doc["fields"].append(AMOUNT_WITH_TAX)
    obj = pack(doc).object("Account")
    assert obj is not None
    assert obj.tracked_fields == ("name", "industry", "region", *HISTORY_SYSTEM_FIELDS)


def test_a_list_is_kept_in_display_order_and_may_be_empty() -> None:
    obj = pack(account(track_history=["owner_id", "region", "name"],
                       history_retention_days=30)).object("Account")
    assert obj is not None
    assert obj.track_history == ("owner_id", "region", "name")
    assert obj.tracked_fields == ("name", "region", "owner_id")
    assert obj.history_retention_days == 30
    empty = pack(account(track_history=[])).object("Account")
    assert empty is not None and empty.tracked_fields == ()


@pytest.mark.parametrize("keys", [{"track_history": True},
                                  {"track_history": ["region", "owner_id"],
                                   "history_retention_days": 90},
                                  {"track_history": False, "history_retention_days": 30},
                                  {"track_history": []}])
def test_a_snapshot_round_trips_and_leaves_defaults_out(keys) -> None:
    original = pack(account(**keys))
    documents = snapshot_documents(original)
    written = documents["objects/Account.json"]
    assert load_documents(documents).objects == original.objects
    assert ("track_history" in written) == (keys.get("track_history", False) is not False)
    assert ("history_retention_days" in written) == ("history_retention_days" in keys)


def test_a_tenant_switches_history_on_with_its_own_fields() -> None:
    tenant = overlay(Account={"track_history": ["industry", "tier__c"],
                              "history_retention_days": 730,
                              "fields": [{"api_name": "tier__c", "type": "text",
                                          "label": label("Tier")}]})
    obj = merge(Layers((pack(account(track_history=True)),), tenant)).pack.object("Account")
    assert obj is not None
    assert obj.tracked_fields == ("industry", "tier__c")
    assert obj.history_retention_days == 730


def test_a_locked_history_is_refused_in_the_overlay() -> None:
    locked = pack(account(customizable={"track_history": "locked"}))
    tenant = overlay(Account={"track_history": False})
    assert problems(Layers((locked,), tenant)) == [
        ("overlay.locked_property", "overlay/extensions/Account.json", "/track_history")]


def test_a_mistake_in_the_overlay_list_is_reported_at_the_overlay() -> None:
    tenant = overlay(Account={"track_history": ["region", "regoin"]})
    assert problems(Layers((pack(account()),), tenant)) == [
        ("history.unknown_field", "overlay/extensions/Account.json", "/track_history/1")]


def _renamed() -> dict:
    doc = account()
    doc["fields"][2] = {"api_name": "area", "type": "text", "label": label("Area"),
                        "renamed_from": "region"}
    return doc


def test_a_field_the_pack_renames_stays_tracked_under_its_new_name() -> None:
    tenant = overlay(Account={"track_history": ["region", "name"]})
    new = pack(_renamed(), version="2.0.0")
    obj = merge(Layers((new,), tenant)).pack.object("Account")
    assert obj is not None and obj.tracked_fields == ("name", "area")
    rewritten, notes = rename_overlay(tenant.documents, new)
    assert rewritten["extensions/Account.json"]["track_history"] == ["area", "name"]
    assert notes == ["extensions/Account.json: /track_history/0 'region' is now 'area' "
                     "(crm renamed the field)"]


def test_an_upgrade_that_removes_a_tracked_field_ends_its_tracking() -> None:
    old = pack(account())
    smaller = account()
    del smaller["fields"][2]
    new = pack(smaller, version="2.0.0")
    tenant = overlay(Account={"track_history": ["region", "industry"]})
    assert problems(Layers((new,), tenant)) == [
        ("history.unknown_field", "overlay/extensions/Account.json", "/track_history/0")]
    documents, notes = untrack_removed(tenant.documents, old, new)
    assert documents["extensions/Account.json"]["track_history"] == ["industry"]
    assert notes == ["extensions/Account.json: track_history no longer names 'region' (crm "
                     "2.0.0 removed Account.region; its changes are no longer tracked)"]
    assert tenant.documents["extensions/Account.json"]["track_history"] == [
        "region", "industry"]  # a copy: the overlay is untouched
    assert problems(Layers((new,), load_documents(documents))) == []


def test_the_tenant_keeps_its_history_settings_when_the_pack_changes_them() -> None:
    tenant = overlay(Account={"track_history": ["name"], "history_retention_days": 30})
    old, new = pack(account()), pack(account(track_history=True, history_retention_days=90),
                                     version="1.1.0")
    assert kept_overrides(Layers((old,), tenant), Layers((new,), tenant)) == [
        "Account track_history: the pack changed it, the tenant's track_history is kept",
        "Account history_retention_days: the pack changed it, the tenant's "
        "history_retention_days is kept"]
