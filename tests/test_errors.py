"""Tests for hubspot_assoc.errors: mapping HubSpot answers to exceptions and their messages.

The bodies below follow the shapes HubSpot sends in real answers (see the error catalogue in
docs/errors.md); ids, scopes and times are invented.
"""

from __future__ import annotations

import json as json_module
import pickle
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspot_assoc.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchPartialFailureError,
    ConflictError,
    ErrorDetail,
    HubSpotError,
    InvalidInputError,
    MissingCredentialsError,
    MissingScopesError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    error_from_response,
    parse_retry_after,
    token_refresh_error,
    unexpected_response,
)
from hubspot_assoc.models import BatchItemError, BatchResult, LimitInput

PURGE_URL = (
    "https://api.hubapi.com/crm/associations/v4/definitions/configurations/"
    "contacts/companies/batch/purge"
)
PURGE_PATH = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge"
CORRELATION = "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90"


def response(
    status: int,
    *,
    json: Any = None,
    text: str | None = None,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    url: str = PURGE_URL,
) -> httpx.Response:
    request = httpx.Request(method, url)
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    # Serialised by hand: httpx would send no body at all for json=None, not `null`.
    all_headers = {"content-type": "application/json", **(headers or {})}
    content = json_module.dumps(json).encode()
    return httpx.Response(status, content=content, headers=all_headers, request=request)


# --------------------------------------------------------------------------- real bodies

EXPIRED_401 = {
    "status": "error",
    "message": "The OAuth token used to make this call expired 12 second(s) ago.",
    "correlationId": CORRELATION,
    "category": "EXPIRED_AUTHENTICATION",
    "context": {"expire time": ["2026-02-03T10:11:12.000Z"]},
}
INVALID_401 = {
    "status": "error",
    "message": "Authentication credentials not found.",
    "correlationId": CORRELATION,
    "category": "INVALID_AUTHENTICATION",
}
SCOPES_403_GRANULAR = {
    "status": "error",
    "message": (
        "This app hasn't been granted all required scopes to make this call. Read more "
        "about required scopes here: https://developers.hubspot.com/scopes."
    ),
    "correlationId": CORRELATION,
    "errors": [
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
    "links": {"scopes": "https://developers.hubspot.com/scopes"},
    "category": "MISSING_SCOPES",
}
SCOPES_403_REQUIRED = {
    "status": "error",
    "message": "This app hasn't been granted all required scopes to make this call.",
    "correlationId": CORRELATION,
    "errors": [
        {
            "message": "The scope needed for this API call isn't available for public use.",
            "context": {"requiredScopes": ["crm.schemas.contacts.write"]},
        }
    ],
    "category": "MISSING_SCOPES",
}
SCOPES_403_CONTEXT = {
    "status": "error",
    "message": "This app hasn't been granted all required scopes to make this call.",
    "correlationId": CORRELATION,
    "category": "MISSING_SCOPES",
    "context": {"missingScopes": ["crm.objects.deals.write", "crm.objects.contacts.write"]},
}
VALIDATION_400 = {
    "status": "error",
    "message": "Invalid input JSON on line 1, column 40: Cannot build input, some of required "
    "attributes are not set [typeId]",
    "correlationId": CORRELATION,
    "category": "VALIDATION_ERROR",
    "errors": [
        {
            "message": "Expected an integer but got 'abc'",
            "code": "INVALID_INTEGER",
            "in": "inputs[0].typeId",
            "context": {"typeId": ["abc"]},
        }
    ],
}
NOT_FOUND_404 = {
    "status": "error",
    "message": "Unable to infer object type from: contactz",
    "correlationId": CORRELATION,
    "category": "OBJECT_NOT_FOUND",
}
TEN_SECONDLY_429 = {
    "status": "error",
    "message": "You have reached your ten_secondly_rolling limit.",
    "errorType": "RATE_LIMIT",
    "correlationId": CORRELATION,
    "policyName": "TEN_SECONDLY_ROLLING",
    "groupName": "publicapi:app-id:12345",
}
DAILY_429 = {
    "status": "error",
    "message": "You have reached your daily limit.",
    "errorType": "RATE_LIMIT",
    "correlationId": CORRELATION,
    "policyName": "DAILY",
    "groupName": "publicapi:portal-id:678",
}
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n" + "<!-- padding -->\r\n" * 6
)


