"""Benchmarks: the facade against raw httpx and globus-sdk, paging at scale, fan-out, import time.

Run with ``scripts/bench``. Every number is measured in this one run, against the reference
service served over real HTTP on 127.0.0.1 by a separate process (``benchmarks/server.py``),
and reported as medians and ratios, because these machines are shared and noisy. The table
is printed and written to ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import globus_sdk
import httpcore
import httpx

import timers
from timers import AsyncTimersClient, TimersClient

HERE = Path(__file__).resolve().parent
TOKEN = "bench-token"  # noqa: S105 - the benchmark service's own
SMALL_TIMER = "12345678-1234-1234-1234-123456789012"
LARGE_TIMER = "87654321-4321-4321-4321-210987654321"


# -- the server process ------------------------------------------------------------------------


@contextmanager
def server(*, large_runs: int, latency: float = 0.0) -> Iterator[str]:
    """Start benchmarks/server.py in its own process; yield its base URL."""
    cmd = [
        sys.executable,
        str(HERE / "server.py"),
        "--token",
        TOKEN,
        "--small-timer",
        SMALL_TIMER,
        "--large-timer",
        LARGE_TIMER,
        "--large-runs",
        str(large_runs),
        "--latency",
        str(latency),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        yield line
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # the server exits when its stdin closes
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- measuring -------------------------------------------------------------------------------


def interleaved(
    variants: dict[str, Callable[[], object]], *, calls: int, rounds: int, warmup: int
) -> dict[str, float]:
    """Median seconds per call of each variant; variants alternate within every round so
    that load from elsewhere on the machine hits them alike."""
    for fn in variants.values():
        for _ in range(warmup):
            fn()
    per_round: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            per_round[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(times) for name, times in per_round.items()}


class CountingBackend(httpcore.NetworkBackend):
    """Counts the TCP connections httpx opens (wraps httpcore's default backend)."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.opened = 0

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        self.opened += 1
        return self.inner.connect_tcp(*args, **kwargs)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return self.inner.connect_unix_socket(*args, **kwargs)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def counting_http_client() -> tuple[httpx.Client, CountingBackend]:
    backend = CountingBackend()
    transport = httpx.HTTPTransport()
    # httpx has no public hook for the network backend; swapping the pool's is the least
    # intrusive way to count connections from the client side.
    transport._pool._network_backend = backend
    return httpx.Client(transport=transport, timeout=httpx.Timeout(30.0, connect=10.0)), backend


def max_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- the benchmarks ---------------------------------------------------------------------------


class GlobusTimersClient(globus_sdk.BaseClient):
    """What a Globus user would write: a BaseClient subclass doing the same GET."""

    service_name = "timer"

    def get_run(self, timer_id: str, run_id: str) -> globus_sdk.GlobusHTTPResponse:
        return self.get(f"/timers/{timer_id}/runs/{run_id}")


def bench_get_run(base_url: str, run_id: str, quick: bool) -> dict[str, Any]:
    from timers._generated.runs_api import AuthenticatedClient
    from timers._generated.runs_api.api.runs import get_timer_run

    path = f"{base_url}/timers/{SMALL_TIMER}/runs/{run_id}"
    raw = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"})
    generated = AuthenticatedClient(base_url=base_url, token=TOKEN)
    facade = TimersClient(TOKEN, base_url=base_url)
    globus = GlobusTimersClient(
        base_url=base_url, authorizer=globus_sdk.AccessTokenAuthorizer(TOKEN)
    )
    import uuid

    tid, rid = uuid.UUID(SMALL_TIMER), uuid.UUID(run_id)
    variants: dict[str, Callable[[], object]] = {
        "raw httpx + json.loads": lambda: json.loads(raw.get(path).content),
        "generated client": lambda: get_timer_run.sync(client=generated, timer_id=tid, run_id=rid),
        "facade get_run": lambda: facade.get_run(SMALL_TIMER, run_id),
        "globus-sdk BaseClient": lambda: globus.get_run(SMALL_TIMER, run_id).data,
    }
    result = interleaved(variants, calls=50 if quick else 200, rounds=3 if quick else 9, warmup=20)
    facade.close()
    raw.close()
    return {
        "seconds_per_call": result,
        "facade/raw": result["facade get_run"] / result["raw httpx + json.loads"],
        "facade/generated": result["facade get_run"] / result["generated client"],
        "facade/globus-sdk": result["facade get_run"] / result["globus-sdk BaseClient"],
    }


def bench_list_page(base_url: str, quick: bool) -> dict[str, Any]:
    from timers._generated.runs_api import AuthenticatedClient
    from timers._generated.runs_api.api.runs import list_timer_runs

    url = f"{base_url}/timers/{LARGE_TIMER}/runs"
    raw = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"})
    generated = AuthenticatedClient(base_url=base_url, token=TOKEN)
    facade = TimersClient(TOKEN, base_url=base_url)
    import uuid

    tid = uuid.UUID(LARGE_TIMER)
    variants: dict[str, Callable[[], object]] = {
        "raw httpx + json.loads": lambda: json.loads(raw.get(url, params={"limit": 1000}).content),
        "generated client": lambda: list_timer_runs.sync(
            client=generated, timer_id=tid, limit=1000
        ),
        "facade list_runs": lambda: facade.list_runs(LARGE_TIMER, limit=1000),
    }
    result = interleaved(variants, calls=3 if quick else 5, rounds=3 if quick else 7, warmup=2)
    facade.close()
    raw.close()
    return {
        "seconds_per_page": result,
        "facade/raw": result["facade list_runs"] / result["raw httpx + json.loads"],
        "facade/generated": result["facade list_runs"] / result["generated client"],
    }


def bench_paging(base_url: str, total: int) -> dict[str, Any]:
    """iter_runs over ``total`` runs in pages of 1000: speed, memory growth, connections."""
    http, backend = counting_http_client()
    client = TimersClient(TOKEN, base_url=base_url, http_client=http)
    # timed pass, no tracing
    start = time.perf_counter()
    count = sum(1 for _ in client.iter_runs(LARGE_TIMER, page_size=1000, max_items=total))
    elapsed = time.perf_counter() - start
    assert count == total, (count, total)
    # memory pass
    gc.collect()
    rss_before = max_rss_kib()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    count = sum(1 for _ in client.iter_runs(LARGE_TIMER, page_size=1000, max_items=total))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = max_rss_kib()
    client.close()
    http.close()
    return {
        "runs": total,
        "runs_per_second": total / elapsed,
        "seconds": elapsed,
        "tracemalloc_peak_growth_mib": (peak - base) / 2**20,
        "max_rss_growth_mib": (rss_after - rss_before) / 1024,
        "tcp_connections_opened": backend.opened,
    }


def bench_fanout(base_url: str, run_ids: list[str], concurrency: int) -> dict[str, Any]:
    async def sequential() -> float:
        async with AsyncTimersClient(TOKEN, base_url=base_url) as client:
            await client.get_run(SMALL_TIMER, run_ids[0])
            start = time.perf_counter()
            for rid in run_ids:
                await client.get_run(SMALL_TIMER, rid)
            return time.perf_counter() - start

    async def gathered() -> float:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0, connect=10.0))
        async with AsyncTimersClient(TOKEN, base_url=base_url, http_client=http) as client:
            await client.get_run(SMALL_TIMER, run_ids[0])
            gate = asyncio.Semaphore(concurrency)

            async def one(rid: str) -> None:
                async with gate:
                    await client.get_run(SMALL_TIMER, rid)

            start = time.perf_counter()
            await asyncio.gather(*(one(rid) for rid in run_ids))
            elapsed = time.perf_counter() - start
        await http.aclose()
        return elapsed

    seq = asyncio.run(sequential())
    par = asyncio.run(gathered())
    return {
        "calls": len(run_ids),
        "concurrency": concurrency,
        "sequential_seconds": seq,
        "gather_seconds": par,
        "speedup": seq / par,
    }


