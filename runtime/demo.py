"""``hulian demo``: the example CRM pack in a local SQLite file, with sample data, served.

The demo's ``admin``, dealer buyer, sales rep and sales manager get known passwords
(:data:`DEMO_PASSWORDS`), set by :func:`run_demo` on every run and printed with the URL of
the browser UI, so the tour can log in. They exist only here: nothing else in hulian gives
a user a password by default.

The people: the department *Sales* led by the sales manager (``sales_director``), with the
sales rep (``sales_rep``) in it; *Channel* below it, where the partner manager of the
downstream enterprise *Dealer A* works; Dealer A's buyer (``dealer_buyer``), who has placed
one order.
"""

from __future__ import annotations

from pathlib import Path

import hulian.examples
from hulian.engine import Engine
from hulian.engine.system.people import ADMIN
from hulian.engine.webhooks import UrlPolicy
from hulian.runtime.sample_data import load_sample_data

DEMO_TENANT = "demo"
DEALER = "Dealer A"
PARTNER_MANAGER = "wang"
DEALER_BUYER = "dealer.buyer"
SALES_MANAGER = "zhao"
SALES_REP = "sales.rep"
EXAMPLE_PACK = "crm"
DEMO_PASSWORDS = {ADMIN: "demo-admin-pass", DEALER_BUYER: "demo-dealer-pass",
                  SALES_REP: "demo-sales-pass", SALES_MANAGER: "demo-manager-pass"}


def example_pack(name: str = EXAMPLE_PACK) -> Path:
    return Path(hulian.examples.__file__).resolve().parent / name


def set_up(engine: Engine, tenant: str = DEMO_TENANT) -> list[str]:
    """Deploy the example pack and, on an empty tenant, its sample data; returns what it did."""
    pack = example_pack()
    done = engine.metadata(tenant).deploy(pack).lines()
    with engine.session(tenant, channel="import") as session:
        if session.count("Account", include_deleted=True) == 0:
            counts = load_sample_data(session, pack)
            done.append("sample data: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    if not engine.people(tenant).enterprises():
        engine.people(tenant).create_department("Sales")
        engine.people(tenant).create_user(SALES_MANAGER, department="Sales",
                                          roles=["sales_director"],
                                          display_name="Zhao (sales manager)")
        engine.people(tenant).set_department_leader("Sales", SALES_MANAGER)
        engine.people(tenant).create_user(SALES_REP, department="Sales", roles=["sales_rep"],
                                          display_name="Zhang (sales rep)")
        engine.people(tenant).create_department("Channel", parent="Sales")
        engine.people(tenant).create_user(PARTNER_MANAGER, department="Channel",
                           display_name="Wang (partner manager)")
        engine.people(tenant).create_enterprise(DEALER, partner_manager=PARTNER_MANAGER)
        engine.people(tenant).create_user(DEALER_BUYER, enterprise=DEALER, roles=["dealer_buyer"],
                           display_name="Xiao Li (Dealer A)")
        with engine.session(tenant, DEALER_BUYER) as session:  # an order placed downstream
            product = session.query("Product", filter="is_active", order_by="name",
                                    limit=1).records[0]
            order = session.create("Order", {"notes": "Placed through the order app",
                                             "delivery": "pickup"})
            session.create("OrderLine", {"sales_order": order["id"], "product": product["id"],
                                         "quantity": 10})
        done.append(f"people: department Sales led by {SALES_MANAGER!r} with sales rep "
                    f"{SALES_REP!r}; below it Channel, partner manager {PARTNER_MANAGER!r}, "
                    f"of downstream enterprise {DEALER!r} and its buyer {DEALER_BUYER!r}, "
                    "who placed one order")
    return done


def run_demo(db: str, *, host: str, port: int, serve: bool) -> int:
    engine = Engine(db, webhook_urls=UrlPolicy(development=True))  # a demo on one machine
    for line in set_up(engine):
        print(line)
    for username, password in DEMO_PASSWORDS.items():
        engine.people(DEMO_TENANT).set_password(username, password)
    dealer_token = engine.people(DEMO_TENANT).create_token(DEALER_BUYER, label="demo")
    token = engine.people(DEMO_TENANT).create_token(ADMIN, label="demo")
    base = f"http://{host}:{port}"
    print(f"""
hulian demo: tenant {DEMO_TENANT!r} in {db}
  browser:  {base}/  (tenant {DEMO_TENANT})
    dealer buyer, on a phone:  {base}/portal/{DEMO_TENANT}  \
username {DEALER_BUYER}  password {DEMO_PASSWORDS[DEALER_BUYER]}
    sales rep, on a desktop:   {base}/login  \
username {SALES_REP}  password {DEMO_PASSWORDS[SALES_REP]}
    (also {SALES_MANAGER} / {DEMO_PASSWORDS[SALES_MANAGER]}, the sales manager; \
{ADMIN} / {DEMO_PASSWORDS[ADMIN]})
  API:      {base}/api/v1/objects
  OpenAPI:  {base}/api/v1/openapi.json
  try:      curl -H "Authorization: Bearer $TOKEN" {base}/api/v1/objects/Account/records
  log in:   curl -c cookies.txt -H 'Content-Type: application/json' -d '{{"tenant": \
"{DEMO_TENANT}", "username": "{ADMIN}", "password": "{DEMO_PASSWORDS[ADMIN]}"}}' \
{base}/api/v1/auth/login
  dealer:   {DEALER_BUYER!r} of {DEALER!r} (the order app only) \
password {DEMO_PASSWORDS[DEALER_BUYER]} token {dealer_token}
  token (user {ADMIN}, password {DEMO_PASSWORDS[ADMIN]}; export it as TOKEN):""")
    print(token, flush=True)
    if not serve:
        engine.close()
        return 0
    import uvicorn

    from hulian.runtime.api.app import create_app
    from hulian.runtime.api.limits import server_options

    uvicorn.run(create_app(engine), host=host, port=port, log_level="info", **server_options())
    return 0
