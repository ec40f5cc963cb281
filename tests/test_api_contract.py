"""The JSON API checked against its own OpenAPI document by schemathesis (issue 13): every
operation of /api/openapi.json called through the WSGI app with generated arguments, valid and
invalid, and each answer checked (no server error, a documented status, content type and body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from webui import create_app

EXAMPLES = 15  # per operation: the whole file stays well under a minute and a half


@pytest.fixture(scope="module")
def api_schema(indexed_data):
    app = create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def test_the_api_answers_as_its_openapi_document_says(api_schema):
    """Each operation in turn (schemathesis' pytest plugin does not run under pytest 9)."""
    failures, calls = {}, []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def call(case):
            calls.append(case.operation.label)
            case.call_and_validate()

        try:
            call()
        except Exception as exc:  # every operation is tried; the failures are listed at the end
            failures[operation.label] = str(exc)[:3000]
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    assert len(calls) >= 5 * len(operations)
