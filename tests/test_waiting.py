"""wait_for_run and run_timer(wait=True): polling with a fake clock, never real waiting."""

from __future__ import annotations

import asyncio
import functools
import gc
from typing import Any

import httpx
import pytest
from support.bodies import failed_run_json, job_json, numbered_results, run_json
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import (
    AsyncTimersClient,
    InvalidArgumentError,
    RunStatus,
    ServerError,
    TimerRun,
    TimersClient,
    WaitTimeoutError,
)
from timers.testing import FakeTimersService, serve


class Lifecycle:
    """Answers GETs with the next body in ``script`` (the last one repeats); POST creates."""

    def __init__(self, script: list[tuple[int, dict[str, Any], dict[str, str]]]) -> None:
        self.script = script
        self.gets = 0
        self.posts = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            return httpx.Response(201, json=pending())
        status, body, headers = self.script[min(self.gets, len(self.script) - 1)]
        self.gets += 1
        return httpx.Response(status, json=body, headers=headers)


def pending() -> dict[str, Any]:
    return run_json(status="pending", end_time=None, result=None)


def in_progress() -> dict[str, Any]:
    return run_json(status="in_progress", end_time=None, result=None)


def ok(body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    return 200, body, {}


def test_waits_until_success_and_returns_the_finished_run(dual: Dual) -> None:
    service = Lifecycle([ok(pending()), ok(in_progress()), ok(in_progress()), ok(run_json())])
    run = dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, poll_interval=2.0)
    assert run.status is RunStatus.SUCCESS
    assert service.gets == 4
    # polls grow gently from poll_interval
    assert dual.clock.sleeps == [2.0, 3.0, 4.5]


def test_a_failed_run_is_returned_not_raised(dual: Dual) -> None:
    service = Lifecycle([ok(in_progress()), ok(failed_run_json())])
    run = dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID)
    assert run.status is RunStatus.FAILURE
    assert run.result is not None and run.result.error is not None


def test_each_status_change_is_reported_once(dual: Dual) -> None:
    service = Lifecycle(
        [ok(pending()), ok(pending()), ok(in_progress()), ok(in_progress()), ok(run_json())]
    )
    seen: list[str] = []
    dual.client(handler=service).wait_for_run(
        TIMER_ID, RUN_ID, on_update=lambda run: seen.append(run.status.value)
    )
    assert seen == ["pending", "in_progress", "success"]


def test_the_poll_interval_is_capped_at_30_seconds(dual: Dual) -> None:
    service = Lifecycle([ok(in_progress())] * 12 + [ok(run_json())])
    dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, poll_interval=10, timeout=3600)
    assert max(dual.clock.sleeps) == 30.0
    assert dual.clock.sleeps[:3] == [10.0, 15.0, 22.5]


def test_a_poll_interval_over_30_seconds_is_kept_not_capped(dual: Dual) -> None:
    service = Lifecycle([ok(in_progress())] * 4 + [ok(run_json())])
    dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, poll_interval=60, timeout=200)
    assert dual.clock.sleeps == [60.0, 60.0, 60.0, 20.0]  # the last poll at the deadline


def test_timeout_raises_wait_timeout_error_with_the_last_run(dual: Dual) -> None:
    service = Lifecycle([ok(in_progress())])
    with pytest.raises(WaitTimeoutError) as info:
        dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, timeout=10, poll_interval=2)
    err = info.value
    assert isinstance(err, TimeoutError)
    assert isinstance(err.run, TimerRun) and err.run.status is RunStatus.IN_PROGRESS
    assert err.timeout == 10
    assert "did not finish within 10 s" in str(err) and "in_progress" in str(err)
    # never sleeps past the deadline, and polls once more at the deadline
    assert sum(dual.clock.sleeps) == pytest.approx(10.0)
    assert dual.clock.sleeps == [2.0, 3.0, 4.5, 0.5]
    assert service.gets == 5


def test_a_zero_timeout_polls_once(dual: Dual) -> None:
    service = Lifecycle([ok(in_progress())])
    with pytest.raises(WaitTimeoutError):
        dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, timeout=0)
    assert service.gets == 1 and dual.clock.sleeps == []


