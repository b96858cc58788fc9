"""Effective layouts and layout-enforced writes on random tenants.

Each example deploys an object ``Thing`` (three picklists, a multi-picklist, two texts),
one to three business types with random option subsets (and random roles who may use
them), a random field dependency, up to three internal roles with random field
permissions (hidden, read-only), up to three layouts (random sections of random fields
with random ``required`` / ``read_only``, random assignments to roles and types, web or
mobile, maybe a default) and up to four users with random roles. Then, for every user,
business type, channel and kind:

- the layout resolved is the one the reference ranking picks;
- no field the user may not see appears anywhere;
- no option outside the type's subset (or inactive) is offered, as an option, a default
  or in a dependency;
- a field is read-only where the permission or the layout says so;

and a create with random values, through the layout-enforced write path, is accepted
only if its picklists keep to the type's subset and it writes no field the effective web
layout shows read-only, and leaves none it shows required blank.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hulian.engine import Engine, RecordValidationError
from tests.packs import documents, field, label, obj, options, pack_of

PICKLISTS = {"p0": ("a", "b", "c", "d"), "p1": ("a", "b", "c"), "p2": ("x", "y", "z")}
INACTIVE = {"p0": ("d",)}
MULTI = {"m0": ("u", "v", "w")}
CHOICES = {**PICKLISTS, **MULTI}
TEXTS = ("t0", "t1")
FIELDS = ("name", *CHOICES, *TEXTS)
ROLES = ("r0", "r1", "r2")
LEVELS = ("hidden", "read_only", "editable")
_examples = itertools.count(1)


@st.composite
def subsets(draw, values: tuple[str, ...]) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
    out: dict[str, Any] = {"values": chosen}
    if draw(st.booleans()):
        out["default"] = draw(st.sampled_from(chosen))
    return out


@st.composite
def business_types(draw) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    types = []
    for i in range(count):
        subset_fields = draw(st.lists(st.sampled_from(sorted(CHOICES)), unique=True))
        roles = draw(st.none() | st.lists(st.sampled_from(ROLES), min_size=1, unique=True))
        types.append({"api_name": f"bt{i}", "label": label(f"Type {i}"), "default": i == 0,
                      **({"roles": roles} if roles is not None else {}),
                      "options": {f: draw(subsets(CHOICES[f])) for f in subset_fields}})
    return types


_rarely = st.integers(0, 3).map(lambda n: n == 0)


@st.composite
def layouts(draw, types: list[str], roles: list[str]) -> list[dict[str, Any]]:
    keys = [(r, t) for r in [None, *roles] for t in [None, *types] if r or t]
    count = draw(st.integers(0, 3))
    taken: set[tuple[Any, ...]] = set()
    out = []
    for i in range(count):
        channel = draw(st.sampled_from(("web", "mobile")))
        chosen = draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
        assignments = [k for k in chosen if (channel, *k) not in taken]
        taken.update((channel, *k) for k in assignments)
        default = (channel, "default") not in taken and draw(st.booleans())
        if default:
            taken.add((channel, "default"))
        names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, unique=True))
        cut = draw(st.integers(1, len(names)))
        sections = [names[:cut], names[cut:]] if cut < len(names) else [names]
        out.append({
            "api_name": f"lay{i}", "object": "Thing", "channel": channel,
            "label": label(f"Layout {i}"), "default": default,
            "assignments": [{**({"role": r} if r else {}), **({"business_type": t} if t
                                                              else {})}
                            for r, t in assignments],
            "sections": [{"api_name": f"s{j}", "label": label(f"S{j}"),
                          "fields": [{"field": f, "required": draw(_rarely),
                                      "read_only": draw(_rarely)} for f in part]}
                         for j, part in enumerate(sections)]})
    if draw(st.booleans()):
        columns = draw(st.lists(st.sampled_from(FIELDS), min_size=1, unique=True))
        out.append({"api_name": "lst", "object": "Thing", "kind": "list", "default": True,
                    "label": label("List"), "columns": columns,
                    "card": {"title": draw(st.sampled_from(FIELDS)),
                             "fields": draw(st.lists(st.sampled_from(FIELDS), max_size=3,
                                                     unique=True))}})
    return out


@st.composite
def worlds(draw) -> dict[str, Any]:
    types = draw(business_types())
    roles = {r: {f: draw(st.sampled_from(LEVELS)) for f in FIELDS if draw(st.booleans())}
             for r in ROLES[:draw(st.integers(1, 3))]}
    dependency = None
    if draw(st.booleans()):
        dependency = {"controlling": "p0", "dependent": "p1", "values": {
            key: draw(st.lists(st.sampled_from(PICKLISTS["p1"]), unique=True))
            for key in draw(st.lists(st.sampled_from(PICKLISTS["p0"]), unique=True))}}
    users = draw(st.lists(st.lists(st.sampled_from(sorted(roles)), min_size=1, unique=True),
                          min_size=1, max_size=4))
    type_names = [t["api_name"] for t in types]
    # a type's roles must exist in the pack
    for t in types:
        if "roles" in t:
            t["roles"] = [r for r in t["roles"] if r in roles] or sorted(roles)[:1]
    world = {"types": types, "roles": roles, "dependency": dependency, "users": users}
    write_types = [draw(st.sampled_from(type_names)) for _ in users]  # maybe not usable
    writes = [draw(_write(world, roles_of, btype))
              for roles_of, btype in zip(users, write_types, strict=True)]
    return {**world, "layouts": draw(layouts(type_names, sorted(roles))), "writes": writes,
            "write_types": write_types}


@st.composite
def _write(draw, world: dict[str, Any], roles: list[str], btype: str) -> dict[str, Any]:
    """A new record's values: mostly fields the user may change, options the type allows
    and texts; sometimes anything (which the write path must refuse when it breaks a
    rule)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        wild = draw(st.integers(0, 5)) == 0
        if not wild and (access(world, roles, name) != "editable" or draw(_rarely)):
            continue
        if name in CHOICES:
            pool = sorted(CHOICES[name] if wild else allowed(world, btype, name))
            if not pool:
                continue
            value: Any = draw(st.lists(st.sampled_from(pool), unique=True)) if name in MULTI \
                else draw(st.sampled_from(pool))
        else:
            value = draw(st.sampled_from(("v1", "v2", None) if wild else ("v1", "v2")))
        out[name] = value
    return out


