"""``summarize_runs``: checked against numbers computed independently here, on a seeded
history of the reference service, on edge cases, and over a million runs in flat memory."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import httpx
import pytest

from timers import (
    RunError,
    RunResult,
    RunStatus,
    RunSummary,
    TimerRun,
    TimersClient,
    summarize_runs,
)
from timers._summary import MAX_ERROR_CODES
from timers.testing import FakeTimersService

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def run(
    minute: float,
    status: str = "success",
    seconds: float | None = 2.0,
    code: str | None = None,
) -> TimerRun:
    start = T0 + timedelta(minutes=minute)
    error = None if code is None else RunError(code, f"{code} happened")
    return TimerRun(
        id="9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6",
        timer_id="12345678-1234-1234-1234-123456789012",
        status=RunStatus(status),
        start_time=start,
        end_time=None if seconds is None else start + timedelta(seconds=seconds),
        result=RunResult(status, status_code=200, error=error),
    )


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


def test_a_seeded_history_gives_the_numbers_computed_independently() -> None:
    service = FakeTimersService(tokens=["t"], seed=11)
    timer = service.add_timer(callback="web")
    service.seed_history(timer, 500, interval=timedelta(minutes=20), failure_rate=0.3)
    client = TimersClient("t", http_client=httpx.Client(transport=service.transport()))
    runs = list(client.iter_runs(timer, page_size=100))
    summary = summarize_runs(client.iter_runs(timer, page_size=100))

    assert summary.total == len(runs) == 500
    assert dict(summary.counts) == dict(Counter(r.status.value for r in runs))
    finished = [r for r in runs if r.is_finished]
    successes = sum(r.status is RunStatus.SUCCESS for r in runs)
    assert summary.finished == len(finished)
    assert summary.success_rate == pytest.approx(successes / len(finished))
    durations = [r.duration.total_seconds() for r in finished if r.duration is not None]
    span = max(durations) - min(durations)
    assert summary.duration_max == max(r.duration for r in finished if r.duration is not None)
    for q, got in ((0.5, summary.duration_p50), (0.95, summary.duration_p95)):
        assert got is not None
        assert abs(got.total_seconds() - _nearest_rank(durations, q)) <= span / 100
    codes = Counter(r.result.error.code for r in runs if r.result and r.result.error)
    assert [(e.code, e.count) for e in summary.top_errors] == codes.most_common(5)
    for error in summary.top_errors:
        assert error.last_seen == max(
            r.start_time
            for r in runs
            if r.result and r.result.error and r.result.error.code == error.code
        )
    assert summary.first_start == min(r.start_time for r in runs)
    assert summary.last_start == max(r.start_time for r in runs)
    # 500 runs 20 minutes apart span ~7 days: daily buckets, every day present, in order.
    assert summary.bucket == "day"
    by_day = Counter(r.start_time.date() for r in runs)
    assert [b.start.date() for b in summary.buckets] == sorted(by_day)
    for bucket in summary.buckets:
        day = [r for r in runs if r.start_time.date() == bucket.start.date()]
        assert bucket.total == len(day)
        assert bucket.successes == sum(r.status is RunStatus.SUCCESS for r in day)
        assert bucket.failures == sum(r.status is RunStatus.FAILURE for r in day)


def test_a_summary_survives_pickling_and_copying_with_its_counts_still_read_only() -> None:
    summary = summarize_runs([run(0), run(1, "failure", code="E"), run(2, "paused", None)])
    pickled = pickle.loads(pickle.dumps(summary))  # noqa: S301 (our own bytes)
    for copied in (pickled, copy.deepcopy(summary)):
        assert copied == summary and copied.to_dict() == summary.to_dict()
        assert type(copied.counts) is MappingProxyType
        assert copied.counts == {"success": 1, "failure": 1, "paused": 1}


def test_a_short_history_gets_hourly_buckets_with_empty_hours_kept() -> None:
    summary = summarize_runs([run(0), run(5, "failure"), run(185, "pending", seconds=None)])
    assert summary.bucket == "hour"
    assert [(b.start, b.successes, b.failures, b.others) for b in summary.buckets] == [
        (T0, 1, 1, 0),
        (T0 + timedelta(hours=1), 0, 0, 0),
        (T0 + timedelta(hours=2), 0, 0, 0),
        (T0 + timedelta(hours=3), 0, 0, 1),
    ]


def test_unknown_statuses_count_under_their_own_string_and_are_not_successes() -> None:
    summary = summarize_runs([run(0), run(1, "paused", seconds=None), run(2, "paused", None)])
    assert dict(summary.counts) == {"success": 1, "paused": 2}
    assert summary.finished == 1 and summary.success_rate == 1.0
    assert summary.buckets[0].others == 2


def test_a_run_finished_with_a_status_the_client_does_not_know_is_not_in_the_rate() -> None:
    # api="jobs": a run with an end time is finished whatever its (unpublished) status word.
    def jobs_run(minute: float, status: str) -> TimerRun:
        return dataclasses.replace(run(minute, status), finished_by_end_time=True)

    summary = summarize_runs([jobs_run(0, "success"), jobs_run(1, "FAILED"), run(2, "failure")])
    assert summary.finished == 3 and summary.success_rate == 0.5
    only_unknown = summarize_runs([jobs_run(0, "FAILED"), jobs_run(1, "SUCCEEDED")])
    assert only_unknown.finished == 2 and only_unknown.success_rate is None


def test_nothing_finished_gives_none_and_nothing_at_all_gives_an_empty_summary() -> None:
    pending = summarize_runs([run(0, "pending", seconds=None)])
    assert pending.success_rate is None and pending.duration_p50 is None
    assert pending.duration_p95 is None and pending.duration_max is None
    empty = summarize_runs(iter(()))
    assert empty.total == 0 and empty.counts == {} and empty.buckets == ()
    assert empty.first_start is None and empty.last_start is None and empty.top_errors == ()


def test_percentiles_stay_within_a_fiftieth_of_the_span_for_awkward_durations() -> None:
    values = [0.001] * 50 + [3600.0] * 40 + [7.5] * 10  # far apart, then a narrow cluster
    summary = summarize_runs(run(i, seconds=v) for i, v in enumerate(values))
    span = 3600.0 - 0.001
    assert summary.duration_p50 is not None and summary.duration_p95 is not None
    assert abs(summary.duration_p50.total_seconds() - _nearest_rank(values, 0.5)) <= span / 100
    assert abs(summary.duration_p95.total_seconds() - 3600.0) <= span / 100
    tight = summarize_runs(run(i, seconds=100 + i / 1000) for i in range(1000))
    assert tight.duration_p50 is not None
    assert abs(tight.duration_p50.total_seconds() - 100.4995) <= (0.999 / 100)


def test_frequent_error_codes_are_exact_even_among_many_rare_ones() -> None:
    runs = [run(i, "failure", code="COMMON") for i in range(500)]
    runs += [run(500 + i, "failure", code=f"RARE-{i}") for i in range(10 * MAX_ERROR_CODES)]
    summary = summarize_runs(runs)
    assert summary.top_errors[0].code == "COMMON" and summary.top_errors[0].count == 500
    assert len(summary.top_errors) == 5


def test_top_errors_can_be_asked_for_in_any_number() -> None:
    runs = [run(i, "failure", code=f"E{i % 3}") for i in range(9)]
    assert len(summarize_runs(runs, top_errors=2).top_errors) == 2
    assert [e.code for e in summarize_runs(runs, top_errors=10).top_errors] == ["E0", "E1", "E2"]


def test_the_summary_is_frozen_and_json_ready() -> None:
    summary = summarize_runs([run(0), run(1, "failure", code="X")])
    with pytest.raises(AttributeError):
        summary.total = 3  # type: ignore[misc]
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["total"] == 2 and data["success_rate"] == 0.5
    assert data["top_errors"] == [{"code": "X", "count": 1, "last_seen": "2026-11-01T00:01:00Z"}]
    assert data["buckets"][0] == {
        "start": "2026-11-01T00:00:00Z",
        "successes": 1,
        "failures": 1,
        "others": 0,
    }
    assert isinstance(summary, RunSummary)


def test_a_long_history_rolls_hours_up_into_days_exactly() -> None:
    runs = [run(i * 60) for i in range(24 * 120)]  # hourly for 120 days
    summary = summarize_runs(runs)
    assert summary.bucket == "day" and len(summary.buckets) == 120
    assert all(b.successes == 24 for b in summary.buckets)


_MEMORY_PROBE = """
import sys
from datetime import UTC, datetime, timedelta
from timers import RunError, RunResult, RunStatus, TimerRun, summarize_runs

