"""The aiohttp transport (``AsyncTimersClient(http_backend="aiohttp")``, timers._aiohttp), byte
by byte against raw servers on 127.0.0.1: what it sends, what it hands back to httpx (status
line, headers, body in bounded pieces), each of httpx's timeouts, its connection pool, and
closing it."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import httpx
import pytest
import trustme
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.hostile import (
    Connection,
    HostileServer,
    Request,
    Servers,
    each_request,
    http_response,
    json_response,
    never_accepting,
)

from timers import (
    APIConnectionError,
    APITimeoutError,
    AsyncTimersClient,
    ServerError,
    UsageError,
    WaitTimeoutError,
)

pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")

import aiohttp

from timers import _aiohttp  # after the skip: it needs aiohttp

T = TypeVar("T")
Respond = Callable[[Request, Connection], None]
GIVE_UP = 3.0  # seconds: a call still running by then would never end


def serve(servers: Servers, respond: Respond) -> HostileServer:
    return servers(each_request(respond))


def run(work: Awaitable[T]) -> T:
    """Run ``work`` on a new event loop, failing (not hanging) if it outlasts ``GIVE_UP``."""

    async def bounded() -> T:
        return await asyncio.wait_for(work, GIVE_UP)

    return asyncio.run(bounded())


async def _no_sleep(seconds: float) -> None:
    return None


def aiohttp_client(server: HostileServer, **options: Any) -> AsyncTimersClient:
    options.setdefault("max_retries", 0)
    return AsyncTimersClient(
        TOKEN, base_url=server.base_url, http_backend="aiohttp", sleep=_no_sleep, **options
    )


async def failure(client: AsyncTimersClient, call: Callable[[], Awaitable[object]]) -> Exception:
    """The exception ``call()`` raises (the client is closed afterwards either way)."""
    async with client:
        try:
            await call()
        except Exception as exc:
            return exc
    raise AssertionError("no error was raised")


def answer_with(status: int, reason: bytes) -> Respond:
    def respond(request: Request, conn: Connection) -> None:
        conn.send(http_response(status, b"", reason=reason, content_type=None))

    return respond


def answer_run(request: Request, conn: Connection) -> None:
    conn.send(json_response(200, run_json()))


# --- the status line ----------------------------------------------------------------------------


def test_an_errors_reason_phrase_and_http_version_come_from_the_status_line(
    servers: Servers,
) -> None:
    server = serve(servers, answer_with(503, b"Gone Fishing"))
    client = aiohttp_client(server)
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, ServerError)
    assert error.message == "Gone Fishing"  # no body: the reason phrase is the message
    assert error.response.reason_phrase == "Gone Fishing"
    assert error.response.http_version == "HTTP/1.1"
    assert error.response.extensions["http_version"] == b"HTTP/1.1"


def test_a_reason_phrase_that_is_not_ascii_is_kept_with_question_marks(servers: Servers) -> None:
    server = serve(servers, answer_with(503, "Café".encode()))
    client = aiohttp_client(server)
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, ServerError)
    assert error.response.reason_phrase == "Caf?" and error.message == "Caf?"


def test_an_empty_reason_phrase_stays_empty(servers: Servers) -> None:
    server = serve(servers, answer_with(503, b""))
    client = aiohttp_client(server)
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, ServerError)
    assert error.response.reason_phrase == "" and error.message == "HTTP error"


# An answer httpx's parser refuses is refused on this backend too (aiohttp's parser accepts
# it): a broken answer to run_timer must say a run may exist, and a GET is retried.
_RUN = json.dumps(run_json()).encode()
_REFUSED_BY_HTTPX = {
    "status 99": b"HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n",
    "101 as the final answer": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
    "gzip, chunked": b"HTTP/1.1 201 OK\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: gzip, chunked\r\n\r\n" + b"%x\r\n%s\r\n0\r\n\r\n" % (len(_RUN), _RUN),
    "an unknown coding": b"HTTP/1.1 201 OK\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: foo\r\n\r\n" + _RUN,
    "chunked twice": b"HTTP/1.1 201 OK\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
    + b"%x\r\n%s\r\n0\r\n\r\n"
    % (len(_RUN), _RUN),
}
_SAID = {  # what the aiohttp backend says, as h11 would
    "status 99": "RemoteProtocolError: the answer's status 99 is not a final status (",
    "101 as the final answer": "RemoteProtocolError: the answer's status 101 is not a final "
    "status (",
}


@pytest.mark.parametrize("answer", _REFUSED_BY_HTTPX)
def test_an_answer_httpx_refuses_is_refused_alike(servers: Servers, answer: str) -> None:
    def respond(request: Request, conn: Connection) -> None:
        conn.send(_REFUSED_BY_HTTPX[answer])
        conn.close()

    async def outcome(backend: str) -> tuple[object, ...]:
        server = serve(servers, respond)
        async with AsyncTimersClient(
            TOKEN, base_url=server.base_url, http_backend=backend, max_retries=1, sleep=_no_sleep
        ) as client:
            with pytest.raises(APIConnectionError) as trigger:
                await client.run_timer(TIMER_ID)
            with pytest.raises(APIConnectionError) as read:
                await client.get_run(TIMER_ID, RUN_ID)
        assert isinstance(trigger.value.__cause__, httpx.RemoteProtocolError)
        if backend == "aiohttp":  # said as clearly as h11 says it
            said = _SAID.get(answer, "RemoteProtocolError: only Transfer-Encoding: chunked is "
                             "supported (")  # fmt: skip
            assert str(trigger.value).startswith(f"request failed: {said}POST ")
        first = (type(trigger.value), trigger.value.outcome_unknown, trigger.value.retries_taken)
        return (*first, type(read.value), read.value.retries_taken)

    expected = (APIConnectionError, True, 0, APIConnectionError, 1)  # a GET is retried
    assert run(outcome("aiohttp")) == run(outcome("httpx")) == expected


@pytest.mark.parametrize(
    ("codings", "refused"),
    [
        ([], False),
        (["chunked"], False),
        (["Chunked"], False),
        (["\tchunked "], False),  # blanks around: h11 strips spaces and tabs
        (["gzip, chunked"], True),
        (["chunked", "chunked"], True),  # one per line: two codings
        (["chunked\x0c"], True),  # another kind of blank: h11 does not strip it
        (["Xchunked"], True),
        (["chunkedX"], True),
    ],
)
def test_which_transfer_codings_are_refused_as_h11_refuses_them(
    codings: list[str], refused: bool
) -> None:
    from multidict import CIMultiDict

    headers = CIMultiDict(("Transfer-Encoding", value) for value in codings)
    answer: Any = SimpleNamespace(status=200, headers=headers)
    expected = "only Transfer-Encoding: chunked is supported" if refused else None
    assert _aiohttp._framing_problem(answer) == expected


@pytest.mark.parametrize("coding", [b"Chunked", b"CHUNKED"])
@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_chunked_as_h11_reads_it_is_read(servers: Servers, coding: bytes, backend: str) -> None:
    # In any case, as h11 (httpx) accepts it.
    def respond(request: Request, conn: Connection) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: %s\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
                  % (coding, len(_RUN), _RUN))  # fmt: skip

    server = serve(servers, respond)
    client = AsyncTimersClient(TOKEN, base_url=server.base_url, http_backend=backend)
    assert run(_get_then_close(client)).id == RUN_ID


async def _get_then_close(client: AsyncTimersClient) -> Any:
    async with client:
        return await client.get_run(TIMER_ID, RUN_ID)


# --- what is sent, what comes back ----------------------------------------------------------------


def test_the_transport_sends_the_request_as_given_and_adds_no_headers(servers: Servers) -> None:
    server = serve(servers, lambda request, conn: conn.send(http_response(204)))
    # A bare request: no timeout extension, no User-Agent, Accept-Encoding or Content-Type.
    request = httpx.Request("POST", server.origin + "/x", content=b"payload", headers={"X-A": "1"})

    async def send() -> httpx.Response:
        transport = _aiohttp.AiohttpTransport()
        try:
            return await transport.handle_async_request(request)
        finally:
            await transport.aclose()

    response = run(send())
    assert response.status_code == 204 and response.request is request
    [seen] = server.requests
    assert (seen.method, seen.path, seen.body) == ("POST", "/x", b"payload")
    assert seen.headers["x-a"] == "1"
    for added in ("user-agent", "accept-encoding", "content-type", "cookie"):
        assert added not in seen.headers


def test_the_transport_leaves_redirects_and_cookies_to_httpx(servers: Servers) -> None:
    def respond(request: Request, conn: Connection) -> None:
        headers = [("Location", "/elsewhere"), ("Set-Cookie", "session=abc; Path=/")]
        conn.send(http_response(302, headers=headers))

    server = serve(servers, respond)

    async def send_twice() -> list[int]:
        transport = _aiohttp.AiohttpTransport()
        try:
            statuses = []
            for _ in range(2):  # by name: aiohttp's cookie jar ignores cookies of IP addresses
                response = await transport.handle_async_request(
                    httpx.Request("GET", f"http://localhost:{server.port}/x")
                )
                await response.aread()
                statuses.append(response.status_code)
            return statuses
        finally:
            await transport.aclose()

    assert run(send_twice()) == [302, 302]
    assert server.paths() == ["GET /x", "GET /x"]  # never followed
    assert "cookie" not in server.requests[1].headers  # never stored


def test_a_gzip_body_is_inflated_once_by_the_client(servers: Servers) -> None:
    packed = gzip.compress(json.dumps(run_json()).encode())

    def respond(request: Request, conn: Connection) -> None:
        conn.send(http_response(200, packed, headers=[("Content-Encoding", "gzip")]))

    client = aiohttp_client(serve(servers, respond))

    async def fetch() -> str:
        async with client:
            return (await client.get_run(TIMER_ID, RUN_ID)).id

    assert run(fetch()) == RUN_ID


def test_a_body_comes_in_pieces_of_at_most_64_kib(servers: Servers) -> None:
    body = b"x" * 300_000
    server = serve(servers, lambda r, conn: conn.send(http_response(200, body)))

    async def sizes() -> list[int]:
        transport = _aiohttp.AiohttpTransport()
        try:
            response = await transport.handle_async_request(
                httpx.Request("GET", server.origin + "/x")
            )
            assert isinstance(response.stream, _aiohttp._Body)
            # Before reading, wait until aiohttp holds more than a piece, so that a piece can
            # be full whatever the timing (the guard only turns a hang into a failure).
            content = response.stream._response.content
            async with asyncio.timeout(10):
                while content.total_bytes <= 64 * 1024:  # noqa: ASYNC110 - aiohttp has no event
                    await asyncio.sleep(0.01)
            return [len(piece) async for piece in response.stream]
        finally:
            await transport.aclose()

    seen = run(sizes())
    assert sum(seen) == len(body) and max(seen) <= 64 * 1024


# --- timeouts ---------------------------------------------------------------------------------


def test_the_read_timeout_ends_a_wait_for_an_answer_that_never_comes(servers: Servers) -> None:
    server = serve(servers, lambda request, conn: conn.wait_for_close())
    client = aiohttp_client(server, timeout=httpx.Timeout(30, read=0.2))
    started = time.monotonic()
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, APITimeoutError)
    assert time.monotonic() - started < 1.5


def test_the_connect_timeout_ends_a_connection_the_server_never_accepts() -> None:
    with never_accepting() as base_url:
        client = AsyncTimersClient(
            TOKEN,
            base_url=base_url,
            http_backend="aiohttp",
            timeout=httpx.Timeout(30, connect=0.2),
            max_retries=0,
        )
        started = time.monotonic()
        error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, APITimeoutError) and not error.outcome_unknown
    assert time.monotonic() - started < 1.5


def test_the_pool_timeout_ends_a_wait_for_a_free_connection(servers: Servers) -> None:
    def slow(request: Request, conn: Connection) -> None:
        conn.pause(0.6)
        conn.send(http_response(204))

    server = serve(servers, slow)
    transport = _aiohttp.AiohttpTransport(limits=httpx.Limits(max_connections=1))

    async def two_at_once() -> list[Any]:
        timeout = httpx.Timeout(30, pool=0.2)
        async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
            calls = [http.get(server.origin + "/x") for _ in range(2)]
            return await asyncio.gather(*calls, return_exceptions=True)

    started = time.monotonic()
    first, second = run(two_at_once())
    assert isinstance(first, httpx.Response) and first.status_code == 204
    assert isinstance(second, httpx.ConnectTimeout)
    assert len(server.requests) == 1 and time.monotonic() - started < 1.5


def test_an_attempt_ends_at_its_timeout_while_the_server_keeps_dripping(
    servers: Servers,
) -> None:
    def drip(request: Request, conn: Connection) -> None:
        conn.drip(json_response(200, run_json()), interval=0.05)  # never a read timeout

    client = aiohttp_client(serve(servers, drip), timeout=0.4)
    started = time.monotonic()
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, APITimeoutError)
    assert time.monotonic() - started < 1.5


def test_a_body_that_stops_coming_ends_at_the_callers_deadline(servers: Servers) -> None:
    def stall(request: Request, conn: Connection) -> None:
        body = json.dumps(run_json(status="in_progress")).encode()
        conn.send(http_response(200, body[:10], content_length=len(body)))
        conn.wait_for_close()  # no read timeout for 30 s: only the deadline can end it

    client = aiohttp_client(serve(servers, stall))  # the default timeouts: 30 s per read
    started = time.monotonic()
    error = run(failure(client, lambda: client.wait_for_run(TIMER_ID, RUN_ID, timeout=0.5)))
    assert isinstance(error, WaitTimeoutError)
    assert time.monotonic() - started < 1.5


# --- the connection pool --------------------------------------------------------------------------


class Gathering:
    """Holds every request until ``expected`` are in hand at once (and ``linger`` seconds more),
    or ``give_up`` seconds after the first; then answers them all. ``most``: the most requests
    it held at once."""

    def __init__(self, expected: int, answer: bytes, *, linger: float = 0.0) -> None:
        self.expected = expected
        self.answer = answer
        self.linger = linger
        self.give_up = 2.0
        self.now = 0
        self.most = 0
        self.released = threading.Event()
        self._first: float | None = None
        self._full: float | None = None
        self._lock = threading.Lock()

    def __call__(self, request: Request, conn: Connection) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self._first = self._first or time.monotonic()
            if self.now >= self.expected and self._full is None:
                self._full = time.monotonic()
        while not self.released.is_set():
            with self._lock:
                first, full = self._first, self._full
            now = time.monotonic()
            if (full is not None and now >= full + self.linger) or now >= first + self.give_up:
                self.released.set()
            else:
                conn.pause(0.02)
        with self._lock:
            self.now -= 1
        conn.send(self.answer)


def test_an_aiohttp_client_opens_at_most_100_connections_at_once(servers: Servers) -> None:
    counter = Gathering(100, json_response(200, page_json([], total=0)), linger=0.2)
    client = aiohttp_client(serve(servers, counter))

    async def fan_out() -> int:
        async with client:
            pages = await asyncio.gather(*(client.list_runs(TIMER_ID) for _ in range(101)))
        return len(pages)

    assert run(fan_out()) == 101
    assert counter.most == 100


def test_max_connections_none_means_no_limit(servers: Servers) -> None:
    counter = Gathering(101, http_response(204))
    server = serve(servers, counter)
    transport = _aiohttp.AiohttpTransport(limits=httpx.Limits(max_connections=None))

    async def fan_out() -> None:
        async with httpx.AsyncClient(transport=transport) as http:
            await asyncio.gather(*(http.get(server.origin + "/x") for _ in range(101)))

    run(fan_out())
    assert counter.most == 101


def test_an_idle_connection_is_kept_for_the_keepalive_expiry_only(servers: Servers) -> None:
    def connections_for_two_requests(limits: httpx.Limits) -> int:
        server = serve(servers, lambda request, conn: conn.send(http_response(204)))
        transport = _aiohttp.AiohttpTransport(limits=limits)

        async def twice() -> None:
            async with httpx.AsyncClient(transport=transport) as http:
                await http.get(server.origin + "/x")
                await asyncio.sleep(0.3)
                await http.get(server.origin + "/x")

        run(twice())
        return server.connections

    assert connections_for_two_requests(httpx.Limits(keepalive_expiry=0.1)) == 2
    assert connections_for_two_requests(httpx.Limits()) == 1  # httpx's default: 5 s


def test_without_a_keepalive_expiry_aiohttp_keeps_an_idle_connection_5_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Seeing the 5 s in action would take 5 s: look at what the connector is given instead.
    made: list[dict[str, Any]] = []
    real = _aiohttp.aiohttp.TCPConnector

    def recording(**kwargs: Any) -> Any:
        made.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(_aiohttp.aiohttp, "TCPConnector", recording)

    async def open_and_close() -> None:
        transport = _aiohttp.AiohttpTransport(limits=httpx.Limits(keepalive_expiry=None))
        transport._open()
        await transport.aclose()

    run(open_and_close())
    assert [kwargs["keepalive_timeout"] for kwargs in made] == [5.0]
    # Before Python 3.12.8, a TLS connection cut short lingers 30 s unless aiohttp aborts it:
    # asked for where aiohttp says it takes it.
    needed = aiohttp.connector.NEEDS_CLEANUP_CLOSED
    assert [kwargs["enable_cleanup_closed"] for kwargs in made] == [needed]


@pytest.mark.parametrize("says", [True, False])
def test_aborted_connections_are_cleaned_up_where_aiohttp_says_it_takes_the_flag(
    monkeypatch: pytest.MonkeyPatch, says: bool
) -> None:
    monkeypatch.setattr(aiohttp.connector, "NEEDS_CLEANUP_CLOSED", says)
    assert _aiohttp._cleanup_closed() is says


def test_an_aiohttp_that_does_not_say_is_asked_where_python_needs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(aiohttp.connector, "NEEDS_CLEANUP_CLOSED")
    assert _aiohttp._cleanup_closed() is _aiohttp._needs_cleanup(sys.version_info)
    monkeypatch.setattr(sys, "version_info", (3, 12, 7, "final", 0))
    assert _aiohttp._cleanup_closed() is True
    monkeypatch.setattr(sys, "version_info", (3, 12, 8, "final", 0))
    assert _aiohttp._cleanup_closed() is False


@pytest.mark.parametrize(
    ("python", "needed"),
    [
        ((3, 11, 7, "final", 0), True),
        ((3, 12, 7), True),
        ((3, 12, 8), False),
        ((3, 13, 0, "final", 0), True),
        ((3, 13, 1), False),
        ((3, 14, 0), False),
    ],
)
def test_aborted_connections_are_cleaned_up_on_the_pythons_that_leave_them_open(
    python: tuple[int | str, ...], needed: bool
) -> None:
    assert _aiohttp._needs_cleanup(python) is needed  # python/cpython#118960: 3.12.8, 3.13.1


# --- TLS ----------------------------------------------------------------------------------------


class SilentTLSServer:
    """Accepts TLS connections on 127.0.0.1, reads each request and then nothing: it never
    answers, nor reads the client's TLS close (as a stalled service)."""

    def __init__(self, ca: trustme.CA) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self.context)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
            received = b""
            while b"\r\n\r\n" not in received:
                received += tls.recv(4096)
            self.held.append(tls)  # never read again, closed when the test ends
        except OSError:
            conn.close()

    def close(self) -> None:
        self.listener.close()
        for tls in self.held:
            tls.close()


