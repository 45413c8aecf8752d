"""The README's error catalogue quotes what the code really says.

Each example in the "The catalogue" section of README.md is produced here by the client
itself, from the answer HubSpot would send (served through ``httpx.MockTransport``), and
the quoted texts must be exactly those, in order. Changing a message means changing the
README, and the other way round.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hubspot_assoc import Client, HubSpotError, OAuth, RetryPolicy

README = Path(__file__).resolve().parent.parent / "README.md"
BASE = "https://api.hubapi.com"
TOKEN = "pat-na1-00000000-0000-0000-0000-000000000000"
CORRELATION = "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90"
FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.001)


def quoted_examples() -> list[str]:
    """The fenced blocks of the catalogue section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The catalogue") : text.index("How an input is judged failed")]
    return [block.strip() for block in re.findall(r"^```\n(.*?)^```$", section, re.M | re.S)]


def _answer(status: int, body: Any = None, *, text: str | None = None, **headers: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def _client(handler: Any, *, retry: RetryPolicy | None = None, **kwargs: Any) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    if "oauth" not in kwargs:
        kwargs["access_token"] = TOKEN
    return Client(base_url=BASE, retry=retry, rate_limit=None, http_client=http, **kwargs)


def _text_of(call: Callable[[], Any]) -> str:
    with pytest.raises(HubSpotError) as caught:
        call()
    return str(caught.value)


def _hubspot_error(category: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": CORRELATION,
        "category": category,
        **extra,
    }


PAIR = ("contacts", "companies")
PURGE_ITEMS = [("USER_DEFINED", 279)]


def produced(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    never = _answer(500)
    yield _text_of(
        lambda: _client(never).limits.create(*PAIR, [("USER_DEFIND", 279, 5)])  # sic
    )
    yield _text_of(
        lambda: _client(never).limits.create(
            *PAIR, [{"category": "USER_DEFINED", "typeID": 279, "maxToObjectIds": 5}]
        )
    )
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    yield _text_of(lambda: Client(base_url=BASE))

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    yield _text_of(
        lambda: _client(timeout, retry=RetryPolicy(2, 0.001, 0.001)).limits.create(
            *PAIR, [("USER_DEFINED", 279, 5)]
        )
    )
    bad = _hubspot_error(
        "VALIDATION_ERROR",
        "Invalid input JSON on line 1, column 40.",
        errors=[
            {
                "message": "Expected an integer but got 'abc'",
                "code": "INVALID_INTEGER",
                "in": "inputs[0].typeId",
            }
        ],
    )
    yield _text_of(
        lambda: _client(_answer(400, bad)).limits.create(*PAIR, [("USER_DEFINED", 279, 5)])
    )
    expired = _hubspot_error(
        "EXPIRED_AUTHENTICATION",
        "The OAuth token used to make this call expired 12 second(s) ago.",
        context={"expire time": ["2026-01-01T10:00:00Z"]},
    )
    yield _text_of(lambda: _client(_answer(401, expired)).limits.purge(*PAIR, PURGE_ITEMS))
    invalid = _hubspot_error("INVALID_AUTHENTICATION", "Authentication credentials not found.")
    yield _text_of(lambda: _client(_answer(401, invalid)).limits.get(*PAIR))

    refused = {
        "error": "invalid_grant",
        "status": "BAD_REFRESH_TOKEN",
        "correlationId": CORRELATION,
    }
    oauth = OAuth(client_id="cid", client_secret="cs-1", refresh_token="rt-1")
    yield _text_of(
        lambda: _client(_answer(400, refused), oauth=oauth).limits.purge(*PAIR, PURGE_ITEMS)
    )
    forbidden = _hubspot_error("FORBIDDEN", "This account does not have access to this feature.")
    yield _text_of(lambda: _client(_answer(403, forbidden)).limits.purge(*PAIR, PURGE_ITEMS))
    scopes = _hubspot_error(
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call.",
        errors=[{"message": "m", "context": {"missingScopes": ["crm.objects.contacts.write"]}}],
    )
    yield _text_of(lambda: _client(_answer(403, scopes)).limits.purge(*PAIR, PURGE_ITEMS))
    any_of = _hubspot_error(
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. "
        "Read more about required scopes here: https://developers.hubspot.com/scopes",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {
                    "requiredGranularScopes": [
                        "crm.objects.contacts.write",
                        "crm.objects.companies.write",
                    ]
                },
            }
        ],
    )
    yield _text_of(lambda: _client(_answer(403, any_of)).limits.purge(*PAIR, PURGE_ITEMS))
    missing = _hubspot_error("OBJECT_NOT_FOUND", "Unable to infer object type from: contactz")
    yield _text_of(lambda: _client(_answer(404, missing)).limits.get("contactz", "companies"))
    conflict = _hubspot_error("CONFLICT", "An association label with this name already exists.")
    yield _text_of(
        lambda: _client(_answer(409, conflict)).labels.create(*PAIR, label="Boss", name="boss")
    )
    ten_secondly = {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": CORRELATION,
        "policyName": "TEN_SECONDLY_ROLLING",
    }
    yield _text_of(
        lambda: _client(_answer(429, ten_secondly), retry=FAST).limits.purge(*PAIR, PURGE_ITEMS)
    )
    daily = {**ten_secondly, "message": "You have reached your daily limit.", "policyName": "DAILY"}
    yield _text_of(lambda: _client(_answer(429, daily)).limits.purge(*PAIR, PURGE_ITEMS))
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    edge = _answer(
        502, text=page, **{"content-type": "text/html", "x-hubspot-correlation-id": CORRELATION}
    )
    yield _text_of(
        lambda: _client(edge, retry=RetryPolicy(2, 0.001, 0.001)).limits.purge(*PAIR, PURGE_ITEMS)
    )
    yield _text_of(lambda: _client(_answer(524)).limits.get(*PAIR))
    yield _text_of(lambda: _client(_answer(418, text="short and stout")).limits.get(*PAIR))
    unreadable = _answer(200, text="<html>", **{"x-hubspot-correlation-id": CORRELATION})
    yield _text_of(lambda: _client(unreadable).limits.get(*PAIR))
    created_late = {
        "status": "COMPLETE",
        "results": [{"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 5}],
        "startedAt": "2026-01-01T10:00:00Z",
        "completedAt": "2026-01-01T10:00:01Z",
    }
    yield _text_of(
        lambda: _client(_answer(202, {"category": "X", "message": "m"})).limits.create(
            *PAIR, [("USER_DEFINED", 279, 5)]
        )
    )
    partial = {
        **created_late,
        "numErrors": 1,
        "errors": [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "Association type 1 does not support a user limit.",
                "context": {"typeId": ["1"]},
            }
        ],
    }
    yield _text_of(
        lambda: _client(_answer(207, partial))
        .limits.create(*PAIR, [("USER_DEFINED", 279, 5), ("USER_DEFINED", 36, 5), (
            "HUBSPOT_DEFINED", 1, 5)])
        .raise_for_errors()
    )  # fmt: skip
    canceled = {**created_late, "status": "CANCELED", "results": []}
    yield _text_of(
        lambda: (
            _client(_answer(201, canceled))
            .limits.create(*PAIR, [("USER_DEFINED", 279, 5)])
            .raise_for_errors()
        )
    )


def test_the_catalogue_quotes_what_the_code_says(monkeypatch: pytest.MonkeyPatch) -> None:
    actual = list(produced(monkeypatch))
    quoted = quoted_examples()
    for index, (said, written) in enumerate(zip(actual, quoted, strict=False)):
        assert written == said, f"example {index + 1} of the catalogue differs from the code"
    assert len(quoted) == len(actual), json.dumps(actual[len(quoted) :], indent=1)
