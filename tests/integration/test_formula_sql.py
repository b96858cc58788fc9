"""Every conformance case with a value, evaluated by each database: same answer as Python."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hulian.engine.database import open_database
from hulian.formula import FormulaError
from tests.formula_cases import expected_value, load_cases, same, sql_result

CASES = [(n, c) for n, c in load_cases() if "error" not in c and c.get("sql", True)]


@pytest.fixture(scope="module")
def database(db_url):
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_case_in_sql(database, name, case):
    if "raises" in case:
        with pytest.raises(FormulaError) as raised:
            sql_result(database, case)
        assert raised.value.code == case["raises"]
        return
    value = sql_result(database, case)
    assert same(value, expected_value(case)), f"{case['expr']} gave {value!r} in SQL"


def test_the_database_is_really_asked(database):
    assert database.dialect.name in ("sqlite", "postgresql")
    with database.connect() as conn:
        assert conn.execute(sa.text("select 1")).scalar() == 1
