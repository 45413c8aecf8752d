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
    settings: dict[str, Any] = {"margin": 0.0, "pace": 0.0, "probe": False, **kwargs}
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


def go(window: RollingWindow) -> float:
    """Reserve; a request that may start at once is answered at once. Its planned start."""
    ticket = window.reserve()
    if ticket.state == 1:
        window.finish(ticket)
    return ticket.at


def wait(window: RollingWindow, clock: FakeClock) -> float:
    """Reserve like :func:`go`; the delay until the planned start."""
    return go(window) - clock.now


def test_burst_is_spread_window_by_window() -> None:
    window, _ = make(5, 10.0)
    starts = [go(window) for _ in range(17)]
    # 5 at once, then 5 more each time the window has rolled on by one interval.
    assert starts == [100.0] * 5 + [110.0] * 5 + [120.0] * 5 + [130.0] * 2


def test_margin_stretches_the_interval() -> None:
    window, clock = make(2, 10.0, margin=0.05)
    delays = [wait(window, clock) for _ in range(3)]
    assert delays == [0.0, 0.0, pytest.approx(10.5)]


def test_pace_spreads_a_window_instead_of_bursting() -> None:
    window, clock = make(4, 1.0, pace=0.5)  # gap 1.0 / 4 * 0.5 = 0.125 s
    starts = [go(window) for _ in range(6)]
    # Paced within the window; the 5th waits for the 1st to leave it.
    assert starts == pytest.approx([100.0, 100.125, 100.25, 100.375, 101.0, 101.125])
    clock.now = 110.0
    assert wait(window, clock) == 0.0  # a caller after a pause starts at once


def test_defaults_let_a_whole_window_start_at_once() -> None:
    clock = FakeClock()
    window = RollingWindow(RateLimit(3, 10.0, adapt=False), clock=clock)
    delays = [wait(window, clock) for _ in range(4)]
    assert delays == [0.0, 0.0, 0.0, pytest.approx(10.0)]


def test_one_request_probes_a_guessed_budget_before_the_burst() -> None:
    clock = FakeClock()
    window = RollingWindow(RateLimit(100, 10.0), clock=clock)
    first = window.reserve()
    second, third = window.reserve(), window.reserve()
    assert first.state == 1 and second.state == third.state == 0  # they wait for an answer
    assert window.delay(second) > 0
    clock.now += 0.01
    window.finish(first)
    window.learn({"X-HubSpot-RateLimit-Max": "250", "X-HubSpot-RateLimit-Remaining": "249"})
    assert window.delay(second) == 0.0 and window.delay(third) == 0.0  # then the burst


def test_never_more_than_max_in_any_interval_under_random_arrivals() -> None:
    rng = random.Random(1234)
    window, clock = make(7, 1.0)
    starts = []
    for _ in range(2000):
        clock.now += rng.expovariate(12.0)  # callers arrive faster than the budget allows
        start = go(window)
        assert start >= clock.now
        starts.append(start)
    assert starts == sorted(starts)  # first come, first served
    assert max_in_any_window(starts, 1.0) == 7
    # Not overly cautious either: the schedule keeps up with the budget.
    assert starts[-1] - starts[0] < (2000 / 7) * 1.0 + 1.0


def test_slow_callers_never_wait() -> None:
    window, clock = make(3, 1.0)
    for _ in range(50):
        assert wait(window, clock) == 0.0
        clock.now += 0.34


def test_reserve_is_atomic_across_threads() -> None:
    window, _ = make(10, 1.0)
    starts: list[float] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        mine = [go(window) for _ in range(50)]
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
    go(window)
    assert window.wait_time() == 0.0
    go(window)
    clock.now += 4.0
    assert window.wait_time() == pytest.approx(6.0)
    assert window.wait_time() == pytest.approx(6.0)  # asking twice changes nothing
    assert wait(window, clock) == pytest.approx(6.0)
    assert window.wait_time() == pytest.approx(6.0)  # the 4th may start with the 3rd's window
    clock.now += 6.0
    assert window.wait_time() == 0.0  # the first two have left the window


