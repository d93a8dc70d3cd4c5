"""The clients compared, each doing the same three things in either API dialect.

``get_run`` (one run: in ``jobs`` the first page of the timer's results, where the run is
looked up), ``page`` (one page of 1000 runs) and ``iterate`` (every run of the chain of
pages, up to a total). Every peer keeps one connection alive across calls. What a peer's
methods return is what its user would work with: typed models for the facade, decoded JSON
for the others.

- ``facade``, ``facade async``: ``TimersClient`` / ``AsyncTimersClient`` (this library).
- ``httpx + json``, ``httpx + orjson``, ``httpx async + json``: raw httpx, hand-written URLs
  and paging loop, as a user without this library would write them.
- ``globus-sdk``: a ``globus_sdk.BaseClient`` subclass (what a Globus user would write).
- ``urllib3 + orjson``: the floor: the least a Python client can do per request.
- ``socket (server ceiling)``: not a client: a bare keep-alive socket that reads each answer
  by its ``Content-Length`` and decodes nothing, to show how fast the server alone can go.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import globus_sdk
import httpx
import orjson
import urllib3

from timers import AsyncTimersClient, TimersClient

TOKEN = "bench-token"  # noqa: S105 - any token: the benchmark servers accept all
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PAGE = 1000


@dataclass(frozen=True)
class Target:
    """Where one dialect is served, and which run ``get_run`` reads."""

    dialect: str  # "runs" or "jobs"
    root: str  # http://127.0.0.1:PORT
    timer_id: str
    run_id: str  # the facade's id of the run (in jobs: derived from the timer and start)
    run_start: str  # its start_timestamp: what raw code matches a jobs result on

    @property
    def base_url(self) -> str:
        return self.root + "/api/v1" if self.dialect == "runs" else self.root

    # What raw code has to spell out, per dialect: paths, query names, where items are.

    def run_path(self) -> str:
        if self.dialect == "runs":
            return f"/api/v1/timers/{self.timer_id}/runs/{self.run_id}"
        return f"/jobs/{self.timer_id}"

    def pick_run(self, data: Any) -> Any:
        if self.dialect == "runs":
            return data
        return next(r for r in data["results"]["data"] if r["start_timestamp"] == self.run_start)

    def page_request(self, size: int, marker: str | None) -> tuple[str, dict[str, Any]]:
        if self.dialect == "runs":
            params: dict[str, Any] = {"limit": size}
            if marker is not None:
                params["marker"] = marker
            return f"/api/v1/timers/{self.timer_id}/runs", params
        params = {"page_size": size}
        if marker is not None:
            params["results_pt"] = marker
        return f"/jobs/{self.timer_id}", params

    def page_items(self, data: Any) -> tuple[list[Any], str | None]:
        if self.dialect == "runs":
            return data["runs"], data["next_page"] if data["has_next_page"] else None
        results = data["results"]
        return results["data"], results.get("page_next")


class Peer:
    """A client under test. Each method does ``n`` operations and returns the seconds taken
    (async peers time themselves inside the event loop)."""

    name: str
    is_async = False

    def get_run_many(self, n: int) -> float:
        raise NotImplementedError

    def page_many(self, n: int) -> float:
        raise NotImplementedError

    def iterate(self, total: int) -> tuple[float, int]:
        """Seconds to go through ``total`` runs across pages, and how many were seen."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class SyncPeer(Peer):
    def get_run(self) -> object:
        raise NotImplementedError

    def page(self) -> object:
        raise NotImplementedError

    def iterate_runs(self, total: int) -> int:
        raise NotImplementedError

    def get_run_many(self, n: int) -> float:
        op = self.get_run
        start = time.perf_counter()
        for _ in range(n):
            op()
        return time.perf_counter() - start

    def page_many(self, n: int) -> float:
        op = self.page
        start = time.perf_counter()
        for _ in range(n):
            op()
        return time.perf_counter() - start

    def iterate(self, total: int) -> tuple[float, int]:
        start = time.perf_counter()
        count = self.iterate_runs(total)
        return time.perf_counter() - start, count


