"""When to retry a failed call, and how long to wait first.

The policy is data (:class:`RetryPolicy`); the decision is one pure function,
:func:`retry_delay`, which both clients call after every failed attempt. It answers
either a number of seconds to wait before the next attempt or ``None`` for "do not
retry, raise now". Every delay the SDK ever waits between attempts is computed here.

What is retried:

* **429** ``TEN_SECONDLY_ROLLING`` (or a 429 without a policy name): always, whatever the
  HTTP method. HubSpot rejected the request before doing anything, so retrying a label
  create after a 429 cannot create the label twice.
* **429** ``DAILY``: never. The daily budget resets at midnight in the account's time
  zone; waiting seconds is pointless.
* **500, 502, 503, 504, 521, 523, 524**: only when the operation is idempotent, or when the
  policy opts in with ``retry_non_idempotent=True``. The server (or the edge in front of
  it) may have acted before failing.
* Transport errors where the request never left the machine (:class:`httpx.ConnectError`,
  :class:`httpx.ConnectTimeout`, :class:`httpx.PoolTimeout`): always.
* Transport errors after the request may have been sent (other timeouts,
  :class:`httpx.RemoteProtocolError`, :class:`httpx.ReadError`, :class:`httpx.WriteError`):
  only when idempotent or opted in.
* Anything else (400, 401, 403, 404, 409, other 4xx, other exceptions): never.

How long to wait:

1. A ``Retry-After`` header (seconds or an HTTP date) is honoured as given when it is at
   most ``max_retry_after``; a longer one means "raise now" rather than block for minutes.
2. A 429 without ``Retry-After`` waits until the rolling window can have room again: the
   client-side limiter's estimate (``window_wait``) when the caller has one, otherwise a
   quarter to a half of ``X-HubSpot-RateLimit-Interval-Milliseconds`` (jittered), otherwise
   the backoff below. Capped by ``max_delay``.
3. Everything else uses exponential backoff with jitter:
   ``min(initial_delay * 2**attempt, max_delay) * factor`` with ``factor`` drawn uniformly
   from ``[0.5, 1.0]`` ("equal jitter": callers that failed together spread out, yet no
   wait collapses to zero).
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random as _random
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .errors import InvalidInputError

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "may_have_been_applied",
    "parse_retry_after",
    "retry_delay",
]

#: Server statuses that may succeed on a second try. 521/523/524 come from the CDN in front
#: of HubSpot (origin down, unreachable, no answer within 100 s).
RETRYABLE_STATUSES: frozenset[int] = frozenset({500, 502, 503, 504, 521, 523, 524})

# The request never reached the server: retrying cannot repeat a side effect.
_NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# The request may have reached the server, which may have acted on it.
_AMBIGUOUS_ERRORS: tuple[type[BaseException], ...] = (
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


def may_have_been_applied(response: httpx.Response | None, error: BaseException | None) -> bool:
    """Whether a failed attempt may still have changed something at HubSpot.

    True for a 5xx answer and for a transport failure after the request may have been sent;
    false for 4xx answers (429 included: HubSpot did nothing) and for requests that never
    left the machine.
    """
    if response is not None:
        return response.status_code >= 500
    return isinstance(error, _AMBIGUOUS_ERRORS) and not isinstance(error, _NOT_SENT_ERRORS)


def _check_non_negative_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(name, value, "an integer >= 0")


def _check_non_negative_float(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidInputError(name, value, "a finite number of seconds >= 0")


# A stdlib dataclass rather than attrs: building a client must not import attrs (~10 ms).
# No slots: a frozen slotted dataclass raises TypeError, not FrozenInstanceError, when a
# name that is not a field is assigned (CPython gh-105936, still so in 3.11-3.13).
@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a client retries.

    Args:
        max_retries: retries after the first attempt (``0`` disables retrying).
        initial_delay: backoff before the first retry, in seconds; doubles each retry.
        max_delay: ceiling, in seconds, for every wait the client computes itself.
        max_retry_after: the longest server-given ``Retry-After`` the client will honour;
            a longer one makes the call fail at once instead of blocking.
        retry_non_idempotent: also retry non-idempotent operations (creating a label) after
            a 5xx or a connection lost mid-request. This can create a label twice, which
            HubSpot then rejects as a duplicate; off by default.

    Example::

        from hubspot_assoc import Client, RetryPolicy

        client = Client(retry=RetryPolicy(max_retries=5, max_delay=20.0))
        no_retries = RetryPolicy(max_retries=0)
    """

    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    retry_non_idempotent: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_non_negative_int("max_retries", self.max_retries)
        _check_non_negative_float("initial_delay", self.initial_delay)
        _check_non_negative_float("max_delay", self.max_delay)
        _check_non_negative_float("max_retry_after", self.max_retry_after)
        if not isinstance(self.retry_non_idempotent, bool):
            raise InvalidInputError(
                "retry_non_idempotent", self.retry_non_idempotent, "True or False"
            )


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    *,
    idempotent: bool,
    response: httpx.Response | None = None,
    error: BaseException | None = None,
    window_wait: float | None = None,
    now: float | None = None,
    random: Callable[[], float] = _random.random,
) -> float | None:
    """Seconds to wait before retrying, or ``None`` to give up and raise now.

    Args:
        policy: the client's :class:`RetryPolicy`.
        attempt: 0-based index of the attempt that just failed (``0`` after the first try).
        idempotent: whether repeating the operation is harmless (every GET, purge, limit
            create/update, label update/delete; not label create).
        response: the failed response, if the server answered. Its body should have been
            read (the 429 policy name is in it); an unread body counts as "no policy name".
        error: the transport exception, if there was no response.
        window_wait: the client-side limiter's estimate of how long until the rate-limit
            window has room (after it has been told about the 429). Used for a 429 without
            ``Retry-After``; ``None`` or ``0`` means "no estimate".
        now: current Unix time for ``Retry-After`` HTTP dates; defaults to ``time.time()``.
        random: source of uniform numbers in ``[0, 1)`` for jitter (fixed in tests).

    Example::

        >>> policy = RetryPolicy()
        >>> retry_delay(policy, 0, idempotent=True, error=httpx.ConnectError("refused"),
        ...             random=lambda: 1.0)
        0.5
        >>> retry_delay(policy, 3, idempotent=True, error=httpx.ConnectError("refused")) is None
        True
    """
    if attempt >= policy.max_retries:
        return None
    if response is not None:
        return _delay_for_response(policy, attempt, idempotent, response, window_wait, now, random)
    if isinstance(error, _NOT_SENT_ERRORS):
        return _backoff(policy, attempt, random)
    if isinstance(error, _AMBIGUOUS_ERRORS) and (idempotent or policy.retry_non_idempotent):
        return _backoff(policy, attempt, random)
    return None


