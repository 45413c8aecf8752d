"""A server echoing the bearer token in any field of an error body (issue 11, point 6)."""

from __future__ import annotations

import pytest

from hubspot_assoc import APIError

from ..support.tiny_server import Reply, tiny_server
from .conftest import call

TOKENS = [
    "pat-na1-11111111-2222-3333-4444-555555555555",
    "CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4",
    "s3cr3t-short-but-real",  # no known token shape: only its exact value can be scrubbed
]


def _body(token: str) -> dict[str, object]:
    return {
        "status": "error",
        "message": f"bad token {token}",
        "correlationId": token,
        "category": token,
        "subCategory": token,
        "context": {token: [token], "where": [f"Bearer {token}"]},
        "errors": [
            {
                "message": token,
                "code": token,
                "in": token,
                "subCategory": token,
                "context": {"x": [token]},
            },
        ],
        "links": {token: token},
    }


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500, 418])
@pytest.mark.parametrize("token", TOKENS, ids=["pat", "oauth", "opaque"])
def test_token_echoed_in_any_error_field_is_scrubbed(kind: str, token: str, status: int) -> None:
    reply = Reply.json(status, _body(token))
    with tiny_server([reply]) as server, pytest.raises(APIError) as caught:
        call(
            kind,
            lambda cls: cls(token, base_url=server.url, retry=None, rate_limit=None),
            lambda c: c.labels.list("contacts", "companies"),
        )
    error = caught.value
    assert error.status_code == status
    shown = [str(error), repr(error), repr(error.body), str(error.errors), str(error.context)]
    shown += [str(d) for d in error.errors] + [repr(d) for d in error.errors]
    shown += [str(error.category), str(error.sub_category), str(error.correlation_id)]
    for text in shown:
        assert token not in text, text


def test_token_echoed_in_a_text_body_is_scrubbed(kind: str) -> None:
    token = TOKENS[2]
    reply = Reply(
        502, f"<html>upstream said {token}</html>".encode(), {"Content-Type": "text/plain"}
    )
    with tiny_server([reply]) as server, pytest.raises(APIError) as caught:
        call(
            kind,
            lambda cls: cls(token, base_url=server.url, retry=None, rate_limit=None),
            lambda c: c.labels.list("contacts", "companies"),
        )
    assert token not in str(caught.value) and token not in repr(caught.value.body)


def test_short_token_does_not_corrupt_the_message(kind: str) -> None:
    # A token too short to be real is not searched for: "4" must not mangle "404".
    reply = Reply.json(404, {"message": "Nothing at 4", "category": "NOT_FOUND"})
    with tiny_server([reply]) as server, pytest.raises(APIError) as caught:
        call(
            kind,
            lambda cls: cls("4", base_url=server.url, retry=None, rate_limit=None),
            lambda c: c.labels.list("contacts", "companies"),
        )
    assert str(caught.value).startswith("404 NOT_FOUND: Nothing at 4.")
