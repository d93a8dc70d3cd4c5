"""``serve()``: the reference service over real HTTP/1.1 on a loopback address.

A ``ThreadingHTTPServer`` (one daemon thread per connection, keep-alive) whose handler passes
each request to ``service.answerer`` and writes the ``Reply`` it gets (or, for a ``Drop``,
closes the socket without a word). Only loopback addresses are served: the fake accepts any
token it was given and must never be reachable from another machine.

One server serves both APIs, where production has them: the runs API under ``/api/v1``
(``http://127.0.0.1:PORT/api/v1/timers/...``), the jobs API at the root
(``http://127.0.0.1:PORT/jobs/...``). ``serve(api=...)`` only chooses which base URL it yields.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final, Literal

from timers.testing._replies import Drop, Reply
from timers.testing._service import FakeTimersService

__all__ = ["BASE_PATH", "serve"]

BASE_PATH: Final = "/api/v1"
"""The path the served runs API answers under, as in its spec's ``servers`` (the jobs API
answers at the root, as in ``spec/globus-timers.yaml``'s)."""

_log = logging.getLogger("timers.testing")


class _BadFraming(Exception):
    """The request's body framing cannot be read; the connection must close."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        service: FakeTimersService,
        family: socket.AddressFamily,
    ) -> None:
        self.address_family = family
        self.service = service
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

    def setup(self) -> None:
        super().setup()
        if not self.server.track(self.connection):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read ``service.requests`` instead of a server log."""

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadFraming from None
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise _BadFraming
        return self.rfile.read(int(length))

    def _target(self) -> str:
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form request target
            after_scheme = target.split("//", 1)[1]
            target = "/" + after_scheme.split("/", 1)[1] if "/" in after_scheme else "/"
        return target

    def _serve(self) -> None:
        try:
            self._read_body()  # unused, but it must be consumed to keep the connection usable
        except _BadFraming:
            self.close_connection = True
            self._write(Reply(400, (("Content-Type", "text/plain"),), b"Bad request framing\n"))
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
) -> Iterator[str]:
    """Serve ``service`` over HTTP/1.1 on a loopback address; yield the base URL of ``api``.

    Both APIs are served at once: the runs API under ``/api/v1``, the jobs API at the root.
    With ``api="runs"`` (the default) the URL yielded is ``http://127.0.0.1:PORT/api/v1``;
    with ``api="jobs"`` it is ``http://127.0.0.1:PORT`` (what ``TimersClient(api="jobs",
    base_url=...)`` takes). ``port=0`` picks a free port.
    Connections are kept alive and each has its own daemon thread, so many clients can be
    served at once. Other paths get 404. ``service.latency`` really sleeps
    (in the connection's thread) and ``drop_next`` really closes the socket. On exit the
    server stops, its port is closed and open connections are shut down. Raises
    ``ValueError`` for a host that is not loopback (127.0.0.0/8, ``::1``, ``localhost``;
    ``localhost`` is served on 127.0.0.1), or an ``api`` other than ``"runs"``/``"jobs"``.

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
    if api not in ("runs", "jobs"):
        raise ValueError(f"api must be 'runs' or 'jobs', got {api!r}")
    bind_host, family, url_host = _loopback(host)
    server = _Server((bind_host, port), service, family)
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
