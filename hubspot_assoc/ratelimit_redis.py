"""One rolling window for a whole fleet: the budget kept in Redis.

HubSpot's ten-second limit belongs to the app on a portal, not to one process. With
``RateLimit(store="redis://host:6379/0")`` (or ``HUBSPOT_RATE_LIMIT_STORE``, or the CLI's
``--rate-limit-store``) every process and machine using the same credential reserves its
start times in one Redis sorted set, so together they never start more than the budget in
any window, and a burst is shared first come, first served.

How it works
------------
* The key is ``hubspot-assoc:budget:`` plus the SHA-256 digest of the API address and the
  credential (the token, or an OAuth app's client id and refresh token); the credential
  itself never reaches Redis. Members are random ids; scores are start times in
  microseconds of *Redis's* clock (``TIME``), so the callers' clocks need not agree.
* A reservation is one Lua script, atomic in Redis: drop the entries older than the window,
  then start at the later of "now", "the last planned start" and "the ``max``-th most recent
  start plus the window"; add the entry, set the key to expire once it is of no use, and
  return how long to wait. A second script moves the entry to the answer's time when the
  answer arrives (HubSpot counted the request somewhere between the two), which is what
  lets a whole window's worth go at once without 429s.
* The budget learned from HubSpot's headers applies at once: callers waiting on a
  reservation made under the old one reserve again. It is also written to the store, so a
  process that has just started uses the fleet's budget, not its first guess.
* A planned start is checked again when it comes (a second script): requests still in
  flight count however old they are, so a slow request cannot let a later one overrun.
* The store never fails a call. When Redis is unreachable or slower than
  ``timeout`` (0.25 s), the client logs one WARNING on the ``hubspot_assoc`` logger and
  goes on with its own window, which has kept count of this process's requests all along;
  it tries Redis again after ``retry_after`` (5 s) and logs at INFO when it is back.
* Sync clients use ``redis.Redis``, async clients ``redis.asyncio.Redis`` (one per event
  loop). ``redis`` is imported on the first reservation, never when the client is built;
  it comes with ``pip install 'hubspot-assoc[redis]'``.

Why a script of our own: the Redis backends of ``limits`` and ``pyrate-limiter`` were
considered. Both answer "may I, right now?" (a moving-window list in ``limits``, a sorted
set in ``pyrate-limiter``) and leave waiting to the caller, who polls, in no order. Both
time entries with the callers' clocks (``pyrate-limiter`` says so on purpose), not Redis's.
Neither can move an entry to the time its answer came back, nor plan reservations again
when the budget changes, and they would add a dependency for about forty lines of Lua.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .logs import logger
from .ratelimit import (
    _PROBE_POLL,
    RateLimit,
    RollingWindow,
    Ticket,
    _wait_async,
    _wait_sync,
    redact_url,
)

if TYPE_CHECKING:
    import asyncio

__all__ = ["RedisWindow", "budget_key"]

KEY_PREFIX = "hubspot-assoc:budget:"

# Redis 3.2-4 need replicate_commands() before writing after TIME; later ones ignore it.
# KEYS[1]: the planned, started and answered requests (member -> microseconds);
# KEYS[2]: those in flight (member -> start), which count however old they are;
# KEYS[3]: the budget learned from HubSpot's headers (max, span).
_COMMON = """
redis.replicate_commands()
local key, flying = KEYS[1], KEYS[2]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local function keep(start, span)
  local ms = math.floor((start - now + span) / 1000) + 60000
  redis.call('PEXPIRE', key, ms)
  redis.call('PEXPIRE', flying, ms)
end
local function fly(member)
  redis.call('ZADD', key, now, member)
  redis.call('ZADD', flying, now, member)
end
-- The budget: a process that has heard HubSpot's headers writes it down; one that has
-- not yet (just started) uses what the fleet learned instead of its own guess.
local function budget(limit, span, learned)
  if learned == '1' then
    redis.call('HSET', KEYS[3], 'max', limit, 'span', span)
    redis.call('PEXPIRE', KEYS[3], 86400000)
    return limit, span
  end
  local known = redis.call('HMGET', KEYS[3], 'max', 'span')
  if known[1] and known[2] then
    return tonumber(known[1]), tonumber(known[2])
  end
  return limit, span
end
"""

# Plan a start: after every planned one (first come, first served), and when the
# max-th most recent has left the window. ARGV: max, span, member, replace, stale, learned.
_RESERVE = (
    _COMMON
    + """
local limit, span = budget(tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[6])
local member = ARGV[3]
if ARGV[4] == '1' then
  redis.call('ZREM', key, member)
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
redis.call('ZREMRANGEBYSCORE', flying, '-inf', now - tonumber(ARGV[5]))
local start = now
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if last[2] then
  start = math.max(start, tonumber(last[2]))
