"""The client-side rolling-window limiter shared by every call of one client (or a fleet).

HubSpot counts the requests of an app over a rolling window (100 to 250 per 10 seconds,
depending on the plan) and answers ``429 TEN_SECONDLY_ROLLING`` past it. HubSpot asks that
error answers stay under 5% of requests, so the client paces itself instead of waiting
for 429s: before each attempt it *reserves* a start time that keeps at most
``max_requests`` requests in any ``interval``, and waits until then.

How it works
------------
A sorted list of the times of this client's requests, plus a FIFO of tickets still waiting.
A new reservation goes at the later of "now" and "the ``max_requests``-th most recent
request plus the interval", so a burst of callers is served first come, first served and
as fast as the window allows: a whole window's worth at once, the next one a window later.
A ``threading.Lock`` guards the state; it is held for microseconds and never while waiting,
so one :class:`RollingWindow` serves threads of a :class:`~hubspot_assoc.Client` and tasks
of an :class:`~hubspot_assoc.AsyncClient` alike.

Three things make those bursts safe (at most 1% of answers 429 in ``scripts/bench``):

* **Answer times, not send times.** HubSpot times a request when it arrives, which is some
  time after the client let it go. When the answer comes back the request's entry moves to
  the answer time, which is never earlier than the arrival, so "one interval after that"
  is always late enough. The waiting is stretched by ``margin`` (default 0) on top.
* **Requests in flight count.** A request sent but not answered is counted as inside the
  window whatever its age, and a waiter checks the window again when its time comes: if
  the plan no longer holds (an earlier request was slow to arrive, or another program took
  the room) it waits again.
* **Learning at once.** Before the first answer the budget is a guess (100 per 10 s,
  HubSpot's smallest plan), so one request goes alone. Its answer's
  ``X-HubSpot-RateLimit-Max`` and ``-Interval-Milliseconds`` apply at once, also to
  callers already waiting: their reservations are planned again and they wake early
  (``adapt=False`` opts out of learning, and of the lone first request).

Room reported by the server
---------------------------
Every answer says how much of the app's budget is left (``X-HubSpot-RateLimit-Remaining``,
and the per-second pair ``X-HubSpot-RateLimit-Secondly`` / ``-Secondly-Remaining`` where
HubSpot sends it). What HubSpot counted beyond this client's own requests was spent by
someone else using the same app: another process, a web worker, another integration. Ours
are the ones this window holds, less those still in flight that started after the request
being answered (they reach HubSpot after it), so that the room this client sees right after
an answer is exactly what Remaining says. Then:

* **Others keep their slots.** Their requests count as if they had just started: a program
  that is using the budget goes on using it, so the slots its old requests free are its
  own, and this client takes only the slots its own requests free. It also leaves the
  others their share of the room that remains (in proportion to how much of the window they
  used), so that programs that cannot see each other do not all rush into the same slots.
* **One at a time near the top.** While others are spending and less than a quarter of the
  window is left, only one request is in flight at a time: each answer brings a fresh
  count before the next one goes, so four programs overrun a full window by at most a few
  requests, not by all their threads.
* **Estimates go stale.** Each answer replaces the estimate with a fresh one, and callers
  waiting on others' use are planned again when it shrinks. Half an interval (at least
  5 s) after an answer that showed room left, the estimate is stale: others' requests stop
  counting and one request goes to look (the others may have finished; callers waiting on
  them wake to see). Without that, a program that finished would leave its slots unused
  for a whole interval. A window reported full is not looked at early.

A 429 answer leaves the window (HubSpot did not count it). After a 429 the window counts as
full (:meth:`RollingWindow.on_rate_limited`): until requests age out when its
``Remaining`` can be placed against our own requests, else for at most the retry policy's
``max_delay``; then one request goes first.

This keeps independent processes mostly out of each other's way, but they still only
*guess* each other's plans: in ``scripts/bench`` four processes on one token see a few
answers in a hundred answered 429 at 100 per 10 s and about one in ten at 20 per second
with 32 callers, all retried. For a fleet (several processes or machines on one app), give
them one shared store, ``RateLimit(store="redis://...")``: see
:mod:`hubspot_assoc.ratelimit_redis`.

Why not a library: pyrate-limiter, limits and aiolimiter were considered. aiolimiter
serves asyncio only; limits offers a non-blocking moving-window check (callers would poll,
unordered) with separate sync and async storages; pyrate-limiter fixes its rates when a
bucket is built. None of them combines one budget for threads and tasks, a budget changed
from response headers, reservations planned again when it changes, and a "time until
there is room" for the retry delay.
"""