def test_wait_time_reaches_zero_as_the_window_rolls() -> None:
    window, clock = make(3, 1.0)
    for _ in range(3):
        go(window)
    assert window.wait_time() == pytest.approx(1.0)
    clock.now += 0.25
    assert window.wait_time() == pytest.approx(0.75)
    clock.now += 0.75
    assert window.wait_time() == 0.0


# --- timed by answers, requests in flight --------------------------------------------------


def test_an_answer_moves_its_request_to_the_answer_time() -> None:
    # HubSpot counts a request when it arrives, somewhere between send and answer: one
    # interval after the answer is always late enough, one after the send may not be.
    window, clock = make(1, 10.0)
    ticket = window.reserve()
    assert ticket.state == 1 and ticket.at == 100.0
    clock.now = 100.5
    window.finish(ticket)
    assert ticket.at == 100.5
    assert window.wait_time() == pytest.approx(10.0)


def test_a_request_in_flight_counts_however_old() -> None:
    window, clock = make(1, 1.0)
    ticket = window.reserve()
    clock.now = 105.0  # a very slow answer: it may still reach HubSpot any moment
    assert window.wait_time() > 0
    window.finish(ticket)
    assert window.wait_time() == pytest.approx(1.0)


def test_a_waiter_checks_the_window_again_when_its_time_comes() -> None:
    window, clock = make(2, 10.0)
    first, second = window.reserve(), window.reserve()
    third = window.reserve()
    assert (first.state, second.state, third.state) == (1, 1, 0)
    assert third.at == 110.0  # planned for when the first two leave the window
    clock.now = 110.0
    # Both are still in flight, so HubSpot may not have counted them yet: wait on.
    assert window.delay(third) > 0
    clock.now = 111.0
    window.finish(first)
    assert window.delay(third) == pytest.approx(4.0)  # it looks again at 115
    clock.now = 115.0
    # The first was answered at 111 and the second still flies: room only at 121.
    assert window.delay(third) == pytest.approx(6.0)
    clock.now = 121.0
    window.finish(second)  # answered at 121: the window (111, 121] holds just that one
    assert window.delay(third) == 0.0
    assert third.state == 1 and third.at == 121.0


def test_cancelled_reservation_frees_its_slot() -> None:
    window, clock = make(1, 10.0)
    go(window)
    waiting = window.reserve()
    assert waiting.at == 110.0
    window.cancel(waiting)
    assert wait(window, clock) == pytest.approx(10.0)  # takes the slot the cancelled one had


# --- room reported by the server -------------------------------------------------------------


def test_remaining_that_matches_our_own_requests_changes_nothing() -> None:
    window, clock = make(10, 10.0)
    for _ in range(3):
        go(window)
    window.learn({"X-HubSpot-RateLimit-Max": "10", "X-HubSpot-RateLimit-Remaining": "7"})
    assert [wait(window, clock) for _ in range(7)] == [0.0] * 7
    assert wait(window, clock) == pytest.approx(10.0)


def test_remaining_below_our_count_means_others_spend_the_budget() -> None:
    window, clock = make(10, 10.0)
    go(window)
    # HubSpot counted 6 in its window; one was ours, five someone else's. They will want
    # their share of the 4 left too (5/6 of it, rounded down: 3), so we may take one now.
    window.learn({"X-HubSpot-RateLimit-Max": "10", "X-HubSpot-RateLimit-Remaining": "4"})
    assert wait(window, clock) == 0.0
    assert wait(window, clock) > 0.0
    # Others' requests are taken as spread over the last interval: they age out over time.
    clock.now += 10.0
    assert window.wait_time() == 0.0


def test_remaining_without_others_on_a_fresh_window() -> None:
    window, clock = make(100, 10.0)
    clock.now = 100.0
    # An answer saying the whole budget is spent, to a client that sent nothing counted.
    window.learn({"X-HubSpot-RateLimit-Remaining": "0"})
    assert window.wait_time() > 0.0
    clock.now = 110.0
    assert window.wait_time() == 0.0


