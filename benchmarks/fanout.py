"""Async fan-out: many ``get_run`` calls at once against a server that answers each after a
fixed latency (the fixed server's second listener).

For each variant, in a fresh event loop and client: the calls one after another
(``sequential``), then for each concurrency bound ``width``: ``width`` calls at once to open
the connections the pool keeps, then, timed, an ``asyncio.gather`` of all the calls behind an
``asyncio.Semaphore(width)``. The speedup
is sequential / gathered, from the same round. A sequential run takes calls x latency (over
4 s for 200 x 20 ms), so only three are measured: the facade on httpx, the facade on aiohttp
and raw aiohttp. The other httpx variants (other pool limits; raw httpx) are divided by the
facade-on-httpx figure of the same round (``Variant.sequential``): with one request in flight
a pool's limits do not matter, and that figure is dominated by the latency.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from peers import AUTH, TOKEN

from timers import AsyncTimersClient

Get = Callable[[str], Awaitable[object]]
Opener = Callable[[str, str], AbstractAsyncContextManager[Get]]


@dataclass(frozen=True)
class Variant:
    name: str
    open: Opener  # (root URL, timer id) -> an async context yielding get(run_id)
    sequential: str  # whose sequential figure is this variant's denominator


def facade(**kwargs: Any) -> Opener:
    """The facade, created with ``kwargs`` (an ``http_client`` given is closed after)."""

    @asynccontextmanager
    async def open_(root: str, timer_id: str) -> AsyncIterator[Get]:
        http = kwargs.get("http_client")
        try:
            async with AsyncTimersClient(TOKEN, base_url=root + "/api/v1", **kwargs) as client:

                async def get(run_id: str) -> object:
                    return await client.get_run(timer_id, run_id)

                yield get
        finally:
            if http is not None:
                await http.aclose()

    return open_


def facade_with_limits(connections: int) -> Opener:
    """The facade on an ``httpx.AsyncClient`` whose pool keeps ``connections`` alive."""

    @asynccontextmanager
    async def open_(root: str, timer_id: str) -> AsyncIterator[Get]:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with facade(http_client=httpx.AsyncClient(limits=limits))(root, timer_id) as get:
            yield get

    return open_


@asynccontextmanager
async def raw_aiohttp(root: str, timer_id: str) -> AsyncIterator[Get]:
    """aiohttp with no connection limit and ``json.loads``: the ceiling."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, headers=AUTH) as session:

        async def get(run_id: str) -> object:
            url = f"{root}/api/v1/timers/{timer_id}/runs/{run_id}"
            async with session.get(url) as response:
                if response.status != 200:
                    raise RuntimeError(f"{url}: {response.status}")
                return json.loads(await response.read())

        yield get


@asynccontextmanager
async def raw_httpx(root: str, timer_id: str) -> AsyncIterator[Get]:
    """httpx with its default pool and ``json.loads``: what the facade runs on."""
    async with httpx.AsyncClient(headers=AUTH) as http:

        async def get(run_id: str) -> object:
            response = await http.get(f"{root}/api/v1/timers/{timer_id}/runs/{run_id}")
            response.raise_for_status()
            return json.loads(response.content)

        yield get


FACADE_HTTPX = "facade, httpx default pool"
FACADE_AIOHTTP = 'facade, http_backend="aiohttp"'
RAW_AIOHTTP = "raw aiohttp + json (ceiling)"
RAW_HTTPX = "raw httpx + json, default pool"
POOL_CANDIDATES = (10, 20, 50)


def tuned_name(connections: int) -> str:
    return f"facade, httpx Limits({connections})"


def variants() -> list[Variant]:
    found = [
        Variant(FACADE_HTTPX, facade(), FACADE_HTTPX),
        Variant(FACADE_AIOHTTP, facade(http_backend="aiohttp"), FACADE_AIOHTTP),
        Variant(RAW_AIOHTTP, raw_aiohttp, RAW_AIOHTTP),
    ]
    found.append(Variant(RAW_HTTPX, raw_httpx, FACADE_HTTPX))
    found += [Variant(tuned_name(n), facade_with_limits(n), FACADE_HTTPX) for n in POOL_CANDIDATES]
    return found


async def bounded(get: Get, run_ids: Sequence[str], width: int) -> float:
    """Seconds to ``get`` every run, at most ``width`` at a time, with ``asyncio.gather``."""
    gate = asyncio.Semaphore(width)

    async def one(run_id: str) -> None:
        async with gate:
            await get(run_id)

    start = time.perf_counter()
    await asyncio.gather(*(one(run_id) for run_id in run_ids))
    return time.perf_counter() - start


async def measure(
    variant: Variant,
    root: str,
    timer_id: str,
    run_ids: Sequence[str],
    concurrencies: Sequence[int],
) -> dict[str, float]:
    """One round of one variant: ``sequential`` (if it owns that figure) and each width."""
    out: dict[str, float] = {}
    async with variant.open(root, timer_id) as get:
        await get(run_ids[0])
        if variant.sequential == variant.name:
            start = time.perf_counter()
            for run_id in run_ids:
                await get(run_id)
            out["sequential"] = time.perf_counter() - start
        for width in concurrencies:
            await bounded(get, run_ids[:width], width)  # open the connections a pool keeps
            out[str(width)] = await bounded(get, run_ids, width)
    return out


def run_round(
    variant: Variant,
    root: str,
    timer_id: str,
    run_ids: Sequence[str],
    concurrencies: Sequence[int],
) -> dict[str, float]:
    return asyncio.run(measure(variant, root, timer_id, run_ids, concurrencies))
