"""The few I/O primitives that differ between the two clients: sleeping, bounding an attempt
in time, and binding a client to its event loop. Everything else the clients do is the same
code (see ``_async_client``)."""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import httpx

from timers import _transport
from timers._errors import InvalidArgumentError, UsageError
from timers._redact import quote

if TYPE_CHECKING:
    import asyncio

    from timers._core import ClientCore

__all__ = [
    "BodyReader",
    "HttpBackend",
    "LoopBinding",
    "async_deadline",
    "async_sleep",
    "async_sleeper",
    "backend_client",
    "sync_deadline",
    "sync_sleep",
    "sync_sleeper",
]


HttpBackend = Literal["httpx", "aiohttp"]  # AsyncTimersClient's http_backend=


def sync_sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up on each call, so patching time.sleep reaches it


async def async_sleep(seconds: float) -> None:
    import asyncio  # here, not at the top: `import timers` should not pay for asyncio

    await asyncio.sleep(seconds)


def sync_sleeper(sleep: Callable[[float], None] | None) -> Callable[[float], None]:
    """``TimersClient``'s ``sleep=`` (default ``time.sleep``): ``InvalidArgumentError`` now if
    it is not callable, and when called if it returns an awaitable (an ``async`` function
    would not wait at all)."""
    if sleep is None:
        return sync_sleep
    if not callable(sleep):
        raise InvalidArgumentError(
            f"sleep must be a function taking seconds (e.g. time.sleep), got {type(sleep).__name__}"
        )

    def checked(seconds: float) -> None:
        waiting: Any = sleep(seconds)
        if inspect.isawaitable(waiting):
            close = getattr(waiting, "close", None)
            if close is not None:
                close()  # no "never awaited" warning on top of the error
            raise InvalidArgumentError(
                "sleep= of TimersClient must wait before it returns (e.g. time.sleep); it "
                "returned an awaitable: pass an async sleep to AsyncTimersClient instead"
            )

    return checked


def async_sleeper(
    sleep: Callable[[float], Awaitable[None]] | None,
) -> Callable[[float], Awaitable[None]]:
    """``AsyncTimersClient``'s ``sleep=`` (default ``asyncio.sleep``): ``InvalidArgumentError``
    now if it is not callable, and when called if it returns nothing to await (a synchronous
    function, ``time.sleep``, would block the event loop)."""
    if sleep is None:
        return async_sleep
    if not callable(sleep):
        raise InvalidArgumentError(
            "sleep must be an async function taking seconds (e.g. asyncio.sleep), got "
            f"{type(sleep).__name__}"
        )

    async def checked(seconds: float) -> None:
        waiting: Any = sleep(seconds)
        if not inspect.isawaitable(waiting):
            raise InvalidArgumentError(
                "sleep= of AsyncTimersClient must be an async function (e.g. asyncio.sleep); "
                f"it returned {type(waiting).__name__}, not an awaitable"
            )
        await waiting

    return checked


_SLACK = 0.05  # seconds: a socket timeout may fire a little before the deadline it was cut to


def _said_at_the_deadline(exc: httpx.TimeoutException, at: float | None) -> None:
    """Reword ``exc`` when it fired at the attempt's deadline: httpcore's text ("timed out")
    would pass for the read (or connect) timeout running out, which it was not."""
    if at is not None and time.monotonic() >= at - _SLACK:
        exc.args = (_transport.ATTEMPT_OVER,)


@contextlib.contextmanager
def sync_deadline(at: float | None, *, at_socket: bool) -> Iterator[None]:
    """Bound what is sent and read inside to end by ``at`` (``time.monotonic()``), at the
    socket where ``_transport.install`` could reach it (``at_socket``; elsewhere the body
    read checks it between chunks). A timeout at the deadline says so (``ATTEMPT_OVER``)."""
    with _transport.attempt_deadline(at):
        try:
            yield
        except httpx.TimeoutException as exc:
            _said_at_the_deadline(exc, at)
            raise


@contextlib.asynccontextmanager
async def async_deadline(at: float | None, *, at_socket: bool) -> AsyncIterator[None]:
    """As ``sync_deadline``; where the transport does not enforce the deadline itself
    (``at_socket`` False: a client you passed), ``asyncio.timeout`` does."""
    with _transport.attempt_deadline(at):
        try:
            if at is None or at_socket:
                yield
            else:
                import asyncio  # here: `import timers` should not pay for asyncio

                try:
                    async with asyncio.timeout(max(at - time.monotonic(), 0.0)):
                        yield
                except TimeoutError:
                    raise httpx.ReadTimeout(_transport.ATTEMPT_OVER) from None
        except httpx.TimeoutException as exc:
            _said_at_the_deadline(exc, at)
            raise


def loop_binding(http: httpx.AsyncClient, backend: str, core: ClientCore) -> LoopBinding:
    """The binding of a new async client to its event loop. ``http``, when the library created
    it, gets new connections once the loop its old ones belonged to has ended (an http_client
    of yours is not ours to touch)."""
    if not core.owns_http:
        return LoopBinding()

    def renew() -> None:
        if http.is_closed:  # nothing to renew: the call that follows says it is closed
            return
        if backend == "httpx":
            fresh = httpx.AsyncClient(**core.new_http_kwargs())
        else:
            fresh = backend_client(backend, None, core)
        _transport.adopt_transports(http, fresh)

    return LoopBinding(renew)


