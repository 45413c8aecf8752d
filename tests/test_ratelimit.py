"""The client-side rolling-window limiter: budget kept, learned, shared by threads and tasks."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from typing import Any

import httpx
import pytest

from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.ratelimit import RateLimit, RollingWindow, acquire_async, acquire_sync


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def make(max_requests: int, interval: float, **kwargs: Any) -> tuple[RollingWindow, FakeClock]:
    clock = FakeClock()
    settings: dict[str, Any] = {"margin": 0.0, "pace": 0.0, **kwargs}
    window = RollingWindow(RateLimit(max_requests, interval), clock=clock, **settings)
    return window, clock


def max_in_any_window(starts: list[float], interval: float) -> int:
    """Most starts inside any half-open window [t, t + interval).

    ``now + delay`` may differ from the reserved time in the last bit, hence the 1e-9.
    """
    starts = sorted(starts)
    best = 0
    lo = 0
    for hi, t in enumerate(starts):
        while starts[lo] <= t - interval + 1e-9:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# --- fake clock ----------------------------------------------------------------------


def test_burst_is_spread_window_by_window() -> None:
    window, clock = make(5, 10.0)
    starts = [clock.now + window.reserve() for _ in range(17)]
    # 5 at once, then 5 more each time the window has rolled on by one interval.
    assert starts == [100.0] * 5 + [110.0] * 5 + [120.0] * 5 + [130.0] * 2


def test_margin_stretches_the_interval() -> None:
    window, _ = make(2, 10.0, margin=0.05)
    delays = [window.reserve() for _ in range(3)]
    assert delays == [0.0, 0.0, pytest.approx(10.5)]


def test_pace_spreads_a_window_instead_of_bursting() -> None:
    window, clock = make(4, 1.0, pace=0.5)  # gap 1.0 / 4 * 0.5 = 0.125 s
    starts = [clock.now + window.reserve() for _ in range(6)]
    # Paced within the window; the 5th waits for the 1st to leave it.
    assert starts == pytest.approx([100.0, 100.125, 100.25, 100.375, 101.0, 101.125])
    clock.now = 110.0
    assert window.reserve() == 0.0  # a caller after a pause starts at once


def test_defaults_pace_half_and_margin_five_percent() -> None:
    clock = FakeClock()
    window = RollingWindow(RateLimit(2, 10.0), clock=clock)
    delays = [window.reserve() for _ in range(3)]
    # span 10.5 s; gap 10.5 / 2 * 0.5
    assert delays == [0.0, pytest.approx(2.625), pytest.approx(10.5)]


def test_never_more_than_max_in_any_interval_under_random_arrivals() -> None:
    rng = random.Random(1234)
    window, clock = make(7, 1.0)
    starts = []
    for _ in range(2000):
        clock.now += rng.expovariate(12.0)  # callers arrive faster than the budget allows
        delay = window.reserve()
        assert delay >= 0.0
        starts.append(clock.now + delay)
    assert starts == sorted(starts)  # first come, first served
    assert max_in_any_window(starts, 1.0) == 7
    # Not overly cautious either: the schedule keeps up with the budget.
    assert starts[-1] - starts[0] < (2000 / 7) * 1.0 + 1.0


def test_slow_callers_never_wait() -> None:
    window, clock = make(3, 1.0)
    for _ in range(50):
        assert window.reserve() == 0.0
        clock.now += 0.34


def test_reserve_is_atomic_across_threads() -> None:
    window, clock = make(10, 1.0)
    starts: list[float] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        mine = [clock.now + window.reserve() for _ in range(50)]
        starts.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 400 reservations at one instant: exactly ten per interval, none lost or doubled.
    assert sorted(starts) == [100.0 + k // 10 for k in range(400)]


def test_wait_time_does_not_reserve() -> None:
    window, clock = make(2, 10.0)
    assert window.wait_time() == 0.0
    window.reserve()
    assert window.wait_time() == 0.0
    window.reserve()
    clock.now += 4.0
    assert window.wait_time() == pytest.approx(6.0)
    assert window.wait_time() == pytest.approx(6.0)  # asking twice changes nothing
    assert window.reserve() == pytest.approx(6.0)
    assert window.wait_time() == pytest.approx(6.0)  # the 4th may start with the 3rd's window
    clock.now += 6.0
    assert window.wait_time() == 0.0  # the first two have left the window


def test_wait_time_reaches_zero_as_the_window_rolls() -> None:
    window, clock = make(3, 1.0)
    for _ in range(3):
        window.reserve()
    assert window.wait_time() == pytest.approx(1.0)
    clock.now += 0.25
    assert window.wait_time() == pytest.approx(0.75)
    clock.now += 0.75
    assert window.wait_time() == 0.0


# --- learning the budget -----------------------------------------------------------------


def test_learns_budget_from_hubspot_headers() -> None:
    window, _ = make(100, 10.0)
    window.learn(
        httpx.Headers(
            {
                "X-HubSpot-RateLimit-Max": "190",
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                "X-HubSpot-RateLimit-Remaining": "180",
            }
        )
    )
    assert window.limit == RateLimit(190, 10.0)
    window.learn(
        {"x-hubspot-ratelimit-max": "20", "X-HUBSPOT-RATELIMIT-INTERVAL-MILLISECONDS": "1000"}
    )
    assert window.limit == RateLimit(20, 1.0)


def test_learned_budget_applies_to_the_next_reservation() -> None:
    window, _ = make(10, 1.0)
    for _ in range(3):
        assert window.reserve() == 0.0
    window.learn({"X-HubSpot-RateLimit-Max": "3"})
    assert window.limit == RateLimit(3, 1.0)  # interval kept when only Max is sent
    assert window.reserve() == pytest.approx(1.0)
    window.learn({"X-HubSpot-RateLimit-Interval-Milliseconds": "4000"})
    assert window.limit == RateLimit(3, 4.0)
    assert window.wait_time() == pytest.approx(4.0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-HubSpot-RateLimit-Max": "lots"},
        {"X-HubSpot-RateLimit-Max": "0"},
        {"X-HubSpot-RateLimit-Max": "-5"},
        {"X-HubSpot-RateLimit-Max": "1000000000"},
        {"X-HubSpot-RateLimit-Interval-Milliseconds": "0"},
        {"X-HubSpot-RateLimit-Interval-Milliseconds": "1.5"},
        {"X-HubSpot-RateLimit-Interval-Milliseconds": "99999999999"},
        {"X-HubSpot-RateLimit-Daily": "250000"},
    ],
)
def test_ignores_missing_or_absurd_headers(headers: dict[str, str]) -> None:
    window, _ = make(100, 10.0)
    window.learn(headers)
    assert window.limit == RateLimit(100, 10.0)


def test_adapt_false_keeps_the_configured_budget() -> None:
    window = RollingWindow(RateLimit(50, 10.0, adapt=False))
    window.learn(
        {"X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert window.limit == RateLimit(50, 10.0, adapt=False)


def test_rate_limited_window_counts_as_full() -> None:
    window, clock = make(5, 10.0)
    window.reserve()  # t=100
    clock.now = 101.0
    window.reserve()  # t=101
    clock.now = 102.0
    window.on_rate_limited()
    # HubSpot saw 5 requests in its window; the 3 we did not send count as sent now,
    # so room appears when our oldest (t=100) leaves the window.
    assert window.wait_time() == pytest.approx(8.0)
    clock.now = 110.0
    assert window.reserve() == 0.0
    assert window.reserve() == pytest.approx(1.0)  # then t=101 must leave
    assert window.reserve() == pytest.approx(2.0)  # then the 3 counted at t=102


def test_rate_limited_with_full_window_changes_nothing() -> None:
    window, _ = make(3, 1.0)
    for _ in range(3):
        window.reserve()
    before = window.wait_time()
    window.on_rate_limited({})
    assert window.wait_time() == before == pytest.approx(1.0)


def test_rate_limited_learns_from_headers() -> None:
    window, _ = make(100, 10.0)
    window.on_rate_limited({"X-HubSpot-RateLimit-Max": "4"})
    assert window.limit.max_requests == 4
    assert window.wait_time() == pytest.approx(10.0)


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_requests": 0}, "max_requests"),
        ({"max_requests": 2.5}, "max_requests"),
        ({"max_requests": True}, "max_requests"),
        ({"interval": 0}, "interval"),
        ({"interval": -1.0}, "interval"),
        ({"interval": float("inf")}, "interval"),
        ({"interval": "10"}, "interval"),
        ({"adapt": "yes"}, "adapt"),
    ],
)
def test_rate_limit_rejects_invalid_values(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field) as caught:
        RateLimit(**kwargs)
    assert caught.value.argument == field


@pytest.mark.parametrize("margin", [-0.1, 1.0, float("nan"), True])
def test_window_rejects_invalid_margin(margin: float) -> None:
    with pytest.raises(InvalidInputError, match="margin"):
        RollingWindow(RateLimit(), margin=margin)


@pytest.mark.parametrize("pace", [-0.1, 1.5, float("nan"), False])
def test_window_rejects_invalid_pace(pace: float) -> None:
    with pytest.raises(InvalidInputError, match="pace"):
        RollingWindow(RateLimit(), pace=pace)


def test_window_requires_a_rate_limit() -> None:
    with pytest.raises(InvalidInputError, match="RateLimit"):
        RollingWindow((20, 1.0))  # type: ignore[arg-type]


# --- real time (short) -------------------------------------------------------------------


def test_threads_share_one_budget_in_real_time() -> None:
    window = RollingWindow(RateLimit(10, 0.2))
    sent: list[float] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(5):
            acquire_sync(window)
            sent.append(time.monotonic())

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    assert len(sent) == 40
    # 40 starts at 10 per 0.21 s: the last ten cannot begin before 3 windows have passed.
    assert 0.6 <= elapsed < 2.0
    # Generous bound for scheduler jitter: even a 0.15 s slice never holds more than ten.
    assert max_in_any_window(sent, 0.15) <= 10


def test_lock_is_not_held_while_sleeping() -> None:
    window = RollingWindow(RateLimit(1, 0.5))
    acquire_sync(window)
    sleeper = threading.Thread(target=acquire_sync, args=(window,))
    sleeper.start()
    time.sleep(0.05)
    asked = time.monotonic()
    assert window.wait_time() > 0.3  # answered while the other thread sleeps
    assert time.monotonic() - asked < 0.1
    sleeper.join()


def test_tasks_share_one_budget() -> None:
    async def main() -> tuple[float, list[float]]:
        window = RollingWindow(RateLimit(10, 0.2))
        loop = asyncio.get_running_loop()
        sent: list[float] = []

        async def task() -> None:
            await acquire_async(window)
            sent.append(loop.time())

        began = loop.time()
        await asyncio.gather(*(task() for _ in range(50)))
        return loop.time() - began, sent

    elapsed, sent = asyncio.run(main())
    assert len(sent) == 50
    assert 0.8 <= elapsed < 2.0  # five windows of ten; the fifth starts after four intervals
    assert max_in_any_window(sent, 0.15) <= 10


def test_threads_and_tasks_share_one_budget() -> None:
    window = RollingWindow(RateLimit(10, 0.2))
    sent: list[float] = []
    lock = threading.Lock()

    def record() -> None:
        with lock:
            sent.append(time.monotonic())

    def thread_worker() -> None:
        for _ in range(5):
            acquire_sync(window)
            record()

    async def tasks() -> None:
        async def one() -> None:
            await acquire_async(window)
            record()

        await asyncio.gather(*(one() for _ in range(25)))

    began = time.monotonic()
    threads = [threading.Thread(target=thread_worker) for _ in range(3)]
    for t in threads:
        t.start()
    asyncio.run(tasks())
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    assert len(sent) == 40
    assert 0.6 <= elapsed < 2.0
    assert max_in_any_window(sent, 0.15) <= 10


def test_rate_limited_hold_caps_how_long_unseen_requests_block() -> None:
    window, clock = make(5, 10.0)
    clock.now = 100.0
    window.reserve()
    window.on_rate_limited(hold=2.0)
    # Four requests we did not send fill the window, but only for the 2 s hold: one 429
    # must not stall every caller for the whole 10 s interval.
    assert window.wait_time() == pytest.approx(2.0)
    clock.now = 102.0
    assert window.reserve() == 0.0
    # Without a hold they would block until the whole interval passed.
    other, clock2 = make(5, 10.0)
    clock2.now = 100.0
    other.reserve()
    other.on_rate_limited()
    assert other.wait_time() == pytest.approx(10.0)
