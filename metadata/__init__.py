"""hulian.metadata: pack files -> validated, immutable typed model. Knows no SQL.

>>> from hulian.metadata import check_pack, load_pack     # doctest: +SKIP
>>> for problem in check_pack("examples/crm"):            # doctest: +SKIP
...     print(problem)
"""

from hulian.metadata.codes import CODES
from hulian.metadata.errors import HulianError
from hulian.metadata.field_types import (
    CHOICE_TYPES,
    FIELD_TYPES,
    NUMERIC_TYPES,
    TEXT_TYPES,
    FieldType,
    coercer,
    field_type,
)
from hulian.metadata.layers import (
    Effective,
    Layers,
    immutable_changes,
    kept_overrides,
    merge,
    rename_overlay,
    snapshot_documents,
)
from hulian.metadata.loader import check_pack, load_documents, load_pack, read_documents
from hulian.metadata.model import (
    AUTO_NUMBER_RESETS,
    BUILTIN_ROLES,
    DATA_PERMISSIONS,
    EXTERNAL_DATA_PERMISSIONS,
    FIELD_ACCESS,
    ON_DELETE,
    PACK_KINDS,
    ROLE_KINDS,
    SHARE_ACCESS,
    STANDARD_ACTIONS,
    Action,
    App,
    Field,
    ObjectAccess,
    ObjectDef,
    Pack,
    PicklistOption,
    Role,
    SharingRule,
    frozen_map,
    label_text,
)
from hulian.metadata.policy import POLICIES, policy
from hulian.metadata.problems import MetadataError, Problem, pointer
from hulian.metadata.schema_check import load_schema
from hulian.metadata.values import ValueProblem

__all__ = [
    "AUTO_NUMBER_RESETS",
    "BUILTIN_ROLES",
    "CHOICE_TYPES",
    "CODES",
    "DATA_PERMISSIONS",
    "EXTERNAL_DATA_PERMISSIONS",
    "FIELD_ACCESS",
    "FIELD_TYPES",
    "NUMERIC_TYPES",
    "ON_DELETE",
    "PACK_KINDS",
    "POLICIES",
    "ROLE_KINDS",
    "SHARE_ACCESS",
    "STANDARD_ACTIONS",
    "TEXT_TYPES",
    "Action",
    "App",
    "Effective",
    "Field",
    "FieldType",
    "HulianError",
    "Layers",
    "MetadataError",
    "ObjectAccess",
    "ObjectDef",
    "Pack",
    "PicklistOption",
    "Problem",
    "Role",
    "SharingRule",
    "ValueProblem",
    "check_pack",
    "coercer",
    "field_type",
    "frozen_map",
    "immutable_changes",
    "kept_overrides",
    "label_text",
    "load_documents",
    "load_pack",
    "load_schema",
    "merge",
    "pointer",
    "policy",
    "read_documents",
    "rename_overlay",
    "snapshot_documents",
]