def backend_client(
    backend: str, http_client: httpx.AsyncClient | None, core: ClientCore
) -> httpx.AsyncClient:
    """The httpx client an async client creates (and owns) for ``http_backend=backend``."""
    if backend != "aiohttp":
        raise InvalidArgumentError(
            f"http_backend must be 'httpx' or 'aiohttp', got {quote(backend)}"
        )
    if http_client is not None:
        raise InvalidArgumentError("give http_client or http_backend='aiohttp', not both")
    from timers._aiohttp import AiohttpTransport

    return httpx.AsyncClient(transport=AiohttpTransport(), **core.new_http_kwargs())


# What httpx (with brotli and zstandard installed) or this module would inflate.
_COMPRESSIONS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})
# The zlib window bits of those this module inflates (deflate: zlib-wrapped, at first).
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class BodyReader:
    """Decodes a body's chunks into at most ``limit + 1`` bytes, in memory bounded by that.

    It is fed the raw bytes: gzip and deflate (the only encodings the client asks for, see
    ``_core``) are inflated here with zlib's ``max_length``, so a small compressed chunk never
    becomes a large buffer (a gzip bomb is inflated only as far as the limit). Brotli, zstd,
    or more than one compression raise ``httpx.DecodingError`` before a byte is read (httpx
    would inflate each chunk whole); a value no decoder knows (``UTF-8``, ``none``: servers
    misconfigured so) is ignored, as httpx ignores it.
    """

    __slots__ = ("_inflater", "_limit", "_tolerant", "body")

    def __init__(self, response: httpx.Response, limit: int) -> None:
        header = response.headers.get("content-encoding", "")
        codings = [c for c in map(str.strip, header.lower().split(",")) if c in _COMPRESSIONS]
        if len(codings) > 1 or not set(codings) <= _WBITS.keys():
            raise httpx.DecodingError(
                f"the body's content encoding {quote(header.strip())} was not asked for: only "
                "one of gzip or deflate is read"
            )
        self._limit = limit
        self.body = bytearray()
        self._tolerant = codings == ["deflate"]  # zlib-wrapped, or raw as some servers send it
        self._inflater: Any = zlib.decompressobj(_WBITS[codings[0]]) if codings else None

    @property
    def full(self) -> bool:
        """True once more than ``limit`` bytes were decoded (nothing more will be)."""
        return len(self.body) > self._limit

    def feed(self, data: bytes) -> None:
        """Decode ``data`` (raw bytes), keeping only what fits in the limit."""
        want = self._limit + 1 - len(self.body)
        if self._inflater is None:
            self.body += data[:want]
            return
        try:
            self.body += self._inflater.decompress(data, want)
        except zlib.error as exc:
            if not self._tolerant:
                raise httpx.DecodingError(
                    f"the body is not valid compressed data ({exc})"
                ) from None
            self._tolerant = False
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self.feed(data)
            return
        # zlib keeps input back (``unconsumed_tail``) only when it stopped at ``want``: the
        # body is then full, so nothing is left to inflate, now or at the end.
        self._tolerant = False

    def finish(self) -> bytes:
        """The decoded body (``limit + 1`` bytes when it was larger)."""
        return bytes(self.body)


class LoopBinding:
    """Ties an async client to the event loop it is first used in (httpx's connections belong
    to the loop that opened them), and says so clearly when another loop uses it. Once that
    loop has ended, ``renew`` (for connections the library created) gives the client new
    ones, and it is bound to the loop that uses it then."""

    __slots__ = ("_lock", "_loop", "_renew")

    def __init__(self, renew: Callable[[], None] | None = None) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._renew = renew
        self._lock = threading.Lock()  # two loops in two threads: one binds, one is refused

    @property
    def bound(self) -> bool:
        return self._loop is not None

    def check(self) -> None:
        """Bind to the running loop, or raise ``UsageError`` if bound to another one."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # under trio, or called outside any event loop
            raise UsageError(
                "AsyncTimersClient runs in an asyncio event loop (e.g. inside asyncio.run()); "
                "there is none running here (trio is not supported)"
            ) from None
        if self._loop is loop:
            return
        with self._lock:
            if self._loop is None:
                self._loop = loop
            elif self._loop.is_closed():
                if self._renew is None:
                    raise UsageError(
                        "this AsyncTimersClient's http_client (yours) was used in an event loop "
                        "that has ended, which its connections belonged to: it cannot be used "
                        "or closed in another one (they are left to the garbage collector); "
                        "create and close one http_client per event loop"
                    )
                self._renew()  # the old connections are left to the garbage collector
                self._loop = loop
            else:
                raise UsageError(
                    "this AsyncTimersClient is bound to another event loop, which has not ended "
                    "(the one it was used in); create one AsyncTimersClient per event loop, "
                    "e.g. inside the coroutine you pass to asyncio.run()"
                )