def bench_fanout_sweep(base_url: str, run_ids: list[str]) -> dict[str, Any]:
    """Fan-out at several concurrency bounds: httpcore's async pool slows down as the number
    of pooled connections grows (see the README's Performance notes)."""
    runs = {c: bench_fanout(base_url, run_ids, c) for c in (10, 25, 50)}
    best = max(runs.values(), key=lambda r: r["speedup"])
    return {"by_concurrency": runs, "at_50": runs[50], "best": best}


def bench_import(repeats: int) -> dict[str, Any]:
    def once(module: str) -> float:
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stderr
        for line in out.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == module:
                return int(parts[1]) / 1e6
        raise RuntimeError(f"no importtime line for {module}")

    # Measure as an installed package is used: with bytecode caches (pip writes them for
    # site-packages; a source checkout gets them on first import unless this is set).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    modules = ["timers", "httpx", "globus_sdk"]
    for m in modules:
        once(m)  # warm the bytecode and file caches
    times: dict[str, list[float]] = {m: [] for m in modules}
    for _ in range(repeats):
        for m in modules:
            times[m].append(once(m))
    med = {m: statistics.median(t) for m, t in times.items()}
    return {
        "seconds": med,
        "timers/httpx": med["timers"] / med["httpx"],
        "timers/globus_sdk": med["timers"] / med["globus_sdk"],
    }


