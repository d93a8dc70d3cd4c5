"""``serve``: the reference service over real HTTP on loopback."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from timers.testing._fake import FakeTimersService

__all__ = ["serve"]

BASE_PATH = "/api/v1"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
    # delayed ACK then stalls every response by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the demo print what matters

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("host") or f"127.0.0.1:{self.server.server_port}"
        request = httpx.Request(
            self.command,
            f"http://{host}{self.path}",
            headers=list(self.headers.items()),
            content=body,
        )
        try:
            response = self.server.service.handle(request)
        except httpx.RemoteProtocolError:
            # A dropped connection: close the socket without a word.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        content = response.content
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], service: FakeTimersService) -> None:
        self.service = service
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)


@contextmanager
def serve(service: FakeTimersService, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``service`` over HTTP/1.1 on loopback, in a background thread; yield its base URL.

    ``port=0`` picks a free port. Many concurrent keep-alive connections are served (a thread
    each); the server stops and closes its socket when the ``with`` block ends. Only loopback
    hosts are allowed: this is a test double, not a server for a network.

    >>> with serve(FakeTimersService()) as base_url:  # doctest: +SKIP
    ...     print(base_url)
    http://127.0.0.1:41234/api/v1
    """
    if not _is_loopback(host):
        raise ValueError(f"serve() only listens on loopback (127.0.0.1, ::1), not {host!r}")
    server = _Server((host, port), service)
    thread = threading.Thread(target=server.serve_forever, name="timers-fake", daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"http://{shown}:{server.server_port}{BASE_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
