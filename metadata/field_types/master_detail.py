"""``master_detail``: the id of the record's master (主从关系).

A detail cannot exist without its master: the field is always required, takes no default,
and deleting the master deletes its details (``on_delete`` is always ``cascade``). The
relationship's other rules (owner follows the master, at most 3 levels) live with the
records and the cross-object checks.
"""

from __future__ import annotations

from typing import Any

from hulian.metadata.field_types.base import Raw
from hulian.metadata.field_types.lookup import ReferenceType


class MasterDetail(ReferenceType):
    name = "master_detail"
    settings = ("target", "relationship_name")
    system_targets = False
    always_required = True
    no_default_why = "; each detail record names its master when it is created"
    key_notes = {"on_delete": "; deleting the master always deletes its details"}
    json_note_end = " (its master: required)."

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        target = raw.get("target")
        return {"target": target if isinstance(target, str) else None, "on_delete": "cascade"}


MASTER_DETAIL = MasterDetail()
