"""A minimal loopback HTTP/1.1 server that replays fixed Timers bodies as fast as it can.

The client-side rows of ``benchmarks/bench.py`` run against this, so that they measure the
client and not the reference service. It is its own process, an asyncio ``Protocol`` with no
framework: every answer is precomputed at start, routing is a dictionary lookup on the raw
request target, and a response is two ``write`` calls (status line, headers and the small
head of the body; then the large shared tail). HTTP/1.1 keep-alive, ``Content-Length``
framing, pipelined requests, ``TCP_NODELAY``, a listen backlog of ``BACKLOG``.

What it serves (``build_fixture`` makes the bodies; the benchmark calls it too, for the
offline parse rows and to know the run ids). Every body is one the reference service
(``timers.testing``) wrote for a flow timer with 1000 past runs and a fixed clock, so it is
valid for its spec; only the paging fields (``total``/``has_next_page``/``next_page``,
``n_runs``/``results.page_next``) are set here, to chain the pages:

- ``GET /api/v1/timers/{timer}/runs/{run}``: that run (any of the 1000), else a 404 ``Error``.
- ``GET /api/v1/timers/{timer}/runs?limit=N&marker=M``: ``N`` runs (50 when absent; 50 or
  1000), chained by markers ``o<offset>`` over ``--total`` runs (the same 1000 runs repeat).
- ``GET /jobs/{timer}?page_size=N&results_pt=M``: the timer as a ``FlowTimerRead`` with ``N``
  results (50 when absent; 50 or 1000), chained the same way through ``results.page_next``.

Any token is accepted. ``--latency`` adds that many seconds before every answer of a second
listener (for the fan-out rows), without blocking the first.

Usage: ``fixed_server.py --total 100000 [--latency 0.02]``. It prints the base URL of its
listener (then that of the slow one, with ``--latency``), one a line, and serves until stdin
closes. Control lines on stdin: ``reset`` (zero the counters), ``stats`` (print one JSON line:
``accepted`` connections, connections ``used`` by at least one request, ``requests``, and the
server's own ``cpu`` seconds, since the last reset).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TIMER_ID = "87654321-4321-4321-4321-210987654321"
RUNS = 1000  # distinct runs in the fixture (the largest page)
PAGE_SIZES = (50, 1000)
DEFAULT_PAGE_SIZE = 50  # as the reference service (spec: not published for jobs)
BACKLOG = 2048
_CLOCK = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
_RUNS_PREFIX = f"/api/v1/timers/{TIMER_ID}/runs"
_JOBS_PREFIX = f"/jobs/{TIMER_ID}"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Fixture:
    """The reference service's bodies for one timer with ``RUNS`` runs, decoded."""

    runs: list[dict[str, Any]]  # runs API: TimerRun objects, newest first
    job: dict[str, Any]  # jobs API: FlowTimerRead without its results
    results: list[dict[str, Any]]  # jobs API: the same runs as results, newest first

    @property
    def run_ids(self) -> list[str]:
        return [run["id"] for run in self.runs]

    def page_parts(self, dialect: str, size: int, offset: int, total: int) -> tuple[bytes, bytes]:
        """The body of the page at ``offset`` (of ``total``) in pages of ``size``, as a small
        head (the paging fields) and a large tail (the runs, shared by every page)."""
        following = f"o{offset + size}" if offset + size < total else None
        if dialect == "runs":
            head = _dumps(
                {"total": total, "has_next_page": following is not None, "next_page": following}
            )
            return head[:-1] + b',"runs":', _dumps(self.runs[:size]) + b"}"
        job = _dumps({**self.job, "n_runs": total})
        head = job[:-1] + b',"results":{"page_next":' + _dumps(following) + b',"data":'
        return head, _dumps(self.results[:size]) + b"}}"

    def page_body(
        self, dialect: str, size: int = RUNS, offset: int = 0, total: int = RUNS
    ) -> bytes:
        """One page's whole body (what the server sends for it)."""
        head, tail = self.page_parts(dialect, size, offset, total)
        return head + tail


def build_fixture() -> Fixture:
    """The bodies the reference service writes for a flow timer with ``RUNS`` past runs,
    at a fixed time and seed (the same bytes on every call)."""
    from timers.testing import FakeTimersService

    service = FakeTimersService(tokens=["fixture"], seed=1, clock=lambda: _CLOCK)
    service.add_timer(TIMER_ID, callback="flow")
    service.seed_history(TIMER_ID, RUNS, failure_rate=0.2)
    answer = service.answerer.answer
    runs = answer("GET", f"{_RUNS_PREFIX}?limit={RUNS}", "Bearer fixture", base_path="/api/v1")
    job = answer("GET", f"{_JOBS_PREFIX}?page_size={RUNS}", "Bearer fixture", base_path="/api/v1")
    runs_page, job_page = json.loads(runs.body), json.loads(job.body)  # type: ignore[union-attr]
    results = job_page.pop("results")["data"]
    assert len(runs_page["runs"]) == RUNS
    assert len(results) == RUNS
    return Fixture(runs=runs_page["runs"], job=job_page, results=results)


# -- serving ----------------------------------------------------------------------------------


def _response(status: str, parts: tuple[bytes, ...]) -> tuple[bytes, ...]:
    length = sum(len(part) for part in parts)
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    return (head + parts[0], *parts[1:])


def _query(target: str) -> tuple[str, dict[str, str]]:
    path, _, query = target.partition("?")
    params = dict(pair.partition("=")[::2] for pair in query.split("&") if pair)
    return path, params


