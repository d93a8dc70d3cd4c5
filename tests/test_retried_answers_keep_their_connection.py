"""An answer that is retried (a 503, a 429) gives its connection back for the retry when its
body is small and comes at once: httpx closes a connection whose body is left unread, so each
retry would open a new one (a new TLS handshake in production). A larger, unsized or stalled
body is left unread, its connection closed, and the retry comes without waiting for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.hostile import (
    Connection,
    Request,
    Servers,
    chunked_head,
    each_request,
    http_response,
    json_response,
)

from timers import (
    AsyncTimersClient,
    RetryPolicy,
    TimersClient,
    _async_client,
    _sync_client,
    _transport,
)

NO_WAIT = RetryPolicy(max_retries=2, backoff_base=0, backoff_max=0)
BUSY = b'{"code": "BUSY", "message": "try again"}'


def twice_then_the_run(busy: bytes) -> Callable[[Request, Connection], None]:
    """Answers ``busy`` to the first two requests, then the run."""
    answered: list[int] = []

    def respond(request: Request, conn: Connection) -> None:
        answered.append(1)
        conn.send(busy if len(answered) <= 2 else json_response(200, run_json()))

    return respond


async def no_sleep(seconds: float) -> None:
    pass


def get_run(base_url: str, backend: str) -> Any:
    if backend == "sync":
        with TimersClient(TOKEN, base_url=base_url, retry=NO_WAIT, sleep=lambda s: None) as sync:
            return sync.get_run(TIMER_ID, RUN_ID)

    async def call() -> Any:
        async with AsyncTimersClient(
            TOKEN, base_url=base_url, retry=NO_WAIT, sleep=no_sleep, http_backend=backend
        ) as client:
            return await client.get_run(TIMER_ID, RUN_ID)

    return asyncio.run(asyncio.wait_for(call(), 10))


BACKENDS = ["sync", "httpx", "aiohttp"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "busy",
    [
        http_response(503, BUSY),
        http_response(429, BUSY, headers=[("Retry-After", "0")]),
        http_response(503, b"x" * _async_client.DRAIN_LIMIT),  # the largest read
        http_response(503, b""),
    ],
    ids=["503", "429", "16 KiB", "empty"],
)
def test_a_small_retried_body_is_read_and_its_connection_kept(
    servers: Servers, backend: str, busy: bytes
) -> None:
    server = servers(each_request(twice_then_the_run(busy)))
    assert get_run(server.base_url, backend).id == RUN_ID
    assert len(server.requests) == 3
    assert server.connections == 1


@pytest.mark.parametrize("backend", ["sync", "httpx"])
@pytest.mark.parametrize(
    "busy",
    [
        http_response(503, b"x" * (_async_client.DRAIN_LIMIT + 1)),
        chunked_head(503) + b"5\r\nbusy!\r\n0\r\n\r\n",  # no Content-Length: not read
    ],
    ids=["over 16 KiB", "chunked"],
)
def test_a_larger_or_unsized_retried_body_is_left_unread_with_its_connection(
    servers: Servers, backend: str, busy: bytes
) -> None:
    server = servers(each_request(twice_then_the_run(busy)))
    assert get_run(server.base_url, backend).id == RUN_ID
    assert server.connections == 3  # httpx closes a connection whose body was not read


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_retried_body_that_does_not_come_is_not_waited_for(
    servers: Servers, backend: str
) -> None:
    # The head says 10 bytes and none follow: the retry comes after DRAIN_TIME, not at the
    # attempt's 60 s timeout.
    server = servers(each_request(twice_then_the_run(http_response(503, b"", content_length=10))))
    started = time.monotonic()
    assert get_run(server.base_url, backend).id == RUN_ID
    took = time.monotonic() - started
    assert 2 * _async_client.DRAIN_TIME <= took < 10  # a bound, not a speed: 60 s per attempt
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("length", "read"),
    [
        (b"12", True),
        (b"00012", True),
        (b"16384", True),
        (b"16385", False),  # over DRAIN_LIMIT
        (b"016384", False),  # more than five digits: not read, whatever their value
        (b"1" * 5000, False),  # int() would refuse it
        ("²".encode("latin-1"), False),  # a digit to str.isdigit, not to int()
        (b"-1", False),
    ],
)
def test_only_a_content_length_of_at_most_five_ascii_digits_is_read(
    length: bytes, read: bool
) -> None:
    sync = httpx.Response(503, headers=[(b"content-length", length)], stream=httpx.ByteStream(b""))
    _sync_client._drain(sync)
    assert sync.is_stream_consumed is read
    unsized = httpx.Response(503, stream=httpx.ByteStream(b""))
    _sync_client._drain(unsized)
    assert not unsized.is_stream_consumed

    async def drained() -> bool:
        response = httpx.Response(503, headers=[(b"content-length", length)], stream=_AsyncBody())
        await _async_client._drain(response)
        return response.is_stream_consumed

    assert asyncio.run(drained()) is read


class _AsyncBody(httpx.AsyncByteStream):
    async def __aiter__(self) -> Any:
        yield b""


class _AsyncX(httpx.AsyncByteStream):
    async def __aiter__(self) -> Any:
        yield b"x"


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(("attempt_left", "read_until"), [(0.05, 100.05), (None, 100.25)])
def test_the_read_ends_by_the_attempts_deadline_when_that_comes_first(
    monkeypatch: pytest.MonkeyPatch, attempt_left: float | None, read_until: float, flavour: str
) -> None:
    monkeypatch.setattr(_transport.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(_sync_client.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(_async_client.time, "monotonic", lambda: 100.0)
    real = _transport.attempt_deadline
    bounds: list[float | None] = []

    def recorded(at: float | None) -> Any:
        bounds.append(at)
        return real(at)

    monkeypatch.setattr(_transport, "attempt_deadline", recorded)
    stream = httpx.ByteStream(b"x") if flavour == "sync" else _AsyncX()
    response = httpx.Response(503, headers=[(b"content-length", b"1")], stream=stream)
    with real(None if attempt_left is None else 100.0 + attempt_left):
        if flavour == "sync":
            _sync_client._drain(response)
        else:
            asyncio.run(_async_client._drain(response))
    assert bounds == [pytest.approx(read_until)] and response.is_stream_consumed
