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

The wrapping also keeps a connection from being shared across ``os.fork()``: in the child,
the child's copy of each inherited socket is closed (which sends nothing: no shutdown, no TLS
close_notify, so the parent's connection is untouched), so the child's pools see those
connections as closed and open their own. Otherwise parent and child would write on one
socket and could each read the other's answer.

The same wrapping refuses to open a connection, or to write on one, once the client is
closed: httpcore hands a closed pool's free slots to the requests still waiting for one, and
a connection being set up when the pool closed is not closed with it; either would send (a
``run_timer`` creating a run) after ``close()``. They fail as a closed client's call instead
(``RuntimeError``, which the client reports as ``UsageError``).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import socket
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any

import httpx

__all__ = [
    "ATTEMPT_OVER",
    "adopt_transports",
    "attempt_deadline",
    "expired",
    "install",
    "remaining",
]

ATTEMPT_OVER = "the attempt did not finish within its timeout"
"""What a timeout that ended an attempt at its deadline says (whatever raised it)."""

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


# Where each timed method of httpcore's network backends and streams takes its timeout.
_TIMEOUT_AT = {"read": 1, "write": 1, "start_tls": 2, "connect_tcp": 2, "connect_unix_socket": 1}
_MAKES_STREAMS = frozenset({"start_tls", "connect_tcp", "connect_unix_socket"})
_NOT_ONCE_CLOSED = _MAKES_STREAMS | {"write"}  # (a read may finish what was already sent)


class _Deadlined:
    """An httpcore network backend or stream, sync or async, whose every timeout is cut to the
    attempt's deadline; the streams it makes are wrapped likewise.

    One class serves both: a timed call is forwarded with ``remaining(timeout)`` computed
    when it is made, and an async call's coroutine is handed back for the caller to await.
    """

    __slots__ = ("__weakref__", "_closed", "_inner")

    def __init__(self, inner: Any, closed: Callable[[], bool]) -> None:
        self._inner = inner
        self._closed = closed  # whether the client owning the pool was closed

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        at = _TIMEOUT_AT.get(name)
        if at is None:
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            if name in _NOT_ONCE_CLOSED and self._closed():
                raise RuntimeError("the client has been closed: nothing more is sent")
            if len(args) > at:
                args = (*args[:at], remaining(args[at]), *args[at + 1 :])
            else:
                kwargs["timeout"] = remaining(kwargs.get("timeout"))
            made = method(*args, **kwargs)
            if name not in _MAKES_STREAMS:
                return made
            if inspect.isawaitable(made):
                return _deadlined_later(made, self._closed)
            stream = _Deadlined(made, self._closed)
            _SYNC_STREAMS.add(stream)
            return stream

        return timed

    def close(self) -> None:
        """Close a sync stream, shutting its socket down first: a call blocked reading it in
        another thread (the client closed mid-request) wakes up at once, not at its timeout."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._inner.close()


_SYNC_STREAMS: weakref.WeakSet[_Deadlined] = weakref.WeakSet()
"""The open streams of sync pools (an async pool's belong to its event loop, which a forked
child cannot go on running)."""


def _forget_inherited_connections() -> None:
    """In a forked child: close the child's copy of every socket the parent's pools hold."""
    for stream in list(_SYNC_STREAMS):
        with contextlib.suppress(Exception):  # a stream of another shape: nothing to close
            stream._inner.get_extra_info("socket").close()  # no shutdown: only the child's fd
    _SYNC_STREAMS.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_inherited_connections)


async def _deadlined_later(made: Awaitable[Any], closed: Callable[[], bool]) -> _Deadlined:
    return _Deadlined(await made, closed)


def adopt_transports(client: httpx.AsyncClient, fresh: httpx.AsyncClient) -> None:
    """``client`` sends through ``fresh``'s transports (its pools) from now on, with the
    deadline installed: its own pools' connections belonged to an event loop that has ended,
    and can be neither used nor closed."""
    for old in (client._transport, *client._mounts.values()):
        abandon = getattr(old, "abandon", None)  # ours over aiohttp: quietly, see there
        if abandon is not None:
            abandon()
    client._transport, client._mounts = fresh._transport, fresh._mounts
    install(client)


def install(client: httpx.Client | httpx.AsyncClient) -> bool:
    """Make ``attempt_deadline`` reach the sockets of ``client``'s pools; True if it could."""
    import httpcore  # here: httpx imports it only once a transport needs it, and so do we

    installed = False
    owner = weakref.ref(client)  # not a reference cycle through the pool

    def closed() -> bool:
        alive = owner()
        return alive is None or alive.is_closed

    mounted = getattr(client, "_mounts", None) or {}
    for transport in (getattr(client, "_transport", None), *mounted.values()):
        if getattr(transport, "honours_attempt_deadline", False):  # e.g. ours over aiohttp
            installed = True
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _Deadlined):
            installed = True
        elif isinstance(backend, httpcore.NetworkBackend | httpcore.AsyncNetworkBackend):
            pool._network_backend = _Deadlined(backend, closed)  # type: ignore[union-attr]
            installed = True
    return installed