end
local room = limit - redis.call('ZCOUNT', flying, '-inf', now - span)
if room < 1 then
  start = math.max(start, now + math.floor(span / limit))
elseif redis.call('ZCARD', key) >= room then
  local edge = redis.call('ZRANGE', key, -room, -room, 'WITHSCORES')
  start = math.max(start, tonumber(edge[2]) + span)
end
if start == now then
  fly(member)
else
  redis.call('ZADD', key, start, member)
end
keep(start, span)
return start - now
"""
)

# When a planned start comes: go if the window (counting what has started, and what
# is in flight however old) has room now; else plan again.
# ARGV: max, span, member, stale, learned.
_CHECK = (
    _COMMON
    + """
local limit, span = budget(tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[5])
local member = ARGV[3]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
redis.call('ZREMRANGEBYSCORE', flying, '-inf', now - tonumber(ARGV[4]))
redis.call('ZREM', key, member)
local room = limit - redis.call('ZCOUNT', flying, '-inf', now - span)
local seen = redis.call('ZRANGEBYSCORE', key, '(' .. (now - span), now, 'WITHSCORES')
local count = #seen / 2
local start = now
if room < 1 then
  start = now + math.floor(span / limit)
elseif count >= room then
  start = tonumber(seen[(count - room + 1) * 2]) + span
end
if start <= now then
  fly(member)
  start = now
else
  redis.call('ZADD', key, start, member)
end
keep(start, span)
return start - now
"""
)

# The answer is in: the request counts from now (HubSpot saw it at the latest now), or
# not at all when HubSpot said so (a 429). ARGV: member, span, counted.
_FINISH = (
    _COMMON
    + """
local member, span = ARGV[1], tonumber(ARGV[2])
redis.call('ZREM', flying, member)
if ARGV[3] == '0' then
  redis.call('ZREM', key, member)
  return 0
end
local score = redis.call('ZSCORE', key, member)
if not score or tonumber(score) < now then
  redis.call('ZADD', key, now, member)
  keep(now, span)