def _delay_for_response(
    policy: RetryPolicy,
    attempt: int,
    idempotent: bool,
    response: httpx.Response,
    window_wait: float | None,
    now: float | None,
    random: Callable[[], float],
) -> float | None:
    status = response.status_code
    if status == 429:
        if _is_daily_limit(response):
            return None
    elif status not in RETRYABLE_STATUSES or not (idempotent or policy.retry_non_idempotent):
        return None

    server_wait = _retry_after_seconds(response.headers, now)
    if server_wait is not None:
        return server_wait if server_wait <= policy.max_retry_after else None

    if status == 429:
        if window_wait is not None and window_wait > 0:
            return min(window_wait, policy.max_delay)
        interval = _interval_seconds(response.headers)
        if interval is not None:
            # The oldest request in HubSpot's rolling window ages out at an unknown moment
            # within the interval; a jittered quarter-to-half spreads concurrent callers.
            return min(interval * (0.25 + 0.25 * random()), policy.max_delay)
    return _backoff(policy, attempt, random)


def _backoff(policy: RetryPolicy, attempt: int, random: Callable[[], float]) -> float:
    # Cap the exponent before multiplying so a large attempt count cannot overflow.
    base = min(policy.initial_delay * 2.0 ** min(attempt, 60), policy.max_delay)
    return base * (0.5 + 0.5 * random())


def _is_daily_limit(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except (httpx.ResponseNotRead, ValueError):
        body = None
    if isinstance(body, dict):
        name = body.get("policyName")
        if isinstance(name, str):
            return name.upper() == "DAILY"
    # Without a policy name, an exhausted daily budget still shows in the headers.
    remaining = response.headers.get("X-HubSpot-RateLimit-Daily-Remaining")
    return remaining is not None and remaining.strip() == "0"


def _retry_after_seconds(headers: httpx.Headers, now: float | None) -> float | None:
    """``Retry-After`` as seconds from now (>= 0), or ``None`` if absent or unparsable."""
    current = None if now is None else datetime.datetime.fromtimestamp(now, datetime.UTC)
    return parse_retry_after(headers.get("Retry-After"), now=current)


def _interval_seconds(headers: httpx.Headers) -> float | None:
    raw = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    if raw is None:
        return None
    try:
        millis = int(raw.strip())
    except ValueError:
        return None
    return millis / 1000.0 if millis > 0 else None


def parse_retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or ``None``.

    Accepts delta-seconds (``"7"``, ``"1.5"``) and an HTTP date
    (``"Wed, 21 Oct 2026 07:28:00 GMT"``); a date in the past gives ``0.0``. Anything
    unparseable, negative, or not finite gives ``None``.

    >>> parse_retry_after("3")
    3.0
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    current = now if now is not None else datetime.datetime.now(datetime.UTC)
    return max(0.0, (when - current).total_seconds())
