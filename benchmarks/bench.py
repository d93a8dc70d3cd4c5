"""Benchmarks: the client against its peers, close to the wire.

Run with ``scripts/bench`` (2 to 4 minutes), ``scripts/bench --quick`` (a smoke run of every
row with tiny sizes, about half a minute) or ``scripts/bench --profile``
(``benchmarks/profiles.md``).

- **Client-side rows** run against ``fixed_server.py``: a separate process replaying fixed,
  spec-valid bodies, far faster than any client (the ``socket (server ceiling)`` rows show
  how far). The facade (sync and async), raw httpx with ``json`` or orjson, raw async httpx,
  a globus-sdk ``BaseClient`` subclass and urllib3 + orjson (the floor) are measured side by
  side, in both API dialects: ``get_run``, one 1000-run page, ``iter_runs`` over the whole
  chain of pages (runs/s, connections used, tracemalloc peak growth).
- **End-to-end rows** run against the reference service (``server.py``).
- **Parsing** offline, µs per run, on the same 1000-run bodies the fixed server sends.
- **Async fan-out** against the fixed server's delayed listener.
- **Import time** in fresh interpreters.

Every figure is the median of at least three rounds that alternate between the variants (see
``measure.py``), with min and max. It all goes to ``benchmarks/results.json`` (every round,
the machine) and ``benchmarks/results.md`` (generated tables), and the tables are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import fanout
import fixed_server
import globus_sdk
import httpx
import measure
import orjson
import parse_floor
import peers
from fixed_server import RUNS, TIMER_ID
from peers import AUTH, TOKEN, Peer, SocketCeiling, Target
from report import FIXED, FIXED_LATENCY, INTERPRETER, OFFLINE, REFERENCE, Results, row_id

import timers
from timers import TimersClient

HERE = Path(__file__).resolve().parent
DIALECTS = ("runs", "jobs")
WIDTHS = (10, 50, 200)
CEILING = SocketCeiling.name
PIPELINED = "socket, 16 pipelined (server ceiling)"
FLOOR = peers.Urllib3Orjson.name
FLOOR_PARSE = "floor: strict checks only, no models (parse_floor.py)"
MEMORY_PEERS = ("facade",)

FULL = {
    "total": 100_000,  # runs (results) in the chain iter_runs goes through
    "memory_small": 10_000,  # the smaller total of the memory rows
    "get_calls": 200,
    "page_calls": 10,
    "rounds": 5,
    "iter_rounds": 3,
    "fanout_calls": 200,
    "latency_ms": 20,
    "fanout_rounds": 3,
    "import_rounds": 9,
    "parse_pages": 10,
    "e2e_get_calls": 100,
    "e2e_page_calls": 5,
    "e2e_rounds": 3,
    "summary_runs": 1_000_000,
    "summary_rounds": 3,
    "client_makes": 100,
}
QUICK = {  # every row, three rounds each, as little work as that allows
    **FULL,
    "total": 3_000,
    "memory_small": 1_000,
    "get_calls": 10,
    "page_calls": 1,
    "rounds": 3,
    "fanout_calls": 10,
    "latency_ms": 2,
    "import_rounds": 3,
    "parse_pages": 1,
    "e2e_get_calls": 5,
    "e2e_page_calls": 1,
    "summary_runs": 10_000,
    "client_makes": 10,
}

# Targets (from the issue "Close to the wire: an honest benchmark").
PAGE_RATIO_TARGET = ("<=", 1.3)
ITER_TARGET = (">=", 65_000.0)
FANOUT_TARGETS = {50: (">=", 40.0), 200: (">=", 50.0)}
IMPORT_TARGET = ("<=", 1.15)
MAKE_TARGET = ("<=", 0.1)  # a client per request must cost next to nothing (it cost 1.0)
MEMORY_FLAT_TARGET = ("<=", 1.5)  # peak growth at the full total / at a tenth of it


_T0 = time.perf_counter()


def progress(message: str) -> None:
    print(f"-- {time.perf_counter() - _T0:5.1f} s  {message}", file=sys.stderr, flush=True)


def make_target(dialect: str, root: str) -> Target:
    """The dialect's target on the server at ``root``: the run ``get_run`` reads is the
    newest (the first of the first page), by the facade's id and by its raw start time."""
    base = root + "/api/v1" if dialect == "runs" else root
    with TimersClient(TOKEN, base_url=base, api=dialect) as client:
        first = client.list_runs(TIMER_ID, limit=50).runs[0]
    probe = Target(dialect, root, TIMER_ID, first.id, "")
    path, params = probe.page_request(50, None)
    items, _ = probe.page_items(httpx.get(root + path, params=params, headers=AUTH).json())
    start = items[0]["start_time" if dialect == "runs" else "start_timestamp"]
    return Target(dialect, root, TIMER_ID, first.id, start)