t0 = datetime(2026, 11, 1, tzinfo=UTC)
bad = RunResult("failure", status_code=503, error=RunError("E", "m"))
ok = RunResult("success", status_code=200)
pool = [
    TimerRun("r", "t", RunStatus.FAILURE if i % 7 == 0 else RunStatus.SUCCESS,
             t0 + timedelta(minutes=i), t0 + timedelta(minutes=i, seconds=1 + i % 13),
             bad if i % 7 == 0 else ok)
    for i in range(2000)
]
count = int(sys.argv[1])
summary = summarize_runs(pool[i % 2000] for i in range(count))
with open("/proc/self/status") as status:  # VmHWM: this process's own peak (not ru_maxrss,
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))  # kept over exec)
print(summary.total, summary.counts["failure"], peak)
"""


def _probe(count: int) -> tuple[int, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(count)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    total, failures, max_rss_kib = (int(x) for x in out)
    return total, failures, max_rss_kib


@pytest.mark.slow
def test_a_million_runs_are_summarized_in_memory_that_does_not_grow() -> None:
    # Peak RSS (VmHWM) of a process summarizing 10,000 runs, then one summarizing 1,000,000:
    # what the summary kept per run would show as tens of MiB (even 16 bytes a run is 15 MiB).
    _, _, small = _probe(10_000)
    total, failures, large = _probe(1_000_000)
    assert total == 1_000_000 and failures == 1_000_000 // 2000 * 286
    assert large - small <= 4 * 1024, f"peak RSS {small} KiB -> {large} KiB"


def test_the_summary_names_are_listed_by_dir_before_they_are_imported() -> None:
    # Tab completion (rlcompleter, IPython) lists dir(timers); the summary module is imported
    # only on first use, and listing its names does not import it.
    probe = (
        "import sys, timers\n"
        "names = dir(timers)\n"
        "print(sorted(set(timers.__all__) - set(names)), 'timers._summary' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["[]", "False"]
