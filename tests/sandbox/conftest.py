"""Fixtures for the sandbox tests.

The sandbox's own pytest fixtures are imported here rather than through ``pytest_plugins`` so
that these tests run whether or not the package (and its pytest11 entry point) is installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox
from hubspot_assoc.sandbox.pytest_plugin import (  # noqa: F401 - fixtures for these tests
    _hubspot_sandbox_session_server,
    hubspot_sandbox,
    hubspot_sandbox_session,
    pytest_configure,
)

LIMITS = "/crm/associations/v4/definitions/configurations"


def labels_path(from_type: str = "contacts", to_type: str = "companies") -> str:
    """The labels collection path of a pair."""
    return f"/crm/associations/v4/{from_type}/{to_type}/labels"


def batch_path(kind: str, from_type: str = "contacts", to_type: str = "companies") -> str:
    """A limits batch path (create, update, purge)."""
    return f"{LIMITS}/{from_type}/{to_type}/batch/{kind}"


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sb(request: pytest.FixtureRequest) -> Sandbox:
    """The per-test sandbox (the ``hubspot_sandbox`` fixture), by a short name."""
    sandbox: Sandbox = request.getfixturevalue("hubspot_sandbox")
    return sandbox


@pytest.fixture
def client(sb: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client pointed at the sandbox with its all-scopes token."""
    with httpx.Client(base_url=sb.url, headers=bearer(sb.token), timeout=10) as c:
        yield c
