"""hulian.metadata: pack files -> validated, immutable typed model. Knows no SQL.

>>> from hulian.metadata import check_pack, load_pack     # doctest: +SKIP
>>> for problem in check_pack("examples/crm"):            # doctest: +SKIP
...     print(problem)
"""

from hulian.metadata.codes import CODES
from hulian.metadata.errors import HulianError
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
    CHOICE_TYPES,
    FIELD_TYPES,
    NUMERIC_TYPES,
    ON_DELETE,
    PACK_KINDS,
    TEXT_TYPES,
    Field,
    ObjectDef,
    Pack,
    PicklistOption,
    frozen_map,
    label_text,
)
from hulian.metadata.policy import POLICIES, policy
from hulian.metadata.problems import MetadataError, Problem, pointer
from hulian.metadata.schema_check import load_schema
from hulian.metadata.values import ValueProblem, coercer

__all__ = [
    "AUTO_NUMBER_RESETS",
    "CHOICE_TYPES",
    "CODES",
    "FIELD_TYPES",
    "NUMERIC_TYPES",
    "ON_DELETE",
    "PACK_KINDS",
    "POLICIES",
    "TEXT_TYPES",
    "Effective",
    "Field",
    "HulianError",
    "Layers",
    "MetadataError",
    "ObjectDef",
    "Pack",
    "PicklistOption",
    "Problem",
    "ValueProblem",
    "check_pack",
    "coercer",
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
