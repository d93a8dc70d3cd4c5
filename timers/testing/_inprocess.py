"""The in-process transports: an ``Answerer``'s ``Reply``/``Drop`` as httpx and respx see them.

``InProcessService`` (a base of ``FakeTimersService``) gives the service ``handle()``,
``transport()`` and ``mock()``. ``service.handle()`` is ``respond``; ``service.transport()``
(an ``InProcessTransport``, an ``httpx.MockTransport``) and ``service.mock()`` (a respx router)
answer synchronous clients with ``respond`` and asynchronous ones with ``respond_async``,
which awaits the latency instead of blocking the event loop. The loopback server
(``_server``) is the other transport, over real sockets.

Every transport first has the request carried out, then waits out ``latency``, then hands
over the answer: a client that gives up during the wait does not know whether the request
took effect, as with a real slow service.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

import httpx

from timers import _transport
from timers._errors import MissingExtraError
from timers.testing._answering import Answerer
from timers.testing._checks import SecondsAttribute
from timers.testing._replies import DROP_MESSAGE, Drop, Reply

if TYPE_CHECKING:
    import respx

__all__ = [
    "ANY_PREFIX",
    "DEFAULT_BASE_URL",
    "DEFAULT_JOBS_BASE_URL",
    "InProcessService",
    "InProcessTransport",
    "Routing",
    "base_path_of",
    "respond",
    "respond_async",
    "respx_router",
]

# Set while respx answers an async client: its side effect then returns a coroutine to await.
_ANSWERING_ASYNC: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "timers_testing_answering_async", default=False
)


@dataclass(frozen=True, slots=True)
class Routing:
    """How a transport routes paths: ``base_path=None`` for any prefix (``handle()``), else
    the runs API under ``base_path`` and the jobs API under ``jobs_base_path`` (``mock()``)."""

    base_path: str | None = None
    jobs_base_path: str = ""


ANY_PREFIX: Final = Routing()
"""``handle()``'s routing: each API's paths after any prefix, so any base URL works."""


def _outcome(answerer: Answerer, request: httpx.Request, routing: Routing) -> Reply | Drop:
    return answerer.answer(
        request.method,
        request.url.raw_path.decode("ascii"),
        request.headers.get("authorization"),
        base_path=routing.base_path,
        jobs_base_path=routing.jobs_base_path,
    )


def _response(outcome: Reply | Drop, request: httpx.Request) -> httpx.Response:
    if isinstance(outcome, Drop):
        raise httpx.RemoteProtocolError(DROP_MESSAGE, request=request)
    return httpx.Response(
        outcome.status, headers=list(outcome.headers), content=outcome.body, request=request
    )


def respond(
    answerer: Answerer,
    request: httpx.Request,
    *,
    latency: float,
    sleep: Callable[[float], None],
    routing: Routing = ANY_PREFIX,
) -> httpx.Response:
    """The ``httpx.Response`` to ``request``: it is carried out, then ``sleep(latency)`` if
    ``latency > 0``, then answered; ``httpx.RemoteProtocolError`` for a ``Drop``."""
    request.read()
    outcome = _outcome(answerer, request, routing)
    if latency > 0:
        sleep(latency)
    return _response(outcome, request)


async def respond_async(
    answerer: Answerer,
    request: httpx.Request,
    *,
    latency: float,
    sleep: Callable[[float], None] | None,
    routing: Routing = ANY_PREFIX,
) -> httpx.Response:
    """As ``respond``, for an async client: the latency is ``await anyio.sleep(latency)``
    (asyncio or trio, as httpx; the event loop runs on, and the caller's deadline can cancel
    the wait), or ``sleep(latency)`` called as it is when one is given."""
    await request.aread()
    outcome = _outcome(answerer, request, routing)
    if latency > 0:
        if sleep is None:
            import anyio  # httpx's own dependency; here, not at the top: sync users skip it

            await anyio.sleep(latency)
        else:
            sleep(latency)
    return _response(outcome, request)


class InProcessTransport(httpx.MockTransport):
    """``service.transport()``: ``handler`` answers ``httpx.Client`` requests and
    ``async_handler`` (awaited) answers ``httpx.AsyncClient`` ones."""

    def __init__(
        self,
        handler: Callable[[httpx.Request], httpx.Response],
        async_handler: Callable[[httpx.Request], Awaitable[httpx.Response]],
    ) -> None:
        super().__init__(handler)
        self._async_handler = async_handler

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._async_handler(request)


def respx_router(
    base_urls: Sequence[str],
    handler: Callable[[httpx.Request], httpx.Response],
    async_handler: Callable[[httpx.Request], Awaitable[httpx.Response]],
) -> respx.MockRouter:
    """A respx router sending every request under any of ``base_urls`` (same scheme, host
    and port; the base URL's path itself or a path under it) to ``handler``, or, from an
    async client, to ``async_handler`` (awaited)."""
    try:
        import respx  # an optional dependency: only service.mock() needs it
    except ModuleNotFoundError:
        raise MissingExtraError("service.mock()", extra="testing", module="respx") from None

    class _Router(respx.MockRouter):
        def start(self) -> None:
            super().start()
            _MOCKING.append(self)
            if (aiohttp_mocker := _aiohttp_mocker()) is not None:
                aiohttp_mocker.start()

        def stop(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().stop(*args, **kwargs)
            finally:
                if self in _MOCKING:
                    _MOCKING.remove(self)
                aiohttp_mocker = _aiohttp_mocker()
                if not _MOCKING and aiohttp_mocker is not None:  # the last mock() is over
                    aiohttp_mocker.stop(force=True)  # (a respx router of yours may run on)

        async def async_handler(self, request: httpx.Request) -> httpx.Response:
            token = _ANSWERING_ASYNC.set(True)
            try:
                response: httpx.Response = await super().async_handler(request)
                return response
            finally:
                _ANSWERING_ASYNC.reset(token)

    def side_effect(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        return async_handler(request) if _ANSWERING_ASYNC.get() else handler(request)

    router = _Router(assert_all_called=False)
    for base_url in base_urls:
        url = httpx.URL(base_url)
        lookups: dict[str, Any] = {"scheme": url.scheme, "host": url.host}
        if url.port is not None:
            lookups["port"] = url.port
        if prefix := url.path.rstrip("/"):
            # A regex, not path__startswith: respx reads a prefix like "//api" as a URL.
            lookups["path__regex"] = f"^{re.escape(prefix)}(?:/|$)"
        router.route(**lookups).mock(side_effect=side_effect)
    return router


@functools.cache
def _aiohttp_mocker() -> Any:
    """respx patches httpcore, which ``http_backend="aiohttp"`` does not use: without this, a
    client on that backend would send to the real URL (and its token) under ``mock()``.
    While a ``mock()`` router runs, this respx mocker sends every request of the aiohttp
    transport to the routers of respx's default mocker (``mock()``'s, and any respx router
    of yours), as httpx's own transports are, within the attempt's deadline as the
    transport itself would be; None when aiohttp is not installed."""
    try:
        from timers._aiohttp import AiohttpTransport
    except MissingExtraError:
        return None
    from respx.mocks import HTTPCoreMocker, Mocker
    from respx.models import PassThrough

    class AiohttpMocker(Mocker):
        name = "timers-aiohttp"
        targets: ClassVar = [f"{AiohttpTransport.__module__}.{AiohttpTransport.__qualname__}"]
        target_methods: ClassVar = ["handle_async_request"]

        @classmethod
        def mock(cls, spec: Any) -> Any:
            async def handle_async_request(
                transport: AiohttpTransport, request: httpx.Request
            ) -> httpx.Response:
                await request.aread()
                answered: Any = cls.async_handler  # respx's routers, in turn
                try:
                    async with asyncio.timeout(_transport.remaining(None)):
                        response: httpx.Response = await answered(request)
                except PassThrough:  # a route of yours that lets the request through
                    response = await spec(transport, request)
                except TimeoutError:  # the latency outlasted the attempt, as the real one
                    raise httpx.ReadTimeout(_transport.ATTEMPT_OVER) from None
                return response

            return handle_async_request

    AiohttpMocker.routers = HTTPCoreMocker.routers  # the same list: the same routers
    return AiohttpMocker


_MOCKING: list[Any] = []  # the mock() routers started and not yet stopped


def base_path_of(base_url: str) -> str:
    """The percent-encoded path of ``base_url``, without a trailing slash or query."""
    return httpx.URL(base_url).raw_path.decode("ascii").partition("?")[0].rstrip("/")


DEFAULT_BASE_URL: Final = "https://timer.automate.globus.org/api/v1"
"""Where ``FakeTimersService.mock()`` answers the runs API by default."""

DEFAULT_JOBS_BASE_URL: Final = "https://timer.automate.globus.org"
"""Where ``FakeTimersService.mock()`` answers the jobs API by default (production's URL)."""


class InProcessService:
    """``handle()``, ``transport()`` and ``mock()``: the service answering in-process, through
    its ``Answerer``, after ``latency`` seconds."""

    _answerer: Answerer
    _sleep: Callable[[float], None] | None
    latency: SecondsAttribute = SecondsAttribute()

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request exactly as the spec says (the order of the checks: see
        ``timers.testing._service``); raise ``httpx.RemoteProtocolError`` for a dropped
        connection.

        Any URL prefix before ``/timers/...`` or ``/jobs/...`` is accepted, so any base URL
        works. The request is carried out first, then the answer waits ``latency`` seconds
        (with the ``sleep`` given to the constructor, else ``time.sleep``): a run is created
        even if the caller gives up during the wait.

        Example::

            response = service.handle(httpx.Request(
                "GET", f"https://example.org/api/v1/timers/{timer_id}/runs",
                headers={"Authorization": "Bearer test-token"}))
            assert response.status_code == 200
        """
        return self._handle(request, ANY_PREFIX)

    def transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` answering as ``handle()`` (any prefix): for
        ``httpx.Client`` and ``httpx.AsyncClient`` alike. For an ``AsyncClient`` the latency
        is awaited (``anyio.sleep``, under asyncio or trio, unless the constructor was given a
        ``sleep``), so the event loop is not blocked and the client's deadline can cancel the
        wait.

        Example::

            client = httpx.Client(transport=service.transport(), base_url=DEFAULT_BASE_URL)
            async_client = httpx.AsyncClient(transport=service.transport())
        """
        return InProcessTransport(self.handle, self._handle_async)

    def mock(
        self, base_url: str = DEFAULT_BASE_URL, *, jobs_base_url: str | None = DEFAULT_JOBS_BASE_URL
    ) -> respx.MockRouter:
        """A respx router answering every request under ``base_url`` (the runs API's) and
        under ``jobs_base_url`` (the jobs API's; ``None``: not routed) as ``serve()`` does:
        the runs API only right under the path of ``base_url``, the jobs API only right under
        the path of ``jobs_base_url`` (the root by default, and with ``None``), other paths
        404. Routing goes by path: a request under either base URL is answered by the API its
        path names (so with the jobs API at a host's root, the runs API also answers there,
        under its own path). Latency as in ``transport()`` (awaited for an async client).

        Needs respx (the ``timers-client[testing]`` extra). Other URLs are not mocked: respx
        refuses them. ``AsyncTimersClient(http_backend="aiohttp")`` is answered too (respx
        itself reaches only httpx's own transports). Use it as a context manager or a
        decorator. Raises ``ValueError`` for a
        base URL that is not an absolute ``http``/``https`` URL.

        Example::

            with service.mock():
                httpx.get(f"{DEFAULT_BASE_URL}/timers/{timer_id}/runs", headers=auth)
                httpx.get(f"{DEFAULT_JOBS_BASE_URL}/jobs/{timer_id}", headers=auth)
        """
        for name, url in (("base_url", base_url), ("jobs_base_url", jobs_base_url)):
            if url is not None and not _is_absolute_http_url(url):
                raise ValueError(f"{name} must be an absolute http(s) URL, got {url!r}")
        routing = Routing(
            base_path_of(base_url),
            "" if jobs_base_url is None else base_path_of(jobs_base_url),
        )
        bases = [base_url] if jobs_base_url is None else [base_url, jobs_base_url]
        return respx_router(
            bases,
            lambda request: self._handle(request, routing),
            lambda request: self._handle_async(request, routing),
        )

    def _handle(self, request: httpx.Request, routing: Routing) -> httpx.Response:
        sleep = time.sleep if self._sleep is None else self._sleep
        return respond(self._answerer, request, latency=self.latency, sleep=sleep, routing=routing)

    async def _handle_async(
        self, request: httpx.Request, routing: Routing = ANY_PREFIX
    ) -> httpx.Response:
        return await respond_async(
            self._answerer, request, latency=self.latency, sleep=self._sleep, routing=routing
        )


def _is_absolute_http_url(url: str) -> bool:
    try:
        parsed = httpx.URL(url)
    except (TypeError, httpx.InvalidURL):
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)