def test_our_requests_in_flight_that_started_earlier_count_as_ours() -> None:
    window, clock = make(10, 10.0)
    earlier = window.reserve()
    clock.now = 100.1
    answered = window.reserve()
    clock.now = 100.2
    window.finish(answered)
    # HubSpot counted both of ours (the earlier one had arrived first): nobody else is here.
    window.learn({"X-HubSpot-RateLimit-Remaining": "8"})
    assert [window.reserve().state for _ in range(9)] == [1] * 8 + [0]
    assert earlier.state == 1


def test_our_requests_in_flight_that_started_later_have_not_arrived() -> None:
    window, clock = make(10, 10.0)
    answered = window.reserve()
    clock.now = 100.1
    later = [window.reserve() for _ in range(2)]
    clock.now = 100.2
    window.finish(answered)
    # HubSpot counted 8: the answered one and seven of someone else's. Our two later ones
    # arrive after it and take the last two slots, so there is no room for a third.
    window.learn({"X-HubSpot-RateLimit-Remaining": "2"})
    assert window.wait_time() > 0.0
    assert all(t.state == 1 for t in later)


def test_a_stale_estimate_of_others_lets_one_request_look_again() -> None:
    window, clock = make(10, 10.0)
    go(window)
    # HubSpot counted 8: one of ours, seven of someone else's (taken as just started), who
    # get one of the two left as well. The other is ours.
    window.learn({"X-HubSpot-RateLimit-Remaining": "2"})
    assert go(window) == 100.0
    first, second = window.reserve(), window.reserve()
    assert first.at == second.at == pytest.approx(110.0)
    # Planned around that estimate, they look again when it is stale: half an interval
    # later, not a whole one.
    assert window.delay(first) == window.delay(second) == pytest.approx(5.0)
    clock.now = 105.0
    # One request looks; the other waits for its answer.
    assert window.delay(first) == 0.0
    assert window.delay(second) > 0.0
    window.finish(first)
    # Its answer: HubSpot counts our three only (the other program has finished).
    window.learn({"X-HubSpot-RateLimit-Remaining": "7"})
    assert second.at == 105.0
    assert window.delay(second) == 0.0
    assert [window.reserve().state for _ in range(7)] == [1] * 6 + [0]


def test_a_full_window_is_not_looked_at_early() -> None:
    window, _ = make(10, 10.0)
    go(window)
    # Full: nothing frees before the requests in it age out, ours and the others' alike.
    window.learn({"X-HubSpot-RateLimit-Remaining": "0"})
    waiting = window.reserve()
    assert window.delay(waiting) == pytest.approx(10.0)


def test_a_stale_estimate_that_still_holds_is_taken_up_again() -> None:
    window, clock = make(10, 10.0)
    go(window)
    window.learn({"X-HubSpot-RateLimit-Remaining": "2"})
    go(window)
    clock.now = 105.0
    looking = window.reserve()
    assert looking.state == 1
    window.finish(looking)
    # The others are still spending: seven of theirs again, counted from now.
    window.learn({"X-HubSpot-RateLimit-Remaining": "0"})
    assert window.wait_time() == pytest.approx(5.0)  # our first two leave at 110


def test_waiters_go_earlier_when_others_spend_less() -> None:
    window, clock = make(10, 10.0)
    go(window), go(window)
    window.learn({"X-HubSpot-RateLimit-Remaining": "0"})  # eight of someone else's
    waiting = window.reserve()
    assert waiting.at == pytest.approx(110.0)
    clock.now = 101.0
    # Now HubSpot counts five: our two and three of theirs (they get 3 of the 5 left too).
    window.learn({"X-HubSpot-RateLimit-Remaining": "5"})
    assert waiting.at == 101.0
    assert waiting.replan
    assert window.delay(waiting) == 0.0


