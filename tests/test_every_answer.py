"""Every answer HubSpot documents is read, and nothing but HubSpotError leaves the library.

Bodies are drawn from the response schemas of every version of HubSpot's own spec (the
verbatim copies in tests/fixtures/hubspot-specs/), for every operation and every 2xx status
that version documents, and served to both clients through ``httpx.MockTransport`` passed
as ``http_client``. Then nasty bodies (deep nesting, broken gzip, truncated, UTF-16, NaN,
empty, arbitrary JSON) under success and error statuses: the only exceptions allowed out
are ``HubSpotError`` subclasses.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubspot_assoc import (
    AsyncClient,
    BatchResult,
    Client,
    HubSpotError,
    OAuth,
    UnexpectedResponseError,
)

SPECS = Path(__file__).parent / "fixtures" / "hubspot-specs"
VERSIONS = [
    "associationsSchema.v4.json",
    "associationsSchema.v4.at-7add9eb.json",
    "associationsSchema.2025-09.json",
    "associationsSchema.2026-03.json",
]
BASE = "https://api.hubapi.com"
TOKEN = "pat-na1-00000000-0000-0000-0000-000000000000"

# How each operation is called; the key is (method, the path after the version segment).
CALLS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("GET", "definitions/configurations/all"): lambda c: c.limits.list(),
    ("GET", "definitions/configurations/{fromObjectType}/{toObjectType}"): lambda c: c.limits.get(
        "contacts", "companies"
    ),
    (
        "POST",
        "definitions/configurations/{fromObjectType}/{toObjectType}/batch/create",
    ): lambda c: c.limits.create("contacts", "companies", [("USER_DEFINED", 279, 5)]),
    (
        "POST",
        "definitions/configurations/{fromObjectType}/{toObjectType}/batch/update",
    ): lambda c: c.limits.update("contacts", "companies", [("USER_DEFINED", 279, 5)]),
    (
        "POST",
        "definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge",
    ): lambda c: c.limits.purge("contacts", "companies", [("USER_DEFINED", 279)]),
    ("GET", "{fromObjectType}/{toObjectType}/labels"): lambda c: c.labels.list(
        "contacts", "companies"
    ),
    ("POST", "{fromObjectType}/{toObjectType}/labels"): lambda c: c.labels.create(
        "contacts", "companies", label="Manager", name="manager"
    ),
    ("PUT", "{fromObjectType}/{toObjectType}/labels"): lambda c: c.labels.update(
        "contacts", "companies", 36, label="Boss"
    ),
    ("DELETE", "{fromObjectType}/{toObjectType}/labels/{associationTypeId}"): lambda c: (
        c.labels.delete("contacts", "companies", 36)
    ),
}


# --------------------------------------------------------------------------- schemas


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS / name).read_text(encoding="utf-8"))
    return data


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in node and seen < 20:
        target: Any = spec
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
        seen += 1
    return node


json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
any_json = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
# RFC 3339 as HubSpot writes it ("...Z") and as Python does ("+00:00").
_utc_times = st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC))
timestamps = _utc_times.map(lambda d: d.isoformat()) | _utc_times.map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)


def strategy_for(spec: dict[str, Any], node: dict[str, Any], depth: int = 0) -> Any:
    """A hypothesis strategy for JSON values valid against the OpenAPI schema ``node``."""
    schema = _deref(spec, node)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return timestamps
        return st.text(max_size=20)
    if kind == "integer":
        if schema.get("format") == "int32":
            return st.integers(min_value=-(2**31), max_value=2**31 - 1)
        return st.integers()
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        items = schema.get("items") or {}
        return st.lists(strategy_for(spec, items, depth + 1), max_size=3)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        strategy = st.fixed_dictionaries(
            {n: strategy_for(spec, s, depth + 1) for n, s in props.items() if n in required},
            optional={
                n: strategy_for(spec, s, depth + 1) for n, s in props.items() if n not in required
            },
        )
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not props:
            return st.dictionaries(
                st.text(max_size=8), strategy_for(spec, extra, depth + 1), max_size=3
            )
        return strategy
    return any_json  # no type: any JSON value


def documented_answers() -> Iterator[tuple[str, str, str, int, dict[str, Any] | None]]:
    """(version file, method, path after the version, status, body schema or None)."""
    for name in VERSIONS:
        spec = _load(name)
        for path, item in spec["paths"].items():
            suffix = path.split("/", 4)[4]  # /crm/associations/<version>/<suffix>
            for method, op in item.items():
                if method not in {"get", "post", "put", "delete"}:
                    continue
                for code, response in op["responses"].items():
                    if not code.isdigit() or not 200 <= int(code) < 300:
                        continue
                    content = _deref(spec, response).get("content") or {}
                    media = next(iter(content.values()), None)
                    schema = media.get("schema") if media else None
                    yield name, method.upper(), suffix, int(code), schema


ANSWERS = list(documented_answers())


def test_every_operation_of_every_version_is_covered() -> None:
    covered = {(m, p) for _, m, p, _, _ in ANSWERS}
    assert covered == set(CALLS)
    assert {v for v, *_ in ANSWERS} == set(VERSIONS)


# --------------------------------------------------------------------------- serving


def serve(status: int, content: bytes, headers: dict[str, str] | None = None) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        # A stream, not content=: httpx then decodes it (gzip...) as it would off the wire.
        return httpx.Response(status, stream=httpx.ByteStream(content), headers=headers or {})

    return handler


def call_sync(op: Callable[[Any], Any], handler: Any) -> Any:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    with Client(TOKEN, base_url=BASE, retry=None, rate_limit=None, http_client=http) as client:
        return op(client)


def call_async(op: Callable[[Any], Any], handler: Any) -> Any:
    async def run() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncClient(
            TOKEN, base_url=BASE, retry=None, rate_limit=None, http_client=http
        ) as client:
            return await op(client)

    return asyncio.run(run())


CLIENTS = [pytest.param(call_sync, id="sync"), pytest.param(call_async, id="async")]


# --------------------------------------------------------------------------- documented answers


@pytest.mark.parametrize("call", CLIENTS)
@pytest.mark.parametrize(
    ("version", "method", "suffix", "status", "schema"),
    [
        pytest.param(*a, id=f"{a[0].removeprefix('associationsSchema.')}-{a[1]}-{a[2]}-{a[3]}")
        for a in ANSWERS
    ],
)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_documented_answers_are_read(
    call: Callable[..., Any],
    version: str,
    method: str,
    suffix: str,
    status: int,
    schema: dict[str, Any] | None,
    data: st.DataObject,
) -> None:
    spec = _load(version)
    body = None if schema is None else data.draw(strategy_for(spec, schema), label="body")
    content = b"" if body is None else json.dumps(body).encode()
    result = call(
        CALLS[(method, suffix)], serve(status, content, {"content-type": "application/json"})
    )
    if body is None:
        return  # an answer without a body: the call returned (None, or a BatchResult)
    if isinstance(result, BatchResult):
        assert result.status == body["status"]
        if body.get("errors"):
            assert len(result.errors) == len(body["errors"])
        inputs = [*result.succeeded, *result.failed, *result.unconfirmed]
        assert len(inputs) == 1
        assert result.ok == (
            body["status"] == "COMPLETE"
            and not result.errors
            and not result.failed
            and not body.get("numErrors")
        )
    elif isinstance(result, list):
        assert [item.type_id for item in result] == [r["typeId"] for r in body["results"]]


# --------------------------------------------------------------------------- the seed


def seed_answer() -> bytes:
    """The example answer of HubSpot's purge documentation, byte for byte as published."""
    text = (SPECS / "seed-batch-purge.txt").read_text(encoding="utf-8")
    start = text.index('{\n"completedAt"')
    _, end = json.JSONDecoder().raw_decode(text, start)
    return text[start:end].encode("utf-8")


