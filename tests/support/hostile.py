"""Hostile HTTP servers on 127.0.0.1, written byte by byte, for the ``test_hostile_*`` suites.

``HostileServer(handler)`` listens on a free loopback port and runs ``handler(conn)`` in its
own thread for every connection; ``conn`` (a ``Connection``) reads requests (recorded in
``server.requests``) and writes whatever the test wants: a well-formed answer, a body that
never ends, one byte every 0.2 s, a reset, nothing at all. Everything is bounded: every
socket operation polls the server's stop flag, so leaving the ``with`` block (or the
``servers`` fixture made with ``Servers``) wakes and joins every thread at once, and at
most ``max_connections`` connections are ever served.

``each_request(respond)`` turns a per-request function into a handler that serves the
requests of a keep-alive connection one after another. The ``*_response`` helpers build raw
HTTP/1.1 answers; ``gzip_bomb`` builds (once per size) a gzip body that inflates to
gigabytes.

On the client side: ``call`` runs any operation on a sync or async ``DualClient`` alike,
``raised`` returns the ``TimersError`` a call raises (anything else propagates), and
``concurrently`` runs the slow cases of one test side by side, each timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from support.dual import RUN_ID, TIMER_ID, Dual, DualClient
from timers import TimersError

__all__ = [
    "BASE_PATH",
    "HOST",
    "OPERATIONS",
    "Connection",
    "HostileServer",
    "Request",
    "Servers",
    "Stopped",
    "call",
    "chunk",
    "chunked_head",
    "concurrently",
    "each_request",
    "gzip_bomb",
    "gzip_head",
    "http_response",
    "json_response",
    "pieces",
    "raised",
]

HOST = "127.0.0.1"
BASE_PATH = "/api/v1"
_POLL = 0.05  # how often a blocked socket operation looks at the stop flag
_JOIN_TIMEOUT = 5.0
_MAX_HEAD = 256 * 1024  # a request head longer than this is not read


class Stopped(Exception):
    """The server is shutting down (or the client went away): the handler should return."""


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server read it; header names are lower case."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


Handler = Callable[["Connection"], None]


class Connection:
    """One accepted connection, seen from the server's side."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self.sock = sock
        self.server = server
        self._buffer = b""
        sock.settimeout(_POLL)

    @property
    def stopping(self) -> bool:
        return self.server.stop_event.is_set()

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (``Stopped`` if the server stops meanwhile)."""
        if self.server.stop_event.wait(seconds):
            raise Stopped

    # -- reading ---------------------------------------------------------------------------

    def _recv(self, deadline: float) -> bytes:
        while True:
            if self.stopping or time.monotonic() > deadline:
                raise Stopped
            try:
                return self.sock.recv(65536)
            except TimeoutError:
                continue

    def read_request(self, timeout: float = 10.0) -> Request | None:
        """The next request (recorded on the server), or None once the client closed."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > _MAX_HEAD:
                raise Stopped
            data = self._recv(deadline)
            if not data:
                return None
            self._buffer += data
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(rest) < length:
            data = self._recv(deadline)
            if not data:
                return None
            rest += data
        body, self._buffer = rest[:length], rest[length:]
        request = Request(method, target, headers, body)
        self.server.record(request)
        return request

    def wait_for_close(self, timeout: float = 30.0) -> None:
        """Say nothing until the client closes, the server stops or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if not self._recv(deadline):
                    return
            except Stopped:
                return

    # -- writing ---------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Write all of ``data`` (``Stopped`` if the server stops first; ``OSError`` once the
        client has gone)."""
        view = memoryview(data)
        while view:
            if self.stopping:
                raise Stopped
            try:
                sent = self.sock.send(view[:65536])
            except TimeoutError:
                continue
            view = view[sent:]

    def send_all(self, parts: Iterable[bytes]) -> None:
        for part in parts:
            self.send(part)

    def drip(self, data: bytes, interval: float = 0.2) -> None:
        """Write ``data`` one byte every ``interval`` seconds."""
        for i in range(len(data)):
            self.send(data[i : i + 1])
            self.pause(interval)

    def reset(self) -> None:
        """Close with a TCP RST (the client sees ``connection reset by peer``)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class HostileServer:
    """A raw HTTP server on 127.0.0.1 (port 0) running ``handler`` for each connection.

    >>> def not_found(request, conn):  # doctest: +SKIP
    ...     conn.send(json_response(404, {"code": "NOT_FOUND", "message": "no"}))
    >>> with HostileServer(each_request(not_found)) as server:  # doctest: +SKIP
    ...     TimersClient("tok", base_url=server.base_url).get_run(TIMER_ID, RUN_ID)

    ``requests`` records what was read; ``stop()`` (also at exit) fails the test if a handler
    raised anything but ``OSError`` / ``Stopped`` or a thread did not stop.
    """

    def __init__(self, handler: Handler, *, max_connections: int = 200) -> None:
        self._handler = handler
        self.max_connections = max_connections
        self.stop_event = threading.Event()
        self.requests: list[Request] = []
        self.connections = 0
        self.handler_errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name="hostile-accept")

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + BASE_PATH

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def paths(self) -> list[str]:
        with self._lock:
            return [f"{r.method} {r.path}" for r in self.requests]

    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop accepting, wake every handler, close every socket, join every thread."""
        self.stop_event.set()
        with contextlib.suppress(OSError):  # wakes a blocked accept() at once (Linux)
            self._listener.shutdown(socket.SHUT_RDWR)
        if self._acceptor.ident is not None:
            self._acceptor.join(_JOIN_TIMEOUT)
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:  # wakes a handler blocked reading or writing
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)
        stuck = [t.name for t in [self._acceptor, *threads] if t.is_alive()]
        assert not stuck, f"hostile server threads did not stop: {stuck}"
        assert not self.handler_errors, f"a hostile handler failed: {self.handler_errors!r}"

    def _accept_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                refuse = self.connections > self.max_connections
                if not refuse:
                    self._sockets.add(sock)
                    thread = threading.Thread(
                        target=self._serve, args=(sock,), name=f"hostile-{self.connections}"
                    )
                    self._threads.append(thread)
            if refuse:  # a storm: bounded, whatever the client does
                sock.close()
                continue
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        conn = Connection(sock, self)
        try:
            self._handler(conn)
        except (Stopped, OSError):
            pass  # the server stopped, or the client went away: both are expected here
        except BaseException as exc:  # a broken handler is a broken test: say so at exit
            self.handler_errors.append(exc)
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self._sockets.discard(sock)