from __future__ import annotations

import bisect
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from .errors import InvalidInputError

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "STORE_ENV",
    "Budget",
    "RateLimit",
    "RollingWindow",
    "Ticket",
    "acquire_async",
    "acquire_sync",
]

STORE_ENV = "HUBSPOT_RATE_LIMIT_STORE"
"""Environment variable naming a shared store when ``RateLimit(store=...)`` is not given."""

_MAX_HEADER = "x-hubspot-ratelimit-max"
_INTERVAL_HEADER = "x-hubspot-ratelimit-interval-milliseconds"
_REMAINING_HEADER = "x-hubspot-ratelimit-remaining"
_SECONDLY_HEADER = "x-hubspot-ratelimit-secondly"
_SECONDLY_REMAINING_HEADER = "x-hubspot-ratelimit-secondly-remaining"
# Values outside these bounds are treated as a broken header, not as a budget.
_SANE_MAX = range(1, 100_001)
_SANE_INTERVAL_MS = range(100, 86_400_001)
_SANE_REMAINING = range(0, 100_001)
_STORE_SCHEMES = ("redis", "rediss", "unix")
_CROWDED = 0.25  # with others spending, the share of the window left where one goes at a time
# How long an estimate of others' use holds without a fresh answer that showed room left:
# half the interval, but at least 5 s (and at most the interval). Then their estimated
# requests stop counting and one request looks again; while they still fill the window,
# that one hears a 429, so each process looks at most once per 5 s.
_STALE = 0.5
_STALE_MIN = 5.0
_PROBE_POLL = 0.05  # seconds between looks while one probing request is in flight
# Longest wait for an answer's headers to be learned after it was recorded (more than one
# thread switch, 5 ms); a failure without an answer has no headers to wait for.
_READING = 0.02


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


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for reprs and log lines."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
        return parts._replace(netloc=f"{user}:***@{host}{port}").geturl()
    except ValueError:
        return "<unparsable URL>"


def check_store(name: str, value: object) -> None:
    """Reject a store that is not a ``redis://``, ``rediss://`` or ``unix://`` URL."""
    if value is None:
        return
    if not isinstance(value, str) or urlsplit(value).scheme not in _STORE_SCHEMES:
        shown = redact_url(value) if isinstance(value, str) else value
        raise InvalidInputError(
            name,
            shown,
            "None or a Redis URL, e.g. redis://localhost:6379/0 (or rediss://, unix://)",
        )


