"""Waiting for a run (timers._wait): the bounds of the settings, the deadline, the message."""

from __future__ import annotations

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import InvalidArgumentError, RateLimitError, RunStatus, TimerRun, WaitTimeoutError
from timers._wait import MAX_WAIT, Waiter, WaitSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_timeout_of_exactly_a_week_is_accepted() -> None:
    assert WaitSettings.checked(MAX_WAIT, 1) == (604_800.0, 1.0, None)


def test_a_timeout_over_a_week_is_refused_with_the_limit_and_the_value() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        WaitSettings.checked(MAX_WAIT + 1, 1)
    assert str(caught.value) == "timeout must be at most 604800 s (a week), got 604801"


def test_each_wait_setting_is_named_in_its_error() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        WaitSettings.checked(-1, 1)
    assert str(caught.value) == "timeout must be >= 0, got -1"
    with pytest.raises(InvalidArgumentError) as caught:
        WaitSettings.checked(10, 0)
    assert str(caught.value) == "poll_interval must be > 0, got 0"


def test_a_wait_that_never_fetched_the_run_says_so_with_the_run_id() -> None:
    clock = Clock()
    waiter = Waiter(run_id="run-42", settings=WaitSettings(5.0, 1.0), clock=clock)
    error = waiter.timeout_error()
    assert str(error) == "run run-42 did not finish within 5 s (never fetched)"
    assert error.run is None and error.timeout == 5.0


def test_no_further_poll_is_scheduled_exactly_at_the_deadline() -> None:
    clock = Clock()
    waiter = Waiter(run_id="run-42", settings=WaitSettings(5.0, 2.0), clock=clock)
    assert waiter.next_delay() == 2.0
    clock.now += 5.0  # exactly the deadline
    assert waiter.expired
    with pytest.raises(WaitTimeoutError):
        waiter.next_delay()


def test_the_timeout_error_names_the_run_and_its_last_status(dual: Dual) -> None:
    gets = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal gets
        gets += 1
        assert gets <= 3, "polled again after the deadline"
        return httpx.Response(200, json=run_json(status="in_progress", end_time=None, result=None))

    client = dual.client(handler=handler)
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=3, poll_interval=2)
    assert str(caught.value) == f"run {RUN_ID} did not finish within 3 s (still 'in_progress')"
    assert caught.value.run is not None and caught.value.run.status is RunStatus.IN_PROGRESS
    # polls at 0, 2 and at the deadline (3), then stops
    assert gets == 3 and dual.clock.sleeps == [2.0, 1.0]


def refusal(retry_after: float | None = None) -> RateLimitError:
    response = httpx.Response(429, request=httpx.Request("GET", "https://x.example/runs"))
    return RateLimitError(response, retry_after=retry_after)


def test_a_wait_ended_by_429s_says_how_many_polls_the_service_refused() -> None:
    clock = Clock()
    waiter = Waiter(run_id="run-42", settings=WaitSettings(10.0, 1.0), clock=clock)
    assert waiter.next_delay(refusal(retry_after=4.0)) == 4.0  # at least what it asked
    assert str(waiter.timeout_error()) == (
        "run run-42 did not finish within 10 s (never fetched; the service answered 429 to the "
        "last poll)"
    )
    assert waiter.next_delay(refusal()) == 1.0  # the interval, growing as after any poll
    assert waiter.next_delay() == 1.5
    assert str(waiter.timeout_error()).endswith(
        "(never fetched; the service answered 429 to the last 2 polls)"
    )


def test_a_run_seen_after_429s_clears_them_from_the_message() -> None:
    clock = Clock()
    waiter = Waiter(run_id="run-42", settings=WaitSettings(10.0, 1.0), clock=clock)
    waiter.next_delay(refusal())
    waiter.observe(TimerRun.from_dict(run_json(status="pending", end_time=None, result=None)))
    assert str(waiter.timeout_error()) == "run run-42 did not finish within 10 s (still 'pending')"


def test_a_poll_that_failed_otherwise_after_429s_does_not_blame_them(dual: Dual) -> None:
    # A 429, then a poll the deadline cut short: the timeout is not the rate limit's doing.
    answers = iter(["429", "slow"])

    def handler(request: httpx.Request) -> httpx.Response:
        if next(answers) == "429":
            return httpx.Response(429, json={"code": "SLOW", "message": "m"})
        dual.clock.now += 100  # the poll took the rest of the wait
        raise httpx.ReadTimeout("timed out", request=request)

    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=5, poll_interval=1)
    assert str(caught.value) == f"run {RUN_ID} did not finish within 5 s (never fetched)"


def test_a_wait_that_times_out_behind_429s_says_so(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"code": "SLOW", "message": "m"})

    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=5, poll_interval=1)
    assert str(caught.value).startswith(f"run {RUN_ID} did not finish within 5 s (never fetched; ")
    assert "the service answered 429 to the last " in str(caught.value)