def client_connections(port: int) -> int:
    """This process's TCP connections to 127.0.0.1:``port`` that are established."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.read().splitlines()[1:]]
    # remote address 127.0.0.1:port, state 01 (established), an inode of this process
    remote = f"0100007F:{port:04X}"
    return sum(row[2] == remote and row[3] == "01" and row[9] in inodes for row in rows)


@pytest.mark.skipif(
    not os.path.exists("/proc/net/tcp"), reason="counts connections in /proc/net/tcp (Linux)"
)
def test_attempts_cut_short_over_tls_leave_no_connection_open_after_aclose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before Python 3.12.8 an aborted TLS connection stays open for asyncio's 30 s SSL
    # shutdown (outside the pool's limit, past aclose()) unless aiohttp cleans it up.
    ca = trustme.CA()
    server = SilentTLSServer(ca)
    verified = ssl.create_default_context()  # aiohttp's default context, trusting the test CA
    ca.configure_trust(verified)
    monkeypatch.setattr(aiohttp.connector, "_SSL_CONTEXT_VERIFIED", verified)

    async def timed_out_calls() -> tuple[set[type[BaseException]], int]:
        client = AsyncTimersClient(
            TOKEN,
            base_url=f"https://127.0.0.1:{server.port}",
            http_backend="aiohttp",
            timeout=0.3,
            max_retries=0,
        )
        calls = [client.get_run(TIMER_ID, RUN_ID) for _ in range(5)]
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        await client.aclose()
        # In this event loop, still running (closing it would close every transport).
        for _ in range(50):  # at most a second: the connections are closed by aclose()
            if client_connections(server.port) == 0:
                break
            await asyncio.sleep(0.02)
        return {type(outcome) for outcome in outcomes}, client_connections(server.port)

    try:
        assert run(timed_out_calls()) == ({APITimeoutError}, 0)
        assert len(server.held) == 5  # each request came, and was never answered
    finally:
        server.close()


# --- closing ------------------------------------------------------------------------------------


def test_an_unused_aiohttp_client_closes_cleanly() -> None:
    async def open_and_close() -> bool:
        client = AsyncTimersClient(TOKEN, http_backend="aiohttp")
        await client.aclose()
        return client._http.is_closed

    assert run(open_and_close())


def test_the_transport_opens_a_new_session_after_it_was_closed(servers: Servers) -> None:
    server = serve(servers, lambda request, conn: conn.send(http_response(204)))

    async def use_close_use_close() -> list[int]:
        transport = _aiohttp.AiohttpTransport()
        statuses = []
        for _ in range(2):
            response = await transport.handle_async_request(
                httpx.Request("GET", server.origin + "/x")
            )
            await response.aread()
            statuses.append(response.status_code)
            await transport.aclose()
        await transport.aclose()  # closing twice is harmless
        return statuses

    assert run(use_close_use_close()) == [204, 204]
    assert server.connections == 2


# --- retries, cancellation and closing: as on httpx --------------------------------------------


def test_a_dropped_connection_is_not_sent_again_by_aiohttp_itself(servers: Servers) -> None:
    server = serve(servers, lambda request, conn: conn.close())
    client = aiohttp_client(server)  # max_retries=0: one request, whatever aiohttp would do
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, APIConnectionError) and error.retries_taken == 0
    assert len(server.requests) == 1


def test_an_attempt_whose_time_runs_out_while_connecting_was_never_sent() -> None:
    with never_accepting() as base_url:
        client = AsyncTimersClient(
            TOKEN,
            base_url=base_url,
            http_backend="aiohttp",
            timeout=0.3,  # connect and attempt bounds alike: whichever fires, never sent
            max_retries=1,
            sleep=_no_sleep,
        )
        error = run(failure(client, lambda: client.run_timer(TIMER_ID)))
    assert isinstance(error, APITimeoutError)
    assert isinstance(error.__cause__, httpx.ConnectTimeout)
    assert not error.outcome_unknown and error.retries_taken == 1  # a POST never sent: retried


def test_a_callers_timeout_at_the_attempts_deadline_is_never_lost(servers: Servers) -> None:
    server = serve(servers, lambda request, conn: conn.wait_for_close())

    async def trials() -> list[str]:
        outcomes = []
        async with aiohttp_client(server, timeout=0.1, max_retries=2) as client:
            for _ in range(8):
                try:
                    async with asyncio.timeout(0.1):  # the same moment as the attempt's end
                        await client.get_run(TIMER_ID, RUN_ID)
                except TimeoutError as exc:
                    outcomes.append(type(exc).__name__)
        return outcomes

    # aiohttp's own total timeout swallowed the caller's about half the time, and retried.
    assert run(trials()) == ["TimeoutError"] * 8
    assert len(server.requests) == 8


def test_closing_the_client_ends_a_call_waiting_for_a_connection_with_usage_error(
    servers: Servers,
) -> None:
    server = serve(servers, lambda request, conn: conn.wait_for_close())

    async def scenario() -> list[BaseException]:
        client = aiohttp_client(server)
        client._http._transport._limit = 1  # type: ignore[attr-defined]  # the second one waits
        calls = [asyncio.create_task(client.get_run(TIMER_ID, RUN_ID)) for _ in range(2)]
        await asyncio.sleep(0.3)
        await client.aclose()
        done = await asyncio.gather(*calls, return_exceptions=True)
        return [result for result in done if isinstance(result, BaseException)]

    errors = run(scenario())
    assert [type(error) for error in errors] == [UsageError, UsageError]  # never CancelledError
    # the traceback says why the one that waited ended
    assert "the transport was closed" in {str(error.__context__) for error in errors}
    assert len(server.requests) == 1


# --- how aiohttp's failures read as httpx's -----------------------------------------------------


def _raised_through(phase_connected: bool, failure: BaseException) -> BaseException:
    try:
        with _aiohttp._mapped(SimpleNamespace(connected=phase_connected)):
            raise failure
    except BaseException as exc:
        return exc
    raise AssertionError("nothing was raised")  # pragma: no cover


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (lambda: aiohttp.ClientConnectionError("Connector is closed"), httpx.ConnectError),
        (lambda: aiohttp.ServerDisconnectedError(), httpx.ConnectError),
        (lambda: aiohttp.ClientPayloadError("x"), httpx.ConnectError),
        (lambda: TimeoutError(), httpx.ConnectTimeout),
        (lambda: aiohttp.SocketTimeoutError("x"), httpx.ConnectTimeout),
    ],
)
def test_any_failure_before_a_connection_is_made_is_one_to_connect(
    failure: Callable[[], BaseException], expected: type[Exception]
) -> None:
    error = _raised_through(False, failure())
    assert type(error) is expected  # the request never left: a POST may be retried


@pytest.mark.parametrize(
    ("failure", "expected", "text"),
    [
        (lambda: aiohttp.SocketTimeoutError("slow"), httpx.ReadTimeout, "slow"),
        (lambda: aiohttp.ServerTimeoutError("slow"), httpx.ReadTimeout, "slow"),
        (lambda: aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError, None),
        (lambda: aiohttp.ClientPayloadError("cut"), httpx.ReadError, "cut"),
        (lambda: aiohttp.ClientConnectionError("gone"), httpx.ReadError, "gone"),
        (
            lambda: TimeoutError(),
            httpx.ReadTimeout,
            "the attempt did not finish within its timeout",
        ),
    ],
)
def test_a_failure_once_connected_may_have_been_sent(
    failure: Callable[[], BaseException], expected: type[Exception], text: str | None
) -> None:
    raised = failure()
    error = _raised_through(True, raised)
    assert type(error) is expected and error.__cause__ is raised
    assert str(error) == (text or str(raised) or type(raised).__name__)


def test_a_transport_opened_again_after_closing_treats_cancellations_as_the_callers() -> None:
    async def reopen() -> bool:
        transport = _aiohttp.AiohttpTransport()
        transport._open()
        await transport.aclose()
        assert transport._closed
        transport._open()
        closed = transport._closed
        await transport.aclose()
        return closed

    assert run(reopen()) is False


_PARSER_REFUSES = {
    "garbage status line": (
        b"FOO BAR BAZ\r\n\r\n",
        "RemoteProtocolError: Bad status line: Expected HTTP/, RTSP/ or ICE/: b'FOO BAR BAZ'",
    ),
    "a header with a NUL": (
        b"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 0\r\n\r\n",
        "RemoteProtocolError: Invalid HTTP header: b'a\\x00b'",
    ),
    "a body shorter than its Content-Length": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{}",
        "ReadError: Not enough data to satisfy content length header (received 2 of 50 bytes).",
    ),
}


@pytest.mark.parametrize("answer", list(_PARSER_REFUSES))
def test_a_broken_answer_reads_as_what_the_parser_found_not_as_a_400(
    servers: Servers, answer: str
) -> None:
    # aiohttp's errors read '400, message="...", url=...': a status nobody sent, the URL twice
    # in the client's message, the bad bytes under a caret on lines of their own.
    data, said = _PARSER_REFUSES[answer]

    def respond(request: Request, conn: Connection) -> None:
        conn.send(data)
        conn.close()

    server = serve(servers, respond)
    client = aiohttp_client(server)
    error = run(failure(client, lambda: client.get_run(TIMER_ID, RUN_ID)))
    assert isinstance(error, APIConnectionError)
    assert str(error) == (
        f"request failed: {said} (GET {server.base_url}/timers/{TIMER_ID}/runs/{RUN_ID})"
    )


def test_a_failure_with_an_empty_message_is_named_by_its_type() -> None:
    error = _raised_through(True, aiohttp.ServerDisconnectedError(message=""))
    assert str(error) == "ServerDisconnectedError"


def test_asyncio_s_bare_timeout_while_connecting_is_left_for_the_client_to_name() -> None:
    # Not "ConnectTimeout: TimeoutError": the client says which timeout (or the attempt's).
    error = _raised_through(False, TimeoutError())
    assert type(error) is httpx.ConnectTimeout and str(error) == ""
    assert str(_raised_through(False, aiohttp.ServerDisconnectedError(message=""))) == (
        "ServerDisconnectedError"  # aiohttp's own errors keep their name
    )


def test_only_a_payload_error_is_read_through_its_cause() -> None:
    failure = aiohttp.ClientConnectionError("the connection broke")
    failure.__cause__ = aiohttp.ServerDisconnectedError(message="what the cause says")
    assert str(_raised_through(True, failure)) == "the connection broke"


def test_of_a_parser_message_only_the_caret_lines_are_left_out() -> None:
    failure = aiohttp.ClientResponseError(
        None,  # type: ignore[arg-type]
        (),
        message="Invalid header:\n\n  X\n    ^\n  ^^^",
    )
    assert str(_raised_through(True, failure)) == "Invalid header: X"
