"""Fixtures of the preset apps' tests: which dependent packs there are under examples/.

A *dependent pack* is a folder of examples/ whose pack.json requires crm (directly or
through another such pack); the generic tests (lifecycle, permission matrix) are
parametrized over :data:`DEPENDENT_PACKS`, so a new pack is covered without editing them.
"""

from __future__ import annotations

from pathlib import Path

from hulian.runtime.demo import dependent_packs
from tests.conftest import EXAMPLE_CRM, ROOT

EXAMPLES = ROOT / "examples"
DEPENDENT_PACKS: list[Path] = dependent_packs(EXAMPLES)
"""examples/<pack> for every pack that requires crm, each after what it requires."""

__all__ = ["DEPENDENT_PACKS", "EXAMPLES", "EXAMPLE_CRM"]
