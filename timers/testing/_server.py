"""``serve()``: the reference service over real HTTP/1.1 on a loopback address.

Only loopback addresses are served: the fake accepts any token it was given and must never be
reachable from another machine. One server serves both APIs, where production has them: the
runs API under ``/api/v1`` (``http://127.0.0.1:PORT/api/v1/timers/...``), the jobs API at the
root (``http://127.0.0.1:PORT/jobs/...``). ``serve(api=...)`` only chooses which base URL it
gives. ``serve()`` returns a ``LoopbackServer``: a context manager that can also be started and
stopped by hand. The HTTP server itself, and its limits, are ``_http_server``'s.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import socket
import threading
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Final, Literal

from timers.testing._framing import MAX_BODY_BYTES
from timers.testing._http_server import BASE_PATH, LISTEN_BACKLOG, LoopbackHTTPServer
from timers.testing._service import FakeTimersService

__all__ = [
    "BASE_PATH",
    "DEFAULT_IDLE_TIMEOUT",
    "LISTEN_BACKLOG",
    "MAX_BODY_BYTES",
    "LoopbackServer",
    "direct_to_loopback",
    "serve",
]

DEFAULT_IDLE_TIMEOUT: Final = 10.0
"""Seconds ``serve()`` gives a request to arrive, and a client to read an answer."""


class LoopbackServer(contextlib.ContextDecorator):
    """A ``FakeTimersService`` served on loopback: what ``serve()`` returns, with the same
    arguments, checked when it is made (see ``serve``).

    ``with serve(service) as base_url:`` serves for the block (``@serve(service)`` for a
    function's call). Or start and stop it yourself (a session fixture, unittest)::

        server = serve(service)
        base_url = server.start()  # server.url while it serves
        ...
        server.stop()  # does nothing when it is not serving

    In unittest, ``base_url = self.enterContext(serve(service))`` in ``setUp`` stops it even
    when ``setUp`` fails later (``tearDown`` would not run). A server started and then
    forgotten is stopped when it is garbage-collected, or at exit. ``start()`` and ``stop()``
    may be called from any thread (one waits for the other). ``start()`` raises
    ``RuntimeError`` while it is serving already (a second ``with`` on it included) and
    ``OSError`` naming the address when it cannot listen there (a port in use). After
    ``stop()`` it can be started again (with ``port=0``, maybe on another port).
    """

    def __init__(
        self,
        service: FakeTimersService,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api: Literal["runs", "jobs"] = "runs",
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        _check(service, host, port, api, idle_timeout)
        self._service = service
        self._bind_host, self._family, self._url_host = _loopback(host)
        self._port = port
        self._api = api
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._running: tuple[Callable[[], object], str] | None = None  # (its stop, its URL)

    @property
    def url(self) -> str | None:
        """The base URL ``start()`` gave, while serving; ``None`` when not serving."""
        running = self._running
        return None if running is None else running[1]

    def start(self) -> str:
        """Start serving; return the base URL of the chosen API."""
        with self._lock:
            if self._running is not None:
                raise RuntimeError(f"already serving at {self._running[1]}: stop() it first")
            address = (self._bind_host, self._port)
            try:
                server = LoopbackHTTPServer(
                    address, self._service, self._family, self._idle_timeout
                )
            except OSError as error:  # the stdlib's says no address: "Address already in use"
                where = f"{self._url_host}:{self._port}"
                raise OSError(error.errno, error.strerror or str(error), where) from error
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"timers-reference-service-{server.server_port}",
                daemon=True,
            )
            thread.start()
            root = f"http://{self._url_host}:{server.server_port}"
            url = root + BASE_PATH if self._api == "runs" else root
            self._running = (weakref.finalize(self, _shut_down, server, thread), url)
            return url

    def stop(self) -> None:
        """Stop serving: the port is closed and open connections are shut down."""
        with self._lock:
            running, self._running = self._running, None
            if running is not None:
                running[0]()  # _shut_down, once

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LoopbackServer {self.url or 'not serving'}>"


def _shut_down(server: LoopbackHTTPServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    server.close_connections()
    thread.join()


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


def serve(
    service: FakeTimersService,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api: Literal["runs", "jobs"] = "runs",
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
) -> LoopbackServer:
    """Serve ``service`` over HTTP/1.1 on a loopback address: ``with serve(service) as
    base_url:`` serves it for the block and gives the base URL of ``api``; the
    ``LoopbackServer`` returned can also be started and stopped by hand (see there).

    Both APIs are served at once: the runs API under ``/api/v1``, the jobs API at the root.
    With ``api="runs"`` (the default) the URL given is ``http://127.0.0.1:PORT/api/v1``;
    with ``api="jobs"`` it is ``http://127.0.0.1:PORT`` (what ``TimersClient(api="jobs",
    base_url=...)`` takes). ``port=0`` picks a free port.
    Connections are kept alive and each has its own daemon thread, so many clients can be
    served at once. Other paths get 404. ``service.latency`` really sleeps (in the
    connection's thread) after the request was carried out and before the answer is written,
    so a client's timeout can expire meanwhile; ``drop_next`` really closes the socket. On
    exit (``stop()``) the server stops, its port is closed and open connections are shut
    down. Arguments are checked here, before anything is served: raises
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
    return LoopbackServer(service, host=host, port=port, api=api, idle_timeout=idle_timeout)


def _check(service: FakeTimersService, host: str, port: int, api: str, idle_timeout: float) -> None:
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