class Servers:
    """Starts hostile servers and stops them all at exit (what the ``servers`` fixtures use)."""

    def __init__(self) -> None:
        self.started: list[HostileServer] = []

    def __call__(self, handler: Handler, **kwargs: Any) -> HostileServer:
        server = HostileServer(handler, **kwargs).__enter__()
        self.started.append(server)
        return server

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        errors = []
        for server in self.started:
            try:
                server.stop()
            except AssertionError as exc:
                errors.append(exc)
        assert not errors, errors


def each_request(respond: Callable[[Request, Connection], None]) -> Handler:
    """A handler that passes each request on a keep-alive connection to ``respond``."""

    def handler(conn: Connection) -> None:
        while (request := conn.read_request()) is not None:
            respond(request, conn)

    return handler


# -- raw answers ---------------------------------------------------------------------------


def http_response(
    status: int,
    body: bytes = b"",
    *,
    reason: str | bytes = "Hostile",
    content_type: str | None = "application/json",
    headers: Iterable[tuple[str, str | bytes]] = (),
    content_length: int | None = None,
) -> bytes:
    """A raw HTTP/1.1 answer (``content_length`` may lie about ``body``)."""
    raw_reason = reason if isinstance(reason, bytes) else reason.encode("latin-1")
    lines = [b"HTTP/1.1 %d %s" % (status, raw_reason)]
    if content_type is not None:
        lines.append(b"Content-Type: " + content_type.encode("latin-1"))
    length = len(body) if content_length is None else content_length
    lines.append(b"Content-Length: %d" % length)
    for name, value in headers:
        raw = value if isinstance(value, bytes) else value.encode("latin-1")
        lines.append(name.encode("latin-1") + b": " + raw)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def json_response(
    status: int, data: Any, *, headers: Iterable[tuple[str, str | bytes]] = ()
) -> bytes:
    return http_response(status, json.dumps(data).encode(), headers=headers)