def deploy(engine, tenant: str, world: dict[str, Any]) -> None:
    thing = obj("Thing", field("name", "text"),
                *(field(f, "picklist", options=options(*values, inactive=INACTIVE.get(f, ())))
                  for f, values in PICKLISTS.items()),
                *(field(f, "multi_picklist", options=options(*values))
                  for f, values in MULTI.items()),
                *(field(f, "text") for f in TEXTS),
                business_types=world["types"],
                **({"field_dependencies": [world["dependency"]]} if world["dependency"]
                   else {}))
    docs = documents(thing)
    for role, levels in world["roles"].items():
        docs[f"roles/{role}.json"] = {
            "api_name": role, "label": label(role), "kind": "internal",
            "objects": {"Thing": {"create": True, "read": True, "edit": True,
                                  "fields": levels}}}
    for layout in world["layouts"]:
        docs[f"layouts/{layout['api_name']}.json"] = layout
    engine.metadata(tenant).deploy(pack_of(docs))
    for i, roles in enumerate(world["users"]):
        engine.people(tenant).create_user(f"u{i}", roles=roles)


# -- the reference ----------------------------------------------------------------------------


def access(world: dict[str, Any], roles: list[str], name: str) -> str:
    """The user's level on a field: the most open of their roles' (editable unless named)."""
    return max((world["roles"][r].get(name, "editable") for r in roles), key=LEVELS.index)


def expected_layout(world: dict[str, Any], roles: list[str], btype: str,
                    channel: str, kind: str) -> str | None:
    for tried in (channel, "web") if channel == "mobile" else (channel,):
        ranked = []
        for layout in world["layouts"]:
            if layout.get("channel", "web") != tried or layout.get("kind", "detail") != kind:
                continue
            ranks = [3] if layout["default"] else []
            for a in layout.get("assignments", ()):
                role, bt = a.get("role"), a.get("business_type")
                if (role is None or role in roles) and (bt is None or bt == btype):
                    ranks.append(0 if role and bt else 1 if role else 2)
            if ranks:
                ranked.append((min(ranks), layout["api_name"]))
        if ranked:
            return min(ranked)[1]
    return None


