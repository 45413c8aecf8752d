"""HubSpot's two request budgets: a rolling window per app/token and a daily one per account.

* Rolling window: at most ``max`` requests in any ``interval`` seconds, tracked with exact
  timestamps (a deque per key), not fixed buckets. OAuth tokens of one app share the app's
  window; every private app token has its own.
* Daily: at most ``daily_limit`` requests per UTC day for the account's private app tokens;
  OAuth apps have no daily limit (as public apps on HubSpot).
* A request answered 429 spends nothing, so a client that keeps retrying does not push its own
  recovery further out. (HubSpot does not document this; it is the sandbox's choice.)
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
DAILY = "DAILY"

Headers = list[tuple[str, str]]


class RateLimiter:
    """Decides whether a request fits its budgets and reports them as HubSpot's headers.

    Example::

        limiter = RateLimiter((100, 10.0), 250_000)
        refused, headers = limiter.spend("token:abc", daily=True)
    """

    def __init__(
        self,
        rate_limit: tuple[int, float] | None = (100, 10.0),
        daily_limit: int | None = 250_000,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.rate_limit = rate_limit
        self.daily_limit = daily_limit
        self._clock = clock
        self._wall = wall_clock
        self._windows: dict[str, deque[float]] = {}
        self._day = -1
        self._daily_used = 0

    def reset(self) -> None:
        """Forget all spending."""
        self._windows.clear()
        self._daily_used = 0

    def _window(self, key: str, now: float) -> deque[float]:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = deque()
        if self.rate_limit is not None:
            horizon = now - self.rate_limit[1]
            while window and window[0] <= horizon:
                window.popleft()
        return window

    def _roll_day(self) -> None:
        day = int(self._wall() // 86400)
        if day != self._day:
            self._day = day
            self._daily_used = 0

    def _headers(self, window: deque[float], daily: bool) -> Headers:
        out: Headers = []
        if self.rate_limit is not None:
            maximum, interval = self.rate_limit
            out.append(("X-HubSpot-RateLimit-Interval-Milliseconds", str(int(interval * 1000))))
            out.append(("X-HubSpot-RateLimit-Max", str(maximum)))
            out.append(("X-HubSpot-RateLimit-Remaining", str(max(0, maximum - len(window)))))
        if daily and self.daily_limit is not None:
            out.append(("X-HubSpot-RateLimit-Daily", str(self.daily_limit)))
            left = max(0, self.daily_limit - self._daily_used)
            out.append(("X-HubSpot-RateLimit-Daily-Remaining", str(left)))
        return out

    def peek(self, key: str, *, daily: bool) -> Headers:
        """The headers describing ``key``'s budgets, spending nothing."""
        self._roll_day()
        return self._headers(self._window(key, self._clock()), daily)

    def spend(self, key: str, *, daily: bool) -> tuple[str | None, Headers]:
        """Spend one request of ``key`` (and of the daily budget when ``daily``).

        Returns the policy that refused it (``DAILY`` or ``TEN_SECONDLY_ROLLING``), or None when
        it was allowed, together with the headers to send.
        """
        now = self._clock()
        self._roll_day()
        window = self._window(key, now)
        if daily and self.daily_limit is not None and self._daily_used >= self.daily_limit:
            return DAILY, self._headers(window, daily)
        if self.rate_limit is not None and len(window) >= self.rate_limit[0]:
            return TEN_SECONDLY, self._headers(window, daily)
        if self.rate_limit is not None:
            window.append(now)
        if daily:
            self._daily_used += 1
        return None, self._headers(window, daily)
