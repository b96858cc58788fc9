"""``hulian demo``: the example packs in a local SQLite file, with their people and data, served.

The demo installs ``crm`` and then every *dependent* pack under ``examples/`` (a folder
whose ``pack.json`` requires crm, directly or through another such pack), each after the
packs it requires, into the tenant ``demo``. Each pack's ``data/_people.json`` gives the
departments, users and downstream enterprises (:mod:`hulian.runtime.sample_data`), and
its ``data/<Object>.json`` the records, loaded when the pack is installed (a second run
keeps the data as it is). Every user of a ``_people.json`` and the tenant's ``admin`` get
the password written there (:func:`demo_passwords`), set on every run and printed with
where each user goes, so the tour can log in. They exist only here: nothing else in
hulian gives a user a password by default.

crm's people: the department *Sales* led by the sales manager ``zhao``
(``sales_director``), with the sales rep (``sales_rep``) in it; *Channel* below it, where
the partner manager ``wang`` of the downstream enterprise *Dealer A* works; Dealer A's
buyer (``dealer_buyer``), who has placed one order.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import hulian.examples
from hulian.engine import Engine
from hulian.engine.system.people import ADMIN
from hulian.engine.webhooks import UrlPolicy
from hulian.metadata.jsontext import loads
from hulian.runtime.sample_data import load_people, load_records, people_passwords, read_people

DEMO_TENANT = "demo"
DEALER = "Dealer A"
PARTNER_MANAGER = "wang"
DEALER_BUYER = "dealer.buyer"
SALES_MANAGER = "zhao"
SALES_REP = "sales.rep"
EXAMPLE_PACK = "crm"
ADMIN_PASSWORD = "demo-admin-pass"


def examples_folder() -> Path:
    return Path(hulian.examples.__file__).resolve().parent


def example_pack(name: str = EXAMPLE_PACK) -> Path:
    return examples_folder() / name


def _manifest(folder: Path) -> dict:
    return loads((folder / "pack.json").read_text(encoding="utf-8"))


def demo_packs(folder: Path | None = None) -> list[Path]:
    """crm, then every pack of ``folder`` (default: the examples) that requires it, directly
    or through another, each after what it requires (ties by name)."""
    folder = folder or examples_folder()
    requires = {p.name: set(_manifest(p).get("requires", {}))
                for p in sorted(folder.iterdir()) if (p / "pack.json").is_file()}
    wanted = {EXAMPLE_PACK}
    while True:
        more = {name for name, needs in requires.items() if needs & wanted} - wanted
        if not more:
            break
        wanted |= more
    ordered: list[str] = []
    while len(ordered) < len(wanted):
        ready = sorted(n for n in wanted - set(ordered) if requires[n] <= set(ordered))
        if not ready:
            raise ValueError(f"the packs {sorted(wanted - set(ordered))} require each other")
        ordered.append(ready[0])
    return [folder / name for name in ordered]


def dependent_packs(folder: Path | None = None) -> list[Path]:
    """The demo's packs but crm: those that require it."""
    return demo_packs(folder)[1:]


def demo_passwords(packs: list[Path] | None = None) -> dict[str, str]:
    """username -> demo password: ``admin``'s and those of the packs' ``_people.json``."""
    out = {ADMIN: ADMIN_PASSWORD}
    for pack in packs if packs is not None else demo_packs():
        out.update(people_passwords(pack))
    return out


DEMO_PASSWORDS = demo_passwords()


def set_up(engine: Engine, tenant: str = DEMO_TENANT,
           packs: list[Path] | None = None) -> list[str]:
    """Deploy the demo's packs, their people, and the records of each pack this call
    installs; returns what it did (a pack installed before keeps its data as it is)."""
    packs = packs if packs is not None else demo_packs()
    done: list[str] = []
    before = set(engine.metadata(tenant).installed()["packs"]) \
        if tenant in engine.tenants() else set()
    keys: dict[str, str] = {}
    for pack in packs:
        done += [f"{pack.name}: {line}" for line in engine.metadata(tenant).deploy(pack).lines()]
        made = load_people(engine, tenant, pack)
        if made:
            done.append(f"{pack.name} people: " + "; ".join(made))
        if pack.name not in before:
            counts = load_records(engine, tenant, pack, keys)
            if counts:
                done.append(f"{pack.name} sample data: "
                            + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return done


def set_passwords(engine: Engine, tenant: str, passwords: dict[str, str]) -> None:
    """Set each user's password; the argon2 hashes (a fifth of a second each, the demo's
    biggest cost after its deploys) are computed on every core."""
    people = engine.people(tenant)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(lambda item: people.set_password(*item), passwords.items()))


@dataclass(frozen=True)
class Login:
    username: str
    display_name: str
    roles: list[str]
    password: str


