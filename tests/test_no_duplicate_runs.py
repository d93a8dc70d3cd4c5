"""One run_timer call never creates two runs, and its answer tells the truth.

A server that counts the runs it creates (the reference service) gets each fault injected on
``run_timer``. After every call: at most one run was created; a returned run exists; an error
that says the outcome is unknown may or may not have left a run; any other error left none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from support.openapi import validating

from timers import APIConnectionError, APIError, TimerRun, TimersClient, TimersError
from timers.testing import DEFAULT_BASE_URL, FakeTimersService, serve

TOKEN = "test-token"
TIMER = "12345678-1234-1234-1234-123456789012"


class NeverArrives(httpx.BaseTransport):
    """Fails the first ``times`` requests before they reach the server, like a refused
    connection or a connect timeout would."""

    def __init__(self, inner: httpx.BaseTransport, exc: type[Exception], times: int) -> None:
        self.inner, self.exc, self.times = inner, exc, times

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.times:
            self.times -= 1
            raise self.exc("never sent", request=request)  # type: ignore[call-arg]
        return self.inner.handle_request(request)


def truthful(service: FakeTimersService, call: Callable[[], TimerRun]) -> tuple[Any, int]:
    before = service.runs_created
    try:
        outcome: Any = call()
    except TimersError as error:
        outcome = error
    created = service.runs_created - before
    assert created <= 1, f"one call created {created} runs"
    if isinstance(outcome, TimerRun):
        assert created == 1
        assert service.get_run_json(TIMER, outcome.id)["id"] == outcome.id
    elif isinstance(outcome, APIError | APIConnectionError) and outcome.outcome_unknown:
        assert "may or may not have been created" in str(outcome)
    else:
        assert created == 0, f"{outcome!r} hid a created run"
    return outcome, created


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], pending_seconds=60)
    service.add_timer(TIMER)
    return service


def in_process(service: FakeTimersService, **kwargs: Any) -> TimersClient:
    # Every exchange is checked against the spec as well (the injected 5xx and 429 are in it).
    transport = validating(kwargs.pop("transport", service.transport()))
    return TimersClient(
        TOKEN, http_client=httpx.Client(transport=transport), sleep=lambda s: None, **kwargs
    )


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ConnectTimeout])
def test_faults_before_sending_are_retried_and_create_exactly_one_run(
    service: FakeTimersService, exc: type[Exception]
) -> None:
    client = in_process(service, transport=NeverArrives(service.transport(), exc, times=2))
    outcome, created = truthful(service, lambda: client.run_timer(TIMER))
    assert isinstance(outcome, TimerRun) and created == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_is_not_retried_and_says_the_outcome_is_unknown(
    service: FakeTimersService, status: int
) -> None:
    service.fail_next(status=status, operation="run_timer")
    outcome, created = truthful(service, lambda: in_process(service).run_timer(TIMER))
    assert isinstance(outcome, APIError) and outcome.outcome_unknown and created == 0
    assert len([r for r in service.requests if r[0] == "POST"]) == 1


@pytest.mark.parametrize("after_processing", [False, True])
def test_a_dropped_connection_is_not_retried(
    service: FakeTimersService, after_processing: bool
) -> None:
    service.drop_next(operation="run_timer", after_processing=after_processing)
    outcome, created = truthful(service, lambda: in_process(service).run_timer(TIMER))
    assert isinstance(outcome, APIConnectionError) and outcome.outcome_unknown
    assert created == (1 if after_processing else 0)


def test_a_429_is_retried_because_nothing_was_created(service: FakeTimersService) -> None:
    service.fail_next(2, status=429, headers={"retry-after": "1"}, operation="run_timer")
    outcome, created = truthful(service, lambda: in_process(service).run_timer(TIMER))
    assert isinstance(outcome, TimerRun) and created == 1


# -- the same over real sockets ---------------------------------------------------------------


@pytest.fixture
def served(service: FakeTimersService) -> Iterator[str]:
    with serve(service) as base_url:
        yield base_url


def test_a_read_timeout_after_sending_is_not_retried_over_http(
    service: FakeTimersService, served: str
) -> None:
    service.latency = 0.5  # the server is slow: the client gives up first, the run is created
    client = TimersClient(TOKEN, base_url=served, timeout=httpx.Timeout(5.0, read=0.1))
    outcome, _ = truthful(service, lambda: client.run_timer(TIMER))
    assert isinstance(outcome, APIConnectionError) and outcome.outcome_unknown
    deadline = time.monotonic() + 5
    while service.runs_created == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.runs_created == 1  # so a retry would have made two
    assert len([r for r in service.requests if r[0] == "POST"]) == 1


def test_a_real_dropped_connection_after_processing_over_http(
    service: FakeTimersService, served: str
) -> None:
    service.drop_next(operation="run_timer", after_processing=True)
    client = TimersClient(TOKEN, base_url=served)
    outcome, created = truthful(service, lambda: client.run_timer(TIMER))
    assert isinstance(outcome, APIConnectionError) and outcome.outcome_unknown and created == 1


def test_connection_refused_over_http_is_retried_then_reported(service: FakeTimersService) -> None:
    with serve(service) as base_url:
        pass  # the port is closed again: nothing listens there now
    slept: list[float] = []
    client = TimersClient(TOKEN, base_url=base_url, sleep=slept.append)
    outcome, created = truthful(service, lambda: client.run_timer(TIMER))
    assert isinstance(outcome, APIConnectionError) and not outcome.outcome_unknown
    assert outcome.retries_taken == 3 and len(slept) == 3 and created == 0


# -- the same through the aiohttp backend ---------------------------------------------------------


def _through_aiohttp(service: FakeTimersService, base_url: str, **kwargs: Any) -> TimerRun:
    import asyncio

    from timers import AsyncTimersClient

    async def trigger() -> TimerRun:
        async with AsyncTimersClient(
            TOKEN, base_url=base_url, http_backend="aiohttp", sleep=_no_sleep, **kwargs
        ) as client:
            return await client.run_timer(TIMER)

    return asyncio.run(trigger())


async def _no_sleep(seconds: float) -> None:
    return None


AIOHTTP_FAULTS: dict[str, Callable[[FakeTimersService], None]] = {
    "500": lambda s: s.fail_next(status=500, operation="run_timer"),
    "503": lambda s: s.fail_next(status=503, operation="run_timer"),
    "429 then success": lambda s: s.fail_next(2, status=429, operation="run_timer"),
    "dropped before processing": lambda s: s.drop_next(operation="run_timer"),
    "dropped after processing": lambda s: s.drop_next(operation="run_timer", after_processing=True),
}


@pytest.mark.parametrize("fault", AIOHTTP_FAULTS)
def test_the_aiohttp_backend_never_creates_two_runs(
    service: FakeTimersService, served: str, fault: str
) -> None:
    pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")
    AIOHTTP_FAULTS[fault](service)
    outcome, created = truthful(service, lambda: _through_aiohttp(service, served))
    if fault == "429 then success":
        assert isinstance(outcome, TimerRun) and created == 1
    elif fault == "dropped after processing":
        assert isinstance(outcome, APIConnectionError) and outcome.outcome_unknown
    elif fault == "dropped before processing":
        # The connection dropped after the request was sent: it may have been carried out.
        assert isinstance(outcome, APIConnectionError) and outcome.outcome_unknown
        assert created == 0
    else:
        assert isinstance(outcome, APIError) and outcome.outcome_unknown and created == 0
    assert len([r for r in service.requests if r[0] == "POST"]) == (
        3 if fault == "429 then success" else 1
    )


def test_the_aiohttp_backend_retries_a_refused_connection_and_reports_it(
    service: FakeTimersService,
) -> None:
    pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")
    with serve(service) as base_url:
        pass  # closed again
    outcome, created = truthful(service, lambda: _through_aiohttp(service, base_url))
    assert isinstance(outcome, APIConnectionError) and not outcome.outcome_unknown
    assert outcome.retries_taken == 3 and created == 0


def test_the_aiohttp_backend_does_not_retry_a_read_timeout_after_sending(
    service: FakeTimersService, served: str
) -> None:
    pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")
    service.latency = 0.5
    outcome, _ = truthful(
        service, lambda: _through_aiohttp(service, served, timeout=httpx.Timeout(5.0, read=0.1))
    )
    assert isinstance(outcome, APIConnectionError) and outcome.outcome_unknown
    assert len([r for r in service.requests if r[0] == "POST"]) == 1


# -- stopped while the POST is under way: no TimersError, so a note says a run may exist ----------


def test_ctrl_c_during_the_post_notes_that_the_run_may_exist() -> None:
    def interrupted(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt  # as Ctrl-C arrives while the answer is awaited

    client = TimersClient(
        TOKEN, http_client=httpx.Client(transport=httpx.MockTransport(interrupted))
    )
    with pytest.raises(KeyboardInterrupt) as caught:
        client.run_timer(TIMER)
    assert caught.value.__notes__ == [
        "the run may or may not have been created: list the timer's runs before triggering it again"
    ]
    with pytest.raises(KeyboardInterrupt) as read:  # a read creates nothing: no note
        client.get_run(TIMER, TIMER)
    assert not hasattr(read.value, "__notes__")


def _answering_never() -> FakeTimersService:
    """A service that carries each request out, then holds its answer back for 30 s (longer
    than any test waits: the caller gives up first, as with a slow real service)."""
    service = FakeTimersService(tokens=[TOKEN])
    service.add_timer(TIMER)
    service.latency = 30.0
    return service


def _async_client(service: FakeTimersService) -> Any:
    from timers import AsyncTimersClient

    http = httpx.AsyncClient(transport=service.transport())
    return AsyncTimersClient(TOKEN, http_client=http, base_url=DEFAULT_BASE_URL)


def test_a_cancelled_run_timer_notes_that_the_run_may_exist_and_it_does() -> None:
    import asyncio

    service = _answering_never()

    async def cancel_while_posting() -> BaseException:
        async with _async_client(service) as client:
            task = asyncio.ensure_future(client.run_timer(TIMER))
            # Until the POST reached the service (which then holds its answer back); the
            # service has no event to wait on.
            while not service.requests:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError as exc:
                return exc
        raise AssertionError("run_timer was not cancelled")

    cancelled = asyncio.run(cancel_while_posting())
    assert any("may or may not have been created" in note for note in cancelled.__notes__)
    assert service.runs_created == 1  # it was: the note is the truth


def test_cut_short_by_asyncio_timeout_the_cancellation_under_the_timeout_error_has_the_note() -> (
    None
):
    import asyncio

    service = _answering_never()

    async def timed_out() -> BaseException:
        async with _async_client(service) as client:
            try:
                async with asyncio.timeout(0.2):
                    await client.run_timer(TIMER)
            except TimeoutError as exc:
                return exc
        raise AssertionError("run_timer was not cut short")

    error = asyncio.run(timed_out())
    inner = error.__cause__ or error.__context__
    assert isinstance(inner, asyncio.CancelledError)
    assert any("may or may not have been created" in note for note in inner.__notes__)