def per_call(fn: Callable[[int], float], n: int, scale: float) -> Callable[[], float]:
    """A variant: ``fn(n)`` seconds, reported per operation times ``scale``."""
    return lambda: fn(n) / n * scale


# -- client side: the fixed server ------------------------------------------------------------


def client_rows(
    results: Results,
    server: measure.ServerProcess,
    sizes: dict[str, Any],
    loop: asyncio.AbstractEventLoop,
) -> None:
    root = server.urls[0]
    for dialect in DIALECTS:
        target = make_target(dialect, root)
        clients: dict[str, Peer] = {
            **peers.make_peers(target, loop),
            CEILING: SocketCeiling(target),
        }
        pipelined = SocketCeiling(target)
        try:
            for peer in clients.values():  # connect, and warm every code path
                peer.get_run_many(3)
                peer.page_many(1)
                peer.iterate(2 * peers.PAGE)
            pipelined.pipelined(160, 16)
            _get_and_page(results, FIXED, dialect, clients, sizes, pipelined, server)
            _iterate(results, dialect, clients, server, sizes)
            _memory(results, dialect, clients, sizes)
        finally:
            for peer in [*clients.values(), pipelined]:
                peer.close()
        _client_ratios(results, dialect, sizes)


def _get_and_page(
    results: Results,
    server: str,
    dialect: str,
    clients: dict[str, Peer],
    sizes: dict[str, Any],
    pipelined: SocketCeiling | None = None,
    process: measure.ServerProcess | None = None,
) -> None:
    """get_run and one page, per peer; with ``process`` (the fixed server), also the server's
    own CPU time per answer, from its counters."""
    prefix = "" if server == FIXED else "e2e_"
    n, pages, count = sizes[prefix + "get_calls"], sizes[prefix + "page_calls"], sizes["rounds"]
    if server == REFERENCE:
        count = sizes["e2e_rounds"]
    cpu: dict[str, list[float]] = {}

    def accounted(name: str, ops: int, variant: Callable[[], float]) -> Callable[[], float]:
        if process is None:
            return variant

        def run() -> float:
            process.command("reset")
            value = variant()
            stats = process.command("stats")
            assert stats is not None
            cpu.setdefault(name, []).append(stats["cpu"] / ops * 1e6)
            return value

        return run

    def add(section: str, unit: str, values: dict[str, list[float]]) -> None:
        for name, rounds in values.items():
            extra = {"server_cpu_us_per_answer": cpu[name]} if name in cpu else {}
            results.add(section, server, dialect, name, unit, rounds, **extra)

    progress(f"get_run, {server} server, {dialect}")
    variants = {
        name: accounted(name, n, per_call(p.get_run_many, n, 1e3)) for name, p in clients.items()
    }
    if pipelined is not None:
        batch = partial(pipelined.pipelined, depth=16)
        variants[PIPELINED] = accounted(PIPELINED, 16 * n, per_call(batch, 16 * n, 1e3))
    add("get_run", "ms/call", measure.rounds(variants, count=count))
    cpu.clear()
    progress(f"list_runs, one page of {peers.PAGE}, {server} server, {dialect}")
    variants = {
        name: accounted(name, pages, per_call(p.page_many, pages, 1e3))
        for name, p in clients.items()
    }
    add("list_runs page", "ms/page", measure.rounds(variants, count=count))