def logins(engine: Engine, tenant: str, packs: list[Path]) -> dict[str, list[Login]]:
    """The demo's logins grouped: ``upstream`` (internal users), then each downstream
    enterprise in the order the packs name them."""
    passwords = demo_passwords(packs)
    groups: dict[str, list[str]] = {"upstream": [ADMIN]}
    for pack in packs:
        people = read_people(pack)
        groups["upstream"] += [u["username"] for u in people["users"]]
        for e in people["enterprises"]:
            groups.setdefault(e["name"], [])
            groups[e["name"]] += [u["username"] for u in e.get("users", [])]
    users = {u.username: u for u in engine.people(tenant).users()}
    admin = engine.people(tenant)
    out: dict[str, list[Login]] = {}
    for group, names in groups.items():
        seen = list(dict.fromkeys(n for n in names if n in users))
        out[group] = [Login(n, users[n].display_name,
                            (["administrator"] if users[n].is_admin else [])
                            + admin.user_roles(n),
                            passwords.get(n, "(no password)")) for n in seen]
    return out


def print_logins(groups: dict[str, list[Login]], base: str, tenant: str) -> None:
    print("\nlogins (desktop: " + f"{base}/login, tenant {tenant}; "
          f"downstream users on a phone: {base}/portal/{tenant}):")
    for group, people in groups.items():
        where = f"{base}/login" if group == "upstream" else f"{base}/portal/{tenant}"
        title = "upstream (the tenant's own people)" if group == "upstream" else \
            f"{group} (downstream enterprise)"
        print(f"  {title}: {where}")
        everyone = [p for group in groups.values() for p in group]
        width = max((len(p.username) for p in everyone), default=0)
        secret = max((len(p.password) for p in everyone), default=0)
        roles = max((len(", ".join(p.roles) or "no role") for p in everyone), default=0)
        for p in people:
            print(f"    {p.username:<{width}}  {p.password:<{secret}}  "
                  f"{', '.join(p.roles) or 'no role':<{roles}}  {p.display_name}")


def run_demo(db: str, *, host: str, port: int, serve: bool) -> int:
    started = time.monotonic()
    engine = Engine(db, webhook_urls=UrlPolicy(development=True))  # a demo on one machine
    packs = demo_packs()
    for line in set_up(engine, DEMO_TENANT, packs):
        print(line)
    passwords = demo_passwords(packs)
    set_passwords(engine, DEMO_TENANT, passwords)
    dealer_token = engine.people(DEMO_TENANT).create_token(DEALER_BUYER, label="demo")
    token = engine.people(DEMO_TENANT).create_token(ADMIN, label="demo")
    base = f"http://{host}:{port}"
    print_logins(logins(engine, DEMO_TENANT, packs), base, DEMO_TENANT)
    print(f"""
hulian demo: tenant {DEMO_TENANT!r} in {db}, packs {', '.join(p.name for p in packs)}
  browser:  {base}/  (tenant {DEMO_TENANT})
    dealer buyer, on a phone:  {base}/portal/{DEMO_TENANT}  \
username {DEALER_BUYER}  password {passwords[DEALER_BUYER]}
    sales rep, on a desktop:   {base}/login  \
username {SALES_REP}  password {passwords[SALES_REP]}
    (also {SALES_MANAGER} / {passwords[SALES_MANAGER]}, the sales manager; \
{ADMIN} / {passwords[ADMIN]})
  API:      {base}/api/v1/objects
  OpenAPI:  {base}/api/v1/openapi.json
  try:      curl -H "Authorization: Bearer $TOKEN" {base}/api/v1/objects/Account/records
  log in:   curl -c cookies.txt -H 'Content-Type: application/json' -d '{{"tenant": \
"{DEMO_TENANT}", "username": "{ADMIN}", "password": "{passwords[ADMIN]}"}}' \
{base}/api/v1/auth/login
  dealer:   {DEALER_BUYER!r} of {DEALER!r} (the order app only) \
password {passwords[DEALER_BUYER]} token {dealer_token}
  set up in {time.monotonic() - started:.1f} s
  token (user {ADMIN}, password {passwords[ADMIN]}; export it as TOKEN):""")
    print(token, flush=True)
    if not serve:
        engine.close()
        return 0
    import uvicorn

    from hulian.runtime.api.app import create_app
    from hulian.runtime.api.limits import server_options

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):  # type: ignore[no-untyped-def]
            await super().startup(sockets)
            print(f"hulian demo: serving {base}/, ready {time.monotonic() - started:.1f} s "
                  "after the command started", flush=True)

    config = uvicorn.Config(create_app(engine), host=host, port=port, log_level="info",
                            **server_options())
    Server(config).run()
    return 0
