"""Whatever a server answers and whatever a caller passes, the client raises a ``TimersError``
subclass (nothing from httpx, h11, anyio, aiohttp, zlib or json, no bare ``RuntimeError``),
within a bounded time.

- ``close()`` from another thread, ``aclose()`` from another task, while a call is in flight
  or sleeping before a retry: the call raises ``UsageError``.
- Arguments no clock or socket can honour (datetimes that overflow in UTC, infinite or
  astronomically long timeouts and waits) are ``InvalidArgumentError``, before any request.
- Malformed HTTP answers (a curated list and seeded random mutations of good ones) against
  every operation raise only ``TimersError`` subclasses.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import json
import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, Dual
from support.hostile import (
    OPERATIONS,
    Connection,
    HostileServer,
    Request,
    Servers,
    call,
    chunk,
    chunked_head,
    each_request,
    http_response,
    json_response,
    raised,
)

from timers import (
    AsyncTimersClient,
    InvalidArgumentError,
    RetryPolicy,
    TimerRun,
    TimersClient,
    TimersError,
    UsageError,
    WaitTimeoutError,
)
from timers._errors import OUTCOME_UNKNOWN_NOTE
from timers._retry import MAX_SECONDS
from timers._wait import MAX_WAIT

TOKEN = "tok-TYPED-0c1d2e3f"
HAVE_AIOHTTP = importlib.util.find_spec("aiohttp") is not None
needs_aiohttp = pytest.mark.skipif(not HAVE_AIOHTTP, reason="aiohttp not installed")
PENDING = run_json(status="pending", end_time=None, result=None)


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


# -- closing a client while a call is in flight ------------------------------------------------


def in_a_thread(call: Callable[[], object]) -> tuple[threading.Thread, dict[str, BaseException]]:
    """``call()`` started in a daemon thread, and where what it raises will be (``"error"``)."""
    outcome: dict[str, BaseException] = {}

    def target() -> None:
        try:
            call()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _silent(request: Request, conn: Connection) -> None:
    conn.wait_for_close()


def _busy(request: Request, conn: Connection) -> None:
    conn.send(json_response(503, {"code": "BUSY", "message": "try again"}))


# name: (server, client settings, the call's bound after close)
CLOSINGS: dict[str, tuple[Callable[[Request, Connection], None], dict[str, Any], float]] = {
    # A read blocked on a silent server ends at the latest when its attempt times out.
    "in flight to a silent server": (_silent, {"timeout": 1.0}, 1.0 + 1.5),
}


@pytest.mark.parametrize("case", CLOSINGS)
def test_close_from_another_thread_makes_the_call_raise_usage_error(
    servers: Servers, case: str
) -> None:
    respond, settings, bound = CLOSINGS[case]
    server = servers(each_request(respond))
    client = TimersClient(TOKEN, base_url=server.base_url, **settings)
    caller, outcome = in_a_thread(lambda: client.get_run(TIMER_ID, RUN_ID))
    wait_until(lambda: server.requests)
    time.sleep(0.1)  # (not an assertion: lets the call reach its read, or its sleep)
    closed = time.monotonic()
    client.close()
    caller.join(timeout=10)

    assert not caller.is_alive()
    assert type(outcome.get("error")) is UsageError, outcome
    assert time.monotonic() - closed < bound
    assert len(server.requests) == 1  # nothing was sent after the close


ASYNC_BACKENDS = ["httpx", pytest.param("aiohttp", marks=needs_aiohttp)]


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
@pytest.mark.parametrize("case", CLOSINGS)
def test_aclose_from_another_task_makes_the_call_raise_usage_error(
    servers: Servers, case: str, backend: str
) -> None:
    respond, settings, bound = CLOSINGS[case]
    server = servers(each_request(respond))

    async def scenario() -> tuple[BaseException | None, float]:
        client = AsyncTimersClient(
            TOKEN, base_url=server.base_url, http_backend=backend, **settings
        )
        call_task = asyncio.create_task(client.get_run(TIMER_ID, RUN_ID))
        await asyncio.to_thread(wait_until, lambda: server.requests)
        await asyncio.sleep(0.1)
        closed = time.monotonic()
        await asyncio.create_task(client.aclose())  # from another task
        try:
            await asyncio.wait_for(call_task, timeout=10)
        except BaseException as exc:
            return exc, time.monotonic() - closed
        return None, time.monotonic() - closed

    error, seconds = asyncio.run(scenario())
    assert type(error) is UsageError, repr(error)
    assert seconds < bound
    assert len(server.requests) == 1


# Closing while the call sleeps before a retry: the sleep is the test's own (``sleep=``), so
# the close happens while the call is certainly inside it, and nothing really waits. The
# sleep is not cut short, but no request follows it.


def test_close_from_another_thread_while_the_call_sleeps_before_a_retry(
    servers: Servers,
) -> None:
    server = servers(each_request(_busy))
    entered, release = threading.Event(), threading.Event()

    def sleep(seconds: float) -> None:
        entered.set()
        assert release.wait(10), "never released"  # a hang guard, not a timing

    client = TimersClient(TOKEN, base_url=server.base_url, sleep=sleep)
    caller, outcome = in_a_thread(lambda: client.get_run(TIMER_ID, RUN_ID))
    assert entered.wait(10), "the call never slept before a retry"
    client.close()
    release.set()
    caller.join(timeout=10)

    assert not caller.is_alive()
    assert type(outcome.get("error")) is UsageError, outcome
    assert len(server.requests) == 1  # nothing was sent after the close


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
def test_aclose_from_another_task_while_the_call_sleeps_before_a_retry(
    servers: Servers, backend: str
) -> None:
    server = servers(each_request(_busy))

    async def scenario() -> BaseException | None:
        entered, release = asyncio.Event(), asyncio.Event()

        async def sleep(seconds: float) -> None:
            entered.set()
            await release.wait()

        client = AsyncTimersClient(
            TOKEN, base_url=server.base_url, http_backend=backend, sleep=sleep
        )
        call_task = asyncio.create_task(client.get_run(TIMER_ID, RUN_ID))
        async with asyncio.timeout(10):  # a hang guard, not a timing
            await entered.wait()
        await asyncio.create_task(client.aclose())  # from another task
        release.set()
        try:
            await asyncio.wait_for(call_task, timeout=10)
        except BaseException as exc:
            return exc
        return None

    error = asyncio.run(scenario())
    assert type(error) is UsageError, repr(error)
    assert len(server.requests) == 1


def test_a_run_timer_in_flight_when_the_client_closes_may_have_created_a_run(
    servers: Servers,
) -> None:
    server = servers(each_request(_silent))
    client = TimersClient(TOKEN, base_url=server.base_url, timeout=5.0)
    outcome: dict[str, BaseException] = {}

    def trigger() -> None:
        try:
            client.run_timer(TIMER_ID)
        except BaseException as exc:
            outcome["error"] = exc

    caller = threading.Thread(target=trigger)
    caller.start()
    wait_until(lambda: server.requests)
    client.close()
    caller.join(timeout=10)
    error = outcome.get("error")
    assert isinstance(error, UsageError) and error.outcome_unknown
    assert str(error) == (
        f"this client was closed while the request was in flight; {OUTCOME_UNKNOWN_NOTE}"
    )
    assert not UsageError("x").outcome_unknown  # other misuses say nothing of runs


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
def test_an_async_run_timer_in_flight_when_the_client_closes_may_have_created_a_run(
    servers: Servers, backend: str
) -> None:
    server = servers(each_request(_silent))

    async def scenario() -> BaseException | None:
        client = AsyncTimersClient(
            TOKEN, base_url=server.base_url, http_backend=backend, timeout=5.0
        )
        call = asyncio.create_task(client.run_timer(TIMER_ID))
        await asyncio.to_thread(wait_until, lambda: server.requests)
        await asyncio.create_task(client.aclose())
        try:
            await asyncio.wait_for(call, timeout=10)
        except BaseException as exc:
            return exc
        return None

    error = asyncio.run(scenario())
    assert isinstance(error, UsageError) and error.outcome_unknown, repr(error)
    assert str(error).endswith(OUTCOME_UNKNOWN_NOTE)


def test_calls_waiting_for_a_connection_when_the_client_closes_never_connect(
    servers: Servers,
) -> None:
    server = servers(each_request(_silent))
    client = TimersClient(TOKEN, base_url=server.base_url, timeout=5.0)
    client._http._transport._pool._max_connections = 1  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def trigger() -> None:
        try:
            client.run_timer(TIMER_ID)
        except BaseException as exc:
            errors.append(exc)

    callers = [threading.Thread(target=trigger) for _ in range(3)]
    for caller in callers:
        caller.start()
    wait_until(lambda: server.requests)
    time.sleep(0.2)  # (not an assertion: lets the other two queue for the one connection)
    client.close()
    for caller in callers:
        caller.join(timeout=10)
    assert [type(error) for error in errors] == [UsageError] * 3
    # the one in flight may have created a run; the two that waited were never sent
    assert sorted(getattr(error, "outcome_unknown", None) for error in errors) == [
        False,
        False,
        True,
    ]
    time.sleep(0.2)  # (not an assertion: a late connection would show up by now)
    assert len(server.requests) == 1 and server.connections == 1


def test_async_calls_waiting_for_a_connection_when_the_client_closes_never_connect(
    servers: Servers,
) -> None:
    server = servers(each_request(_silent))

    async def scenario() -> list[BaseException | None]:
        client = AsyncTimersClient(TOKEN, base_url=server.base_url, timeout=5.0)
        client._http._transport._pool._max_connections = 1  # type: ignore[attr-defined]
        calls = [asyncio.create_task(client.get_run(TIMER_ID, RUN_ID)) for _ in range(3)]
        await asyncio.to_thread(wait_until, lambda: server.requests)
        await asyncio.sleep(0.2)
        await client.aclose()
        done = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 10)
        await asyncio.sleep(0.2)
        return list(done)

    results = asyncio.run(scenario())
    assert [type(result) for result in results] == [UsageError] * 3
    assert len(server.requests) == 1 and server.connections == 1


def test_close_from_another_thread_wakes_a_call_blocked_on_a_silent_server_at_once() -> None:
    outcome: dict[str, BaseException] = {}
    with HostileServer(each_request(_silent)) as server:
        client = TimersClient(TOKEN, base_url=server.base_url)  # the default timeouts

        def get_run() -> None:
            try:
                client.get_run(TIMER_ID, RUN_ID)
            except BaseException as exc:
                outcome["error"] = exc

        caller = threading.Thread(target=get_run)
        caller.start()
        try:
            wait_until(lambda: server.requests)
            client.close()
            caller.join(timeout=2.0)
            assert not caller.is_alive(), "the call is still blocked 2 s after close()"
        finally:
            server.stop()  # wakes the blocked read: the thread ends either way
            caller.join(timeout=10)
    assert type(outcome.get("error")) is UsageError


# -- arguments no clock or socket can honour ---------------------------------------------------

PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))
OVERFLOWING_WINDOWS = {
    "start_after year 1 at +14:00": {"start_after": datetime(1, 1, 1, tzinfo=PLUS_14)},
    "start_before datetime.max at -14:00": {"start_before": datetime.max.replace(tzinfo=MINUS_14)},
}


@pytest.mark.parametrize("operation", ["list_runs", "iter_runs", "iter_run_pages"])
@pytest.mark.parametrize("window", OVERFLOWING_WINDOWS)
def test_datetimes_that_overflow_in_utc_are_invalid_arguments(
    dual: Dual, servers: Servers, window: str, operation: str
) -> None:
    server = servers(each_request(_silent))
    client = dual.client(base_url=server.base_url)
    exc = raised(lambda: call(client, operation, **OVERFLOWING_WINDOWS[window]))
    assert type(exc) is InvalidArgumentError and "out of range" in str(exc), exc
    assert server.requests == []


UNSLEEPABLE = [math.inf, -math.inf, math.nan, 1e300, MAX_SECONDS * 1.001, -0.5]


@pytest.mark.parametrize("value", UNSLEEPABLE, ids=repr)
@pytest.mark.parametrize("field", ["backoff_base", "backoff_max", "max_retry_after"])
def test_retry_policy_refuses_waits_no_clock_can_sleep(field: str, value: float) -> None:
    with pytest.raises(InvalidArgumentError, match=field):
        RetryPolicy(**{field: value})


@pytest.mark.parametrize("value", [-1, 1.5, True, "3", None])
def test_retry_policy_refuses_a_retry_count_that_is_not_a_count(value: object) -> None:
    with pytest.raises(InvalidArgumentError, match="max_retries"):
        RetryPolicy(max_retries=value)  # type: ignore[arg-type]


def test_retry_policy_accepts_the_extremes_it_documents() -> None:
    policy = RetryPolicy(max_retries=0, backoff_base=0, backoff_max=MAX_SECONDS)
    assert policy.max_retry_after == 60.0
    assert RetryPolicy(max_retry_after=MAX_SECONDS).max_retry_after == MAX_SECONDS


@pytest.mark.parametrize("cls", [TimersClient, AsyncTimersClient])
@pytest.mark.parametrize("value", [*UNSLEEPABLE, 0, True, "10"], ids=repr)
def test_client_timeouts_no_socket_can_honour_are_invalid_arguments(
    cls: type, value: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout"):
        cls(TOKEN, base_url="http://127.0.0.1:9/api/v1", timeout=value)


@pytest.mark.parametrize(
    "settings",
    [
        {"timeout": math.inf},
        {"timeout": math.nan},
        {"timeout": -1},
        {"poll_interval": math.inf},
        {"poll_interval": math.nan},
        {"poll_interval": 0},
    ],
    ids=repr,
)
@pytest.mark.parametrize("operation", ["wait_for_run", "run_timer"])
def test_wait_settings_no_clock_can_honour_are_refused_before_any_request(
    dual: Dual, servers: Servers, operation: str, settings: dict[str, float]
) -> None:
    server = servers(each_request(_silent))
    client = dual.client(base_url=server.base_url)
    if operation == "run_timer":
        settings = {"wait": True, **settings}
    exc = raised(lambda: call(client, operation, **settings))
    assert type(exc) is InvalidArgumentError, exc
    assert server.requests == []  # above all, no run was triggered


@pytest.fixture(params=["sync", "async"])
def no_timeouts(
    request: pytest.FixtureRequest, servers: Servers
) -> Iterator[tuple[Any, HostileServer]]:
    """A sync or async client without timeouts, and its server, which answers every request
    with a finished run."""
    server = servers(each_request(lambda request, conn: conn.send(json_response(200, run_json()))))
    dual = Dual(request.param)
    try:
        yield dual.client(base_url=server.base_url, timeout=httpx.Timeout(None)), server
    finally:
        dual.close()


def test_an_astronomical_wait_timeout_is_refused_before_any_request_never_an_overflow(
    no_timeouts: tuple[Any, HostileServer],
) -> None:
    client, server = no_timeouts
    with pytest.raises(
        InvalidArgumentError, match=r"^timeout must be at most 604800 s \(a week\), got 1e\+10$"
    ):
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=1e10)
    assert server.requests == []


def test_the_longest_wait_timeout_is_honoured_over_real_sockets(
    no_timeouts: tuple[Any, HostileServer],
) -> None:
    # A week-long deadline on every socket operation (no attempt timeout): no overflow.
    client, server = no_timeouts
    run = client.wait_for_run(TIMER_ID, RUN_ID, timeout=MAX_WAIT)
    assert run.id == RUN_ID and run.is_finished
    assert len(server.requests) == 1


def test_the_longest_wait_timeout_is_waited_out_to_the_second(dual: Dual) -> None:
    # A run that never finishes, on the fake clock (nothing really waits): the wait ends
    # exactly a week later, with one last poll at the deadline.
    polls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        polls.append(dual.clock.now)
        return httpx.Response(200, json=PENDING)

    client = dual.client(handler=handler, timeout=httpx.Timeout(None))
    started = dual.clock.now
    with pytest.raises(WaitTimeoutError):
        client.wait_for_run(TIMER_ID, RUN_ID, timeout=MAX_WAIT, poll_interval=100_000)
    assert MAX_WAIT == 604_800
    # A poll every 100,000 s (an interval over 30 s does not grow), the last sleep cut short
    # so that the last poll is at the deadline.
    assert dual.clock.sleeps == [100_000] * 6 + [4_800]
    assert [at - started for at in polls] == [n * 100_000 for n in range(7)] + [MAX_WAIT]


# -- malformed answers against every operation -------------------------------------------------


def _raw(data: bytes) -> Callable[[Request, Connection], None]:
    """Answer every request with ``data``, then close the connection."""

    def respond(request: Request, conn: Connection) -> None:
        conn.send(data)
        conn.close()

    return respond


def _then_reset(data: bytes) -> Callable[[Request, Connection], None]:
    def respond(request: Request, conn: Connection) -> None:
        if data:
            conn.send(data)
        conn.reset()

    return respond


GOOD_RUN = json.dumps(PENDING).encode()
GOOD_PAGE = json.dumps(page_json([PENDING])).encode()
JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def _json_bytes(status: int, body: bytes, *extra: bytes) -> bytes:
    head = b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n" % status
    head += b"".join(line + b"\r\n" for line in extra)
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


MALFORMED: dict[str, Callable[[Request, Connection], None]] = {
    "garbage status line": _raw(b"FOO BAR BAZ\r\n\r\n"),
    "no status line": _raw(b"\r\n\r\n"),
    "a body with no head": _raw(GOOD_RUN),
    "HTTP/2 preface": _raw(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    "status 99": _raw(b"HTTP/1.1 99 Low\r\nContent-Length: 0\r\n\r\n"),
    "status 1000": _raw(b"HTTP/1.1 1000 High\r\nContent-Length: 0\r\n\r\n"),
    "status 999": _raw(_json_bytes(999, b"{}")),
    "truncated status line": _raw(b"HTTP/1.1 20"),
    "truncated headers": _raw(b"HTTP/1.1 200 OK\r\nContent-Type: applic"),
    "header without a colon": _raw(b"HTTP/1.1 200 OK\r\nBroken header\r\n\r\n"),
    "header with a NUL": _raw(b"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 0\r\n\r\n"),
    "a 200 KB header": _raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"b" * 200_000 + b"\r\n\r\n"),
    "content-length larger than the body": _raw(
        http_response(200, GOOD_RUN, content_length=len(GOOD_RUN) + 1000)
    ),
    "content-length smaller than the body": _raw(http_response(200, GOOD_RUN, content_length=5)),
    "two content-lengths that disagree": _raw(
        JSON_HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    ),
    "negative content-length": _raw(JSON_HEAD + b"Content-Length: -1\r\n\r\n{}"),
    "non-numeric content-length": _raw(JSON_HEAD + b"Content-Length: lots\r\n\r\n{}"),
    "reset before any answer": _then_reset(b""),
    "reset after the head": _then_reset(http_response(200, b"", content_length=len(GOOD_RUN))),
    "reset mid-body": _then_reset(http_response(200, GOOD_RUN[:20], content_length=len(GOOD_RUN))),
    "closed before any answer": lambda request, conn: conn.close(),
    "invalid chunk size": _raw(chunked_head(200) + b"ZZZ\r\n{}\r\n0\r\n\r\n"),
    "chunk size overflow": _raw(chunked_head(200) + b"f" * 40 + b"\r\n{}\r\n"),
    "chunks without the last chunk": _raw(chunked_head(200) + chunk(GOOD_RUN)),
    "chunked and content-length": _raw(
        JSON_HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n" + chunk(b"{}")
    ),
    "unknown transfer-encoding": _raw(JSON_HEAD + b"Transfer-Encoding: bogus\r\n\r\n{}"),
    "non-UTF-8 JSON": _raw(_json_bytes(200, b'{"id": "\xff\xfe\xfd", "status": "\xc3"}')),
    "UTF-16 JSON": _raw(_json_bytes(200, json.dumps(PENDING).encode("utf-16"))),
    "deeply nested JSON": _raw(_json_bytes(200, b"[" * 100_000 + b"]" * 100_000)),
    "deeply nested error body": _raw(_json_bytes(500, b"[" * 100_000 + b"]" * 100_000)),
    "a 5000-digit number": _raw(_json_bytes(200, b'{"total": ' + b"9" * 5000 + b"}")),
    "NaN and Infinity": _raw(
        _json_bytes(200, b'{"runs": [], "total": NaN, "has_next_page": Infinity}')
    ),
    "JSON null": _raw(_json_bytes(200, b"null")),
    "JSON string": _raw(_json_bytes(200, b'"a run"')),
    "empty JSON body": _raw(_json_bytes(200, b"")),
    "204 No Content": _raw(b"HTTP/1.1 204 No Content\r\n\r\n"),
    "101 Switching Protocols": _raw(b"HTTP/1.1 101 Switching\r\nUpgrade: h2c\r\n\r\n"),
    "a hundred 100 Continues": _raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 100),
    "invalid gzip": _raw(_json_bytes(200, b"not gzip at all", b"Content-Encoding: gzip")),
    "truncated gzip": _raw(_json_bytes(200, b"\x1f\x8b\x08\x00\x00", b"Content-Encoding: gzip")),
    "unknown content-encoding": _raw(_json_bytes(200, GOOD_RUN, b"Content-Encoding: x-hostile")),
    "HTML with a 200": _raw(
        http_response(200, b"<html><title>OK</title></html>", content_type="text/html")
    ),
    "429 with a Retry-After of 1e999": _raw(_json_bytes(429, b"{}", b"Retry-After: 1e999")),
    "429 with a Retry-After of nan": _raw(_json_bytes(429, b"{}", b"Retry-After: nan")),
    "429 with a Retry-After date at +99:99": _raw(
        _json_bytes(429, b"{}", b"Retry-After: Mon, 01 Jan 0001 00:00:00 +9999")
    ),
    "429 with a Retry-After in year 9999": _raw(
        _json_bytes(429, b"{}", b"Retry-After: Fri, 31 Dec 9999 23:59:59 GMT")
    ),
}

# Fix for RECURSION: redact iteratively, or cap the depth (keep the text of a body nested
# deeper than, say, 32 levels instead of its parsed form).
# A body json.loads accepts, nested deeper than anything the client walks recursively.
MALFORMED["error body nested 600 deep"] = _raw(_json_bytes(404, b"[" * 600 + b"]" * 600))
# An error body in a charset that is no text encoding: decoding it raised LookupError.
MALFORMED["404 in charset rot13"] = _raw(
    http_response(404, b"not found", content_type="text/plain; charset=rot13")
)
MALFORMED["500 in charset hex"] = _raw(
    http_response(500, b"zz", content_type="text/plain; charset=hex")
)
# A date whose year datetime cannot hold: parsing it raised OverflowError.
MALFORMED["429 with a Retry-After in year 99999999999"] = _raw(
    _json_bytes(429, b"{}", b"Retry-After: Mon, 01 Jan 99999999999 00:00:00 GMT")
)
# Each layer would be inflated whole by httpx: refused before reading.
MALFORMED["a body gzipped twice"] = _raw(
    _json_bytes(200, gzip.compress(gzip.compress(GOOD_RUN)), b"Content-Encoding: gzip, gzip")
)


def _mutations(seed: int) -> bytes:
    """A good answer, damaged at random (reproducibly, from ``seed``)."""
    rng = random.Random(seed)
    good = rng.choice(
        [
            http_response(200, GOOD_RUN),
            http_response(200, GOOD_PAGE),
            http_response(201, GOOD_RUN),
            http_response(503, b'{"code": "BUSY", "message": "later", "request_id": "r"}'),
            chunked_head(200) + chunk(GOOD_PAGE[:30]) + chunk(GOOD_PAGE[30:]) + b"0\r\n\r\n",
        ]
    )
    data = bytearray(good)
    for _ in range(rng.randint(1, 4)):
        action = rng.choice(["truncate", "flip", "insert", "duplicate", "delete"])
        at = rng.randrange(len(data))
        if action == "truncate":
            del data[at:]
        elif action == "flip":
            data[at] = rng.randrange(256)
        elif action == "insert":
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif action == "duplicate":
            data[at:at] = data[at : at + rng.randint(1, 40)]
        else:
            del data[at : at + rng.randint(1, 8)]
        if not data:
            data = bytearray(b"\r\n")
    return bytes(data)


RANDOM_SEEDS = range(24)

FUZZ_MODES = ["sync", "async", pytest.param("aiohttp", marks=needs_aiohttp)]


def _malformed_params() -> list[Any]:
    params = [pytest.param(name, id=name) for name in MALFORMED]
    params += [pytest.param(f"random {seed}", id=f"random {seed}") for seed in RANDOM_SEEDS]
    return params


def _answer(name: str) -> Callable[[Request, Connection], None]:
    if name.startswith("random "):
        return _raw(_mutations(int(name.split()[1])))
    return MALFORMED[name]


@pytest.fixture
def fuzz_dual(request: pytest.FixtureRequest) -> Iterator[tuple[Dual, dict[str, Any]]]:
    mode = request.param
    dual = Dual("async" if mode == "aiohttp" else mode)
    extra = {"http_backend": "aiohttp"} if mode == "aiohttp" else {}
    yield dual, extra
    dual.close()


ARGUMENTS: dict[str, dict[str, Any]] = {
    "wait_for_run": {"timeout": 3, "poll_interval": 1},  # on the fake clock: a few polls
}


@pytest.mark.parametrize("fuzz_dual", FUZZ_MODES, indirect=True)
@pytest.mark.parametrize("answer", _malformed_params())
def test_malformed_answers_raise_only_timers_errors_from_every_operation(
    fuzz_dual: tuple[Dual, dict[str, Any]], servers: Servers, answer: str
) -> None:
    dual, extra = fuzz_dual
    server = servers(each_request(_answer(answer)))
    client = dual.client(
        base_url=server.base_url, timeout=2.0, retry=RetryPolicy(max_retries=1), **extra
    )
    escaped = {}
    for operation in OPERATIONS:
        started = time.monotonic()
        try:
            call(client, operation, **ARGUMENTS.get(operation, {}))
        except TimersError:
            pass
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:
            escaped[operation] = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc!s:.200}"
        assert time.monotonic() - started < 10, operation
    assert escaped == {}


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
def test_a_header_line_of_12_kib_is_read_on_both_backends(servers: Servers, backend: str) -> None:
    # aiohttp's own limit is 8190 bytes a line: a long Content-Security-Policy failed there
    # (APIConnectionError, retried) while httpx read the same answer.
    policy = "default-src 'self' " + "x" * (12 * 1024)
    answer = json_response(200, run_json(), headers=[("Content-Security-Policy", policy)])
    server = servers(each_request(lambda request, conn: conn.send(answer)))

    async def scenario() -> TimerRun:
        async with AsyncTimersClient(
            TOKEN, base_url=server.base_url, http_backend=backend, max_retries=0
        ) as client:
            return await client.get_run(TIMER_ID, RUN_ID)

    assert asyncio.run(scenario()).id == RUN_ID
    assert len(server.requests) == 1
