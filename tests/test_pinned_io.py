"""The I/O primitives that differ between the clients (timers._io): bounded body decoding,
event-loop binding, the aiohttp backend choice, sleeping and attempt deadlines."""

from __future__ import annotations

import asyncio
import gzip
import math
import time
import zlib
from typing import Any

import httpx
import pytest

from timers import (
    AsyncTimersClient,
    InvalidArgumentError,
    TimersClient,
    UsageError,
    _io,
    _transport,
)
from timers._io import BodyReader, LoopBinding, async_deadline, backend_client, sync_deadline


def reader(encoding: str | None, limit: int) -> BodyReader:
    headers = {} if encoding is None else {"content-encoding": encoding}
    return BodyReader(httpx.Response(200, headers=headers), limit)


def deflate(data: bytes, *, raw: bool = False) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# --- BodyReader -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", [None, "", "identity", " Identity "])
def test_a_plain_body_is_kept_as_sent_up_to_one_byte_past_the_limit(encoding: str | None) -> None:
    body = reader(encoding, 5)
    body.feed(b"abc")
    assert not body.full
    body.feed(b"defgh")
    assert body.full
    body.feed(b"ijk")
    assert body.finish() == b"abcdef"


def test_a_body_of_exactly_the_limit_is_not_full() -> None:
    body = reader(None, 3)
    body.feed(b"abc")
    assert not body.full and body.finish() == b"abc"


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        (" GZIP ", gzip.compress),
        ("deflate", deflate),
        ("Deflate", deflate),
    ],
)
def test_compressed_bodies_are_inflated_here(encoding: str, pack: Any) -> None:
    data = b"0123456789" * 50
    body = reader(encoding, 10_000)
    packed = pack(data)
    body.feed(packed[:7])
    body.feed(packed[7:])
    assert body.finish() == data


def test_raw_deflate_is_understood_too() -> None:
    data = b"raw deflate body " * 20
    body = reader("deflate", 10_000)
    packed = deflate(data, raw=True)
    body.feed(packed[:5])
    body.feed(packed[5:])
    assert body.finish() == data


def test_a_compressed_body_is_inflated_only_to_one_byte_past_the_limit() -> None:
    body = reader("gzip", 100)
    body.feed(gzip.compress(b"x" * 1_000_000))
    assert body.full and len(body.body) == 101
    assert body.finish() == b"x" * 101


def test_what_a_flush_gives_is_bounded_too() -> None:
    packer = zlib.compressobj()
    stream = packer.compress(b"y" * 50) + packer.flush(zlib.Z_SYNC_FLUSH)
    body = reader("deflate", 20)
    body.feed(stream[:3])
    assert len(body.finish()) <= 21


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip"])
def test_data_that_is_not_gzip_is_a_decoding_error(encoding: str) -> None:
    body = reader(encoding, 100)
    with pytest.raises(httpx.DecodingError) as caught:
        body.feed(b"this is not gzip at all")
    assert str(caught.value).startswith("the body is not valid compressed data (Error -3 ")


def test_deflate_that_is_neither_form_is_a_decoding_error() -> None:
    body = reader("deflate", 100)
    with pytest.raises(httpx.DecodingError) as caught:
        body.feed(b"\xff\xff\xff\xff not deflate")
    assert str(caught.value).startswith("the body is not valid compressed data (")


def test_deflate_chooses_its_form_on_the_first_chunk_only() -> None:
    body = reader("deflate", 1000)
    packed = deflate(b"z" * 100)
    body.feed(packed[:-4])  # zlib-wrapped: from now on, only that form
    # A wrong checksum, which as raw deflate would be a valid empty block.
    with pytest.raises(httpx.DecodingError) as caught:
        body.feed(b"\x03\x00\x00\x00")
    assert "incorrect data check" in str(caught.value)


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_other_compressions_are_refused_as_not_asked_for(encoding: str) -> None:
    with pytest.raises(httpx.DecodingError) as caught:
        reader(encoding, 4)
    assert str(caught.value) == (
        f"the body's content encoding {encoding!r} was not asked for: only one of gzip or "
        "deflate is read"
    )


# --- the event loop ---------------------------------------------------------------------------


def test_a_client_is_bound_to_the_first_loop_that_uses_it() -> None:
    binding = LoopBinding()
    assert not binding.bound

    async def use() -> None:
        binding.check()
        binding.check()  # the same loop: fine

    first = asyncio.new_event_loop()
    first.run_until_complete(use())
    assert binding.bound
    with pytest.raises(UsageError) as caught:
        asyncio.run(use())
    assert str(caught.value) == (
        "this AsyncTimersClient is bound to another event loop, which has not ended (the one "
        "it was used in); create one AsyncTimersClient per event loop, e.g. inside the "
        "coroutine you pass to asyncio.run()"
    )
    first.close()  # that loop has ended: an http_client of yours cannot be used or closed
    with pytest.raises(UsageError) as caught:
        asyncio.run(use())
    assert str(caught.value) == (
        "this AsyncTimersClient's http_client (yours) was used in an event loop that has "
        "ended, which its connections belonged to: it cannot be used or closed in another one "
        "(they are left to the garbage collector); create and close one http_client per event "
        "loop"
    )


