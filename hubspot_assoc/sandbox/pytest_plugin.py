"""pytest fixtures for the sandbox, registered through the ``pytest11`` entry point.

Example::

    def test_labels(hubspot_sandbox):
        client = Client(access_token=hubspot_sandbox.token, base_url=hubspot_sandbox.url)

    @pytest.mark.hubspot_sandbox(purge_response="body", rate_limit=(10, 1.0))
    def test_old_purge(hubspot_sandbox): ...

``hubspot_sandbox`` is a fresh sandbox per test; ``hubspot_sandbox_session`` is one sandbox for
the whole session, :meth:`~hubspot_assoc.sandbox.Sandbox.reset` before each test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hubspot_assoc.sandbox.core import Sandbox


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``hubspot_sandbox`` marker (keyword arguments go to ``Sandbox``)."""
    config.addinivalue_line(
        "markers",
        "hubspot_sandbox(**options): options for the hubspot_sandbox fixture's Sandbox(...)",
    )


@pytest.fixture
def hubspot_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh, running :class:`~hubspot_assoc.sandbox.Sandbox` for one test."""
    from hubspot_assoc.sandbox.core import Sandbox

    marker = request.node.get_closest_marker("hubspot_sandbox")
    options = dict(marker.kwargs) if marker is not None else {}
    with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def _hubspot_sandbox_session_server() -> Iterator[Sandbox]:
    from hubspot_assoc.sandbox.core import Sandbox

    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def hubspot_sandbox_session(_hubspot_sandbox_session_server: Sandbox) -> Sandbox:
    """One sandbox shared by the session, reset to the seeded portal before each test."""
    _hubspot_sandbox_session_server.reset()
    return _hubspot_sandbox_session_server
