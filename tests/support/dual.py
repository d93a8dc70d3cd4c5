"""Run the same test through TimersClient and AsyncTimersClient.

``Dual("sync" | "async")`` builds a client whose methods are called the same way in both
modes: async methods run to completion on one event loop per test, and async iterators are
pulled one item at a time (so laziness and early ``break`` behave as in real async code).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from timers import AsyncTimersClient, TimersClient

TOKEN = "tok-SECRET-4f9c2b7e"
BASE_URL = "https://timer.automate.globus.org/api/v1"
TIMER_ID = "12345678-1234-1234-1234-123456789012"
RUN_ID = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"

TransportWrapper = Callable[[Any], Any]


class FakeClock:
    """A clock and sleep that never wait: ``sleep`` just moves ``now`` forward."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Dual:
    """Makes clients of one mode; ``mode`` is ``"sync"`` or ``"async"``."""

    def __init__(
        self, mode: str, *, wrap: TransportWrapper | None = None, api: str | None = None
    ) -> None:
        self.mode = mode
        self.api = api
        self.is_async = mode == "async"
        self.loop = asyncio.new_event_loop() if self.is_async else None
        self.clock = FakeClock()
        self._wrap = wrap
        self._clients: list[DualClient] = []
        self.validators: list[Any] = []  # the spec-validating transports handed out

    def client(
        self,
        transport: httpx.MockTransport | httpx.BaseTransport | None = None,
        *,
        handler: Callable[[httpx.Request], httpx.Response] | None = None,
        validate: bool = True,
        **kwargs: Any,
    ) -> DualClient:
        """A client over ``transport`` (or a MockTransport of ``handler``).

        Defaults: the test token, fake clock and sleep, and (with ``validate``) every exchange
        checked against the spec when a validating wrapper was given.
        """
        if handler is not None:
            transport = httpx.MockTransport(handler)
        if "authorizer" not in kwargs:
            kwargs.setdefault("access_token", TOKEN)
        if self.api is not None:
            kwargs.setdefault("api", self.api)
        kwargs.setdefault("clock", self.clock.time)
        if "http_client" not in kwargs and transport is not None:
            if validate and self._wrap is not None:
                transport = self._wrap(transport)
                self.validators.append(transport)
            if self.is_async:
                kwargs["http_client"] = httpx.AsyncClient(transport=transport)
            else:
                kwargs["http_client"] = httpx.Client(transport=transport)
        if self.is_async:
            kwargs.setdefault("sleep", self.clock.async_sleep)
            wrapped = DualClient(AsyncTimersClient(**kwargs), self)
        else:
            kwargs.setdefault("sleep", self.clock.sleep)
            wrapped = DualClient(TimersClient(**kwargs), self)
        self._clients.append(wrapped)
        return wrapped

    def run(self, awaitable: Any) -> Any:
        assert self.loop is not None
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        for c in self._clients:
            c.close()
        if self.loop is not None:
            self.loop.close()


class DualClient:
    """Calls a sync or async client the same way."""

    def __init__(self, client: TimersClient | AsyncTimersClient, dual: Dual) -> None:
        self.inner = client
        self._dual = dual

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not self._dual.is_async or not callable(attr):
            return attr
        if name in ("iter_runs", "iter_run_pages"):

            def iterate(*args: Any, **kwargs: Any) -> Iterator[Any]:
                return self._pull(attr(*args, **kwargs))

            return iterate

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._dual.run(attr(*args, **kwargs))

        return call

    def _pull(self, iterator: AsyncIterator[Any]) -> Iterator[Any]:
        while True:
            try:
                yield self._dual.run(iterator.__anext__())
            except StopAsyncIteration:
                return

    def close(self) -> None:
        if isinstance(self.inner, AsyncTimersClient):
            if self._dual.loop is not None and not self._dual.loop.is_closed():
                self._dual.run(self.inner.aclose())
        else:
            self.inner.close()
