"""Rolling-window and daily limits: 429 bodies, headers on every answer, precision."""

from __future__ import annotations

import time

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox
from hubspot_assoc.sandbox.ratelimit import RateLimiter

from .conftest import bearer, labels_path

HEADERS = (
    "x-hubspot-ratelimit-max",
    "x-hubspot-ratelimit-remaining",
    "x-hubspot-ratelimit-interval-milliseconds",
)
DAILY_HEADERS = ("x-hubspot-ratelimit-daily", "x-hubspot-ratelimit-daily-remaining")


@pytest.mark.hubspot_sandbox(rate_limit=(3, 0.4))
def test_rolling_window_429_body_headers_and_recovery(sb: Sandbox, client: httpx.Client) -> None:
    remaining = []
    for _ in range(3):
        response = client.get(labels_path())
        assert response.status_code == 200
        assert response.headers["x-hubspot-ratelimit-max"] == "3"
        assert response.headers["x-hubspot-ratelimit-interval-milliseconds"] == "400"
        remaining.append(int(response.headers["x-hubspot-ratelimit-remaining"]))
    assert remaining == [2, 1, 0]
    refused = client.get(labels_path())
    assert refused.status_code == 429
    body = refused.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT" and body["status"] == "error"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert (
        body["groupName"] and body["correlationId"] == refused.headers["x-hubspot-correlation-id"]
    )
    assert refused.headers["x-hubspot-ratelimit-remaining"] == "0"
    # refused requests spend nothing: once the window rolls, the full budget is back
    for _ in range(5):
        assert client.get(labels_path()).status_code == 429
    time.sleep(0.45)
    assert [client.get(labels_path()).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.hubspot_sandbox(rate_limit=(2, 30.0))
def test_private_tokens_have_separate_windows_oauth_tokens_share_the_app(sb: Sandbox) -> None:
    other = sb.create_token()
    app = sb.create_oauth_app()
    one, two = sb.issue_access_token(app), sb.issue_access_token(app)
    for token in (sb.token, other):
        statuses = [
            httpx.get(sb.url + labels_path(), headers=bearer(token)).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
    statuses = [
        httpx.get(sb.url + labels_path(), headers=bearer(token)).status_code
        for token in (one, two, one)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.hubspot_sandbox(rate_limit=(5, 30.0))
def test_tokens_of_one_app_share_its_budget_with_exact_remaining(sb: Sandbox) -> None:
    rotated = sb.create_token(same_app_as=sb.token)
    app = sb.create_oauth_app()
    one, two = sb.issue_access_token(app), sb.issue_access_token(app)
    for first, second in ((sb.token, rotated), (one, two)):
        remaining, statuses = [], []
        for token in (first, second, first, second, first, second):
            answer = httpx.get(sb.url + labels_path(), headers=bearer(token))
            statuses.append(answer.status_code)
            remaining.append(int(answer.headers["x-hubspot-ratelimit-remaining"]))
        # One window for the app, whichever token spends it; a 429 spends nothing.
        assert statuses == [200, 200, 200, 200, 200, 429]
        assert remaining == [4, 3, 2, 1, 0, 0]


def test_same_app_as_must_name_a_private_token() -> None:
    with Sandbox() as sb, pytest.raises(ValueError, match="same_app_as"):
        sb.create_token(same_app_as="pat-na1-unknown")


@pytest.mark.hubspot_sandbox(daily_limit=3, rate_limit=(100, 10.0))
def test_daily_limit_body_and_headers(sb: Sandbox, client: httpx.Client) -> None:
    answers = [client.get(labels_path()) for _ in range(3)]
    assert [int(a.headers["x-hubspot-ratelimit-daily-remaining"]) for a in answers] == [2, 1, 0]
    assert all(a.headers["x-hubspot-ratelimit-daily"] == "3" for a in answers)
    refused = client.get(labels_path())
    assert refused.status_code == 429
    assert refused.json()["policyName"] == "DAILY"
    assert refused.json()["message"] == "You have reached your daily limit."
    # OAuth apps have no daily limit and get no daily headers
    app = sb.create_oauth_app()
    response = httpx.get(sb.url + labels_path(), headers=bearer(sb.issue_access_token(app)))
    assert response.status_code == 200
    assert not any(h in response.headers for h in DAILY_HEADERS)
    assert all(h in response.headers for h in HEADERS)


def test_headers_on_every_kind_of_answer(sb: Sandbox, client: httpx.Client) -> None:
    answers = [
        client.get(labels_path()),
        client.post(labels_path(), json={"name": "bad-name", "label": "x"}),
        client.get(labels_path("contacts", "widgets")),
        httpx.get(sb.url + labels_path()),
        httpx.get(sb.url + labels_path(), headers=bearer(sb.create_token(scopes=[]))),
    ]
    answers.append(client.get("/crm/associations/v4/nowhere"))
    sb.inject(503)
    answers.append(client.get(labels_path()))
    assert [a.status_code for a in answers] == [200, 400, 404, 401, 403, 404, 503]
    for answer in answers:
        assert all(h in answer.headers for h in HEADERS), answer
        assert answer.headers["x-hubspot-correlation-id"]


def test_rolling_window_is_precise_not_bucketed() -> None:
    now = [1000.0]
    limiter = RateLimiter((3, 10.0), None, clock=lambda: now[0])
    for t in (1000.0, 1004.0, 1009.9):
        now[0] = t
        assert limiter.spend("k", daily=False)[0] is None
    now[0] = 1009.95
    assert limiter.spend("k", daily=False)[0] == "TEN_SECONDLY_ROLLING"
    now[0] = 1010.0  # the request at 1000.0 leaves the window exactly 10 s later
    assert limiter.spend("k", daily=False)[0] is None
    now[0] = 1013.9
    assert limiter.spend("k", daily=False)[0] == "TEN_SECONDLY_ROLLING"
    now[0] = 1014.0
    refused, headers = limiter.spend("k", daily=False)
    assert refused is None
    assert dict(headers)["X-HubSpot-RateLimit-Remaining"] == "0"


def test_daily_budget_resets_with_the_utc_day() -> None:
    wall = [86400.0 * 20000 + 100]
    limiter = RateLimiter(None, 2, wall_clock=lambda: wall[0])
    assert [limiter.spend("k", daily=True)[0] for _ in range(3)] == [None, None, "DAILY"]
    wall[0] += 86400
    assert limiter.spend("k", daily=True)[0] is None
