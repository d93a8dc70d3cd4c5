"""The clients' I/O loops (timers._async_client, and the sync client generated from it):
bounded bodies, streamed and in memory, closing, waiting and the run a failed wait leaves; the
async client's settings and ``with_options``; deadlines the transport cannot see; the DEBUG line
per attempt; and the package's lazily imported names (timers/__init__.py)."""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support.bodies import job_json, job_result, numbered_runs, page_json, run_json
from support.dual import BASE_URL, RUN_ID, TIMER_ID, TOKEN, Dual
from support.hostile import never_accepting

import timers
from timers import (
    APIConnectionError,
    APITimeoutError,
    AsyncTimersClient,
    AuthenticationError,
    InvalidArgumentError,
    NotFoundError,
    RetryPolicy,
    RunStatus,
    ServerError,
    TimersClient,
    UsageError,
    WaitTimeoutError,
)
from timers._config import ERROR_BODY_LIMIT
from timers._errors import ResponseTooLargeError, ResponseValidationError

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


class Stalled(httpx.AsyncByteStream):
    """A body whose first piece comes and whose second never does: only a deadline that
    interrupts the wait can end it. After ``HANG_GUARD`` seconds it gives up and sends the
    rest (then ``guard_fired``), so that a broken deadline fails the test, not hangs it."""

    HANG_GUARD = 10.0

    def __init__(self) -> None:
        self.guard_fired = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield BODY[:5]
        try:
            async with asyncio.timeout(self.HANG_GUARD):
                await asyncio.Event().wait()  # never set
        except TimeoutError:
            self.guard_fired = True
        yield BODY[5:]


def test_a_body_that_stops_coming_ends_the_attempt_at_its_timeout(dual: Dual) -> None:
    # Sync: an in-memory stream cannot be interrupted; the read checks the deadline between
    # chunks, and the second one comes 0.3 s after the 0.1 s timeout. Async: the second
    # chunk never comes, so the attempt can only end by the deadline cancelling the read.
    stream = Stalled() if dual.is_async else Chunks(BODY[:5], BODY[5:], pause=0.3)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream, headers=JSON)

    client = dual.client(handler=handler, timeout=0.1, max_retries=0)
    with pytest.raises(APITimeoutError):
        client.get_run(TIMER_ID, RUN_ID)
    if isinstance(stream, Stalled):
        assert not stream.guard_fired


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


def test_closing_an_async_client_from_another_loop_is_refused_while_its_own_runs() -> None:
    client = AsyncTimersClient(TOKEN, http_client=None)
    handler = in_memory(200, BODY)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(handler))

    async def use() -> None:
        await client.get_run(TIMER_ID, RUN_ID)

    first = asyncio.new_event_loop()
    first.run_until_complete(use())
    with pytest.raises(UsageError):
        asyncio.run(client.aclose())
    assert not client._http.is_closed
    first.run_until_complete(client.aclose())  # in its own loop: closed
    first.close()
    assert client._http.is_closed


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
    # without wait, wait settings would be ignored: refused too, before anything is sent
    with pytest.raises(InvalidArgumentError):
        client.run_timer(TIMER_ID, timeout=-1)
    assert sent == []
    run = client.run_timer(TIMER_ID)  # and nothing is polled
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


class CallbackFailed(Exception):
    pass


@pytest.mark.parametrize("raised", [CallbackFailed, KeyboardInterrupt])
def test_an_exception_of_yours_while_waiting_gets_a_note_naming_the_created_run(
    dual: Dual, raised: type[BaseException]
) -> None:
    created = run_json(status="pending", end_time=None, result=None)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201 if request.method == "POST" else 200, json=created)

    def on_update(run: object) -> None:
        raise raised("mine")

    client = dual.client(handler=handler)
    with pytest.raises(raised) as caught:
        client.run_timer(TIMER_ID, wait=True, on_update=on_update)
    assert str(caught.value) == "mine"  # your exception, as raised, with a note
    assert caught.value.__notes__ == [
        f"run {RUN_ID} of timer {TIMER_ID} was created before this happened: "
        "wait for it with wait_for_run instead of triggering again"
    ]


