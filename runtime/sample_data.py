"""Loading a pack's sample people (``data/_people.json``) and records (``data/<Object>.json``).

A data file is a list of records. ``"$key": "huaxin"`` names a record; a lookup value
``{"$ref": "huaxin"}`` is replaced by that record's id. Keys are shared across packs:
pass the same ``keys`` dict when loading crm and then the packs that require it, so a
dependent pack's record can point at ``{"$ref": "huaxin"}``. ``"$as": "dealer.buyer"``
creates the record in that user's session (it then belongs to the user's enterprise, as
if they had entered it); other records are created by the tenant's ``admin`` on the
``import`` channel. ``{"$user": "north.dispatch"}`` and ``{"$enterprise": "Service North"}``
are replaced by that user's or enterprise's id: ``"out_owner_id": {"$user": ...}`` gives a
record to a downstream user (分配给下游).
``"$team": [{"user": "north.dispatch", "access": "edit"}]`` adds people
to the new record's related team (``read`` when ``access`` is left out), in the same
session. Objects are loaded so that lookup targets come first. Files whose name
starts with ``_`` are not records.

``_people.json`` (every key optional)::

    {"departments": [{"name": "Sales", "parent": "HQ", "leader": "zhao"}],
     "users": [{"username": "zhao", "display_name": "Zhao", "department": "Sales",
                "roles": ["sales_director"], "password": "demo-manager-pass"}],
     "enterprises": [{"name": "Dealer A", "partner_manager": "wang",
                      "users": [{"username": "dealer.buyer", "roles": ["dealer_buyer"],
                                 "password": "demo-dealer-pass"}]}]}

Loading people is idempotent: a department, user or enterprise that exists already (named
again by a later pack, or by a second run) is the same one; a named user who lacks some
of the listed roles is given them, and a department without a leader gets the one named.
Passwords are not set here: :func:`people_passwords` lists them for whoever sets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from hulian.engine import Engine, HulianError, Session
from hulian.metadata.hints import choices_hint
from hulian.metadata.jsontext import loads

__all__ = ["Loaded", "load_people", "load_records", "load_sample_data", "people_passwords",
           "read_people"]

PEOPLE_FILE = "_people.json"
CODE = "sample_data_invalid"
_DIRECTIVES = ("$key", "$as", "$team")
_PERSON_KEYS = {"username", "display_name", "department", "roles", "password"}
_KEYS = {"departments": {"name", "parent", "leader"}, "users": _PERSON_KEYS,
         "enterprises": {"name", "partner_manager", "users"}}


@dataclass
class Loaded:
    """What loading one pack's sample data did."""

    people: list[str] = field(default_factory=list)
    """One sentence per department, user, enterprise, leader or role grant made."""
    records: dict[str, int] = field(default_factory=dict)
    """Object -> how many records were created."""

    def lines(self) -> list[str]:
        out = []
        if self.records:
            out.append("sample data: " + ", ".join(f"{n} {name}"
                                                    for name, n in self.records.items()))
        if self.people:
            out.append("people: " + "; ".join(self.people))
        return out


def _invalid(where: str, message: str, hint: str | None = None) -> HulianError:
    return HulianError(f"{where}: {message}", code=CODE, hint=hint)


def _data_folder(pack_dir: str | Path) -> Path:
    return Path(pack_dir) / "data"


def read_people(pack_dir: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The pack's ``data/_people.json``, checked for shape (empty lists when it has none)."""
    path = _data_folder(pack_dir) / PEOPLE_FILE
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in _KEYS}
    if not path.is_file():
        return found
    where = f"{Path(pack_dir).name}/data/{PEOPLE_FILE}"
    doc = loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or set(doc) - set(_KEYS):
        raise _invalid(where, "must be an object with departments, users and enterprises",
                       hint=f"unknown keys: {sorted(set(doc) - set(_KEYS))}"
                       if isinstance(doc, dict) else None)
    for key, allowed in _KEYS.items():
        items = doc.get(key, [])
        if not isinstance(items, list):
            raise _invalid(f"{where}/{key}", "must be a list")
        for i, item in enumerate(items):
            _check_entry(item, allowed, f"{where}/{key}/{i}",
                         "username" if key == "users" else "name")
            if key == "enterprises":
                for j, user in enumerate(item.get("users", [])):
                    _check_entry(user, _PERSON_KEYS - {"department"},
                                 f"{where}/{key}/{i}/users/{j}", "username")
        found[key] = items
    return found