class Answers:
    """Every answer, keyed by request target (computed once per target, then looked up)."""

    def __init__(self, fixture: Fixture, total: int) -> None:
        self._by_target: dict[bytes, tuple[bytes, ...]] = {}
        self._runs = {run["id"]: _response("200 OK", (_dumps(run),)) for run in fixture.runs}
        self._pages: dict[tuple[str, int, int], tuple[bytes, ...]] = {}
        for dialect in ("runs", "jobs"):
            for size in PAGE_SIZES:
                tail = fixture.page_parts(dialect, size, 0, total)[1]
                for offset in range(0, total, size):
                    head, _ = fixture.page_parts(dialect, size, offset, total)
                    self._pages[dialect, size, offset] = _response("200 OK", (head, tail))
        self._not_found = _response(
            "404 Not Found", (_dumps({"code": "NOT_FOUND", "message": "no such path"}),)
        )
        self._bad = _response(
            "400 Bad Request",
            (_dumps({"code": "INVALID_PARAMETER", "message": "unsupported page size or marker"}),),
        )

    def __call__(self, target: bytes) -> tuple[bytes, ...]:
        found = self._by_target.get(target)
        if found is None:
            found = self._route(target.decode("latin-1"))
            if len(self._by_target) < 100_000:
                self._by_target[target] = found
        return found

    def _route(self, target: str) -> tuple[bytes, ...]:
        path, params = _query(target)
        if path == _RUNS_PREFIX:
            return self._page("runs", params.get("limit"), params.get("marker"))
        if path.startswith(_RUNS_PREFIX + "/"):
            return self._runs.get(path[len(_RUNS_PREFIX) + 1 :], self._not_found)
        if path == _JOBS_PREFIX:
            return self._page("jobs", params.get("page_size"), params.get("results_pt"))
        return self._not_found

    def _page(self, dialect: str, size: str | None, marker: str | None) -> tuple[bytes, ...]:
        try:
            key = (
                dialect,
                DEFAULT_PAGE_SIZE if size is None else int(size),
                0 if marker is None else int(marker.removeprefix("o")),
            )
        except ValueError:
            return self._bad
        return self._pages.get(key, self._bad)


class Counters:
    def __init__(self) -> None:
        self.generation = 0
        self.reset()

    def reset(self) -> None:
        self.generation += 1
        self.accepted = self.used = self.requests = 0
        self.cpu = time.process_time()


class Replay(asyncio.Protocol):
    """One connection: parse request heads, write the precomputed answers in order."""

    __slots__ = ("_answers", "_buffer", "_counters", "_generation", "_latency", "_queue", "_tx")

    def __init__(self, answers: Answers, counters: Counters, latency: float) -> None:
        self._answers = answers
        self._counters = counters
        self._latency = latency
        self._buffer = b""
        self._generation = 0
        self._queue: collections.deque[tuple[bytes, ...]] = collections.deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._tx: asyncio.Transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._counters.accepted += 1

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        start = 0
        while True:
            end = buffer.find(b"\r\n\r\n", start)
            if end < 0:
                break
            line_end = buffer.find(b"\r\n", start)
            method, target, _ = buffer[start:line_end].split(b" ", 2)
            start = end + 4
            if method != b"GET":  # no operation here has a body; skip one if it is sent
                head = buffer[line_end:end].lower()
                at = head.find(b"\ncontent-length:")
                if at >= 0:
                    start += int(head[at + 16 :].split(b"\r", 1)[0])
            self._answer(target)
        self._buffer = buffer[start:]

    def _answer(self, target: bytes) -> None:
        counters = self._counters
        counters.requests += 1
        if self._generation != counters.generation:
            self._generation = counters.generation
            counters.used += 1
        parts = self._answers(target)
        if self._latency:
            self._queue.append(parts)
            asyncio.get_running_loop().call_later(self._latency, self._send_next)
        else:
            for part in parts:
                self._tx.write(part)

    def _send_next(self) -> None:
        if self._queue:  # empty once the connection is lost
            parts = self._queue.popleft()
            if not self._tx.is_closing():
                for part in parts:
                    self._tx.write(part)

    def connection_lost(self, exc: Exception | None) -> None:
        self._queue.clear()


def _control(loop: asyncio.AbstractEventLoop, counters: Counters, stop: asyncio.Event) -> None:
    """Read control lines from stdin (in a thread); act on them in the event loop."""

    def handle(line: str) -> None:
        if line == "reset":
            counters.reset()
        elif line == "stats":
            stats = {"accepted": counters.accepted, "used": counters.used}
            stats.update(requests=counters.requests, cpu=time.process_time() - counters.cpu)
            print(json.dumps(stats), flush=True)

    for line in sys.stdin:
        loop.call_soon_threadsafe(handle, line.strip())
    loop.call_soon_threadsafe(stop.set)


async def serve(total: int, latency: float) -> None:
    answers = Answers(build_fixture(), total)
    counters = Counters()
    gc.collect()
    gc.freeze()  # everything built so far lives as long as the process
    loop = asyncio.get_running_loop()
    servers = []
    for delay in (0.0, latency) if latency else (0.0,):
        server = await loop.create_server(
            lambda delay=delay: Replay(answers, counters, delay),
            "127.0.0.1",
            0,
            backlog=BACKLOG,
            reuse_address=True,
        )
        servers.append(server)
        print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    threading.Thread(target=_control, args=(loop, counters, stop), daemon=True).start()
    await stop.wait()
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--total", type=int, default=100_000, help="runs in a chain of pages")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds, second listener")
    args = parser.parse_args()
    if args.total <= 0 or args.total % max(PAGE_SIZES):
        parser.error(f"--total must be a positive multiple of {max(PAGE_SIZES)}")
    asyncio.run(serve(args.total, args.latency))


if __name__ == "__main__":
    main()
