"""A deadline for a whole attempt, enforced at the socket (the one module that reaches into
httpx's and httpcore's internals).

httpx's timeouts bound each socket operation; a server that sends one byte every half second
never trips them. Inside ``attempt_deadline(at)`` (a context variable, so per thread and per
task), every read, write, connect and TLS handshake of the connection pools prepared by
``install`` is given at most the time left until ``at`` (a ``time.monotonic()`` value), so
the attempt ends by then with ``httpx.ReadTimeout`` (or the matching timeout), whatever the
server does. ``install`` wraps the network backend of the pools of an httpx client the
library created; on a client whose internals differ (another httpx version, a custom
transport) it changes nothing and returns False, and the deadline is then enforced between
the chunks of the body (see ``_io``).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

__all__ = ["attempt_deadline", "expired", "install", "remaining"]

_DEADLINE: ContextVar[float | None] = ContextVar("timers_attempt_deadline", default=None)


@contextlib.contextmanager
def attempt_deadline(at: float | None) -> Iterator[None]:
    """Bound every socket operation of requests sent inside to end by ``at`` (monotonic)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


_AT_ONCE = 0.001  # a socket timeout of 0 would mean non-blocking, not "time is up"
_LONGEST = 86_400.0  # what a socket timeout can be set to without overflowing anywhere


def remaining(timeout: float | None) -> float | None:
    """``timeout`` shortened to the time left before the current deadline (a millisecond
    once it has passed, so the operation times out at once)."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = min(max(at - time.monotonic(), _AT_ONCE), _LONGEST)
    return left if timeout is None else min(timeout, left)


def expired() -> bool:
    """Whether the current attempt's deadline has passed."""
    at = _DEADLINE.get()
    return at is not None and time.monotonic() >= at


Options = Iterable[Any] | None  # httpcore's socket options


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, remaining(timeout))

    def close(self) -> None:
        # Shut the socket down first: a call blocked reading it in another thread (the client
        # closed while a request is in flight) wakes up at once instead of at its timeout.
        sock = self._stream.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _Stream:
        tls = self._stream.start_tls(ssl_context, server_hostname, remaining(timeout))
        return _Stream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, remaining(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, remaining(timeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _AsyncStream:
        tls = await self._stream.start_tls(ssl_context, server_hostname, remaining(timeout))
        return _AsyncStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Options = None,
    ) -> _Stream:
        stream = self._backend.connect_tcp(
            host, port, remaining(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Options = None
    ) -> _Stream:
        return _Stream(self._backend.connect_unix_socket(path, remaining(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Options = None,
    ) -> _AsyncStream:
        stream = await self._backend.connect_tcp(
            host, port, remaining(timeout), local_address, socket_options
        )
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Options = None
    ) -> _AsyncStream:
        stream = await self._backend.connect_unix_socket(path, remaining(timeout), socket_options)
        return _AsyncStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _transports(client: httpx.Client | httpx.AsyncClient) -> Iterable[object]:
    yield getattr(client, "_transport", None)
    yield from (getattr(client, "_mounts", None) or {}).values()


def install(client: httpx.Client | httpx.AsyncClient) -> bool:
    """Make ``attempt_deadline`` reach the sockets of ``client``'s pools; True if it could."""
    installed = False
    for transport in _transports(client):
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _Backend | _AsyncBackend):
            installed = True
        elif isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
            installed = True
        elif isinstance(backend, httpcore.AsyncNetworkBackend):
            pool._network_backend = _AsyncBackend(backend)  # type: ignore[union-attr]
            installed = True
    return installed
