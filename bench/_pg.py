"""A PostgreSQL server for a bench run: the one given by ``--pg-url``, or a throwaway cluster.

The throwaway cluster is the test suite's (``tests/pg_cluster.py``: initdb in a
temporary folder, loopback port, trust auth, fsync off), started for the run and
removed at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