def chunked_head(status: int = 200, content_type: str = "application/json") -> bytes:
    """The head of an answer whose body follows in chunks (``chunk``)."""
    return (
        f"HTTP/1.1 {status} Hostile\r\nContent-Type: {content_type}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


# -- gzip bombs ----------------------------------------------------------------------------

_MIB = 1024 * 1024


@functools.cache
def gzip_bomb(inflated_mib: int) -> bytes:
    """A valid gzip stream of ``inflated_mib`` MiB of zeros, about 1/1000 of that in size.

    Built in milliseconds, not by compressing gigabytes: after a full flush, deflate's output
    for another MiB of zeros is the same block each time, so the stream is the first MiB's
    block, that block repeated, and a trailer with the CRC and size of the whole.
    """
    zeros = bytes(_MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(zeros, crc)
    final_empty_block = b"\x03\x00"
    trailer = struct.pack("<II", crc, (inflated_mib * _MIB) & 0xFFFFFFFF)
    return first + block * (inflated_mib - 1) + final_empty_block + trailer


def gzip_head(status: int, size: int) -> bytes:
    return (
        f"HTTP/1.1 {status} Hostile\r\nContent-Type: application/json\r\n"
        f"Content-Encoding: gzip\r\nContent-Length: {size}\r\n\r\n"
    ).encode()


def pieces(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


# -- calling the client ----------------------------------------------------------------------

OPERATIONS = ("get_run", "list_runs", "iter_runs", "run_timer", "wait_for_run")
"""Every operation, as ``call`` names them."""


def call(client: DualClient, operation: str, **kwargs: Any) -> Any:
    """Run one operation (sync or async alike) on the test timer and run."""
    if operation == "get_run":
        return client.get_run(TIMER_ID, RUN_ID)
    if operation == "list_runs":
        return client.list_runs(TIMER_ID, **kwargs)
    if operation == "iter_runs":
        return list(client.iter_runs(TIMER_ID, **kwargs))
    if operation == "iter_run_pages":
        return list(client.iter_run_pages(TIMER_ID, **kwargs))
    if operation == "resume":  # the first page's next_page passed back as marker=, by hand
        return client.list_runs(TIMER_ID, marker=client.list_runs(TIMER_ID).next_page)
    if operation == "resume all":  # the same, then paging on from there
        return list(client.iter_runs(TIMER_ID, marker=client.list_runs(TIMER_ID).next_page))
    if operation == "run_timer":
        return client.run_timer(TIMER_ID, **kwargs)
    if operation == "wait_for_run":
        return client.wait_for_run(TIMER_ID, RUN_ID, **kwargs)
    raise AssertionError(f"no operation {operation!r}")


def raised(function: Callable[[], object]) -> TimersError:
    """The ``TimersError`` that ``function()`` raises (anything else propagates)."""
    try:
        function()
    except TimersError as exc:
        return exc
    raise AssertionError("no error was raised")


@dataclass(frozen=True, slots=True)
class Timed:
    """What one of several concurrent calls raised (None: it returned), and how long it took."""

    error: TimersError | None
    seconds: float


def concurrently(dual: Dual, jobs: dict[str, Callable[[], Any]]) -> dict[str, Timed]:
    """Start every job at once and time each. A job calls a client's own method
    (``DualClient.inner``): sync jobs each run in a thread of their own, async jobs (which
    return a coroutine) as tasks of one ``asyncio.gather`` on the dual's loop. Running the slow
    cases of a test side by side keeps the suite fast without shortening any bound."""

    def timed_sync(job: Callable[[], Any]) -> Timed:
        started = time.monotonic()
        try:
            job()
        except TimersError as exc:
            return Timed(exc, time.monotonic() - started)
        return Timed(None, time.monotonic() - started)

    async def timed_async(job: Callable[[], Any]) -> Timed:
        started = time.monotonic()
        try:
            await job()
        except TimersError as exc:
            return Timed(exc, time.monotonic() - started)
        return Timed(None, time.monotonic() - started)

    names = list(jobs)
    if dual.is_async:

        async def everything() -> list[Timed]:
            return await asyncio.gather(*(timed_async(jobs[name]) for name in names))

        results = dual.run(everything())
    else:
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            results = list(pool.map(timed_sync, (jobs[name] for name in names)))
    return dict(zip(names, results, strict=True))


@contextlib.contextmanager
def never_accepting() -> Iterator[str]:
    """The base URL of a loopback port whose backlog is full: a connection there never opens."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
            yield f"http://127.0.0.1:{port}/api/v1"
        finally:
            for filler in fillers:
                filler.close()
