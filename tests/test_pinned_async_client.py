"""The clients' I/O loops (timers._async_client, and the sync client generated from it):
bounded bodies, streamed and in memory, closing, waiting and the run a failed wait leaves."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support.bodies import job_json, job_result, page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN, Dual

from timers import (
    APIConnectionError,
    APITimeoutError,
    AsyncTimersClient,
    InvalidArgumentError,
    NotFoundError,
    RunStatus,
    ServerError,
    TimersClient,
    UsageError,
    WaitTimeoutError,
)
from timers._config import ERROR_BODY_LIMIT
from timers._errors import ResponseTooLargeError

BODY = json.dumps(run_json()).encode()
JSON = {"content-type": "application/json"}


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent in pieces, to sync and async clients alike."""

    def __init__(self, *chunks: bytes, pause: float = 0.0) -> None:
        self.chunks = chunks
        self.pause = pause
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.chunks:
            if self.sent and self.pause:
                time.sleep(self.pause)
            self.sent += 1
            yield piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.chunks:
            if self.sent and self.pause:
                await asyncio.sleep(self.pause)
            self.sent += 1
            yield piece


def in_memory(status: int, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return lambda request: httpx.Response(status, content=body, headers=headers or JSON)


def streamed(status: int, *chunks: bytes, headers: dict[str, str] | None = None) -> Any:
    return lambda request: httpx.Response(status, stream=Chunks(*chunks), headers=headers or JSON)


# --- body sizes -------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [in_memory, streamed])
def test_a_body_of_exactly_max_response_size_is_read(dual: Dual, answer: Any) -> None:
    client = dual.client(handler=answer(200, BODY), max_response_size=len(BODY))
    assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID


@pytest.mark.parametrize("answer", [in_memory, streamed])
def test_a_body_one_byte_over_max_response_size_is_too_large(dual: Dual, answer: Any) -> None:
    client = dual.client(handler=answer(200, BODY), max_response_size=len(BODY) - 1)
    with pytest.raises(ResponseTooLargeError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.limit == len(BODY) - 1 and not caught.value.outcome_unknown
    assert caught.value.status_code == 200


def test_a_too_large_answer_to_run_timer_may_have_created_a_run(dual: Dual) -> None:
    client = dual.client(handler=in_memory(201, BODY), max_response_size=10)
    with pytest.raises(ResponseTooLargeError) as caught:
        client.run_timer(TIMER_ID)
    assert caught.value.outcome_unknown


def test_a_body_in_pieces_is_put_together(dual: Dual) -> None:
    client = dual.client(handler=streamed(200, BODY[:10], BODY[10:50], BODY[50:]))
    assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID


def test_a_gzip_body_is_inflated_by_the_client(dual: Dual) -> None:
    packed = gzip.compress(BODY)
    headers = {**JSON, "content-encoding": "gzip"}
    client = dual.client(handler=streamed(200, packed[:20], packed[20:], headers=headers))
    assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID


@pytest.mark.parametrize("answer", [in_memory, streamed])
def test_only_the_first_64_kib_of_an_error_body_are_read(dual: Dual, answer: Any) -> None:
    huge = b"x" * (ERROR_BODY_LIMIT * 2)
    handler = answer(503, huge, headers={"content-type": "text/plain"})
    client = dual.client(handler=handler, max_retries=0, validate=False)
    with pytest.raises(ServerError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.body == "x" * (ERROR_BODY_LIMIT + 1)


def test_an_error_body_is_not_limited_by_max_response_size(dual: Dual) -> None:
    body = json.dumps({"code": "NOT_FOUND", "message": "m" * 200}).encode()
    client = dual.client(handler=streamed(404, body), max_response_size=100, validate=False)
    with pytest.raises(NotFoundError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.code == "NOT_FOUND" and caught.value.message == "m" * 200


def test_a_body_that_stops_coming_ends_the_attempt_at_its_timeout(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Chunks(BODY[:5], BODY[5:], pause=0.3), headers=JSON)

    client = dual.client(handler=handler, timeout=0.1, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        client.get_run(TIMER_ID, RUN_ID)
    assert time.monotonic() - started < 1.0


# --- requests that fail -----------------------------------------------------------------------


def test_a_read_is_retried_after_a_transport_error_then_succeeds(dual: Dual) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ReadError("reset", request=request)
        return httpx.Response(200, json=run_json())

    client = dual.client(handler=handler)
    assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID
    assert calls == 2 and len(dual.clock.sleeps) == 1


def test_a_retry_waits_the_backoff_and_then_answers(dual: Dual) -> None:
    answers = iter([httpx.Response(503, json={"code": "E", "message": "m"})] * 2)

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json=run_json()))

    client = dual.client(handler=handler, validate=False)
    assert client.get_run(TIMER_ID, RUN_ID).id == RUN_ID
    assert len(dual.clock.sleeps) == 2
    assert 0.375 <= dual.clock.sleeps[0] <= 0.5 and 0.75 <= dual.clock.sleeps[1] <= 1.0


def test_a_client_closed_while_waiting_to_retry_says_so(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"code": "E", "message": "m"})

    transport = httpx.MockTransport(handler)
    if dual.is_async:
        async_http = httpx.AsyncClient(transport=transport)

        async def close_instead_of_sleeping(seconds: float) -> None:
            await async_http.aclose()

        client = dual.client(http_client=async_http, sleep=close_instead_of_sleeping)
    else:
        http = httpx.Client(transport=transport)
        client = dual.client(http_client=http, sleep=lambda seconds: http.close())
    with pytest.raises(UsageError, match=r"^this client is closed; create a new one$"):
        client.get_run(TIMER_ID, RUN_ID)


def test_a_closed_client_refuses_every_operation(dual: Dual) -> None:
    client = dual.client(handler=in_memory(200, BODY))
    if dual.is_async:
        dual.run(client.inner._http.aclose())
    else:
        client.inner._http.close()
    with pytest.raises(UsageError):
        client.get_run(TIMER_ID, RUN_ID)


def test_a_client_that_owns_its_pool_closes_it_and_one_given_a_pool_does_not() -> None:
    async def scenario() -> tuple[bool, bool]:
        owned = AsyncTimersClient(TOKEN)
        await owned.aclose()
        given = httpx.AsyncClient()
        async with AsyncTimersClient(TOKEN, http_client=given):
            pass
        closed = given.is_closed
        await given.aclose()
        return owned._http.is_closed, closed

    assert asyncio.run(scenario()) == (True, False)
    with TimersClient(TOKEN) as sync:
        pass
    assert sync._http.is_closed


def test_closing_an_async_client_from_another_loop_is_refused() -> None:
    client = AsyncTimersClient(TOKEN, http_client=None)
    handler = in_memory(200, BODY)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(handler))

    async def use() -> None:
        await client.get_run(TIMER_ID, RUN_ID)

    asyncio.run(use())
    with pytest.raises(UsageError):
        asyncio.run(client.aclose())


def test_an_unused_async_client_closes_from_any_loop() -> None:
    client = AsyncTimersClient(TOKEN)
    asyncio.run(client.aclose())
    assert client._http.is_closed


# --- paging -----------------------------------------------------------------------------------


def test_iter_runs_yields_every_run_of_every_page_in_order(dual: Dual) -> None:
    first = [run_json(id="00000000-0000-4000-8000-000000000001")]
    second = [
        run_json(id="00000000-0000-4000-8000-000000000002"),
        run_json(id="00000000-0000-4000-8000-000000000003"),
    ]
    pages = iter([page_json(first, total=3, next_page="m2"), page_json(second, total=3)])
    client = dual.client(handler=lambda request: httpx.Response(200, json=next(pages)))
    ids = [run.id for run in client.iter_runs(TIMER_ID)]
    assert ids == [f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3)]


