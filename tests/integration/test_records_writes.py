"""Writing records: every error at once, optimistic locking, soft delete, unique values.

Runs on the example CRM pack (``crm`` fixture) on both databases.
"""

from __future__ import annotations

import pytest

from hulian.engine import ConflictError, NotFoundError, RecordValidationError


def problems(exc: RecordValidationError) -> list[tuple[str | None, str]]:
    return [(e.field, e.code) for e in exc.errors]


# -- all field errors at once --------------------------------------------------------------

def test_every_mistake_of_a_record_is_reported_at_once(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})
        before = s.count("Opportunity", include_deleted=True)
        with pytest.raises(RecordValidationError) as exc:
            s.create("Opportunity", {
                "account": account["id"],
                "amount": "-5",                  # below the minimum 0
                "probability": "abc",            # not a number
                "close_date": "2024-13-01",      # not a date
                "contact_email": "nobody",       # not an email
            })                                   # and no title (required)
        assert sorted(problems(exc.value)) == [
            ("amount", "too_small"), ("close_date", "invalid_date"),
            ("contact_email", "invalid_email"), ("probability", "invalid_number"),
            ("title", "required"),
        ]
        assert "(and 4 more)" in exc.value.message
        assert {d["field"] for d in exc.value.details()} == {
            "amount", "close_date", "contact_email", "probability", "title"}
        assert s.count("Opportunity", include_deleted=True) == before
    with engine.session(tenant) as s:
        assert s.count("Opportunity", include_deleted=True) == before


def test_four_mistakes_four_errors_and_the_session_stays_usable(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "x" * 121, "industry": "farming",
                                 "employees": "-3", "website": "not a url"})
        assert sorted(problems(exc.value)) == [
            ("employees", "too_small"), ("industry", "invalid_option"),
            ("name", "too_long"), ("website", "invalid_url")]
        assert all(e.row is None for e in exc.value.errors)
        assert s.count("Account") == 0
        ok = s.create("Account", {"name": "after the error"})
    with engine.session(tenant) as s:
        assert [r["id"] for r in s.query("Account")] == [ok["id"]]
        # the refused create took no auto-number
        assert ok["account_number"] == "AC-000001"


def test_a_failed_session_block_rolls_everything_back(crm):
    engine, tenant = crm
    with pytest.raises(RuntimeError), engine.session(tenant) as s:
        s.create("Account", {"name": "kept only if the block ends well"})
        raise RuntimeError("boom")
    with engine.session(tenant) as s:
        assert s.count("Account") == 0
        assert s.create("Account", {"name": "next"})["account_number"] == "AC-000001"


# -- optimistic locking --------------------------------------------------------------------

def test_stale_version_is_refused_and_changes_nothing(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "v1"})
    with engine.session(tenant) as s:
        assert s.update("Account", record["id"], {"name": "v2"}, version=1)["version"] == 2
    with engine.session(tenant) as s:
        with pytest.raises(ConflictError) as exc:
            s.update("Account", record["id"], {"name": "stale"}, version=1)
        assert exc.value.code == "version_conflict"
        current = s.get("Account", record["id"])
        assert (current["name"], current["version"]) == ("v2", 2)
        with pytest.raises(ConflictError) as exc:
            s.delete("Account", record["id"], version=1)
        assert exc.value.code == "version_conflict"
        assert s.get("Account", record["id"])["is_deleted"] is False


def test_update_without_version_always_applies(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "v1"})
        s.update("Account", record["id"], {"name": "v2"})
        latest = s.update("Account", record["id"], {"name": "v3"})
    assert (latest["name"], latest["version"]) == ("v3", 3)


def test_update_that_changes_nothing_keeps_the_version(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "same", "annual_revenue": "10"})
        again = s.update("Account", record["id"], {"name": "same", "annual_revenue": "10.00"},
                         version=1)
    assert again["version"] == 1
    assert again["updated_at"] == record["updated_at"]


def test_two_sessions_reading_the_same_version_only_one_wins(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "shared"})
    with engine.session(tenant) as first:
        read = first.get("Account", record["id"])
        first.update("Account", record["id"], {"name": "first"}, version=read["version"])
    with engine.session(tenant) as second, pytest.raises(ConflictError):
        second.update("Account", record["id"], {"name": "second"}, version=read["version"])
    with engine.session(tenant) as s:
        assert s.get("Account", record["id"])["name"] == "first"


# -- soft delete ---------------------------------------------------------------------------

def test_deleted_records_vanish_unless_asked_for(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        keep = s.create("Account", {"name": "keep"})
        gone = s.create("Account", {"name": "gone"})
        s.delete("Account", gone["id"])
    with engine.session(tenant) as s:
        with pytest.raises(NotFoundError) as exc:
            s.get("Account", gone["id"])
        assert exc.value.code == "record_not_found"
        assert [r["id"] for r in s.query("Account")] == [keep["id"]]
        assert s.count("Account") == 1
        assert s.count("Account", {"name": "gone"}) == 0
        deleted = s.get("Account", gone["id"], include_deleted=True)
        assert (deleted["is_deleted"], deleted["version"]) == (True, 2)
        listed = s.query("Account", order_by="name", include_deleted=True)
        assert [r["name"] for r in listed] == ["gone", "keep"]
        assert s.count("Account", include_deleted=True) == 2
        with pytest.raises(NotFoundError):
            s.update("Account", gone["id"], {"name": "zombie"})
        with pytest.raises(NotFoundError):
            s.delete("Account", gone["id"])


def test_restore_brings_a_record_back(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "back"})
        s.delete("Account", record["id"])
    with engine.session(tenant) as s:
        restored = s.restore("Account", record["id"])
    assert (restored["is_deleted"], restored["version"]) == (False, 3)
    with engine.session(tenant) as s:
        assert s.get("Account", record["id"])["name"] == "back"
        assert s.count("Account") == 1
        assert s.restore("Account", record["id"])["version"] == 3  # already live: no change
        with pytest.raises(NotFoundError):
            s.restore("Account", "01ABCDEFGHJKMNPQRSTVWXYZ00")


