"""schemathesis over the tenant's own OpenAPI document, against the ASGI app in process:
every operation, with requests generated from the document (positive) and requests that
break it (negative), answers without a 5xx and as the document says: a documented status,
content type and body schema.

Bounded: EXAMPLES cases per operation, mode and database (about 86 operations). The
operations run in one test per database through schemathesis' Python API
(``APIOperation.as_strategy``): its pytest plugin's lazy loader does not run on pytest 9."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from tests.integration.test_rest_support import Api

EXAMPLES = 6
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance,
          checks.status_code_conformance, checks.content_type_conformance]


@pytest.fixture
def api(crm, cheap_hashing):
    api = Api(*crm)
    account = api.create("Account", {"name": "Acme", "website": "northwind.example.com"})
    api.create("Opportunity", {"title": "No amount yet", "account": account["id"]})
    return api


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_every_operation_answers_as_documented(api):
    headers = {"Authorization": f"Bearer {api.token}"}
    document = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.client.app,
                                              headers=headers)
    failures: list[str] = []
    count = 0
    for result in document.get_all_operations():
        operation = result.ok()
        count += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, headers)
            except Unsatisfiable:  # nothing can break it (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (AssertionError, FailureGroup) as exc:  # every operation's, not the first
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert count > 80
    assert not failures, "\n\n".join(failures)