# A stdlib dataclass rather than attrs: building a client must not import attrs (~10 ms).
# No slots: a frozen slotted dataclass raises TypeError, not FrozenInstanceError, when a
# name that is not a field is assigned (CPython gh-105936, still so in 3.11-3.13).
@dataclass(frozen=True)
class RateLimit:
    """At most ``max_requests`` request starts in any ``interval`` seconds.

    The default matches HubSpot's smallest per-app budget (100 per 10 s). With
    ``adapt=True`` (the default) the client adopts the budget HubSpot announces in its
    rate-limit headers from the first answer on, and slows down when the headers show
    others spending the same budget; pass ``adapt=False`` to keep yours, e.g. to leave
    part of the app's budget to another program.

    ``store`` shares one budget between processes and machines: a Redis URL such as
    ``"redis://localhost:6379/0"`` (needs ``pip install 'hubspot-assoc[redis]'``). Without
    it the ``HUBSPOT_RATE_LIMIT_STORE`` environment variable is used, if set. Calls never
    fail because of the store: while it cannot be reached the client uses its own window
    and logs one warning.

    Example::

        from hubspot_assoc import Client, RateLimit

        client = Client(rate_limit=RateLimit(190, 10.0))  # Professional
        share = RateLimit(50, 10.0, adapt=False)
        fleet = RateLimit(store="redis://localhost:6379/0")
    """

    max_requests: int = 100
    interval: float = 10.0
    adapt: bool = field(default=True, kw_only=True)
    store: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        _positive_int("max_requests", self.max_requests)
        _positive_seconds("interval", self.interval)
        _bool("adapt", self.adapt)
        check_store("store", self.store)

    def __repr__(self) -> str:  # the store URL may carry a password
        store = "" if self.store is None else f", store={redact_url(self.store)!r}"
        return (
            f"RateLimit(max_requests={self.max_requests!r}, interval={self.interval!r}, "
            f"adapt={self.adapt!r}{store})"
        )


def store_url(limit: RateLimit) -> str | None:
    """The store ``limit`` asks for, else ``HUBSPOT_RATE_LIMIT_STORE`` (validated), else None."""
    if limit.store is not None:
        return limit.store
    env = os.environ.get(STORE_ENV, "").strip()
    if not env:
        return None
    check_store(STORE_ENV, env)
    return env


class Ticket:
    """One reservation: when its request may start, and whether it has been answered.

    Returned by :func:`acquire_sync` / :func:`acquire_async`; hand it back to the budget's
    ``finish`` when the answer (or the failure) is in.
    """

    __slots__ = ("at", "key", "replan", "sent", "state", "wake")

    def __init__(self, at: float) -> None:
        self.at = at  # planned start, then start, then answer time (the window's clock)
        self.sent = 0.0  # when it started
        self.key = ""  # the store's name for it, when a store keeps it
        self.state = 0  # 0 waiting, 1 in flight, 2 answered
        self.replan = False  # a store ticket that must be reserved again
        self.wake: Callable[[], None] | None = None

    def __repr__(self) -> str:
        states = ("waiting", "in flight", "answered")
        return f"Ticket(at={self.at:.3f}, {states[self.state]})"


class Budget(Protocol):
    """What a client needs from a request budget (local or shared)."""

    @property
    def limit(self) -> RateLimit: ...

    def acquire_sync(self) -> Ticket: ...

    async def acquire_async(self) -> Ticket: ...

    def finish_sync(self, ticket: Ticket, *, counted: bool = True) -> None: ...

    async def finish_async(self, ticket: Ticket, *, counted: bool = True) -> None: ...

    def learn(self, headers: Mapping[str, str]) -> None: ...

    def on_rate_limited(
        self, headers: Mapping[str, str] | None = None, *, hold: float | None = None
    ) -> None: ...

    def wait_time(self) -> float: ...

    def abandon(self, ticket: Ticket) -> None: ...


class _Waitable(Protocol):
    def delay(self, ticket: Ticket) -> float: ...

    def cancel(self, ticket: Ticket) -> None: ...

    def refresh_sync(self, ticket: Ticket) -> None: ...

    async def refresh_async(self, ticket: Ticket) -> None: ...


def make_budget(limit: RateLimit, secret: str) -> Budget:
    """The budget a client uses: one in a shared store when one is configured, else local.

    ``secret`` identifies the app's budget (the store keys it by its SHA-256 digest).
    """
    url = store_url(limit)
    if url is None:
        return RollingWindow(limit)
    from .ratelimit_redis import RedisWindow  # redis itself loads with the first call

    return RedisWindow(limit, url, secret)


class _Rule:
    """One ceiling: ``max`` requests per ``span`` seconds, plus others' requests (estimated)."""

    __slots__ = ("max", "others", "span")

    def __init__(self, max_requests: int, span: float) -> None:
        self.max = max_requests
        self.span = span
        self.others: list[float] = []  # when others' requests happened (sorted, estimated)


