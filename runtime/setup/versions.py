"""``/setup/versions``: every deployed metadata version (who, when, what), the changes one
version made, a rollback planned first, and the overlay's export.

A rollback deploys an earlier version again as a new version, through the same planner:
fields added since are archived, not dropped (docs/deploying.md).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import ConcurrentDeploy, DeployError, NotFoundError
from hulian.metadata.jsontext import dumps
from hulian.runtime.setup.flow import Setup, plan_page, setup_endpoint
from hulian.runtime.ui.display import display

__all__ = ["routes"]


def versions(setup: Setup) -> Response:
    """GET /setup/versions: newest first."""
    rows = [{**row, "when": display(row["deployed_at"], setup.page.lang),
             "count": len(row["steps"])} for row in reversed(setup.admin.history())]
    return setup.render("setup/versions.html", {
        "versions": rows, "current": setup.state.version,
        "deployed": setup.page.request.query_params.get("deployed")}, section="versions")


def _number(setup: Setup) -> int:
    text = setup.page.request.path_params["number"]
    if not text.isdigit() or not 0 < int(text) <= (setup.state.version or 0):
        raise NotFoundError(f"there is no version {text[:20]!r}", code="page_not_found")
    return int(text)


def version(setup: Setup) -> Response:
    """GET /setup/versions/{n}: what version n changed (from n - 1)."""
    number = _number(setup)
    row = next(r for r in setup.admin.history() if r["version"] == number)
    lines = setup.admin.diff(number - 1, number).lines() if number > 1 else []
    return setup.render("setup/version.html", {
        "row": {**row, "when": display(row["deployed_at"], setup.page.lang)},
        "lines": lines, "number": number, "current": setup.state.version},
        section="versions")


def rollback(setup: Setup) -> Response:
    """POST /setup/versions/{n}/rollback: the plan of deploying version n again."""
    number = _number(setup)
    report = setup.admin.rollback(number, dry_run=True)
    return plan_page(setup, report, title=setup.page.t("setup_rollback") + f" {number}",
                     back="/setup/versions", action=f"/setup/versions/{number}/apply",
                     hidden={"base": str(setup.state.version or "")})


def apply_rollback(setup: Setup) -> Response:
    """POST /setup/versions/{n}/apply: the rollback, unless another deploy came first."""
    number = _number(setup)
    title = setup.page.t("setup_rollback") + f" {number}"
    if setup.base() != setup.state.version:
        return setup.render("setup/refused.html", {
            "title": title, "back": "/setup/versions",
            "message": setup.page.t("setup_concurrent")}, section="versions", status=409)
    try:
        report = setup.admin.rollback(number)
    except ConcurrentDeploy:
        return setup.render("setup/refused.html", {
            "title": title, "back": "/setup/versions",
            "message": setup.page.t("setup_concurrent")}, section="versions", status=409)
    except DeployError as error:
        return setup.render("setup/refused.html", {
            "title": title, "back": "/setup/versions", "message": error.message},
            section="versions", status=409)
    return setup.page.redirect(f"/setup/versions?deployed={report.version}")


def export(setup: Setup) -> Response:
    """GET /setup/export: the overlay's documents as one JSON file (what ``hulian export
    --overlay`` writes as files)."""
    body = dumps({"version": setup.state.version, "documents": setup.state.documents},
                 indent=2)
    name = f"{setup.admin.tenant}-overlay-v{setup.state.version or 0}.json"
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})


routes = [
    Route("/setup/versions", setup_endpoint(versions), methods=["GET"],
          name="setup_versions"),
    Route("/setup/versions/{number}", setup_endpoint(version), methods=["GET"],
          name="setup_version"),
    Route("/setup/versions/{number}/rollback", setup_endpoint(rollback), methods=["POST"],
          name="setup_rollback"),
    Route("/setup/versions/{number}/apply", setup_endpoint(apply_rollback),
          methods=["POST"], name="setup_apply_rollback"),
    Route("/setup/export", setup_endpoint(export), methods=["GET"], name="setup_export"),
]
