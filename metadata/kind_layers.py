"""The registered document kinds in a tenant's layers (:mod:`hulian.metadata.layers`).

Installed packs contribute their layouts, scenes, home views and flows; two packs with a document
of the same kind and api_name conflict (``pack.<kind>_conflict``). The tenant's overlay
adds its own and may replace a pack's document by writing one of the same api_name (the
same file), unless the pack locked it (``"customizable": {"document": "locked"}``:
``overlay.locked_document``); a flow it may also switch off or on with a file holding
only ``{"api_name", "active"}``. The overlay's documents may still say the old names of
objects and fields a pack renamed: they are renamed on the way, as its roles are.
"""

from __future__ import annotations

import copy

from hulian.metadata.documents import document_kind
from hulian.metadata.extend import OVERLAY, Merging
from hulian.metadata.kinds import BY_NAME, DocumentKind, pack_view
from hulian.metadata.model import Pack
from hulian.metadata.renames import rename_document

__all__ = ["add_kind_documents"]


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
        if is_overlay and kind.switches(doc):
            _switch(merging, kind, file, doc, origin, first)
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


def _switch(merging: Merging, kind: DocumentKind, file: str, doc: dict[str, object],
            origin: str, first: str | None) -> None:
    """An overlay's ``{"api_name", "active"}``: the pack's document, switched off or on
    (also when the pack locks it: switching is not replacing)."""
    if first is None:
        merging.add(f"{kind.name}.switch_without_{kind.name}", origin, ("active",),
                    f"no installed pack has the {_what(kind)} {doc['api_name']!r} to switch "
                    f"{'on' if doc.get('active') else 'off'}",
                    f"check the api_name (and file name), or write the whole {_what(kind)}")
        return
    merging.documents[file] = {**merging.documents[file], "active": doc.get("active")}
    merging.came_from(file, ("active",), origin, ("active",))


def _what(kind: DocumentKind) -> str:
    return kind.name.replace("_", " ")
