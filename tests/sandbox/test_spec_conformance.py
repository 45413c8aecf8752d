"""Every request the sandbox accepts and every answer it gives validates against the project spec.

Drives a broad mix of traffic (successes, partial failures, validation errors, 401/403/404, 429
from the limiter and injected, injected 500s, purge in both modes), then validates the recorded
traffic with openapi-core. Left out on purpose: answers spoiled by body-mangling faults
(truncate, nonjson, enum), edge HTML pages, dropped connections, and routes the spec does not
describe (the OAuth token endpoint, unknown paths).

Needs openapi-core 0.23.x (which pairs with openapi-spec-validator 0.8.x).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from hubspot_assoc.sandbox import RecordedRequest, Sandbox

from .conftest import LIMITS, batch_path, bearer, labels_path

openapi_core = pytest.importorskip("openapi_core", minversion="0.19")
from openapi_core import OpenAPI  # noqa: E402
from openapi_core.testing import MockRequest, MockResponse  # noqa: E402

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "hubspot-associations-v4.yaml"
SPOILING = {"truncate", "nonjson", "enum", "drop", "drop_after"}
HTML = {502, 503, 504, 521, 523, 524}
HOST = "https://api.hubapi.com"


def _drive(sb: Sandbox) -> None:
    limited_token = sb.create_token(scopes=["crm.objects.contacts.read"])
    with httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c:
        c.get(f"{LIMITS}/all")
        for a, b in [
            ("contacts", "companies"),
            ("0-3", "0-1"),
            ("tickets", "companies"),
            ("notes", "deals"),
        ]:
            c.get(f"{LIMITS}/{a}/{b}")
            c.get(labels_path(a, b))
        ok = {"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 5}
        bad = {"category": "USER_DEFINED", "typeId": 4242, "maxToObjectIds": 5}
        c.post(batch_path("create"), json={"inputs": [ok]})
        c.post(batch_path("create"), json={"inputs": [ok, bad]})
        c.post(batch_path("update"), json={"inputs": [dict(ok, maxToObjectIds=6)]})
        c.post(batch_path("update"), json={"inputs": [bad]})
        c.get(f"{LIMITS}/all")
        c.get(f"{LIMITS}/contacts/companies")
        c.post(batch_path("create"), json={"inputs": [dict(ok, typeId="x")]})
        c.post(batch_path("create"), content=b"{nope", headers={"Content-Type": "application/json"})
        c.post(
            batch_path("purge"), json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
        )
        c.post(batch_path("purge"), json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 9}]})
        paired = c.post(
            labels_path(), json={"name": "boss", "label": "Boss", "inverseLabel": "Report"}
        )
        plain = c.post(labels_path("deals", "deals"), json={"name": "sub_deal", "label": "Sub"})
        c.post(labels_path(), json={"name": "bad-name", "label": "x"})
        c.post(labels_path(), json={"name": "boss", "label": "Again"})
        boss = paired.json()["results"][0]["typeId"]
        c.put(
            labels_path(),
            json={"associationTypeId": boss, "label": "Chief", "inverseLabel": "Staff"},
        )
        c.put(labels_path(), json={"associationTypeId": 1, "label": "Nope"})
        c.get(labels_path())
        c.delete(f"{labels_path('deals', 'deals')}/{plain.json()['results'][0]['typeId']}")
        c.delete(f"{labels_path()}/279")
        c.delete(f"{labels_path()}/abc")
        c.get(labels_path("contacts", "widgets"))
        c.get(labels_path(), headers=bearer("pat-na1-nope"))
        c.get(labels_path(), headers=bearer(sb.expired_oauth_token()))
        c.get(labels_path(), headers=bearer(limited_token))
        c.get(f"{LIMITS}/all", headers=bearer(sb.create_token(scopes=[])))
        sb.inject(500)
        c.get(labels_path())
        sb.inject(429, policy="daily")
        c.post(batch_path("purge"), json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 1}]})
        for _ in range(61):  # the last ones meet the rolling window (60 per 10 s)
            c.get(labels_path(), headers=bearer(limited_token))
        sb.inject("enum")
        c.get(labels_path())  # spoiled on purpose: left out


def _validate(openapi: OpenAPI, recorded: list[RecordedRequest]) -> int:
    checked = 0
    for r in recorded:
        if r.route in (None, "oauth.token") or r.status is None or r.fault in SPOILING:
            continue
        if r.status in HTML and r.fault is not None:
            continue
        data = json.dumps(r.body).encode() if r.body is not None else None
        request = MockRequest(
            HOST,
            r.method.lower(),
            r.path,
            headers={"Authorization": r.headers.get("authorization", "")},
            data=data,
        )
        if r.status < 300:
            openapi.validate_request(request)
        content_type = r.response_headers.get("Content-Type", "").split(";")[0]
        response = MockResponse(
            r.response_body or b"",
            status_code=r.status,
            headers=r.response_headers,
            content_type=content_type or "application/json",
        )
        openapi.validate_response(request, response)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


@pytest.mark.hubspot_sandbox(rate_limit=(60, 10.0))
def test_traffic_matches_the_spec_purge_204(sb: Sandbox, openapi: OpenAPI) -> None:
    _drive(sb)
    statuses = {r.status for r in sb.requests}
    assert {200, 201, 204, 207, 400, 401, 403, 404, 409, 429, 500} <= statuses
    assert any(r.status == 429 and r.fault is None for r in sb.requests)
    assert _validate(openapi, sb.requests) >= 40


@pytest.mark.hubspot_sandbox(purge_response="body", rate_limit=(60, 10.0))
def test_traffic_matches_the_spec_purge_body(sb: Sandbox, openapi: OpenAPI) -> None:
    _drive(sb)
    assert any(r.route == "limits.purge" and r.status == 200 for r in sb.requests)
    assert _validate(openapi, sb.requests) >= 40


def test_validation_would_catch_a_wrong_answer(sb: Sandbox, openapi: OpenAPI) -> None:
    """The check is not vacuous: a body with a wrong type fails it."""
    with httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c:
        c.get(labels_path())
    (r,) = sb.requests
    broken = json.loads(r.response_body or b"")
    broken["results"][0]["typeId"] = "279"
    r.response_body = json.dumps(broken).encode()
    with pytest.raises(Exception, match=r"(?i)invalid|validat"):
        _validate(openapi, [r])
