"""What the client says, word for word, for each answer shape HubSpot sends.

The documentation's error catalogue is generated from the code (``scripts/docs_hooks.py``),
so it cannot drift; these are the reviewed texts it must keep saying. Each is produced here
by a whole call through the client, from the answer HubSpot would send (served through
``httpx.MockTransport``), retries and the reading of the body included. Changing a message
means changing its text here, deliberately.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hubspot_assoc import Client, HubSpotError, OAuth, RetryPolicy

BASE = "https://api.hubapi.com"
TOKEN = "pat-na1-00000000-0000-0000-0000-000000000000"
CORRELATION = "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90"
FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.001)


# The messages, in the order ``produced`` makes them (ids and scopes invented).
EXPECTED = [
    (
        "items[0].category: 'USER_DEFIND' is not a valid category; expected one of "
        "HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED, WORK (did you mean USER_DEFINED?)"
    ),
    (
        "items[0]['typeID']: 'typeID' is not a valid key; expected only the keys 'category', "
        "'typeId', 'type_id', 'maxToObjectIds', 'max_to_object_ids', e.g. {'category': "
        "'USER_DEFINED', 'typeId': 279, 'maxToObjectIds': 5} (did you mean 'typeId'?)"
    ),
    (
        "No HubSpot credentials: pass access_token=... (a private app token) or "
        "oauth=OAuth(...) to the client, or set the HUBSPOT_ACCESS_TOKEN environment "
        "variable."
    ),
    (
        "Could not complete the request to api.hubapi.com: no answer within the timeout. The "
        "request was sent and its answer lost, so the change may have been applied; read the "
        "current configuration before running it again (or raise Client(timeout=...) if "
        "HubSpot is just slow). (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/create, "
        "after 3 attempts)"
    ),
    (
        "400 VALIDATION_ERROR: Invalid input JSON on line 1, column 40. Invalid: "
        "inputs[0].typeId: Expected an integer but got 'abc' (INVALID_INTEGER). Fix the "
        "input named above; retrying it unchanged will fail again. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/create, "
        "correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "401 EXPIRED_AUTHENTICATION: The OAuth token used to make this call expired 12 "
        "second(s) ago. The OAuth access token has expired: refresh it with your refresh "
        "token (or create the client with Client(oauth=...) so it refreshes by itself). "
        "(POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "401 INVALID_AUTHENTICATION: Authentication credentials not found. HubSpot did not "
        "recognise the access token: check HUBSPOT_ACCESS_TOKEN or the private app token you "
        "passed (it may have been rotated or the app uninstalled). (GET "
        "/crm/associations/v4/definitions/configurations/contacts/companies, correlation id "
        "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "400 OAUTH_REFRESH_FAILED: HubSpot rejected the OAuth refresh token (invalid_grant, "
        "BAD_REFRESH_TOKEN). The refresh token is no longer valid (revoked, the app was "
        "uninstalled, or it belongs to another app): run the OAuth install flow again to get "
        "a new refresh token. (POST /oauth/v1/token, correlation id "
        "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "403 FORBIDDEN: This account does not have access to this feature. The token is "
        "valid but lacks permission for this call: check the app's scopes and that the "
        "HubSpot account's plan includes this feature (association limits need Professional "
        "or Enterprise). (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "403 MISSING_SCOPES: This app hasn't been granted all required scopes to make this "
        "call. Missing scopes: crm.objects.contacts.write — add them in your app's settings "
        "(Scopes) and reinstall the app or regenerate the token. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "403 MISSING_SCOPES: This app hasn't been granted all required scopes to make this "
        "call. Read more about required scopes here: https://developers.hubspot.com/scopes. "
        "Needs one of these scopes: crm.objects.contacts.write, crm.objects.companies.write "
        "— add them in your app's settings (Scopes) and reinstall the app or regenerate the "
        "token. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "404 OBJECT_NOT_FOUND: Unable to infer object type from: contactz. Check the object "
        "types (e.g. contacts, 0-1, 2-12345 for a custom object) and the association type id "
        "exist in this HubSpot account. (GET "
        "/crm/associations/v4/definitions/configurations/contactz/companies, correlation id "
        "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "409 CONFLICT: An association label with this name already exists. Read the current "
        "configuration, then change the request so it no longer conflicts. (POST "
        "/crm/associations/v4/contacts/companies/labels, correlation id "
        "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "429 RATE_LIMIT: You have reached your ten_secondly_rolling limit. Policy "
        "TEN_SECONDLY_ROLLING (requests per 10 seconds): slow down, or enable the client's "
        "rate limiter. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "after 4 attempts, correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "429 RATE_LIMIT: You have reached your daily limit. This is the account's daily "
        "limit (policy DAILY): it resets at midnight in the HubSpot account's time zone, so "
        "retrying now is pointless. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "502: HubSpot's edge answered 502 Bad Gateway (HTML page, not JSON). This is on "
        "HubSpot's side and usually brief; retry later — the change may or may not have been "
        "applied, so read the current configuration before retrying. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge, "
        "after 3 attempts, correlation id 5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "524: HubSpot's edge answered 524 A Timeout Occurred with an empty body. HubSpot did "
        "not answer within 100 seconds; retry later. (GET "
        "/crm/associations/v4/definitions/configurations/contacts/companies)"
    ),
    (
        "418: HubSpot answered 418 I'm a Teapot (not JSON): short and stout. The client does "
        "not expect HTTP 418 I'm a Teapot for this call. (GET "
        "/crm/associations/v4/definitions/configurations/contacts/companies)"
    ),
    (
        "200: HubSpot answered 200 and the body is not valid JSON (Expecting value: line 1 "
        "column 1 (char 0)); the raw body is on the exception's .body. (GET "
        "/crm/associations/v4/definitions/configurations/contacts/companies, correlation id "
        "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90)"
    ),
    (
        "202 X: HubSpot answered 202 where 200, 201 or 207 was expected, with a body that is "
        "not a batch answer (the required field 'status' is missing); the raw body is on the "
        "exception's .body. (POST "
        "/crm/associations/v4/definitions/configurations/contacts/companies/batch/create)"
    ),
    (
        "2 of 3 inputs failed (batch status COMPLETE): USER_DEFINED 36: not in HubSpot's "
        "results (not confirmed as applied); HUBSPOT_DEFINED 1: Association type 1 does not "
        "support a user limit. The result is on .result (succeeded, failed, unconfirmed, "
        "not_sent, errors)."
    ),
    (
        "1 of 1 inputs are unconfirmed (batch status CANCELED). HubSpot did not report the "
        "batch COMPLETE: read the current configuration to see whether the unconfirmed "
        "inputs were applied. The result is on .result (succeeded, failed, unconfirmed, "
        "not_sent, errors)."
    ),
]


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


def test_each_answer_shape_gets_its_reviewed_message(monkeypatch: pytest.MonkeyPatch) -> None:
    actual = list(produced(monkeypatch))
    for index, (said, expected) in enumerate(zip(actual, EXPECTED, strict=False)):
        assert said == expected, f"message {index + 1} differs from its reviewed text"
    assert len(EXPECTED) == len(actual), json.dumps(actual[len(EXPECTED) :], indent=1)


def test_the_generated_catalogue_shows_the_reviewed_messages() -> None:
    # The site's catalogue is made by running the code; the shapes it shows through a
    # whole call are the same as here, so their reviewed texts must appear in it verbatim.
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("docs_hooks", root / "scripts/docs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    catalogue = hooks.error_catalogue()
    shown = [text for text in EXPECTED if text in catalogue]
    assert len(shown) >= 17, [text for text in EXPECTED if text not in shown]