class RawSyncPeer(SyncPeer):
    """Raw code: ``fetch(path, params)`` returns the decoded body; the rest is shared."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def fetch(self, path: str, params: dict[str, Any] | None) -> Any:
        raise NotImplementedError

    def get_run(self) -> object:
        return self.target.pick_run(self.fetch(self.target.run_path(), None))

    def page(self) -> object:
        return self.fetch(*self.target.page_request(PAGE, None))

    def iterate_runs(self, total: int) -> int:
        count, marker, target = 0, None, self.target
        while count < total:
            items, marker = target.page_items(
                self.fetch(*target.page_request(min(PAGE, total - count), marker))
            )
            for _ in items[: total - count]:
                count += 1
            if marker is None:
                break
        return count


class Facade(SyncPeer):
    name = "facade"

    def __init__(self, target: Target) -> None:
        self.target = target
        self.client = TimersClient(TOKEN, base_url=target.base_url, api=target.dialect)

    def get_run(self) -> object:
        return self.client.get_run(self.target.timer_id, self.target.run_id)

    def page(self) -> object:
        return self.client.list_runs(self.target.timer_id, limit=PAGE)

    def iterate_runs(self, total: int) -> int:
        count = 0
        for _ in self.client.iter_runs(self.target.timer_id, page_size=PAGE, max_items=total):
            count += 1
        return count

    def close(self) -> None:
        self.client.close()


class HttpxJson(RawSyncPeer):
    name = "httpx + json"
    loads: Callable[[bytes], Any] = staticmethod(json.loads)

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.http = httpx.Client(base_url=target.root, headers=AUTH)

    def fetch(self, path: str, params: dict[str, Any] | None) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return self.loads(response.content)

    def close(self) -> None:
        self.http.close()


class HttpxOrjson(HttpxJson):
    name = "httpx + orjson"
    loads = staticmethod(orjson.loads)


class GlobusTimersClient(globus_sdk.BaseClient):
    """What a Globus user would write: a BaseClient subclass doing the same GETs."""

    service_name = "timer"

    def read(self, path: str, params: dict[str, Any] | None) -> Any:
        return self.get(path, query_params=params).data


class GlobusSdk(RawSyncPeer):
    name = "globus-sdk"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.client = GlobusTimersClient(
            base_url=target.root, authorizer=globus_sdk.AccessTokenAuthorizer(TOKEN)
        )

    def fetch(self, path: str, params: dict[str, Any] | None) -> Any:
        return self.client.read(path, params)

    def close(self) -> None:
        self.client.transport.session.close()


class Urllib3Orjson(RawSyncPeer):
    name = "urllib3 + orjson"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        host, port = target.root.removeprefix("http://").rsplit(":", 1)
        self.pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1, block=True, headers=AUTH)

    def fetch(self, path: str, params: dict[str, Any] | None) -> Any:
        response = self.pool.request("GET", path, fields=params, retries=False)
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
        return orjson.loads(response.data)

    def close(self) -> None:
        self.pool.close()


class SocketCeiling(SyncPeer):
    """The server's ceiling as seen from one bare socket: write a request head, read the
    answer by its ``Content-Length``, decode nothing. Paging follows the fixed server's
    markers (``o<offset>``) without reading the body."""

    name = "socket (server ceiling)"

    def __init__(self, target: Target) -> None:
        self.target = target
        host, port = target.root.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = bytearray()
        self.chunk = bytearray(1 << 20)
        run_path = target.run_path()
        self.run_request = self._head(run_path)
        self.page_request = self._head(self._target(*target.page_request(PAGE, None)))

    @staticmethod
    def _target(path: str, params: dict[str, Any]) -> str:
        return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())

    @staticmethod
    def _head(target: str) -> bytes:
        return (
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        ).encode()

    def exchange(self, request: bytes, answers: int = 1) -> int:
        """Send ``request``; read ``answers`` answers; return the last body's length."""
        self.sock.sendall(request)
        pending, sock = self.pending, self.sock
        chunk = memoryview(self.chunk)
        length = 0
        for _ in range(answers):
            while (end := pending.find(b"\r\n\r\n")) < 0:
                pending += chunk[: sock.recv_into(chunk)]
            head = bytes(pending[:end]).lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15 :].split(b"\r\n", 1)[0])
            whole = end + 4 + length
            while len(pending) < whole:
                pending += chunk[: sock.recv_into(chunk)]
            del pending[:whole]
        return length

    def get_run(self) -> object:
        return self.exchange(self.run_request)

    def page(self) -> object:
        return self.exchange(self.page_request)

    def iterate_runs(self, total: int) -> int:
        count, marker = 0, None
        while count < total:
            size = min(PAGE, total - count)
            self.exchange(self._head(self._target(*self.target.page_request(size, marker))))
            count += size
            marker = f"o{count}"
        return count

    def pipelined(self, n: int, depth: int) -> float:
        """Seconds for ``n`` get_run answers, ``depth`` requests written at a time."""
        batch = self.run_request * depth
        start = time.perf_counter()
        for _ in range(n // depth):
            self.exchange(batch, depth)
        return time.perf_counter() - start

    def close(self) -> None:
        self.sock.close()


# -- async peers: timed inside one event loop, shared by the whole benchmark --------------------


class AsyncPeer(Peer):
    is_async = True

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    async def get_run(self) -> object:
        raise NotImplementedError

    async def page(self) -> object:
        raise NotImplementedError

    async def iterate_runs(self, total: int) -> int:
        raise NotImplementedError

    def _timed(self, op: Callable[[], Awaitable[object]], n: int) -> float:
        async def many() -> float:
            start = time.perf_counter()
            for _ in range(n):
                await op()
            return time.perf_counter() - start

        return self.loop.run_until_complete(many())

    def get_run_many(self, n: int) -> float:
        return self._timed(self.get_run, n)

    def page_many(self, n: int) -> float:
        return self._timed(self.page, n)

    def iterate(self, total: int) -> tuple[float, int]:
        async def timed() -> tuple[float, int]:
            start = time.perf_counter()
            count = await self.iterate_runs(total)
            return time.perf_counter() - start, count

        return self.loop.run_until_complete(timed())


class AsyncFacade(AsyncPeer):
    name = "facade async"

    def __init__(self, target: Target, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.target = target
        self.client = AsyncTimersClient(TOKEN, base_url=target.base_url, api=target.dialect)

    async def get_run(self) -> object:
        return await self.client.get_run(self.target.timer_id, self.target.run_id)

    async def page(self) -> object:
        return await self.client.list_runs(self.target.timer_id, limit=PAGE)

    async def iterate_runs(self, total: int) -> int:
        count = 0
        pages = self.client.iter_runs(self.target.timer_id, page_size=PAGE, max_items=total)
        async for _ in pages:
            count += 1
        return count

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())


class AsyncHttpxJson(AsyncPeer):
    name = "httpx async + json"

    def __init__(self, target: Target, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.target = target
        self.http = httpx.AsyncClient(base_url=target.root, headers=AUTH)

    async def fetch(self, path: str, params: dict[str, Any] | None) -> Any:
        response = await self.http.get(path, params=params)
        response.raise_for_status()
        return json.loads(response.content)

    async def get_run(self) -> object:
        return self.target.pick_run(await self.fetch(self.target.run_path(), None))

    async def page(self) -> object:
        return await self.fetch(*self.target.page_request(PAGE, None))

    async def iterate_runs(self, total: int) -> int:
        count, marker, target = 0, None, self.target
        while count < total:
            data = await self.fetch(*target.page_request(min(PAGE, total - count), marker))
            items, marker = target.page_items(data)
            for _ in items[: total - count]:
                count += 1
            if marker is None:
                break
        return count

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())


SYNC_PEERS: tuple[type[SyncPeer], ...] = (Facade, HttpxJson, HttpxOrjson, GlobusSdk, Urllib3Orjson)
ASYNC_PEERS: tuple[type[AsyncPeer], ...] = (AsyncFacade, AsyncHttpxJson)
PEER_NAMES = (
    "facade",
    "facade async",
    "httpx + json",
    "httpx + orjson",
    "httpx async + json",
    "globus-sdk",
    "urllib3 + orjson",
)


def make_peers(target: Target, loop: asyncio.AbstractEventLoop) -> dict[str, Peer]:
    """Every peer for ``target``, by name, in ``PEER_NAMES`` order."""
    peers: dict[str, Peer] = {cls.name: cls(target) for cls in SYNC_PEERS}
    peers.update({cls.name: cls(target, loop) for cls in ASYNC_PEERS})
    return {name: peers[name] for name in PEER_NAMES}