def test_deleting_a_lookup_target_clears_set_null_lookups(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        parent = s.create("Account", {"name": "parent"})
        child = s.create("Account", {"name": "child", "parent": parent["id"]})
        product = s.create("Product", {"name": "p", "unit_price": "1"})
        opp = s.create("Opportunity", {"title": "o", "account": child["id"],
                                       "product": product["id"]})
        s.delete("Account", parent["id"])
        s.delete("Product", product["id"])
    with engine.session(tenant) as s:
        cleared = s.get("Account", child["id"])
        assert cleared["parent"] is None
        assert cleared["version"] == 2
        assert s.get("Opportunity", opp["id"])["product"] is None
        assert s.count("Account", {"parent": {"is_null": False}}) == 0


def test_restrict_refuses_the_delete_and_changes_nothing(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "used"})
        child = s.create("Account", {"name": "child", "parent": account["id"]})
        contact = s.create("Contact", {"name": "c", "account": account["id"]})
        with pytest.raises(ConflictError) as exc:
            s.delete("Account", account["id"])
        assert exc.value.code == "delete_restricted"
        assert "Contact" in exc.value.message
        assert s.get("Account", account["id"])["version"] == 1
        assert s.get("Account", child["id"])["parent"] == account["id"]  # set_null not applied
        assert s.get("Contact", contact["id"])["account"] == account["id"]
        # once the restricting record is gone (deleted), the delete goes through
        s.delete("Contact", contact["id"])
        s.delete("Account", account["id"])
        assert s.get("Account", child["id"])["parent"] is None


# -- unique --------------------------------------------------------------------------------

TAX = "91310000MA1FL4XY2K"


def test_duplicate_unique_value_is_refused(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        first = s.create("Account", {"name": "first", "tax_number": TAX})
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "second", "tax_number": TAX})
        assert problems(exc.value) == [("tax_number", "duplicate_value")]
        other = s.create("Account", {"name": "other", "tax_number": "91310000MA1FL4XY3K"})
        with pytest.raises(RecordValidationError) as exc:
            s.update("Account", other["id"], {"tax_number": TAX})
        assert problems(exc.value) == [("tax_number", "duplicate_value")]
        # a record may keep (re-send) its own value
        assert s.update("Account", first["id"], {"tax_number": TAX, "name": "1st"})["name"] \
            == "1st"
        assert s.count("Account") == 2
        # blanks never collide
        s.create("Account", {"name": "no tax 1"})
        s.create("Account", {"name": "no tax 2"})


def test_duplicate_within_one_batch_is_refused(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Contact", [{"name": "a", "email": "same@example.com"},
                                      {"name": "b", "email": "other@example.com"},
                                      {"name": "c", "email": "same@example.com"}])
        assert [(e.field, e.code, e.row) for e in exc.value.errors] == [
            ("email", "duplicate_value", 2)]
        assert s.count("Contact") == 0


def test_a_deleted_records_unique_value_can_be_reused(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        old = s.create("Product", {"name": "old", "sku": "SKU-1", "unit_price": 1})
        s.delete("Product", old["id"])
        new = s.create("Product", {"name": "new", "sku": "SKU-1", "unit_price": 2})
        assert new["sku"] == "SKU-1"
        # bringing the old one back would make two live records share the value
        with pytest.raises(ConflictError):
            s.restore("Product", old["id"])
        assert s.get("Product", old["id"], include_deleted=True)["is_deleted"] is True
        assert s.count("Product", {"sku": "SKU-1"}) == 1


def test_a_record_that_points_at_itself_can_be_deleted_and_restored(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "own parent"})
        s.update("Account", record["id"], {"parent": record["id"]})
        child = s.create("Account", {"name": "child", "parent": record["id"]})
        s.delete("Account", record["id"], version=2)
        deleted = s.get("Account", record["id"], include_deleted=True)
        assert (deleted["is_deleted"], deleted["version"]) == (True, 3)
        assert s.get("Account", child["id"])["parent"] is None
        restored = s.restore("Account", record["id"])
        assert (restored["parent"], restored["is_deleted"]) == (record["id"], False)


def test_restore_never_leaves_a_lookup_to_a_deleted_record(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "acc"})
        contact = s.create("Contact", {"name": "c", "account": account["id"]})
        s.delete("Contact", contact["id"])
        s.delete("Account", account["id"])      # allowed: the restricting contact is deleted
        with pytest.raises(ConflictError) as refused:
            s.restore("Contact", contact["id"])
        assert refused.value.code == "restore_blocked"
        assert s.get("Contact", contact["id"], include_deleted=True)["is_deleted"] is True
        s.restore("Account", account["id"])
        assert s.restore("Contact", contact["id"])["account"] == account["id"]