def allowed(world: dict[str, Any], btype: str, name: str) -> set[str]:
    subset = next(t for t in world["types"] if t["api_name"] == btype)["options"].get(name)
    values = set(CHOICES[name]) - set(INACTIVE.get(name, ()))
    return values & set(subset["values"]) if subset else values


def shown_fields(layout: Any) -> list[Any]:
    found = [f for s in layout.get("sections", ()) for f in s["fields"]]
    found += list(layout.get("columns", ()))
    card = layout.get("card")
    if card:
        found += [c for c in (card["title"], *card["fields"]) if c]
    return found


def check_layout(world: dict[str, Any], roles: list[str], btype: str, channel: str,
                 kind: str, layout: Any) -> None:
    assert layout["layout"] == expected_layout(world, roles, btype, channel, kind)
    for entry in shown_fields(layout):
        name = entry["api_name"]
        if name not in FIELDS:
            continue  # a system field
        assert access(world, roles, name) != "hidden", name
        if "read_only" in entry and access(world, roles, name) == "read_only":
            assert entry["read_only"] and not entry["required"], name
        if "options" in entry:
            ok = allowed(world, btype, name)
            assert {o["api_name"] for o in entry["options"]} <= ok, name
            default = entry.get("default")
            assert set(default if isinstance(default, tuple) else
                       [default] if default is not None else []) <= ok, name
    for dependency in layout.get("dependencies", ()):
        assert set(dependency["values"]) <= allowed(world, btype, "p0")
        for values in dependency["values"].values():
            assert set(values) <= allowed(world, btype, "p1")


def check_write(world: dict[str, Any], session: Any, roles: list[str], data: dict[str, Any],
                btype: str) -> None:
    try:
        record = session.create("Thing", {**data, "business_type": btype})
    except RecordValidationError:
        return
    form = {f["api_name"]: f for s in session.layout("Thing", btype)["sections"]
            for f in s["fields"]}
    for name, value in data.items():
        assert access(world, roles, name) == "editable", name
        assert not (name in form and form[name]["read_only"]), name
        if name in CHOICES and value not in (None, []):
            ok = allowed(world, btype, name)
            assert set(value if isinstance(value, list) else [value]) <= ok, name
    for name, entry in form.items():
        if entry["required"] and name in FIELDS:
            assert record.get(name) not in (None, "", []), name


def run(engine, tenant: str, world: dict[str, Any]) -> None:
    tenant = f"{tenant}_p{next(_examples)}"
    deploy(engine, tenant, world)
    types = [t["api_name"] for t in world["types"]]
    for i, roles in enumerate(world["users"]):
        with engine.session(tenant, f"u{i}") as s:
            for btype in types:
                for channel in ("web", "mobile"):
                    for kind in ("detail", "list"):
                        check_layout(world, roles, btype, channel, kind,
                                     s.layout("Thing", btype, channel, kind))
            check_write(world, s, roles, world["writes"][i], world["write_types"][i])


@pytest.fixture(scope="module")
def sqlite_engine(sqlite_url):
    with Engine(sqlite_url) as engine:
        yield engine


@pytest.fixture(scope="module")
def pg_engine(pg_url):
    """PostgreSQL runs fewer examples: a deploy there costs several times SQLite's."""
    with Engine(pg_url) as engine:
        yield engine


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                                        HealthCheck.too_slow]}


@settings(max_examples=30, **SETTINGS)
@given(world=worlds())
def test_layouts_and_writes_keep_to_rights_and_types_sqlite(sqlite_engine, tenant, world):
    run(sqlite_engine, tenant, world)


@settings(max_examples=8, **SETTINGS)
@given(world=worlds())
def test_layouts_and_writes_keep_to_rights_and_types_postgresql(pg_engine, tenant, world):
    run(pg_engine, tenant, world)
