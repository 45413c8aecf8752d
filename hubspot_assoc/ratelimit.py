"""A client-side rolling-window limiter shared by every call of one client.

HubSpot counts the requests of an app over a rolling window (100 to 250 per 10 seconds,
depending on the plan) and answers ``429 TEN_SECONDLY_ROLLING`` past it. HubSpot asks that
error answers stay under 5% of requests, so the client paces itself instead of waiting
for 429s: before each attempt it *reserves* a start time that keeps at most
``max_requests`` starts in any ``interval``, and sleeps until then.

How it works: a deque of reserved start times. A new reservation goes at the later of
"now" and "the ``max_requests``-th most recent start plus the interval", so reservations
are handed out first come, first served and a burst of callers is spread over the window
rather than polling it. A ``threading.Lock`` guards the deque; it is held for a few
microseconds and never while sleeping, so one :class:`RollingWindow` can serve threads of
a :class:`~hubspot_assoc.Client` and tasks of an :class:`~hubspot_assoc.AsyncClient` alike
(:func:`acquire_sync` sleeps with :func:`time.sleep`, :func:`acquire_async` with
:func:`asyncio.sleep`).

The server times arrivals, not sends, and a sleeping thread wakes a little late, so two
requests reserved exactly one interval apart can land a hair less than an interval apart.
The window therefore treats the interval as ``margin`` (5%) longer than configured. It also
keeps consecutive starts at least ``pace`` (half) of the average spacing
(``interval / max_requests``) apart instead of releasing a whole window's worth at once:
a burst queues up at the server (or in the client's event loop), so its last requests
arrive late while the next window's first ones arrive on time, and the server sees them
closer than an interval. Measured against the sandbox server (20 requests per 1 s, 400
calls from 8 threads or 50 tasks, CPU saturated by other processes) this took the share of
429 answers from 6-8% to under 1%, for about 2% more wall time.

The budget is learned at run time from ``X-HubSpot-RateLimit-Max`` and
``X-HubSpot-RateLimit-Interval-Milliseconds`` (:meth:`RollingWindow.learn`), unless
``RateLimit(..., adapt=False)``. After a 429 the window counts as full
(:meth:`RollingWindow.on_rate_limited`): other programs using the same app share the budget.

Why not a library: pyrate-limiter, limits and aiolimiter were considered. aiolimiter
serves asyncio only; limits offers a non-blocking moving-window check (callers would poll,
unordered) with separate sync and async storages; pyrate-limiter fixes its rates when a
bucket is built. None of them combines one budget for threads and tasks, a budget changed
from response headers, and a "time until there is room" for the retry delay, and each adds
a runtime dependency for what is here about a hundred lines.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from .errors import InvalidInputError

__all__ = ["RateLimit", "RollingWindow", "acquire_async", "acquire_sync"]

_MAX_HEADER = "x-hubspot-ratelimit-max"
_INTERVAL_HEADER = "x-hubspot-ratelimit-interval-milliseconds"
# Values outside these bounds are treated as a broken header, not as a budget.
_SANE_MAX = range(1, 100_001)
_SANE_INTERVAL_MS = range(100, 86_400_001)


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(name, value, "an integer >= 1")


def _positive_seconds(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInputError(name, value, "a finite number of seconds > 0")


def _bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(name, value, "True or False")


# A stdlib dataclass rather than attrs: building a client must not import attrs (~10 ms).
# No slots: a frozen slotted dataclass raises TypeError, not FrozenInstanceError, when a
# name that is not a field is assigned (CPython gh-105936, still so in 3.11-3.13).
@dataclass(frozen=True)
class RateLimit:
    """At most ``max_requests`` request starts in any ``interval`` seconds.

    The default matches HubSpot's smallest per-app budget (100 per 10 s). With
    ``adapt=True`` (the default) the client adopts the budget HubSpot announces in its
    rate-limit headers; pass ``adapt=False`` to keep yours, e.g. to leave part of the
    app's budget to another program.

    Example::

        from hubspot_assoc import Client, RateLimit

        client = Client(rate_limit=RateLimit(190, 10.0))  # Professional
        share = RateLimit(50, 10.0, adapt=False)
    """

    max_requests: int = 100
    interval: float = 10.0
    adapt: bool = field(default=True, kw_only=True)

    def __post_init__(self) -> None:
        _positive_int("max_requests", self.max_requests)
        _positive_seconds("interval", self.interval)
        _bool("adapt", self.adapt)


class RollingWindow:
    """A rolling-window request budget shared by threads and asyncio tasks.

    Args:
        limit: the budget to start with.
        clock: a monotonic clock in seconds (injectable for tests).
        margin: fraction by which the interval is stretched to absorb send-time jitter.
        pace: least gap between consecutive starts, as a fraction of
            ``interval / max_requests``; ``0`` lets a full window's worth start at once.

    Example::

        window = RollingWindow(RateLimit(20, 1.0))
        acquire_sync(window)        # returns at once for the first 20 calls in a second
        response = httpx.get(url)
        window.learn(response.headers)
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = 0.05,
        pace: float = 0.5,
    ) -> None:
        if not isinstance(limit, RateLimit):
            raise InvalidInputError("limit", limit, "a RateLimit, e.g. RateLimit(100, 10.0)")
        if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin < 1:
            raise InvalidInputError("margin", margin, "a number >= 0 and < 1")
        if isinstance(pace, bool) or not isinstance(pace, int | float) or not 0 <= pace <= 1:
            raise InvalidInputError("pace", pace, "a number from 0 to 1")
        self._clock = clock
        self._margin = float(margin)
        self._pace = float(pace)
        self._set_limit(limit)
        self._starts: deque[float] = deque()  # reserved start times, non-decreasing
        self._lock = threading.Lock()

    @property
    def limit(self) -> RateLimit:
        """The budget in force (possibly learned from HubSpot's headers)."""
        return self._limit

    def __repr__(self) -> str:
        return f"RollingWindow({self._limit!r}, margin={self._margin}, pace={self._pace})"

    def reserve(self) -> float:
        """Reserve the earliest start that keeps the budget; return seconds to wait (>= 0).

        The caller must then wait that long before sending (see :func:`acquire_sync`).
        """
        with self._lock:
            now = self._clock()
            start = self._next_start(now)
            self._starts.append(start)
            return start - now

    def wait_time(self) -> float:
        """Seconds until one more request could start, without reserving anything."""
        with self._lock:
            now = self._clock()
            return self._next_start(now) - now

    def learn(self, headers: Mapping[str, str]) -> None:
        """Adopt the budget HubSpot announces in ``X-HubSpot-RateLimit-Max`` and
        ``-Interval-Milliseconds`` (case-insensitive names).

        Missing, unparsable or absurd values are ignored, as is everything when the limit
        was created with ``adapt=False``.
        """
        if not self._limit.adapt:
            return
        max_raw = _header(headers, _MAX_HEADER)
        interval_raw = _header(headers, _INTERVAL_HEADER)
        if max_raw is None and interval_raw is None:
            return
        max_requests = _parse_int(max_raw, _SANE_MAX)
        interval_ms = _parse_int(interval_raw, _SANE_INTERVAL_MS)
        if max_requests is None and interval_ms is None:
            return
        with self._lock:
            new = replace(
                self._limit,
                max_requests=self._limit.max_requests if max_requests is None else max_requests,
                interval=self._limit.interval if interval_ms is None else interval_ms / 1000.0,
            )
            if new != self._limit:
                self._set_limit(new)

    def on_rate_limited(
        self, headers: Mapping[str, str] | None = None, *, hold: float | None = None
    ) -> None:
        """Record a ``429 TEN_SECONDLY_ROLLING``: HubSpot's window is full right now.

        The window counts the requests HubSpot saw but this client did not send (another
        program sharing the app's budget) as having started just now, so no request starts
        until enough of them age out. With ``hold`` they age out after at most that many
        seconds instead of a whole interval: the client passes its retry policy's
        ``max_delay``, so that one 429 never stalls every caller for longer than the policy
        allows. Call :meth:`wait_time` afterwards for the retry delay.
        """
        if headers is not None:
            self.learn(headers)
        with self._lock:
            now = self._clock()
            self._forget_before(now)
            missing = self._limit.max_requests - len(self._starts)
            if missing > 0:
                started = now if hold is None else min(now, now - self._span + max(hold, 0.0))
                self._starts = deque(sorted([*self._starts, *([started] * missing)]))

    def _set_limit(self, limit: RateLimit) -> None:
        self._limit = limit
        self._span = limit.interval * (1.0 + self._margin)
        self._gap = self._span / limit.max_requests * self._pace

    def _forget_before(self, now: float) -> None:
        horizon = now - self._span
        starts = self._starts
        while starts and starts[0] <= horizon:
            starts.popleft()

    def _next_start(self, now: float) -> float:
        self._forget_before(now)
        starts = self._starts
        if not starts:
            return now
        # Reservations stay in order (FIFO) and paced; then the max-th most recent start
        # must have left the window before another one may begin.
        start = max(now, starts[-1] + self._gap)
        if len(starts) >= self._limit.max_requests:
            start = max(start, starts[-self._limit.max_requests] + self._span)
        return start


def acquire_sync(window: RollingWindow) -> None:
    """Block the current thread until a request may start under ``window``'s budget."""
    delay = window.reserve()
    if delay > 0:
        time.sleep(delay)


async def acquire_async(window: RollingWindow) -> None:
    """Suspend the current task until a request may start under ``window``'s budget."""
    import asyncio  # here, so that importing this module stays as light as the CLI needs

    delay = window.reserve()
    if delay > 0:
        await asyncio.sleep(delay)


def _header(headers: Mapping[str, str], lower_name: str) -> str | None:
    # httpx.Headers looks names up case-insensitively already; if httpx was never
    # imported, these headers cannot be httpx.Headers.
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(headers, httpx.Headers):
        value: str | None = headers.get(lower_name)
        return value
    for name, candidate in headers.items():
        if name.lower() == lower_name:
            return candidate
    return None


def _parse_int(raw: str | None, sane: range) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value in sane else None
