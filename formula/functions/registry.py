"""Loads every function family into ``REGISTRY`` once."""

from __future__ import annotations

import importlib

FAMILIES = ("operators", "logical", "math", "text", "text_build", "regex", "dates")
_loaded = False


def load() -> None:
    global _loaded
    if _loaded:
        return
    for family in FAMILIES:
        importlib.import_module(f"hulian.formula.functions.{family}")
    _loaded = True
