"""Cross-checks of the registered document kinds (:mod:`hulian.metadata.kinds`): each
document's own checks, the file named after its api_name, and the checks across a kind's
documents (two layouts claiming one assignment...).

Documents are checked in the order of ``documents``: a merged pack lists the packs'
documents before the overlay's (:mod:`hulian.metadata.kind_layers`), so when an overlay's
document clashes with a pack's, the problem is reported at the overlay's file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from hulian.metadata.documents import document_kind
from hulian.metadata.kinds import KINDS, Report, pack_view

__all__ = ["check_kinds"]


def check_kinds(documents: Mapping[str, Any], report_for: Callable[[str], Report],
                pack_kind: str | None, broken: Collection[str] = ()) -> None:
    view = pack_view(documents, pack_kind, broken)
    for kind in KINDS:
        files = [name for name in documents if document_kind(name) == kind.name
                 and isinstance(documents[name], dict)]
        for file in files:
            doc = documents[file]
            report = report_for(file)
            expected = file.removeprefix(f"{kind.folder}/").removesuffix(".json")
            if isinstance(doc.get("api_name"), str) and doc["api_name"] != expected:
                report.add(f"{kind.name}.file_name_mismatch", ("api_name",),
                           f"the file {file} holds the {kind.name.replace('_', ' ')} "
                           f"{doc['api_name']!r}",
                           f"rename the file to {kind.folder}/{doc['api_name']}.json, or set "
                           f"api_name to {expected!r}")
            report.labels(doc.get("label"), ("label",))
            kind.check(doc, file, report, view)
        kind.check_together([(file, documents[file]) for file in files], report_for, view)
