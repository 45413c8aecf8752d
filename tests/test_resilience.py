"""Retries, rate limiting and OAuth refresh, end to end against the sandbox, for BOTH clients.

Every test takes the ``connect`` fixture, which is parametrized over ``Client`` and
``AsyncClient``: ``api = connect(sb, retry=...)`` builds one of them and wraps it in a small
sync-looking :class:`Twin`, so the same test body drives threads or an event loop::

    api(lambda c: c.limits.purge(...))          # awaited for the async client
    api.fails(ServerError, lambda c: ...)       # pytest.raises + "no secret in str/repr"
    api.concurrently(lambda c: ..., n=20)       # n threads, or n tasks on one loop

Requests are counted exactly from the sandbox's own log (:func:`log`: ``(route, status,
fault)`` per request, ``status`` None for a dropped connection) and effects are checked in the
sandbox's state, never in what the client says about itself. Retry waits are a few
milliseconds (:data:`FAST`); the only waits that take real time are the ones under test
(``Retry-After`` of a fraction of a second, a 0.2 s client timeout, a 5-per-0.5 s budget).

The module's sandbox runs in every ``--emulate`` mode (:data:`MODES`), the client calling the
API version of that mode. The whole suite runs in the default mode (``v4``); in the other
modes a representative subset runs (:data:`EVERY_MODE`): one test per fault kind (5xx, 429
with Retry-After, daily 429, dropped connection, answer lost after applying, read timeout,
unreadable and unknown-enum bodies, 4xx, an expired OAuth token) for every operation family,
which is where the published versions' different statuses and shapes meet the retry logic.
Running all of it four times would quadruple the suite's time to test pacing code (limiter,
OAuth refresh locking) that never looks at an answer's status or shape.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from hubspot_assoc import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    MissingScopesError,
    NotFoundError,
    OAuth,
    RateLimit,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TokenSet,
    UnexpectedResponseError,
)
from hubspot_assoc.errors import HubSpotError
from hubspot_assoc.sandbox import OAuthApp, RecordedRequest, Sandbox

E = TypeVar("E", bound=BaseException)

#: Retries as the default policy (3), but waiting milliseconds instead of seconds.
FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.01, max_retry_after=1.0)
RETRYABLE_STATUSES = (429, 500, 502, 503, 504, 521, 523, 524)
PAIR = ("contacts", "companies")
TOKEN_PATH = "/oauth/v1/token"

Entry = tuple[str | None, int | None, str | None]

#: Each ``--emulate`` mode of the sandbox, and the API version the client calls in it.
MODES = {"v4": "v4", "v4-legacy": "v4", "2026-03": "2026-03", "2025-09": "2025-09"}
DEFAULT_MODE = "v4"
#: What a successful purge answers in each mode (HubSpot's published specs).
PURGED = {"v4": 204, "v4-legacy": 200, "2026-03": 200, "2025-09": 200}
#: The tests that run in every mode; the others run in :data:`DEFAULT_MODE` only.
EVERY_MODE = {
    "test_idempotent_operations_are_retried_after_a_5xx",
    "test_idempotent_operations_are_retried_after_a_dropped_connection",
    "test_idempotent_operations_are_retried_when_the_answer_is_lost_after_applying",
    "test_label_create_is_not_retried_after_a_5xx",
    "test_label_create_is_retried_after_a_429",
    "test_a_server_given_retry_after_is_honoured",
    "test_the_daily_limit_is_never_retried",
    "test_purge_is_retried_after_a_read_timeout",
    "test_a_delete_whose_answer_was_lost_succeeds_when_the_retry_finds_it_gone",
    "test_an_unreadable_success_body_raises_with_the_raw_body_and_is_not_retried",
    "test_unknown_enum_values_are_kept_as_strings",
    "test_client_errors_are_raised_after_one_request",
    "test_oauth_expired_token_of_unknown_expiry_is_refreshed_once_after_a_401",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give each test using the module's sandbox its modes (see the module docstring)."""
    if "emulate" in metafunc.fixturenames:
        every = metafunc.function.__name__ in EVERY_MODE
        metafunc.parametrize("emulate", list(MODES) if every else [DEFAULT_MODE], scope="module")


# --------------------------------------------------------------------------- the twin


class Twin:
    """A ``Client`` or an ``AsyncClient``, driven through one sync-looking interface.

    ``secrets`` are the credential strings this client was built with; :meth:`fails`
    checks that none of them shows in the error it returns.
    """

    def __init__(
        self, client: Client | AsyncClient, runner: asyncio.Runner | None, secrets: list[str]
    ) -> None:
        self.client = client
        self.runner = runner
        self.secrets = secrets

    @property
    def is_async(self) -> bool:
        return self.runner is not None

    @property
    def core(self) -> Any:
        return self.client._core

    def __call__(self, call: Callable[[Any], Any]) -> Any:
        """Run ``call(client)``; for the async client, await what it returns."""
        result = call(self.client)
        if inspect.isawaitable(result):
            assert self.runner is not None
            return self.runner.run(_awaited(result))
        return result

    def fails(self, error_type: type[E], call: Callable[[Any], Any]) -> E:
        """The ``error_type`` exception ``call`` raises, after checking it leaks no secret."""
        with pytest.raises(error_type) as info:
            self(call)
        assert_no_secrets(info.value, self.secrets)
        return info.value

    def timed(self, call: Callable[[Any], Any]) -> tuple[Any, float]:
        """``(result or raised exception, seconds taken)``."""
        started = time.perf_counter()
        try:
            result: Any = self(call)
        except HubSpotError as exc:
            result = exc
        return result, time.perf_counter() - started

    def concurrently(self, call: Callable[[Any], Any], n: int) -> list[Any]:
        """Run ``call(client)`` ``n`` times at once: ``n`` threads, or ``n`` tasks on one loop."""
        if self.runner is None:
            start = threading.Barrier(n)

            def one(_: int) -> Any:
                start.wait()
                return call(self.client)

            with ThreadPoolExecutor(max_workers=n) as pool:
                return list(pool.map(one, range(n)))

        async def all_tasks() -> list[Any]:
            return list(await asyncio.gather(*(call(self.client) for _ in range(n))))

        return self.runner.run(all_tasks())


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


