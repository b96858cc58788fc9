"""The examples in the metadata modules' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["checks", "field_settings", "derived_checks", "hints", "names", "problems", "values",
           "documents", "schema_check", "loader", "policy", "renames", "snapshot", "layers",
           "versions", "access_checks", "named_lists", "field_types.registry",
           "field_types.auto_number", "history_checks"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"hulian.metadata.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
