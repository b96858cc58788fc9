"""The permission matrix of each dependent pack's apps, checked through the REST API, on both
databases; and no downstream enterprise sees another's records.

From the effective metadata, :func:`tests.apps.harness.permission_matrix` lists every (role x
object x action) of the pack's roles and apps (action: read, create, edit, delete) with what
it should be. Each is tried as a user having just that role: read, a list (200, or 403/404);
create, a POST of an empty record (403 refused; 201 or a 422 for missing values permitted);
edit and delete, on a record the user can see (an administrator shares one with the user
when they see none; a skipped cell is counted, with its reason, in the failure message).
The whole matrix is printed when a cell differs.

Isolation: for every object an interconnect role reads (but a public catalogue), a user with
that role in a fresh enterprise (``Matrix B``, whose users the matrix never shares a record
with) sees none of the records made by other enterprises (the sample data's ``$as``
records, and what ``Matrix A``'s users created in the matrix), neither in the list nor by
id. One tenant per pack per database (crm, the pack, both packs' people and records).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from pathlib import Path

import pytest

from hulian.metadata.model import ObjectDef, Pack
from hulian.runtime.sample_data import load_sample_data
from tests.apps.conftest import DEPENDENT_PACKS, EXAMPLE_CRM
from tests.apps.harness import (
    ACTIONS,
    Cell,
    matrix_roles,
    opened,
    pack_documents,
    permission_matrix,
    render,
    sample_dependent_pack,
)
from tests.integration.test_rest_support import Api, body

PACKS = [pytest.param(p, id=p.name) for p in DEPENDENT_PACKS] + \
    [pytest.param(None, id="visits")]
ENTERPRISES = ("Matrix A", "Matrix B")
PUBLIC = ("public_read", "public_read_write")
_numbers = itertools.count(1)


class World:
    """A tenant with crm and one dependent pack, their sample data, and a user per role of
    the pack's matrix (interconnect roles: one in each of two fresh enterprises)."""

    def __init__(self, engine, folder: Path):
        self.engine = engine
        self.tenant = f"mx{os.getpid()}_{next(_numbers)}"
        self.docs = pack_documents(folder)
        meta = engine.metadata(self.tenant)
        meta.deploy(EXAMPLE_CRM)
        keys: dict[str, str] = {}
        load_sample_data(engine, self.tenant, EXAMPLE_CRM, keys)  # as the demo does
        meta.install_pack(folder)
        load_sample_data(engine, self.tenant, folder, keys)
        self.effective: Pack = meta.effective()
        self.api = Api(engine, self.tenant)
        people = engine.people(self.tenant)
        people.create_department("Matrix")
        manager = next(u.username for u in people.users() if not u.is_interconnect
                       and not u.is_admin)
        for name in ENTERPRISES:
            people.create_enterprise(name, partner_manager=manager)
        self.tokens: dict[tuple[str, str | None], str] = {}
        self.users: dict[tuple[str, str | None], str] = {}
        for role in matrix_roles(self.docs, self.effective):
            found = self.effective.role(role)
            assert found is not None
            places = ENTERPRISES if found.kind == "interconnect" else (None,)
            for i, enterprise in enumerate(places):
                username = f"mx.{role}.{'ab'[i]}"
                if enterprise is None:
                    people.create_user(username, department="Matrix", roles=[role])
                else:
                    people.create_user(username, enterprise=enterprise, roles=[role])
                self.users[role, enterprise] = username
                self.tokens[role, enterprise] = people.create_token(username)

    def opened(self, role: str) -> set[str]:
        return opened(self.effective, role)

    def object(self, name: str) -> ObjectDef:
        found = self.effective.object(name)
        assert found is not None
        return found

    def external_level(self, name: str) -> str:
        """The object's external data permission (a detail's: its master's)."""
        obj = self.object(name)
        master = next((f for f in obj.fields if f.type == "master_detail"), None)
        if master is not None and master.target:
            return self.external_level(master.target)
        return obj.data_permission.get("external", "private")


@pytest.fixture(scope="module")
def visits_folder(tmp_path_factory) -> Path:
    return sample_dependent_pack(tmp_path_factory.mktemp("visits"))


@pytest.fixture(scope="module")
def worlds(engine):
    """One World per pack on this database, made when a test first asks for it."""
    made: dict[Path, World] = {}

    def world(folder: Path) -> World:
        if folder not in made:
            made[folder] = World(engine, folder)
        return made[folder]

    return world


def visible(world: World, token: str, name: str) -> dict | None:
    response = world.api.get(f"/objects/{name}/records", params={"limit": 1}, token=token)
    if response.status_code != 200:
        return None
    records = body(response)["records"]
    return records[0] if records else None


def master_of(world: World, name: str):
    return next((f for f in world.object(name).fields if f.type == "master_detail"), None)


def share_one(world: World, name: str, username: str) -> str | None:
    """Share a record of ``name`` (a detail: its topmost master's) with ``username`` for
    editing; why it could not, else None."""
    with world.engine.session(world.tenant) as s:
        found = s.query(name, limit=1).records
        if not found:
            return "no record of the object in the tenant"
        record = found[0]
        master = master_of(world, name)
        while master is not None and master.target:
            if not record.get(master.api_name):
                return "a detail without a master"
            name, record = master.target, s.get(master.target, record[master.api_name])
            master = master_of(world, name)
        s.share(name, record["id"], username, access="edit")
    return None


