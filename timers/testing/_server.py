"""``serve()``: the reference service over real HTTP/1.1 on a loopback address.

A ``ThreadingHTTPServer`` (one daemon thread per connection, keep-alive) whose handler passes
each request to ``service.answerer`` and writes the ``Reply`` it gets (or, for a ``Drop``,
closes the socket without a word). Only loopback addresses are served: the fake accepts any
token it was given and must never be reachable from another machine.

One server serves both APIs, where production has them: the runs API under ``/api/v1``
(``http://127.0.0.1:PORT/api/v1/timers/...``), the jobs API at the root
(``http://127.0.0.1:PORT/jobs/...``). ``serve(api=...)`` only chooses which base URL it yields.

It holds up against clients that misbehave, on purpose or not: a listen backlog of
``LISTEN_BACKLOG``, a deadline for each request to arrive (``idle_timeout``), a cap on bodies
(``_framing``), and no traceback for a client that resets, leaves or sends garbage (logged at
debug level on the ``timers.testing`` logger).
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import logging
import math
import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final, Literal

from timers.testing._framing import (
    MAX_BODY_BYTES,
    BadFraming,
    BodyTooLarge,
    ClientGone,
    DeadlineReader,
    check_declared_length,
    read_body,
    too_large_reply,
)
from timers.testing._replies import Drop, Reply
from timers.testing._service import FakeTimersService

__all__ = [
    "BASE_PATH",
    "DEFAULT_IDLE_TIMEOUT",
    "LISTEN_BACKLOG",
    "MAX_BODY_BYTES",
    "direct_to_loopback",
    "serve",
]

BASE_PATH: Final = "/api/v1"
"""The path the served runs API answers under, as in its spec's ``servers`` (the jobs API
answers at the root, as in ``spec/globus-timers.yaml``'s)."""

LISTEN_BACKLOG: Final = 1024
"""Connections the kernel queues before the server accepts them (the kernel may cap it, on
Linux at ``net.core.somaxconn``): enough for a thousand clients connecting at once."""

DEFAULT_IDLE_TIMEOUT: Final = 10.0
"""Seconds ``serve()`` gives a request to arrive, and a client to read an answer."""

_LINGER_SECONDS: Final = 1.0  # how long a refused body is drained, so the refusal is read

