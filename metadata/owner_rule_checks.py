"""Checks of an object's owner rules (负责人) that their JSON Schema cannot see: one name per
rule, a round robin over a role names an internal role of the pack, and no owner rules on a
detail object (a detail's owner is its master's). Conditions are formulas, checked when the
engine compiles the pack; users and departments are data, looked up when a record is
created (a missing one hands the record to the partner manager)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hulian.metadata.hints import choices_hint
from hulian.metadata.kinds import Report, pack_view

__all__ = ["check_owner_rules"]


def check_owner_rules(documents: Mapping[str, Any], report_for: Callable[[str], Report],
                      pack_kind: str | None) -> None:
    view = pack_view(documents, pack_kind)
    internal = [name for name, kind in view.roles.items() if kind == "internal"]
    for file, doc in documents.items():
        if not file.startswith("objects/") or not isinstance(doc, dict) \
                or not isinstance(doc.get("owner_rules"), list):
            continue
        report = report_for(file)
        fields = doc.get("fields") if isinstance(doc.get("fields"), list) else []
        if doc["owner_rules"] and any(isinstance(f, dict) and f.get("type") == "master_detail"
                                      for f in fields):
            report.add("owner_rule.on_detail", ("owner_rules",),
                       f"{doc.get('api_name')} is a detail object: its records are owned by "
                       "their master's owner", "remove owner_rules, or set them on the master")
        seen: dict[str, int] = {}
        for i, rule in enumerate(doc["owner_rules"]):
            if not isinstance(rule, dict):
                continue
            name = rule.get("api_name")
            if isinstance(name, str):
                if name in seen:
                    report.add("name.duplicate", ("owner_rules", i, "api_name"),
                               f"another owner rule is called {name!r} "
                               f"(/owner_rules/{seen[name]})", "give each rule its own name")
                seen.setdefault(name, i)
            turn = (rule.get("owner") or {}).get("round_robin")
            role = turn.get("role") if isinstance(turn, dict) else None
            if isinstance(role, str) and role not in internal and not view.partial:
                report.add("owner_rule.unknown_role",
                           ("owner_rules", i, "owner", "round_robin", "role"),
                           f"{role!r} is not an internal role of the pack: records are owned "
                           "upstream by internal users",
                           choices_hint(role, internal, "internal roles"))