def test_list_runs_of_the_jobs_api_filters_the_page_here(jobs_dual: Dual) -> None:
    start = datetime(2026, 11, 28, 2, tzinfo=UTC)
    results = [job_result(start, run_status="SUCCESS"), job_result(start, run_status="FAILURE")]
    client = jobs_dual.client(handler=lambda r: httpx.Response(200, json=job_json(results)))
    page = client.list_runs(TIMER_ID, status="failure")
    assert [run.status for run in page] == [RunStatus.FAILURE]
    assert page.total == 2  # the timer's count, not the page's


# --- waiting ----------------------------------------------------------------------------------


def test_run_timer_checks_the_wait_settings_before_sending_anything(dual: Dual) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json=run_json(status="pending", end_time=None, result=None))

    client = dual.client(handler=handler)
    with pytest.raises(InvalidArgumentError):
        client.run_timer(TIMER_ID, wait=True, timeout=-1)
    assert sent == []
    # without wait, the wait settings are not looked at and nothing is polled
    run = client.run_timer(TIMER_ID, timeout=-1)
    assert run.status is RunStatus.PENDING and len(sent) == 1


def test_run_timer_wait_returns_a_run_finished_at_once_without_polling(dual: Dual) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return httpx.Response(201, json=run_json())

    run = dual.client(handler=handler).run_timer(TIMER_ID, wait=True)
    assert run.status is RunStatus.SUCCESS and sent == ["POST"] and dual.clock.sleeps == []


def test_a_failed_wait_after_run_timer_names_the_created_run(dual: Dual) -> None:
    created = run_json(status="pending", end_time=None, result=None)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json=created)
        return httpx.Response(500, json={"code": "E", "message": "boom"})

    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(ServerError) as caught:
        client.run_timer(TIMER_ID, wait=True, poll_interval=1)
    error = caught.value
    assert error.run is not None and error.run.id == RUN_ID
    assert str(error).endswith(
        f"run {RUN_ID} of timer {TIMER_ID} was created before this happened: "
        "wait for it with wait_for_run instead of triggering again"
    )


def test_a_connection_error_while_waiting_is_raised_before_the_deadline(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=60)
    assert not isinstance(caught.value, WaitTimeoutError)


def test_a_connection_error_at_the_deadline_is_a_wait_timeout(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        dual.clock.now += 100  # the poll took the whole wait
        raise httpx.ReadTimeout("slow", request=request)

    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=60)
    assert caught.value.run is None and "(never fetched)" in str(caught.value)
    assert isinstance(caught.value.__cause__, APITimeoutError)


def test_a_429_while_waiting_waits_at_least_the_poll_interval(dual: Dual) -> None:
    answers = iter(
        [
            httpx.Response(
                429, json={"code": "SLOW", "message": "m"}, headers={"retry-after": "0"}
            ),
            httpx.Response(200, json=run_json()),
        ]
    )
    client = dual.client(handler=lambda request: next(answers), max_retries=0)
    run = client.wait_for_run(TIMER_ID, RUN_ID, poll_interval=3)
    assert run.status is RunStatus.SUCCESS
    assert dual.clock.sleeps == [3.0]
