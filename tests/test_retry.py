"""The retry decision table: which failures are retried and after how long.

Every row runs under a fixed clock (``NOW``) and a fixed random source (0.5, so the
equal-jitter factor is 0.75); expected delays are worked out by hand from the policy.
"""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest

from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.retry import RETRYABLE_STATUSES, RetryPolicy, retry_delay

NOW = 1_700_000_000.0
DEFAULT = RetryPolicy()  # 3 retries, 0.5 s initial, 8 s cap, Retry-After up to 60 s
OPT_IN = RetryPolicy(retry_non_idempotent=True)
MANY = RetryPolicy(max_retries=10)

TEN_SECONDLY = {"status": "error", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}
DAILY = {"status": "error", "errorType": "RATE_LIMIT", "policyName": "DAILY"}


def resp(status: int, body: Any = None, **headers: str) -> httpx.Response:
    hdrs = {name.replace("_", "-"): value for name, value in headers.items()}
    if body is None:
        return httpx.Response(status, headers=hdrs, text="<html>Bad gateway</html>")
    return httpx.Response(status, headers=hdrs, json=body)


def http_date(unix: float) -> str:
    return email.utils.formatdate(unix, usegmt=True)


INTERVAL_10S = {"X_HubSpot_RateLimit_Interval_Milliseconds": "10000"}
R429 = resp(429, TEN_SECONDLY)
R429_10S = resp(429, TEN_SECONDLY, **INTERVAL_10S)


def row(
    name: str,
    failure: httpx.Response | BaseException | None,
    expect: float | None,
    *,
    idem: bool = True,
    attempt: int = 0,
    policy: RetryPolicy = DEFAULT,
    window: float | None = None,
) -> Any:
    return pytest.param(policy, attempt, idem, failure, window, expect, id=name)


ROWS = [
    # --- retryable server statuses: backoff 0.5 * 2**attempt * 0.75
    row("500 idempotent first retry", resp(500), 0.375),
    row("502 idempotent second retry", resp(502), 0.75, attempt=1),
    row("503 idempotent third retry", resp(503), 1.5, attempt=2),
    row("504 not idempotent", resp(504), None, idem=False),
    row("521 not idempotent but opted in", resp(521), 0.375, idem=False, policy=OPT_IN),
    row("523 idempotent", resp(523), 0.375),
    row("524 idempotent", resp(524), 0.375),
    row("backoff capped by max_delay: min(16, 8) * 0.75", resp(500), 6.0, attempt=5, policy=MANY),
    # --- client errors: never
    row("400", resp(400, {"category": "VALIDATION_ERROR"}), None),
    row("401", resp(401, {"category": "INVALID_AUTHENTICATION"}), None),
    row("403", resp(403, {"category": "MISSING_SCOPES"}), None),
    row("404", resp(404, {"category": "OBJECT_NOT_FOUND"}), None),
    row("409", resp(409, {"category": "CONFLICT"}), None),
    row("422 even opted in", resp(422, {"category": "X"}), None, idem=False, policy=OPT_IN),
    row("501 is not in the set", resp(501), None),
    # --- 429: always safe to retry, except the daily limit
    row("429 ten-secondly on a POST", R429, 0.375, idem=False),
    row("429 without a JSON body", resp(429), 0.75, idem=False, attempt=1),
    row("429 daily", resp(429, DAILY), None),
    row("429 daily even with Retry-After", resp(429, DAILY, Retry_After="5"), None),
    row(
        "429 without policy, daily budget at zero",
        resp(429, {}, X_HubSpot_RateLimit_Daily_Remaining="0"),
        None,
    ),
    row("429 interval header: 10 s * (0.25 + 0.25 * 0.5)", R429_10S, 3.75, idem=False),
    row(
        "429 interval header capped by max_delay",
        resp(429, TEN_SECONDLY, X_HubSpot_RateLimit_Interval_Milliseconds="40000"),
        8.0,
    ),
    row(
        "429 garbage interval header -> backoff",
        resp(429, TEN_SECONDLY, X_HubSpot_RateLimit_Interval_Milliseconds="ten"),
        0.375,
    ),
    row("429 limiter estimate wins over the header", R429_10S, 2.5, window=2.5),
    row("429 limiter estimate capped by max_delay", R429, 8.0, window=20.0),
    row("429 limiter estimate of zero is no estimate", R429_10S, 3.75, window=0.0),
    row("limiter estimate ignored for a 5xx", resp(503), 0.375, window=5.0),
    # --- Retry-After
    row("Retry-After seconds beat the limiter", resp(429, Retry_After="7"), 7.0, window=2.0),
    row("Retry-After above max_delay is honoured", resp(503, Retry_After="45"), 45.0),
    row("Retry-After fractional", resp(503, Retry_After="1.5"), 1.5),
    row("Retry-After too large", resp(503, Retry_After="120"), None),
    row("Retry-After just above max_retry_after", resp(503, Retry_After="61"), None),
    row("Retry-After HTTP date", resp(503, Retry_After=http_date(NOW + 30)), 30.0),
    row("Retry-After date in the past", resp(503, Retry_After=http_date(NOW - 30)), 0.0),
    row("Retry-After date too far", resp(503, Retry_After=http_date(NOW + 600)), None),
    row("Retry-After garbage -> backoff", resp(503, Retry_After="soon"), 0.375),
    row("Retry-After negative is garbage", resp(503, Retry_After="-3"), 0.375),
    row("Retry-After on a non-idempotent 503", resp(503, Retry_After="1"), None, idem=False),
    # --- attempts exhausted
    row("503 after the last retry", resp(503), None, attempt=3),
    row("429 after the last retry", R429, None, attempt=3),
    row("no retries at all", resp(503), None, policy=RetryPolicy(max_retries=0)),
    row("connect error after the last retry", httpx.ConnectError("x"), None, attempt=3),
    # --- transport errors, request never sent: always
    row("ConnectError on a POST", httpx.ConnectError("refused"), 0.375, idem=False),
    row("ConnectTimeout on a POST", httpx.ConnectTimeout("slow"), 0.75, idem=False, attempt=1),
    row("PoolTimeout on a POST", httpx.PoolTimeout("busy"), 0.375, idem=False),
    # --- transport errors, request maybe sent: idempotent or opted in
    row("ReadTimeout on a POST", httpx.ReadTimeout("slow"), None, idem=False),
    row("ReadTimeout idempotent", httpx.ReadTimeout("slow"), 0.375),
    row("WriteTimeout opted in", httpx.WriteTimeout("slow"), 0.375, idem=False, policy=OPT_IN),
    row("RemoteProtocolError on a POST", httpx.RemoteProtocolError("eof"), None, idem=False),
    row("RemoteProtocolError idempotent", httpx.RemoteProtocolError("eof"), 0.375),
    row("ReadError idempotent", httpx.ReadError("reset"), 1.5, attempt=2),
    row("WriteError on a POST", httpx.WriteError("pipe"), None, idem=False),
    # --- never retried
    row("LocalProtocolError", httpx.LocalProtocolError("bad"), None),
    row("UnsupportedProtocol", httpx.UnsupportedProtocol("ftp"), None),
    row("a bug, not a network problem", KeyError("x"), None),
    row("nothing failed", None, None),
]