_log = logging.getLogger("timers.testing")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        service: FakeTimersService,
        family: socket.AddressFamily,
        idle_timeout: float,
    ) -> None:
        self.address_family = family
        self.service = service
        self.idle_timeout = idle_timeout
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._closing = False
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn): no DNS traffic, please.
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def track(self, connection: socket.socket) -> bool:
        with self._connections_lock:
            if self._closing:
                return False
            self._connections.add(connection)
            return True

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: what a client does to its own connection is no error of the server's."""
        _log.debug("the connection from %s failed", client_address, exc_info=True)

    def close_connections(self) -> None:
        """Unblock every handler thread waiting on a kept-alive connection."""
        with self._connections_lock:
            self._closing = True
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: with Nagle's algorithm the client's delayed ACK
    # would hold every response back by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server
    reader: DeadlineReader
    refused: bool

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the stdlib's reader, replaced by one that keeps a deadline
        self.reader = DeadlineReader(self.connection, self.server.idle_timeout)
        self.rfile = io.BufferedReader(self.reader)
        self.refused = not self.server.track(self.connection)
        if self.refused:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def handle(self) -> None:
        # A connection that arrives while the server closes is not served at all: not even the
        # request it may already have sent (a POST .../run would create a run nobody sees).
        if not self.refused:
            super().handle()

    def finish(self) -> None:
        self.server.untrack(self.connection)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read ``service.requests`` instead of a server log."""

    def log_error(self, format: str, *args: object) -> None:
        """Timeouts and garbage requests: debug level only."""
        _log.debug("%s: " + format, self.client_address, *args)

    def handle_one_request(self) -> None:
        # The whole request (line, headers, body) must arrive within idle_timeout of the
        # connection opening or of the previous answer; the service's own time is not counted.
        self.reader.deadline = time.monotonic() + self.server.idle_timeout
        try:
            super().handle_one_request()  # it handles TimeoutError itself: closes the connection
        except OSError as error:  # the client reset the connection or left mid-exchange
            _log.debug("the connection from %s ended: %r", self.client_address, error)
            self.close_connection = True

    def handle_expect_100(self) -> bool:
        # "100 Continue" invites the body: not for one that is refused unread (400 or 413).
        try:
            check_declared_length(self.headers)
        except (BadFraming, BodyTooLarge):
            return True
        return super().handle_expect_100()

    def flush_headers(self) -> None:
        # Every answer (the service's, the stdlib's 400/414/431) starts here: a client that
        # does not read it gets idle_timeout seconds, not forever.
        self.connection.settimeout(self.server.idle_timeout)
        super().flush_headers()

    def _discard_rest(self) -> None:
        """After a refusal (400, 413): drop what the client still sends, for at most a second,
        before the connection closes. Closing with unread data resets the connection, and the
        reset can destroy the answer before the client has read it. Nothing is kept."""
        self.reader.deadline = time.monotonic() + min(_LINGER_SECONDS, self.server.idle_timeout)
        sink = bytearray(65536)
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            while self.reader.readinto(sink):
                pass

    def _target(self) -> str:
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form request target
            after_scheme = target.split("//", 1)[1]
            target = "/" + after_scheme.split("/", 1)[1] if "/" in after_scheme else "/"
        return target

    def _serve(self) -> None:
        try:
            read_body(self.rfile, self.headers)  # unused, but consumed to keep the connection going
        except BadFraming:
            self.close_connection = True
            self._write(Reply(400, (("Content-Type", "text/plain"),), b"Bad request framing\n"))
            self._discard_rest()
            return
        except BodyTooLarge:
            self.close_connection = True
            self._write(too_large_reply(self._target(), BASE_PATH))
            self._discard_rest()
            return
        except ClientGone:
            self.close_connection = True
            return
        service = self.server.service
        try:
            outcome = service.answerer.answer(
                self.command, self._target(), self.headers.get("Authorization"), base_path=BASE_PATH
            )
        except Exception:  # noqa: BLE001 - a bug in the fake: answer 500 like a service, and log it
            _log.exception("the reference service failed on %s %s", self.command, self.path)
            body = b'{"code":"INTERNAL_ERROR","message":"The reference service failed."}'
            outcome = Reply(500, (("Content-Type", "application/json"),), body)
        latency = service.latency
        if latency > 0:
            time.sleep(latency)
        if isinstance(outcome, Drop):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(outcome)

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # The stdlib dispatches to ``do_<METHOD>``: answer every method (even QUERY or
        # made-up ones) through the service, which says 405 for undeclared ones.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


def _loopback(host: str) -> tuple[str, socket.AddressFamily, str]:
    """``(address to bind, address family, host for the URL)``; ``ValueError`` if not loopback."""
    if host.lower() == "localhost":
        return "127.0.0.1", socket.AF_INET, "127.0.0.1"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ValueError(
            f"serve() only listens on loopback (127.0.0.0/8, ::1, localhost), not {host!r}"
        )
    if address.version == 6:
        return str(address), socket.AF_INET6, f"[{address}]"
    return str(address), socket.AF_INET, str(address)


@contextlib.contextmanager
def serve(
    service: FakeTimersService,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api: Literal["runs", "jobs"] = "runs",
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
) -> Iterator[str]:
    """Serve ``service`` over HTTP/1.1 on a loopback address; yield the base URL of ``api``.

    Both APIs are served at once: the runs API under ``/api/v1``, the jobs API at the root.
    With ``api="runs"`` (the default) the URL yielded is ``http://127.0.0.1:PORT/api/v1``;
    with ``api="jobs"`` it is ``http://127.0.0.1:PORT`` (what ``TimersClient(api="jobs",
    base_url=...)`` takes). ``port=0`` picks a free port.
    Connections are kept alive and each has its own daemon thread, so many clients can be
    served at once. Other paths get 404. ``service.latency`` really sleeps (in the
    connection's thread) after the request was carried out and before the answer is written,
    so a client's timeout can expire meanwhile; ``drop_next`` really closes the socket. On
    exit the server stops, its port is closed and open connections are shut down. Raises
    ``TypeError`` for a ``host`` that is not a ``str``, a ``port`` that is not an ``int``, or
    an ``idle_timeout`` that is not a number; ``ValueError`` for a host that is not loopback
    (127.0.0.0/8, ``::1``, ``localhost``; ``localhost`` is served on 127.0.0.1), a port
    outside 0..65535, an ``api`` other than ``"runs"``/``"jobs"``, or an ``idle_timeout``
    that is not a positive, finite number of seconds. An httpx client sends requests for the
    URL through any proxy named in ``HTTP_PROXY``/``ALL_PROXY``: make it with
    ``trust_env=False``, or (for ``127.0.0.1``, ``::1`` or ``localhost``) with
    ``direct_to_loopback()`` in the environment.

    Limits, so that a misbehaving client cannot take the server down:

    - listen backlog: ``LISTEN_BACKLOG`` (1024) connections wait to be accepted.
    - ``idle_timeout`` (default 10 s): a request's line, headers and body must all arrive
      within it, counted from the connection opening or from the previous answer (so an idle
      kept-alive connection is closed after it too); a client gets as long again to read an
      answer. The connection is then closed without a word and its thread ends. The time the
      service takes (``latency`` included) is not counted.
    - bodies: at most ``MAX_BODY_BYTES`` (1 MiB). A larger ``Content-Length`` is answered 413
      before any of the body is read (and without ``100 Continue``), a chunked body once its
      chunks pass the cap; the 413 is JSON in the error shape of the path's API (runs
      ``Error`` under ``/api/v1``, jobs ``{"error": {...}}`` elsewhere) and never reaches the
      service. Unreadable framing is answered 400. After either refusal the connection is
      closed, once what the client still sends has been discarded for at most a second (so
      that an uploading client can read the refusal).
    - request line and header lines: 64 KiB each, at most 100 headers (the stdlib's limits:
      414 and 431).
    - a client that resets, leaves or sends garbage never makes the server print: such
      events are logged at debug level on the ``timers.testing`` logger.

    Example::

        service = FakeTimersService(tokens=["test-token"])
        timer_id = service.add_timer()
        with serve(service) as base_url:
            response = httpx.post(f"{base_url}/timers/{timer_id}/run",
                                  headers={"Authorization": "Bearer test-token"})
            assert response.status_code == 201
        with serve(service, api="jobs") as root_url:
            job = httpx.get(f"{root_url}/jobs/{timer_id}",
                            headers={"Authorization": "Bearer test-token"}).json()
    """
    if not isinstance(service, FakeTimersService):  # e.g. a factory, not called
        raise TypeError(f"service must be a FakeTimersService, got {type(service).__name__}")
    if api not in ("runs", "jobs"):
        raise ValueError(f"api must be 'runs' or 'jobs', got {api!r}")
    if not isinstance(host, str):
        raise TypeError(f"host must be a str, got {type(host).__name__}: {host!r}")
    if not isinstance(port, int) or isinstance(port, bool):
        raise TypeError(f"port must be an int, got {type(port).__name__}: {port!r}")
    if not 0 <= port <= 65535:
        raise ValueError(f"port must be from 0 to 65535 (0: a free port), got {port}")
    if not isinstance(idle_timeout, int | float) or isinstance(idle_timeout, bool):
        raise TypeError(
            f"idle_timeout must be a number of seconds, got {type(idle_timeout).__name__}: "
            f"{idle_timeout!r}"
        )
    if not 0 < idle_timeout < math.inf:
        raise ValueError(f"idle_timeout must be a positive number of seconds, got {idle_timeout}")
    bind_host, family, url_host = _loopback(host)
    server = _Server((bind_host, port), service, family, idle_timeout)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"timers-reference-service-{server.server_port}",
        daemon=True,
    )
    thread.start()
    try:
        root = f"http://{url_host}:{server.server_port}"
        yield root + BASE_PATH if api == "runs" else root
    finally:
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join()


def direct_to_loopback() -> dict[str, str]:
    """``NO_PROXY`` and ``no_proxy`` as the environment has them, plus ``127.0.0.1``, ``::1``
    and ``localhost``: set them while making clients for a served URL, so that a proxy named
    in ``HTTP_PROXY`` or ``ALL_PROXY`` (which httpx uses by default, and which cannot reach
    this machine's loopback) is not asked for it. (Another 127.x host: ``trust_env=False``.)

    >>> os.environ.update(direct_to_loopback())  # doctest: +SKIP
    """
    current = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    hosts = [host.strip() for host in current.split(",") if host.strip()]
    hosts += [host for host in _LOOPBACK_NAMES if host not in hosts]
    value = ",".join(hosts)
    return {"NO_PROXY": value, "no_proxy": value}


_LOOPBACK_NAMES: Final = ("127.0.0.1", "::1", "localhost")