def _check_entry(item: Any, allowed: set[str], where: str, name_key: str) -> None:
    if not isinstance(item, dict) or not isinstance(item.get(name_key), str):
        raise _invalid(where, f"must be an object with a {name_key!r}")
    unknown = set(item) - allowed
    if unknown:
        raise _invalid(where, f"unknown key {sorted(unknown)[0]!r}",
                       hint="the keys: " + ", ".join(sorted(allowed)))
    roles = item.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _invalid(where, "roles must be a list of role names")


def people_passwords(pack_dir: str | Path) -> dict[str, str]:
    """username -> password of every user the pack's ``_people.json`` gives one."""
    people = read_people(pack_dir)
    users = [*people["users"], *(u for e in people["enterprises"] for u in e.get("users", []))]
    return {u["username"]: u["password"] for u in users if "password" in u}


def load_people(engine: Engine, tenant: str, pack_dir: str | Path) -> list[str]:
    """Create the pack's departments, users and enterprises that do not exist yet;
    returns a sentence for each thing made."""
    people = read_people(pack_dir)
    admin = engine.people(tenant)
    done: list[str] = []
    departments = {d.name: d for d in admin.departments()}
    users = {u.username: u for u in admin.users(include_inactive=True)}
    for d in people["departments"]:
        if d["name"] not in departments:
            departments[d["name"]] = admin.create_department(d["name"], parent=d.get("parent"))
            done.append(f"department {d['name']!r}"
                        + (f" below {d['parent']!r}" if d.get("parent") else ""))
    for u in people["users"]:
        done += _ensure_user(admin, users, u, department=u.get("department"))
    ids = {u.id: name for name, u in users.items()}
    for d in people["departments"]:
        leader = d.get("leader")
        if leader and departments[d["name"]].leader_id is None:
            admin.set_department_leader(d["name"], leader)
            done.append(f"{leader!r} leads {d['name']!r}")
        elif leader and ids.get(departments[d["name"]].leader_id or "") != leader:
            done.append(f"{d['name']!r} keeps its leader (not {leader!r})")
    enterprises = {e.name for e in admin.enterprises(include_inactive=True)}
    for e in people["enterprises"]:
        if e["name"] not in enterprises:
            if not e.get("partner_manager"):
                raise _invalid(f"{Path(pack_dir).name}/data/{PEOPLE_FILE}",
                               f"the new enterprise {e['name']!r} needs a partner_manager")
            admin.create_enterprise(e["name"], partner_manager=e["partner_manager"])
            enterprises.add(e["name"])
            done.append(f"enterprise {e['name']!r} (partner manager "
                        f"{e['partner_manager']!r})")
        for u in e.get("users", []):
            done += _ensure_user(admin, users, u, enterprise=e["name"])
    return done


def _ensure_user(admin: Any, users: dict[str, Any], spec: Mapping[str, Any], *,
                 department: str | None = None, enterprise: str | None = None) -> list[str]:
    name = spec["username"]
    roles = list(spec.get("roles", []))
    if name not in users:
        users[name] = admin.create_user(name, display_name=spec.get("display_name"),
                                        department=department, enterprise=enterprise,
                                        roles=roles)
        where = f" of {enterprise!r}" if enterprise else \
            f" in {department!r}" if department else ""
        return [f"user {name!r}{where} ({', '.join(roles) or 'no role'})"]
    missing = [r for r in roles if r not in admin.user_roles(name)]
    if not missing:
        return []
    admin.grant_roles(name, missing)
    return [f"user {name!r} given {', '.join(missing)}"]


def _data_files(pack_dir: str | Path) -> dict[str, Path]:
    folder = _data_folder(pack_dir)
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.json")) if not p.name.startswith("_")}


def _load_order(session: Session, names: list[str], where: str) -> list[str]:
    ordered: list[str] = []
    known = session.schema.objects

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in ordered or name in trail:
            return
        if name not in known:
            raise _invalid(f"{where}/data/{name}.json", f"there is no object {name!r}",
                           hint=choices_hint(name, list(known), "objects"))
        for f in known[name].model.fields:
            if f.is_reference and f.target in names and f.target != name:
                visit(f.target, (*trail, name))
        ordered.append(name)

    for name in sorted(names):
        visit(name, ())
    return ordered


