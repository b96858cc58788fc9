"""The immutable, typed metadata model that a pack folder loads into.

Nothing here touches a database: the engine compiles this model into tables
(``hulian.engine.schema``). Every class is a frozen dataclass; collections are
tuples and label maps are read-only mappings, so a loaded model cannot change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hulian.metadata.field_types import FieldType

I18n = Mapping[str, str]
"""A label in several languages: ``{"zh": "金额", "en": "Amount"}`` (zh and en at least)."""

SYSTEM_TARGETS = ("User", "Department")
"""System objects a lookup may point at (hulian's users and departments)."""
ROLL_UP_FUNCTIONS = ("COUNT", "SUM", "MIN", "MAX", "AVG")
MAX_MASTER_DETAIL_DEPTH = 3

ON_DELETE = ("set_null", "restrict")
"""What a lookup does when its target is deleted; a master-detail field always cascades."""
DATA_PERMISSIONS = ("private", "company_read", "company_read_write")
"""Levels of ``data_permission.internal`` (internal users of the tenant)."""
EXTERNAL_DATA_PERMISSIONS = ("private", "company_read", "company_read_write", "public_read",
                             "public_read_write")
"""Levels of ``data_permission.external`` (interconnect users of downstream enterprises)."""
STANDARD_ACTIONS = ("create", "read", "edit", "delete", "export", "import")
"""What a role may be allowed to do with an object, besides the object's custom actions."""
FIELD_ACCESS = ("hidden", "read_only", "editable")
"""What a role may do with a field, from least to most (a user's roles add up: the most wins)."""
ROLE_KINDS = ("internal", "interconnect")
BUILTIN_ROLES = ("admin", "member")
"""Roles every tenant has: ``admin`` (sees and does everything) and ``member`` (every
action on every object; new internal users get it unless given other roles)."""
SHARE_ACCESS = ("read", "edit")
AUTO_NUMBER_RESETS = ("never", "yearly", "monthly", "daily")
PACK_KINDS = ("preset", "tenant", "snapshot")
DEPENDENT = "dependent"
"""How the checks see a preset pack that ``requires`` other packs (its ``kind`` stays
"preset"): like a tenant pack, it may name the objects and roles of the packs it requires
and extend them (``extensions/``), which is checked when the packs are merged; like a
preset, its own names do not end with ``__c``."""
PARTIAL_KINDS = ("tenant", DEPENDENT)
"""Pack kinds (as the checks see them) whose names of other packs' objects and roles are
checked only when the packs are merged."""
HISTORY_SYSTEM_FIELDS = ("owner_id", "business_type", "life_status", "out_tenant_id",
                         "out_owner_id")
"""System fields whose changes an object's history shows: every one of them when
``track_history`` is true; a list of fields may name them too."""
DEFAULT_HISTORY_RETENTION_DAYS = 365
"""How long, by default, the changes of an object with history are kept (days)."""


def _type(name: str) -> FieldType:
    from hulian.metadata.field_types.registry import BY_NAME  # which imports this module

    return BY_NAME[name]


def frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def label_text(label: I18n, lang: str = "en") -> str:
    """The label in ``lang``, falling back to English, then to any language."""
    return label.get(lang) or label.get("en") or next(iter(label.values()), "")


@dataclass(frozen=True)
class PicklistOption:
    api_name: str
    label: I18n
    active: bool = True


@dataclass(frozen=True)
class RollUp:
    """A roll-up summary (统计字段): ``function`` of ``field`` over the live records of
    ``object`` whose ``relationship`` (a lookup or master-detail field) points at the
    record, those matching the ``filter`` formula only. ``field`` is None for COUNT."""

    object: str
    relationship: str
    function: str
    field: str | None = None
    filter: str | None = None


@dataclass(frozen=True)
class Field:
    """One field of an object. Type-specific settings are None where they do not apply.

    ``default`` holds the default already coerced to the field's Python value
    (Decimal, date, list of option names...), or None.
    """

    api_name: str
    type: str
    label: I18n
    required: bool = False
    unique: bool = False
    indexed: bool = False
    """Asks for a database index (sorting and filtering large lists); see :attr:`indexable`."""
    default: Any = None
    help: I18n | None = None
    description: str | None = None
    # text, textarea, email, phone, url
    max_length: int | None = None
    pattern: str | None = None
    # number, currency, percent
    precision: int | None = None
    scale: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # picklist, multi_picklist
    options: tuple[PicklistOption, ...] = ()
    # lookup, master_detail
    target: str | None = None
    on_delete: str | None = None
    lookup_filter: str | None = None
    """lookup: a formula over the target object; the chosen record must make it TRUE."""
    relationship_name: str | None = None
    """The name of this relationship seen from the target (its related list); default
    ``<Object>.<field>``."""
    # auto_number
    format: str | None = None
    start: int | None = None
    reset: str | None = None
    # formula fields (read-only, computed on read) and computed defaults
    formula: str | None = None
    blank_as: str = "blank"
    default_formula: str | None = None
    # derived fields: a stored roll-up of child records, or a quote (引用) of a field of
    # the record a lookup points at (``"account.industry"``), computed on read
    roll_up: RollUp | None = None
    quote: str | None = None
    # display: hidden from layouts and the config UI (data and API access kept)
    hidden: bool = False
    # schema evolution: the api_name this field had before (its data is kept), and the
    # value blank records get when the field becomes required (coerced like ``default``)
    renamed_from: str | None = None
    backfill: Any = None
    # who may change which property once installed (see hulian.metadata.policy)
    customizable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def kind(self) -> FieldType:
        """The field's type (:mod:`hulian.metadata.field_types`): what it takes and does."""
        return _type(self.type)

    @property
    def is_reference(self) -> bool:
        return self.kind.reference

    @property
    def computed(self) -> bool:
        """True for fields computed on read (formula, quote): no column, read-only."""
        return self.formula is not None or self.quote is not None

    @property
    def indexable(self) -> bool:
        """True when ``indexed`` can give the field an index: it is stored by the writes
        (not a formula, quote or roll-up) and its type is ``indexable``."""
        return not self.computed and self.roll_up is None and self.kind.indexable

    @property
    def read_only(self) -> bool:
        return self.computed or self.roll_up is not None or self.kind.assigned

    def option(self, api_name: str) -> PicklistOption | None:
        return next((o for o in self.options if o.api_name == api_name), None)


@dataclass(frozen=True)
class ValidationRule:
    """A rule a record must pass: ``condition`` is a formula that is TRUE when it is INVALID."""

    api_name: str
    condition: str
    message: I18n
    error_field: str | None = None
    active: bool = True
    description: str | None = None
    customizable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Action:
    """A custom action of an object (approve, ship...): roles grant it by ``api_name``."""

    api_name: str
    label: I18n
    description: str | None = None


@dataclass(frozen=True)
class SharingRule:
    """Opens records to more people than the data permission level does.

    Owner-based (``owned_by``: records owned by people of a department, at any depth, or
    with a role) or criteria-based (``criteria``: a boolean formula over the record);
    exactly one of the two. ``share_with`` names who gains ``access``: one of
    ``{"department": name}`` (its people, at any depth), ``{"role": api_name}`` (internal or
    interconnect role) or ``{"enterprise": name}`` (a downstream enterprise's users).
    """

    api_name: str
    share_with: Mapping[str, str]
    access: str = "read"
    owned_by: Mapping[str, str] | None = None
    criteria: str | None = None
    description: str | None = None
    customizable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Policies declared on the rule itself (see hulian.metadata.policy)."""
    active: bool = True
    """False: the rule shares nothing (a tenant's overlay may switch a pack's rule off)."""


DEFAULT_BUSINESS_TYPE = "default"
"""The business type of an object that declares none (every record's, then)."""


@dataclass(frozen=True)
class OptionSubset:
    """The options of one picklist a business type allows, and its default among them."""

    values: tuple[str, ...]
    default: str | None = None


@dataclass(frozen=True)
class BusinessType:
    """A business type (业务类型, Salesforce's record type): a variant of an object with its
    own default values, who may create records of it, and for each picklist the subset of
    options it allows."""

    api_name: str
    label: I18n
    description: str | None = None
    active: bool = True
    default: bool = False
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Field -> its default value in records of this type (as JSON)."""
    roles: tuple[str, ...] | None = None
    """The roles whose users may create (or switch to) records of it; None: anyone who may
    create records of the object."""
    options: Mapping[str, OptionSubset] = field(default_factory=lambda: MappingProxyType({}))
    """Picklist or multi-picklist field -> the options it allows."""
    customizable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def allows(self, field_name: str, option: str) -> bool:
        subset = self.options.get(field_name)
        return subset is None or option in subset.values


IMPLICIT_BUSINESS_TYPE = BusinessType(
    DEFAULT_BUSINESS_TYPE, MappingProxyType({"zh": "默认", "en": "Default"}), default=True)


@dataclass(frozen=True)
class FieldDependency:
    """字段依赖: the options a dependent picklist may take for each value of its controlling
    picklist or boolean (``"true"`` / ``"false"``); a controlling value not listed (or
    blank) allows no dependent value."""

    controlling: str
    dependent: str
    values: Mapping[str, tuple[str, ...]]

    def allowed(self, controlling_value: Any) -> tuple[str, ...]:
        if isinstance(controlling_value, bool):
            controlling_value = "true" if controlling_value else "false"
        return self.values.get(controlling_value, ()) if controlling_value is not None else ()


@dataclass(frozen=True)
class OwnerRule:
    """负责人: a condition (a boolean formula; None: always) and whom it makes the internal
    owner of a record an interconnect user creates: a named user (``user``), the creating
    enterprise's partner manager (``partner_manager``), or the active internal users of a
    department or with a role in turn (``round_robin``: ``{"department": name}`` or
    ``{"role": api_name}``)."""

    api_name: str
    owner: Mapping[str, Any]
    condition: str | None = None
    description: str | None = None

    @property
    def target(self) -> str:
        """``user``, ``partner_manager`` or ``round_robin``."""
        return next(iter(self.owner))


@dataclass(frozen=True)
class ObjectDef:
    api_name: str
    label: I18n
    name_field: str
    fields: tuple[Field, ...]
    plural_label: I18n | None = None
    description: str | None = None
    source: str = ""
    validation_rules: tuple[ValidationRule, ...] = ()
    renamed_from: str | None = None
    """Schema evolution: the api_name this object had before (its table and records are kept)."""
    data_permission: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"internal": "company_read_write",
                                                  "external": "private"}))
    """Record visibility per kind of user: ``{"internal": DATA_PERMISSIONS, "external":
    EXTERNAL_DATA_PERMISSIONS}`` (defaults ``company_read_write`` and ``private``)."""
    sharing_rules: tuple[SharingRule, ...] = ()
    actions: tuple[Action, ...] = ()
    customizable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Policies declared on the object itself: property -> locked | editable | immutable."""
    business_types: tuple[BusinessType, ...] = ()
    """Declared business types; none: every record is of :data:`IMPLICIT_BUSINESS_TYPE`
    (see :attr:`types`)."""
    field_dependencies: tuple[FieldDependency, ...] = ()
    owner_rules: tuple[OwnerRule, ...] = ()
    track_history: bool | tuple[str, ...] = False
    """Field history (audit trail): False (none), True (every stored field and the
    :data:`HISTORY_SYSTEM_FIELDS`) or the fields (and system fields) whose changes the
    record history shows; see :attr:`tracked_fields`."""
    history_retention_days: int = DEFAULT_HISTORY_RETENTION_DAYS
    """How long the record history keeps changes (days)."""
    _by_name: Mapping[str, Field] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False, init=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", MappingProxyType({f.api_name: f for f in self.fields}))

    def field(self, api_name: str) -> Field | None:
        return self._by_name.get(api_name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.api_name for f in self.fields)

    @property
    def tracked_fields(self) -> tuple[str, ...] | None:
        """The fields whose changes the record history shows, in display order (the
        object's fields, then system fields); None: the object keeps no history. With
        ``track_history: true``, every field that stores a value (not a formula or a
        quote) and every one of :data:`HISTORY_SYSTEM_FIELDS`."""
        if self.track_history is False:
            return None
        if self.track_history is True:
            return (*(f.api_name for f in self.fields if not f.computed),
                    *HISTORY_SYSTEM_FIELDS)
        listed = set(self.track_history)
        return (*(f.api_name for f in self.fields if f.api_name in listed),
                *(name for name in HISTORY_SYSTEM_FIELDS if name in listed))

    @property
    def types(self) -> tuple[BusinessType, ...]:
        """The business types records may have: the declared ones, else the implicit one."""
        return self.business_types or (IMPLICIT_BUSINESS_TYPE,)

    def business_type(self, api_name: str) -> BusinessType | None:
        return next((t for t in self.types if t.api_name == api_name), None)

    @property
    def default_type(self) -> BusinessType:
        """The type a new record gets when it names none (the one marked ``default``,
        else the first active one)."""
        return next((t for t in self.types if t.default and t.active), None) or next(
            (t for t in self.types if t.active), self.types[0])


@dataclass(frozen=True)
class ObjectAccess:
    """What a role may do with one object; ``fields`` maps field api_names to
    ``hidden`` | ``read_only`` (every other field is ``editable``)."""

    create: bool = False
    read: bool = False
    edit: bool = False
    delete: bool = False
    export: bool = False
    import_: bool = False
    """JSON key ``"import"``."""
    actions: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def allows(self, action: str) -> bool:
        if action == "import":
            return self.import_
        if action in STANDARD_ACTIONS:
            return bool(getattr(self, action))
        return action in self.actions


@dataclass(frozen=True)
class Role:
    """A role (``roles/<api_name>.json``): internal, or interconnect (for downstream users,
    effective only on the objects an app opens to it). ``admin`` roles see everything."""

    api_name: str
    label: I18n
    kind: str = "internal"
    admin: bool = False
    objects: Mapping[str, ObjectAccess] = field(default_factory=lambda: MappingProxyType({}))
    description: str | None = None
    source: str = ""
    customizable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Policies declared on the role itself: what a tenant's role extension may change."""
    setup: bool = False
    """The functional permission ``setup``: its (internal) users administer the tenant's
    metadata and people (the config UI, the metadata API) without seeing every record."""


@dataclass(frozen=True)
class App:
    """An interconnect app (``apps/<api_name>.json``): the objects it opens to downstream
    enterprises and the interconnect roles that may use it."""

    api_name: str
    label: I18n
    objects: tuple[str, ...]
    roles: tuple[str, ...]
    description: str | I18n | None = None
    """One text, or texts by language (the app tile shows the user's language)."""
    source: str = ""


@dataclass(frozen=True)
class Pack:
    """A loaded pack: its manifest and objects, and the documents it was loaded from.

    ``documents`` maps each file's path (relative to the pack folder, with ``/``)
    to its parsed JSON; ``load_documents(pack.documents)`` rebuilds an equal pack,
    which is how a deployed version is stored and reloaded.
    """

    name: str
    version: str
    label: I18n
    objects: tuple[ObjectDef, ...]
    kind: str = "preset"
    requires: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    description: str | None = None
    documents: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    customizable: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Pack-wide policy defaults: "object" | "field" | "rule" | "sharing_rule" | "role" ->
    property -> policy."""
    roles: tuple[Role, ...] = ()
    apps: tuple[App, ...] = ()
    parts: Mapping[str, tuple[Any, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """The documents of the registered kinds (:mod:`hulian.metadata.kinds`), built: kind
    name (``layout``, ``scene``, ``home_view``) -> its models, by api_name."""
    branding: Mapping[str, Any] | None = None
    """``pack.json``'s ``branding`` (``name``, ``logo``, ``primary_color``): how the
    tenant's pages look; in an effective pack, the overlay's, else the last pack's."""

    @property
    def partial(self) -> bool:
        """True when the pack names what other packs define (a tenant's overlay, or a
        preset that ``requires`` others): it is complete only merged with them."""
        return self.kind == "tenant" or (self.kind == "preset" and bool(self.requires))

    def part(self, kind: str) -> tuple[Any, ...]:
        """The models of one document kind: ``pack.part("layout")``."""
        return self.parts.get(kind, ())

    def object(self, api_name: str) -> ObjectDef | None:
        return next((o for o in self.objects if o.api_name == api_name), None)

    def role(self, api_name: str) -> Role | None:
        return next((r for r in self.roles if r.api_name == api_name), None)