def test_near_a_full_window_shared_with_others_one_request_flies_at_a_time() -> None:
    alone, _ = make(100, 10.0)
    shared, clock = make(100, 10.0)
    for window in (alone, shared):
        for _ in range(50):
            go(window)
    alone.learn({"X-HubSpot-RateLimit-Remaining": "50"})  # all 50 counted are ours
    # 70 counted: 20 of someone else's, who get 8 of the 30 left as well: 22 are ours,
    # under a quarter of the window. Each answer must come in before the next one goes.
    shared.learn({"X-HubSpot-RateLimit-Remaining": "30"})
    assert all(alone.reserve().state == 1 for _ in range(50))
    first, second = shared.reserve(), shared.reserve()
    assert (first.state, second.state) == (1, 0)
    assert shared.delay(second) == pytest.approx(0.05)  # it looks again in 50 ms
    clock.now += 0.05
    assert shared.delay(second) > 0.0  # the first is still in flight
    shared.finish(first)
    shared.learn({"X-HubSpot-RateLimit-Remaining": "29"})
    clock.now += 0.05
    assert shared.delay(second) == 0.0


def test_secondly_pair_adds_a_one_second_ceiling() -> None:
    window, clock = make(100, 10.0)
    window.learn(
        {"X-HubSpot-RateLimit-Secondly": "2", "X-HubSpot-RateLimit-Secondly-Remaining": "2"}
    )
    delays = [wait(window, clock) for _ in range(5)]
    assert delays == [0.0, 0.0, pytest.approx(1.0), pytest.approx(1.0), pytest.approx(2.0)]


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
    window, clock = make(10, 1.0)
    for _ in range(3):
        assert wait(window, clock) == 0.0
    window.learn({"X-HubSpot-RateLimit-Max": "3"})
    assert window.limit == RateLimit(3, 1.0)  # interval kept when only Max is sent
    assert wait(window, clock) == pytest.approx(1.0)
    window.learn({"X-HubSpot-RateLimit-Interval-Milliseconds": "4000"})
    assert window.limit == RateLimit(3, 4.0)
    assert window.wait_time() == pytest.approx(4.0)


def test_learned_budget_plans_waiting_reservations_again() -> None:
    window, _ = make(2, 10.0)
    go(window), go(window)
    waiting = [window.reserve() for _ in range(3)]
    assert [t.at for t in waiting] == [110.0, 110.0, 120.0]
    # The first answer says the budget is 4: two of the three may go now, not in 10 s.
    window.learn({"X-HubSpot-RateLimit-Max": "4"})
    assert [t.at for t in waiting] == [100.0, 100.0, 110.0]
    assert all(t.replan for t in waiting)
    assert window.delay(waiting[0]) == 0.0


def test_learned_smaller_budget_pushes_waiting_reservations_back() -> None:
    window, _ = make(4, 10.0)
    for _ in range(4):
        go(window)
    waiting = window.reserve()
    assert waiting.at == 110.0
    window.learn(
        {"X-HubSpot-RateLimit-Max": "4", "X-HubSpot-RateLimit-Interval-Milliseconds": "20000"}
    )
    assert waiting.at == 120.0


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
    go(window)  # t=100
    clock.now = 101.0
    go(window)  # t=101
    clock.now = 102.0
    window.on_rate_limited()
    # HubSpot saw 5 requests in its window; the 3 we did not send count as sent now,
    # so room appears when our oldest (t=100) leaves the window.
    assert window.wait_time() == pytest.approx(8.0)
    clock.now = 110.0
    assert wait(window, clock) == 0.0
    assert wait(window, clock) == pytest.approx(1.0)  # then t=101 must leave
    assert wait(window, clock) == pytest.approx(2.0)  # then the 3 counted at t=102


def test_rate_limited_with_full_window_changes_nothing() -> None:
    window, _ = make(3, 1.0)
    for _ in range(3):
        go(window)
    before = window.wait_time()
    window.on_rate_limited({})
    assert window.wait_time() == before == pytest.approx(1.0)


