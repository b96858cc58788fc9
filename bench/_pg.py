"""The database of a bench run: a PostgreSQL server (the one given by ``--pg-url``, or a
throwaway cluster) or a temporary SQLite file.

The throwaway cluster is the test suite's (``tests/pg_cluster.py``: initdb in a
temporary folder, loopback port, trust auth, fsync off), started for the run and
removed at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hulian.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def postgres_url(given: str | None) -> Iterator[str]:
    """Yield ``given`` as is, or the URL of a cluster that lives as long as the block."""
    if given:
        yield given
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.pg_cluster import Cluster

    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@contextmanager
def database(db: str, pg_url: str | None) -> Iterator[Engine]:
    """An Engine on ``db``: PostgreSQL (``postgres_url``) or a SQLite file in a temporary
    folder removed at the end."""
    from hulian.engine import Engine

    if db == "postgresql":
        with postgres_url(pg_url) as url, Engine(url) as eng:
            yield eng
        return
    folder = tempfile.mkdtemp(prefix="hulian-bench-")
    try:
        with Engine(f"sqlite:///{os.path.join(folder, 'bench.db')}") as eng:
            yield eng
    finally:
        shutil.rmtree(folder, ignore_errors=True)
