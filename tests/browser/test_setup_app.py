"""Issue 17's "done when": an upstream admin builds a small custom interconnect app in the
browser alone, with no files: a 活动申请 (marketing activity request) object with its
fields, a phone layout, a scene, an interconnect role, an app and a dealer's user. The
dealer uses it on a phone-sized window, and ``hulian export --overlay`` writes exactly
that app as files that deploy unchanged to a fresh tenant."""

from __future__ import annotations

import re

from hulian.engine import Engine
from hulian.runtime import demo
from hulian.runtime.cli import main as hulian
from tests.browser.actions import click, field, record_id, sign_in

OBJECT = "CampaignRequest__c"
ROLE = "campaign_applicant"
PASSWORD = "planner-initial-pass"


def _plan_and_deploy(window) -> None:
    click(window, "button", "Review the plan")
    click(window, "button", "Deploy")
    assert "deployed=" in window.path, f"not deployed: {window.path}"


def _labels(page, en: str, zh: str) -> None:
    page.get_by_label("English").first.fill(en)
    page.get_by_label("中文").first.fill(zh)


def test_an_admin_builds_an_interconnect_app_in_the_browser_alone(open_window, live,
                                                                  tmp_path):
    admin = open_window(phone=False, locale="en-US", name="admin")
    sign_in(admin, demo.ADMIN)
    page = admin.page

    admin.go("/setup/objects/new")
    field(page, "API name").fill("CampaignRequest")
    _labels(page, "Campaign request", "活动申请")
    page.locator("#name_en").fill("Subject")
    page.locator("#name_zh").fill("主题")
    page.get_by_label("Interconnect users (downstream)").select_option("company_read_write")
    _plan_and_deploy(admin)
    for kind, name, en, zh in (("currency", "budget", "Budget", "预算"),
                               ("date", "start_date", "Start date", "开始日期")):
        admin.go(f"/setup/objects/{OBJECT}/fields/new?type={kind}")
        field(page, "API name").fill(name)
        _labels(page, en, zh)
        _plan_and_deploy(admin)
    admin.shot("the new object", doc="setup-custom-object")

    admin.go("/setup/roles")
    click(admin, "link", "New interconnect role")
    field(page, "API name").fill(ROLE)
    _labels(page, "Campaign applicant", "活动申请人")
    _plan_and_deploy(admin)
    admin.go(f"/setup/roles/{ROLE}")
    for action in ("Create", "Read", "Edit"):
        page.get_by_label(f"Campaign request: {action}").check()
    _plan_and_deploy(admin)

    admin.go("/setup/apps/new")
    field(page, "API name").fill("campaigns")
    _labels(page, "Campaigns", "市场活动")
    page.get_by_role("checkbox", name=f"Campaign request {OBJECT}", exact=True).check()
    page.get_by_role("checkbox", name=f"Campaign applicant {ROLE}", exact=True).check()
    _plan_and_deploy(admin)

    admin.go(f"/setup/layouts/new?object={OBJECT}&kind=detail&channel=mobile"
             "&api_name=campaign_request_mobile")
    adding = page.get_by_role("group", name="Add a field")
    for name in ("budget__c", "start_date__c"):
        adding.get_by_label("Field").select_option(name)
        with page.expect_navigation():
            adding.get_by_role("button", name="Add", exact=True).click()
    page.locator("#new_assign_role").select_option(ROLE)
    with page.expect_navigation():
        page.locator("#new_assign_role").locator("xpath=ancestor::tr").get_by_role(
            "button", name="Add").click()
    admin.shot("the phone layout", doc="setup-custom-layout")
    _plan_and_deploy(admin)

    admin.go(f"/setup/scenes/new?object={OBJECT}&api_name=big_campaigns")
    _labels(page, "Big campaigns", "大型活动")
    field(page, "Filter (a formula)").fill("budget__c >= 10000")
    _plan_and_deploy(admin)

    admin.go("/setup/partners")
    page.get_by_role("link", name=re.compile(rf"^{demo.DEALER}\b")).first.click()
    page.wait_for_load_state()
    field(page, "Username (to sign in)").fill("dealer.planner")
    field(page, "Display name").fill("Planner")
    page.get_by_label(re.compile(r"^Campaign applicant\b")).check()
    page.get_by_label(re.compile("password", re.I)).first.fill(PASSWORD)
    click(admin, "button", "Create the user")

    dealer = open_window(phone=True, locale="en-US", name="dealer")
    dealer.go(f"/portal/{demo.DEMO_TENANT}")
    dealer.login("dealer.planner", PASSWORD)
    dealer.submit_login()
    dealer.go("/app?app=campaigns")
    dealer.shot("the dealer's app")
    click(dealer, "link", "Campaign request")
    click(dealer, "link", "New")
    field(dealer.page, "Subject").fill("春季促销路演")
    field(dealer.page, "Budget").fill("12000")
    field(dealer.page, "Start date").fill("2027-03-01")
    dealer.shot("the dealer's form", doc="setup-custom-dealer-form")
    click(dealer, "button", "Save")
    made = record_id(dealer)
    dealer.go(f"/app/o/{OBJECT}?scene=big_campaigns")
    assert dealer.page.get_by_role("link", name="春季促销路演").first.is_visible()
    dealer.shot("the dealer's big campaigns")

    folder = tmp_path / "overlay"
    db = live.engine.db.url.render_as_string(hide_password=False)
    assert hulian(["export", str(folder), "--overlay", "--db", db,
                   "--tenant", live.tenant]) == 0
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
    assert written == ["apps/campaigns.json", "layouts/campaign_request_mobile.json",
                       f"objects/{OBJECT}.json", "pack.json", f"roles/{ROLE}.json",
                       "scenes/big_campaigns.json"]
    fresh = Engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        fresh.metadata("fresh").deploy(demo.example_pack())
        fresh.metadata("fresh").deploy(folder)
        theirs = fresh.metadata("fresh").overlay()
        ours = live.engine.metadata(live.tenant).overlay()
        for path in written:
            if path != "pack.json":
                assert theirs.effective[path] == ours.effective[path], path
    finally:
        fresh.close()
    with live.engine.session(live.tenant, "dealer.planner") as session:
        assert session.get(OBJECT, made)["budget__c"] == 12000