def test_a_clock_of_yours_that_fails_once_the_run_exists_gets_the_note_too(dual: Dual) -> None:
    broken = False

    def clock() -> float:
        if broken:
            raise CallbackFailed("clock")
        return 1_000.0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal broken
        broken = True  # from the POST's answer on: the wait's first reading of the clock
        return httpx.Response(201, json=run_json(status="pending", end_time=None, result=None))

    client = dual.client(handler=handler, clock=clock)
    with pytest.raises(CallbackFailed) as caught:
        client.run_timer(TIMER_ID, wait=True)
    assert caught.value.__notes__ == [
        f"run {RUN_ID} of timer {TIMER_ID} was created before this happened: "
        "wait for it with wait_for_run instead of triggering again"
    ]


@pytest.mark.parametrize("timeout", [60, 0])  # 0: the one poll is not cut by a deadline
def test_a_connection_error_while_waiting_is_raised_before_the_deadline(
    dual: Dual, timeout: float
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = dual.client(handler=handler, max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=timeout)
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


# --- construction and with_options --------------------------------------------------------------


class HeaderAuthorizer:
    def get_authorization_header(self) -> str:
        return "Bearer from-the-authorizer"


def test_an_async_client_refuses_plain_http_to_another_host_unless_allowed() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^refusing plain http:// to timers\.example"):
        AsyncTimersClient(TOKEN, base_url="http://timers.example.org/api/v1")
    client = AsyncTimersClient(
        TOKEN, base_url="http://timers.example.org/api/v1/", allow_insecure_http=True
    )
    assert client.base_url == "http://timers.example.org/api/v1"
    asyncio.run(client.aclose())


def test_an_async_client_keeps_the_settings_it_is_given() -> None:
    policy = RetryPolicy(max_retries=5, backoff_max=2.0)
    client = AsyncTimersClient(authorizer=HeaderAuthorizer(), api="jobs", retry=policy)
    assert client.api == "jobs" and client.retry is policy
    assert repr(client).startswith("<AsyncTimersClient api='jobs' base_url='https://")
    assert AsyncTimersClient(TOKEN, max_retries=1).retry == RetryPolicy(max_retries=1)

    async def sent_authorization() -> str:
        seen: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["authorization"])
            return httpx.Response(200, json=run_json())

        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with http, AsyncTimersClient(authorizer=HeaderAuthorizer(), http_client=http) as c:
            await c.get_run(TIMER_ID, RUN_ID)
        return seen[0]

    assert asyncio.run(sent_authorization()) == "Bearer from-the-authorizer"
    asyncio.run(client.aclose())


def test_with_options_on_an_async_client_changes_only_what_is_given() -> None:
    timeouts: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return httpx.Response(200, json=run_json())

    async def scenario() -> tuple[AsyncTimersClient, AsyncTimersClient, AsyncTimersClient]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        client = AsyncTimersClient(TOKEN, http_client=http, timeout=4, max_retries=2)
        quick = client.with_options(timeout=1)
        patient = client.with_options(max_retries=9)
        await quick.get_run(TIMER_ID, RUN_ID)
        await patient.get_run(TIMER_ID, RUN_ID)
        await client.get_run(TIMER_ID, RUN_ID)
        await http.aclose()
        return client, quick, patient

    client, quick, patient = asyncio.run(scenario())
    assert [t["read"] for t in timeouts] == [1.0, 4.0, 4.0]
    assert [c.retry.max_retries for c in (client, quick, patient)] == [2, 2, 9]
    policy = RetryPolicy(backoff_max=1.0)
    assert client.with_options(retry=policy).retry is policy
    assert type(quick) is AsyncTimersClient and quick._http is client._http


# --- deadlines the transport cannot see -----------------------------------------------------------


class Stalling(httpx.AsyncByteStream):
    """A body whose pieces come after the event loop was blocked (no await to time out)."""

    def __init__(self, *chunks: bytes, block: float) -> None:
        self.chunks = chunks
        self.block = block

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.chunks:
            time.sleep(self.block)  # noqa: ASYNC251 - blocking on purpose: no await to time out
            yield piece


def test_a_body_read_past_the_attempt_deadline_ends_with_a_read_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Stalling(BODY[:5], BODY[5:], block=0.15), headers=JSON)

    async def scenario() -> Exception:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with http:
            client = AsyncTimersClient(TOKEN, http_client=http, timeout=0.1, max_retries=0)
            try:
                await client.get_run(TIMER_ID, RUN_ID)
            except APITimeoutError as exc:
                return exc
        raise AssertionError("no timeout")

    error = asyncio.run(scenario())
    assert isinstance(error, APITimeoutError)
    assert error.message == (
        "request timed out: ReadTimeout: the attempt did not finish within its timeout"
    )