@pytest.mark.parametrize(
    ("policy", "attempt", "idempotent", "failure", "window_wait", "expected"), ROWS
)
def test_retry_table(
    policy: RetryPolicy,
    attempt: int,
    idempotent: bool,
    failure: httpx.Response | BaseException | None,
    window_wait: float | None,
    expected: float | None,
) -> None:
    got = retry_delay(
        policy,
        attempt,
        idempotent=idempotent,
        response=failure if isinstance(failure, httpx.Response) else None,
        error=failure if isinstance(failure, BaseException) else None,
        window_wait=window_wait,
        now=NOW,
        random=lambda: 0.5,
    )
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_retryable_statuses_are_the_documented_set() -> None:
    assert frozenset({500, 502, 503, 504, 521, 523, 524}) == RETRYABLE_STATUSES


@pytest.mark.parametrize(("draw", "factor"), [(0.0, 0.5), (0.999999, 1.0)])
def test_jitter_spans_half_to_full_backoff(draw: float, factor: float) -> None:
    got = retry_delay(DEFAULT, 1, idempotent=True, response=resp(500), random=lambda: draw)
    assert got == pytest.approx(1.0 * factor, abs=1e-5)


def test_real_random_stays_within_bounds() -> None:
    delays = [retry_delay(DEFAULT, 2, idempotent=True, response=resp(500)) for _ in range(200)]
    assert all(d is not None and 1.0 <= d <= 2.0 for d in delays)
    assert len(set(delays)) > 1  # actually jittered


def test_unread_streamed_429_counts_as_rate_limited() -> None:
    # The body of a streamed response may not have been read; that must not crash.
    unread = httpx.Response(429, stream=httpx.ByteStream(b'{"policyName": "DAILY"}'))
    assert retry_delay(DEFAULT, 0, idempotent=False, response=unread, random=lambda: 0.5) == 0.375


def test_retry_after_date_uses_real_clock_without_now() -> None:
    import time

    response = resp(503, Retry_After=http_date(time.time() + 20))
    got = retry_delay(DEFAULT, 0, idempotent=True, response=response)
    assert got is not None and 18.0 <= got <= 20.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"initial_delay": -0.1}, "initial_delay"),
        ({"max_delay": float("nan")}, "max_delay"),
        ({"max_delay": "8"}, "max_delay"),
        ({"max_retry_after": float("inf")}, "max_retry_after"),
        ({"retry_non_idempotent": 1}, "retry_non_idempotent"),
    ],
)
def test_policy_rejects_invalid_values_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field) as caught:
        RetryPolicy(**kwargs)
    assert caught.value.argument == field
    assert isinstance(caught.value, ValueError)


def test_policy_is_frozen_data() -> None:
    policy = RetryPolicy(max_retries=5, initial_delay=1, max_delay=30.0)
    assert policy == RetryPolicy(5, 1, 30.0)
    with pytest.raises(AttributeError):
        policy.max_retries = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        RetryPolicy(3, 0.5, 8.0, 60.0, True)  # type: ignore[misc]  # the opt-in is keyword-only