# -- reporting ----------------------------------------------------------------------------------

TARGETS = {
    "get_run facade/raw httpx": ("<=", 1.10),
    "get_run facade/globus-sdk": ("<=", 0.80),
    "1000-run page facade/raw": ("<=", 1.5),
    "paging TCP connections": ("==", 1),
    "async fan-out speedup (50)": (">=", 10.0),
    "async fan-out speedup (best)": (">=", 10.0),
    "import timers / import httpx": ("<=", 1.25),
}


def check(name: str, value: float) -> str:
    op, target = TARGETS[name]
    ok = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    args = parser.parse_args()
    total = 20_000 if args.quick else 100_000
    started = time.perf_counter()

    with server(large_runs=total) as base_url:
        probe = TimersClient(TOKEN, base_url=base_url)
        run_ids = [r.id for r in probe.iter_runs(SMALL_TIMER, max_items=200)]
        probe.close()
        get_run = bench_get_run(base_url, run_ids[0], args.quick)
        page = bench_list_page(base_url, args.quick)
        paging_small = bench_paging(base_url, total // 10)
        paging = bench_paging(base_url, total)
    with server(large_runs=0, latency=0.020) as base_url:
        sweep = bench_fanout_sweep(base_url, run_ids)
        fanout = sweep["at_50"]
    imports = bench_import(3 if args.quick else 7)

    paging["memory_growth_at_one_tenth_mib"] = paging_small["tracemalloc_peak_growth_mib"]
    rows = [
        ("get_run facade/raw httpx", get_run["facade/raw"]),
        ("get_run facade/globus-sdk", get_run["facade/globus-sdk"]),
        ("1000-run page facade/raw", page["facade/raw"]),
        ("paging TCP connections", paging["tcp_connections_opened"]),
        ("async fan-out speedup (50)", fanout["speedup"]),
        ("async fan-out speedup (best)", sweep["best"]["speedup"]),
        ("import timers / import httpx", imports["timers/httpx"]),
    ]
    results = {
        "timers_version": timers.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "quick": args.quick,
        "get_run": get_run,
        "list_page_1000": page,
        "paging": paging,
        "async_fanout": sweep,
        "import_time": imports,
        "targets": {
            name: {"value": v, "target": TARGETS[name], "status": check(name, v)}
            for name, v in rows
        },
        "bench_seconds": time.perf_counter() - started,
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")

    ms = 1000.0
    print("\n== get_run, keep-alive, sequential (median per call)")
    for name, sec in get_run["seconds_per_call"].items():
        print(f"  {name:28s} {sec * ms:8.3f} ms")
    print("\n== list_runs, one page of 1000 runs (median per page)")
    for name, sec in page["seconds_per_page"].items():
        print(f"  {name:28s} {sec * ms:8.2f} ms")
    print(f"\n== iter_runs over {paging['runs']:,} runs, pages of 1000")
    print(
        f"  {paging['runs_per_second']:,.0f} runs/s; {paging['tcp_connections_opened']} TCP "
        f"connection(s); tracemalloc peak growth {paging['tracemalloc_peak_growth_mib']:.1f} "
        f"MiB (at {paging_small['runs']:,} runs: "
        f"{paging_small['tracemalloc_peak_growth_mib']:.1f} MiB); max RSS growth "
        f"{paging['max_rss_growth_mib']:.1f} MiB"
    )
    print(f"\n== async fan-out: {fanout['calls']} get_run calls, 20 ms service latency")
    print(f"  sequential {fanout['sequential_seconds']:.2f} s")
    for conc, result in sweep["by_concurrency"].items():
        print(
            f"  gather, concurrency {conc:2d}: {result['gather_seconds']:.2f} s "
            f"({result['speedup']:.1f}x)"
        )
    print("\n== import time (median, fresh processes)")
    for name, sec in imports["seconds"].items():
        print(f"  import {name:12s} {sec * ms:8.1f} ms")
    print("\n== targets")
    print(f"  {'measure':32s} {'value':>8s}  target   status")
    for name, value in rows:
        op, target = TARGETS[name]
        print(f"  {name:32s} {value:8.2f}  {op} {target:<5g}  {check(name, value)}")
    print(f"\nwrote {args.output} in {results['bench_seconds']:.0f} s")


if __name__ == "__main__":
    main()
