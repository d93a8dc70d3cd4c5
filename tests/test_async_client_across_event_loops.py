"""An ``AsyncTimersClient`` used in one event loop after another, as frameworks that run each
call in a new loop use it (Django's ``asgiref.async_to_sync``, Starlette's ``TestClient``
without ``with``, pytest-asyncio's per-test loops): once the loop its connections belonged to
has ended, a client the library created gets new connections in the next loop, for itself
and for its ``with_options`` twins, and can be closed there. An ``http_client`` of yours is
not renewed (the error says so), and a loop that is still running is never given up on.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import warnings
from typing import Any

import httpx
import pytest
from support.bodies import run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.hostile import HostileServer, each_request, json_response

from timers import AsyncTimersClient, UsageError


def _answering() -> HostileServer:
    return HostileServer(
        each_request(lambda request, conn: conn.send(json_response(200, run_json())))
    )


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_each_new_loop_after_the_last_one_ended_gets_new_connections(
    backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    if backend == "aiohttp":
        pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")
    with _answering() as server, warnings.catch_warnings():
        # The old loop's connections are left to the garbage collector (aiohttp says so).
        warnings.simplefilter("ignore", ResourceWarning)
        client = AsyncTimersClient(TOKEN, base_url=server.base_url, http_backend=backend)  # type: ignore[arg-type]
        twin = client.with_options(max_retries=1)

        async def get(which: AsyncTimersClient) -> str:
            return (await which.get_run(TIMER_ID, RUN_ID)).id

        assert asyncio.run(get(client)) == RUN_ID
        assert server.connections == 1
        assert asyncio.run(get(client)) == RUN_ID  # a new loop: a new connection
        assert asyncio.run(get(twin)) == RUN_ID  # the twin shares the renewed pool
        assert server.connections == 3
        asyncio.run(client.aclose())  # in yet another loop: closes, does not raise
        gc.collect()  # the old loops' sessions, if any: not reported as errors
    assert len(server.requests) == 3
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_an_http_client_of_yours_is_not_renewed_and_the_error_says_so() -> None:
    with _answering() as server:
        mine = httpx.AsyncClient()
        client = AsyncTimersClient(TOKEN, base_url=server.base_url, http_client=mine)

        async def get() -> Any:
            return await client.get_run(TIMER_ID, RUN_ID)

        asyncio.run(get())
        with pytest.raises(UsageError, match=r"http_client \(yours\) was used in an event loop"):
            asyncio.run(get())


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_a_client_closed_in_an_ended_loop_says_so_in_the_next_and_opens_nothing(
    backend: str,
) -> None:
    if backend == "aiohttp":
        pytest.importorskip("aiohttp", reason="the aiohttp extra is not installed")
    with _answering() as server:
        client = AsyncTimersClient(TOKEN, base_url=server.base_url, http_backend=backend)  # type: ignore[arg-type]

        async def get_then_close() -> None:
            await client.get_run(TIMER_ID, RUN_ID)
            await client.aclose()

        asyncio.run(get_then_close())
        transport = client._http._transport

        async def get() -> Any:
            return await client.get_run(TIMER_ID, RUN_ID)

        with pytest.raises(UsageError, match="this client is closed"):
            asyncio.run(get())
        asyncio.run(client.aclose())  # closing again, in a third loop: nothing to do
        assert client._http._transport is transport  # no new pool for a closed client
    assert server.connections == 1


def test_a_loop_still_running_elsewhere_keeps_the_client() -> None:
    with _answering() as server:
        client = AsyncTimersClient(TOKEN, base_url=server.base_url)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        try:
            get = client.get_run(TIMER_ID, RUN_ID)
            asyncio.run_coroutine_threadsafe(get, loop).result(30)  # bound to that loop

            async def elsewhere() -> Any:
                return await client.get_run(TIMER_ID, RUN_ID)

            with pytest.raises(UsageError, match="bound to another event loop"):
                asyncio.run(elsewhere())
            asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(30)
            loop.close()
