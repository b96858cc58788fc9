"""What every config page shares: who may see it, and the change flow.

Only administrators of the tenant reach ``/setup`` (anyone else gets the 404 page, as for
a page that does not exist). A change is never applied from the editor's form directly:

1. the editor builds the overlay change (:class:`~hulian.metadata.overlay_edits.OverlayDraft`)
   and :func:`propose` dry-runs it: problems go back to the editor, beside the inputs
   they concern (their JSON pointers mapped through the edit's
   :class:`~hulian.metadata.overlay_edits.Place`); otherwise the **plan page** shows
   each step (safe, needs-data-check, destructive) and the data checks with the records
   in the way;
2. the plan page's Deploy button posts the same change, with the version it was planned
   on, to ``/setup/apply``: the deploy runs in one transaction and the admin lands back
   on the editor's page. A deploy committed meanwhile by someone else refuses it
   (``deploy_concurrent``), and nothing is lost: the plan page says so and links back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.admin import MetadataAdmin
from hulian.engine.deploy.report import DeployReport
from hulian.engine.errors import ConcurrentDeploy, DeployError, NotFoundError, PermissionDenied
from hulian.engine.overlay import OverlayState
from hulian.metadata.jsontext import dumps, loads
from hulian.metadata.overlay_edits import OverlayDraft, Place
from hulian.metadata.problems import MetadataError, Problem
from hulian.runtime.ui.pages import UIPage, page_endpoint

__all__ = ["Problems", "Setup", "propose", "routes", "setup_endpoint"]

SECTIONS = ("objects", "roles", "apps", "partners", "layouts", "scenes", "home", "flows",
            "versions")
"""The config UI's areas, in the order its navigation shows them."""


def setup_endpoint(handler: Callable[[Setup], Response]) -> Any:
    """A config page: the caller must administer the tenant (else the 404 page)."""

    def run(page: UIPage) -> Response:
        return handler(Setup.of(page))

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return page_endpoint(run, session=False)


@dataclass
class Problems:
    """Problems sorted for an editor: by input name, and those no input shows."""

    by_input: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_input or self.general)

    def of(self, name: str) -> str:
        return " ".join(self.by_input.get(name, ()))

    @classmethod
    def sort(cls, problems: Iterable[Problem], places: Iterable[Place]) -> Problems:
        found = cls()
        places = list(places)
        for problem in problems:
            text = problem_text(problem)
            name = next((n for p in places if (n := p.input_of(problem))), None)
            if name:
                found.by_input.setdefault(name, []).append(text)
            else:
                found.general.append(f"{problem.file}{problem.pointer and ' ' + problem.pointer}"
                                     f": {text}")
        return found

    @classmethod
    def one(cls, message: str) -> Problems:
        return cls(general=[message])


def problem_text(problem: Problem) -> str:
    text = problem.message
    if problem.hint:
        text += f" ({problem.hint})"
    if problem.excerpt:
        text += "\n" + problem.excerpt
    return text


@dataclass
class Setup:
    """A config page: the UI page, the tenant's metadata facade and its current state."""

    page: UIPage
    admin: MetadataAdmin
    _state: OverlayState | None = None

    @classmethod
    def of(cls, page: UIPage) -> Setup:
        assert page.user is not None
        if page.user.is_interconnect:
            raise NotFoundError("there is no such page", code="page_not_found")
        try:
            admin = page.engine.metadata(actor=page.user)
        except PermissionDenied:
            raise NotFoundError("there is no such page", code="page_not_found") from None
        return cls(page, admin)

    @property
    def state(self) -> OverlayState:
        if self._state is None:
            self._state = self.admin.overlay()
        return self._state

    def draft(self) -> OverlayDraft:
        return OverlayDraft(self.state.documents, self.state.effective)

    def objects(self) -> list[dict[str, Any]]:
        """The effective objects' documents, by label."""
        found = [doc for path, doc in self.state.effective.items()
                 if path.startswith("objects/")]
        return sorted(found, key=lambda o: self.page.label(o.get("label")).lower())

    def object(self, name: str) -> dict[str, Any]:
        found = self.state.effective.get(f"objects/{name}.json")
        if not isinstance(found, dict):
            raise NotFoundError(f"the tenant has no object {name!r}", code="page_not_found")
        return found

    def render(self, template: str, context: dict[str, Any], *, section: str,
               status: int = 200) -> Response:
        return self.page.render(template, {"section": section, "sections": SECTIONS,
                                           "version": self.state.version, **context},
                                status=status)

    def base(self) -> int | None:
        """The version the posted form was made on (its hidden ``base``)."""
        text = self.page.form.get("base")
        return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 10 \
            else None


