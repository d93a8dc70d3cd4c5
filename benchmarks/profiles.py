"""``scripts/bench --profile``: where the facade's time goes, written to ``profiles.md``.

cProfile (deterministic: every Python call is counted, which inflates code made of many small
calls; compare shares within a profile, not times with the benchmark) of:

- the page parse the client applies to a 1000-run body, after ``json.loads`` (both dialects);
- ``iter_runs`` over a chain of 1000-run pages on the fixed server (both dialects);
- async fan-out of ``get_run`` on the fixed server's delayed listener: the facade on httpx's
  default pool at concurrency 50, and on ``http_backend="aiohttp"`` at concurrency 200.

For each: the functions with the most own time, the most cumulative time, and own time by
module (this library's modules by name, others by package).
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import sys
import sysconfig
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fanout
import fixed_server
import measure
from fixed_server import RUNS, TIMER_ID
from peers import TOKEN

from timers import TimersClient

REPO = Path(__file__).resolve().parent.parent
STDLIB = sysconfig.get_paths()["stdlib"]
TOP = 20
HARNESS = ("profiles.py",)  # this file's frames are left out of the tables


def _where(path: str) -> str:
    """A short name for a code file: a module of this repo, a package, or the stdlib."""
    if path == "~":
        return "(built-in)"
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    if path.startswith(str(REPO)):
        return str(Path(path).relative_to(REPO))
    if path.startswith(STDLIB):
        return "stdlib/" + path[len(STDLIB) :].lstrip("/")
    return path


def _label(key: tuple[str, int, str]) -> str:
    path, line, name = key
    if path == "~":
        return name
    return f"{_where(path)}:{line} {name}"


def _module(key: tuple[str, int, str]) -> str:
    """Own time is grouped by this: ``timers/_models.py`` by file, a package by its name."""
    where = _where(key[0])
    if where == "(built-in)":
        return "(built-in C functions)"
    if where.startswith(("timers/", "benchmarks/")):
        return where
    if where.startswith("stdlib/"):
        parts = where.split("/")
        return "stdlib " + (parts[1] if len(parts) > 2 else parts[1].removesuffix(".py"))
    return where.split("/", 1)[0]


def _table(stats: pstats.Stats, order: int, total: float) -> list[str]:
    entries = [
        (key, value)
        for key, value in stats.stats.items()  # type: ignore[attr-defined]
        if not key[0].endswith(HARNESS)
    ]
    entries.sort(key=lambda item: item[1][order], reverse=True)
    lines = [
        "| function | calls | own s | own % | cumulative s | cumulative % |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, (_, calls, own, cumulative, _) in entries[:TOP]:
        lines.append(
            f"| `{_label(key)}` | {calls:,} | {own:.3f} | {own / total:.0%} | "
            f"{cumulative:.3f} | {cumulative / total:.0%} |"
        )
    return lines


def _by_module(stats: pstats.Stats, total: float) -> list[str]:
    own: dict[str, float] = {}
    for key, (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if not key[0].endswith(HARNESS):
            own[_module(key)] = own.get(_module(key), 0.0) + tt
    lines = ["| module or package | own s | own % |", "|---|---:|---:|"]
    for name, seconds in sorted(own.items(), key=lambda item: item[1], reverse=True)[:12]:
        lines.append(f"| {name} | {seconds:.3f} | {seconds / total:.0%} |")
    return lines


def whole(work: Callable[[], object]) -> Callable[[cProfile.Profile], float]:
    """Profile all of ``work``; return its wall time."""

    def run(profiler: cProfile.Profile) -> float:
        start = time.perf_counter()
        profiler.enable()
        work()
        profiler.disable()
        return time.perf_counter() - start

    return run


def profile(title: str, what: str, work: Callable[[cProfile.Profile], float]) -> list[str]:
    """``work(profiler)`` enables the profiler around what it measures; returns wall time."""
    print(f"-- profiling: {title}", file=sys.stderr, flush=True)
    profiler = cProfile.Profile()
    wall = work(profiler)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    return [
        f"## {title}",
        "",
        f"{what} Wall time under the profiler: {wall:.2f} s; profiled time: {total:.2f} s.",
        "",
        "Own time by module:",
        "",
        *_by_module(stats, total),
        "",
        f"Top {TOP} by own time:",
        "",
        *_table(stats, 2, total),
        "",
        f"Top {TOP} by cumulative time:",
        "",
        *_table(stats, 3, total),
        "",
    ]


def main(output: Path, *, quick: bool = False) -> None:
    from timers._args import ListFilters
    from timers._dialects import dialect_for

    pages, total, calls = (3, 5_000, 40) if quick else (30, 20_000, 200)
    latency = 0.005 if quick else 0.020
    fixture = fixed_server.build_fixture()
    sections: list[str] = []
    for dialect in ("runs", "jobs"):
        body = fixture.page_body(dialect)
        parse = dialect_for(dialect).list_page(ListFilters(uuid.UUID(TIMER_ID)), RUNS, None).parse

        def parse_pages(body: bytes = body, parse: Callable[[Any], Any] = parse) -> None:
            for _ in range(pages):
                parse(json.loads(body))

        sections += profile(
            f"Parsing a {RUNS}-run page ({dialect})",
            f"`json.loads` and the dialect's page parser on the fixed server's first "
            f"{RUNS}-run page, {pages} times.",
            whole(parse_pages),
        )
    with measure.fixed_server(total, latency) as server:
        root, slow = server.urls
        for dialect in ("runs", "jobs"):
            base = root + "/api/v1" if dialect == "runs" else root
            client = TimersClient(TOKEN, base_url=base, api=dialect)
            client.list_runs(TIMER_ID, limit=RUNS)  # connect first

            def iterate(client: TimersClient = client) -> None:
                for _ in client.iter_runs(TIMER_ID, page_size=RUNS, max_items=total):
                    pass

            sections += profile(
                f"iter_runs over {total:,} runs ({dialect}, fixed server)",
                f"`TimersClient(api={dialect!r}).iter_runs` over {total // RUNS} pages of {RUNS}.",
                whole(iterate),
            )
            client.close()
        run_ids = fixture.run_ids[:calls]
        for name, opener, width in (
            (fanout.FACADE_HTTPX, fanout.facade(), 50),
            (fanout.FACADE_AIOHTTP, fanout.facade(http_backend="aiohttp"), 200),
        ):

            def fan_out(
                profiler: cProfile.Profile, opener: fanout.Opener = opener, width: int = width
            ) -> float:
                async def gathers() -> float:
                    async with opener(slow, TIMER_ID) as get:
                        await fanout.bounded(get, run_ids, width)  # connect, fill the pool
                        profiler.enable()
                        seconds = sum([await fanout.bounded(get, run_ids, width) for _ in "abc"])
                        profiler.disable()
                        return seconds

                return asyncio.run(gathers())

            sections += profile(
                f"Async fan-out: {name}, concurrency {width}",
                f"{calls} `get_run` calls, {latency * 1000:.0f} ms server latency, "
                f"`asyncio.gather` at concurrency {width}, three times (after one to warm "
                "the pool, not profiled).",
                fan_out,
            )
    head = [
        "# Profiles",
        "",
        "Generated by `scripts/bench --profile`; do not edit. cProfile counts every Python "
        "call, which inflates code made of many small calls: compare shares within one "
        "profile, and take speeds from `results.md`. In the async profiles a coroutine's "
        "calls count each time it resumes, not each call.",
        "",
        f"- when: {datetime.now(UTC).isoformat(timespec='seconds')}"
        + (" (quick: tiny sizes)" if quick else ""),
        f"- Python {sys.version.split()[0]}",
        "",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(head + sections))
    print(f"wrote {output}")