def _iterate(
    results: Results,
    dialect: str,
    clients: dict[str, Peer],
    server: measure.ServerProcess,
    sizes: dict[str, Any],
) -> None:
    total = sizes["total"]
    progress(f"iter_runs over {total:,}, fixed server, {dialect}")
    used: dict[str, list[int]] = {name: [] for name in clients}
    opened: dict[str, list[int]] = {name: [] for name in clients}

    cpu: dict[str, list[float]] = {name: [] for name in clients}
    server_cpu: dict[str, list[float]] = {name: [] for name in clients}

    def one(name: str, peer: Peer) -> float:
        server.command("reset")
        cpu_start = time.process_time()
        seconds, count = peer.iterate(total)
        cpu[name].append(total / (time.process_time() - cpu_start))
        stats = server.command("stats")
        assert stats is not None
        assert count == total, (name, count, total)
        used[name].append(stats["used"])
        opened[name].append(stats["accepted"])
        server_cpu[name].append(stats["cpu"] / total * 1e6)
        return total / seconds

    variants = {name: partial(one, name, peer) for name, peer in clients.items()}
    for name, values in measure.rounds(variants, count=sizes["iter_rounds"]).items():
        results.add(
            "iter_runs",
            FIXED,
            dialect,
            name,
            "runs/s",
            values,
            connections_used=used[name],
            connections_opened=opened[name],
            runs_per_cpu_second=cpu[name],
            server_cpu_us_per_run=server_cpu[name],
        )