def test_once_its_loop_has_ended_a_binding_renews_and_binds_to_the_next_loop() -> None:
    renewals: list[asyncio.AbstractEventLoop] = []
    binding = LoopBinding(lambda: renewals.append(asyncio.get_running_loop()))

    async def use() -> asyncio.AbstractEventLoop:
        binding.check()
        binding.check()  # bound now: no second renewal
        return asyncio.get_running_loop()

    first = asyncio.new_event_loop()
    first.run_until_complete(use())
    assert renewals == []
    with pytest.raises(UsageError, match="bound to another event loop"):
        asyncio.run(use())  # the first loop has not ended: its connections may be in use
    first.close()
    second = asyncio.new_event_loop()
    assert second.run_until_complete(use()) is second and renewals == [second]
    with pytest.raises(UsageError, match="bound to another event loop"):
        asyncio.run(use())  # bound to the second now, which has not ended
    second.close()


# --- the aiohttp backend ----------------------------------------------------------------------


def core() -> Any:
    from timers._core import ClientCore

    return ClientCore(
        access_token="tok-1234",
        authorizer=None,
        base_url=None,
        api=None,
        timeout=None,
        max_response_size=None,
        max_retries=None,
        retry=None,
        allow_insecure_http=False,
        clock=None,
        http_client=None,
        http_type=httpx.AsyncClient,
    )


def test_an_unknown_backend_is_refused_naming_both() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        backend_client("requests", None, core())
    assert str(caught.value) == "http_backend must be 'httpx' or 'aiohttp', got 'requests'"


def test_aiohttp_and_a_given_client_together_are_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        backend_client("aiohttp", httpx.AsyncClient(), core())
    assert str(caught.value) == "give http_client or http_backend='aiohttp', not both"


def test_the_aiohttp_backend_is_an_async_client_over_aiohttp_with_the_defaults() -> None:
    pytest.importorskip("aiohttp")
    from timers._aiohttp import AiohttpTransport

    client = backend_client("aiohttp", None, core())
    assert isinstance(client, httpx.AsyncClient)
    assert isinstance(client._transport, AiohttpTransport)
    assert client.timeout == httpx.Timeout(30.0, connect=10.0)
    assert client.follow_redirects is False
    assert client.headers["accept"] == "application/json"


# --- sleeping and deadlines -------------------------------------------------------------------


def test_sleeping_uses_time_sleep_as_it_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    _io.sync_sleep(1.5)
    assert slept == [1.5]


@pytest.mark.parametrize(
    ("client_class", "expected"),
    [
        (TimersClient, "sleep must be a function taking seconds (e.g. time.sleep), got int"),
        (
            AsyncTimersClient,
            "sleep must be an async function taking seconds (e.g. asyncio.sleep), got int",
        ),
    ],
)
def test_a_sleep_that_cannot_be_called_is_refused_at_once(
    client_class: type[Any], expected: str
) -> None:
    # Before, the first retry raised TypeError: 'int' object is not callable.
    with pytest.raises(InvalidArgumentError) as caught:
        client_class("a-token", sleep=5)
    assert str(caught.value) == expected


def test_async_sleeping_uses_asyncio_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    asyncio.run(_io.async_sleep(2.5))
    assert slept == [2.5]


def test_a_sync_deadline_is_the_attempts_deadline_inside_only() -> None:
    with sync_deadline(12345.0, at_socket=True):
        assert _transport._DEADLINE.get() == 12345.0
    assert _transport._DEADLINE.get() is None


@pytest.mark.parametrize("at_socket", [True, False])
def test_an_async_deadline_is_the_attempts_deadline_inside_only(at_socket: bool) -> None:
    seen: list[float | None] = []

    async def attempt() -> None:
        async with async_deadline(time.monotonic() + 60, at_socket=at_socket):
            seen.append(_transport._DEADLINE.get())
        seen.append(_transport._DEADLINE.get())

    asyncio.run(attempt())
    assert seen[0] is not None and seen[1] is None


def test_without_a_deadline_nothing_is_bounded() -> None:
    async def attempt() -> None:
        async with async_deadline(None, at_socket=False):
            assert _transport._DEADLINE.get() is None
            await asyncio.sleep(0)

    asyncio.run(attempt())


def test_where_the_socket_cannot_be_reached_asyncio_ends_the_attempt() -> None:
    async def attempt() -> None:
        async with async_deadline(time.monotonic() + 0.01, at_socket=False):
            await asyncio.sleep(5)

    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout) as caught:
        asyncio.run(attempt())
    assert str(caught.value) == "the attempt did not finish within its timeout"
    assert time.monotonic() - started < 2


def test_where_the_socket_is_reached_asyncio_does_not_cut_the_attempt() -> None:
    async def attempt() -> str:
        async with async_deadline(time.monotonic() + 0.01, at_socket=True):
            await asyncio.sleep(0.05)
        return "done"

    assert asyncio.run(attempt()) == "done"


def test_a_deadline_already_passed_ends_the_attempt_at_once() -> None:
    async def attempt() -> None:
        async with async_deadline(time.monotonic() - 5, at_socket=False):
            await asyncio.sleep(5)

    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(attempt())