def test_a_body_in_an_encoding_httpx_would_decode_whole_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded: list[bytes] = []

    class Reversed:  # stands for br or zstd, which httpx decodes when their packages are there
        def decode(self, data: bytes) -> bytes:
            decoded.append(data)
            return data[::-1]

        def flush(self) -> bytes:
            return b""

    # As with brotli installed: httpx would decode br, each chunk whole.
    monkeypatch.setitem(httpx._decoders.SUPPORTED_DECODERS, "br", Reversed)  # type: ignore[arg-type]
    headers = {**JSON, "content-encoding": "br"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Chunks(BODY[::-1]), headers=headers)

    async def scenario() -> ResponseValidationError:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with http, AsyncTimersClient(TOKEN, http_client=http) as client:
            try:
                await client.get_run(TIMER_ID, RUN_ID)
            except ResponseValidationError as exc:
                return exc
        raise AssertionError("the body was read")

    error = asyncio.run(scenario())
    assert error.problem == (
        "the body's content encoding 'br' was not asked for: only one of gzip or deflate is read"
    )
    assert decoded == []


def test_run_timer_that_cannot_connect_by_its_deadline_created_no_run() -> None:
    async def scenario(base_url: str) -> Exception:
        async with AsyncTimersClient(TOKEN, base_url=base_url, timeout=0.3, max_retries=0) as c:
            try:
                await asyncio.wait_for(c.run_timer(TIMER_ID), 3)
            except APITimeoutError as exc:
                return exc
        raise AssertionError("no timeout")

    started = time.monotonic()
    with never_accepting() as base_url:
        error = asyncio.run(scenario(base_url))
    assert isinstance(error, APITimeoutError) and not error.outcome_unknown
    assert error.message.startswith("request could not connect (timed out): ConnectTimeout")
    assert time.monotonic() - started < 1.5