# --------------------------------------------------------------------------- class by status


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, VALIDATION_400, BadRequestError),
        (401, EXPIRED_401, AuthenticationError),
        (401, INVALID_401, AuthenticationError),
        (403, SCOPES_403_GRANULAR, MissingScopesError),
        (403, {"category": "FORBIDDEN", "message": "no"}, PermissionDeniedError),
        (404, NOT_FOUND_404, NotFoundError),
        (409, {"category": "CONFLICT", "message": "dup"}, ConflictError),
        (429, TEN_SECONDLY_429, RateLimitError),
        (500, {"message": "oops"}, ServerError),
        (503, {}, ServerError),
        (520, None, ServerError),
        (524, None, ServerError),
        (599, None, ServerError),
        (302, None, UnexpectedResponseError),
        (418, {"message": "teapot"}, UnexpectedResponseError),
        (200, {"results": []}, UnexpectedResponseError),
        (422, {"category": "VALIDATION_ERROR"}, UnexpectedResponseError),
    ],
)
def test_error_class_follows_status(status: int, body: Any, cls: type[APIError]) -> None:
    error = error_from_response(response(status, json=body))
    assert type(error) is cls
    assert isinstance(error, APIError)
    assert isinstance(error, HubSpotError)
    assert error.status_code == status


def test_a_plain_403_is_not_a_missing_scopes_error() -> None:
    error = error_from_response(response(403, json={"category": "FORBIDDEN", "message": "x"}))
    assert not isinstance(error, MissingScopesError)


# --------------------------------------------------------------------------- fields


def test_fields_are_read_from_hubspots_body() -> None:
    error = error_from_response(response(400, json=VALIDATION_400), attempts=2)
    assert error.category == "VALIDATION_ERROR"
    assert error.message is not None and error.message.startswith("Invalid input JSON")
    assert error.correlation_id == CORRELATION
    assert error.body == VALIDATION_400
    assert error.method == "POST"
    assert error.url == PURGE_URL
    assert error.attempts == 2
    assert error.errors == [
        ErrorDetail(
            message="Expected an integer but got 'abc'",
            code="INVALID_INTEGER",
            in_="inputs[0].typeId",
            context={"typeId": ["abc"]},
        )
    ]


def test_correlation_id_falls_back_to_the_header() -> None:
    error = error_from_response(
        response(502, text=HTML_502, headers={"x-hubspot-correlation-id": "hdr-1"})
    )
    assert error.correlation_id == "hdr-1"


def test_body_correlation_id_wins_over_the_header() -> None:
    error = error_from_response(
        response(404, json=NOT_FOUND_404, headers={"X-HubSpot-Correlation-Id": "hdr-2"})
    )
    assert error.correlation_id == CORRELATION


def test_headers_are_kept_with_lowercase_keys() -> None:
    error = error_from_response(response(429, json=TEN_SECONDLY_429, headers={"X-Thing": "1"}))
    assert error.headers["x-thing"] == "1"


def test_context_in_java_string_form_is_parsed() -> None:
    body = {"category": "X", "message": "m", "context": "{invalidPropertyName=[a], other=[b, c]}"}
    error = error_from_response(response(400, json=body))
    assert error.context == {"invalidPropertyName": ["a"], "other": ["b", "c"]}


# --------------------------------------------------------------------------- messages


def test_missing_scopes_message_names_scopes_and_what_to_do() -> None:
    error = error_from_response(response(403, json=SCOPES_403_CONTEXT))
    text = str(error)
    assert text.startswith("403 MISSING_SCOPES: This app hasn't been granted")
    assert "Missing scopes: crm.objects.deals.write, crm.objects.contacts.write" in text
    assert "app's settings (Scopes)" in text
    assert f"(POST {PURGE_PATH}, correlation id {CORRELATION})" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (SCOPES_403_CONTEXT, ("crm.objects.deals.write", "crm.objects.contacts.write")),
        (SCOPES_403_REQUIRED, ("crm.schemas.contacts.write",)),
        (SCOPES_403_GRANULAR, ("crm.objects.contacts.write", "crm.objects.companies.write")),
        (
            {
                "category": "MISSING_SCOPES",
                "message": "m",
                "errors": [{"message": "x", "context": "{missingScopes=[scope1, scope2]}"}],
            },
            ("scope1", "scope2"),
        ),
        (
            {"category": "MISSING_SCOPES", "message": "Missing {missingScopes=[a.b, c.d]}"},
            ("a.b", "c.d"),
        ),
        (
            {
                "category": "MISSING_SCOPES",
                "message": "m",
                "context": {"missingScopes": ["x.write", "y.write"]},
                "errors": [
                    {"message": "m", "context": {"requiredScopes": ["y.write", "z.write"]}},
                    {"message": "m", "context": {"requiredGranularScopes": ["x.write"]}},
                ],
            },
            # missingScopes is exact; the required lists may name scopes the token has.
            ("x.write", "y.write"),
        ),
        (
            {
                "category": "MISSING_SCOPES",
                "message": "m",
                "errors": [
                    {"message": "m", "context": {"requiredScopes": ["y.write", "z.write"]}},
                    {"message": "m", "context": {"requiredGranularScopes": ["x.write"]}},
                ],
            },
            ("y.write", "z.write", "x.write"),
        ),
        ({"category": "MISSING_SCOPES", "message": "m"}, ()),
    ],
)
def test_missing_scopes_are_read_from_every_placement(
    body: dict[str, Any], expected: tuple[str, ...]
) -> None:
    error = error_from_response(response(403, json=body))
    assert isinstance(error, MissingScopesError)
    assert error.missing_scopes == expected