def _traced_growth(peer: Peer, total: int) -> float:
    """MiB: tracemalloc's peak while iterating ``total`` runs, above where it started."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        peer.iterate(total)
        return (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        tracemalloc.stop()


def _memory(
    results: Results, dialect: str, clients: dict[str, Peer], sizes: dict[str, Any]
) -> None:
    small, total = sizes["memory_small"], sizes["total"]
    progress(f"paging memory at {small:,} and {total:,} runs, {dialect}")
    # The sync facade only: tracing costs 5-10x (minutes at these totals), and the async
    # client pages with the same code (_sync_client is generated from _async_client).
    variants = {
        f"{name}, {n:,} runs": partial(_traced_growth, clients[name], n)
        for name in MEMORY_PEERS
        for n in (small, total)
    }
    rounds = measure.rounds(variants, count=sizes["iter_rounds"])
    results.add_rounds("paging memory", FIXED, dialect, "MiB", rounds)


def _client_ratios(results: Results, dialect: str, sizes: dict[str, Any]) -> None:
    def rid(section: str, variant: str) -> str:
        return row_id(section, FIXED, dialect, variant)

    results.ratio(
        f"1000-run page: facade / (httpx + json) ({dialect})",
        FIXED,
        rid("list_runs page", "facade"),
        rid("list_runs page", "httpx + json"),
        target=PAGE_RATIO_TARGET,
    )
    for name in ("facade", "facade async"):
        row = results.rows[rid("iter_runs", name)]
        results.target(
            f"iter_runs over the chain, {name} ({dialect})",
            FIXED,
            row["rounds"],
            ITER_TARGET,
            unit="runs/s",
            of=row["id"],
        )
        results.target(
            f"iter_runs TCP connections used, {name} ({dialect})",
            FIXED,
            row["connections_used"],
            ("==", 1),
            unit="",
            of=row["id"],
        )
    for name in MEMORY_PEERS:
        small, total = (
            results.rows[rid("paging memory", f"{name}, {n:,} runs")]["rounds"]
            for n in (sizes["memory_small"], sizes["total"])
        )
        results.target(
            f"paging memory flat, {name}: peak growth at {sizes['total']:,} / at "
            f"{sizes['memory_small']:,} runs ({dialect})",
            FIXED,
            measure.ratio_rounds(total, small),
            MEMORY_FLAT_TARGET,
            unit="x",
        )
    pairs = [
        ("get_run", "facade", "httpx + json"),
        ("get_run", "facade", "globus-sdk"),
        ("get_run", "facade async", "httpx async + json"),
        ("get_run", "facade", FLOOR),
        ("list_runs page", "facade async", "httpx async + json"),
        ("list_runs page", "facade", "globus-sdk"),
        ("list_runs page", "facade", FLOOR),
    ]
    for section, top, bottom in pairs:
        results.ratio(
            f"{section}: {top} / {bottom} ({dialect})",
            FIXED,
            rid(section, top),
            rid(section, bottom),
        )
    # The server's headroom: how many times faster it answers than the floor client goes.
    for section, ceiling in (
        ("get_run", CEILING),
        ("get_run", PIPELINED),
        ("list_runs page", CEILING),
    ):
        results.ratio(
            f"server headroom, {section}: {FLOOR} / {ceiling}, time ({dialect})",
            FIXED,
            rid(section, FLOOR),
            rid(section, ceiling),
        )
    results.ratio(
        f"server headroom, iter_runs: {CEILING} / {FLOOR}, runs/s ({dialect})",
        FIXED,
        rid("iter_runs", CEILING),
        rid("iter_runs", FLOOR),
    )
    # ... and by the server's own CPU time: the floor client's time per answer over it.
    for section, key, scale in (
        ("get_run", "server_cpu_us_per_answer", 1e3),
        ("list_runs page", "server_cpu_us_per_answer", 1e3),
        ("iter_runs", "server_cpu_us_per_run", None),
    ):
        row = results.rows[rid(section, FLOOR)]
        client = (
            [ms * scale for ms in row["rounds"]]
            if scale
            else [1e6 / rate for rate in row["rounds"]]
        )
        results.add_ratio(
            f"server headroom, {section}: {FLOOR} time / server CPU time ({dialect})",
            FIXED,
            measure.ratio_rounds(client, row[key]),
            of=row["id"],
        )


# -- async fan-out ----------------------------------------------------------------------------


def fanout_rows(results: Results, url: str, run_ids: list[str], sizes: dict[str, Any]) -> None:
    calls, latency = len(run_ids), sizes["latency_ms"]
    variants = fanout.variants()
    progress(f"async fan-out: {calls} get_run, {latency} ms latency, {len(variants)} variants")
    values: dict[str, dict[str, list[float]]] = {v.name: {} for v in variants}
    for r in range(sizes["fanout_rounds"]):
        shift = r % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            gc.collect()
            out = fanout.run_round(variant, url, TIMER_ID, run_ids, WIDTHS)
            for key, seconds in out.items():
                values[variant.name].setdefault(key, []).append(seconds)
    section = f"fan-out: {calls} get_run, {latency} ms latency"
    for variant in variants:
        sequential = values[variant.sequential]["sequential"]
        if variant.sequential == variant.name:
            results.add(
                section, FIXED_LATENCY, "runs", f"{variant.name}: sequential", "s", sequential
            )
        note = {} if variant.sequential == variant.name else {"note": f"÷ {variant.sequential}"}
        for width in WIDTHS:
            gathered = values[variant.name][str(width)]
            name = f"{variant.name}: gather, concurrency {width}"
            results.add(section, FIXED_LATENCY, "runs", name, "s", gathered)
            results.add(
                "fan-out speedup (sequential / gather)",
                FIXED_LATENCY,
                "runs",
                f"{variant.name}: concurrency {width}",
                "x",
                measure.ratio_rounds(sequential, gathered),
                **note,
            )

    def speedup(name: str, width: int) -> dict[str, Any]:
        return results.rows[
            row_id(
                "fan-out speedup (sequential / gather)",
                FIXED_LATENCY,
                "runs",
                f"{name}: concurrency {width}",
            )
        ]

    # The pool chosen by measurement: the best geometric mean of median speedups.
    def score(connections: int) -> float:
        name = fanout.tuned_name(connections)
        return math.fsum(math.log(speedup(name, w)["median"]) for w in WIDTHS)

    best = max(fanout.POOL_CANDIDATES, key=score)
    widths = "/".join(map(str, WIDTHS))
    results.choices["tuned httpx pool"] = {
        "limits": f"httpx.Limits(max_connections={best}, max_keepalive_connections={best})",
        "candidates": list(fanout.POOL_CANDIDATES),
        "by": f"best geometric mean of the median speedups at concurrency {widths}",
    }
    for width, bound in FANOUT_TARGETS.items():
        row = speedup(fanout.FACADE_AIOHTTP, width)
        results.target(
            f"fan-out speedup at concurrency {width}, {fanout.FACADE_AIOHTTP}",
            FIXED_LATENCY,
            row["rounds"],
            bound,
            unit="x",
            of=row["id"],
        )
        for name in (fanout.FACADE_HTTPX, fanout.tuned_name(best), fanout.RAW_AIOHTTP):
            row = speedup(name, width)
            label = f"{name} (tuned)" if name == fanout.tuned_name(best) else name
            results.target(
                f"fan-out speedup at concurrency {width}, {label}",
                FIXED_LATENCY,
                row["rounds"],
                bound,
                unit="x",
                of=row["id"],
            )


# -- end to end: the reference service ----------------------------------------------------------


def end_to_end_rows(
    results: Results,
    server: measure.ServerProcess,
    sizes: dict[str, Any],
    loop: asyncio.AbstractEventLoop,
) -> None:
    root = server.urls[0]
    for dialect in DIALECTS:
        target = make_target(dialect, root)
        clients: dict[str, Peer] = {
            **peers.make_peers(target, loop),
            CEILING: SocketCeiling(target),
        }
        try:
            for peer in clients.values():
                peer.get_run_many(2)
                peer.page_many(1)
            _get_and_page(results, REFERENCE, dialect, clients, sizes)
        finally:
            for peer in clients.values():
                peer.close()
        for section in ("get_run", "list_runs page"):
            results.ratio(
                f"{section}: facade / (httpx + json), end to end ({dialect})",
                REFERENCE,
                row_id(section, REFERENCE, dialect, "facade"),
                row_id(section, REFERENCE, dialect, "httpx + json"),
            )


# -- parsing, offline -------------------------------------------------------------------------


def parse_rows(results: Results, fixture: fixed_server.Fixture, sizes: dict[str, Any]) -> None:
    from timers._args import ListFilters
    from timers._dialects import dialect_for

    pages = sizes["parse_pages"]
    for dialect in DIALECTS:
        progress(f"parsing a {RUNS}-run page offline, {dialect}")
        body = fixture.page_body(dialect)
        decoded = json.loads(body)
        # The parser the client applies to a page: the dialect's, as the client gets it.
        parse = dialect_for(dialect).list_page(ListFilters(uuid.UUID(TIMER_ID)), RUNS, None).parse
        assert len(parse(decoded)) == RUNS

        def per_run(op: Callable[[], object]) -> Callable[[], float]:
            def timed() -> float:
                start = time.perf_counter()
                for _ in range(pages):
                    op()
                return (time.perf_counter() - start) / (pages * RUNS) * 1e6

            return timed

        strict_floor = parse_floor.runs_page if dialect == "runs" else parse_floor.jobs_page
        assert strict_floor(decoded) == RUNS
        variants = {
            "json.loads": per_run(partial(json.loads, body)),
            "orjson.loads": per_run(partial(orjson.loads, body)),
            "facade: json.loads + page parse": per_run(lambda b=body, p=parse: p(json.loads(b))),
            "facade: page parse of decoded JSON": per_run(partial(parse, decoded)),
            FLOOR_PARSE: per_run(partial(strict_floor, decoded)),
        }
        for variant in variants.values():
            variant()
        rounds = measure.rounds(variants, count=sizes["rounds"])
        results.add_rounds("parse (1000-run page)", OFFLINE, dialect, "µs/run", rounds)
        for top in ("facade: json.loads + page parse", "facade: page parse of decoded JSON"):
            results.ratio(
                f"parse: {top} / json.loads ({dialect})",
                OFFLINE,
                row_id("parse (1000-run page)", OFFLINE, dialect, top),
                row_id("parse (1000-run page)", OFFLINE, dialect, "json.loads"),
            )
        # What the 1.3x page target is up against: a page on the fixed server costs httpx +
        # json; strict checks cannot cost less than the floor on top of it.
        page = results.values("list_runs page", FIXED, dialect, "httpx + json")  # ms/page
        checks = results.values("parse (1000-run page)", OFFLINE, dialect, FLOOR_PARSE)  # µs/run
        results.add_ratio(
            f"1000-run page: the least strict checks allow, (httpx + json + floor) / (httpx +"
            f" json) ({dialect})",
            FIXED,
            [(ms + us * RUNS / 1000) / ms for ms, us in zip(page, checks, strict=True)],
            of=row_id("parse (1000-run page)", OFFLINE, dialect, FLOOR_PARSE),
        )


# -- summarize_runs ---------------------------------------------------------------------------

_SUMMARY = """
import sys, time
from datetime import UTC, datetime, timedelta
from timers import RunError, RunResult, RunStatus, TimerRun, summarize_runs

