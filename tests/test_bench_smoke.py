"""The benchmark (``scripts/bench``) still runs and reports every row, and its fixed server
sends what the specs allow.

Nothing here checks a speed: performance lives only in the benchmark's own report
(``benchmarks/results.md``), where it is measured with rounds and spreads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.openapi import JOBS_SPEC_PATH, SPEC_PATH, validate_exchange

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
DIALECTS = ("runs", "jobs")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench_modules() -> Iterator[None]:
    """The benchmark's modules import each other by name, as ``bench.py`` runs them."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    output = tmp_path_factory.mktemp("bench") / "results.json"
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench.py"), "--quick", "--output", str(output)],
        check=True,
        capture_output=True,
        timeout=110,
        cwd=ROOT,
    )
    return json.loads(output.read_text()), output.with_suffix(".md")


def expected_rows(results: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """(section, server, dialect, variant) of every row the benchmark promises."""
    import bench
    import fanout
    import peers

    clients = [*peers.PEER_NAMES, peers.SocketCeiling.name]
    small, total = results["sizes"]["memory_small"], results["sizes"]["total"]
    rows = set()
    for dialect in DIALECTS:
        for name in clients:
            rows |= {
                ("get_run", "fixed", dialect, name),
                ("list_runs page", "fixed", dialect, name),
                ("iter_runs", "fixed", dialect, name),
                ("get_run", "reference", dialect, name),
                ("list_runs page", "reference", dialect, name),
            }
        rows.add(("get_run", "fixed", dialect, "socket, 16 pipelined (server ceiling)"))
        rows |= {("paging memory", "fixed", dialect, f"facade, {n:,} runs") for n in (small, total)}
        for name in ("json.loads", "orjson.loads", "facade: json.loads + page parse"):
            rows.add(("parse (1000-run page)", "offline", dialect, name))
    for variant in fanout.variants():
        for width in (10, 50, 200):
            name = f"{variant.name}: concurrency {width}"
            rows.add(("fan-out speedup (sequential / gather)", "fixed + latency", "runs", name))
    rows |= {("import", "interpreter", "-", f"import {m}") for m in ("timers", "httpx")}
    rows |= {("make a client", "offline", "-", name) for name in bench.MAKERS}
    return rows


def test_quick_run_reports_every_row_with_median_spread_and_rounds(
    bench_modules: None, quick_run: tuple[dict[str, Any], Path]
) -> None:
    results, _ = quick_run
    found = {(r["section"], r["server"], r["dialect"], r["variant"]) for r in results["rows"]}
    assert expected_rows(results) <= found, sorted(expected_rows(results) - found)
    for entry in [*results["rows"], *results["ratios"], *results["targets"]]:
        assert len(entry["rounds"]) >= 3, entry
        assert entry["min"] <= entry["median"] <= entry["max"], entry
    assert {"cpu", "cores", "python", "load_before", "load_after"} <= set(results["machine"])


def test_quick_run_judges_every_target(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, markdown = quick_run
    names = [t["name"] for t in results["targets"]]
    for wanted in (
        "1000-run page: facade / (httpx + json) (runs)",
        "1000-run page: facade / (httpx + json) (jobs)",
        "iter_runs over the chain, facade (runs)",
        "iter_runs over the chain, facade (jobs)",
        "iter_runs TCP connections used, facade (jobs)",
        'fan-out speedup at concurrency 50, facade, http_backend="aiohttp"',
        'fan-out speedup at concurrency 200, facade, http_backend="aiohttp"',
        "import timers / import httpx",
        "make a client: facade / httpx.Client()",
    ):
        assert wanted in names, wanted
    assert all(t["status"] in ("met", "met (median)", "MISSED") for t in results["targets"])
    ratios = [r["name"] for r in results["ratios"]]
    for dialect in DIALECTS:  # how far above the floor client the fixed server is
        assert (
            f"server headroom, iter_runs: urllib3 + orjson time / server CPU time ({dialect})"
            in ratios
        )
    text = markdown.read_text()
    assert all(name.replace("|", "\\|") in text for name in names)
    assert "fixed_server.py" in text  # says which server the rows used


def test_fixed_server_bodies_match_the_specs(bench_modules: None) -> None:
    import measure
    from fixed_server import TIMER_ID, build_fixture

    run_id = build_fixture().run_ids[7]
    runs = f"/api/v1/timers/{TIMER_ID}/runs"
    checks = [
        (SPEC_PATH, f"{runs}/{run_id}", 200),
        (SPEC_PATH, f"{runs}/{'0' * 8}-0000-4000-8000-{'0' * 12}", 404),
        (SPEC_PATH, runs, 200),
        (SPEC_PATH, f"{runs}?limit=1000", 200),
        (SPEC_PATH, f"{runs}?limit=1000&marker=o1000", 200),
        (JOBS_SPEC_PATH, f"/jobs/{TIMER_ID}", 200),
        (JOBS_SPEC_PATH, f"/jobs/{TIMER_ID}?page_size=1000&results_pt=o1000", 200),
    ]
    with (
        measure.fixed_server(total=2000, latency=0.0) as server,
        httpx.Client(headers={"Authorization": "Bearer smoke"}) as http,
    ):
        for spec, target, status in checks:
            response = http.get(server.urls[0] + target)
            assert response.status_code == status, target
            validate_exchange(response.request, response, spec_path=spec)
        last = http.get(server.urls[0] + f"{runs}?limit=1000&marker=o1000").json()
        assert (last["has_next_page"], last["next_page"], last["total"]) == (False, None, 2000)
