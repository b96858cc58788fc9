"""The config UI's home views (issue 17): per role, the widgets of a view edited without
script (add, move, remove) and deployed; what the role's users get is read back; a widget
naming a scene of another object is shown beside that widget. On both databases."""

from __future__ import annotations

from hulian.layouts.home import home_view
from tests.integration.test_setup_layouts import _editor_form, _send
from tests.integration.test_setup_ui import _deploy, admin  # noqa: F401


def _overlay(ui_site):
    return ui_site.engine.metadata(ui_site.tenant).overlay()


def test_the_home_views_per_role(ui_site, admin):  # noqa: F811
    page = admin.get("/setup/home")
    assert page.status_code == 200
    assert 'href="/setup/home/dealer_buyer"' in page.text
    assert ui_site.logged_in().get("/setup/home").status_code == 404


def test_widgets_are_added_moved_and_removed_then_deployed(ui_site, admin):  # noqa: F811
    path = "/setup/home/dealer_buyer"
    editor = admin.get(path)
    kinds = [v for n, v in _editor_form(editor.text) if n.startswith("kind.")]
    assert kinds == ["quick_create", "metric", "scene_list", "app_tiles", "text"]
    page = _send(admin, path, editor.text, [("new_widget_kind", "text")])
    page = _send(admin, path, page.text, [("text_zh.5", "新品上市"), ("text_en.5", "New in"),
                                          ("remove.3", "true")])
    page = _send(admin, path, page.text, op="move:4:up")
    kinds = [v for n, v in _editor_form(page.text) if n.startswith("kind.")]
    assert kinds == ["quick_create", "metric", "scene_list", "text", "text"]
    assert _overlay(ui_site).version == 1
    plan = _send(admin, path, page.text, op="plan")
    assert plan.status_code == 200, plan.text
    assert _deploy(admin, plan).status_code == 303
    stored = _overlay(ui_site).documents["home/dealer_buyer.json"]
    assert stored["roles"] == ["dealer_buyer"] and stored["channel"] == "mobile"
    assert stored["widgets"][3] == {"kind": "text", "text": {"zh": "新品上市", "en": "New in"}}
    assert [w["kind"] for w in stored["widgets"]] == ["quick_create", "metric", "scene_list",
                                                      "text", "text"]
    with ui_site.engine.session(ui_site.tenant, user="buyer") as session:
        home = home_view(session, "mobile")
    assert home["api_name"] == "dealer_buyer"
    assert [w["kind"] for w in home["widgets"]][-2:] == ["text", "text"]
    assert home["widgets"][-2]["text"] == {"zh": "新品上市", "en": "New in"}


def test_a_bad_widget_is_shown_beside_it_and_nothing_applies(ui_site, admin):  # noqa: F811
    path = "/setup/home/dealer_buyer"
    editor = admin.get(path)
    page = _send(admin, path, editor.text, [("scene.2", "big_orders"),
                                            ("object.2", "Account")], op="plan")
    assert page.status_code == 422
    assert 'id="error-widget.2"' in page.text
    assert "home/dealer_buyer.json" not in _overlay(ui_site).documents