end
return 0
"""
)

_PROBE_WAIT = 5.0  # a probe not answered by then is taken for lost: another may go
_NEXT_LOOK = 1e-6  # "look again at once", without busy-waiting on a lock

# Entries in flight longer than this are taken for lost (their process died).
_STALE_S = 60.0


def budget_key(secret: str) -> str:
    """The Redis key of the budget belonging to ``secret`` (never the secret itself)."""
    return KEY_PREFIX + hashlib.sha256(secret.encode("utf-8")).hexdigest()


class RedisWindow:
    """A rolling-window budget kept in Redis, shared by every process using one credential.

    Args:
        limit: the budget to start with (learned from HubSpot's headers unless
            ``adapt=False``); ``limit.store`` or ``url`` names the Redis server.
        url: the Redis URL (``redis://``, ``rediss://`` or ``unix://``).
        secret: what identifies the app's budget (hashed into the key).
        timeout: seconds Redis may take to connect or answer before the call goes on
            with the local window.
        retry_after: seconds to wait before trying an unreachable Redis again.

    Example::

        window = RedisWindow(RateLimit(190, 10.0), "redis://localhost:6379/0", token)
        ticket = window.acquire_sync()
        response = httpx.get(url)
        window.finish_sync(ticket)
    """

    def __init__(
        self,
        limit: RateLimit,
        url: str,
        secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 0.25,
        retry_after: float = 5.0,
    ) -> None:
        self._local = RollingWindow(limit, clock=clock)
        self._url = url
        self._key = budget_key(secret)
        self._clock = clock
        self._timeout = timeout
        self._retry_after = retry_after
        self._lock = threading.Lock()
        self._keys = [self._key, self._key + ":flying", self._key + ":budget"]
        self._sync: tuple[Any, dict[str, Any]] | None = None
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Any, dict[str, Any]]
        ]
        self._async = weakref.WeakKeyDictionary()
        self._down_until = 0.0
        self._down = False
        self._hold_until = 0.0
        self._probe_at: float | None = None  # when the caller probing the budget went
        self._waiting: set[Ticket] = set()
        self._shadows: dict[str, Ticket] = {}  # store ticket -> the local window's record
        self._ids = itertools.count()
        self._prefix = os.urandom(6).hex()

    @property
    def limit(self) -> RateLimit:
        """The budget in force (possibly learned from HubSpot's headers)."""
        return self._local.limit

    @property
    def key(self) -> str:
        """The Redis key holding this budget."""
        return self._key

    def __repr__(self) -> str:
        return f"RedisWindow({self._local.limit!r}, url={redact_url(self._url)!r})"

    # -- store I/O -------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries of its own: a slow or absent store must cost a call at most `timeout`.
        return {
            "socket_timeout": self._timeout,
            "socket_connect_timeout": self._timeout,
            "retry": Retry(NoBackoff(), 0),
            "retry_on_timeout": False,
        }

    def _sync_client(self) -> tuple[Any, dict[str, Any]]:
        if self._sync is None:
            import redis

            client = redis.Redis.from_url(self._url, **self._options())
            self._sync = (client, self._register(client))
        return self._sync

    def _async_client(self) -> tuple[Any, dict[str, Any]]:
        import asyncio

        loop = asyncio.get_running_loop()
        found = self._async.get(loop)
        if found is None:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(self._url, **self._options())
            found = (client, self._register(client))
            self._async[loop] = found
        return found

    @staticmethod
    def _register(client: Any) -> dict[str, Any]:
        return {
            name: client.register_script(text)
            for name, text in (("reserve", _RESERVE), ("check", _CHECK), ("finish", _FINISH))
        }

    def _usable(self) -> bool:
        return self._clock() >= self._down_until

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = self._clock() + self._retry_after
            if self._down:
                return
            self._down = True
        reason = type(exc).__name__
        if isinstance(exc, ImportError):
            reason = "the redis package is missing: pip install 'hubspot-assoc[redis]'"
        logger.warning(
            "rate-limit store %s unavailable (%s); this process keeps its own window "
            "until the store answers again",
            redact_url(self._url),
            reason,
        )

    def _worked(self) -> None:
        if self._down:
            with self._lock:
                was_down, self._down = self._down, False
            if was_down:
                logger.info("rate-limit store %s answers again", redact_url(self._url))

    def _call(self, ticket: Ticket, replace: bool = False) -> tuple[str, list[Any]]:
        """Which script a waiting ``ticket`` needs now, with its arguments."""
        limit = self._local.limit
        span = int(limit.interval * 1_000_000)
        stale = int((limit.interval + _STALE_S) * 1_000_000)
        learned = int(self._local.answered)
        if ticket.at and ticket.at <= self._clock() and not replace:
            return "check", [limit.max_requests, span, ticket.key, stale, learned]
        return "reserve", [limit.max_requests, span, ticket.key, int(replace), stale, learned]

    def _planned(self, ticket: Ticket, wait_us: Any) -> Ticket:
        now = self._clock()
        wait = max(0, int(wait_us)) / 1_000_000
        with self._lock:
            if wait == 0:
                ticket.state = 1
                ticket.at = now
                self._waiting.discard(ticket)
                # The local window keeps count too, for the time the store is away.
                self._shadows[ticket.key] = self._local.note(now)
            else:
                ticket.at = now + wait
                self._waiting.add(ticket)
        self._worked()
        return ticket

    def _to_local(self, ticket: Ticket) -> None:
        """The store failed while ``ticket`` waited: the local window plans it instead."""
        with self._lock:
            self._waiting.discard(ticket)
        ticket.key = ""
        self._local.reserve(ticket)

    def _may_probe(self) -> bool:
        """Until the first answer, one caller at a time goes (the others wait for it)."""
        if self._local.answered:
            return True
        with self._lock:
            if self._probe_at is not None and self._clock() - self._probe_at < _PROBE_WAIT:
                return False
            self._probe_at = self._clock()
            return True

    def _new_ticket(self) -> Ticket:
        ticket = Ticket(0.0)
        ticket.key = f"{self._prefix}:{next(self._ids)}"
        return ticket

    # -- the budget ------------------------------------------------------------------------

    def acquire_sync(self) -> Ticket:
        """Block until a request may start under the shared budget; returns its ticket."""
        while not self._may_probe():
            time.sleep(_PROBE_POLL)  # the budget is a guess until the first answer
        if self._usable():
            ticket = self._new_ticket()
            name, args = self._call(ticket)
            try:
                wait_us = self._sync_client()[1][name](keys=self._keys, args=args)
            except Exception as exc:  # the store must never fail a call
                self._failed(exc)
            else:
                return _wait_sync(self, self._planned(ticket, wait_us))
        return self._local.acquire_sync()

    async def acquire_async(self) -> Ticket:
        """Suspend until a request may start under the shared budget; returns its ticket."""
        if not self._may_probe():
            import asyncio

            while not self._may_probe():
                await asyncio.sleep(_PROBE_POLL)  # the budget is a guess until then
        if self._usable():
            ticket = self._new_ticket()
            name, args = self._call(ticket)
            try:
                wait_us = await self._async_client()[1][name](keys=self._keys, args=args)
            except Exception as exc:  # the store must never fail a call
                self._failed(exc)
            else:
                return await _wait_async(self, self._planned(ticket, wait_us))
        return await self._local.acquire_async()

    def refresh_sync(self, ticket: Ticket) -> None:
        """Ask the store again: the planned start has come, or the budget changed."""
        if not ticket.key or ticket.state:
            return
        if self._usable():
            name, args = self._call(ticket, replace=ticket.at > self._clock())
            try:
                wait_us = self._sync_client()[1][name](keys=self._keys, args=args)
            except Exception as exc:
                self._failed(exc)
            else:
                self._planned(ticket, wait_us)
                return
        self._to_local(ticket)

    async def refresh_async(self, ticket: Ticket) -> None:
        """Ask the store again: the planned start has come, or the budget changed."""
        if not ticket.key or ticket.state:
            return
        if self._usable():
            name, args = self._call(ticket, replace=ticket.at > self._clock())
            try:
                wait_us = await self._async_client()[1][name](keys=self._keys, args=args)
            except Exception as exc:
                self._failed(exc)
            else:
                self._planned(ticket, wait_us)
                return
        self._to_local(ticket)

    def delay(self, ticket: Ticket) -> float:
        """Seconds ``ticket`` must still wait; 0 means it may start now."""
        if not ticket.key:
            return self._local.delay(ticket)
        if ticket.state:
            return 0.0
        if not self._local.answered and self._shadows:
            # The budget is still a guess: one request finds out first.
            return _PROBE_POLL
        now = self._clock()
        due = max(ticket.at, self._hold_until)
        if due > now:
            return due - now
        ticket.replan = True  # the time has come: the store decides (see refresh_*)
        return _NEXT_LOOK

    def cancel(self, ticket: Ticket) -> None:
        """Give a reservation back locally (its store entry simply ages out)."""
        if not ticket.key:
            self._local.cancel(ticket)
            return
        with self._lock:
            self._waiting.discard(ticket)
        ticket.state = 2

    def finish_sync(self, ticket: Ticket, *, counted: bool = True) -> None:
        """Record that ``ticket``'s request was answered now (``counted=False``: a 429)."""
        if not self._finish_local(ticket, counted):
            return
        if self._usable():
            try:
                self._sync_client()[1]["finish"](
                    keys=self._keys, args=self._finish_args(ticket, counted)
                )
            except Exception as exc:
                self._failed(exc)

    async def finish_async(self, ticket: Ticket, *, counted: bool = True) -> None:
        """Record that ``ticket``'s request was answered now (``counted=False``: a 429)."""
        if not self._finish_local(ticket, counted):
            return
        if self._usable():
            try:
                await self._async_client()[1]["finish"](
                    keys=self._keys, args=self._finish_args(ticket, counted)
                )
            except Exception as exc:
                self._failed(exc)

    def _finish_args(self, ticket: Ticket, counted: bool) -> list[Any]:
        return [ticket.key, int(self._local.limit.interval * 1_000_000), int(counted)]

    def abandon(self, ticket: Ticket) -> None:
        """Free ``ticket`` without talking to the store (the caller is being cancelled)."""
        self._finish_local(ticket, True)

    def _finish_local(self, ticket: Ticket, counted: bool) -> bool:
        """Finish the local side; True when the store holds an entry to update as well."""
        if not ticket.key:
            self._local.finish(ticket, counted=counted)
            return False
        shadow = self._shadows.pop(ticket.key, None)
        if shadow is not None:
            self._local.finish(shadow, counted=counted)
        # Whatever the probe brought, another caller may probe now (one at a time).
        self._probe_at = None
        if ticket.state != 1:
            return False
        ticket.state = 2
        return True

    def learn(self, headers: Mapping[str, str]) -> None:
        """Adopt HubSpot's announced budget; waiting reservations are made again."""
        before = self._local.limit
        self._local.learn(headers)
        if self._local.limit != before:
            with self._lock:
                waiting = list(self._waiting)
            for ticket in waiting:
                ticket.replan = True
                if ticket.wake is not None:
                    ticket.wake()

    def on_rate_limited(
        self, headers: Mapping[str, str] | None = None, *, hold: float | None = None
    ) -> None:
        """Record a 429: someone outside the store spent the budget; hold this process back."""
        self._local.on_rate_limited(headers, hold=hold)
        self._hold_until = self._clock() + self._local.wait_time()

    def wait_time(self) -> float:
        """Seconds until one more request could start, as far as this process knows."""
        return max(0.0, self._hold_until - self._clock(), self._local.wait_time())

    def close(self) -> None:
        """Close the synchronous Redis connections."""
        if self._sync is not None:
            client, self._sync = self._sync[0], None
            client.close()

    async def aclose(self) -> None:
        """Close the Redis connections of the running event loop (and the synchronous ones)."""
        import asyncio

        self.close()
        found = self._async.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found[0].aclose()