def test_one_of_scopes_is_worded_as_a_choice() -> None:
    text = str(error_from_response(response(403, json=SCOPES_403_GRANULAR)))
    assert "Needs one of these scopes: crm.objects.contacts.write, crm.objects.companies" in text


def test_missing_scopes_without_names_says_so() -> None:
    error = error_from_response(response(403, json={"category": "MISSING_SCOPES", "message": "m"}))
    assert "did not say which scopes" in str(error)


def test_expired_token_message_says_refresh() -> None:
    error = error_from_response(response(401, json=EXPIRED_401))
    assert isinstance(error, AuthenticationError)
    assert error.expired is True
    text = str(error)
    assert "OAuth access token has expired" in text
    assert "Client(oauth=...)" in text


def test_invalid_token_message_points_at_the_token_setting() -> None:
    error = error_from_response(response(401, json=INVALID_401))
    assert isinstance(error, AuthenticationError)
    assert error.expired is False
    assert "HUBSPOT_ACCESS_TOKEN" in str(error)
    assert "expired" not in str(error).lower()


def test_bad_request_names_the_field_and_its_message() -> None:
    text = str(error_from_response(response(400, json=VALIDATION_400)))
    assert "inputs[0].typeId: Expected an integer but got 'abc' (INVALID_INTEGER)" in text
    assert "retrying it unchanged will fail again" in text


def test_bad_request_lists_at_most_three_details() -> None:
    body = {
        "category": "VALIDATION_ERROR",
        "message": "m",
        "errors": [{"message": f"bad {i}", "in": f"inputs[{i}].typeId"} for i in range(5)],
    }
    text = str(error_from_response(response(400, json=body)))
    assert "inputs[2].typeId" in text
    assert "inputs[3].typeId" not in text
    assert "and 2 more" in text


def test_bad_request_falls_back_to_context_keys() -> None:
    body = {"category": "VALIDATION_ERROR", "message": "m", "context": {"typeId": ["-4"]}}
    assert "Invalid: typeId: -4" in str(error_from_response(response(400, json=body)))


def test_ten_secondly_rate_limit_says_slow_down() -> None:
    error = error_from_response(response(429, json=TEN_SECONDLY_429))
    assert isinstance(error, RateLimitError)
    assert error.policy == "TEN_SECONDLY_ROLLING"
    assert error.retry_after is None
    assert error.is_daily is False
    text = str(error)
    assert text.startswith("429 RATE_LIMIT: You have reached your ten_secondly_rolling limit.")
    assert "rate limiter" in text


def test_daily_rate_limit_says_retrying_is_pointless() -> None:
    error = error_from_response(response(429, json=DAILY_429))
    assert isinstance(error, RateLimitError)
    assert error.policy == "DAILY"
    assert error.is_daily is True
    text = str(error)
    assert "midnight" in text
    assert "retrying now is pointless" in text


def test_rate_limit_without_policy_and_with_retry_after() -> None:
    error = error_from_response(response(429, text="", headers={"Retry-After": "7"}))
    assert isinstance(error, RateLimitError)
    assert error.policy is None
    assert error.retry_after == 7.0
    assert "wait 7 s" in str(error).lower()


def test_html_502_is_described_in_one_line_without_the_page() -> None:
    error = error_from_response(
        response(502, text=HTML_502, headers={"content-type": "text/html"}), attempts=3
    )
    assert isinstance(error, ServerError)
    assert error.body == HTML_502
    assert error.message is None
    text = str(error)
    assert "HubSpot's edge answered 502 Bad Gateway (HTML page, not JSON)" in text
    assert "after 3 attempts" in text
    assert "<" not in text
    assert "cloudflare" not in text
    assert "may or may not have been applied" in text  # a POST is not known to be undone