class RollingWindow:
    """A rolling-window request budget shared by threads and asyncio tasks of one process.

    Args:
        limit: the budget to start with.
        clock: a monotonic clock in seconds (injectable for tests).
        margin: fraction by which the interval is stretched, on top of timing requests by
            their answers.
        pace: least gap between consecutive starts, as a fraction of
            ``interval / max_requests``; ``0`` (the default) lets a full window's worth
            start at once, as HubSpot's rolling window allows.
        probe: while the budget is still a guess (before the first answer, with
            ``adapt=True``), let one request fly at a time.

    Example::

        window = RollingWindow(RateLimit(20, 1.0))
        ticket = acquire_sync(window)   # returns at once for the first 20 calls in a second
        response = httpx.get(url)
        window.finish_sync(ticket)
        window.learn(response.headers)
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = 0.0,
        pace: float = 0.0,
        probe: bool = True,
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
        self._times: list[float] = []  # every request's time (planned, started, answered)
        self._waiting: list[Ticket] = []  # FIFO of tickets whose start is still ahead
        self._flying: set[Ticket] = set()
        self._secondly: _Rule | None = None
        # A budget given as fixed needs no first answer to confirm it.
        self._answered = not (probe and limit.adapt)
        self._stale_at: float | None = None  # when the estimate of others' use runs out
        self._last_sent: float | None = None  # start of the request answered last
        # Until then an answer is being read: finish() comes before learn() with its headers.
        self._reading_until = -math.inf
        self._lock = threading.Lock()
        self._set_limit(limit)

    @property
    def limit(self) -> RateLimit:
        """The budget in force (possibly learned from HubSpot's headers)."""
        return self._limit

    def __repr__(self) -> str:
        return f"RollingWindow({self._limit!r}, margin={self._margin}, pace={self._pace})"

    # -- reserving -------------------------------------------------------------------------

    @property
    def answered(self) -> bool:
        """Whether an answer has come in (or the budget was given as fixed)."""
        return self._answered

    def reserve(self, ticket: Ticket | None = None) -> Ticket:
        """Reserve the earliest start that keeps the budget; the caller then waits for it.

        Prefer :func:`acquire_sync` / :func:`acquire_async`, which wait and re-check.
        ``ticket``: a ticket to reuse (a shared budget handing a waiter over).
        """
        with self._lock:
            now = self._clock()
            if ticket is None:
                ticket = Ticket(0.0)
            ticket.at = self._next_start(now)
            ticket.state = 0
            bisect.insort(self._times, ticket.at)
            if ticket.at > now:
                self._waiting.append(ticket)
            else:
                self._start(ticket)
            return ticket

    def note(self, at: float) -> Ticket:
        """Record a request started at ``at`` elsewhere (a shared store) without checking."""
        with self._lock:
            ticket = Ticket(at)
            bisect.insort(self._times, at)
            self._start(ticket)
            return ticket

    def delay(self, ticket: Ticket) -> float:
        """Seconds ``ticket`` must still wait; 0 means it may start now (and is marked so).

        When the time has come, the window is checked again: requests still in flight and
        room taken by others since the reservation can push the start back.
        """
        with self._lock:
            now = self._clock()
            if ticket.state:
                return 0.0
            stale = self._stale_at
            if ticket.at > now and stale is not None and ticket.at > stale:
                if stale > now:
                    # Planned around others' estimated use: look again when it goes stale.
                    return stale - now
                self._replan(now)  # every waiter, so that they stay in order
            if ticket.at > now:
                return ticket.at - now
            self._drop(ticket.at)
            start = self._next_start(now, check=True)
            if start > now:
                ticket.at = start
                bisect.insort(self._times, start)
                return start - now
            ticket.at = now
            bisect.insort(self._times, now)
            self._start(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            return 0.0

    def finish(self, ticket: Ticket, *, counted: bool = True) -> None:
        """Record that ``ticket``'s request was answered (or failed) now.

        ``counted=False`` for an answer saying HubSpot did not count the request (a 429):
        it leaves the window, so that HubSpot's count and ours stay comparable.
        """
        with self._lock:
            if ticket.state != 1:
                return
            ticket.state = 2
            self._flying.discard(ticket)
            self._last_sent = ticket.sent  # the answer about to be learned from is its
            now = self._clock()
            self._reading_until = now + _READING
            if not counted:
                self._drop(ticket.at)
            elif now > ticket.at:
                self._drop(ticket.at)
                ticket.at = now
                bisect.insort(self._times, now)
            # A waiter held back by this request in flight may go now.
            self._wake_due(now)

    def abandon(self, ticket: Ticket) -> None:
        """Free ``ticket`` when its caller is interrupted; nothing to await."""
        self.finish(ticket)

    def cancel(self, ticket: Ticket) -> None:
        """Give a reservation back (the caller was cancelled before it started)."""
        with self._lock:
            if ticket.state == 0:
                self._drop(ticket.at)
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                ticket.state = 2

    def acquire_sync(self) -> Ticket:
        """Block the current thread until a request may start; returns its ticket."""
        return _wait_sync(self, self.reserve())

    async def acquire_async(self) -> Ticket:
        """Suspend the current task until a request may start; returns its ticket."""
        return await _wait_async(self, self.reserve())

    def finish_sync(self, ticket: Ticket, *, counted: bool = True) -> None:
        """:meth:`finish`, under the name the shared budgets use for their blocking I/O."""
        self.finish(ticket, counted=counted)

    async def finish_async(self, ticket: Ticket, *, counted: bool = True) -> None:
        """:meth:`finish`, under the name the shared budgets use for their async I/O."""
        self.finish(ticket, counted=counted)

    def refresh_sync(self, ticket: Ticket) -> None:
        """Nothing to do: a local window plans waiting tickets again itself."""

    async def refresh_async(self, ticket: Ticket) -> None:
        """Nothing to do: a local window plans waiting tickets again itself."""

    def wait_time(self) -> float:
        """Seconds until one more request could start, without reserving anything."""
        with self._lock:
            now = self._clock()
            start = self._next_start(now)
            stale = self._stale_at
            if stale is not None and now < stale < start:
                start = stale  # one request looks again then (see delay)
            return start - now

    # -- learning --------------------------------------------------------------------------

    def learn(self, headers: Mapping[str, str]) -> None:
        """Adopt what HubSpot's rate-limit headers say (case-insensitive names).

        ``X-HubSpot-RateLimit-Max`` and ``-Interval-Milliseconds`` set the budget, which
        applies at once, also to callers already waiting. ``-Remaining`` (and the
        ``-Secondly`` pair) tell how much of it others are using. Missing, unparsable or
        absurd values are ignored, as is everything when the limit was created with
        ``adapt=False``.
        """
        if not self._limit.adapt:
            return
        max_requests = _parse_int(_header(headers, _MAX_HEADER), _SANE_MAX)
        interval_ms = _parse_int(_header(headers, _INTERVAL_HEADER), _SANE_INTERVAL_MS)
        remaining = _parse_int(_header(headers, _REMAINING_HEADER), _SANE_REMAINING)
        secondly = _parse_int(_header(headers, _SECONDLY_HEADER), _SANE_MAX)
        secondly_left = _parse_int(_header(headers, _SECONDLY_REMAINING_HEADER), _SANE_REMAINING)
        if max_requests is interval_ms is remaining is secondly is None and self._answered:
            if self._reading_until > -math.inf or self._stale_at is not None:
                with self._lock:
                    self._reading_until = -math.inf
                    # An answer with nothing to tell about others: looking again one
                    # request at a time would not learn more, so stop doing it.
                    if self._stale(self._clock()):
                        self._stale_at = None
            return
        with self._lock:
            now = self._clock()
            self._reading_until = -math.inf
            # The first answer ends the probe (see _probing): waiters are planned again.
            changed = not self._answered
            self._answered = True
            if max_requests is not None or interval_ms is not None:
                new = replace(
                    self._limit,
                    max_requests=self._limit.max_requests if max_requests is None else max_requests,
                    interval=self._limit.interval if interval_ms is None else interval_ms / 1000.0,
                )
                if new != self._limit:
                    self._set_limit(new)
                    changed = True
            if secondly is not None and (self._secondly is None or self._secondly.max != secondly):
                self._secondly = _Rule(secondly, 1.0 * (1.0 + self._margin))
                changed = True
            if remaining is not None:
                self._estimate_others(self._rule, remaining, now)
            if secondly_left is not None and self._secondly is not None:
                self._estimate_others(self._secondly, secondly_left, now)
            if changed:
                self._replan(now)

    def on_rate_limited(
        self, headers: Mapping[str, str] | None = None, *, hold: float | None = None
    ) -> None:
        """Record a ``429 TEN_SECONDLY_ROLLING``: HubSpot's window is full right now.

        When the answer says how much of the budget is left (``-Remaining``) and some of
        this client's requests are in the window, the estimate of others' use learned from
        it stands: the window is full until requests age out, ours at their times and the
        others' as if they had just started. Otherwise the requests HubSpot saw but this
        client did not send count as having started just now, and with ``hold`` they age
        out after at most that many seconds instead of a whole interval: the client passes
        its retry policy's ``max_delay``, so that a 429 it cannot place never stalls every
        caller for longer than the policy allows. Call :meth:`wait_time` afterwards for the
        retry delay.

        When the hold ends, one request goes first (as before the first answer): if the
        window is still full, only that one hears a 429, not every caller at once.
        """
        learned = False
        if headers is not None:
            self.learn(headers)
            remaining = _parse_int(_header(headers, _REMAINING_HEADER), _SANE_REMAINING)
            learned = self._limit.adapt and remaining is not None
        with self._lock:
            now = self._clock()
            rule = self._rule
            self._forget_before(now)
            mine = self._count(rule, now, others=False)
            if learned:
                # With requests of ours in the window, the window is full until they age
                # out: not cut short by the hold, since retries sent at its end met it still
                # full (at 100 per 10 s, one more 429 for each, eight seconds later). With
                # none of ours, nothing tells when it frees, and the hold caps the wait.
                if mine == 0 and hold is not None and self._stale_at is not None:
                    self._stale_at = min(self._stale_at, now + max(hold, 0.0))
                return
            missing = rule.max - mine
            if missing > 0:
                started = now if hold is None else min(now, now - rule.span + max(hold, 0.0))
                rule.others = [started] * missing
                self._stale_at = started + rule.span

    # -- internals -------------------------------------------------------------------------

    def _set_limit(self, limit: RateLimit) -> None:
        self._limit = limit
        span = limit.interval * (1.0 + self._margin)
        rule = _Rule(limit.max_requests, span)
        previous: _Rule | None = getattr(self, "_rule", None)
        if previous is not None:
            rule.others = previous.others
        self._rule = rule
        self._gap = span / limit.max_requests * self._pace

    def _rules(self) -> list[_Rule]:
        return [self._rule] if self._secondly is None else [self._rule, self._secondly]

    def _start(self, ticket: Ticket) -> None:
        ticket.state = 1
        ticket.sent = ticket.at
        self._flying.add(ticket)

    def _drop(self, at: float) -> None:
        _remove(self._times, at)

    def _forget_before(self, now: float) -> None:
        longest = max(rule.span for rule in self._rules())
        horizon = now - longest
        times = self._times
        cut = bisect.bisect_right(times, horizon)
        if cut:
            del times[:cut]
        for rule in self._rules():
            others = rule.others
            cut = bisect.bisect_right(others, now - rule.span)
            if cut:
                del others[:cut]

    def _count(self, rule: _Rule, now: float, *, others: bool = True) -> int:
        """Requests inside ``rule``'s window ending now, counting those in flight."""
        times = self._times
        lo = bisect.bisect_right(times, now - rule.span)
        hi = bisect.bisect_right(times, now)
        count = hi - lo
        count += sum(1 for t in self._flying if t.at <= now - rule.span)
        if others:
            count += len(rule.others) - bisect.bisect_right(rule.others, now - rule.span)
        return count

    def _estimate_others(self, rule: _Rule, remaining: int, now: float) -> None:
        """Turn the server's count into others' requests: what it saw minus ours."""
        self._forget_before(now)
        used = rule.max - remaining  # HubSpot's count, this answer's request included
        # Ours that HubSpot counted: those our window holds (by answer time, which is
        # when we know a request arrived), except requests in flight that started after
        # the one this answer is for: they reach HubSpot after it. Room is then exactly
        # what Remaining says; where an answer time lags its arrival, the one-at-a-time
        # rule near a full window (_crowded) lets the next answer put that right.
        mine = self._count(rule, now, others=False)
        mine -= sum(1 for t in self._waiting if t.state == 0 and t.at <= now)
        if self._last_sent is not None:
            mine -= sum(1 for t in self._flying if t.sent > self._last_sent)
        theirs = max(0, used - mine)
        if theirs and used:
            # Others will want their share of the room that is left as well. Rounded down:
            # rounding up leaves the last slots of every window unused (measured: one
            # window more for 400 calls at 100 per 10 s), which costs more than the few
            # 429s of programs meeting at the last slot.
            theirs += int((rule.max - used) * theirs / used)
        theirs = min(theirs, rule.max)
        # As if they had all just started: a program that is using the budget goes on
        # using it, so the slots its old requests free are not ours to take. Only the
        # slots our own requests free are; every answer brings a fresh count.
        fewer = len(rule.others) - bisect.bisect_right(rule.others, now - rule.span) > theirs
        if rule is self._rule and self._probing(now):
            fewer = True  # the answer to the request that looked: the others may be gone
        rule.others = [now] * theirs
        if rule is self._rule:
            # A window HubSpot says is full stays so until requests age out, ours with the
            # others' (they burst when we did): looking earlier only buys a 429. Room left
            # unused is different: the others may have finished.
            stale = min(rule.span, max(rule.span * _STALE, _STALE_MIN)) if remaining else rule.span
            self._stale_at = now + stale if theirs else None
        if fewer:
            # Others spend less than planned for: callers waiting on them go earlier.
            self._replan(now)

    def _probing(self, now: float) -> bool:
        """Whether to let just one request fly until an answer tells more.

        Before the first answer the budget is a guess; after others' requests were seen
        and no answer came for a whole interval, their estimate is stale. One request
        costs one round trip and brings fresh headers, where a burst on a guess could
        bring a burst of 429s.
        """
        return not self._answered or self._stale(now)

    def _stale(self, now: float) -> bool:
        """Whether the estimate of others' use has run out (see ``_STALE``)."""
        return self._stale_at is not None and now >= self._stale_at

    def _expire_estimate(self, now: float) -> None:
        """Stop counting others' estimated requests once the estimate is stale.

        They were counted as if they had just started, the most careful guess while others
        go on spending. When it is stale, the slots may have been free for a while (the
        other program finished); one request looks.
        """
        if self._stale(now):
            self._rule.others.clear()

    def _crowded(self, now: float) -> bool:
        """Whether others spend the budget too and it is nearly full: one request at a time."""
        for rule in self._rules():
            if rule.others and rule.max - self._count(rule, now) < rule.max * _CROWDED:
                return True
        return False

    def _next_start(self, now: float, *, check: bool = False) -> float:
        self._forget_before(now)
        self._expire_estimate(now)
        # The request that looks is done when its answer's headers are learned, not when
        # it is answered (finish comes first).
        looking = self._probing(now)
        busy = bool(self._flying) or (looking and now < self._reading_until)
        if busy and (looking or self._crowded(now)):
            # Looks again shortly: near the top this also spaces the requests of programs
            # that cannot see each other, so that fewer of them meet at the last slots.
            return now + min(_PROBE_POLL, self._rule.span / self._rule.max)
        times = self._times
        start = now
        # Reservations stay in order (FIFO): after every planned start, paced.
        if not check and times and times[-1] + self._gap > start:
            start = times[-1] + self._gap
        for rule in self._rules():
            start = max(start, self._rule_start(rule, now, start, check))
        return start

    def _rule_start(self, rule: _Rule, now: float, start: float, check: bool) -> float:
        """The earliest time >= ``start`` at which ``rule`` has room for one more.

        A check at start time counts what has happened (requests started or answered, and
        others'); planning counts the starts already planned for later as well.
        """
        times = self._times
        end = bisect.bisect_right(times, now) if check else len(times)
        lo = bisect.bisect_right(times, now - rule.span)
        flying_old = sum(1 for t in self._flying if t.at <= now - rule.span)
        if flying_old >= rule.max:
            # Only requests in flight fill the window: look again shortly.
            return start + rule.span / rule.max
        room = rule.max - flying_old
        others = rule.others
        if end - lo + len(others) < room:
            return start
        if not others:
            return max(start, times[end - room] + rule.span)
        # The room-th most recent of ours and others' together: only the last `room` of
        # ours can be it.
        candidates = sorted([*times[max(lo, end - room) : end], *others])
        return max(start, candidates[-room] + rule.span)

    def _replan(self, now: float) -> None:
        """Plan every waiting ticket again under the new budget, in order, and wake it."""
        waiting = [t for t in self._waiting if t.state == 0]
        for ticket in waiting:
            self._drop(ticket.at)
        for ticket in waiting:
            ticket.at = self._next_start(now)
            bisect.insort(self._times, ticket.at)
            ticket.replan = True
            if ticket.wake is not None:
                ticket.wake()
        self._waiting = waiting

    def _wake_due(self, now: float) -> None:
        for ticket in self._waiting:
            if ticket.at <= now + self._rule.span / self._rule.max and ticket.wake is not None:
                ticket.wake()


def _wait_sync(budget: _Waitable, ticket: Ticket) -> Ticket:
    event: threading.Event | None = None
    while True:
        if ticket.replan:
            ticket.replan = False
            budget.refresh_sync(ticket)
        if event is not None:
            event.clear()
        delay = budget.delay(ticket)
        if delay <= 0:
            ticket.wake = None
            return ticket
        if event is None:
            event = threading.Event()
            ticket.wake = event.set
            continue  # look again now that a wake-up cannot be missed
        event.wait(delay)


async def _wait_async(budget: _Waitable, ticket: Ticket) -> Ticket:
    import asyncio  # here, so that importing this module stays as light as the CLI needs

    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] | None = None

    def wake() -> None:
        if future is not None:
            loop.call_soon_threadsafe(_resolve, future)

    ticket.wake = wake
    try:
        while True:
            if ticket.replan:
                ticket.replan = False
                await budget.refresh_async(ticket)
            future = loop.create_future()
            delay = budget.delay(ticket)
            if delay <= 0:
                return ticket
            timer = loop.call_later(delay, _resolve, future)
            try:
                await future
            finally:
                timer.cancel()
    except BaseException:
        budget.cancel(ticket)
        raise
    finally:
        ticket.wake = None


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def acquire_sync(budget: Budget) -> Ticket:
    """Block the current thread until a request may start under ``budget``; its ticket."""
    return budget.acquire_sync()


async def acquire_async(budget: Budget) -> Ticket:
    """Suspend the current task until a request may start under ``budget``; its ticket."""
    return await budget.acquire_async()


def _remove(values: list[float], value: float) -> None:
    """Remove one ``value`` from the sorted list ``values``, if it is there."""
    i = bisect.bisect_left(values, value)
    if i < len(values) and values[i] == value:
        del values[i]


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
