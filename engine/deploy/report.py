"""What a deploy did, or with ``dry_run`` would do: the plan and its data checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hulian.engine.deploy.step import Step

MAX_EXAMPLES = 20


@dataclass(frozen=True)
class CheckResult:
    """The data check of one needs-data-check step: how many records it read, which failed.

    ``examples`` holds up to 20 offending records: ``{"id", "value", "problem"}``.
    """

    step: int
    object: str
    field: str | None
    description: str
    rows_checked: int
    failed: int = 0
    examples: tuple[dict[str, Any], ...] = ()
    skipped: bool = False
    """True when an earlier failed check left this step unchecked."""

    @property
    def passed(self) -> bool:
        return not self.failed and not self.skipped

    def line(self) -> str:
        where = f"{self.object}.{self.field}" if self.field else self.object
        if self.skipped:
            return f"  check of step {self.step} ({where}): not run, an earlier check failed"
        if not self.failed:
            return f"  check of step {self.step} ({where}): passed, {self.rows_checked} " \
                   "record(s) checked"
        shown = "; ".join(f"{e['id']} ({e['value']!r}: {e['problem']})" for e in self.examples)
        return f"  check of step {self.step} ({where}): FAILED for {self.failed} of " \
               f"{self.rows_checked} record(s): {shown}"

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "object": self.object, "field": self.field,
                "description": self.description, "rows_checked": self.rows_checked,
                "failed": self.failed, "passed": self.passed, "skipped": self.skipped,
                "examples": [dict(e) for e in self.examples]}


@dataclass(frozen=True)
class DeployReport:
    """What a deploy did (or, with ``dry_run``, would do)."""

    tenant: str
    dry_run: bool
    steps: tuple[Step, ...]
    version: int | None
    previous_version: int | None
    pack: str = ""
    checks: tuple[CheckResult, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """Things worth knowing that change nothing, e.g. overlay values kept over a pack's."""

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    @property
    def ok(self) -> bool:
        """False when a data check failed (only a dry run returns such a report)."""
        return all(c.passed for c in self.checks)

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else "did"
        if not self.steps:
            return [f"tenant {self.tenant}: no changes (version {self.previous_version})",
                    *(f"  note: {n}" for n in self.notes)]
        head = (f"tenant {self.tenant}: dry run, version {self.version} would be deployed"
                if self.dry_run else f"tenant {self.tenant}: deployed version {self.version}")
        if self.dry_run and not self.ok:
            head = f"tenant {self.tenant}: dry run, version {self.version} would be REFUSED " \
                   "(a data check failed)"
        body = [f"  {i}. [{s.kind}] {s.description}" for i, s in enumerate(self.steps, 1)]
        checks = ["data checks:", *(c.line() for c in self.checks)] if self.checks else []
        notes = [f"  note: {n}" for n in self.notes]
        tail = f"{len(self.steps)} step(s) {verb} run" if self.ok else \
            f"{len(self.steps)} step(s) planned; nothing can run until the records above are fixed"
        return [head, *body, *checks, *notes, tail]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant, "pack": self.pack, "dry_run": self.dry_run,
            "version": self.version, "previous_version": self.previous_version,
            "changed": self.changed, "ok": self.ok, "steps": [s.to_dict() for s in self.steps],
            "checks": [c.to_dict() for c in self.checks], "notes": list(self.notes),
        }