Connect = Callable[..., Twin]


@pytest.fixture(params=["sync", "async"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """``connect(sb, **client_kwargs)``: a :class:`Twin` over a client of the sandbox ``sb``.

    Defaults: the sandbox's private app token, :data:`FAST` retries, no client-side
    rate limiter (each test that needs one passes it).
    """
    runner = asyncio.Runner() if request.param == "async" else None
    made: list[Client | AsyncClient] = []

    def connect(sb: Sandbox, **kwargs: Any) -> Twin:
        kwargs.setdefault("base_url", sb.url)
        kwargs.setdefault("api_version", MODES.get(sb.emulate, "v4"))
        kwargs.setdefault("retry", FAST)
        kwargs.setdefault("rate_limit", None)
        if "oauth" not in kwargs:
            kwargs.setdefault("access_token", sb.token)
        secrets = [kwargs["access_token"]] if kwargs.get("access_token") else []
        oauth = kwargs.get("oauth")
        if oauth is not None:
            secrets += [oauth.client_secret, oauth.refresh_token]
            secrets += [oauth.access_token] if oauth.access_token else []
        client = AsyncClient(**kwargs) if runner is not None else Client(**kwargs)
        made.append(client)
        return Twin(client, runner, secrets)

    try:
        yield connect
    finally:
        for client in made:
            if isinstance(client, AsyncClient):
                assert runner is not None
                runner.run(client.aclose())
            else:
                client.close()
        if runner is not None:
            runner.close()


@pytest.fixture(scope="module")
def _server(emulate: str) -> Iterator[Sandbox]:
    with Sandbox(emulate=emulate) as sandbox:
        yield sandbox


@pytest.fixture
def sb(_server: Sandbox) -> Sandbox:
    """The module's sandbox (HubSpot's default 100 requests per 10 s budget), reset to a fresh
    portal: seeded state, no faults, budgets unspent, nothing logged, refresh counters zero.

    Every test leaves no request in flight (the delay tests wait for theirs), so nothing from
    one test can land in the next one's log.
    """
    _server.reset()
    return _server


# --------------------------------------------------------------------------- helpers


def purged(sb: Sandbox) -> int:
    """The status of a successful purge in the mode ``sb`` emulates."""
    return PURGED[sb.emulate]


def log(sb: Sandbox) -> list[Entry]:
    """``(route, status, fault)`` of every request the sandbox received, in order."""
    return [(r.route, r.status, r.fault) for r in sb.requests]


def settle(sb: Sandbox, n: int, timeout: float = 5.0) -> list[Entry]:
    """The log once the sandbox has finished ``n`` requests.

    A request is logged when its answer is written, so one the client already gave up on
    (a timeout) shows up later. This waits for that; it does not pace the test.
    """
    deadline = time.monotonic() + timeout
    while len(sb.requests) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return log(sb)


def assert_no_secrets(error: BaseException, secrets: list[str]) -> None:
    texts = (str(error), repr(error))
    for secret in secrets:
        for text in texts:
            assert secret not in text


def succeeded(request: RecordedRequest) -> bool:
    return request.status is not None and 200 <= request.status < 300


def api_requests(sb: Sandbox) -> list[Entry]:
    return [entry for entry in log(sb) if entry[0] != "oauth.token"]


def token_requests(sb: Sandbox) -> list[Entry]:
    return [entry for entry in log(sb) if entry[0] == "oauth.token"]


def purge(c: Any) -> Any:
    return c.limits.purge(*PAIR, [("HUBSPOT_DEFINED", 279)])


def list_labels(c: Any) -> Any:
    return c.labels.list(*PAIR)


def create_boss(c: Any) -> Any:
    return c.labels.create(*PAIR, label="Boss", name="boss")


def labels_named(sb: Sandbox, text: str) -> list[dict[str, Any]]:
    """The association types labelled ``text``, in both directions of the pair."""
    both = sb.state.labels(*PAIR) + sb.state.labels(*reversed(PAIR))
    return [item for item in both if item.get("label") == text]


def seed_portal(sb: Sandbox) -> int:
    """A configured limit on contacts->companies type 279 and a user label "Boss"; its type id."""
    sb.state.set_limit(*PAIR, "HUBSPOT_DEFINED", 279, 5)
    created = sb.state.create_label("0-1", "0-2", "boss", "Boss", None)
    type_id: int = created[0]["typeId"]
    return type_id


# --------------------------------------------------------------------------- retried statuses


@pytest.mark.parametrize("status", RETRYABLE_STATUSES)
def test_each_retryable_status_recovers_within_the_policy(
    connect: Connect, sb: Sandbox, status: int
) -> None:
    sb.state.set_limit(*PAIR, "HUBSPOT_DEFINED", 279, 5)
    sb.inject(status, route="limits.purge", count=3)
    api = connect(sb)

    result = api(purge)

    assert result.ok
    fault = str(status)
    assert log(sb) == [("limits.purge", status, fault)] * 3 + [("limits.purge", purged(sb), None)]
    assert sb.state.limits(*PAIR) == {}


@pytest.mark.parametrize(
    ("status", "error_type"), [(503, ServerError), (524, ServerError), (429, RateLimitError)]
)
def test_a_fault_outlasting_the_policy_raises_with_the_number_of_attempts(
    connect: Connect, sb: Sandbox, status: int, error_type: type[APIError]
) -> None:
    sb.inject(status, route="limits.purge", count=4)
    api = connect(sb)

    error = api.fails(error_type, purge)

    assert error.status_code == status
    assert error.attempts == 4
    assert "after 4 attempts" in str(error)
    assert log(sb) == [("limits.purge", status, str(status))] * 4
    assert sb.faults == []  # all four were spent: nothing was sent after giving up


@pytest.mark.parametrize("max_retries", [0, 1, 5])
def test_max_retries_bounds_the_attempts(connect: Connect, sb: Sandbox, max_retries: int) -> None:
    sb.inject(503, route="labels.list", count=10)
    api = connect(sb, retry=RetryPolicy(max_retries, initial_delay=0.001, max_delay=0.01))

    error = api.fails(ServerError, list_labels)

    assert error.attempts == max_retries + 1
    assert len(sb.requests) == max_retries + 1


def test_retry_none_sends_exactly_once(connect: Connect, sb: Sandbox) -> None:
    sb.inject(503, route="limits.purge", count=2)
    sb.inject("drop", route="labels.list", count=2)
    api = connect(sb, retry=None)

    server = api.fails(ServerError, purge)
    dropped = api.fails(APIConnectionError, list_labels)

    assert server.attempts == 1 and dropped.attempts == 1
    assert "attempts" not in str(server) and "attempts" not in str(dropped)
    assert log(sb) == [("limits.purge", 503, "503"), ("labels.list", None, "drop")]


def test_the_daily_limit_is_never_retried(connect: Connect, sb: Sandbox) -> None:
    sb.inject(429, route="limits.purge", policy="daily", count=2)
    api = connect(sb)

    error = api.fails(RateLimitError, purge)

    assert error.policy == "DAILY"
    assert error.is_daily
    assert error.attempts == 1
    assert log(sb) == [("limits.purge", 429, "429")]


@dataclass
class Refused:
    """A request the sandbox refuses for a reason no retry can fix."""

    status: int
    error_type: type[APIError]
    call: Callable[[Any], Any]
    token: str | None = None  # None: the sandbox's own valid token


REFUSED = {
    "400 unknown type": Refused(
        400, BadRequestError, lambda c: c.limits.purge(*PAIR, [("USER_DEFINED", 99999)])
    ),
    "401 unknown token": Refused(
        401, AuthenticationError, purge, token=f"pat-na1-{uuid.UUID(int=7)}"
    ),
    "403 missing scope": Refused(403, MissingScopesError, purge, token="contacts-only"),
    "404 unknown object type": Refused(
        404, NotFoundError, lambda c: c.labels.list("contacts", "nope")
    ),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_client_errors_are_raised_after_one_request(
    connect: Connect, sb: Sandbox, case: Refused
) -> None:
    token = case.token
    if token == "contacts-only":
        token = sb.create_token(scopes=["crm.objects.contacts.write"])
    api = connect(sb, access_token=token or sb.token)

    error = api.fails(case.error_type, case.call)

    assert error.status_code == case.status
    assert error.attempts == 1
    assert [entry[1] for entry in log(sb)] == [case.status]


def test_missing_scopes_name_the_scopes_the_sandbox_says_are_missing(
    connect: Connect, sb: Sandbox
) -> None:
    # Purging contacts->companies writes both object types; the token may only read them.
    token = sb.create_token(scopes=["crm.objects.contacts.read", "crm.objects.companies.read"])
    api = connect(sb, access_token=token)

    error = api.fails(MissingScopesError, purge)

    assert len(sb.requests) == 1
    said = sb.requests[0].json["context"]["missingScopes"]
    assert sorted(said) == ["crm.objects.companies.write", "crm.objects.contacts.write"]
    assert sorted(error.missing_scopes) == sorted(said)
    assert all(scope in str(error) for scope in said)
    assert error.attempts == 1


# --------------------------------------------------------------------------- Retry-After


@pytest.mark.parametrize("status", [429, 503])
def test_a_server_given_retry_after_is_honoured(connect: Connect, sb: Sandbox, status: int) -> None:
    # The policy's own waits are at most 10 ms: a 0.2 s wait can only come from the header.
    sb.inject(status, route="labels.list", count=1, retry_after=0.2)
    api = connect(sb)

    result, seconds = api.timed(list_labels)

    assert not isinstance(result, HubSpotError)
    assert log(sb) == [("labels.list", status, str(status)), ("labels.list", 200, None)]
    assert seconds >= 0.19


@pytest.mark.parametrize(("status", "error_type"), [(429, RateLimitError), (503, ServerError)])
def test_a_retry_after_above_the_maximum_fails_at_once(
    connect: Connect, sb: Sandbox, status: int, error_type: type[APIError]
) -> None:
    sb.inject(status, route="labels.list", count=1, retry_after=30)
    api = connect(sb, retry=RetryPolicy(initial_delay=0.001, max_delay=0.01, max_retry_after=1))

    error, seconds = api.timed(list_labels)

    assert isinstance(error, error_type)
    assert_no_secrets(error, api.secrets)
    assert error.attempts == 1
    assert log(sb) == [("labels.list", status, str(status))]
    assert seconds < 5  # nowhere near the 30 s asked for
    if isinstance(error, RateLimitError):
        assert error.retry_after == 30


# --------------------------------------------------------------------------- which operations


@dataclass
class Op:
    """An operation the client may repeat after an ambiguous failure, and its visible effect."""

    route: str
    call: Callable[[Any, int], Any]
    check: Callable[[Sandbox, Any, int], None]


def _check_listed_limit(sb: Sandbox, result: Any, type_id: int) -> None:
    assert {(limit.type_id, limit.max_to_object_ids) for limit in result} >= {(279, 5)}


def _check_label_listed(sb: Sandbox, result: Any, type_id: int) -> None:
    assert type_id in {label.type_id for label in result if label.label == "Boss"}


def _check_limit(value: int, type_id_of_limit: int) -> Callable[[Sandbox, Any, int], None]:
    def check(sb: Sandbox, result: Any, type_id: int) -> None:
        assert result.ok
        assert sb.state.limit(*PAIR, "HUBSPOT_DEFINED", type_id_of_limit) == value

    return check


def _check_purged(sb: Sandbox, result: Any, type_id: int) -> None:
    assert result.ok
    assert sb.state.limit(*PAIR, "HUBSPOT_DEFINED", 279) is None


def _check_renamed(sb: Sandbox, result: Any, type_id: int) -> None:
    # An unpaired label has one text for both directions: both are renamed.
    assert type_id in {item["typeId"] for item in labels_named(sb, "Chief")}
    assert labels_named(sb, "Boss") == []


def _check_deleted(sb: Sandbox, result: Any, type_id: int) -> None:
    assert type_id not in {item["typeId"] for item in sb.state.labels(*PAIR)}


IDEMPOTENT = {
    "limits.list": Op("limits.list_all", lambda c, t: c.limits.list(), _check_listed_limit),
    "limits.get": Op("limits.list", lambda c, t: c.limits.get(*PAIR), _check_listed_limit),
    "limits.create": Op(
        "limits.create",
        lambda c, t: c.limits.create(*PAIR, [("HUBSPOT_DEFINED", 1, 7)]),
        _check_limit(7, 1),
    ),
    "limits.update": Op(
        "limits.update",
        lambda c, t: c.limits.update(*PAIR, [("HUBSPOT_DEFINED", 279, 9)]),
        _check_limit(9, 279),
    ),
    "limits.purge": Op(
        "limits.purge",
        lambda c, t: c.limits.purge(*PAIR, [("HUBSPOT_DEFINED", 279)]),
        _check_purged,
    ),
    "labels.list": Op("labels.list", lambda c, t: c.labels.list(*PAIR), _check_label_listed),
    "labels.update": Op(
        "labels.update", lambda c, t: c.labels.update(*PAIR, t, label="Chief"), _check_renamed
    ),
    "labels.delete": Op("labels.delete", lambda c, t: c.labels.delete(*PAIR, t), _check_deleted),
}


@pytest.mark.parametrize("op", IDEMPOTENT.values(), ids=IDEMPOTENT.keys())
def test_idempotent_operations_are_retried_after_a_5xx(
    connect: Connect, sb: Sandbox, op: Op
) -> None:
    type_id = seed_portal(sb)
    sb.inject(500, route=op.route, count=1)
    sb.inject(503, route=op.route, count=1)
    api = connect(sb)

    result = api(lambda c: op.call(c, type_id))

    assert [(route, status) for route, status, _ in log(sb)][:2] == [
        (op.route, 500),
        (op.route, 503),
    ]
    assert len(sb.requests) == 3 and succeeded(sb.requests[2])
    op.check(sb, result, type_id)


@pytest.mark.parametrize("op", IDEMPOTENT.values(), ids=IDEMPOTENT.keys())
def test_idempotent_operations_are_retried_after_a_dropped_connection(
    connect: Connect, sb: Sandbox, op: Op
) -> None:
    type_id = seed_portal(sb)
    sb.inject("drop", route=op.route, count=2)
    api = connect(sb)

    result = api(lambda c: op.call(c, type_id))

    assert log(sb)[:2] == [(op.route, None, "drop")] * 2
    assert len(sb.requests) == 3 and succeeded(sb.requests[2])
    op.check(sb, result, type_id)


# labels.delete is left out: see the report (a retried delete answers 400 though it worked).
APPLIED_TWICE_IS_HARMLESS = {k: v for k, v in IDEMPOTENT.items() if k != "labels.delete"}


@pytest.mark.parametrize(
    "op", APPLIED_TWICE_IS_HARMLESS.values(), ids=APPLIED_TWICE_IS_HARMLESS.keys()
)
def test_idempotent_operations_are_retried_when_the_answer_is_lost_after_applying(
    connect: Connect, sb: Sandbox, op: Op
) -> None:
    type_id = seed_portal(sb)
    sb.inject("drop_after", route=op.route, count=1)
    api = connect(sb)

    result = api(lambda c: op.call(c, type_id))

    assert log(sb)[0] == (op.route, None, "drop_after")
    assert len(sb.requests) == 2 and succeeded(sb.requests[1])
    op.check(sb, result, type_id)


def test_purge_is_retried_after_a_read_timeout(connect: Connect, sb: Sandbox) -> None:
    sb.state.set_limit(*PAIR, "HUBSPOT_DEFINED", 279, 5)
    sb.inject("delay", route="limits.purge", count=1, seconds=0.5)
    api = connect(sb, timeout=0.2)

    result = api(purge)

    assert result.ok
    # The delayed request is logged when the sandbox answers it, after the retry.
    entries = settle(sb, 2)
    assert Counter(entries) == Counter(
        [("limits.purge", purged(sb), "delay"), ("limits.purge", purged(sb), None)]
    )
    assert sb.state.limits(*PAIR) == {}


def closed_port_url() -> str:
    """A local URL where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("call", [purge, create_boss], ids=["purge", "label-create"])
def test_a_refused_connection_is_retried_even_for_label_create(
    connect: Connect, sb: Sandbox, call: Callable[[Any], Any]
) -> None:
    # A refused connection means the request never left: safe to retry any operation.
    api = connect(sb, base_url=closed_port_url())

    error = api.fails(APIConnectionError, call)

    assert error.attempts == 4
    assert "after 4 attempts" in str(error)
    assert "refused" in str(error)


# --------------------------------------------------------------------------- label create


@pytest.mark.parametrize("status", [500, 503, 524])
def test_label_create_is_not_retried_after_a_5xx(
    connect: Connect, sb: Sandbox, status: int
) -> None:
    sb.inject(status, route="labels.create", count=1)
    api = connect(sb)

    error = api.fails(ServerError, create_boss)

    assert error.attempts == 1
    assert log(sb) == [("labels.create", status, str(status))]
    assert labels_named(sb, "Boss") == []  # the 5xx fault changed nothing
    assert "may or may not have been applied" in str(error)


def test_label_create_is_retried_after_a_429(connect: Connect, sb: Sandbox) -> None:
    sb.inject(429, route="labels.create", count=2)
    api = connect(sb)

    created = api(create_boss)

    assert log(sb) == [("labels.create", 429, "429")] * 2 + [("labels.create", 200, None)]
    assert len(labels_named(sb, "Boss")) == 2  # one definition: contacts->companies and back
    assert {label.type_id for label in created} == {
        item["typeId"] for item in labels_named(sb, "Boss")
    }


def test_label_create_is_retried_after_a_5xx_when_the_policy_opts_in(
    connect: Connect, sb: Sandbox
) -> None:
    sb.inject(503, route="labels.create", count=2)
    retry = RetryPolicy(initial_delay=0.001, max_delay=0.01, retry_non_idempotent=True)
    api = connect(sb, retry=retry)

    api(create_boss)

    assert log(sb) == [("labels.create", 503, "503")] * 2 + [("labels.create", 200, None)]
    assert len(labels_named(sb, "Boss")) == 2


def test_label_create_is_not_retried_after_a_dropped_connection(
    connect: Connect, sb: Sandbox
) -> None:
    sb.inject("drop", route="labels.create", count=1)
    api = connect(sb)

    error = api.fails(APIConnectionError, create_boss)

    assert not isinstance(error, APITimeoutError)
    assert error.attempts == 1
    assert log(sb) == [("labels.create", None, "drop")]
    assert labels_named(sb, "Boss") == []


def test_label_create_after_a_dropped_connection_is_retried_when_the_policy_opts_in(
    connect: Connect, sb: Sandbox
) -> None:
    sb.inject("drop", route="labels.create", count=1)
    retry = RetryPolicy(initial_delay=0.001, max_delay=0.01, retry_non_idempotent=True)
    api = connect(sb, retry=retry)

    api(create_boss)

    assert log(sb) == [("labels.create", None, "drop"), ("labels.create", 200, None)]
    assert len(labels_named(sb, "Boss")) == 2


def test_label_create_answer_lost_after_applying_raises_and_the_label_exists(
    connect: Connect, sb: Sandbox
) -> None:
    sb.inject("drop_after", route="labels.create", count=1)
    api = connect(sb)

    error = api.fails(APIConnectionError, create_boss)

    assert error.attempts == 1
    assert "closed the connection" in str(error)
    assert log(sb) == [("labels.create", None, "drop_after")]
    # HubSpot (the sandbox) did create it: exactly why the client must not create it again.
    assert len(labels_named(sb, "Boss")) == 2


def test_label_create_read_timeout_raises_and_is_not_retried(connect: Connect, sb: Sandbox) -> None:
    sb.inject("delay", route="labels.create", count=1, seconds=0.5)
    api = connect(sb, timeout=0.2)

    error = api.fails(APITimeoutError, create_boss)

    assert error.attempts == 1
    assert "timeout" in str(error)
    # A retry would have been answered (and logged) before the delayed first request.
    assert settle(sb, 1) == [("labels.create", 200, "delay")]
    assert len(labels_named(sb, "Boss")) == 2


# --------------------------------------------------------------------------- spoiled answers


@pytest.mark.parametrize("kind", ["truncate", "nonjson"])
@pytest.mark.parametrize(
    ("route", "call"),
    [("limits.purge", purge), ("labels.list", list_labels)],
    ids=["purge", "list"],
)
def test_an_unreadable_success_body_raises_with_the_raw_body_and_is_not_retried(
    connect: Connect, sb: Sandbox, kind: str, route: str, call: Callable[[Any], Any]
) -> None:
    sb.inject(kind, route=route, count=1)
    api = connect(sb)

    error = api.fails(UnexpectedResponseError, call)

    assert log(sb) == [(route, 200, kind)]
    raw = sb.requests[0].response_body
    assert raw is not None
    assert error.status_code == 200
    assert error.body == raw.decode()
    assert error.attempts == 1
    assert error.correlation_id == sb.requests[0].correlation_id
    assert ".body" in str(error)


def test_unknown_enum_values_are_kept_as_strings(connect: Connect, sb: Sandbox) -> None:
    sb.inject("enum", route="labels.list", count=1)
    sb.inject("enum", route="limits.create", count=1)
    api = connect(sb)

    labels = api(list_labels)
    created = api(lambda c: c.limits.create(*PAIR, [("HUBSPOT_DEFINED", 279, 4)]))

    sent_labels = sb.requests[0].json["results"]
    assert [label.category for label in labels] == [item["category"] for item in sent_labels]
    assert all(type(label.category) is str for label in labels)
    assert [label.type_id for label in labels] == [item["typeId"] for item in sent_labels]
    sent_batch = sb.requests[1].json
    assert created.status == sent_batch["status"]
    assert [limit.category for limit in created.results] == [
        item["category"] for item in sent_batch["results"]
    ]
    assert [entry[2] for entry in log(sb)] == ["enum", "enum"]


# --------------------------------------------------------------------------- rate limiting


def burst(api: Twin, n: int) -> tuple[list[Any], float]:
    started = time.perf_counter()
    results = api.concurrently(purge, n)
    return results, time.perf_counter() - started


def test_the_limiter_keeps_a_burst_within_the_servers_budget(connect: Connect) -> None:
    with Sandbox(rate_limit=(5, 0.5)) as sb:
        # The server counts arrivals, the limiter spaces starts. Its own margin (5% of the
        # interval) is 500 ms at HubSpot's 10 s but only 25 ms here, less than a loaded CI
        # machine's scheduling jitter: the first requests of a burst also open connections,
        # and arrive late while later ones, on open connections, arrive on time (at exactly
        # 5 per 0.5 s, 8 of 40 async bursts saw a 429 with the CPUs saturated; at 5 per
        # 0.55 s, one in a full-suite run beside a soak). A client budget 50% stricter keeps
        # this deterministic while still only passing if the burst is spread out.
        api = connect(sb, rate_limit=RateLimit(5, 0.75, adapt=False))

        results, seconds = burst(api, 15)

        assert all(result.ok for result in results)
        assert [entry[1] for entry in log(sb)] == [204] * 15  # not one 429
        # 15 starts at 5 per 0.75 s: the last five cannot start before two full intervals.
        assert 1.45 <= seconds < 10


def test_without_a_limiter_a_burst_is_rate_limited_and_retried_to_success(
    connect: Connect,
) -> None:
    with Sandbox(rate_limit=(5, 0.5)) as sb:
        # Enough patience to outlast two full windows whatever the order the retries land in.
        retry = RetryPolicy(max_retries=40, initial_delay=0.001, max_delay=0.2)
        api = connect(sb, rate_limit=None, retry=retry)

        results, _ = burst(api, 15)

        assert all(result.ok for result in results)
        statuses = Counter(entry[1] for entry in log(sb))
        assert statuses[204] == 15
        assert statuses[429] > 0
        assert set(statuses) == {204, 429}


def test_the_limiter_learns_the_budget_from_hubspots_headers(connect: Connect) -> None:
    with Sandbox(rate_limit=(5, 0.5)) as sb:
        api = connect(sb, rate_limit=RateLimit(100, 10.0))
        fixed = connect(sb, rate_limit=RateLimit(100, 10.0, adapt=False))
        assert api.core.window.limit == RateLimit(100, 10.0)

        api(list_labels)
        fixed(list_labels)

        assert api.core.window.limit == RateLimit(5, 0.5)
        assert fixed.core.window.limit == RateLimit(100, 10.0, adapt=False)


def test_a_429_does_not_stall_the_limiter_beyond_the_policys_max_delay(
    connect: Connect, sb: Sandbox
) -> None:
    # After a 429 the limiter counts the window as full; without the policy's cap on that
    # hold, the retry would wait for the sandbox's whole 10 s interval.
    sb.inject(429, route="labels.list", count=1)
    api = connect(sb, rate_limit=RateLimit())

    result, seconds = api.timed(list_labels)

    assert not isinstance(result, HubSpotError)
    assert log(sb) == [("labels.list", 429, "429"), ("labels.list", 200, None)]
    assert seconds < 3


# --------------------------------------------------------------------------- OAuth


def oauth_for(sb: Sandbox, app: OAuthApp, **kwargs: Any) -> OAuth:
    return OAuth(
        client_id=app.client_id,
        client_secret=app.client_secret,
        refresh_token=app.refresh_token,
        **kwargs,
    )


def test_oauth_without_an_access_token_refreshes_before_the_first_call(
    connect: Connect, sb: Sandbox
) -> None:
    app = sb.create_oauth_app()
    api = connect(sb, oauth=oauth_for(sb, app))

    api(list_labels)
    api(list_labels)

    assert sb.refresh_count == 1
    assert log(sb) == [("oauth.token", 200, None)] + [("labels.list", 200, None)] * 2
    assert sb.requests[0].path == TOKEN_PATH  # the default token_url is {base_url}/oauth/v1/token
    new_token = sb.requests[0].json["access_token"]
    assert [r.token for r in sb.requests[1:]] == [new_token, new_token]


def test_oauth_expired_token_of_unknown_expiry_is_refreshed_once_after_a_401(
    connect: Connect, sb: Sandbox
) -> None:
    app = sb.create_oauth_app()
    expired = sb.issue_access_token(app, lifetime=-5)
    api = connect(sb, oauth=oauth_for(sb, app, access_token=expired, expires_at=None))

    result = api(purge)

    assert result.ok
    assert log(sb) == [
        ("limits.purge", 401, None),
        ("oauth.token", 200, None),
        ("limits.purge", purged(sb), None),
    ]
    assert sb.requests[0].json["category"] == "EXPIRED_AUTHENTICATION"
    assert sb.requests[0].token == expired
    assert sb.requests[2].token == sb.requests[1].json["access_token"]
    assert sb.refresh_count == 1


@pytest.mark.parametrize("as_datetime", [True, False], ids=["datetime", "unix-seconds"])
def test_oauth_token_known_to_be_expired_is_refreshed_before_sending(
    connect: Connect, sb: Sandbox, as_datetime: bool
) -> None:
    app = sb.create_oauth_app()
    past = datetime.now(UTC) - timedelta(seconds=10)
    # The token itself would still work: only the stated expiry can trigger this refresh.
    token = sb.issue_access_token(app)
    expires_at = past if as_datetime else past.timestamp()
    api = connect(sb, oauth=oauth_for(sb, app, access_token=token, expires_at=expires_at))

    api(list_labels)

    assert log(sb) == [("oauth.token", 200, None), ("labels.list", 200, None)]
    assert sb.requests[1].token != token
    assert sb.refresh_count == 1


def test_oauth_token_valid_for_long_enough_is_used_as_is(connect: Connect, sb: Sandbox) -> None:
    app = sb.create_oauth_app()
    token = sb.issue_access_token(app)
    later = datetime.now(UTC) + timedelta(minutes=20)
    api = connect(sb, oauth=oauth_for(sb, app, access_token=token, expires_at=later))

    api(list_labels)

    assert log(sb) == [("labels.list", 200, None)]
    assert sb.requests[0].token == token
    assert sb.refresh_count == 0


def test_oauth_keeps_the_rotated_refresh_token_and_reports_it(
    connect: Connect, sb: Sandbox
) -> None:
    # Tokens living 30 s are inside the client's 60 s refresh margin, so every call refreshes;
    # the sandbox retires each refresh token when it rotates it, so the second refresh only
    # works with the refresh token the first one returned.
    app = sb.create_oauth_app(token_lifetime=30)
    saved: list[TokenSet] = []
    api = connect(sb, oauth=oauth_for(sb, app, on_refresh=saved.append))

    before = datetime.now(UTC)
    api(list_labels)
    api(list_labels)

    assert sb.refresh_count == 2
    assert [entry[0] for entry in log(sb)] == ["oauth.token", "labels.list"] * 2
    answers = [r.json for r in sb.requests if r.route == "oauth.token"]
    assert [(t.access_token, t.refresh_token) for t in saved] == [
        (a["access_token"], a["refresh_token"]) for a in answers
    ]
    assert len({app.refresh_token, saved[0].refresh_token, saved[1].refresh_token}) == 3
    for tokens in saved:
        assert tokens.expires_at.tzinfo is not None
        assert before + timedelta(seconds=25) <= tokens.expires_at
        assert tokens.expires_at <= datetime.now(UTC) + timedelta(seconds=31)
        assert tokens.access_token not in repr(tokens)
        assert tokens.refresh_token not in repr(tokens)


def test_oauth_on_refresh_raising_is_logged_not_propagated(
    connect: Connect, sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    app = sb.create_oauth_app(token_lifetime=30)
    seen: list[TokenSet] = []

    def broken_store(tokens: TokenSet) -> None:
        seen.append(tokens)
        raise RuntimeError(f"could not save {tokens.refresh_token}")

    api = connect(sb, oauth=oauth_for(sb, app, on_refresh=broken_store))
    caplog.set_level(logging.DEBUG, logger="hubspot_assoc")

    api(list_labels)
    api(list_labels)  # the rotated token is in use although the callback failed

    assert sb.refresh_count == 2
    assert [entry[1] for entry in api_requests(sb)] == [200, 200]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert all("on_refresh" in r.getMessage() and "RuntimeError" in r.getMessage() for r in errors)
    for tokens in seen:
        assert tokens.refresh_token not in caplog.text
        assert tokens.access_token not in caplog.text


@pytest.mark.parametrize("wrong", ["refresh_token", "client_secret"])
def test_oauth_rejected_refresh_raises_an_authentication_error_without_secrets(
    connect: Connect, sb: Sandbox, caplog: pytest.LogCaptureFixture, wrong: str
) -> None:
    app = sb.create_oauth_app()
    bogus = {wrong: f"na1-dead-{uuid.UUID(int=42)}"}
    oauth = OAuth(
        client_id=app.client_id,
        client_secret=bogus.get("client_secret", app.client_secret),
        refresh_token=bogus.get("refresh_token", app.refresh_token),
    )
    caplog.set_level(logging.DEBUG, logger="hubspot_assoc")
    api = connect(sb, oauth=oauth)
    secrets = [app.client_secret, app.refresh_token, *bogus.values()]

    error = api.fails(AuthenticationError, list_labels)

    assert "rejected the OAuth refresh token" in str(error)
    assert log(sb) == [("oauth.token", 400, None)]
    assert sb.refresh_attempts == 1 and sb.refresh_count == 0
    assert caplog.records  # the failed refresh was logged at DEBUG ...
    assert_no_secrets(error, secrets)
    for secret in secrets:  # ... without any secret
        assert secret not in caplog.text


def test_oauth_rejected_refresh_after_a_401_raises_after_one_replay_attempt(
    connect: Connect, sb: Sandbox
) -> None:
    app = sb.create_oauth_app()
    expired = sb.issue_access_token(app, lifetime=-5)
    oauth = OAuth(
        client_id=app.client_id,
        client_secret=app.client_secret,
        refresh_token=f"na1-dead-{uuid.UUID(int=43)}",
        access_token=expired,
    )
    api = connect(sb, oauth=oauth)

    error = api.fails(AuthenticationError, purge)

    assert "rejected the OAuth refresh token" in str(error)
    assert log(sb) == [("limits.purge", 401, None), ("oauth.token", 400, None)]
    assert_no_secrets(error, [app.client_secret, app.refresh_token, expired])


@pytest.mark.parametrize("start", ["expired", "no-token"])
def test_oauth_concurrent_callers_share_exactly_one_refresh(
    connect: Connect, sb: Sandbox, start: str
) -> None:
    app = sb.create_oauth_app()
    first = sb.issue_access_token(app, lifetime=-5) if start == "expired" else None
    api = connect(sb, oauth=oauth_for(sb, app, access_token=first))
    n = 50 if api.is_async else 20

    results = api.concurrently(list_labels, n)

    assert len(results) == n and all(results)
    assert sb.refresh_count == 1
    assert token_requests(sb) == [("oauth.token", 200, None)]
    api_statuses = Counter(entry[1] for entry in api_requests(sb))
    assert api_statuses[200] == n
    assert set(api_statuses) <= {200, 401}
    assert api_statuses[401] <= (n if start == "expired" else 0)


# --------------------------------------------------------------------------- found by this suite


def test_a_delete_whose_answer_was_lost_succeeds_when_the_retry_finds_it_gone(
    connect: Connect, sb: Sandbox
) -> None:
    type_id = seed_portal(sb)
    sb.inject("drop_after", route="labels.delete", count=1)
    api = connect(sb)

    assert api(lambda c: c.labels.delete(*PAIR, type_id)) is None

    # The first attempt deleted it; the retry was told the type does not exist.
    assert log(sb) == [("labels.delete", None, "drop_after"), ("labels.delete", 400, None)]
    _check_deleted(sb, None, type_id)


def test_missing_scopes_lists_only_the_scopes_the_token_lacks(
    connect: Connect, sb: Sandbox
) -> None:
    token = sb.create_token(scopes=["crm.objects.contacts.write", "crm.objects.companies.read"])
    api = connect(sb, access_token=token)

    error = api.fails(MissingScopesError, purge)

    assert sb.requests[0].json["context"]["missingScopes"] == ["crm.objects.companies.write"]
    assert error.missing_scopes == ("crm.objects.companies.write",)
    assert "crm.objects.contacts.write" not in str(error)


@pytest.mark.parametrize("status", [429, 503])
def test_a_token_endpoint_outage_is_retried(connect: Connect, sb: Sandbox, status: int) -> None:
    app = sb.create_oauth_app()
    sb.inject(status, route="oauth.token", count=1)
    api = connect(sb, oauth=oauth_for(sb, app))

    api(list_labels)

    assert sb.refresh_count == 1
    assert [e[0] for e in log(sb)] == ["oauth.token", "oauth.token", "labels.list"]


def test_a_dropped_refresh_does_not_fail_a_label_create_that_was_never_sent(
    connect: Connect, sb: Sandbox
) -> None:
    app = sb.create_oauth_app()
    sb.inject("drop", route="oauth.token", count=1)
    api = connect(sb, oauth=oauth_for(sb, app))

    api(create_boss)

    assert [e[0] for e in log(sb)] == ["oauth.token", "oauth.token", "labels.create"]