def test_html_without_content_type_is_still_recognised() -> None:
    text = str(error_from_response(response(503, text="<!DOCTYPE html><p>down</p>")))
    assert "(HTML page, not JSON)" in text


def test_520_unknown_error_from_the_edge() -> None:
    error = error_from_response(response(520, text="", method="GET"))
    assert isinstance(error, ServerError)
    text = str(error)
    assert "520 Unknown Error" in text
    assert "empty body" in text
    assert "may or may not" not in text  # GET changes nothing


def test_524_mentions_the_100_second_timeout() -> None:
    assert "100 seconds" in str(error_from_response(response(524, text="")))


def test_unexpected_status_says_so() -> None:
    error = error_from_response(response(418, json={"message": "short and stout"}))
    assert isinstance(error, UnexpectedResponseError)
    assert "does not expect HTTP 418 I'm a Teapot" in str(error)


def test_attempts_set_later_show_in_the_message() -> None:
    error = error_from_response(response(500, json={"message": "x"}))
    assert "attempts" not in str(error)
    error.attempts = 4
    assert "after 4 attempts" in str(error)


def test_message_shows_the_path_without_the_query_string() -> None:
    error = error_from_response(
        response(404, json=NOT_FOUND_404, url=PURGE_URL + "?hapikey=secret-key-1&x=1")
    )
    assert PURGE_PATH in str(error)
    assert "?" not in str(error)
    assert "secret-key-1" not in str(error)
    assert "secret-key-1" not in error.url
    assert "x=1" in error.url


def test_message_never_echoes_a_token_or_headers() -> None:
    token = "pat-na1-11111111-2222-3333-4444-555555555555"
    body = {"category": "INVALID_AUTHENTICATION", "message": f"Bad token {token}"}
    error = error_from_response(
        response(401, json=body, headers={"authorization": f"Bearer {token}", "x-secret": "s3"})
    )
    text = str(error) + repr(error)
    assert token not in text
    assert "s3" not in text


def test_long_hubspot_message_is_cut() -> None:
    body = {"category": "VALIDATION_ERROR", "message": "word " * 500}
    assert len(str(error_from_response(response(400, json=body)))) < 700


def test_repr_shows_class_status_category_and_correlation_id() -> None:
    error = error_from_response(response(404, json=NOT_FOUND_404))
    assert repr(error) == (
        f"NotFoundError(status_code=404, category='OBJECT_NOT_FOUND', "
        f"correlation_id='{CORRELATION}')"
    )


# --------------------------------------------------------------------------- pickling


