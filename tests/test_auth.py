"""Credentials: static bearer tokens, and OAuth access tokens that refresh themselves.

A fake HubSpot behind ``httpx.MockTransport`` issues tokens at ``/oauth/v1/token`` and
answers ``401 EXPIRED_AUTHENTICATION`` on the API to any token it has not issued (or has
been told to treat as expired). Nothing leaves the process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from hubspot_assoc.auth import BearerAuth, OAuth, OAuthAuth, TokenSet
from hubspot_assoc.errors import (
    APIError,
    AuthenticationError,
    InvalidInputError,
    UnexpectedResponseError,
)

BASE = "https://api.hubapi.com"
TOKEN_URL = f"{BASE}/oauth/v1/token"
API_PATH = "/crm/associations/v4/definitions/configurations/all"
CLIENT_SECRET = "cs-SUPERSECRET-0001"
REFRESH_TOKEN = "rt-ORIGINAL-0002"
STALE_TOKEN = "at-STALE-0003"
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, STALE_TOKEN)
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeHubSpot:
    """Token endpoint plus one API endpoint, thread-safe, counting what it sees."""

    def __init__(
        self,
        *,
        valid: tuple[str, ...] = (),
        rotate: bool = False,
        token_delay: float = 0.0,
        token_answer: httpx.Response | None = None,
        reject_category: str = "EXPIRED_AUTHENTICATION",
        reject_everything: bool = False,
    ) -> None:
        self.valid = set(valid)
        self.rotate = rotate
        self.token_delay = token_delay
        self.token_answer = token_answer
        self.reject_category = reject_category
        self.reject_everything = reject_everything
        self.refresh_forms: list[dict[str, list[str]]] = []
        self.refresh_timeouts: list[object] = []
        self.api_tokens: list[str] = []
        self.api_bodies: list[bytes] = []
        self._lock = threading.Lock()

    def _issue(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        with self._lock:
            self.refresh_forms.append(form)
            self.refresh_timeouts.append(request.extensions.get("timeout"))
            n = len(self.refresh_forms)
            if self.token_answer is not None:
                return self.token_answer
            access = f"at-NEW-{n}"
            self.valid.add(access)
        body: dict[str, Any] = {"access_token": access, "expires_in": 1800, "token_type": "bearer"}
        if self.rotate:
            body["refresh_token"] = f"rt-ROTATED-{n}"
        return httpx.Response(200, json=body)

    def _api(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.api_tokens.append(token)
            self.api_bodies.append(request.content)
            ok = token in self.valid and not self.reject_everything
        if ok:
            return httpx.Response(200, json={"results": []})
        return httpx.Response(
            401,
            json={
                "status": "error",
                "message": "The OAuth token used to make this call expired 0 second(s) ago.",
                "correlationId": "c0ffee00-0000-4000-8000-000000000000",
                "category": self.reject_category,
            },
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v1/token":
            if self.token_delay:
                time.sleep(self.token_delay)  # let concurrent callers pile up on the lock
            return self._issue(request)
        return self._api(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v1/token":
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            return self._issue(request)
        return self._api(request)

    @property
    def refreshes(self) -> int:
        return len(self.refresh_forms)


def oauth(**kwargs: Any) -> OAuth:
    settings: dict[str, Any] = {
        "client_id": "client-id-1",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
    }
    settings.update(kwargs)
    return OAuth(**settings)


def make_auth(config: OAuth, clock: Callable[[], float] | None = None) -> OAuthAuth:
    return OAuthAuth(config, token_url=TOKEN_URL, clock=clock or Clock())


def sync_client(hub: FakeHubSpot, auth: httpx.Auth) -> httpx.Client:
    return httpx.Client(base_url=BASE, transport=httpx.MockTransport(hub.handle), auth=auth)


def async_client(hub: FakeHubSpot, auth: httpx.Auth) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=BASE, transport=httpx.MockTransport(hub.handle_async), auth=auth
    )


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


# --------------------------------------------------------------------------- BearerAuth


def test_bearer_auth_sends_the_token_and_hides_it() -> None:
    hub = FakeHubSpot(valid=("pat-na1-abc",))
    auth = BearerAuth("pat-na1-abc")
    with sync_client(hub, auth) as http:
        assert http.get(API_PATH).status_code == 200
    assert hub.api_tokens == ["pat-na1-abc"]
    assert "pat-na1-abc" not in repr(auth)


# A newline or byte order mark around the token is cleaned (see test_bearer_auth_cleans...);
# one inside it is refused.
@pytest.mark.parametrize(
    "token", ["", "   ", "pat-na1\n-abc", "pat na1", "\ufeff", None, b"pat-na1-x"]
)
def test_bearer_auth_rejects_unusable_tokens_without_echoing_them(token: Any) -> None:
    with pytest.raises(InvalidInputError, match="token") as caught:
        BearerAuth(token)
    if isinstance(token, str) and token.strip():
        assert token.strip() not in str(caught.value)


@pytest.mark.parametrize("dressed", ["pat-na1-abc\n", "\ufeffpat-na1-abc", " pat-na1-abc\r\n"])
def test_bearer_auth_cleans_whitespace_and_a_byte_order_mark_around_the_token(
    dressed: str,
) -> None:
    hub = FakeHubSpot(valid=("pat-na1-abc",))
    with sync_client(hub, BearerAuth(dressed)) as http:
        assert http.get(API_PATH).status_code == 200
    assert hub.api_tokens == ["pat-na1-abc"]


# --------------------------------------------------------------------------- configuration


def test_reprs_hide_every_secret() -> None:
    config = oauth(access_token=STALE_TOKEN, expires_at=T0)
    tokens = TokenSet(
        access_token=STALE_TOKEN, refresh_token=REFRESH_TOKEN, expires_at=datetime.now(UTC)
    )
    auth = make_auth(config)
    texts = [repr(config), str(config), repr(tokens), repr(auth)]
    assert_no_secrets(*texts)
    assert "client-id-1" in repr(config)  # the non-secret parts stay visible


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"expires_at": datetime(2030, 1, 1)}, "expires_at"),  # naive
        ({"expires_at": True}, "expires_at"),
        ({"expires_at": "2030-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": float("nan")}, "expires_at"),
        ({"client_id": ""}, "client_id"),
        ({"client_secret": ""}, "client_secret"),
        ({"refresh_token": None}, "refresh_token"),
        ({"access_token": ""}, "access_token"),
        ({"token_url": "api.hubapi.com/oauth/v1/token"}, "token_url"),
        ({"on_refresh": "save"}, "on_refresh"),
    ],
)
def test_oauth_rejects_invalid_settings_naming_the_field(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError, match=field) as caught:
        oauth(**kwargs)
    assert caught.value.argument == field


def test_secret_with_a_newline_inside_is_rejected_without_being_shown() -> None:
    half = len(CLIENT_SECRET) // 2
    with pytest.raises(InvalidInputError, match="client_secret") as caught:
        oauth(client_secret=CLIENT_SECRET[:half] + "\n" + CLIENT_SECRET[half:])
    assert CLIENT_SECRET[:half] not in str(caught.value)
    assert CLIENT_SECRET[:half] not in repr(caught.value)


def test_secret_with_a_trailing_newline_is_cleaned() -> None:
    assert oauth(client_secret=CLIENT_SECRET + "\n").client_secret == CLIENT_SECRET


def test_token_set_requires_an_aware_datetime() -> None:
    with pytest.raises(InvalidInputError, match="expires_at"):
        TokenSet(access_token="a", refresh_token="b", expires_at=datetime(2030, 1, 1))


# --------------------------------------------------------------------------- proactive refresh


def test_refreshes_before_expiry_not_after() -> None:
    clock = Clock()
    hub = FakeHubSpot(valid=(STALE_TOKEN,))
    auth = make_auth(oauth(access_token=STALE_TOKEN, expires_at=T0 + 600), clock)
    with sync_client(hub, auth) as http:
        assert http.get(API_PATH).status_code == 200
        clock.now = T0 + 600 - 61  # just outside the 60 s margin: keep the token
        assert http.get(API_PATH).status_code == 200
        assert hub.refreshes == 0
        clock.now = T0 + 600 - 59  # inside the margin: refresh first
        assert http.get(API_PATH).status_code == 200
    assert hub.refreshes == 1
    assert hub.api_tokens == [STALE_TOKEN, STALE_TOKEN, "at-NEW-1"]
    assert auth.refresh_count == 1


def test_refresh_request_is_the_documented_form_post() -> None:
    hub = FakeHubSpot()
    auth = make_auth(oauth())  # no access token: refresh before the first call
    with sync_client(hub, auth) as http:
        http.get(API_PATH, timeout=7.0)
    assert hub.refresh_forms == [
        {
            "grant_type": ["refresh_token"],
            "client_id": ["client-id-1"],
            "client_secret": [CLIENT_SECRET],
            "refresh_token": [REFRESH_TOKEN],
        }
    ]
    # The refresh inherits the call's timeout instead of waiting forever.
    assert hub.refresh_timeouts == [httpx.Timeout(7.0).as_dict()]
    assert hub.api_tokens == ["at-NEW-1"]


def test_expires_at_as_datetime_is_honoured() -> None:
    clock = Clock()
    expiry = datetime.fromtimestamp(T0, UTC) + timedelta(seconds=30)  # within the margin
    hub = FakeHubSpot(valid=(STALE_TOKEN,))
    auth = make_auth(oauth(access_token=STALE_TOKEN, expires_at=expiry), clock)
    with sync_client(hub, auth) as http:
        http.get(API_PATH)
    assert hub.refreshes == 1
    assert hub.api_tokens == ["at-NEW-1"]


def test_refreshed_token_expiry_comes_from_expires_in() -> None:
    clock = Clock()
    hub = FakeHubSpot()
    auth = make_auth(oauth(), clock)
    with sync_client(hub, auth) as http:
        http.get(API_PATH)
        clock.now = T0 + 1800 - 61
        http.get(API_PATH)
        assert hub.refreshes == 1
        clock.now = T0 + 1800 - 59
        http.get(API_PATH)
    assert hub.refreshes == 2
    assert hub.api_tokens == ["at-NEW-1", "at-NEW-1", "at-NEW-2"]


# --------------------------------------------------------------------------- 401 handling


def test_expired_401_refreshes_and_replays_once() -> None:
    hub = FakeHubSpot()  # STALE_TOKEN is not valid: HubSpot says it expired
    auth = make_auth(oauth(access_token=STALE_TOKEN, expires_at=T0 + 1000))
    with sync_client(hub, auth) as http:
        response = http.post(API_PATH, json={"inputs": [{"typeId": 279}]})
    assert response.status_code == 200
    assert hub.refreshes == 1
    assert hub.api_tokens == [STALE_TOKEN, "at-NEW-1"]
    # The replay carries the same body.
    assert hub.api_bodies[0] == hub.api_bodies[1] == b'{"inputs":[{"typeId":279}]}'


def test_no_loop_when_the_new_token_is_rejected_too() -> None:
    hub = FakeHubSpot(reject_everything=True)
    auth = make_auth(oauth(access_token=STALE_TOKEN))
    with sync_client(hub, auth) as http:
        response = http.get(API_PATH)
    assert response.status_code == 401  # handed to the caller, who raises AuthenticationError
    assert hub.refreshes == 1
    assert hub.api_tokens == [STALE_TOKEN, "at-NEW-1"]


def test_invalid_authentication_refreshes_while_expiry_is_unknown() -> None:
    hub = FakeHubSpot(reject_category="INVALID_AUTHENTICATION")
    auth = make_auth(oauth(access_token=STALE_TOKEN))  # expiry unknown
    with sync_client(hub, auth) as http:
        assert http.get(API_PATH).status_code == 200
    assert hub.refreshes == 1


def test_invalid_authentication_is_final_when_expiry_is_known() -> None:
    hub = FakeHubSpot(reject_category="INVALID_AUTHENTICATION")
    auth = make_auth(oauth(access_token=STALE_TOKEN, expires_at=T0 + 1000))
    with sync_client(hub, auth) as http:
        assert http.get(API_PATH).status_code == 401
    assert hub.refreshes == 0
    assert hub.api_tokens == [STALE_TOKEN]


def test_other_statuses_never_refresh() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v1/token":
            raise AssertionError("no refresh expected")
        return httpx.Response(403, json={"category": "MISSING_SCOPES", "message": "no"})

    auth = make_auth(oauth(access_token=STALE_TOKEN))
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as http:
        assert http.get(f"{BASE}{API_PATH}").status_code == 403
    assert auth.refresh_count == 0


# --------------------------------------------------------------------------- rotation, callback


def test_rotated_refresh_token_is_kept_and_reported() -> None:
    clock = Clock()
    seen: list[TokenSet] = []
    hub = FakeHubSpot(rotate=True)
    auth = make_auth(oauth(on_refresh=seen.append), clock)
    with sync_client(hub, auth) as http:
        http.get(API_PATH)
        clock.now += 1800  # expired: refresh again, with the rotated token
        http.get(API_PATH)
    assert [form["refresh_token"] for form in hub.refresh_forms] == [
        [REFRESH_TOKEN],
        ["rt-ROTATED-1"],
    ]
    assert seen == [
        TokenSet("at-NEW-1", "rt-ROTATED-1", datetime.fromtimestamp(T0 + 1800, UTC)),
        TokenSet("at-NEW-2", "rt-ROTATED-2", datetime.fromtimestamp(T0 + 3600, UTC)),
    ]
    assert seen[0].expires_at.tzinfo is not None


def test_refresh_token_kept_when_the_answer_has_none() -> None:
    clock = Clock()
    seen: list[TokenSet] = []
    hub = FakeHubSpot(rotate=False)
    auth = make_auth(oauth(on_refresh=seen.append), clock)
    with sync_client(hub, auth) as http:
        http.get(API_PATH)
        clock.now += 1800
        http.get(API_PATH)
    assert [form["refresh_token"] for form in hub.refresh_forms] == [
        [REFRESH_TOKEN],
        [REFRESH_TOKEN],
    ]
    assert [tokens.refresh_token for tokens in seen] == [REFRESH_TOKEN, REFRESH_TOKEN]


def test_callback_exception_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken(tokens: TokenSet) -> None:
        raise RuntimeError(f"could not save {tokens.access_token} / {tokens.refresh_token}")

    hub = FakeHubSpot(rotate=True)
    auth = make_auth(oauth(on_refresh=broken))
    with caplog.at_level(logging.DEBUG, logger="hubspot_assoc"), sync_client(hub, auth) as http:
        assert http.get(API_PATH).status_code == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "RuntimeError" in errors[0].getMessage()
    logged = caplog.text
    for secret in (*SECRETS, "at-NEW-1", "rt-ROTATED-1"):
        assert secret not in logged
    assert hub.api_tokens == ["at-NEW-1"]  # the refreshed token is used regardless


# --------------------------------------------------------------------------- failed refresh


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            400,
            json={
                "status": "BAD_REFRESH_TOKEN",
                "message": f"missing or invalid refresh token {REFRESH_TOKEN}",
                "error": "invalid_grant",
                "error_description": f"refresh token {REFRESH_TOKEN} is invalid",
                "correlationId": "c0ffee00-0000-4000-8000-000000000001",
            },
        ),
        httpx.Response(
            401,
            json={"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"},
        ),
        httpx.Response(502, text="<html>Bad gateway</html>"),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"refresh_token": "rt-x", "expires_in": 1800}),  # no token
        httpx.Response(200, json={"access_token": "at-x", "expires_in": "soon"}),
    ],
    ids=["invalid_grant", "invalid_client", "html-502", "non-json", "no-token", "bad-expiry"],
)
def test_failed_refresh_raises_without_secrets(
    answer: httpx.Response, caplog: pytest.LogCaptureFixture
) -> None:
    hub = FakeHubSpot(token_answer=answer)
    auth = make_auth(oauth(access_token=STALE_TOKEN))
    with (
        caplog.at_level(logging.DEBUG, logger="hubspot_assoc"),
        sync_client(hub, auth) as http,
        pytest.raises(APIError) as caught,
    ):
        http.get(API_PATH)
    error = caught.value
    # A rejected refresh is an AuthenticationError; a 200 without a usable token is not a
    # rejection, and says what HubSpot answered instead.
    expected = UnexpectedResponseError if answer.status_code == 200 else AuthenticationError
    assert type(error) is expected
    assert error.status_code == answer.status_code
    assert "refresh" in str(error).lower()
    assert_no_secrets(str(error), repr(error), json.dumps(error.body), caplog.text)
    assert "at-x" not in str(error) and "at-x" not in json.dumps(error.body)
    assert hub.refreshes == 1
    assert auth.refresh_count == 0


def test_failed_refresh_is_not_repeated_by_every_waiting_thread() -> None:
    answer = httpx.Response(400, json={"error": "invalid_grant", "status": "BAD_REFRESH_TOKEN"})
    hub = FakeHubSpot(token_answer=answer, token_delay=0.05)
    auth = make_auth(oauth())  # no access token: everyone needs a refresh
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def call(http: httpx.Client) -> None:
        barrier.wait()
        try:
            http.get(API_PATH)
            outcomes.append("ok")
        except AuthenticationError:
            outcomes.append("auth-error")

    with sync_client(hub, auth) as http:
        threads = [threading.Thread(target=call, args=(http,)) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert outcomes == ["auth-error"] * 10
    assert hub.refreshes == 1
    assert hub.api_tokens == []


# --------------------------------------------------------------------------- concurrency


def run_threads(n: int, target: Callable[[], None]) -> None:
    barrier = threading.Barrier(n)
    failures: list[BaseException] = []

    def wrapped() -> None:
        barrier.wait()
        try:
            target()
        except BaseException as exc:  # surfaced below with its thread's traceback
            failures.append(exc)

    threads = [threading.Thread(target=wrapped) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


@pytest.mark.parametrize(
    "config",
    [
        oauth(access_token=STALE_TOKEN, expires_at=T0 - 5),  # known to be expired: proactive
        oauth(access_token=STALE_TOKEN),  # unknown expiry: every thread gets a 401 first
    ],
    ids=["proactive", "after-401"],
)
def test_twenty_threads_share_one_refresh(config: OAuth) -> None:
    hub = FakeHubSpot(token_delay=0.05)
    auth = make_auth(config)
    statuses: list[int] = []
    with sync_client(hub, auth) as http:
        run_threads(20, lambda: statuses.append(http.get(API_PATH).status_code))
    assert statuses == [200] * 20
    assert hub.refreshes == 1
    assert auth.refresh_count == 1
    assert hub.api_tokens.count("at-NEW-1") == 20


@pytest.mark.parametrize(
    "config",
    [oauth(access_token=STALE_TOKEN, expires_at=T0 - 5), oauth(access_token=STALE_TOKEN)],
    ids=["proactive", "after-401"],
)
def test_fifty_tasks_share_one_refresh(config: OAuth) -> None:
    hub = FakeHubSpot(token_delay=0.02)
    auth = make_auth(config)

    async def main() -> list[int]:
        async with async_client(hub, auth) as http:
            responses = await asyncio.gather(*(http.get(API_PATH) for _ in range(50)))
        return [r.status_code for r in responses]

    assert asyncio.run(main()) == [200] * 50
    assert hub.refreshes == 1
    assert hub.api_tokens.count("at-NEW-1") == 50


def test_async_flow_refreshes_replays_and_fails_like_the_sync_one() -> None:
    hub = FakeHubSpot(reject_everything=True)
    auth = make_auth(oauth(access_token=STALE_TOKEN))

    async def main() -> int:
        async with async_client(hub, auth) as http:
            return (await http.get(API_PATH)).status_code

    assert asyncio.run(main()) == 401
    assert hub.refreshes == 1
    assert hub.api_tokens == [STALE_TOKEN, "at-NEW-1"]

    failing = FakeHubSpot(token_answer=httpx.Response(400, json={"error": "invalid_grant"}))
    auth = make_auth(oauth())

    async def fail() -> None:
        async with async_client(failing, auth) as http:
            await http.get(API_PATH)

    with pytest.raises(AuthenticationError) as caught:
        asyncio.run(fail())
    assert_no_secrets(str(caught.value), repr(caught.value))


def test_one_auth_serves_successive_event_loops() -> None:
    # asyncio locks belong to one loop; contention in a second asyncio.run() must work.
    clock = Clock()
    hub = FakeHubSpot(token_delay=0.01)
    auth = make_auth(oauth(), clock)

    async def burst() -> None:
        async with async_client(hub, auth) as http:
            await asyncio.gather(*(http.get(API_PATH) for _ in range(5)))

    asyncio.run(burst())
    clock.now += 1800
    asyncio.run(burst())
    assert hub.refreshes == 2