def test_rate_limited_with_remaining_keeps_the_estimate_learned_from_it() -> None:
    window, clock = make(10, 10.0)
    go(window)
    clock.now = 101.0
    # The 429 says the window is full: nine of someone else's, taken as just started. It
    # stays full until the oldest request in it, ours, ages out; the hold does not cut
    # that short (a retry at its end would meet a full window).
    window.on_rate_limited({"X-HubSpot-RateLimit-Remaining": "0"}, hold=2.0)
    assert window.wait_time() == pytest.approx(9.0)
    # A 429 that says nothing about the window is held for at most the hold.
    silent, clock2 = make(10, 10.0)
    go(silent)
    clock2.now = 101.0
    silent.on_rate_limited({}, hold=2.0)
    assert silent.wait_time() == pytest.approx(2.0)
    # So is one when none of our requests is in the window: nothing tells when it frees.
    newcomer, clock3 = make(10, 10.0)
    clock3.now = 101.0
    newcomer.on_rate_limited({"X-HubSpot-RateLimit-Remaining": "0"}, hold=2.0)
    assert newcomer.wait_time() == pytest.approx(2.0)


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
            ticket = acquire_sync(window)
            sent.append(time.monotonic())
            window.finish(ticket)

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
    window.finish(acquire_sync(window))
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
            ticket = await acquire_async(window)
            sent.append(loop.time())
            window.finish(ticket)

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
            ticket = acquire_sync(window)
            record()
            window.finish(ticket)

    async def tasks() -> None:
        async def one() -> None:
            ticket = await acquire_async(window)
            record()
            window.finish(ticket)

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
    go(window)
    window.on_rate_limited(hold=2.0)
    # Four requests we did not send fill the window, but only for the 2 s hold: one 429
    # must not stall every caller for the whole 10 s interval.
    assert window.wait_time() == pytest.approx(2.0)
    clock.now = 102.0
    assert wait(window, clock) == 0.0
    # Without a hold they would block until the whole interval passed.
    other, clock2 = make(5, 10.0)
    clock2.now = 100.0
    go(other)
    other.on_rate_limited()
    assert other.wait_time() == pytest.approx(10.0)


def test_learning_wakes_a_waiting_thread_at_once() -> None:
    window = RollingWindow(RateLimit(1, 30.0))
    window.finish(acquire_sync(window))
    woke: list[float] = []

    def waiter() -> None:
        ticket = acquire_sync(window)  # would wait 30 s under the first budget
        woke.append(time.monotonic())
        window.finish(ticket)

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    assert not woke
    learned = time.monotonic()
    window.learn({"X-HubSpot-RateLimit-Max": "2"})
    thread.join(5.0)
    assert woke and woke[0] - learned < 1.0


def test_learning_wakes_a_waiting_task_at_once() -> None:
    async def main() -> float:
        window = RollingWindow(RateLimit(1, 30.0))
        window.finish(await acquire_async(window))
        loop = asyncio.get_running_loop()
        waiter = asyncio.ensure_future(acquire_async(window))
        await asyncio.sleep(0.1)
        assert not waiter.done()
        learned = loop.time()
        # From another thread, as a sync client sharing the window would.
        await loop.run_in_executor(None, window.learn, {"X-HubSpot-RateLimit-Max": "2"})
        window.finish(await asyncio.wait_for(waiter, 5.0))
        return loop.time() - learned

    assert asyncio.run(main()) < 1.0


def test_cancelled_task_gives_its_reservation_back() -> None:
    async def main() -> float:
        window = RollingWindow(RateLimit(1, 30.0))
        window.finish(await acquire_async(window))
        waiter = asyncio.ensure_future(acquire_async(window))
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        return window.wait_time()

    # Only the first request's window remains; the cancelled one took nothing.
    assert 29.0 < asyncio.run(main()) <= 30.0


# --- against the sandbox (real time, short) -------------------------------------------------


def test_default_client_learns_the_budget_and_never_overruns_it() -> None:
    from hubspot_assoc import Client
    from hubspot_assoc.sandbox import Sandbox

    # The client starts believing in 100 per 10 s; the sandbox allows 20 per second.
    with Sandbox(rate_limit=(20, 1.0), daily_limit=None) as sandbox:
        client = Client(sandbox.token, base_url=sandbox.url)
        barrier = threading.Barrier(8)

        def work() -> None:
            barrier.wait()
            for _ in range(8):
                client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)])

        began = time.monotonic()
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        client.close()
        statuses = [r.status for r in sandbox.requests]
    assert statuses == [204] * 64  # not one 429: learned before the burst, then kept
    assert client._core.window is not None
    assert client._core.window.limit == RateLimit(20, 1.0)
    assert 3.0 <= elapsed < 30.0  # 64 calls at 20 per second: three windows at least
