"""Every operation's success path and every error class, replayed offline from cassettes.

The cassettes in ``tests/cassettes/test_facade_cassettes/`` were recorded from the sandbox
(``hubspot_assoc.sandbox``) and replay without any server; Authorization headers and any
token-looking value are scrubbed before they are written (see ``tests/conftest.py``).

Re-record from the sandbox::

    python -m pytest tests/test_facade_cassettes.py --record-mode=rewrite

Re-record the success paths and the auth/validation errors against a real HubSpot test
portal (a private app with the crm.objects.contacts/companies read and write scopes; the
fault-injection cases are always recorded from the sandbox)::

    HUBSPOT_RECORD_LIVE=1 HUBSPOT_ACCESS_TOKEN=pat-... \
        python -m pytest tests/test_facade_cassettes.py --record-mode=rewrite
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubspot_assoc import (
    AuthenticationError,
    BadRequestError,
    BatchPartialFailureError,
    Category,
    Client,
    ConflictError,
    MissingScopesError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
)
from hubspot_assoc.sandbox import Sandbox

REPLAY_URL = "http://127.0.0.1:9"  # nothing listens here: replay must not need a server
REPLAY_TOKEN = "replay-token"
FAST_RETRY = RetryPolicy(initial_delay=0.001, max_delay=0.01)
CASSETTES = Path(__file__).parent / "cassettes" / "test_facade_cassettes"


@dataclass
class Target:
    """Where a test sends its requests: a sandbox or a portal while recording, nothing on replay."""

    url: str
    token: str
    sandbox: Sandbox | None

    def client(self, token: str | None = None, **kwargs: object) -> Client:
        kwargs.setdefault("retry", FAST_RETRY)
        return Client(token or self.token, base_url=self.url, **kwargs)  # type: ignore[arg-type]


def _target(record_mode: str, *, live_allowed: bool, **sandbox_options: object) -> Iterator[Target]:
    if record_mode == "none":
        yield Target(REPLAY_URL, REPLAY_TOKEN, None)
    elif live_allowed and os.environ.get("HUBSPOT_RECORD_LIVE") == "1":
        yield Target("https://api.hubapi.com", os.environ["HUBSPOT_ACCESS_TOKEN"], None)
    else:
        with Sandbox(**sandbox_options) as sb:  # type: ignore[arg-type]
            yield Target(sb.url, sb.token, sb)


@pytest.fixture
def target(record_mode: str) -> Iterator[Target]:
    """A real portal when re-recording live, else the sandbox; nothing on replay."""
    yield from _target(record_mode, live_allowed=True)


@pytest.fixture
def sandbox_target(record_mode: str) -> Iterator[Target]:
    """Always the sandbox while recording (for faults and minted tokens)."""
    yield from _target(record_mode, live_allowed=False)


# --------------------------------------------------------------------------- success paths


@pytest.mark.vcr
def test_labels_round_trip(target: Target) -> None:
    with target.client() as client:
        before = client.labels.list("contacts", "companies")
        assert any(label.type_id == 279 and label.label is None for label in before)
        assert any(label.type_id == 1 and label.label == "Primary" for label in before)
        created = client.labels.create(
            "contacts", "companies", name="cassette_mentor", label="Mentor", inverse_label="Mentee"
        )
        assert [c.label for c in created] == ["Mentor", "Mentee"]
        assert all(c.category is Category.USER_DEFINED for c in created)
        mentor = created[0]
        client.labels.update("contacts", "companies", mentor.type_id, label="Coach")
        after = {
            label.type_id: label.label for label in client.labels.list("contacts", "companies")
        }
        assert after[mentor.type_id] == "Coach"
        client.labels.delete("contacts", "companies", mentor.type_id)
        remaining = {label.type_id for label in client.labels.list("contacts", "companies")}
        assert mentor.type_id not in remaining


@pytest.mark.vcr
def test_limits_round_trip(target: Target) -> None:
    with target.client() as client:
        created = client.limits.create("contacts", "companies", [("HUBSPOT_DEFINED", 279, 5)])
        assert created.ok
        assert [(r.type_id, r.max_to_object_ids) for r in created.results] == [(279, 5)]
        shown = {limit.type_id: limit for limit in client.limits.get("contacts", "companies")}
        assert shown[279].max_to_object_ids == 5
        assert any(limit.type_id == 279 for limit in client.limits.list())
        updated = client.limits.update("contacts", "companies", [("HUBSPOT_DEFINED", 279, 7)])
        assert [(r.type_id, r.max_to_object_ids) for r in updated.results] == [(279, 7)]
        purged = client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])
        assert purged.ok and [s.type_id for s in purged.succeeded] == [279]
        after = {limit.type_id: limit for limit in client.limits.get("contacts", "companies")}
        assert after[279].max_to_object_ids is None


@pytest.mark.vcr
def test_purge_answered_with_a_batch_body(record_mode: str) -> None:
    for t in _target(record_mode, live_allowed=False, purge_response="body"):
        with t.client() as client:
            result = client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])
        assert result.ok
        assert result.status == "COMPLETE"
        assert result.completed_at is not None


@pytest.mark.vcr
def test_partial_create_says_which_inputs_failed(sandbox_target: Target) -> None:
    with sandbox_target.client() as client:
        result = client.limits.create(
            "contacts", "companies", [("HUBSPOT_DEFINED", 279, 3), ("USER_DEFINED", 424242, 3)]
        )
    assert not result.ok
    assert [i.type_id for i in result.succeeded] == [279]
    assert [i.type_id for i in result.failed] == [424242]
    with pytest.raises(BatchPartialFailureError) as info:
        result.raise_for_errors()
    assert "424242" in str(info.value)


# --------------------------------------------------------------------------- error classes


@pytest.mark.vcr
def test_bad_request(target: Target) -> None:
    with target.client() as client, pytest.raises(BadRequestError) as info:
        client.labels.update("contacts", "companies", 99999, label="Nobody")
    assert info.value.status_code == 400
    assert info.value.category == "VALIDATION_ERROR"
    assert info.value.correlation_id


@pytest.mark.vcr
def test_invalid_token(target: Target) -> None:
    client = target.client(token="pat-na1-not-a-real-token")
    with client, pytest.raises(AuthenticationError) as info:
        client.limits.list()
    assert info.value.status_code == 401
    assert not info.value.expired
    assert "HUBSPOT_ACCESS_TOKEN" in str(info.value)


@pytest.mark.vcr
def test_expired_token(sandbox_target: Target) -> None:
    sb = sandbox_target.sandbox
    token = sb.expired_oauth_token() if sb else REPLAY_TOKEN
    with sandbox_target.client(token=token) as client, pytest.raises(AuthenticationError) as info:
        client.limits.list()
    assert info.value.expired
    assert "expired" in str(info.value)


@pytest.mark.vcr
def test_missing_scopes(sandbox_target: Target) -> None:
    sb = sandbox_target.sandbox
    token = sb.create_token(scopes=["crm.objects.contacts.read"]) if sb else REPLAY_TOKEN
    with sandbox_target.client(token=token) as client, pytest.raises(MissingScopesError) as info:
        client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])
    assert "crm.objects.contacts.write" in info.value.missing_scopes
    assert "crm.objects.contacts.write" in str(info.value)
    assert "settings" in str(info.value)


@pytest.mark.vcr
def test_not_found(target: Target) -> None:
    with target.client() as client, pytest.raises(NotFoundError) as info:
        client.limits.get("contacts", "2-999999999")
    assert info.value.status_code == 404


@pytest.mark.vcr
def test_conflict(sandbox_target: Target) -> None:
    with sandbox_target.client() as client:
        created = client.labels.create("contacts", "companies", name="twice", label="Twice")
        with pytest.raises(ConflictError) as info:
            client.labels.create("contacts", "companies", name="twice", label="Twice")
        client.labels.delete("contacts", "companies", created[0].type_id)
    assert info.value.status_code == 409


@pytest.mark.vcr
def test_daily_rate_limit_is_not_retried(sandbox_target: Target) -> None:
    if sandbox_target.sandbox:
        sandbox_target.sandbox.inject(429, policy="daily", count=1)
    with sandbox_target.client() as client, pytest.raises(RateLimitError) as info:
        client.limits.list()
    assert info.value.policy == "DAILY"
    assert info.value.attempts == 1
    assert "midnight" in str(info.value)


@pytest.mark.vcr
def test_edge_502_html_page(sandbox_target: Target) -> None:
    if sandbox_target.sandbox:
        sandbox_target.sandbox.inject(502, count=1)
    with sandbox_target.client(retry=None) as client, pytest.raises(ServerError) as info:
        client.limits.list()
    assert info.value.status_code == 502
    assert isinstance(info.value.body, str) and "<html" in info.value.body.lower()
    assert "<html" not in str(info.value).lower()


@pytest.mark.vcr
def test_unreadable_success_body(sandbox_target: Target) -> None:
    if sandbox_target.sandbox:
        sandbox_target.sandbox.inject("nonjson", route="limits.list", count=1)
    with sandbox_target.client() as client, pytest.raises(UnexpectedResponseError) as info:
        client.limits.get("contacts", "companies")
    assert info.value.status_code == 200
    assert isinstance(info.value.body, str) and info.value.body
    assert info.value.correlation_id


@pytest.mark.vcr
def test_retry_after_a_503_then_success(sandbox_target: Target) -> None:
    if sandbox_target.sandbox:
        sandbox_target.sandbox.inject(503, route="purge", count=1)
    with sandbox_target.client() as client:
        result = client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])
    assert result.ok


# --------------------------------------------------------------------------- hygiene


def test_every_cassette_exists_and_holds_no_credentials() -> None:
    recorded = {p.stem for p in CASSETTES.glob("*.yaml")}
    tests = {name for name in globals() if name.startswith("test_") and name != __name__}
    expected = {
        name for name in tests if name != "test_every_cassette_exists_and_holds_no_credentials"
    }
    assert recorded == expected
    for folder in (Path(__file__).parent / "cassettes").rglob("*.yaml"):
        text = folder.read_text(encoding="utf-8")
        assert "Bearer" not in text, folder
        assert "pat-" not in text, folder
        assert "authorization" not in text.lower(), folder