def test_a_429_while_polling_honours_retry_after(dual: Dual) -> None:
    limited = (429, {"code": "RATE_LIMITED", "message": "slow"}, {"retry-after": "7"})
    service = Lifecycle([ok(pending()), limited, ok(run_json())])
    client = dual.client(handler=service, max_retries=0)
    run = client.wait_for_run(TIMER_ID, RUN_ID, poll_interval=1)
    assert run.status is RunStatus.SUCCESS
    assert dual.clock.sleeps == [1.0, 7.0]


def test_a_429_with_a_retry_after_beyond_the_deadline_ends_in_a_timeout(dual: Dual) -> None:
    limited = (429, {"code": "RATE_LIMITED", "message": "slow"}, {"retry-after": "500"})
    service = Lifecycle([ok(pending()), limited])
    client = dual.client(handler=service, max_retries=0)
    with pytest.raises(WaitTimeoutError) as info:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=20, poll_interval=1)
    assert info.value.run is not None and info.value.run.status is RunStatus.PENDING
    assert sum(dual.clock.sleeps) == pytest.approx(20.0)


def test_other_errors_while_polling_are_raised(dual: Dual) -> None:
    service = Lifecycle([ok(pending()), (500, {"code": "E", "message": "boom"}, {})])
    with pytest.raises(ServerError):
        dual.client(handler=service, max_retries=0).wait_for_run(TIMER_ID, RUN_ID)


def test_run_timer_with_wait_triggers_once_then_waits(dual: Dual) -> None:
    service = Lifecycle([ok(in_progress()), ok(run_json())])
    updates: list[str] = []
    run = dual.client(handler=service).run_timer(
        TIMER_ID,
        wait=True,
        timeout=60,
        poll_interval=1,
        on_update=lambda r: updates.append(r.status),
    )
    assert run.status is RunStatus.SUCCESS
    assert service.posts == 1 and service.gets == 2
    assert updates == ["pending", "in_progress", "success"]
    assert dual.clock.sleeps == [1.0, 1.5]


def test_run_timer_without_wait_returns_at_once(dual: Dual) -> None:
    service = Lifecycle([ok(run_json())])
    run = dual.client(handler=service).run_timer(TIMER_ID)
    assert run.status is RunStatus.PENDING and service.gets == 0


def test_rate_limit_retry_after_is_used_by_the_retry_policy_first(dual: Dual) -> None:
    limited = (429, {"code": "RATE_LIMITED", "message": "slow"}, {"retry-after": "3"})
    service = Lifecycle([limited, ok(run_json())])
    run = dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID)
    assert run.status is RunStatus.SUCCESS
    assert dual.clock.sleeps == [3.0]  # slept by the retry inside get_run


def test_retries_inside_a_poll_never_sleep_past_the_deadline(dual: Dual) -> None:
    limited = (429, {"code": "RATE_LIMITED", "message": "slow"}, {"retry-after": "30"})
    service = Lifecycle([limited])
    with pytest.raises(WaitTimeoutError):
        dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, timeout=5, poll_interval=1)
    assert sum(dual.clock.sleeps) <= 5.0


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_zero_timeout_fetches_the_run_once_over_a_real_socket(mode: str) -> None:
    # The poll of timeout=0 is bounded like any request, not by a deadline already reached
    # (at the socket, that left it no time at all: it always timed out).
    service = FakeTimersService(tokens=["tok-1234"])
    timer = service.add_timer()
    run_id = service.add_run(timer, status="failure")["id"]
    with serve(service) as base_url:
        if mode == "sync":
            with TimersClient("tok-1234", base_url=base_url) as client:
                run = client.wait_for_run(timer, run_id, timeout=0)
        else:

            async def wait() -> TimerRun:
                async with AsyncTimersClient("tok-1234", base_url=base_url) as client:
                    return await client.wait_for_run(timer, run_id, timeout=0)

            run = asyncio.run(wait())
    assert run.id == run_id and run.status is RunStatus.FAILURE


