"""The registered document kinds in a tenant's layers (:mod:`hulian.metadata.layers`).

Installed packs contribute their layouts, scenes and home views; two packs with a document
of the same kind and api_name conflict (``pack.<kind>_conflict``). The tenant's overlay
adds its own and may replace a pack's document by writing one of the same api_name (the
same file), unless the pack locked it (``"customizable": {"document": "locked"}``:
``overlay.locked_document``). The overlay's documents may still say the old names of
objects and fields a pack renamed: they are renamed on the way, as its roles are.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hulian.metadata.documents import document_kind
from hulian.metadata.extend import OVERLAY, Merging
from hulian.metadata.kinds import BY_NAME, DocumentKind, pack_view
from hulian.metadata.model import Pack
from hulian.metadata.renames import Renames

__all__ = ["add_kind_documents", "rename_document"]


def add_kind_documents(merging: Merging, pack: Pack, layer: str,
                       owners: dict[str, str]) -> None:
    """Copy the kind documents of one layer (``owners``: merged file -> the layer that
    wrote it, across calls)."""
    is_overlay = layer == OVERLAY
    for file in sorted(f for f in pack.documents if document_kind(f) in BY_NAME):
        kind = BY_NAME[document_kind(file)]  # type: ignore[index]
        doc = copy.deepcopy(pack.documents[file])
        origin = f"{layer}/{file}"
        first = owners.get(file)
        if first is not None and not is_overlay:
            merging.add(f"pack.{kind.name}_conflict", origin, ("api_name",),
                        f"the {_what(kind)} {doc['api_name']!r} is already defined by {first}",
                        f"a {_what(kind)} belongs to one pack: rename it in one of them")
            continue
        if first is not None and kind.locked(merging.documents[file]):
            merging.add("overlay.locked_document", origin, (),
                        f"{first} locks its {_what(kind)} {doc['api_name']!r}: a tenant "
                        "cannot replace it", f"give the overlay's {_what(kind)} another "
                                             "api_name (and file name)")
            continue
        if is_overlay:
            doc = rename_document(kind, doc, merging.renames,
                                  pack_view(merging.documents, "snapshot"))
        owners[file] = origin
        merging.documents[file] = doc
        merging.came_from(file, (), origin, ())


def _what(kind: DocumentKind) -> str:
    return kind.name.replace("_", " ")


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def rename_document(kind: DocumentKind, doc: Mapping[str, Any], renames: Renames,
                    view: Any) -> dict[str, Any]:
    """A copy of ``doc`` naming objects and fields by their names now."""
    out = copy.deepcopy(dict(doc))
    if not renames.objects and not renames.fields:
        return out
    for use in list(kind.uses(out, view)):
        if use.kind == "object":
            new = renames.object(use.name)
        elif use.kind == "field" and use.object is not None:
            new = renames.field(renames.object(use.object), use.name)
        else:
            continue
        if new != use.name:
            current = _get(out, use.path)
            prefix = "-" if isinstance(current, str) and current.startswith("-") else ""
            _set(out, use.path, prefix + new)
    return out