# A socket timeout cut short by the attempt's deadline says "timed out" (httpcore), as the read
# timeout would: the deadline's context rewords it, so nobody raises the wrong timeout.
TIMEOUTS = [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.WriteTimeout, httpx.PoolTimeout]


def raised_through_deadline(
    at: float | None, exc: httpx.TimeoutException, *, mode: str
) -> httpx.TimeoutException:
    async def attempt_async(at_socket: bool) -> None:
        async with async_deadline(at, at_socket=at_socket):
            raise exc

    def attempt() -> None:
        if mode == "sync":
            with sync_deadline(at, at_socket=True):
                raise exc
        asyncio.run(attempt_async(mode == "async at the socket"))

    with pytest.raises(type(exc)) as caught:
        attempt()
    assert caught.value is exc  # the same exception: its type, request and cause kept
    return caught.value


MODES = ["sync", "async at the socket", "async by asyncio"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("timeout", TIMEOUTS)
def test_a_timeout_at_the_deadline_says_the_attempt_ran_out(
    mode: str, timeout: type[httpx.TimeoutException]
) -> None:
    at = time.monotonic() - 0.001  # just passed
    assert str(raised_through_deadline(at, timeout("timed out"), mode=mode)) == (
        "the attempt did not finish within its timeout"
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_timeout_a_little_before_the_deadline_counts_as_at_it(mode: str) -> None:
    # A socket timeout cut to the deadline may fire a few milliseconds early.
    at = time.monotonic() + 0.04
    exc = raised_through_deadline(at, httpx.ReadTimeout("timed out"), mode=mode)
    assert str(exc) == "the attempt did not finish within its timeout"


def test_the_slack_before_the_deadline_includes_its_first_instant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = 1000.0
    edge = at - _io._SLACK  # exactly the start of the 50 ms counted as at the deadline
    monkeypatch.setattr(_io.time, "monotonic", lambda: edge)
    exc = httpx.ReadTimeout("timed out")
    _io._said_at_the_deadline(exc, at)
    assert str(exc) == "the attempt did not finish within its timeout"
    monkeypatch.setattr(_io.time, "monotonic", lambda: math.nextafter(edge, 0))
    early = httpx.ReadTimeout("timed out")
    _io._said_at_the_deadline(early, at)
    assert str(early) == "timed out"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("offset", [None, 5.0])  # no deadline; one far away
def test_a_timeout_before_the_deadline_keeps_its_own_words(mode: str, offset: float | None) -> None:
    at = None if offset is None else time.monotonic() + offset
    assert str(raised_through_deadline(at, httpx.ReadTimeout("timed out"), mode=mode)) == (
        "timed out"
    )


class CountingInflater:
    """A real zlib inflater that counts every byte it gives out, however it is asked."""

    def __init__(self, inner: Any, given: list[int]) -> None:
        self._inner = inner
        self._given = given

    @property
    def unconsumed_tail(self) -> bytes:
        return bytes(self._inner.unconsumed_tail)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = bytes(self._inner.decompress(data, max_length))
        self._given.append(len(out))
        return out

    def flush(self, *args: Any) -> bytes:
        out = bytes(self._inner.flush(*args))
        self._given.append(len(out))
        return out


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_full_bodys_rest_is_never_inflated_not_even_when_finishing(
    monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    given: list[int] = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda *a: CountingInflater(real(*a), given))
    pack = gzip.compress if encoding == "gzip" else deflate
    body = reader(encoding, 100)
    body.feed(pack(b"x" * 1_000_000))
    assert body.full
    assert body.finish() == b"x" * 101
    assert sum(given) == 101


def test_two_new_loops_at_once_after_the_first_ended_one_renews_the_other_is_refused() -> None:
    import threading

    renewing = threading.Event()
    renewals: list[int] = []

    def renew() -> None:  # slow, so that the other thread comes while it runs
        renewals.append(threading.get_ident())
        renewing.set()
        threading.Event().wait(0.2)

    binding = LoopBinding(renew)
    first = asyncio.new_event_loop()

    async def bind() -> None:
        binding.check()

    first.run_until_complete(bind())
    first.close()
    outcomes: dict[str, object] = {}
    two_done = threading.Event()

    async def bind_and_stay() -> None:  # the loop of thread one runs until two has tried
        binding.check()
        for _ in range(1000):
            if two_done.is_set():
                return
            await asyncio.sleep(0.01)

    def in_a_thread(name: str, coroutine: Any) -> None:
        try:
            asyncio.run(coroutine())
            outcomes[name] = "bound"
        except UsageError as exc:
            outcomes[name] = str(exc)

    one = threading.Thread(target=in_a_thread, args=("one", bind_and_stay))
    one.start()
    assert renewing.wait(10)
    two = threading.Thread(target=in_a_thread, args=("two", bind))
    two.start()
    two.join(10)
    two_done.set()
    one.join(10)
    assert outcomes["one"] == "bound" and len(renewals) == 1
    assert str(outcomes["two"]).startswith("this AsyncTimersClient is bound to another event loop")
