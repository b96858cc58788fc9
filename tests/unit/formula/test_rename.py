"""Rewriting a formula's field references after renames keeps everything else as written."""

from __future__ import annotations

import pytest

from hulian.formula.rename import rename_references

RENAMED = {("Account", "region"): "area", ("Contact", "acct"): "account"}
LOOKUPS = {("Contact", "account"): "Account", ("Account", "parent"): "Account"}


def rename(text: str, start: str = "Contact") -> str:
    return rename_references(text, start, lambda o, f: RENAMED.get((o, f), f),
                             lambda o, f: LOOKUPS.get((o, f)))


@pytest.mark.parametrize(("before", "after"), [
    ("acct.region", "account.area"),
    ("acct.parent.region", "account.parent.area"),
    ("IF(ISBLANK(acct.region),  'none' ,acct.region)",
     "IF(ISBLANK(account.area),  'none' ,account.area)"),
    ("region", "region"),                                     # Contact has no renamed region
    ("$User.id & acct.region", "$User.id & account.area"),
    ("'acct.region' & acct.region", "'acct.region' & account.area"),  # text literals stay
    ("ISCHANGED(acct) || PRIORVALUE(acct) = ''", "ISCHANGED(account) || PRIORVALUE(account) = ''"),
])
def test_references_are_renamed(before, after):
    assert rename(before) == after


def test_account_formulas_start_from_account():
    assert rename("region & parent.region", "Account") == "area & parent.area"


def test_a_formula_that_does_not_parse_is_kept():
    assert rename("acct.region +") == "acct.region +"