def test_an_async_on_update_is_refused_before_anything_is_sent(dual: Dual) -> None:
    service = Lifecycle([ok(run_json())])

    async def on_update(run: TimerRun) -> None:  # would never run: it is called, not awaited
        raise AssertionError("not awaited")

    client = dual.client(handler=service)
    for call in (
        lambda: client.wait_for_run(TIMER_ID, RUN_ID, on_update=on_update),
        lambda: client.run_timer(TIMER_ID, wait=True, on_update=on_update),
        lambda: client.wait_for_run(TIMER_ID, RUN_ID, on_update=functools.partial(on_update)),
    ):
        with pytest.raises(InvalidArgumentError) as caught:
            call()
        assert str(caught.value) == (
            "on_update must be a plain function: it is called, not awaited (to run a coroutine "
            "for each update, start it from there, e.g. asyncio.create_task)"
        )
    assert service.gets == service.posts == 0


def test_an_on_update_that_cannot_be_called_is_refused_naming_its_type(dual: Dual) -> None:
    service = Lifecycle([ok(run_json())])
    client = dual.client(handler=service)
    with pytest.raises(InvalidArgumentError) as caught:
        client.run_timer(TIMER_ID, wait=True, on_update="print")
    assert str(caught.value) == "on_update must be a function taking a run, got str"
    assert service.posts == 0


def test_any_callable_on_update_is_called_with_each_new_status(dual: Dual) -> None:
    seen: list[str] = []

    class Recorder:
        def __call__(self, run: TimerRun) -> None:
            seen.append(run.status.value)

    service = Lifecycle([ok(pending()), ok(run_json())])
    dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, on_update=Recorder())
    assert seen == ["pending", "success"]


def test_a_poll_that_pages_sends_nothing_more_once_the_wait_is_over(jobs_dual: Dual) -> None:
    # In memory the deadline reaches no socket; each page takes a second of the fake clock,
    # and the service hands out page after page without the run.
    pages = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal pages
        pages += 1
        assert pages <= 50, "paging went on past the wait's deadline"
        jobs_dual.clock.now += 1.0
        results = numbered_results(1, start=pages)
        return httpx.Response(200, json=job_json(results, page_next=f"p{pages}", n_runs=10**6))

    client = jobs_dual.client(handler=handler, validate=False)
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=5)
    assert caught.value.run is None
    assert pages == 6  # the sixth began exactly at the deadline; none after it


def test_an_on_update_that_returns_an_awaitable_is_refused_at_its_first_call(
    dual: Dual, recwarn: pytest.WarningsRecorder
) -> None:
    class AsyncCallable:  # not a coroutine function, but its call makes a coroutine
        async def __call__(self, run: TimerRun) -> None:
            raise AssertionError("never awaited")

    service = Lifecycle([ok(pending()), ok(run_json())])
    with pytest.raises(InvalidArgumentError) as caught:
        dual.client(handler=service).wait_for_run(TIMER_ID, RUN_ID, on_update=AsyncCallable())
    assert str(caught.value) == (
        "on_update returned an awaitable: it is called, not awaited (pass a plain function)"
    )
    assert service.gets == 1
    del caught  # its traceback holds the coroutine: let it go, so any warning comes now
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]  # it was closed


# -- the system's time set while waiting (no clock given: the defaults) ---------------------------


class _SteppedTimeOfDay:
    """``time.time`` stepped by ``step`` seconds at each call (an NTP step, a VM restored)."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1_800_000_000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_the_time_of_day_set_forward_does_not_end_a_wait_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = Lifecycle([ok(pending()), ok(in_progress()), ok(run_json())])
    monkeypatch.setattr("time.time", _SteppedTimeOfDay(+3600.0))
    client = TimersClient(
        "tok-1234",
        http_client=httpx.Client(transport=httpx.MockTransport(service)),
        sleep=lambda seconds: None,
    )
    run = client.wait_for_run(TIMER_ID, RUN_ID, timeout=600, poll_interval=1.0)
    assert run.status is RunStatus.SUCCESS and service.gets == 3


def test_the_time_of_day_set_back_does_not_make_a_wait_last_longer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    real_sleep = time.sleep
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # a few ms of real time a poll, at most 2000 polls
        sleeps.append(seconds)
        assert len(sleeps) < 2000, "the wait did not end at its timeout"
        real_sleep(0.002)

    service = Lifecycle([ok(pending())])
    monkeypatch.setattr("time.time", _SteppedTimeOfDay(-3600.0))
    client = TimersClient(
        "tok-1234",
        http_client=httpx.Client(transport=httpx.MockTransport(service)),
        sleep=sleep,
    )
    with pytest.raises(WaitTimeoutError):
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=0.2, poll_interval=0.05)