t0 = datetime(2026, 11, 1, tzinfo=UTC)
bad = RunResult("failure", status_code=503, error=RunError("CALLBACK_FAILED", "m"))
ok = RunResult("success", status_code=200)
pool = [
    TimerRun("9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6", "12345678-1234-1234-1234-123456789012",
             RunStatus.FAILURE if i % 7 == 0 else RunStatus.SUCCESS,
             t0 + timedelta(minutes=i), t0 + timedelta(minutes=i, seconds=1 + i % 13),
             bad if i % 7 == 0 else ok)
    for i in range(10_000)
]
count = int(sys.argv[1])
def status_kib(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


with open("/proc/self/clear_refs", "w") as clear:  # VmHWM starts again from here (Linux)
    clear.write("5")
before = status_kib("VmRSS")
start = time.perf_counter()
summary = summarize_runs(pool[i % 10_000] for i in range(count))
elapsed = time.perf_counter() - start
after = status_kib("VmHWM")
assert summary.total == count
print(count / elapsed, (after - before) / 1024)
"""


def summary_rows(results: Results, sizes: dict[str, Any]) -> None:
    """``summarize_runs`` over many runs (a pool cycled, so that generating them costs little),
    in a fresh interpreter each round: runs/s, and how much its peak RSS grew (MiB)."""
    count = sizes["summary_runs"]
    progress(f"summarize_runs over {count:,} runs")
    outcomes: list[tuple[float, float]] = []

    def once() -> float:
        out = subprocess.run(
            [sys.executable, "-c", _SUMMARY, str(count)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        outcomes.append((float(out[0]), float(out[1])))
        return float(out[0])

    for _ in range(sizes.get("summary_rounds", 3)):
        once()
    rates = [rate for rate, _ in outcomes]
    growth = [mib for _, mib in outcomes]
    results.add("summarize_runs", OFFLINE, "-", f"{count:,} runs", "runs/s", rates)
    results.add("summarize_runs", OFFLINE, "-", f"peak RSS growth, {count:,} runs", "MiB", growth)


# -- making a client --------------------------------------------------------------------------

MAKERS: dict[str, Callable[[], Any]] = {
    "facade": lambda: TimersClient(TOKEN).close(),
    "facade, async": lambda: timers.AsyncTimersClient(TOKEN),  # nothing opened: nothing to close
    "httpx.Client()": lambda: httpx.Client().close(),
    "globus-sdk": lambda: peers.GlobusTimersClient(
        base_url="https://timer.automate.globus.org",
        authorizer=globus_sdk.AccessTokenAuthorizer(TOKEN),
    ),
}


def client_making_rows(results: Results, sizes: dict[str, Any]) -> None:
    """Making (and closing) a client, as a web app making one per request does: ms each."""
    count = sizes["client_makes"]
    progress(f"making {count} clients of each kind")

    def many(make: Callable[[], Any]) -> float:
        started = time.perf_counter()
        for _ in range(count):
            make()
        return (time.perf_counter() - started) / count * 1e3

    for make in MAKERS.values():
        make()  # first-use imports are not a client's cost
    variants = {name: partial(many, make) for name, make in MAKERS.items()}
    rounds = measure.rounds(variants, count=sizes["rounds"])
    results.add_rounds("make a client", OFFLINE, "-", "ms", rounds)
    results.ratio(
        "make a client: facade / httpx.Client()",
        OFFLINE,
        row_id("make a client", OFFLINE, "-", "facade"),
        row_id("make a client", OFFLINE, "-", "httpx.Client()"),
        target=MAKE_TARGET,
    )


# -- import time ------------------------------------------------------------------------------

_IMPORT = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


def import_rows(results: Results, sizes: dict[str, Any]) -> None:
    progress("import time, fresh interpreters")
    # As an installed package is used: with bytecode caches (pip writes them).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cwd = tempfile.gettempdir()  # nothing of the checkout on sys.path but the installed package

    def once(module: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT.format(module)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=cwd,
        )
        return float(out.stdout) * 1e3

    modules = ("timers", "httpx", "globus_sdk")
    for module in modules:
        once(module)  # write the bytecode, warm the file cache
    variants = {f"import {m}": partial(once, m) for m in modules}
    rounds = measure.rounds(variants, count=sizes["import_rounds"], before=lambda: None)
    results.add_rounds("import", INTERPRETER, "-", "ms", rounds)
    results.ratio(
        "import timers / import httpx",
        INTERPRETER,
        row_id("import", INTERPRETER, "-", "import timers"),
        row_id("import", INTERPRETER, "-", "import httpx"),
        target=IMPORT_TARGET,
    )


# -- the run ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as info:  # Linux; the benchmark runs there
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    names = ("httpx", "httpcore", "aiohttp", "orjson", "urllib3", "globus-sdk", "requests")
    return {"timers": timers.__version__, **{n: metadata.version(n) for n in names}}


def check_bodies(server: measure.ServerProcess, fixture: fixed_server.Fixture, total: int) -> None:
    """The fixed server sends the bytes the offline rows parse (the same fixture)."""
    for dialect in DIALECTS:
        target = Target(dialect, server.urls[0], TIMER_ID, "", "")
        path, params = target.page_request(RUNS, None)
        sent = httpx.get(server.urls[0] + path, params=params, headers=AUTH).content
        assert sent == fixture.page_body(dialect, RUNS, 0, total), dialect


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    data: dict[str, Any] = {
        "quick": args.quick,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "sizes": sizes,
        "command": " ".join(sys.argv),
    }
    results = Results()
    fixture = fixed_server.build_fixture()
    loop = asyncio.new_event_loop()
    try:
        with measure.fixed_server(sizes["total"], sizes["latency_ms"] / 1000) as server:
            check_bodies(server, fixture, sizes["total"])
            client_rows(results, server, sizes, loop)
            fanout_rows(results, server.urls[1], fixture.run_ids[: sizes["fanout_calls"]], sizes)
        progress("starting the reference service")
        with measure.reference_server(TOKEN, TIMER_ID, RUNS) as server:
            end_to_end_rows(results, server, sizes, loop)
    finally:
        loop.close()
    parse_rows(results, fixture, sizes)
    summary_rows(results, sizes)
    client_making_rows(results, sizes)
    import_rows(results, sizes)
    data["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    data.update(results.as_json())
    data["choices"] = results.choices
    data["notes"] = notes(results)
    data["bench_seconds"] = time.perf_counter() - started
    return data


def notes(results: Results) -> list[str]:
    tuned = results.choices["tuned httpx pool"]
    return [
        f"Tuned httpx pool (chosen in this run, by {tuned['by']}): {tuned['limits']}; "
        f"candidates: max_connections = {tuned['candidates']}.",
        "Fan-out variants marked '÷ ...' are divided by that variant's sequential figure of "
        "the same round (a sequential run is calls x latency; see fanout.py).",
        "jobs get_run: the API reads no single result, so get_run fetches the first page "
        "(50 results) and looks the run up there; raw peers match on start_timestamp.",
        "socket (server ceiling): a bare keep-alive socket that reads each answer by its "
        "Content-Length and decodes nothing: the server's rate as one client sees it.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--profile", action="store_true", help="profile instead; write profiles.md")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="results.json to write (default: benchmarks/results.json; with --quick, a "
        "temporary directory, so that smoke figures never replace real ones)",
    )
    parser.add_argument("--markdown", type=Path, default=None, help="default: next to --output")
    parser.add_argument("--profile-output", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.gettempdir()) / "timers-bench-quick"
    if args.profile:
        import profiles

        default = scratch / "profiles.md" if args.quick else HERE / "profiles.md"
        profiles.main(args.profile_output or default, quick=args.quick)
        return
    if args.output is None:
        args.output = scratch / "results.json" if args.quick else HERE / "results.json"
    from report import markdown, print_text

    data = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=1) + "\n")
    md = args.markdown or args.output.with_suffix(".md")
    md.write_text(markdown(data))
    print_text(data)
    print(f"\nwrote {args.output} and {md} in {data['bench_seconds']:.0f} s")


if __name__ == "__main__":
    main()
