"""Scenes (场景), personal scenes, and what home views need of the reader, as methods of
:class:`~hulian.engine.Session`.

>>> s.scenes("Order", counts=True)                                  # doctest: +SKIP
[{'api_name': 'all', 'kind': 'built_in', 'label': {'zh': '全部', 'en': 'All'}, ...,
  'count': 42}, ...]
>>> s.save_scene("Order", "big", label="Big orders", filter="total_amount > 10000",
...              columns=["number", "total_amount"], sort=["-total_amount"])  # doctest: +SKIP
>>> s.query("Order", scene="big", where={"status": "confirmed"})             # doctest: +SKIP

Which scenes a reader has, and what each lists, is :mod:`hulian.engine.records.scenes`.
A name resolves to a built-in scene, then to a declared scene the reader may use, then to
one of the reader's personal scenes. A name that is none of these, or a scene the reader
may not use, is the same ``unknown_scene`` (404), whose hint lists the scenes they have.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.errors import ConflictError, NotFoundError, PermissionDenied, QueryError
from hulian.engine.formulas.select import RecordSelect, base_select
from hulian.engine.records import scenes as scene_defs
from hulian.engine.records.filters import checked_formula
from hulian.engine.records.paging import parse_order
from hulian.engine.records.scenes import BUILT_IN_SCENES, SceneDef
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.rights import roles_counting
from hulian.engine.security.visibility import READ, Visibility
from hulian.engine.session_parts import SessionParts
from hulian.engine.system import people, personal_scenes
from hulian.formula import FormulaError
from hulian.metadata.values import ValueProblem, clean_text

if TYPE_CHECKING:
    pass

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME = 64
MAX_LABEL = 200
MAX_FILTER = 10_000
MAX_COLUMNS = 100
MAX_COUNT_LIMIT = 10_000
LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


def _invalid(message: str, key: str, hint: str | None = None) -> QueryError:
    return QueryError(message, code="invalid_scene", field=key, hint=hint)


def _label(value: Any) -> dict[str, str]:
    """A personal scene's label: one text for every language, or texts by language (zh and
    en at least)."""
    if isinstance(value, str):
        value = {"zh": value, "en": value}
    if not isinstance(value, Mapping) or not {"zh", "en"} <= set(value):
        raise _invalid("label is a text, or an object of texts by language with zh and en",
                       "label", 'e.g. "Big orders" or {"zh": "大订单", "en": "Big orders"}')
    out = {}
    for language, text in value.items():
        if not isinstance(language, str) or not LANGUAGE.match(language):
            raise _invalid(f"label: {str(language)[:20]!r} is not a language code", "label",
                           "use codes such as zh, en, ja, zh-TW")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_LABEL:
            raise _invalid(f"label.{language} must be a text of 1 to {MAX_LABEL} characters",
                           "label")
        try:
            out[language] = clean_text(text)
        except ValueProblem as problem:
            raise _invalid(f"label.{language}: {problem.message}", "label") from None
    return out


def _names(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, Sequence) or len(value) > MAX_COLUMNS or \
            not all(isinstance(v, str) and v for v in value):
        raise _invalid(f"{key} is a list of at most {MAX_COLUMNS} field names", key)
    if len(set(value)) != len(value):
        raise _invalid(f"{key} names a field twice", key, "name each field once")
    return list(value)


class ViewsMixin(SessionParts):
    """The scene and home-view methods of Session, which provides what is declared here."""

    if TYPE_CHECKING:
        def _filtered(self, obj: CompiledObject, where: Any, include_deleted: bool,
                      filter_text: str | None = None, scene: SceneDef | None = None
                      ) -> tuple[sa.Select, RecordSelect]: ...

    # -- resolving a scene ----------------------------------------------------------------

    def leads_anyone(self) -> bool:
        """Whether anyone works in a department the user leads (else the built-in scene
        ``my_subordinates`` is always empty for them, and the UI does not offer it)."""
        return any(person != self.user.id for person in self._led_people())

    def _led_people(self) -> tuple[str, ...]:
        """The people in the departments the reader leads (``my_subordinates``). An
        administrator's visibility does not read them; they are read once here."""
        visibility = self.visibility
        if self.user.is_interconnect or not visibility.rights.admin:
            return visibility.led_people
        tenant, me = self.schema.tenant, self.user.id
        return visibility.statement(("led_people",), lambda: Visibility.people_in(
            self._conn, tenant, frozenset(people.led_departments(self._conn, tenant, me))))

    def _shared_scenes(self, obj: CompiledObject) -> list[SceneDef]:
        """The built-in scenes, then the declared ones the reader may use."""
        declared = scene_defs.declared(self.guard, obj)
        default = not any(s.default for s in declared.values())
        return [*(scene_defs.built_in(obj, name, default=default and name == "all")
                  for name in BUILT_IN_SCENES), *declared.values()]

    def _personal_scenes(self, obj: CompiledObject, shared: list[SceneDef]) -> list[SceneDef]:
        """The reader's own scenes, but those a shared scene's name hides."""
        taken = {s.api_name for s in shared}
        return [scene_defs.personal(self.guard, obj, stored)
                for stored in personal_scenes.of_user(
                    self._conn, self.visibility.tables, self.user.id,
                    scene_defs.object_id(self.visibility, obj))
                if stored.api_name not in taken]

    def _resolve_scene(self, obj: CompiledObject, name: Any) -> SceneDef:
        """The scene ``name`` of ``obj`` the reader may use; ``unknown_scene`` otherwise."""
        if isinstance(name, str):
            if name in BUILT_IN_SCENES:
                return next(s for s in self._shared_scenes(obj) if s.api_name == name)
            found = scene_defs.declared(self.guard, obj).get(name)
            if found is not None:
                return found
            if NAME.match(name) and len(name) <= MAX_NAME:
                stored = personal_scenes.find(self._conn, self.visibility.tables, self.user.id,
                                              scene_defs.object_id(self.visibility, obj), name)
                if stored is not None:
                    return scene_defs.personal(self.guard, obj, stored)
        raise self._unknown_scene(obj, name)

    def _unknown_scene(self, obj: CompiledObject, name: Any) -> NotFoundError:
        shared = self._shared_scenes(obj)
        names = [s.api_name for s in (*shared, *self._personal_scenes(obj, shared))]
        close = difflib.get_close_matches(str(name), names, n=1)
        return NotFoundError(
            f"{obj.api_name} has no scene {str(name)[:64]!r}", code="unknown_scene",
            hint=(f"did you mean {close[0]!r}? " if close else "")
            + f"the scenes of {obj.api_name} you may use: {', '.join(names)}")

    def _scene_sql(self, obj: CompiledObject, scene: SceneDef
                   ) -> tuple[RecordSelect | None, Any | None]:
        return scene_defs.scene_sql(self.guard, obj, scene, self._led_people()
                                    if scene.api_name == "my_subordinates" else ())

    # -- listing scenes -------------------------------------------------------------------

    def scenes(self, object_name: str, counts: bool = False, *,
               personal: bool = True, count_limit: int | None = None) -> list[dict[str, Any]]:
        """Every scene of the object the user may use: the built-in ones, the declared ones
        ``visible_to`` lets them use, then their personal ones (``personal=False``: not
        those). Each is ``api_name``, ``kind`` (``built_in``, ``declared``, ``personal``),
        ``label``, ``filter`` (None when it names what the user may not see), ``columns``,
        ``sort`` and ``default`` (the one a list opens with); with ``counts``, ``count``: how
        many records it lists for the user (None for a personal scene whose filter no
        longer type-checks).

        ``count_limit`` (with ``counts``): count each scene's records only up to that many,
        so that the cost does not grow with the object ("99+", as list pages show it);
        ``count`` is then at most ``count_limit`` and ``count_more`` says whether the scene
        lists more records than that."""
        if count_limit is not None and (isinstance(count_limit, bool) or
                                        not isinstance(count_limit, int) or
                                        not 1 <= count_limit <= MAX_COUNT_LIMIT):
            raise QueryError(f"count_limit must be a whole number from 1 to "
                             f"{MAX_COUNT_LIMIT}", code="invalid_parameter",
                             field="count_limit")
        obj = self.guard.object(object_name)
        found = self._shared_scenes(obj)
        if personal:
            found += self._personal_scenes(obj, found)
        tallies = self._scene_counts(obj, found, count_limit) if counts else None
        out = []
        for i, scene in enumerate(found):
            described = scene.to_dict()
            if tallies is not None:
                tally = tallies[i]
                if count_limit is None:
                    described["count"] = tally
                else:
                    more = tally is not None and tally > count_limit
                    described["count"] = count_limit if more else tally
                    described["count_more"] = more
            out.append(described)
        return out

    def _scene_counts(self, obj: CompiledObject, scenes: list[SceneDef],
                      limit: int | None = None) -> list[int | None]:
        """How many records each scene lists for the user, in ONE statement: the scenes
        over the plain record select (the built-in ones, declared ones without a filter)
        as conditional counts of a single scan of the object's visible records (a
        condition with a subquery, as "in my team", and one that holds for none, as "my
        subordinates" for who leads no one: see :func:`_plain_count`), the others as a
        scalar count subquery each; None for a personal scene whose filter no longer
        type-checks. With ``limit``, each scene's count is a subquery that stops after
        ``limit + 1`` records (so a count above ``limit`` says "more"). The statement is
        kept per user, set of scenes and limit."""
        def build() -> tuple[sa.Select, frozenset[int]]:
            table = obj.table
            base = base_select(self.schema, obj, self.user.id, self.visibility)
            visible = self.visibility.predicate(obj, READ)
            columns: list[Any] = [] if limit is not None else [sa.func.count()]
            failed = set()
            for i, scene in enumerate(scenes):
                try:
                    shared, condition = self._scene_sql(obj, scene)
                    if shared is None:
                        columns.append(
                            _plain_count(base, table, visible, condition) if limit is None
                            else _capped_count(base, table, visible, condition, limit))
                        continue
                    query, select = self._filtered(obj, None, False, None, scene)
                except FormulaError:
                    failed.add(i)
                    continue
                inner = query.select_from(select.from_clause())
                if limit is not None:
                    inner = inner.limit(limit + 1)
                columns.append(sa.select(sa.func.count()).select_from(inner.subquery())
                               .correlate(None).scalar_subquery())
            if limit is not None:  # subqueries only: an always-one-row select of them
                return sa.select(sa.literal(0), *columns), frozenset(failed)
            statement = sa.select(*columns).select_from(base.from_clause()).where(
                *_live(table, visible))
            return statement, frozenset(failed)

        key = ("scene_counts", obj.api_name, limit, *(scene.key for scene in scenes))
        statement, failed = self.visibility.statement(key, build)
        with self._read():
            found = list(self._conn.execute(statement).one())[1:]
        tallies: list[int | None] = []
        for i in range(len(scenes)):
            tallies.append(None if i in failed else int(found.pop(0)))
        return tallies

    def scene(self, object_name: str, name: str) -> dict[str, Any]:
        """One scene the user may use, as :meth:`scenes` describes it; ``unknown_scene``
        (NotFoundError) for a scene that does not exist or that they may not use."""
        obj = self.guard.object(object_name)
        return self._resolve_scene(obj, name).to_dict()

    # -- personal scenes ------------------------------------------------------------------

    def save_scene(self, object_name: str, api_name: str, *, label: str | Mapping[str, str],
                   filter: str | None = None, columns: Sequence[str] | str = (),
                   sort: Sequence[str] | str = (), replace: bool = True) -> dict[str, Any]:
        """Save a personal scene of the user's: create it, or replace their scene of that
        name (``replace=False``: ``scene_exists`` instead). ``label``: one text for every
        language, or texts by language (zh and en at least); ``filter``: a boolean formula
        over the fields the user may see (FormulaError otherwise); ``columns`` and ``sort``
        (``-`` in front for descending): fields the user may see. The name may not be that
        of a built-in scene or of a declared scene the user may use (``scene_exists``).
        Returns the scene as :meth:`scenes` describes it."""
        obj = self.guard.object(object_name)
        if not isinstance(api_name, str) or not NAME.match(api_name) or \
                len(api_name) > MAX_NAME:
            raise _invalid(f"{str(api_name)[:80]!r} is not a scene name", "api_name",
                           f"lower-case letters, digits and '_', starting with a letter, at "
                           f"most {MAX_NAME} characters")
        if any(s.api_name == api_name for s in self._shared_scenes(obj)):
            raise ConflictError(f"{obj.api_name} already has a scene {api_name!r} that "
                                "is not yours", code="scene_exists",
                                hint="choose another name for your scene")
        text = self._checked_filter(obj, filter)
        shown = _names(columns, "columns")
        if any(name.startswith("-") for name in shown):
            raise _invalid("columns name fields (no '-')", "columns")
        self.guard.check_names(obj, None, shown)
        order = _names(sort, "sort")
        self.guard.check_names(obj, None, order)
        parse_order(obj, order)
        tables = self.visibility.tables
        object_id = scene_defs.object_id(self.visibility, obj)
        with self._write():
            if not replace and personal_scenes.find(self._conn, tables, self.user.id,
                                                    object_id, api_name) is not None:
                raise ConflictError(f"you already have a scene {api_name!r} of "
                                    f"{obj.api_name}", code="scene_exists",
                                    hint="choose another name, or replace it (PUT)")
            personal_scenes.put(self._conn, tables, self.user.id, object_id, api_name,
                                label=_label(label), filter=text, columns=shown, sort=order)
        return self.scene(object_name, api_name)

    def _checked_filter(self, obj: CompiledObject, filter: Any) -> str | None:
        """``filter`` if it is a boolean formula over what the user may see (blank: None)."""
        if filter is None or (isinstance(filter, str) and not filter.strip()):
            return None
        if isinstance(filter, str) and len(filter) > MAX_FILTER:
            raise _invalid(f"filter is {len(filter)} characters long; at most {MAX_FILTER}",
                           "filter")
        select = base_select(self.schema, obj, self.user.id, self.visibility)
        checked_formula(select, filter, self.guard.pack, self.guard.opaque)
        return filter

    def delete_scene(self, object_name: str, api_name: str) -> None:
        """Delete one of the user's personal scenes (also one that a declared scene of the
        same name hides). A built-in or declared scene is PermissionDenied
        (``scene_not_personal``); a name that is none of the user's scenes is
        ``unknown_scene``."""
        obj = self.guard.object(object_name)
        with self._write():
            gone = isinstance(api_name, str) and personal_scenes.delete(
                self._conn, self.visibility.tables, self.user.id,
                scene_defs.object_id(self.visibility, obj), api_name)
        if gone:
            return
        if any(s.api_name == api_name for s in self._shared_scenes(obj)):
            raise PermissionDenied(f"{api_name!r} is a {obj.api_name} scene of the "
                                   "tenant's metadata, not one of yours",
                                   code="scene_not_personal",
                                   hint="only personal scenes can be deleted here; an "
                                        "administrator changes the others in the pack")
        raise self._unknown_scene(obj, api_name)

    # -- what home views need ---------------------------------------------------------------

    def roles(self) -> list[str]:
        """The user's roles that count (as for permissions: roles of the user's kind, and
        the built-in ``admin`` and ``member`` for internal users), sorted."""
        visibility = self.visibility
        return sorted(visibility.statement(("roles",), lambda: roles_counting(
            self.schema.pack, self.user, visibility.roles)))

    def apps(self) -> list[dict[str, Any]]:
        """The interconnect apps the user may use: for an interconnect user those that list
        one of their roles, for an internal user every app of the tenant. Each is
        ``api_name``, ``label`` and ``description`` (a text, or texts by language), by
        api_name."""
        mine = set(self.roles())
        return [{"api_name": app.api_name, "label": dict(app.label),
                 "description": dict(app.description)
                 if isinstance(app.description, Mapping) else app.description}
                for app in sorted(self.schema.pack.apps, key=lambda a: a.api_name)
                if not self.user.is_interconnect or mine.intersection(app.roles)]