def _slow_503s(dual: Dual, seconds: float) -> tuple[Any, list[str]]:
    """A handler answering 503 to everything, each answer taking ``seconds`` of the clock."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        dual.clock.now += seconds
        return httpx.Response(503, json={"code": "E", "message": "m"})

    return handler, sent


def _poll_retries(dual: Dual) -> list[int]:
    """How many requests a wait sends when each 503 answer takes 6 s, then 0 s, of a 10 s wait."""
    counts = []
    for seconds in (6.0, 0.0):  # at 6 s each the 2nd answer comes at 12 s: no time for a 3rd
        handler, sent = _slow_503s(dual, seconds)
        client = dual.client(handler=handler, max_retries=3, validate=False)
        with pytest.raises(ServerError):
            client.wait_for_run(TIMER_ID, RUN_ID, timeout=10)
        counts.append(len(sent))
    return counts


def test_a_poll_is_not_retried_past_the_waits_deadline(dual: Dual) -> None:
    assert _poll_retries(dual) == [2, 4]


def test_a_poll_through_the_pages_of_the_jobs_api_is_not_retried_past_the_deadline(
    jobs_dual: Dual,
) -> None:
    assert _poll_retries(jobs_dual) == [2, 4]


# --- logging ------------------------------------------------------------------------------------


def test_each_answered_attempt_of_an_async_client_is_logged_at_debug(
    dual: Dual, caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([httpx.Response(503, json={"code": "E", "message": "m"})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json=run_json()))

    client = dual.client(handler=handler, validate=False)
    with caplog.at_level(logging.DEBUG, logger="timers"):
        client.get_run(TIMER_ID, RUN_ID)
    attempts = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    path = f"/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"
    assert [re.sub(r"in \d+\.\d ms", "in N ms", line) for line in attempts] == [
        f"GET {path} -> 503 in N ms",
        f"GET {path} -> 200 in N ms",
    ]
    assert all(float(line.split(" in ")[1].split()[0]) < 1000 for line in attempts)


# --- the package's names (timers/__init__.py) ---------------------------------------------------


def test_the_summary_names_are_imported_from_the_package_on_first_use() -> None:
    from timers import _summary

    for name in ("Bucket", "ErrorCount", "RunSummary", "summarize_runs"):
        assert getattr(timers, name) is getattr(_summary, name)


def test_a_name_the_package_does_not_have_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError) as caught:
        timers.RunSumary  # noqa: B018 - the attribute access is the test
    assert str(caught.value) == "module 'timers' has no attribute 'RunSumary'"


# --- waiting, step by step ----------------------------------------------------------------------

PENDING = run_json(status="pending", end_time=None, result=None)


def test_run_timer_wait_sleeps_the_interval_honours_retry_after_and_reports_changes(
    dual: Dual,
) -> None:
    answers = iter(
        [
            httpx.Response(201, json=PENDING),
            httpx.Response(
                429, json={"code": "SLOW", "message": "m"}, headers={"retry-after": "7"}
            ),
            httpx.Response(200, json=PENDING),
            httpx.Response(200, json=run_json()),
        ]
    )
    seen: list[RunStatus] = []
    client = dual.client(handler=lambda request: next(answers), max_retries=0)
    run = client.run_timer(
        TIMER_ID, wait=True, poll_interval=2, on_update=lambda r: seen.append(r.status)
    )
    assert run.status is RunStatus.SUCCESS
    assert dual.clock.sleeps == [2.0, 7.0, 3.0]  # the interval grows by half after a poll
    assert seen == [RunStatus.PENDING, RunStatus.SUCCESS]


def test_wait_for_run_reports_each_status_change_and_names_the_run_when_it_gives_up(
    dual: Dual,
) -> None:
    seen: list[RunStatus] = []
    client = dual.client(handler=lambda request: httpx.Response(200, json=PENDING))
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_run(
            TIMER_ID, RUN_ID, timeout=5, poll_interval=2, on_update=lambda r: seen.append(r.status)
        )
    assert str(caught.value) == f"run {RUN_ID} did not finish within 5 s (still 'pending')"
    assert seen == [RunStatus.PENDING]
    assert dual.clock.sleeps == [2.0, 3.0]


# --- what each listing sends ----------------------------------------------------------------------

AFTER = datetime(2026, 11, 1, tzinfo=UTC)
BEFORE = datetime(2026, 11, 2, tzinfo=UTC)
FILTERS = {
    "status": "failure",
    "start_after": "2026-11-01T00:00:00Z",
    "start_before": "2026-11-02T00:00:00Z",
}


def paging(*pages: dict[str, Any]) -> tuple[Any, list[dict[str, str]]]:
    """A handler answering ``pages`` in turn, and the query of each request it got."""
    queries: list[dict[str, str]] = []
    answers = iter(pages)

    def handler(request: httpx.Request) -> httpx.Response:
        queries.append(dict(request.url.params))
        return httpx.Response(200, json=next(answers))

    return handler, queries


def test_list_runs_sends_each_filter_the_limit_and_the_marker(dual: Dual) -> None:
    handler, queries = paging(page_json(numbered_runs(1)))
    client = dual.client(handler=handler)
    page = client.list_runs(
        TIMER_ID, limit=5, status="failure", start_after=AFTER, start_before=BEFORE, marker="m0"
    )
    assert [run.id for run in page] == [numbered_runs(1)[0]["id"]]
    assert queries == [{**FILTERS, "limit": "5", "marker": "m0"}]


def test_list_runs_names_the_limit_it_refuses(dual: Dual) -> None:
    client = dual.client(handler=lambda request: httpx.Response(500))
    with pytest.raises(InvalidArgumentError) as caught:
        client.list_runs(TIMER_ID, limit=0)
    assert str(caught.value) == "limit must be from 1 to 1000, got 0"


@pytest.mark.parametrize("method", ["iter_run_pages", "iter_runs"])
def test_paging_sends_the_filters_on_every_page_and_asks_for_no_more_than_needed(
    dual: Dual, method: str
) -> None:
    first, second = numbered_runs(2), numbered_runs(2, start=2)
    handler, queries = paging(page_json(first, next_page="m1"), page_json(second))
    client = dual.client(handler=handler)
    iterate = getattr(client, method)
    items = list(
        iterate(
            TIMER_ID,
            status="failure",
            start_after=AFTER,
            start_before=BEFORE,
            page_size=2,
            max_items=3,
            marker="m0",
        )
    )
    runs = [run for page in items for run in page] if method == "iter_run_pages" else items
    assert [run.id for run in runs] == [r["id"] for r in first + second][:3]
    assert queries == [
        {**FILTERS, "limit": "2", "marker": "m0"},
        {**FILTERS, "limit": "1", "marker": "m1"},
    ]


# --- sending ------------------------------------------------------------------------------------


class Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of 1 KiB pieces that fails the test if read past ``pieces`` of them."""

    def __init__(self, pieces: int) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.pieces):
            yield b"x" * 1024
        raise AssertionError("the body was read past its size limit")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self:
            yield piece