@pytest.mark.parametrize("call", CLIENTS)
def test_the_purge_documentations_example_answer_is_read(call: Callable[..., Any]) -> None:
    op = CALLS[("POST", "definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge")]
    result = call(op, serve(200, seed_answer(), {"content-type": "application/json"}))
    assert isinstance(result, BatchResult)
    assert result.status == "CANCELED"
    assert len(result.errors) == 1
    assert result.errors[0].missing_scopes == ("scope1", "scope2")
    assert result.errors[0].errors[0].context == {"missingScopes": ["scope1", "scope2"]}
    assert not result.ok and result.succeeded == []
    with pytest.raises(HubSpotError):
        result.raise_for_errors()


# --------------------------------------------------------------------------- statuses


CREATE = CALLS[("POST", "definitions/configurations/{fromObjectType}/{toObjectType}/batch/create")]
BATCH_BODY = {
    "status": "COMPLETE",
    "results": [{"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 5}],
    "startedAt": "2026-01-01T10:00:00Z",
    "completedAt": "2026-01-01T10:00:01Z",
}


@pytest.mark.parametrize("call", CLIENTS)
def test_an_undocumented_2xx_with_a_readable_body_is_a_success_logged_once(
    call: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="hubspot_assoc"):
        result = call(CREATE, serve(202, json.dumps(BATCH_BODY).encode()))
    assert result.ok and len(result.succeeded) == 1
    notes = [r.getMessage() for r in caplog.records if "does not document" in r.getMessage()]
    assert len(notes) == 1 and "202" in notes[0]


@pytest.mark.parametrize("call", CLIENTS)
def test_an_unreadable_undocumented_2xx_says_what_was_expected(call: Callable[..., Any]) -> None:
    body = json.dumps({"category": "X", "message": "m"}).encode()
    with pytest.raises(UnexpectedResponseError) as caught:
        call(CREATE, serve(202, body, {"x-hubspot-correlation-id": "corr-1"}))
    error = caught.value
    assert "HubSpot answered 202 where 200, 201 or 207 was expected" in str(error)
    assert error.status_code == 202 and error.correlation_id == "corr-1"
    assert error.body == {"category": "X", "message": "m"}


@pytest.mark.parametrize("status", [200, 201, 207])
def test_create_accepts_every_documented_status(status: int) -> None:
    result = call_sync(CREATE, serve(status, json.dumps(BATCH_BODY).encode()))
    assert result.ok


# --------------------------------------------------------------------------- nasty bodies

NASTY: dict[str, tuple[bytes, dict[str, str]]] = {
    "deep-brackets": (b"[" * 100_000, {}),
    "deep-objects": (b'{"a":' * 100_000, {}),
    "broken-gzip": (
        gzip.compress(b'{"status": 1}')[:10] + b"\xff" * 20,
        {"content-encoding": "gzip"},
    ),
    "not-gzip": (b"not gzip at all", {"content-encoding": "gzip"}),
    "truncated-gzip-header": (b"\x1f\x8b\x08\x00", {"content-encoding": "gzip"}),
    "gzip-of-garbage-json": (gzip.compress(b'{"status": '), {"content-encoding": "gzip"}),
    "truncated": (json.dumps(BATCH_BODY).encode()[:40], {}),
    "utf-16": (json.dumps(BATCH_BODY).encode("utf-16"), {}),
    "nan": (b"NaN", {}),
    "nan-inside": (json.dumps(BATCH_BODY).replace("5", "NaN", 1).encode(), {}),
    "empty": (b"", {}),
    "html": (b"<html><body>502 Bad Gateway</body></html>", {"content-type": "text/html"}),
    "not-utf8": (b"\xff\xfe\xfa\x00{", {}),
}
STATUSES = [200, 201, 204, 207, 400, 401, 403, 404, 409, 429, 500, 502, 524]


def _only_hubspot_errors(call: Callable[..., Any], op: Callable[[Any], Any], handler: Any) -> None:
    with contextlib.suppress(HubSpotError):  # the only kind of exception allowed out
        call(op, handler)


@pytest.mark.parametrize("call", CLIENTS)
@pytest.mark.parametrize("nasty", sorted(NASTY))
@pytest.mark.parametrize("status", STATUSES)
def test_nasty_bodies_raise_only_hubspot_errors(
    call: Callable[..., Any], nasty: str, status: int
) -> None:
    content, headers = NASTY[nasty]
    for op in CALLS.values():
        _only_hubspot_errors(call, op, serve(status, content, headers))


def test_a_broken_gzip_body_becomes_an_unexpected_response_with_its_status() -> None:
    content, headers = NASTY["broken-gzip"]
    with pytest.raises(UnexpectedResponseError) as caught:
        call_sync(CREATE, serve(201, content, {**headers, "x-hubspot-correlation-id": "c-9"}))
    assert caught.value.status_code == 201
    assert caught.value.correlation_id == "c-9"
    assert "could not be decoded" in str(caught.value)


def test_a_deep_body_names_the_nesting_limit() -> None:
    with pytest.raises(UnexpectedResponseError, match="deeper than 200 levels") as caught:
        call_sync(CREATE, serve(201, b"[" * 100_000))
    assert caught.value.status_code == 201


@pytest.mark.parametrize("call", CLIENTS)
@settings(max_examples=40, deadline=None)
@given(
    body=any_json,
    status=st.sampled_from(STATUSES),
    op=st.sampled_from(sorted(CALLS)),
)
def test_arbitrary_json_raises_only_hubspot_errors(
    call: Callable[..., Any], body: Any, status: int, op: tuple[str, str]
) -> None:
    _only_hubspot_errors(call, CALLS[op], serve(status, json.dumps(body).encode()))


# --------------------------------------------------------------------------- the token endpoint


def token_endpoint_serves(status: int, content: bytes, headers: dict[str, str]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v1/token":
            return httpx.Response(status, stream=httpx.ByteStream(content), headers=headers)
        return httpx.Response(200, json={"results": []})

    return handler


@pytest.mark.parametrize("nasty", sorted(NASTY))
@pytest.mark.parametrize("status", [200, 400, 500])
def test_nasty_token_answers_raise_only_hubspot_errors(nasty: str, status: int) -> None:
    content, headers = NASTY[nasty]
    oauth = OAuth(client_id="cid", client_secret="cs-secret", refresh_token="rt-secret")
    for make in (Client, AsyncClient):
        if make is Client:
            http: Any = httpx.Client(
                transport=httpx.MockTransport(token_endpoint_serves(status, content, headers))
            )
            with (
                pytest.raises(HubSpotError) as caught,
                Client(
                    oauth=oauth, base_url=BASE, retry=None, rate_limit=None, http_client=http
                ) as client,
            ):
                client.limits.list()
        else:

            async def run() -> None:
                http = httpx.AsyncClient(
                    transport=httpx.MockTransport(token_endpoint_serves(status, content, headers))
                )
                async with AsyncClient(
                    oauth=oauth, base_url=BASE, retry=None, rate_limit=None, http_client=http
                ) as client:
                    await client.limits.list()

            with pytest.raises(HubSpotError) as caught:
                asyncio.run(run())
        assert "rt-secret" not in str(caught.value) and "cs-secret" not in str(caught.value)


# --------------------------------------------------------------------------- error bodies

LIST = CALLS[("GET", "definitions/configurations/all")]


def _raised(call: Callable[..., Any], status: int, body: Any) -> Any:
    with pytest.raises(HubSpotError) as caught:
        call(LIST, serve(status, json.dumps(body).encode(), {"content-type": "application/json"}))
    return caught.value


@pytest.mark.parametrize("call", CLIENTS)
def test_error_bodies_are_read_whatever_form_the_context_takes(call: Callable[..., Any]) -> None:
    from hubspot_assoc import BadRequestError, MissingScopesError

    scopes = _raised(
        call,
        403,
        {
            "category": "MISSING_SCOPES",
            "message": "This app hasn't been granted all required scopes.",
            "correlationId": "c-1",
            "errors": [{"message": "m", "context": "{missingScopes=[crm.a, crm.b]}"}],
        },
    )
    assert isinstance(scopes, MissingScopesError)
    assert scopes.missing_scopes == ("crm.a", "crm.b")
    assert scopes.correlation_id == "c-1"
    bad = _raised(
        call,
        400,
        {
            "category": "VALIDATION_ERROR",
            "message": "Invalid input",
            "errors": [
                {"message": "not a number", "in": "inputs[0].typeId", "context": {"typeId": 7}},
                "an item that is not an object",
            ],
        },
    )
    assert isinstance(bad, BadRequestError)
    assert [(d.in_, dict(d.context)) for d in bad.errors] == [
        ("inputs[0].typeId", {"typeId": ["7"]})
    ]


@pytest.mark.parametrize("call", CLIENTS)
def test_a_rate_limit_body_is_read_with_its_own_model(call: Callable[..., Any]) -> None:
    from hubspot_assoc import RateLimitError

    error = _raised(
        call,
        429,
        {
            "status": "error",
            "message": "You have reached your daily limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": "c-2",
            "policyName": "DAILY",
        },
    )
    assert isinstance(error, RateLimitError)
    assert (error.category, error.policy, error.is_daily) == ("RATE_LIMIT", "DAILY", True)
    assert error.correlation_id == "c-2"


@pytest.mark.parametrize("call", CLIENTS)
def test_an_error_body_the_models_cannot_take_still_gives_its_category(
    call: Callable[..., Any],
) -> None:
    from hubspot_assoc import NotFoundError

    error = _raised(call, 404, {"category": "OBJECT_NOT_FOUND", "message": "gone", "errors": 5})
    assert isinstance(error, NotFoundError)
    assert (error.category, error.message) == ("OBJECT_NOT_FOUND", "gone")
    assert error.body == {"category": "OBJECT_NOT_FOUND", "message": "gone", "errors": 5}


@pytest.mark.parametrize("call", CLIENTS)
@pytest.mark.parametrize(
    "item_error",
    [
        {"message": "Type 279 cannot have a limit"},  # no status, category, context, links...
        {"message": "bad", "context": {"typeId": 279}},  # a number where a list is documented
        {"message": "bad", "context": "{typeId=[279]}", "subCategory": "TEXT"},
        {"message": "bad", "status": 400, "category": None, "links": {}, "errors": []},
    ],
)
def test_a_207_with_a_sparse_item_error_is_read(
    call: Callable[..., Any], item_error: dict[str, Any]
) -> None:
    body = {**BATCH_BODY, "results": [], "numErrors": 1, "errors": [item_error]}
    result = call(CREATE, serve(207, json.dumps(body).encode()))
    assert isinstance(result, BatchResult)
    assert [e.message for e in result.errors] == [item_error["message"]]
    assert [(str(i.category), i.type_id) for i in result.failed] == [("USER_DEFINED", 279)]
    assert result.succeeded == [] and not result.ok
