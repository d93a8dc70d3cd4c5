"""wait_for_run and run_timer(wait=True): polling with a fake clock, never real waiting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.bodies import failed_run_json, run_json
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import RunStatus, ServerError, TimerRun, WaitTimeoutError


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