@pytest.mark.parametrize(
    "error",
    [
        error_from_response(response(403, json=SCOPES_403_GRANULAR), attempts=2),
        error_from_response(response(429, json=DAILY_429, headers={"retry-after": "3"})),
        error_from_response(response(401, json=EXPIRED_401)),
        error_from_response(response(502, text=HTML_502)),
        InvalidInputError("items[0].type_id", 0, "a positive int"),
        MissingCredentialsError("no token"),
        APIConnectionError("Could not connect", method="GET", url=PURGE_URL, attempts=2),
        APITimeoutError("Timed out", method="POST", url=PURGE_URL),
    ],
    ids=lambda e: type(e).__name__,
)
def test_exceptions_survive_pickling(error: HubSpotError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert repr(copy) == repr(error)
    if isinstance(error, MissingScopesError):
        assert isinstance(copy, MissingScopesError)
        assert copy.missing_scopes == error.missing_scopes
    if isinstance(error, RateLimitError):
        assert isinstance(copy, RateLimitError)
        assert (copy.policy, copy.retry_after) == (error.policy, error.retry_after)


# --------------------------------------------------------------------------- robustness

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
error_like_bodies = st.fixed_dictionaries(
    {},
    optional={
        "category": json_values | st.sampled_from(["MISSING_SCOPES", "EXPIRED_AUTHENTICATION"]),
        "message": json_values,
        "correlationId": json_values,
        "context": json_values | st.text(max_size=40),
        "errors": json_values | st.lists(st.dictionaries(st.text(max_size=8), json_values)),
        "policyName": json_values,
        "subCategory": json_values,
    },
)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    status=st.integers(min_value=100, max_value=999),
    body=json_values | error_like_bodies,
    retry_after=st.none() | header_values,
    correlation=st.none() | header_values,
    attempts=st.integers(min_value=1, max_value=10),
)
def test_error_from_response_never_raises_on_json(
    status: int, body: Any, retry_after: str | None, correlation: str | None, attempts: int
) -> None:
    headers = {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if correlation is not None:
        headers["x-hubspot-correlation-id"] = correlation
    error = error_from_response(response(status, json=body, headers=headers), attempts=attempts)
    assert isinstance(error, APIError)
    assert error.status_code == status
    assert error.body == body
    assert isinstance(str(error), str) and isinstance(repr(error), str)
    if isinstance(error, RateLimitError):
        assert error.retry_after is None or error.retry_after >= 0


@settings(max_examples=200, deadline=None)
@given(status=st.integers(min_value=100, max_value=999), content=st.binary(max_size=200))
def test_error_from_response_never_raises_on_bytes(status: int, content: bytes) -> None:
    raw = httpx.Response(status, content=content, request=httpx.Request("GET", PURGE_URL))
    error = error_from_response(raw)
    assert isinstance(error, APIError)
    str(error)


def test_error_from_response_tolerates_a_response_without_request() -> None:
    error = error_from_response(httpx.Response(500, json={"message": "x"}))
    assert isinstance(error, ServerError)
    assert error.method == "" and error.url == ""
    assert str(error).startswith("500: x.")


def test_error_from_response_tolerates_an_unread_stream() -> None:
    def stream() -> Any:
        yield b'{"message": "never read"}'

    raw = httpx.Response(500, content=stream(), request=httpx.Request("GET", PURGE_URL))
    error = error_from_response(raw)
    assert isinstance(error, ServerError)
    assert error.body is None


# --------------------------------------------------------------------------- retry-after


NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:59:00 GMT", 0.0),  # in the past: no wait
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


# --------------------------------------------------------------------------- unexpected 2xx


def test_unexpected_response_keeps_the_raw_body_and_says_why() -> None:
    raw = response(
        200,
        text="<html>maintenance</html>",
        headers={"x-hubspot-correlation-id": "c-9"},
        method="GET",
    )
    error = unexpected_response(raw, "JSONDecodeError: Expecting value", attempts=1)
    assert isinstance(error, UnexpectedResponseError)
    assert error.status_code == 200
    assert error.body == "<html>maintenance</html>"
    assert error.correlation_id == "c-9"
    text = str(error)
    assert "could not read (JSONDecodeError: Expecting value)" in text
    assert ".body" in text
    assert "maintenance" not in text


def test_unexpected_response_with_json_of_the_wrong_shape() -> None:
    raw = response(200, json={"results": "not a list"}, method="GET")
    error = unexpected_response(raw, "results is str, not a list")
    assert error.body == {"results": "not a list"}
    assert "results is str, not a list" in str(error)


# --------------------------------------------------------------------------- token refresh

REFRESH_TOKEN = "6f18f21e-a743-4509-b7fd-1a5e632fffa1"
CLIENT_SECRET = "abcdef12-3456-7890-abcd-ef1234567890"
ACCESS_TOKEN = "CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4"


def refresh_response(body: Any, status: int = 400) -> httpx.Response:
    request = httpx.Request("POST", "https://api.hubapi.com/oauth/v1/token")
    return httpx.Response(status, json=body, request=request)


def test_refresh_error_invalid_grant_says_to_reinstall() -> None:
    error = token_refresh_error(
        refresh_response(
            {
                "status": "BAD_REFRESH_TOKEN",
                "message": f"missing or unknown refresh token {REFRESH_TOKEN}",
                "correlationId": CORRELATION,
                "error": "invalid_grant",
                "error_description": f"missing or unknown refresh token {REFRESH_TOKEN}",
            }
        )
    )
    assert isinstance(error, AuthenticationError)
    text = str(error)
    assert "refresh token" in text
    assert "invalid_grant" in text and "BAD_REFRESH_TOKEN" in text
    assert "OAuth install flow again" in text
    assert CORRELATION in text
    assert "/oauth/v1/token" in text


def test_refresh_error_invalid_client_points_at_client_credentials() -> None:
    error = token_refresh_error(
        refresh_response({"error": "invalid_client", "error_description": "bad"}, status=401)
    )
    assert "client id and client secret" in str(error)


def test_refresh_error_never_leaks_what_the_server_echoed() -> None:
    echoed = f"client_secret={CLIENT_SECRET} refresh_token={REFRESH_TOKEN} {ACCESS_TOKEN}"
    error = token_refresh_error(
        refresh_response(
            {
                "error": "invalid_grant",
                "error_description": echoed,
                "message": echoed,
                "status": "BAD_REFRESH_TOKEN",
            }
        )
    )
    everything = str(error) + repr(error) + repr(error.body) + repr(error.errors)
    everything += repr(error.context) + str(error.message)
    for secret in (REFRESH_TOKEN, CLIENT_SECRET, ACCESS_TOKEN):
        assert secret not in everything
    assert error.body == {"error": "invalid_grant", "status": "BAD_REFRESH_TOKEN"}


def test_refresh_error_ignores_a_code_that_is_not_a_code() -> None:
    error = token_refresh_error(refresh_response({"error": f"token {REFRESH_TOKEN} is bad"}))
    assert REFRESH_TOKEN not in str(error)
    assert "no error code" in str(error)


def test_refresh_error_with_html_body() -> None:
    request = httpx.Request("POST", "https://api.hubapi.com/oauth/v1/token")
    error = token_refresh_error(httpx.Response(502, text="<html>bad</html>", request=request))
    assert isinstance(error, AuthenticationError)
    assert error.status_code == 502
    # An outage of the token endpoint is not a rejected refresh token.
    assert "was not rejected" in str(error)
    assert "install flow" not in str(error)


# --------------------------------------------------------------------------- others


def test_invalid_input_error_message_and_attributes() -> None:
    error = InvalidInputError(
        "items[2].category",
        "USER_DEFIND",
        "one of HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED, WORK",
        hint="did you mean USER_DEFINED?",
    )
    assert isinstance(error, ValueError)
    assert str(error) == (
        "items[2].category: 'USER_DEFIND' is not a valid category; expected one of "
        "HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED, WORK (did you mean USER_DEFINED?)"
    )
    assert (error.argument, error.value, error.allowed) == (
        "items[2].category",
        "USER_DEFIND",
        "one of HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED, WORK",
    )


def test_invalid_input_error_truncates_a_long_value() -> None:
    error = InvalidInputError("label", "x" * 5000, "a short text")
    assert len(str(error)) < 200


def test_invalid_input_error_survives_a_broken_repr() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("boom")

    assert "Broken" in str(InvalidInputError("x", Broken(), "y"))


def test_connection_error_message_and_repr() -> None:
    error = APITimeoutError(
        "HubSpot did not answer within 30 s", method="POST", url=PURGE_URL, attempts=3
    )
    assert isinstance(error, APIConnectionError)
    assert str(error) == f"HubSpot did not answer within 30 s (POST {PURGE_PATH}, after 3 attempts)"


def test_batch_partial_failure_summarises_failed_inputs() -> None:
    inputs = [LimitInput("USER_DEFINED", n, 5) for n in (279, 1, 3, 4, 5)]
    errors = [
        BatchItemError(
            "error", "VALIDATION_ERROR", f"Type {n} cannot be limited", {"typeId": [str(n)]}
        )
        for n in (1, 3, 4, 5)
    ]
    result: BatchResult[Any] = BatchResult(
        status="COMPLETE", errors=errors, num_errors=4, succeeded=inputs[:1], failed=inputs[1:]
    )
    error = BatchPartialFailureError(result)
    assert error.result is result
    text = str(error)
    assert text.startswith("4 of 5 inputs failed (batch status COMPLETE)")
    assert "USER_DEFINED 1: Type 1 cannot be limited" in text
    assert "USER_DEFINED 4: Type 4 cannot be limited" in text
    assert "Type 5" not in text
    assert "and 1 more" in text
    assert pickle.loads(pickle.dumps(error)).result == result


def test_batch_partial_failure_mentions_unsent_inputs() -> None:
    inputs = [LimitInput("USER_DEFINED", n, 5) for n in (1, 2, 3)]
    result: BatchResult[Any] = BatchResult(
        status="COMPLETE",
        errors=[BatchItemError("error", "X", "Type 1 failed", {"typeId": ["1"]})],
        num_errors=1,
        failed=inputs[:1],
        not_sent=inputs[1:],
    )
    text = str(BatchPartialFailureError(result))
    assert "1 of 3 inputs failed" in text
    assert "2 of 3 inputs were not sent" in text


def test_batch_partial_failure_with_custom_message() -> None:
    result: BatchResult[Any] = BatchResult(status="CANCELED", num_errors=1)
    assert str(BatchPartialFailureError(result, "custom")) == "custom"