def test_a_body_is_streamed_and_reading_stops_past_the_size_limit(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless(10), headers=JSON)

    client = dual.client(handler=handler, max_response_size=4096, validate=False)
    with pytest.raises(ResponseTooLargeError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    assert caught.value.limit == 4096


def test_a_runtime_error_from_an_open_clients_transport_is_raised_as_it_is(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("the transport broke")

    client = dual.client(handler=handler, validate=False)
    with pytest.raises(RuntimeError, match=r"^the transport broke$"):
        client.get_run(TIMER_ID, RUN_ID)


def test_iter_runs_of_the_jobs_api_filters_each_page_here(jobs_dual: Dual) -> None:
    start = datetime(2026, 11, 28, 2, tzinfo=UTC)
    results = [job_result(start, run_status="SUCCESS"), job_result(start, run_status="FAILURE")]
    client = jobs_dual.client(handler=lambda r: httpx.Response(200, json=job_json(results)))
    pages = list(client.iter_run_pages(TIMER_ID, status="failure"))
    assert [[run.status for run in page] for page in pages] == [[RunStatus.FAILURE]]
    runs = list(client.iter_runs(TIMER_ID, status="failure"))
    assert [run.status for run in runs] == [RunStatus.FAILURE]


class AskedPolicy(RetryPolicy):
    """A retry policy that records the ``idempotent`` flag of every status it is asked about."""

    asked: list[object]

    def should_retry_status(self, status_code: int, *, idempotent: bool) -> bool:
        AskedPolicy.asked.append(idempotent)
        return super().should_retry_status(status_code, idempotent=idempotent)


def test_the_retry_policy_is_told_run_timer_is_not_idempotent_and_a_read_is(dual: Dual) -> None:
    AskedPolicy.asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"code": "E", "message": "m"})

    client = dual.client(handler=handler, retry=AskedPolicy(max_retries=1), validate=False)
    with pytest.raises(ServerError):
        client.run_timer(TIMER_ID)
    with pytest.raises(ServerError):
        client.get_run(TIMER_ID, RUN_ID)
    assert AskedPolicy.asked == [False, True]  # after its one retry the read is not asked again


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(404, NotFoundError), (401, AuthenticationError), (503, ServerError)],
)
def test_an_error_answer_in_an_encoding_not_asked_for_keeps_its_typed_error(
    dual: Dual, status: int, error_class: type[Exception]
) -> None:
    body = json.dumps({"code": "X", "message": "never decoded"}).encode()
    headers = {**JSON, "content-encoding": "br"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, stream=Chunks(body), headers=headers)

    with pytest.raises(error_class) as caught:
        dual.client(handler=handler, max_retries=0).get_run(TIMER_ID, RUN_ID)
    assert caught.value.body is None  # type: ignore[attr-defined]
    assert "never decoded" not in str(caught.value)


