"""How the benchmark measures: server processes, interleaved rounds, medians with spread.

Every figure is taken in at least three rounds; within a round the variants alternate (in an
order that rotates from round to round), so load from elsewhere on these shared machines hits
them alike. A figure is reported as the median of its rounds with their min and max, and
every round is kept. Ratios are taken round by round (both sides measured in the same round)
and then summarised the same way.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median, min, max and the values themselves."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": list(values),
    }


def ratio_rounds(top: Sequence[float], bottom: Sequence[float]) -> list[float]:
    """Round-by-round ``top / bottom`` (both lists in round order)."""
    return [a / b for a, b in zip(top, bottom, strict=True)]


def rounds(
    variants: dict[str, Callable[[], float]], *, count: int, before: Callable[[], None] = gc.collect
) -> dict[str, list[float]]:
    """Call every variant once per round, ``count`` rounds, rotating the order each round;
    return each variant's values in round order. ``before`` runs before every call."""
    names = list(variants)
    values: dict[str, list[float]] = {name: [] for name in names}
    # What exists now (modules, fixtures, clients) outlives the rounds: frozen, the collection
    # before each call skips it and costs milliseconds instead of 60 ms (a third of a quick run).
    gc.collect()
    gc.freeze()
    try:
        for r in range(count):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                before()
                values[name].append(variants[name]())
    finally:
        gc.unfreeze()
    return values


class ServerProcess:
    """A benchmark server in its own process (so it never shares the client's GIL).

    It prints its URL(s) on its first line(s) and serves until its stdin is closed; the fixed
    server also answers ``reset``/``stats`` control lines (see ``fixed_server.py``)."""

    def __init__(self, cmd: list[str], urls: int) -> None:
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, bufsize=1
        )
        assert self.proc.stdout is not None
        self.urls = [self.proc.stdout.readline().strip() for _ in range(urls)]
        if not all(url.startswith("http://127.0.0.1:") for url in self.urls):
            self.close()
            raise RuntimeError(f"benchmark server did not start: {self.urls!r}")

    def command(self, line: str) -> dict[str, Any] | None:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        if line != "stats":
            return None
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def fixed_server(total: int, latency: float) -> Iterator[ServerProcess]:
    """``fixed_server.py``: yields it; ``urls[0]`` answers at once, ``urls[1]`` (with a
    ``latency``) after that many seconds."""
    cmd = [sys.executable, str(HERE / "fixed_server.py"), "--total", str(total)]
    server = ServerProcess([*cmd, "--latency", str(latency)], urls=2 if latency else 1)
    try:
        yield server
    finally:
        server.close()


@contextmanager
def reference_server(token: str, timer_id: str, runs: int) -> Iterator[ServerProcess]:
    """``server.py``: the reference service (``timers.testing.serve``); ``urls[0]`` is its
    root (runs API under ``/api/v1``, jobs API at the root)."""
    cmd = [sys.executable, str(HERE / "server.py"), "--token", token, "--timer", timer_id]
    server = ServerProcess([*cmd, "--runs", str(runs)], urls=1)
    try:
        yield server
    finally:
        server.close()
