"""Hostile and careless client settings and use (issue 11, points 1-3), for both clients."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import pytest

from hubspot_assoc import APITimeoutError, AsyncClient, Client, HubSpotError, InvalidInputError
from hubspot_assoc.sandbox import Sandbox

from .conftest import Trickle, call, elapsed

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"

# -- 1: timeout bounds a whole attempt --------------------------------------------------------


def test_timeout_bounds_an_attempt_against_a_trickling_server(kind: str, trickle: Trickle) -> None:
    took, out = elapsed(
        lambda: call(
            kind,
            lambda cls: cls(TOKEN, base_url=trickle.url, timeout=1, retry=None, rate_limit=None),
            lambda c: c.limits.get("contacts", "companies"),
        )
    )
    assert isinstance(out, APITimeoutError), out
    assert took < 2.5, took  # 1 s plus generous slack; it took 60 s before
    assert "timeout" in str(out)


def test_timeout_bounds_an_attempt_with_a_callers_http_client(trickle: Trickle) -> None:
    with httpx.Client(timeout=30) as http:
        client = Client(TOKEN, base_url=trickle.url, timeout=1, retry=None, http_client=http)
        took, out = elapsed(lambda: client.limits.get("contacts", "companies"))
    assert isinstance(out, APITimeoutError), out
    assert took < 2.5


def test_timeout_leaves_room_for_a_normal_answer(kind: str) -> None:
    with Sandbox(rate_limit=None) as sb:
        out = call(
            kind,
            lambda cls: cls(sb.token, base_url=sb.url, timeout=5, retry=None),
            lambda c: c.labels.list("contacts", "companies"),
        )
    assert 279 in {label.type_id for label in out}


# -- 2: bad settings fail at construction ---------------------------------------------------


@pytest.mark.parametrize(
    "timeout",
    [math.nan, math.inf, -math.inf, 1e300, -1, 0, 0.0, True, False, "5", b"5", [5], 10**400],
    ids=repr,
)
def test_bad_timeout_is_refused_at_construction(kind: str, timeout: Any) -> None:
    cls = Client if kind == "sync" else AsyncClient
    with pytest.raises(InvalidInputError) as caught:
        cls(TOKEN, base_url="http://127.0.0.1:1", timeout=timeout)
    assert caught.value.argument == "timeout"
    assert "seconds" in caught.value.allowed


@pytest.mark.parametrize("timeout", [0.001, 1, 30.0, 86_400, None])
def test_sensible_timeouts_are_accepted(kind: str, timeout: float | None) -> None:
    cls = Client if kind == "sync" else AsyncClient
    cls(TOKEN, base_url="http://127.0.0.1:1", timeout=timeout)


@pytest.mark.parametrize(
    "base_url",
    [
        5,
        b"http://x",
        ["http://x"],
        "http://[::1",
        "http://x:99999",
        "http://x:port",
        "ftp://x",
        "x",
        "http://",
        "http://api.hubapi.com?x=1",
        "http://api.hubapi.com/?hapikey=secret-hapikey",
        "http://api.hubapi.com/#top",
        "http://api.hubapi.com/ path",
        "http://api.hubapi.com\r\nX-Evil: 1",
    ],
    ids=repr,
)
def test_bad_base_url_is_refused_at_construction(kind: str, base_url: Any) -> None:
    cls = Client if kind == "sync" else AsyncClient
    with pytest.raises(InvalidInputError) as caught:
        cls(TOKEN, base_url=base_url)
    assert caught.value.argument == "base_url"
    assert "secret-hapikey" not in str(caught.value) + repr(caught.value)


def test_base_url_from_the_environment_is_checked_too(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://[::1")
    cls = Client if kind == "sync" else AsyncClient
    with pytest.raises(InvalidInputError, match="HUBSPOT_BASE_URL") as caught:
        cls(TOKEN)
    assert caught.value.argument == "base_url"


@pytest.mark.parametrize(
    "base_url",
    ["http://user:hunter2pass@api.hubapi.com", "http://:hunter2pass@api.hubapi.com/"],
)
def test_credentials_in_base_url_are_refused_and_never_shown(kind: str, base_url: str) -> None:
    cls = Client if kind == "sync" else AsyncClient
    with pytest.raises(InvalidInputError) as caught:
        cls(TOKEN, base_url=base_url)
    assert caught.value.argument == "base_url"
    shown = str(caught.value) + repr(caught.value) + repr(caught.value.value)
    assert "hunter2pass" not in shown


def test_repr_shows_base_url_and_credential_kind_only(kind: str) -> None:
    cls = Client if kind == "sync" else AsyncClient
    client = cls(TOKEN, base_url="http://127.0.0.1:8080/")
    assert repr(client) == f"{cls.__name__}(base_url='http://127.0.0.1:8080', " + (
        "api_version='v4', credential='access token')"
    )


@pytest.mark.parametrize("base_url", ["http://[::1]:8080", "https://API.hubapi.com/", " http://x "])
def test_good_base_urls_still_work(base_url: str) -> None:
    Client(TOKEN, base_url=base_url)


# -- 3: an AsyncClient across event loops ---------------------------------------------------


def test_async_client_works_from_two_event_loops() -> None:
    with Sandbox(rate_limit=None) as sb:
        client = AsyncClient(sb.token, base_url=sb.url, retry=None)
        first = asyncio.run(client.labels.list("contacts", "companies"))
        second = asyncio.run(client.labels.list("contacts", "companies"))
        third = asyncio.run(client.limits.list())
        asyncio.run(client.aclose())
    assert [t.type_id for t in first] == [t.type_id for t in second]
    assert third is not None


def test_async_client_with_context_manager_in_each_loop() -> None:
    with Sandbox(rate_limit=None) as sb:
        client = AsyncClient(sb.token, base_url=sb.url, retry=None)

        async def use() -> int:
            async with client:
                return len(await client.labels.list("contacts", "companies"))

        assert asyncio.run(use()) == asyncio.run(use()) > 0


def test_callers_async_http_client_in_a_second_loop_is_a_clear_error() -> None:
    with Sandbox(rate_limit=None) as sb:
        http = httpx.AsyncClient()
        client = AsyncClient(sb.token, base_url=sb.url, retry=None, http_client=http)
        asyncio.run(client.labels.list("contacts", "companies"))
        with pytest.raises(HubSpotError, match="event loop") as caught:
            asyncio.run(client.labels.list("contacts", "companies"))
        assert "http_client" in str(caught.value)


def test_a_closed_client_opens_new_connections_when_used_again(kind: str) -> None:
    with Sandbox(rate_limit=None) as sb:

        def twice(client: Any) -> Any:
            if kind == "sync":
                client.labels.list("contacts", "companies")
                client.close()
                return client.labels.list("contacts", "companies")

            async def go() -> Any:
                await client.labels.list("contacts", "companies")
                await client.aclose()
                return await client.labels.list("contacts", "companies")

            return go()

        out = call(kind, lambda cls: cls(sb.token, base_url=sb.url, retry=None), twice)
    assert 279 in {label.type_id for label in out}


def test_a_closed_http_client_of_yours_is_a_clear_error(kind: str) -> None:
    with Sandbox(rate_limit=None) as sb:
        if kind == "sync":
            http = httpx.Client()
            http.close()
            client = Client(sb.token, base_url=sb.url, retry=None, http_client=http)
            with pytest.raises(HubSpotError, match="http_client"):
                client.labels.list("contacts", "companies")
            return

        async def go() -> None:
            http = httpx.AsyncClient()
            await http.aclose()
            client = AsyncClient(sb.token, base_url=sb.url, retry=None, http_client=http)
            with pytest.raises(HubSpotError, match="http_client"):
                await client.labels.list("contacts", "companies")

        asyncio.run(go())
