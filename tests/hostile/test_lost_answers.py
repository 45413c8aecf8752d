"""Answers lost in transit (issue 11, points 4-5), for both clients, against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hubspot_assoc import (
    APIConnectionError,
    AuthenticationError,
    OAuth,
    RetryPolicy,
    ServerError,
)
from hubspot_assoc.sandbox import Sandbox

from .conftest import call


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=None) as sandbox:
        yield sandbox


def test_lost_answer_to_a_write_says_it_may_have_been_applied(kind: str, sb: Sandbox) -> None:
    sb.inject("drop_after", route="labels.create", count=1)
    with pytest.raises(APIConnectionError) as caught:
        call(
            kind,
            lambda cls: cls(sb.token, base_url=sb.url),
            lambda c: c.labels.create("contacts", "companies", name="ally", label="Ally"),
        )
    error = caught.value
    assert error.may_have_been_applied is True
    assert "may have been applied" in str(error)
    assert "Check the network" not in str(error)
    # It was applied: the label is there.
    listed = call(
        kind,
        lambda cls: cls(sb.token, base_url=sb.url),
        lambda c: c.labels.list("contacts", "companies"),
    )
    assert "Ally" in [label.label for label in listed]


def test_lost_answer_to_a_retried_write_says_it_may_have_been_applied(
    kind: str, sb: Sandbox
) -> None:
    # purge is retried after a lost answer; when every attempt loses its answer, the error
    # still says the change may have been made.
    sb.inject("drop_after", route="limits.purge", count=3)
    with pytest.raises(APIConnectionError) as caught:
        call(
            kind,
            lambda cls: cls(
                sb.token, base_url=sb.url, retry=RetryPolicy(max_retries=2, initial_delay=0.01)
            ),
            lambda c: c.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)]),
        )
    assert caught.value.may_have_been_applied is True
    assert caught.value.attempts == 3


def test_lost_answer_to_a_read_does_not_claim_a_change(kind: str, sb: Sandbox) -> None:
    sb.inject("drop_after", route="labels.list", count=1)
    with pytest.raises(APIConnectionError) as caught:
        call(
            kind,
            lambda cls: cls(sb.token, base_url=sb.url, retry=None),
            lambda c: c.labels.list("contacts", "companies"),
        )
    assert caught.value.may_have_been_applied is False
    assert "may have been applied" not in str(caught.value)


def test_write_that_never_left_does_not_claim_a_change(kind: str) -> None:
    with pytest.raises(APIConnectionError) as caught:
        call(
            kind,
            lambda cls: cls("pat-na1-x", base_url="http://127.0.0.1:9", retry=None),
            lambda c: c.labels.create("contacts", "companies", name="ally", label="Ally"),
        )
    assert caught.value.may_have_been_applied is False


def test_server_error_on_a_write_exposes_may_have_been_applied(kind: str, sb: Sandbox) -> None:
    sb.inject(500, route="labels.create", count=1)
    with pytest.raises(ServerError) as caught:
        call(
            kind,
            lambda cls: cls(sb.token, base_url=sb.url, retry=None),
            lambda c: c.labels.create("contacts", "companies", name="ally", label="Ally"),
        )
    assert caught.value.may_have_been_applied is True
    sb.inject(500, route="labels.list", count=1)
    with pytest.raises(ServerError) as read:
        call(
            kind,
            lambda cls: cls(sb.token, base_url=sb.url, retry=None),
            lambda c: c.labels.list("contacts", "companies"),
        )
    assert read.value.may_have_been_applied is False


def test_lost_token_answer_with_rotating_refresh_tokens_says_why(kind: str) -> None:
    with Sandbox(rate_limit=None, rotate_refresh_tokens=True) as sb:
        app = sb.create_oauth_app()
        sb.inject("drop_after", route="oauth.token", count=1)
        oauth = OAuth(
            client_id=app.client_id,
            client_secret=app.client_secret,
            refresh_token=app.refresh_token,
        )
        with pytest.raises(AuthenticationError) as caught:
            call(
                kind,
                lambda cls: cls(
                    oauth=oauth, base_url=sb.url, retry=RetryPolicy(initial_delay=0.01)
                ),
                lambda c: c.labels.list("contacts", "companies"),
            )
        # The first refresh was granted (and rotated), its answer lost; the retry used the
        # retired refresh token.
        assert sb.refresh_count == 1
    text = str(caught.value)
    assert "lost" in text and "new refresh token" in text
    assert app.refresh_token not in text and app.client_secret not in text


def test_rejected_refresh_without_a_lost_answer_keeps_the_plain_advice(kind: str) -> None:
    with Sandbox(rate_limit=None) as sb:
        app = sb.create_oauth_app()
        oauth = OAuth(
            client_id=app.client_id, client_secret=app.client_secret, refresh_token="wrong"
        )
        with pytest.raises(AuthenticationError) as caught:
            call(
                kind,
                lambda cls: cls(oauth=oauth, base_url=sb.url, retry=None),
                lambda c: c.labels.list("contacts", "companies"),
            )
    assert "lost" not in str(caught.value)