def _live(table: sa.Table, visible: Any | None) -> tuple[Any, ...]:
    """The conditions of the records a reader may see (not deleted, and ``visible``)."""
    live = table.c.is_deleted == sa.false()
    return (live,) if visible is None else (live, visible)


def _capped_count(base: Any, table: sa.Table, visible: Any | None, condition: Any | None,
                  limit: int) -> Any:
    """The count of a plain scene's first ``limit + 1`` records, as a scalar subquery (0
    for a scene that lists nothing)."""
    if isinstance(condition, sa.sql.elements.False_):
        return sa.literal(0)
    conditions = _live(table, visible) + (() if condition is None else (condition,))
    first = sa.select(sa.literal(1)).select_from(base.from_clause()).where(*conditions) \
        .limit(limit + 1).subquery()
    return sa.select(sa.func.count()).select_from(first).correlate(None).scalar_subquery()


def _plain_count(base: Any, table: sa.Table, visible: Any | None, condition: Any | None
                 ) -> Any:
    """The count of a plain scene (``condition``: its records among the visible ones) as a
    column of the scene counts' statement: a conditional count of its scan, or where the
    condition is a subquery (team membership) a count subquery of its own, which the
    database answers from the subquery's few rows instead of testing every record
    against it; 0 for a scene that lists nothing."""
    if condition is None:
        return sa.func.count()
    if isinstance(condition, sa.sql.elements.False_):
        return sa.literal(0)
    if any(isinstance(e, sa.sql.selectable.SelectBase)
           for e in sa.sql.visitors.iterate(condition)):
        return sa.select(sa.func.count()).select_from(base.from_clause()).where(
            *_live(table, visible), condition).correlate(None).scalar_subquery()
    return sa.func.count(sa.case((condition, 1)))
