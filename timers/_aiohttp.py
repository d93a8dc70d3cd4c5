"""An httpx transport over aiohttp, for ``AsyncTimersClient(http_backend="aiohttp")``.

httpcore's async pool spends most of a wide ``asyncio.gather`` choosing connections (its cost
grows with connections x waiting requests); aiohttp's connector does not. The transport maps
aiohttp's failures onto httpx's exceptions with the same meaning, so the client's retry
decisions (above all "was the request provably never sent?", which keeps ``run_timer`` from
creating a run twice) are exactly those of the httpx path: only a failure to connect is
``ConnectError``/``ConnectTimeout``; anything after connecting is a read or protocol error.
aiohttp's own retry of an idempotent request on a dropped connection is off (the client's
policy decides every retry), and so is its ``total`` timeout: an attempt's deadline is an
``asyncio.timeout`` here, which never swallows a caller's cancellation (aiohttp's can, when
both fire at once). Where aiohttp's parser accepts what httpx's refuses (a 1xx as the final
answer, a transfer coding other than ``chunked``), the answer is refused here as httpx refuses
it. Differences left: aiohttp refuses an answer with both ``Content-Length`` and
``Transfer-Encoding`` (a sign of response smuggling), which httpx reads as chunked; and
aiohttp does not read ``chunked`` with a tab after it as chunked (the body then ends only with
the connection, or the attempt's deadline), where httpx does.

aiohttp is an optional dependency (``pip install 'timers-client[aiohttp]'``), imported only
when this module is.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import httpx

from timers import _transport
from timers._errors import MissingExtraError

try:
    import aiohttp
except ModuleNotFoundError:
    raise MissingExtraError("http_backend='aiohttp'", extra="aiohttp", module="aiohttp") from None

__all__ = ["AiohttpTransport"]

# Bytes of one header line: aiohttp allows 8190, so a long Content-Security-Policy that httpx
# reads (its h11 reads 100 KiB of head in all) failed on this backend only. Not 100 KiB: aiohttp
# bounds each line, not the whole head (128 lines from 3.14, many more before).
HEAD_LIMIT = 16 * 1024

# Once connected, most specific first: the first match wins. (Before, any failure is one to
# connect: ``_mapped``.)
_EXCEPTIONS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.ClientError, httpx.ReadError),  # anything else: it may have been sent
)


@contextlib.contextmanager
def _mapped(phase: Any) -> Iterator[None]:
    """aiohttp's failures as httpx's. While ``phase.connected`` is False nothing was sent:
    any failure is one to connect (refused, DNS, TLS, the connector closed, a timeout)."""
    try:
        yield
    except (TimeoutError, aiohttp.ClientError) as exc:
        text = _text(exc)
        if not phase.connected:
            timed_out = isinstance(exc, TimeoutError)
            raise (httpx.ConnectTimeout if timed_out else httpx.ConnectError)(text) from exc
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(text) from exc
        if not isinstance(exc, TimeoutError):  # pragma: no cover - ClientError is listed
            raise
        raise httpx.ReadTimeout(_transport.ATTEMPT_OVER) from exc


def _text(exc: BaseException) -> str:
    """What went wrong, in one line. aiohttp's parser errors read ``400, message="...",
    url=...`` (a status its parser chose, not one the service sent; the URL, which the error
    names anyway) with the bad bytes on a line under a caret; a payload error has the parser's
    error as its cause. Only the message is kept, its lines joined, carets left out."""
    cause = exc.__cause__ if isinstance(exc, aiohttp.ClientPayloadError) else None
    message = getattr(cause, "message", None) or getattr(exc, "message", None)
    if not isinstance(message, str) or not message:
        if type(exc) is TimeoutError:  # asyncio.timeout's, saying nothing: let httpx's name it
            return str(exc)
        return str(exc) or type(exc).__name__
    lines = (line.strip() for line in message.splitlines())
    return " ".join(line for line in lines if line.strip("^"))


async def _connected(session: Any, context: Any, params: Any) -> None:
    context.trace_request_ctx.connected = True


# Before Python 3.12.8 (and in 3.13.0), an aborted TLS connection (an attempt cut by its
# deadline or cancelled) stays open for asyncio's 30 s SSL shutdown, outside the connector's
# limit and past aclose() (python/cpython#118960): aiohttp's cleanup aborts them within 2 s.
# Later Pythons close them at once. aiohttp says where it takes the flag (asked elsewhere, it
# warns); an aiohttp that does not say is asked where Python needs it.
def _needs_cleanup(python: tuple[int | str, ...]) -> bool:
    return python < (3, 12, 8) or (3, 13) <= python < (3, 13, 1)


def _cleanup_closed() -> bool:
    return bool(
        getattr(aiohttp.connector, "NEEDS_CLEANUP_CLOSED", _needs_cleanup(sys.version_info))
    )


_TRACE = aiohttp.TraceConfig()
_TRACE.on_connection_create_end.append(_connected)
_TRACE.on_connection_reuseconn.append(_connected)
_SENT = SimpleNamespace(connected=True)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._response.content.iter_chunked(64 * 1024).__aiter__()
        while True:
            # Each read ends by the attempt's deadline (none is armed between chunks).
            with _mapped(_SENT):
                async with asyncio.timeout(_transport.remaining(None)):
                    try:
                        chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        return
            yield chunk

    async def aclose(self) -> None:
        self._response.release()


def _framing_problem(response: aiohttp.ClientResponse) -> str | None:
    """What httpx's parser (h11) refuses in an answer aiohttp accepts: a status that is not a
    final one (1xx, or under 100), or a transfer coding other than ``chunked`` (aiohttp
    ignores one it does not know, and reads the body raw)."""
    if response.status < 200:
        return f"the answer's status {response.status} is not a final status"
    codings = [
        coding.strip(" \t").lower()
        for value in response.headers.getall("Transfer-Encoding", ())
        for coding in value.split(",")
    ]
    if codings and codings != ["chunked"]:
        return "only Transfer-Encoding: chunked is supported"
    return None


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests with one ``aiohttp.ClientSession`` (created on first use, in the
    running event loop). Bodies come back undecoded, as on httpx's own path (the client
    inflates them, within its bound: ``_io.BodyReader``).
    An attempt's deadline (``_transport.attempt_deadline``) bounds the request and each read of
    its body (an ``asyncio.timeout``)."""

    honours_attempt_deadline = True
    _closed: bool  # set by _open() (False) and aclose() (True)

    def __init__(self, *, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100)
        self._limit = limits.max_connections or 0  # aiohttp: 0 is "no limit"
        self._keepalive = limits.keepalive_expiry
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._closed = False  # opened again after aclose(): calls are the caller's again
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                keepalive_timeout=self._keepalive or 5.0,
                enable_cleanup_closed=_cleanup_closed(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                trace_configs=[_TRACE],
                max_line_size=HEAD_LIMIT,
                max_field_size=HEAD_LIMIT,
            )
            # aiohttp would send an idempotent request again at once when a kept-alive
            # connection drops (its test_utils turns this off too): not counted, not logged.
            self._session._retry_connection = False
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        phase = SimpleNamespace(connected=False)
        try:
            with _mapped(phase):
                async with asyncio.timeout(_transport.remaining(None)):
                    response = await self._open().request(
                        request.method,
                        str(request.url),
                        headers=list(request.headers.multi_items()),
                        data=body or None,
                        allow_redirects=False,
                        compress=False,
                        skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"),
                        timeout=aiohttp.ClientTimeout(  # no total: the deadline is ours, above
                            sock_connect=timeout.get("connect"),
                            sock_read=timeout.get("read"),
                            connect=timeout.get("pool"),
                        ),
                        trace_request_ctx=phase,
                    )
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._closed and task is not None and not task.cancelling():
                # aiohttp cancels what waits for a connection when it closes: nobody
                # cancelled this call, the client was closed (the caller sees UsageError).
                raise RuntimeError("the transport was closed") from None
            raise
        if problem := _framing_problem(response):
            response.close()  # its body is not read on (nor its connection reused, if held)
            raise httpx.RemoteProtocolError(problem, request=request)
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("ascii", "replace"),
            },
        )

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def abandon(self) -> None:
        """Forget the session, whose event loop has ended (nothing can be closed there any
        more): its connections are left to the garbage collector, which aiohttp would
        otherwise report as an unclosed session and connector, as errors."""
        session, self._session = self._session, None
        if session is not None:
            connector = session.connector
            session.detach()  # the session no longer owns it: no "Unclosed client session"
            if connector is not None:
                connector._closed = True  # as after close(): no "Unclosed connector"