def attempt(world: World, cell: Cell, token: str, username: str,
            skipped: Counter) -> str:
    """'+' (permitted), '-' (refused) or '?' (skipped, the reason counted)."""
    path = f"/objects/{cell.object}/records"
    if cell.action == "read":
        status = world.api.get(path, params={"limit": 1}, token=token).status_code
        return "+" if status == 200 else "-" if status in (403, 404) else f"!{status}"
    if cell.action == "create":
        status = world.api.post(path, {}, token=token).status_code
        return "-" if status in (403, 404) else "+" if status in (201, 422) else f"!{status}"
    record = visible(world, token, cell.object)
    if record is None and (cell.kind == "internal" or cell.object in world.opened(cell.role)):
        why = share_one(world, cell.object, username)
        if why:
            skipped[f"{cell.action}: {why}"] += 1
            return "?"
        record = visible(world, token, cell.object)
    if record is None:  # the role does not read the object: refused whatever the id
        with world.engine.session(world.tenant) as s:
            found = s.query(cell.object, limit=1).records
        if not found:
            skipped[f"{cell.action}: no record of the object in the tenant"] += 1
            return "?"
        record = found[0]
    target = f"{path}/{record['id']}"
    if cell.action == "edit":
        response = world.api.patch(target, {"version": record["version"]}, token=token)
    else:
        response = world.api.delete(target, token=token)
    status = response.status_code
    if status in (404,) or (status == 403 and body(response)["error"]["code"] != "edit_denied"):
        return "-"
    if cell.action == "delete" and status == 204:
        with world.engine.session(world.tenant) as s:  # give the record back to the others
            s.restore(cell.object, record["id"])
    return "+" if status in (200, 204, 403, 409, 422) else f"!{status}"


@pytest.mark.parametrize("pack", PACKS)
def test_every_role_object_and_action_is_as_the_metadata_says(worlds, pack, visits_folder):
    world = worlds(pack or visits_folder)
    cells = permission_matrix(world.docs, world.effective)
    assert cells, "the pack has no roles or apps"
    results: dict[tuple[str, str, str], str] = {}
    skipped: Counter = Counter()
    ordered = sorted(cells, key=lambda c: ACTIONS.index(c.action) == 3)  # deletes last
    for cell in ordered:
        enterprise = ENTERPRISES[0] if cell.kind == "interconnect" else None
        results[cell.role, cell.object, cell.action] = attempt(
            world, cell, world.tokens[cell.role, enterprise], world.users[cell.role, enterprise],
            skipped)
    wrong = [c for c in cells if results[c.role, c.object, c.action] not in
             ("?", "+" if c.allowed else "-")]
    summary = f"{len(cells)} cells, {len(wrong)} wrong, {sum(skipped.values())} skipped: " \
        + "; ".join(f"{n} x {why}" for why, n in skipped.items())
    print(summary)  # shown with pytest -rP
    assert not wrong, "\n".join(
        [summary, "expected/seen (+ allowed, - refused, ? skipped):",
         render(cells, results), "wrong:"]
        + [f"  {c.role} {c.object} {c.action}: expected {'+' if c.allowed else '-'} "
           f"({c.why}), seen {results[c.role, c.object, c.action]}" for c in wrong])
    assert sum(1 for r in results.values() if r != "?") >= len(cells) // 2, summary


@pytest.mark.parametrize("pack", PACKS)
def test_no_downstream_enterprise_sees_anothers_records(worlds, pack, visits_folder):
    world = worlds(pack or visits_folder)
    cells = permission_matrix(world.docs, world.effective)
    readers = sorted({(c.role, c.object) for c in cells
                      if c.kind == "interconnect" and c.action == "read" and c.allowed})
    checked, public, empty = 0, [], []
    ids = {e.name: e.id for e in world.engine.people(world.tenant).enterprises()}
    for role, name in readers:
        if world.external_level(name) in PUBLIC:
            public.append(name)
            continue
        with world.engine.session(world.tenant) as s:
            theirs = [r for r in s.query(name, limit=200).records if r["out_tenant_id"]]
        if not theirs:
            empty.append(name)
            continue
        for enterprise in ENTERPRISES[1:]:  # Matrix A's users got shares in the matrix
            token = world.tokens[role, enterprise]
            response = world.api.get(f"/objects/{name}/records", params={"limit": 200},
                                     token=token)
            assert response.status_code == 200, response.text
            seen = {r["out_tenant_id"] for r in body(response)["records"]}
            others = [r for r in theirs if r["out_tenant_id"] != ids[enterprise]]
            leaked = seen & {r["out_tenant_id"] for r in others}
            assert not leaked, (role, enterprise, name, leaked)
            for record in others:
                got = world.api.get(f"/objects/{name}/records/{record['id']}", token=token)
                assert got.status_code == 404, (role, enterprise, name, got.text)
            checked += 1
    assert checked or not readers, \
        f"nothing checked: public {sorted(set(public))}, no enterprise records " \
        f"{sorted(set(empty))}"
