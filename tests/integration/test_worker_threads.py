"""At most ``threads`` requests do their blocking work at once (``create_app(threads=N)``,
env ``HULIAN_THREADS``, ``hulian serve --threads``); the others wait their turn and are
answered all the same."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hulian.engine import Engine
from hulian.runtime import cli
from hulian.runtime.api import create_app, endpoint
from hulian.runtime.api.threads import DEFAULT_THREADS, THREADS_ENV, threads_setting
from tests.conftest import EXAMPLE_CRM
from tests.integration.uvicorn_server import serving

REQUESTS = 6
HOLD_S = 0.08


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[Engine, str, str]]:
    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('threads') / 'hulian.db'}")
    engine.metadata("acme").deploy(EXAMPLE_CRM)
    with engine.session("acme") as s:
        account = s.create("Account", {"name": "Acme Trading"})["id"]
    yield engine, engine.people("acme").create_token("admin"), account
    engine.close()


class Overlap:
    """Wraps the request's session work: counts how many run at once (each held a while)."""

    def __init__(self, work: Any):
        self.work = work
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __call__(self, *args: Any) -> Any:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(HOLD_S)
            return self.work(*args)
        finally:
            with self.lock:
                self.now -= 1


def _get(port: int, path: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


@pytest.mark.parametrize("threads", [1, 3])
def test_concurrent_requests_never_exceed_the_bound_and_all_are_answered(
        site, monkeypatch, threads):
    engine, token, account = site
    overlap = Overlap(endpoint._in_session)
    monkeypatch.setattr(endpoint, "_in_session", overlap)
    with serving(create_app(engine, threads=threads)) as port, \
            ThreadPoolExecutor(REQUESTS) as pool:
        answers = list(pool.map(
            lambda _: _get(port, f"/api/v1/objects/Account/records/{account}", token),
            range(REQUESTS)))
    assert [status for status, _ in answers] == [200] * REQUESTS
    assert {record["name"] for _, record in answers} == {"Acme Trading"}
    assert overlap.most == threads  # six requests at once, ``threads`` of them working


def test_the_bound_comes_from_the_argument_then_the_environment_then_the_default(
        site, monkeypatch):
    engine = site[0]
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert create_app(engine).state.work_limiter.total_tokens == DEFAULT_THREADS
    assert 4 <= DEFAULT_THREADS <= 12
    monkeypatch.setenv(THREADS_ENV, "7")
    assert create_app(engine).state.work_limiter.total_tokens == 7
    assert create_app(engine, threads=2).state.work_limiter.total_tokens == 2


@pytest.mark.parametrize("value", [0, -1, 1001, True, 2.5, "4"])
def test_a_bound_that_is_not_a_whole_number_from_1_to_1000_is_refused(value):
    with pytest.raises(ValueError, match="whole number from 1 to 1000"):
        threads_setting(value)


def test_a_bad_environment_value_is_refused_by_name(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(ValueError, match=f"{THREADS_ENV} must be a whole number"):
        threads_setting(None)


def test_serve_refuses_a_bad_bound_without_a_traceback(monkeypatch, capsys, tmp_path):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--threads", "0"])
    assert stopped.value.code == 2
    assert "threads must be a whole number from 1 to 1000, not '0'" in capsys.readouterr().err
    monkeypatch.setenv(THREADS_ENV, "lots")
    assert cli.main(["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    err = capsys.readouterr().err
    assert f"hulian serve: {THREADS_ENV} must be a whole number of threads, not 'lots'" in err
    assert "Traceback" not in err
