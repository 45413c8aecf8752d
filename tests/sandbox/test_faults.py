"""Fault injection: every kind, triggers, route filters, and which kinds apply the operation."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox, parse_fault
from hubspot_assoc.sandbox.faults import Fault

from .conftest import batch_path, labels_path

PURGE = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
CREATE = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 9}]}


def _limit(sb: Sandbox) -> int | None:
    return sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279)


@pytest.fixture
def limited(sb: Sandbox) -> Sandbox:
    sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 3)
    return sb


@pytest.mark.parametrize("status", [502, 503, 504, 521, 523, 524])
def test_edge_errors_have_html_bodies_and_change_nothing(
    limited: Sandbox, client: httpx.Client, status: int
) -> None:
    limited.inject(status, retry_after=2)
    response = client.post(batch_path("purge"), json=PURGE)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")
    assert response.headers["retry-after"] == "2"
    assert response.headers["x-hubspot-correlation-id"]
    assert _limit(limited) == 3
    assert client.post(batch_path("purge"), json=PURGE).status_code == 204  # count=1 by default
    assert _limit(limited) is None


def test_500_is_hubspot_json(limited: Sandbox, client: httpx.Client) -> None:
    limited.inject("500", count=2)
    for _ in range(2):
        response = client.post(batch_path("purge"), json=PURGE)
        assert response.status_code == 500
        assert response.json()["category"] == "INTERNAL_ERROR"
        assert "retry-after" not in response.headers
    assert _limit(limited) == 3
    assert [r.fault for r in limited.requests] == ["500", "500"]


@pytest.mark.parametrize(
    ("policy", "name"), [("ten_secondly", "TEN_SECONDLY_ROLLING"), ("daily", "DAILY")]
)
def test_injected_429(limited: Sandbox, client: httpx.Client, policy: str, name: str) -> None:
    limited.inject(429, policy=policy)
    response = client.post(batch_path("purge"), json=PURGE)
    assert response.status_code == 429
    assert response.json()["policyName"] == name
    assert response.json()["errorType"] == "RATE_LIMIT"
    zeroed = (
        "x-hubspot-ratelimit-daily-remaining"
        if name == "DAILY"
        else "x-hubspot-ratelimit-remaining"
    )
    assert response.headers[zeroed] == "0"
    assert _limit(limited) == 3


def test_drop_closes_without_answer_and_changes_nothing(
    limited: Sandbox, client: httpx.Client
) -> None:
    limited.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(batch_path("purge"), json=PURGE)
    assert _limit(limited) == 3
    assert limited.requests[-1].status is None and limited.requests[-1].fault == "drop"
    assert client.post(batch_path("purge"), json=PURGE).status_code == 204


def test_drop_after_applies_then_closes(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject("drop_after", route="create")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(batch_path("create"), json=CREATE)
    assert _limit(sb) == 9


def test_delay_applies_and_can_time_a_client_out(sb: Sandbox) -> None:
    sb.inject("delay", seconds=0.5, route="limits.create")
    with (
        httpx.Client(
            base_url=sb.url, headers={"Authorization": f"Bearer {sb.token}"}, timeout=0.1
        ) as c,
        pytest.raises(httpx.ReadTimeout),
    ):
        c.post(batch_path("create"), json=CREATE)
    time.sleep(0.6)
    assert _limit(sb) == 9
    sb.inject("delay", seconds=0.2)
    started = time.monotonic()
    with httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.token}"}) as c:
        assert c.get(labels_path()).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_truncate_applies_and_cuts_the_json(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject("truncate", route="create")
    response = client.post(batch_path("create"), json=CREATE)
    assert response.status_code == 201
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert response.content.startswith(b'{"status":"COMPLETE"')
    assert _limit(sb) == 9
    sb.inject("truncate", route="purge")  # a bodyless 204 becomes a 200 with broken JSON
    response = client.post(batch_path("purge"), json=PURGE)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert _limit(sb) is None


def test_nonjson_applies_and_answers_200_html(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject("nonjson")
    response = client.post(batch_path("create"), json=CREATE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert _limit(sb) == 9


def test_enum_applies_and_sends_unknown_values(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject("enum", count=2)
    data = client.post(batch_path("create"), json=CREATE).json()
    assert data["status"] == "FAILED"
    assert data["results"][0]["category"] == "SOMETHING_NEW"
    assert data["results"][0]["userEnforcedMaxToObjectIds"] == 9
    assert "sandboxUnknownField" in data and "sandboxUnknownField" in data["results"][0]
    assert _limit(sb) == 9
    labels = client.get(labels_path()).json()
    assert {r["category"] for r in labels["results"]} == {"SOMETHING_NEW"}


def test_route_filter_and_count(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject_spec("503:count=2:route=purge")
    assert client.get(labels_path()).status_code == 200
    assert client.post(batch_path("create"), json=CREATE).status_code == 201
    statuses = [client.post(batch_path("purge"), json=PURGE).status_code for _ in range(3)]
    assert statuses == [503, 503, 204]
    assert sb.faults == []


def test_group_route_filter(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject(502, route="labels", count=3)
    assert client.post(batch_path("create"), json=CREATE).status_code == 201
    assert client.get(labels_path()).status_code == 502
    assert client.post(labels_path(), json={"name": "a", "label": "A"}).status_code == 502
    assert client.delete(labels_path() + "/1234").status_code == 502


def _pattern(seed: int) -> list[int]:
    with (
        Sandbox(seed=seed) as sb,
        httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.token}"}) as c,
    ):
        sb.inject(503, fraction=0.3)
        return [c.get(labels_path()).status_code for _ in range(60)]


def test_seeded_fraction_repeats() -> None:
    first, again, other = _pattern(7), _pattern(7), _pattern(8)
    assert first == again
    assert first != other
    assert 5 <= first.count(503) <= 35
    assert set(first) == {200, 503}


def test_fraction_with_explicit_seed_matches_random_sequence(
    sb: Sandbox, client: httpx.Client
) -> None:
    import random

    sb.inject("500", fraction=0.5, seed=3)
    rng = random.Random(3)
    expected = [500 if rng.random() < 0.5 else 200 for _ in range(20)]
    assert [client.get(labels_path()).status_code for _ in range(20)] == expected


def test_oauth_faults_need_the_oauth_route(sb: Sandbox) -> None:
    app = sb.create_oauth_app()
    form = {
        "grant_type": "refresh_token",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "refresh_token": app.refresh_token,
    }
    sb.inject(503)  # all API routes, not the token endpoint
    assert httpx.post(sb.url + "/oauth/v1/token", data=form).status_code == 200
    sb.clear_faults()
    sb.inject(503, route="oauth")
    assert httpx.post(sb.url + "/oauth/v1/token", data=form).status_code == 503
    assert sb.refresh_count == 1


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("", "missing kind"),
        ("418", "unknown kind"),
        ("503:count", "bad option"),
        ("503:colour=red", "bad option"),
        ("503:count=0", "count must be a positive integer"),
        ("503:count=two", "invalid literal"),
        ("drop:fraction=1.5", "fraction must be between 0 and 1"),
        ("503:route=nowhere", "matches no route"),
        ("429:policy=hourly", "policy must be one of"),
        ("delay:seconds=-1", "seconds must be >= 0"),
    ],
)
def test_bad_fault_specs_are_rejected_clearly(spec: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_fault(spec)


def test_fault_spec_round_trip() -> None:
    fault = parse_fault("drop:fraction=0.1:seed=7:route=limits.purge:retry_after=1.5")
    assert fault == Fault("drop", route="limits.purge", fraction=0.1, seed=7, retry_after=1.5)
    assert parse_fault("429:policy=daily").policy == "DAILY"
    assert parse_fault("503").count == 1
    assert not parse_fault("503").applies_operation and parse_fault("enum").applies_operation