def propose(setup: Setup, draft: OverlayDraft, places: Iterable[Place], *, title: str,
            back: str, editor: Callable[[Problems], Response],
            base: int | None = None) -> Response:
    """Dry-run ``draft``'s change: the editor again with its problems, or the plan page."""
    put, delete = draft.change()
    if not put and not delete:
        return editor(Problems.one(setup.page.t("setup_nothing_changed")))
    planned_on = base if base is not None else setup.state.version
    try:
        report = setup.admin.change_overlay(put, delete, base=planned_on, dry_run=True)
    except MetadataError as error:
        return editor(Problems.sort(error.problems, places))
    except DeployError as error:
        located = _located(error)
        if located:
            return editor(Problems.sort(located, places))
        return editor(Problems.one(_deploy_message(error)))
    change = {"put": put, "delete": delete}
    return plan_page(setup, report, title=title, back=back, action="/setup/apply",
                     hidden={"change": dumps(change), "base": str(planned_on or "")})


def _located(error: DeployError) -> list[Problem]:
    """The uses a refused deploy lists with their file and pointer (``flow_unknown_user``,
    ``deploy_removed_in_use``), as problems an editor shows beside its inputs."""
    return [Problem(error.code, change["file"], change["pointer"],
                    str(change.get("message") or f"{change.get('removed')} is removed but "
                                                 f"{change.get('used_by')} uses it"),
                    error.hint)
            for change in error.changes
            if isinstance(change.get("file"), str) and isinstance(change.get("pointer"), str)]


def _deploy_message(error: DeployError) -> str:
    text = error.message
    if error.hint:
        text += f" ({error.hint})"
    return text


def _safe_back(text: object) -> str:
    """Only a config page of ours: never an open redirect."""
    if isinstance(text, str) and text.startswith("/setup") and "//" not in text \
            and "\\" not in text:
        return text
    return "/setup"


def plan_page(setup: Setup, report: DeployReport, *, title: str, back: str, action: str,
              hidden: Mapping[str, str], error: str | None = None,
              status: int = 200) -> Response:
    back = _safe_back(back)
    return setup.render("setup/plan.html", {
        "title": title, "report": report, "back": back, "action": action,
        "hidden": dict(hidden), "error": error,
        "kinds": {s.kind for s in report.steps}}, section=_section_of(back), status=status)


def _section_of(path: str) -> str:
    """The navigation's area of a config page's path (``/setup/objects/Order`` -> objects)."""
    part = path.removeprefix("/setup/").split("/")[0].split("?")[0]
    return part if part in SECTIONS else "objects"


def apply(setup: Setup) -> Response:
    """POST /setup/apply: deploy the change the plan page showed."""
    form = setup.page.form
    back = _safe_back(form.get("back"))
    title = str(form.get("title") or setup.page.t("setup_plan"))
    raw = form.get("change")
    try:
        change = loads(raw) if isinstance(raw, str) else None
    except ValueError:
        change = None
    if not isinstance(change, dict) or not isinstance(change.get("put"), dict) \
            or not isinstance(change.get("delete"), list):
        raise DeployError("the change to deploy is missing or damaged",
                          code="setup_change_invalid", hint="make the change again")
    base = setup.base()
    try:
        report = setup.admin.change_overlay(change["put"], change["delete"], base=base)
    except ConcurrentDeploy:
        return _refused(setup, back, title, setup.page.t("setup_concurrent"))
    except MetadataError as error:
        return _refused(setup, back, title, "; ".join(map(problem_text, error.problems)))
    except DeployError as error:
        report = getattr(error, "report", None)
        if report is not None:
            return plan_page(setup, report, title=title, back=back, action="/setup/apply",
                             hidden={}, error=_deploy_message(error), status=409)
        return _refused(setup, back, title, _deploy_message(error))
    separator = "&" if "?" in back else "?"
    return setup.page.redirect(f"{back}{separator}{urlencode({'deployed': report.version})}"
                               if report.version is not None else back)


def _refused(setup: Setup, back: str, title: str, message: str) -> Response:
    return setup.render("setup/refused.html", {"title": title, "back": back,
                                               "message": message},
                        section=_section_of(back), status=409)


routes = [
    Route("/setup/apply", setup_endpoint(apply), methods=["POST"], name="setup_apply"),
]
