"""Schema-based fuzzing of the sandbox against the project's own spec (issue 11).

schemathesis generates requests from openapi/hubspot-associations-v4.yaml, valid and
invalid, and checks every answer: never a 5xx; a status, content type, headers and body
that the spec allows; schema-invalid requests refused with a 4xx. The suite runs a few
examples per operation (a few seconds); ``scripts/fuzz-sandbox`` runs the same test with
many more (HUBSPOT_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hubspot_assoc.sandbox import Sandbox

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "hubspot-associations-v4.yaml"
EXAMPLES = int(os.environ.get("HUBSPOT_FUZZ_EXAMPLES", "12"))

schema = schemathesis.openapi.from_path(SPEC)


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Sandbox]:
    # No rate limit: the fuzzer's burst is not what is under test.
    with Sandbox(rate_limit=None, daily_limit=None, read_timeout=5) as sandbox:
        yield sandbox


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("HUBSPOT_FUZZ_RANDOM") != "1",
    database=None,
)
def test_sandbox_answers_every_generated_request_as_the_spec_says(
    case: schemathesis.Case, fuzzed: Sandbox
) -> None:
    headers = {"Authorization": f"Bearer {fuzzed.token}"}
    # Every default check but one: "schema-valid data is accepted" cannot hold for an API
    # whose rules go beyond its schema (HubSpot's limits range, label name rules, at most
    # ten labels per pair). Schema-invalid data must still be refused with a 4xx.
    case.call_and_validate(
        base_url=fuzzed.url,
        headers=headers,
        excluded_checks=[positive_data_acceptance],
        timeout=10,
    )
