"""``/setup/objects/{object}/rules/...``: validation rules, and the live formula check.

A rule of the tenant's own is edited whole (condition, message, error field, active); a
pack's rule takes the overrides the pack allows (active, message). While the admin types
a formula, our script asks ``/setup/formula-check`` (JSON) and shows the checker's
``line:column`` caret under the input; without script the same problems come back
beside the input when the form is sent.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.engine.formulas.scope import ObjectScope
from hulian.formula import FormulaError, Options, T, compile_formula
from hulian.formula.checker import CONTEXTS
from hulian.formula.errors import excerpt
from hulian.formula.types import RESULT_TYPES
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value, name_with_suffix

__all__ = ["check_formula", "routes"]

MAX_FORMULA = 4000


def check_formula(setup: Setup, object_name: str, text: str, context: str,
                  expected: str | None) -> dict[str, Any]:
    """The checker's verdict on ``text`` over the effective ``object_name``:
    ``{"ok": true, "type": "number"}`` or ``{"ok": false, "message", "hint", "line",
    "column", "excerpt"}``."""
    pack = setup.admin.effective()
    obj = pack.object(object_name)
    if obj is None:
        raise NotFoundError(f"the tenant has no object {object_name!r}",
                            code="unknown_object")
    wanted = T(expected) if expected in {t.value for t in RESULT_TYPES} else None
    if context == "validation" or context == "filter":
        wanted = T.BOOLEAN
    try:
        compiled = compile_formula(text, ObjectScope(pack, obj), Options(context), wanted)
    except FormulaError as error:
        found: dict[str, Any] = {"ok": False, "code": error.code, "message": error.message,
                                 "hint": error.hint}
        if error.span is not None:
            found.update(line=error.span.line, column=error.span.column,
                         excerpt=excerpt(text, error.span))
        return found
    return {"ok": True, "type": str(compiled.type)}


def formula_check(setup: Setup) -> Response:
    """GET /setup/formula-check?object=&formula=&context=&type=: the live check (JSON)."""
    params = setup.page.request.query_params
    text = params.get("formula", "")[:MAX_FORMULA]
    context = params.get("context", "formula")
    if context not in CONTEXTS:
        context = "formula"
    if not text.strip():
        return JSONResponse({"ok": False, "message": setup.page.t("setup_formula_empty")})
    return JSONResponse(check_formula(setup, params.get("object", ""), text, context,
                                      params.get("type")),
                        headers={"Cache-Control": "no-store"})


def _rule(obj: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in obj.get("validation_rules", []) if r.get("api_name") == name),
                None)


def _values(rule: dict[str, Any]) -> dict[str, Any]:
    message = rule.get("message") or {}
    return {"api_name": rule.get("api_name", ""), "condition": rule.get("condition", ""),
            "message_zh": message.get("zh", ""), "message_en": message.get("en", ""),
            "error_field": rule.get("error_field", ""), "active": rule.get("active", True),
            "description": rule.get("description", "")}


def _form(setup: Setup, obj: dict[str, Any], values: dict[str, Any], problems: Problems,
          rule: str | None, whose: str) -> Response:
    return setup.render("setup/rule.html", {
        "object": obj, "values": values, "problems": problems, "rule": rule,
        "whose": whose, "fields": [f["api_name"] for f in obj.get("fields", [])]},
        section="objects", status=422 if problems else 200)


def rule_page(setup: Setup) -> Response:
    """GET /setup/objects/{object}/rules/new and /rules/{rule}: the rule's form; POST:
    plan the new or changed rule."""
    page = setup.page
    name = page.request.path_params["object"]
    rule_name = page.request.path_params.get("rule")
    obj = setup.object(name)
    current = _rule(obj, rule_name) if rule_name else None
    if rule_name and current is None:
        raise NotFoundError(f"{name} has no rule {rule_name!r}", code="page_not_found")
    draft = setup.draft()
    whose = "pack" if rule_name and draft.own_rule(name, rule_name) is None else "custom"
    if page.request.method == "GET":
        values = _values(current) if current else {**_values({}), "active": True}
        return _form(setup, obj, values, Problems(), rule_name, whose)
    form = page.form
    values = {k: str(form.get(k) or "").strip() for k in (
        "api_name", "condition", "message_zh", "message_en", "error_field", "description")}
    values["active"] = form.get("active") == "true"
    message = i18n_value(values["message_zh"], values["message_en"])
    if whose == "pack":
        assert current is not None and rule_name is not None
        values["api_name"], values["condition"] = rule_name, current.get("condition", "")
        values["error_field"] = current.get("error_field", "")
        changes: dict[str, Any] = {}
        if values["active"] != current.get("active", True):
            changes["active"] = values["active"]
        if message != current.get("message"):
            changes["message"] = message
        place = draft.override_rule(name, rule_name, changes)
    else:
        document: dict[str, Any] = {
            "api_name": rule_name or name_with_suffix(values["api_name"]),
            "condition": values["condition"], "message": message}
        if values["error_field"]:
            document["error_field"] = values["error_field"]
        if not values["active"]:
            document["active"] = False
        if values["description"]:
            document["description"] = values["description"]
        place = draft.put_rule(name, document)
    inputs = {"message": "message"}

    def editor(problems: Problems) -> Response:
        renamed = Problems({inputs.get(k, k): v for k, v in problems.by_input.items()},
                           problems.general)
        return _form(setup, obj, values, renamed, rule_name, whose)

    title = page.t("setup_rules") + f" {name}.{rule_name or values['api_name']}"
    return propose(setup, draft, [place], title=title, back=f"/setup/objects/{name}",
                   editor=editor)


routes = [
    Route("/setup/formula-check", setup_endpoint(formula_check), methods=["GET"],
          name="setup_formula_check"),
    Route("/setup/objects/{object}/rules/new", setup_endpoint(rule_page),
          methods=["GET", "POST"], name="setup_new_rule"),
    Route("/setup/objects/{object}/rules/{rule}", setup_endpoint(rule_page),
          methods=["GET", "POST"], name="setup_rule"),
]
