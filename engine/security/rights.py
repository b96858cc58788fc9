"""Functional and field permissions: what a user's roles let them do with each object.

A user's rights are the union of their roles:

- an action (create, read, edit, delete, export, import, or one of the object's custom
  actions) is allowed when any role allows it; any action implies ``read``;
- a field is ``editable``, ``read_only`` or ``hidden``: each role that can read the
  object gives a level (``editable`` unless the role says otherwise) and the most open
  one wins;
- the built-in role ``member`` allows every action on every object; ``admin`` (or a role
  with ``"admin": true``, or a user made with ``is_admin``) allows everything;
- an interconnect user's roles count only on the objects an interconnect app opens to
  that role (``apps/*.json``), and only interconnect roles count for them (internal ones
  only for internal users).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hulian.engine.system.people import User
from hulian.metadata.model import FIELD_ACCESS, STANDARD_ACTIONS, ObjectAccess, Pack

ADMIN = "admin"
MEMBER = "member"
EDITABLE = "editable"
READ_ONLY = "read_only"
HIDDEN = "hidden"
_RANK = {level: i for i, level in enumerate(FIELD_ACCESS)}


@dataclass(frozen=True)
class ObjectRights:
    actions: frozenset[str] = frozenset()
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The fields that are not editable: name -> ``read_only`` | ``hidden``."""


NONE = ObjectRights()


@dataclass(frozen=True)
class Rights:
    admin: bool
    objects: Mapping[str, ObjectRights]
    setup: bool = False
    """May change the tenant's metadata and people (the config UI): an administrator, or
    an internal user with a role declaring ``"setup": true``."""

    def on(self, object_name: str) -> ObjectRights:
        return self.objects.get(object_name, NONE)

    def can(self, object_name: str, action: str) -> bool:
        return self.admin or action in self.on(object_name).actions

    def field_access(self, object_name: str, field_name: str) -> str:
        if self.admin:
            return EDITABLE
        if not self.can(object_name, "read"):
            return HIDDEN
        return self.on(object_name).fields.get(field_name, EDITABLE)

    def hidden(self, object_name: str) -> frozenset[str]:
        """The fields of ``object_name`` this user may not see (readable objects only)."""
        if self.admin:
            return frozenset()
        return frozenset(f for f, level in self.on(object_name).fields.items()
                         if level == HIDDEN)

    def read_only(self, object_name: str) -> frozenset[str]:
        if self.admin:
            return frozenset()
        return frozenset(f for f, level in self.on(object_name).fields.items()
                         if level != EDITABLE)


def _combine(grants: Iterable[tuple[str, ObjectAccess, frozenset[str]]]
             ) -> dict[str, ObjectRights]:
    """Union of (object, what a role allows, the object's custom actions) grants."""
    actions: dict[str, set[str]] = {}
    levels: dict[str, dict[str, list[str]]] = {}
    readers: dict[str, int] = {}
    for object_name, access, custom in grants:
        allowed = {a for a in (*STANDARD_ACTIONS, *custom) if access.allows(a)}
        if not allowed:
            continue
        allowed.add("read")
        actions.setdefault(object_name, set()).update(allowed)
        readers[object_name] = readers.get(object_name, 0) + 1
        named = levels.setdefault(object_name, {})
        for name, level in access.fields.items():
            named.setdefault(name, []).append(level)
    rights: dict[str, ObjectRights] = {}
    for object_name, allowed in actions.items():
        fields: dict[str, str] = {}
        for name, given in levels.get(object_name, {}).items():
            # a reading role that does not name the field leaves it editable
            best = EDITABLE if len(given) < readers[object_name] \
                else max(given, key=_RANK.__getitem__)
            if best != EDITABLE:
                fields[name] = best
        rights[object_name] = ObjectRights(frozenset(allowed), MappingProxyType(fields))
    return rights


def rights_of(pack: Pack, user: User, roles: Iterable[str]) -> Rights:
    """The rights of ``user`` with ``roles`` (api_names) under the metadata ``pack``."""
    names = set(roles)
    defined = {r.api_name: r for r in pack.roles}
    kind = "interconnect" if user.is_interconnect else "internal"
    mine = [defined[n] for n in sorted(names) if n in defined and defined[n].kind == kind]
    if user.is_admin or (kind == "internal" and (
            ADMIN in names or any(role.admin for role in mine))):
        return Rights(True, MappingProxyType({}), setup=True)
    setup = kind == "internal" and any(role.setup for role in mine)
    custom = {o.api_name: frozenset(a.api_name for a in o.actions) for o in pack.objects}
    grants: list[tuple[str, ObjectAccess, frozenset[str]]] = []
    if kind == "internal" and MEMBER in names:
        grants += [(o, ObjectAccess(create=True, read=True, edit=True, delete=True,
                                    export=True, import_=True, actions=tuple(c)), c)
                   for o, c in custom.items()]
    opened = {(o, role) for app in pack.apps for role in app.roles for o in app.objects}
    for role in mine:
        grants += [(o, access, custom.get(o, frozenset())) for o, access in role.objects.items()
                   if o in custom and (kind == "internal" or (o, role.api_name) in opened)]
    return Rights(False, MappingProxyType(_combine(grants)), setup=setup)


def roles_counting(pack: Pack, user: User, roles: Iterable[str],
                   object_name: str | None = None) -> frozenset[str]:
    """The roles of ``user`` (api_names in ``roles``) that count, as they do for
    :func:`rights_of`: the pack's roles of the user's kind, and the built-in ``admin`` and
    ``member`` for internal users; with ``object_name``, an interconnect role counts only if
    an interconnect app opens that object to it."""
    names = set(roles)
    kind = "interconnect" if user.is_interconnect else "internal"
    found = {r.api_name for r in pack.roles if r.api_name in names and r.kind == kind}
    if kind == "internal":
        found |= names & {ADMIN, MEMBER}
    elif object_name is not None:
        found = {role for role in found if any(
            role in app.roles and object_name in app.objects for app in pack.apps)}
    return frozenset(found)