def _resolve(value: Any, keys: Mapping[str, str], where: str,
             people: Mapping[str, Mapping[str, str]]) -> Any:
    """A value with its ``$ref`` (a record's ``$key``), ``$user`` (a username: an
    ``owner_id`` or ``out_owner_id``) or ``$enterprise`` (a name: an ``out_tenant_id``)
    replaced by the id it names."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((kind, name),) = value.items()
        table, what = {"$ref": (keys, "record loaded before"), "$user": (people["users"], "user"),
                       "$enterprise": (people["enterprises"], "enterprise")}.get(kind, (None, ""))
        if table is None:
            return value
        if name not in table:
            fix = ("give the referenced record a $key and load its pack first" if kind == "$ref"
                   else "add it to a _people.json loaded before")
            raise _invalid(where, f"{kind} {name!r} names no {what}",
                           hint=choices_hint(str(name), list(table), f"{what}s") + "; " + fix)
        return table[name]
    return value


def _records(path: Path, where: str) -> list[dict[str, Any]]:
    records = loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _invalid(where, "must be a list of records (JSON objects)")
    return records


def load_records(engine: Engine, tenant: str, pack_dir: str | Path,
                 keys: dict[str, str] | None = None) -> dict[str, int]:
    """Create every record in ``pack_dir/data``; returns how many per object.

    ``keys`` ($key -> id) is read for ``$ref`` and extended with the pack's ``$key``\\s.
    Consecutive records of a file with the same ``$as`` are created in one session.
    """
    keys = {} if keys is None else keys
    pack = Path(pack_dir).name
    files = _data_files(pack_dir)
    if not files:
        return {}
    people = {"users": {u.username: u.id for u in engine.people(tenant).users()},
              "enterprises": {e.name: e.id for e in engine.people(tenant).enterprises()}}
    usernames = people["users"]
    with engine.session(tenant, readonly=True) as session:
        order = _load_order(session, list(files), pack)
    counts: dict[str, int] = {}
    for name in order:
        where = f"{pack}/data/{name}.json"
        records = _records(files[name], where)
        for user, group in groupby(enumerate(records), key=lambda item: item[1].get("$as")):
            run = list(group)
            if user is not None and user not in usernames:
                raise _invalid(f"{where}/{run[0][0]}", f"$as {user!r} is no user of the tenant",
                               hint=choices_hint(str(user), usernames, "users")
                               + "; add them to a _people.json loaded before")
            with _session(engine, tenant, user) as session:
                for i, record in run:
                    values = {k: _resolve(v, keys, f"{where}/{i}", people)
                              for k, v in record.items() if k not in _DIRECTIVES}
                    team = _team(record.get("$team", []), f"{where}/{i}")
                    try:
                        created = session.create(name, values)
                        for member in team:
                            session.share(name, created["id"], member["user"],
                                          access=member.get("access", "read"))
                    except HulianError as error:
                        raise _invalid(f"{where}/{i}", error.message,
                                       hint=error.hint) from error
                    if "$key" in record:
                        keys[record["$key"]] = created["id"]
        counts[name] = len(records)
    return counts


def _team(members: Any, where: str) -> list[dict[str, str]]:
    """A record's ``$team``: ``[{"user": "north.dispatch", "access": "edit"}]``."""
    if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("user"), str)
            and set(m) <= {"user", "access"} for m in members):
        raise _invalid(where, '$team must be a list of {"user": ..., "access": "read"|"edit"}')
    return members


def _session(engine: Engine, tenant: str, user: str | None) -> Any:
    if user is None:
        return engine.session(tenant, channel="import")
    return engine.session(tenant, user, channel="import")


def load_sample_data(engine: Engine, tenant: str, pack_dir: str | Path,
                     keys: dict[str, str] | None = None) -> Loaded:
    """The pack's people (:func:`load_people`), then its records (:func:`load_records`)."""
    people = load_people(engine, tenant, pack_dir)
    return Loaded(people, load_records(engine, tenant, pack_dir, keys))
