"""REST record routes: create, read, list, update, delete, over both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def api(crm):
    return Api(*crm)


def test_crud_round_trip(api):
    created = api.post("/objects/Account/records", {"name": "Acme", "industry": "retail"})
    assert created.status_code == 201
    record = body(created)
    assert record["name"] == "Acme" and record["version"] == 1
    assert record["account_number"] == "AC-000001"
    url = f"/objects/Account/records/{record['id']}"
    assert created.headers["Location"].endswith("/api/v1" + url)

    fetched = api.get(url)
    assert fetched.status_code == 200 and body(fetched) == record
    assert [r["id"] for r in api.list("Account")["records"]] == [record["id"]]

    patched = api.patch(url, {"name": "Acme Ltd", "version": 1})
    assert patched.status_code == 200
    updated = body(patched)
    assert updated["name"] == "Acme Ltd" and updated["version"] == 2
    assert updated["industry"] == "retail"

    stale = api.patch(url, {"name": "Lost update", "version": 1})
    assert error(stale, 409)["code"] == "version_conflict"
    assert body(api.get(url))["name"] == "Acme Ltd"

    deleted = api.delete(url)
    assert deleted.status_code == 204 and deleted.content == b""
    assert error(api.get(url), 404)["code"] == "record_not_found"
    assert api.list("Account")["records"] == []
    listed = api.list("Account", include_deleted="true")["records"]
    assert [(r["id"], r["is_deleted"]) for r in listed] == [(record["id"], True)]
    assert body(api.get(url, params={"include_deleted": "true"}))["is_deleted"] is True


def test_delete_with_a_stale_version_is_refused(api):
    record = api.create("Account", {"name": "Acme"})
    url = f"/objects/Account/records/{record['id']}"
    assert error(api.delete(url, params={"version": 7}), 409)["code"] == "version_conflict"
    assert api.get(url).status_code == 200
    assert api.delete(url, params={"version": 1}).status_code == 204


def test_delete_is_refused_while_a_restrict_lookup_points_at_the_record(api):
    account = api.create("Account", {"name": "Acme"})
    contact = api.create("Contact", {"name": "Li Lei", "account": account["id"]})
    url = f"/objects/Account/records/{account['id']}"
    err = error(api.delete(url), 409)
    assert err["code"] == "delete_restricted"
    assert "Contact" in err["message"]
    assert api.delete(f"/objects/Contact/records/{contact['id']}").status_code == 204
    assert api.delete(url).status_code == 204


def test_patch_with_only_the_version_changes_nothing(api):
    record = api.create("Account", {"name": "Acme"})
    same = body(api.patch(f"/objects/Account/records/{record['id']}", {"version": 1}))
    assert same == record


def test_decimals_travel_exactly(api):
    response = api.post("/objects/Account/records",
                        raw='{"name": "Big", "annual_revenue": 12345678901234.57}')
    assert response.status_code == 201
    assert '"annual_revenue": 12345678901234.57' in response.text
    record_id = body(response)["id"]
    again = api.get(f"/objects/Account/records/{record_id}")
    assert '"annual_revenue": 12345678901234.57' in again.text
    assert body(again)["annual_revenue"] == Decimal("12345678901234.57")
    listed = api.get("/objects/Account/records")
    assert '"annual_revenue": 12345678901234.57' in listed.text


def test_values_come_back_in_their_json_forms(api):
    account = api.create("Account", {"name": "Acme", "channels": ["direct", "online"],
                                     "employees": 250, "is_partner": True})
    assert account["channels"] == ["online", "direct"]  # definition order
    assert account["employees"] == 250 and account["is_partner"] is True
    contact = api.create("Contact", {
        "name": "Han Meimei", "account": account["id"], "birthday": "1990-02-28",
        "preferred_call_time": "09:30:00", "last_contacted_at": "2024-03-31T09:30:00+08:00",
    })
    assert contact["birthday"] == "1990-02-28"
    assert contact["preferred_call_time"] == "09:30:00"
    assert contact["last_contacted_at"] == "2024-03-31T01:30:00+00:00"
    assert contact["do_not_call"] is False


def test_an_array_body_creates_many_records(api):
    response = api.post("/objects/Product/records", [
        {"name": f"Widget {i}", "sku": f"W-{i}", "unit_price": "9.90"} for i in range(5)])
    assert response.status_code == 201
    ids = body(response)["ids"]
    assert len(ids) == len(set(ids)) == 5
    listed = api.list("Product", order_by="sku")["records"]
    assert [r["sku"] for r in listed] == [f"W-{i}" for i in range(5)]
    assert {r["id"] for r in listed} == set(ids)
    assert all(r["unit_price"] == Decimal("9.90") for r in listed)


def test_a_bad_row_in_a_batch_creates_nothing_and_names_the_row(api):
    rows = [{"name": "ok", "unit_price": 1}, {"name": "bad", "unit_price": "cheap"}]
    err = error(api.post("/objects/Product/records", rows), 422)
    assert err["code"] == "validation_failed"
    assert err["details"] == [{"field": "unit_price", "code": "invalid_number", "row": 1,
                               "message": "'cheap' is not a number",
                               "hint": "write digits with an optional '.' and sign, e.g. 1234.50"}]
    assert api.list("Product")["records"] == []


def test_more_than_ten_thousand_rows_in_one_request_are_refused(api):
    err = error(api.post("/objects/Product/records", [{}] * 10_001), 400)
    assert err["code"] == "batch_too_large"
    assert api.list("Product")["records"] == []


def test_paging_walks_every_record_once(api):
    created = {api.create("Account", {"name": f"Account {i}"})["id"] for i in range(7)}
    seen: list[str] = []
    sizes = []
    params: dict[str, object] = {"limit": 3, "order_by": "name"}
    while True:
        page = api.list("Account", **params)
        sizes.append(len(page["records"]))
        seen.extend(r["id"] for r in page["records"])
        if page["next"] is None:
            break
        params["after"] = page["next"]
    assert sizes == [3, 3, 1]
    assert len(seen) == len(set(seen)) == 7 and set(seen) == created


def test_default_order_is_newest_first(api):
    names = [api.create("Account", {"name": n})["name"] for n in ("a", "b", "c")]
    assert [r["name"] for r in api.list("Account")["records"]] == names[::-1]


def test_sorting_by_several_keys(api):
    for name, revenue in [("b", 10), ("a", 10), ("c", 30), ("d", None)]:
        api.create("Account", {"name": name, "annual_revenue": revenue})
    page = api.list("Account", order_by="-annual_revenue,name")
    # blanks sort as the largest value: first when descending
    assert [r["name"] for r in page["records"]] == ["d", "c", "a", "b"]


def test_filters(api):
    api.create("Account", {"name": "Shop", "industry": "retail", "annual_revenue": 50})
    api.create("Account", {"name": "Mill", "industry": "manufacturing", "annual_revenue": 500})
    api.create("Account", {"name": "Bank", "industry": "finance", "annual_revenue": 5000})

    def names(where):
        return sorted(r["name"] for r in api.list("Account", where=where)["records"])

    assert names({"industry": "retail"}) == ["Shop"]
    assert names({"annual_revenue": {"ge": 500}}) == ["Bank", "Mill"]
    assert names({"or": [{"industry": "retail"}, {"name": {"starts_with": "Ba"}}]}) == \
        ["Bank", "Shop"]
    assert names({"not": {"industry": {"in": ["retail", "finance"]}}}) == ["Mill"]
    assert names({"annual_revenue": {"gt": "499.99", "lt": 5000}}) == ["Mill"]


SQL_LOOKING = ["x'); DROP TABLE account; --", "' OR 1=1 --", 'Robert"); DELETE FROM account;--',
               "%_\\ 100% _sure_"]


def test_sql_looking_text_is_stored_verbatim_and_matched_literally(api):
    ids = {text: api.create("Account", {"name": text, "description": text})["id"]
           for text in SQL_LOOKING}
    plain = api.create("Account", {"name": "Plain"})["id"]
    for text, record_id in ids.items():
        record = body(api.get(f"/objects/Account/records/{record_id}"))
        assert record["name"] == record["description"] == text
        assert [r["id"] for r in api.list("Account", where={"name": text})["records"]] == \
            [record_id]
        found = api.list("Account", where={"description": {"contains": text}})["records"]
        assert [r["id"] for r in found] == [record_id]
    assert api.list("Account", where={"name": "' OR '1'='1"})["records"] == []
    found = api.list("Account", where={"name": {"in": ["' OR 1=1 --", "nobody"]}})["records"]
    assert [r["id"] for r in found] == [ids["' OR 1=1 --"]]
    # the table is intact: every record is still there
    listed = {r["id"] for r in api.list("Account", limit=200)["records"]}
    assert listed == {*ids.values(), plain}


def test_sql_looking_field_and_sort_names_are_refused(api):
    api.create("Account", {"name": "Acme"})
    bad_field = api.get("/objects/Account/records",
                        params={"where": '{"name = name; DROP TABLE account; --": "x"}'})
    assert error(bad_field, 400)["code"] == "unknown_field"
    bad_sort = api.get("/objects/Account/records", params={"order_by": "name; DROP TABLE x"})
    assert error(bad_sort, 400)["code"] == "unknown_field"
    assert len(api.list("Account")["records"]) == 1


def test_sql_looking_ids_and_object_names_are_just_not_found(api):
    record = api.create("Account", {"name": "Acme"})
    assert error(api.get("/objects/Account/records/' OR 1=1 --"), 404)["code"] == \
        "record_not_found"
    assert error(api.get("/objects/account; DROP TABLE x/records"), 404)["code"] == \
        "unknown_object"
    assert api.get(f"/objects/Account/records/{record['id']}").status_code == 200


def test_writes_are_committed(api):
    record = api.create("Account", {"name": "Durable"})
    with api.engine.session(api.tenant) as session:
        assert session.get("Account", record["id"])["name"] == "Durable"
