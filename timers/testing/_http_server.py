"""The HTTP/1.1 server behind ``serve()``: a ``ThreadingHTTPServer`` (one daemon thread per
connection, keep-alive) whose handler passes each request to ``service.answerer`` and writes
the ``Reply`` it gets (or, for a ``Drop``, closes the socket without a word).

It holds up against clients that misbehave, on purpose or not: a listen backlog of
``LISTEN_BACKLOG``, a deadline for each request to arrive (``idle_timeout``), a cap on bodies
(``_framing``), and no traceback for a client that resets, leaves or sends garbage (logged at
debug level on the ``timers.testing`` logger).
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final

from timers.testing._framing import (
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

__all__ = ["BASE_PATH", "LISTEN_BACKLOG", "LoopbackHTTPServer", "RequestHandler"]

BASE_PATH: Final = "/api/v1"
"""The path the served runs API answers under, as in its spec's ``servers`` (the jobs API
answers at the root, as in ``spec/globus-timers.yaml``'s)."""

LISTEN_BACKLOG: Final = 1024
"""Connections the kernel queues before the server accepts them (the kernel may cap it, on
Linux at ``net.core.somaxconn``): enough for a thousand clients connecting at once."""

_LINGER_SECONDS: Final = 1.0  # how long a refused body is drained, so the refusal is read

_log = logging.getLogger("timers.testing")


class LoopbackHTTPServer(ThreadingHTTPServer):
    """One server of ``serve()``: both APIs of ``service``, a thread per connection."""

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
        super().__init__(address, RequestHandler)

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


class RequestHandler(BaseHTTPRequestHandler):
    """Reads each request within the deadlines and caps, and writes the answerer's ``Reply``."""

    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: with Nagle's algorithm the client's delayed ACK
    # would hold every response back by ~40 ms.
    disable_nagle_algorithm = True
    server: LoopbackHTTPServer
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