def test_a_success_in_an_encoding_not_asked_for_is_an_invalid_body(dual: Dual) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, stream=Chunks(BODY), headers={**JSON, "content-encoding": "br"})

    client = dual.client(handler=handler)
    with pytest.raises(ResponseValidationError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    error = caught.value
    assert type(error) is ResponseValidationError and error.status_code == 200
    assert error.response is not None and not error.outcome_unknown
    assert str(error) == (
        "invalid response body: the body's content encoding 'br' was not asked for: only one "
        f"of gzip or deflate is read (GET {BASE_URL}/timers/{TIMER_ID}/runs/{RUN_ID}, status 200)"
    )
    assert len(sent) == 1  # not retried: the answer came


def test_a_triggered_run_whose_body_cannot_be_decoded_may_exist(dual: Dual) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {**JSON, "content-encoding": "gzip"}
        return httpx.Response(201, stream=Chunks(b"not gzip at all"), headers=headers)

    with pytest.raises(ResponseValidationError) as caught:
        dual.client(handler=handler, validate=False).run_timer(TIMER_ID)  # validation decodes
    assert caught.value.outcome_unknown and caught.value.status_code == 201
    assert caught.value.problem.startswith("the body is not valid compressed data (")


@pytest.mark.parametrize("encoding", ["UTF-8", "none"])
def test_a_success_with_an_encoding_no_decoder_knows_is_read_as_sent(
    dual: Dual, encoding: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, stream=Chunks(BODY), headers={**JSON, "content-encoding": encoding}
        )

    assert dual.client(handler=handler).get_run(TIMER_ID, RUN_ID).id == RUN_ID


# --- sleep= of the wrong kind -------------------------------------------------------------------


def _503_then_a_run() -> httpx.MockTransport:
    answers = iter([httpx.Response(503), httpx.Response(200, json=run_json())])
    return httpx.MockTransport(lambda request: next(answers))


@pytest.mark.parametrize(("returned", "named"), [(None, "NoneType"), (0.5, "float")])
def test_a_synchronous_sleep_given_to_the_async_client_is_refused_when_it_is_first_needed(
    returned: float | None, named: str
) -> None:
    slept: list[float] = []

    def blocking(seconds: float) -> float | None:
        slept.append(seconds)
        return returned

    async def main() -> None:
        http = httpx.AsyncClient(transport=_503_then_a_run())
        async with AsyncTimersClient(
            TOKEN, base_url=BASE_URL, http_client=http, sleep=blocking
        ) as client:
            with pytest.raises(InvalidArgumentError) as caught:
                await client.get_run(TIMER_ID, RUN_ID)
        await http.aclose()
        assert str(caught.value) == (
            "sleep= of AsyncTimersClient must be an async function (e.g. asyncio.sleep); it "
            f"returned {named}, not an awaitable"
        )

    asyncio.run(main())
    assert len(slept) == 1  # called once, and what it returned refused


def test_an_async_sleep_given_to_the_sync_client_is_refused_without_a_never_awaited_warning(
    recwarn: pytest.WarningsRecorder,
) -> None:
    async def not_waiting(seconds: float) -> None:
        raise AssertionError("never run")

    http = httpx.Client(transport=_503_then_a_run())
    client = TimersClient(TOKEN, base_url=BASE_URL, http_client=http, sleep=not_waiting)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError) as caught:
        client.get_run(TIMER_ID, RUN_ID)
    http.close()
    assert str(caught.value) == (
        "sleep= of TimersClient must wait before it returns (e.g. time.sleep); it returned an "
        "awaitable: pass an async sleep to AsyncTimersClient instead"
    )
    del caught  # its traceback holds the coroutine: let it go, so any warning comes now
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]  # it was closed


def test_a_sleep_returning_an_awaitable_without_close_is_refused_alike() -> None:
    class Later:  # awaitable, but not a coroutine: nothing to close
        def __await__(self) -> Any:
            yield from ()

    http = httpx.Client(transport=_503_then_a_run())
    client = TimersClient(TOKEN, base_url=BASE_URL, http_client=http, sleep=lambda s: Later())  # type: ignore[arg-type,return-value]
    with pytest.raises(InvalidArgumentError, match="it returned an awaitable"):
        client.get_run(TIMER_ID, RUN_ID)
    http.close()


def test_an_async_sleep_that_is_not_a_coroutine_function_is_used_as_given() -> None:
    slept: list[float] = []

    def later(seconds: float) -> Any:  # a plain function that returns an awaitable
        slept.append(seconds)
        return asyncio.sleep(0)

    async def main() -> str:
        http = httpx.AsyncClient(transport=_503_then_a_run())
        async with AsyncTimersClient(TOKEN, base_url=BASE_URL, http_client=http, sleep=later) as c:
            run = await c.get_run(TIMER_ID, RUN_ID)
        await http.aclose()
        return run.id

    assert asyncio.run(main()) == RUN_ID and len(slept) == 1


def test_under_trio_the_async_client_says_it_needs_asyncio() -> None:
    import trio

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        client = AsyncTimersClient(TOKEN, base_url=BASE_URL, http_client=http)
        with pytest.raises(UsageError) as caught:
            await client.get_run(TIMER_ID, RUN_ID)
        assert str(caught.value) == (
            "AsyncTimersClient runs in an asyncio event loop (e.g. inside asyncio.run()); there "
            "is none running here (trio is not supported)"
        )

    trio.run(main)
