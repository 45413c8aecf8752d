"""The shared Redis store: one budget for a fleet, against a real redis-server."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hubspot_assoc import AsyncClient, Client, RateLimit
from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.ratelimit_redis import KEY_PREFIX, RedisWindow, budget_key
from hubspot_assoc.sandbox import Sandbox
from tests.support.redis_server import RedisServer, free_port

PURGE = ("contacts", "companies", [("HUBSPOT_DEFINED", 279)])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=(10, 1.0), daily_limit=None) as running:
        yield running


def statuses(sandbox: Sandbox) -> list[int | None]:
    return [r.status for r in sandbox.requests]


def redis_client(server: RedisServer) -> Any:
    import redis

    return redis.Redis.from_url(server.url)


def window_keys(server: RedisServer) -> list[str]:
    """The keys holding request windows (not the in-flight or budget companions)."""
    keys = [k.decode() for k in redis_client(server).keys(KEY_PREFIX + "*")]
    return sorted(k for k in keys if k.count(":") == 2)


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "rate-limit store" in r.getMessage()
    ]


# --- one budget for several processes ---------------------------------------------------------

_WORKER = textwrap.dedent(
    """
    import sys, threading, time
    from hubspot_assoc import Client, RateLimit
    url, token, store, start_at = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    client = Client(token, base_url=url, rate_limit=RateLimit(store=store))
    time.sleep(max(0.0, start_at - time.time()))
    def work():
        for _ in range(4):
            client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])
    threads = [threading.Thread(target=work) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print("done")
    """
)


def test_processes_sharing_a_store_keep_one_budget(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    # Three processes x 3 threads x 4 calls = 36 calls at 10 per second: each process alone
    # would take its 12 at once (it starts believing in 100 per 10 s); together they
    # must queue, and HubSpot's window must never overflow.
    start_at = time.time() + 3.0
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WORKER,
                sandbox.url,
                sandbox.token,
                redis_server.url,
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    finished = time.time()
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in outs]
    assert all(out.strip() == "done" for out, _ in outs)
    answers = statuses(sandbox)
    assert answers.count(204) == 36
    assert 429 not in answers
    # 36 calls under 10 per second: the last ten cannot start before three seconds.
    assert finished - start_at >= 3.0


# --- the store fails: calls go on -------------------------------------------------------------


def test_a_store_that_refuses_connections_never_fails_a_call(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hubspot_assoc")
    url = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"  # nothing listens there
    with Client(sandbox.token, base_url=sandbox.url, rate_limit=RateLimit(store=url)) as client:
        for _ in range(5):
            client.limits.purge(*PURGE)
    assert statuses(sandbox) == [204] * 5
    warnings = store_warnings(caplog)
    assert len(warnings) == 1  # one line for the outage, not one per call
    assert "127.0.0.1" in warnings[0].getMessage()
    assert "s3cret-pass" not in caplog.text


def test_redis_killed_and_restarted_mid_run(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hubspot_assoc")
    window = RedisWindow(RateLimit(1000, 1.0, adapt=False), redis_server.url, "t", retry_after=0.3)
    store = redis_client(redis_server)

    def calls(n: int) -> None:
        for _ in range(n):
            window.finish_sync(window.acquire_sync())

    calls(5)
    assert store.zcard(window.key) == 5  # the store keeps the count
    redis_server.kill()
    began = time.monotonic()
    calls(20)  # no exception, and no long waits for a dead server
    assert time.monotonic() - began < 2.0
    assert len(store_warnings(caplog)) == 1
    redis_server.start()
    time.sleep(0.4)  # past retry_after: the next call tries the store again
    calls(3)
    assert store.zcard(window.key) == 3  # a fresh server, counting again
    assert any("answers again" in r.getMessage() for r in caplog.records)
    redis_server.kill()
    calls(2)
    assert len(store_warnings(caplog)) == 2  # a second outage is a second line


def test_local_window_takes_over_with_this_process_count(redis_server: RedisServer) -> None:
    window = RedisWindow(RateLimit(3, 30.0, adapt=False), redis_server.url, "t", retry_after=60)
    for _ in range(3):
        window.finish_sync(window.acquire_sync())
    redis_server.kill()
    # The local window saw the three requests too: a fourth must wait for the interval.
    assert window.wait_time() > 25.0


# --- keys ------------------------------------------------------------------------------------


def test_two_tokens_keep_separate_budgets(redis_server: RedisServer) -> None:
    with Sandbox(rate_limit=(5, 1.0), daily_limit=None) as sandbox:
        other = sandbox.auth.create_token()
        clients = [
            Client(token, base_url=sandbox.url, rate_limit=RateLimit(store=redis_server.url))
            for token in (sandbox.token, other)
        ]
        began = time.monotonic()
        for client in clients:
            for _ in range(5):
                client.limits.purge(*PURGE)
        elapsed = time.monotonic() - began
        for client in clients:
            client.close()
        answers = statuses(sandbox)
    # Five each fit in each token's own window at once; one shared key would make the
    # second client wait a whole interval.
    assert answers == [204] * 10
    assert elapsed < 0.9
    assert len(window_keys(redis_server)) == 2


def test_keys_are_digests_of_the_credential_and_expire(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    with Client(
        sandbox.token, base_url=sandbox.url, rate_limit=RateLimit(store=redis_server.url)
    ) as client:
        client.limits.purge(*PURGE)
    store = redis_client(redis_server)
    keys = [k.decode() for k in store.keys("*")]
    expected = budget_key(f"{sandbox.url}\0token\0{sandbox.token}")
    assert expected in keys
    assert (
        expected
        == KEY_PREFIX
        + hashlib.sha256(f"{sandbox.url}\0token\0{sandbox.token}".encode()).hexdigest()
    )
    dump = repr([(k, store.zrange(k, 0, -1, withscores=True)) for k in keys])
    assert sandbox.token not in dump and sandbox.token[-12:] not in dump
    ttl = store.pttl(expected)
    # Gone once no window can need it: an interval (10 s assumed before the first answer)
    # plus the minute a request may stay in flight.
    assert 0 < ttl <= (10.0 + 61.0) * 1000


def test_sync_and_async_clients_share_one_store_budget(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    limit = RateLimit(store=redis_server.url)

    async def async_calls() -> None:
        async with AsyncClient(sandbox.token, base_url=sandbox.url, rate_limit=limit) as client:
            await asyncio.gather(*(client.limits.purge(*PURGE) for _ in range(10)))

    sync_client = Client(sandbox.token, base_url=sandbox.url, rate_limit=limit)

    def sync_calls() -> None:
        for _ in range(10):
            sync_client.limits.purge(*PURGE)

    began = time.monotonic()
    thread = threading.Thread(target=sync_calls)
    thread.start()
    asyncio.run(async_calls())
    thread.join()
    sync_client.close()
    elapsed = time.monotonic() - began
    answers = statuses(sandbox)
    assert answers.count(204) == 20 and 429 not in answers
    assert elapsed >= 0.9  # twenty at ten per second: the second ten waited a window


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize("store", ["http://localhost:6379", "localhost:6379", 6379, ""])
def test_store_must_be_a_redis_url(store: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RateLimit(store=store)
    assert caught.value.argument == "store"


def test_repr_hides_the_store_password() -> None:
    text = repr(RateLimit(store="redis://user:hunter2@cache:6379/0"))
    assert "hunter2" not in text and "user:***@cache:6379" in text


def test_environment_names_the_store(
    sandbox: Sandbox, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_RATE_LIMIT_STORE", redis_server.url)
    with Client(sandbox.token, base_url=sandbox.url) as client:
        assert isinstance(client._core.window, RedisWindow)
        client.limits.purge(*PURGE)
    assert len(window_keys(redis_server)) == 1


def test_environment_store_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_RATE_LIMIT_STORE", "memcached://x")
    with pytest.raises(InvalidInputError) as caught:
        Client("pat-na1-test", base_url="http://127.0.0.1:9")
    assert caught.value.argument == "HUBSPOT_RATE_LIMIT_STORE"


def test_building_a_client_with_a_store_does_not_import_redis() -> None:
    code = (
        "import sys, hubspot_assoc;"
        "hubspot_assoc.Client('pat-na1-test', base_url='http://127.0.0.1:9',"
        " rate_limit=hubspot_assoc.RateLimit(store='redis://127.0.0.1:9/0'));"
        "hubspot_assoc.AsyncClient('pat-na1-test', base_url='http://127.0.0.1:9',"
        " rate_limit=hubspot_assoc.RateLimit(store='redis://127.0.0.1:9/0'));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'redis'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_new_process_uses_the_budget_the_fleet_learned(redis_server: RedisServer) -> None:
    veteran = RedisWindow(RateLimit(2, 30.0, adapt=False), redis_server.url, "t")
    veteran.finish_sync(veteran.acquire_sync())
    newcomer = RedisWindow(RateLimit(), redis_server.url, "t")  # still guessing 100 per 10 s
    newcomer.finish_sync(newcomer.acquire_sync())  # the second of two: fits
    ticket = newcomer._new_ticket()
    name, args = newcomer._call(ticket)
    wait_us = newcomer._sync_client()[1][name](keys=newcomer._keys, args=args)
    assert wait_us > 25_000_000  # the third waits for the fleet's 30 s window, not its guess


def test_without_the_redis_package_calls_go_on_and_say_what_to_install(sandbox: Sandbox) -> None:
    code = textwrap.dedent(
        f"""
        import logging, sys
        sys.modules["redis"] = None  # as if hubspot-assoc[redis] was not installed
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        from hubspot_assoc import Client, RateLimit
        client = Client({sandbox.token!r}, base_url={sandbox.url!r},
                        rate_limit=RateLimit(store="redis://127.0.0.1:9/0"))
        for _ in range(3):
            client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "hubspot-assoc[redis]" in warnings[0]
    assert statuses(sandbox) == [204] * 3


def test_closing_the_client_closes_its_store_connections(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    store = redis_client(redis_server)
    before = len(store.client_list())
    client = Client(
        sandbox.token, base_url=sandbox.url, rate_limit=RateLimit(store=redis_server.url)
    )
    client.limits.purge(*PURGE)
    assert len(store.client_list()) == before + 1
    client.close()
    deadline = time.monotonic() + 2
    while len(store.client_list()) > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(store.client_list()) == before
