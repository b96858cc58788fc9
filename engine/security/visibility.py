"""Record visibility: which records a user may read or edit, as one SQL predicate.

One function, :meth:`Visibility.predicate`, builds the condition for (user, object,
access); every record path adds it to its query (get, list, count, related lists,
export, update, delete, restore, lookups written) and to the joins of cross-object
formula references, filters and sorts (a related record the user may not read reads
as blank), so permissions are decided by the database, never by filtering rows after
fetching them. The predicate is built from what the session reads once (roles,
department tree, enterprise overrides, all small) and subqueries on the people and
team tables, so there are no share rows to keep up to date: see docs/permissions.md
for the choice and docs/performance.md for its measurements.

- No functional ``read`` on the object (roles; for interconnect users also the apps):
  no record at all.
- Admins: every record of the tenant.
- A detail object (master-detail) follows its master: a detail is readable (editable)
  when its master is.
- Internal users, by ``data_permission.internal``: ``company_read_write`` every record;
  ``company_read`` reads every record, edits as ``private``; ``private`` the records
  they own, those owned by people in the departments they lead (at any depth), those
  whose related team has them (``edit`` access to edit) and those sharing rules give them.
- Interconnect users, by the enterprise's override or ``data_permission.external``:
  ``private`` the records they own externally (``out_owner_id``) and those whose team has
  them; ``company_read`` / ``company_read_write`` also every record of their enterprise
  (``out_tenant_id``); ``public_read`` / ``public_read_write`` every record; plus
  sharing rules. Nothing is ever visible across tenants (each tenant has its own tables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from hulian.engine.memo import Memo
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.security import sharing
from hulian.engine.security.rights import Rights, rights_of
from hulian.engine.system import enterprises, people, roles, teams
from hulian.engine.system.tenant_tables import TenantTables, tenant_tables

READ = "read"
EDIT = "edit"
STATEMENTS = 256
"""Predicates and statements a :class:`Visibility` keeps (a user lists a few objects in a
few orders; variations beyond that are built per request)."""
T = TypeVar("T")


@dataclass(frozen=True)
class Visibility:
    schema: CompiledSchema
    user: people.User
    roles: frozenset[str]
    rights: Rights
    tree: people.DepartmentTree
    led: frozenset[str]
    """The departments the user leads, with every department below them."""
    enterprise: enterprises.Enterprise | None = None
    levels: dict[str, str] = field(default_factory=dict)
    """The user's enterprise's external level overrides: object -> level."""
    led_people: tuple[str, ...] = ()
    partner_manager: people.User | None = None
    """An interconnect user's enterprise's partner manager (the upstream owner of what they
    create), read with the rest: a change of manager is a change of people."""
    """The ids of the people in :attr:`led` (read once, bound as one array parameter:
    the planner then sees the values, as it would not through a subquery)."""
    _built: Memo = field(default_factory=lambda: Memo(STATEMENTS), compare=False, repr=False)
    """Predicates (by object and access) and statements (:meth:`statement`) already built:
    a Visibility is shared by the sessions (and threads) of one user
    (:mod:`hulian.engine.security.cache`) and SQL expressions are immutable, so each is
    built once."""

    @classmethod
    def of(cls, conn: sa.Connection, schema: CompiledSchema, user: people.User) -> Visibility:
        tenant = schema.tenant
        names = roles.roles_of(conn, tenant, user.id)
        rights = rights_of(schema.pack, user, names)
        if rights.admin:  # sees everything: nothing more to read
            return cls(schema, user, names, rights, people.DepartmentTree({}, {}, {}),
                       frozenset())
        tree = people.DepartmentTree.load(conn, tenant)
        company = None
        overrides: dict[str, str] = {}
        if user.enterprise_id is not None:
            company = enterprises.find_enterprise(conn, tenant, user.enterprise_id)
            overrides = enterprises.levels(conn, tenant, user.enterprise_id)
        led = frozenset() if user.is_interconnect else frozenset(tree.led_by(user.id))
        team = cls.people_in(conn, tenant, led)
        manager = None if company is None else people.user_by_id(
            conn, tenant, company.partner_manager_id)
        return cls(schema, user, names, rights, tree, led, company, overrides, team, manager)

    @staticmethod
    def people_in(conn: sa.Connection, tenant: str, departments: frozenset[str]
                  ) -> tuple[str, ...]:
        """The ids of the users in ``departments``, in id order."""
        if not departments:
            return ()
        users = tenant_tables(conn.dialect.name, tenant).users
        return tuple(conn.scalars(sa.select(users.c.id).where(
            users.c.department_id.in_(sorted(departments))).order_by(users.c.id)))

    @property
    def tenant(self) -> str:
        return self.schema.tenant

    @property
    def tables(self) -> TenantTables:
        """The tenant's own system tables (record teams, role grants...)."""
        return tenant_tables(self.schema.dialect, self.schema.tenant)

    def level(self, obj: CompiledObject) -> str:
        if self.user.is_interconnect:
            return self.levels.get(obj.api_name) or obj.model.data_permission.get(
                "external", "private")
        return obj.model.data_permission.get("internal", "company_read_write")

    def predicate(self, obj: CompiledObject, access: str = READ,
                  table: Any = None) -> Any | None:
        """The condition a record of ``obj`` must meet for ``access``; None: every record.

        ``table``: an alias of the object's table to build it on (a join), default the table.
        """
        if table is None:
            return self._built.get((obj.api_name, access),
                                   lambda: self._build(obj, access, obj.table))
        return self._build(obj, access, table)

    def statement(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """What ``build`` makes for this user, kept under ``key`` (e.g. a list's first-page
        statement, which then skips building and SQLAlchemy's cache key on every request).
        At most :data:`STATEMENTS` are kept; past that, ``build`` runs each time."""
        return self._built.get(key, build)

    def _build(self, obj: CompiledObject, access: str, table: Any) -> Any | None:
        if not self.rights.can(obj.api_name, READ) or (
                self.user.is_interconnect and self.enterprise is None):
            return sa.false()
        if self.rights.admin:
            return None
        master = next((f for f in obj.model.fields if f.type == "master_detail"), None)
        if master is not None:
            parent = self.schema.object(master.target)
            inner = self.predicate(parent, access)
            if inner is None:
                return None
            return table.c[master.api_name].in_(
                sa.select(parent.table.c.id).where(inner).correlate(None))
        return self._records(obj, access, table)

    def _records(self, obj: CompiledObject, access: str, table: Any) -> Any | None:
        """The data permission part of :meth:`predicate` for a non-detail object."""
        level = self.level(obj)
        external = self.user.is_interconnect
        if level == ("public_read_write" if external else "company_read_write") or (
                access == READ and level == ("public_read" if external else "company_read")):
            return None  # every record of the tenant
        object_id = str(self.schema.ids.get(obj.api_name, {}).get("id") or obj.api_name)
        team = self.within(table.c.id, teams.records_of(self.tables, object_id, self.user.id,
                                                     access == EDIT))
        if self.user.is_interconnect:
            assert self.enterprise is not None
            terms = [table.c.out_owner_id == self.user.id, team]
            if level == "company_read_write" or (access == READ and level == "company_read"):
                terms.append(table.c.out_tenant_id == self.enterprise.id)
        else:
            terms = [table.c.owner_id == self.user.id, team]
            if self.led_people:
                terms.append(self.among(table.c.owner_id, self.led_people))
        terms += self._shared(obj, access, table)
        return sa.or_(*terms)

    def within(self, column: Any, ids: sa.Select) -> Any:
        """``column IN (ids)``; on PostgreSQL ``column = ANY(ARRAY(ids))``, which, unlike an
        IN subquery inside an OR (a hashed subplan no index can serve), lets the planner
        combine each arm's index (bench/permissions.py measured 617 rows read instead of a
        scan of the table)."""
        if self.schema.dialect == "postgresql":
            return column == sa.any_(sa.func.array(ids.correlate(None).scalar_subquery()))
        return column.in_(ids.correlate(None))

    def among(self, column: Any, values: tuple[str, ...]) -> Any:
        """``column`` is one of ``values``: one array parameter on PostgreSQL, an expanding
        IN on SQLite."""
        if self.schema.dialect == "postgresql":
            return column == sa.any_(sa.bindparam(None, list(values),
                                                  type_=postgresql.ARRAY(sa.String())))
        return column.in_(values)

    def _shared(self, obj: CompiledObject, access: str, table: Any) -> list[Any]:
        mine = self.tree.above(self.user.department_id)
        company = self.enterprise.name if self.enterprise is not None else None
        return [sharing.condition(rule, self.schema, obj, table, self.tree)
                for rule in obj.model.sharing_rules
                if rule.active and (access == READ or rule.access == EDIT) and sharing.applies(
                    rule, departments=mine, role_names=self.roles, enterprise_name=company,
                    tree=self.tree)]

    def new_record_owner(self) -> dict[str, Any]:
        """The ownership columns of a record this user creates: their own, or for an
        interconnect user their enterprise's partner manager (and that manager's
        department) upstream and them externally (``out_tenant_id``, ``out_owner_id``)."""
        if not self.user.is_interconnect:
            return {"owner_id": self.user.id, "department_id": self.user.department_id}
        manager = self.partner_manager
        return {"owner_id": manager.id if manager else None,
                "department_id": manager.department_id if manager else None,
                "out_tenant_id": self.user.enterprise_id, "out_owner_id": self.user.id}

    def allows(self, obj: CompiledObject, access: str) -> bool:
        """True when every record of ``obj`` is open to ``access``."""
        return self.predicate(obj, access) is None
