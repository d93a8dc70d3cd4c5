"""Run summaries (timers._summary): the edges of the buckets, of the error table and of the
duration histogram, each checked against numbers worked out by hand."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from timers import (
    InvalidArgumentError,
    RunError,
    RunResult,
    RunStatus,
    RunSummary,
    TimerRun,
    summarize_runs,
)
from timers._summary import (
    MAX_BUCKETS,
    MAX_ERROR_CODES,
    MAX_STATUSES,
    OTHER_STATUSES,
    Bucket,
    ErrorCount,
    _Durations,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)  # a UTC midnight


def run(
    start: datetime,
    status: str = "success",
    seconds: float | None = 2.0,
    code: str | None = None,
    *,
    by_end_time: bool = False,
) -> TimerRun:
    error = None if code is None else RunError(code, "m")
    return TimerRun(
        id="9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6",
        timer_id="12345678-1234-1234-1234-123456789012",
        status=RunStatus(status),
        start_time=start,
        end_time=None if seconds is None else start + timedelta(seconds=seconds),
        result=None if code is None else RunResult(status, error=error),
        finished_by_end_time=by_end_time,
    )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- counts -----------------------------------------------------------------------------------


def test_counts_finished_runs_and_the_success_rate() -> None:
    summary = summarize_runs(
        [
            run(T0, "success"),
            run(T0, "success"),
            run(T0, "failure"),
            run(T0, "pending", seconds=None),
            run(T0, "in_progress", seconds=None),
            run(T0, "paused", seconds=5, by_end_time=True),  # finished by its end time
        ]
    )
    assert summary.total == 6
    assert dict(summary.counts) == {
        "success": 2,
        "failure": 1,
        "pending": 1,
        "in_progress": 1,
        "paused": 1,
    }
    assert summary.finished == 4
    # Over the runs that succeeded or failed: "paused" finished, but is no known outcome.
    assert summary.success_rate == 2 / 3


def test_first_and_last_start_do_not_depend_on_the_order_of_the_runs() -> None:
    starts = [T0 + hours(5), T0 + hours(1), T0 + hours(9), T0 + hours(3)]
    summary = summarize_runs(run(s) for s in starts)
    assert (summary.first_start, summary.last_start) == (T0 + hours(1), T0 + hours(9))


# --- buckets ----------------------------------------------------------------------------------


def test_each_outcome_goes_to_its_own_column() -> None:
    summary = summarize_runs(
        [run(T0, "success"), run(T0, "failure"), run(T0, "failure"), run(T0, "paused")]
    )
    assert summary.buckets == (Bucket(T0, successes=1, failures=2, others=1),)
    assert summary.buckets[0].total == 4


def test_buckets_are_hours_of_utc_time_oldest_first() -> None:
    summary = summarize_runs(
        [run(T0 + hours(2.5), "failure"), run(T0 + timedelta(minutes=59)), run(T0 + hours(1))]
    )
    assert summary.bucket == "hour"
    assert [(b.start, b.successes, b.failures) for b in summary.buckets] == [
        (T0, 1, 0),
        (T0 + hours(1), 1, 0),
        (T0 + hours(2), 0, 1),
    ]


def test_a_history_of_exactly_two_days_keeps_hourly_buckets() -> None:
    summary = summarize_runs([run(T0), run(T0 + timedelta(days=2))])
    assert summary.bucket == "hour" and len(summary.buckets) == 49
    assert summary.buckets[-1] == Bucket(T0 + timedelta(days=2), successes=1)


def test_a_history_longer_than_two_days_gets_daily_buckets_at_utc_midnight() -> None:
    summary = summarize_runs(
        [
            run(T0 + hours(1), "failure"),
            run(T0 + hours(23)),
            run(T0 + timedelta(days=2, microseconds=1) + hours(1), "paused"),
        ]
    )
    assert summary.bucket == "day"
    assert summary.buckets == (
        Bucket(T0, successes=1, failures=1),
        Bucket(T0 + timedelta(days=1)),
        Bucket(T0 + timedelta(days=2), others=1),
    )


def test_a_very_long_history_is_rolled_up_into_days_while_it_is_read() -> None:
    # More hours than are kept as hours (2400): one run an hour for 101 days, then 7 more.
    runs = [run(T0 + hours(h)) for h in range(24 * 101)]
    runs += [run(T0 + timedelta(days=101) + hours(h), "failure") for h in range(0, 21, 3)]
    summary = summarize_runs(runs)
    assert summary.bucket == "day" and len(summary.buckets) == 102
    assert all(b == Bucket(b.start, successes=24) for b in summary.buckets[:101])
    assert summary.buckets[0].start == T0
    assert summary.buckets[-1] == Bucket(T0 + timedelta(days=101), failures=7)


def test_runs_before_1970_get_buckets_too() -> None:
    early = datetime(1969, 12, 31, 22, 30, tzinfo=UTC)
    summary = summarize_runs([run(early), run(early + hours(1))])
    assert [b.start for b in summary.buckets] == [
        datetime(1969, 12, 31, 22, tzinfo=UTC),
        datetime(1969, 12, 31, 23, tzinfo=UTC),
    ]


# --- error codes ------------------------------------------------------------------------------


def test_top_errors_are_by_count_then_code_with_the_latest_start() -> None:
    runs = [
        run(T0 + hours(3), "failure", code="B"),  # newest first, as iter_runs gives them
        run(T0 + hours(2), "failure", code="A"),
        run(T0 + hours(1), "failure", code="B"),
        run(T0, "failure", code="C"),
        run(T0, "failure", code="A"),
    ]
    summary = summarize_runs(runs, top_errors=2)
    assert summary.top_errors == (
        ErrorCount("A", 2, T0 + hours(2)),
        ErrorCount("B", 2, T0 + hours(3)),
    )
    assert summarize_runs(runs, top_errors=0).top_errors == ()
    assert len(summarize_runs(runs).top_errors) == 3


def test_five_error_codes_are_kept_by_default() -> None:
    runs = [run(T0, "failure", code=f"E{i}") for i in range(7)]
    assert [e.code for e in summarize_runs(runs).top_errors] == ["E0", "E1", "E2", "E3", "E4"]


def test_a_run_without_an_error_adds_no_code() -> None:
    summary = summarize_runs([run(T0, "failure"), run(T0, "success", code=None)])
    assert summary.top_errors == ()


def test_exactly_64_codes_are_counted_exactly() -> None:
    runs = [run(T0 + hours(1), "failure", code="A") for _ in range(3)]
    runs += [run(T0, "failure", code=f"R{i:02d}") for i in range(MAX_ERROR_CODES - 1)]
    top = summarize_runs(runs, top_errors=MAX_ERROR_CODES).top_errors
    assert len(top) == MAX_ERROR_CODES
    assert top[0] == ErrorCount("A", 3, T0 + hours(1))
    assert all(e.count == 1 for e in top[1:])


def test_a_new_code_beyond_64_takes_over_the_least_counted_one_and_its_count() -> None:
    runs = [run(T0 + hours(1), "failure", code="A") for _ in range(3)]
    runs += [run(T0, "failure", code=f"R{i:02d}") for i in range(MAX_ERROR_CODES - 1)]
    runs.append(run(T0 + hours(5), "failure", code="Z"))
    top = summarize_runs(runs, top_errors=MAX_ERROR_CODES + 1).top_errors
    assert len(top) == MAX_ERROR_CODES
    # The first of the least counted (R00) is evicted; Z inherits its count, plus one.
    assert top[:2] == (ErrorCount("A", 3, T0 + hours(1)), ErrorCount("Z", 2, T0 + hours(5)))
    assert "R00" not in {e.code for e in top}


# --- durations --------------------------------------------------------------------------------


def test_durations_count_only_finished_runs_with_an_end_time() -> None:
    summary = summarize_runs(
        [
            run(T0, "success", seconds=4),
            run(T0, "in_progress", seconds=100),  # not finished: its end time does not count
            run(T0, "failure", seconds=None),  # finished, but no end time
        ]
    )
    assert summary.duration_max == timedelta(seconds=4)
    assert summary.duration_p50 == summary.duration_p95 == timedelta(seconds=4)


def test_a_zero_duration_is_a_duration() -> None:
    summary = summarize_runs([run(T0, seconds=0)])
    assert summary.duration_max == summary.duration_p50 == timedelta(0)


def test_identical_durations_give_that_duration_exactly() -> None:
    summary = summarize_runs([run(T0, seconds=12.5)] * 3)
    assert summary.duration_p50 == summary.duration_p95 == summary.duration_max
    assert summary.duration_max == timedelta(seconds=12.5)


def test_percentiles_are_the_lower_nearest_rank_exactly() -> None:
    # 1..5 seconds: p50 is the third (rank 2), p95 the fourth (rank 3.8 rounded down).
    summary = summarize_runs(run(T0, seconds=s) for s in (5, 1, 4, 2, 3))
    assert summary.duration_max == timedelta(seconds=5)
    assert summary.duration_p50 == timedelta(seconds=3)
    assert summary.duration_p95 == timedelta(seconds=4)
    two = summarize_runs(run(T0, seconds=s) for s in (59, 1))
    assert two.duration_p50 == two.duration_p95 == timedelta(seconds=1)  # as documented


def test_a_duration_before_its_start_is_left_out_of_the_durations() -> None:
    # Clocks that disagree: the run counts as finished, its negative duration nowhere.
    summary = summarize_runs([run(T0, seconds=-60), run(T0, seconds=2), run(T0, seconds=4)])
    assert summary.finished == 3
    assert summary.duration_p50 == timedelta(seconds=2)
    assert summary.duration_max == timedelta(seconds=4)
    only = summarize_runs([run(T0, seconds=-0.000001)])
    assert only.finished == 1 and only.duration_p50 is None and only.duration_max is None


def test_durations_are_kept_exactly_up_to_4096() -> None:
    durations = _Durations()
    for n in range(4096):
        durations.add(n * 1.001)
    assert durations.exact is not None and len(durations.exact) == 4096
    assert durations.quantile(0.5) == 2047 * 1.001  # rank floor(0.5 * 4095)
    assert durations.quantile(0.95) == 3890 * 1.001  # rank floor(0.95 * 4095) = 3890
    durations.add(0.5)
    assert durations.exact is None and sum(durations.bins.values()) == durations.count == 4097


def test_past_4096_durations_go_into_bins_of_one_percent() -> None:
    durations = _Durations()
    for value in [0.0] * 2 + [1.0] * 4093 + [10.0, 100.0]:
        durations.add(value)
    gamma = 1.01 / 0.99
    assert durations.bins == {-(2**31): 2, 0: 4093, math.ceil(math.log(10) / math.log(gamma)): 1,
                              math.ceil(math.log(100) / math.log(gamma)): 1}  # fmt: skip
    assert durations.quantile(0.0) == 0.0  # the bin of zeros
    assert durations.quantile(0.5) == 2 / (gamma + 1) == pytest.approx(0.99)  # bin 0's middle
    assert durations.quantile(1.0) == 100.0  # the maximum


def test_a_percentile_from_the_bins_is_the_middle_of_its_bin() -> None:
    durations = _Durations()
    gamma = 1.01 / 0.99
    least = gamma**5 * (1 - 1e-9)  # at the top of bin 5, above the bin's middle
    for _ in range(4097):
        durations.add(2.0)
    durations.add(least)
    durations.add(3.0)
    index = math.ceil(math.log(2.0) / math.log(gamma))
    middle = 2 * gamma**index / (gamma + 1)
    assert middle != 2.0 and abs(middle - 2.0) <= 0.01 * 2.0
    assert durations.quantile(0.5) == middle
    assert 2 * gamma**5 / (gamma + 1) < least
    assert durations.quantile(0.0) == least  # a bin's middle below the least: the least
    assert durations.quantile(1.0) != 3.0 and abs(durations.quantile(1.0) - 3.0) <= 0.01 * 3.0


def test_one_long_run_does_not_move_the_other_percentiles() -> None:
    # 10,000 runs of 0.2 s to 1.5 s and one stuck for three days: each percentile is within 1%
    # of the exact one (equal-width bins put p50 and p95 both at 51.9 s here).
    seconds = [0.2 + 1.3 * ((i * 7919) % 10_000) / 10_000 for i in range(10_000)]
    seconds.append(3 * 86_400.0)
    summary = summarize_runs(run(T0, seconds=s) for s in seconds)
    ordered = sorted(seconds)
    for q, got in ((0.5, summary.duration_p50), (0.95, summary.duration_p95)):
        exact = ordered[math.floor(q * (len(ordered) - 1))]
        assert got is not None
        assert abs(got.total_seconds() - exact) <= 0.01 * exact + 1e-6
    assert summary.duration_max == timedelta(days=3)


# --- the wire form ----------------------------------------------------------------------------


def test_the_summary_as_data() -> None:
    summary = summarize_runs(
        [run(T0, "failure", seconds=1.5, code="X"), run(T0 + hours(1), "success", seconds=1.5)]
    )
    assert summary.to_dict() == {
        "total": 2,
        "counts": {"failure": 1, "success": 1},
        "finished": 2,
        "success_rate": 0.5,
        "duration_p50_seconds": 1.5,
        "duration_p95_seconds": 1.5,
        "duration_max_seconds": 1.5,
        "top_errors": [{"code": "X", "count": 1, "last_seen": "2026-11-01T00:00:00Z"}],
        "first_start": "2026-11-01T00:00:00Z",
        "last_start": "2026-11-01T01:00:00Z",
        "bucket": "hour",
        "buckets": [
            {"start": "2026-11-01T00:00:00Z", "successes": 0, "failures": 1, "others": 0},
            {"start": "2026-11-01T01:00:00Z", "successes": 1, "failures": 0, "others": 0},
        ],
    }


def test_an_empty_summary_as_data() -> None:
    assert summarize_runs([]).to_dict() == {
        "total": 0,
        "counts": {},
        "finished": 0,
        "success_rate": None,
        "duration_p50_seconds": None,
        "duration_p95_seconds": None,
        "duration_max_seconds": None,
        "top_errors": [],
        "first_start": None,
        "last_start": None,
        "bucket": "hour",
        "buckets": [],
    }


def test_of_equal_starts_the_first_seen_is_the_first_and_the_last() -> None:
    one, other = run(T0, "success"), run(datetime(2026, 11, 1, tzinfo=UTC), "success")
    assert one.start_time == other.start_time and one.start_time is not other.start_time
    summary = summarize_runs([one, other])
    assert summary.first_start is one.start_time and summary.last_start is one.start_time
    reverse = summarize_runs([other, one])
    assert reverse.first_start is other.start_time and reverse.last_start is other.start_time


def test_a_summary_can_be_hashed_and_equal_summaries_hash_alike() -> None:
    runs = [run(T0, "failure", code="X"), run(T0 + hours(1))]
    one, other = summarize_runs(runs), summarize_runs(list(reversed(runs)))
    assert one == other and hash(one) == hash(other)
    assert len({one, other, summarize_runs(runs[:1])}) == 2
    assert one != summarize_runs([run(T0, "failure", code="X"), run(T0 + hours(1), "pending")])


# --- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize("runs", [5, None])
def test_runs_that_are_not_iterable_are_refused_naming_the_type(runs: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        summarize_runs(runs)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"runs must be an iterable of TimerRun (e.g. client.iter_runs(...)), got "
        f"{type(runs).__name__}"
    )


def test_an_item_that_is_not_a_run_is_refused_by_position() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        summarize_runs([run(T0), "x"])  # type: ignore[list-item]
    assert str(caught.value) == "runs[1] must be a TimerRun, got str"


def test_a_run_as_json_is_refused_pointing_to_from_dict() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        summarize_runs([{"id": "x"}])  # type: ignore[list-item]
    assert str(caught.value) == (
        "runs[0] must be a TimerRun, got dict (TimerRun.from_dict reads the wire form)"
    )


@pytest.mark.parametrize("top", [-1, True, 2.0, "5", None])
def test_top_errors_must_be_an_int_from_0(top: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        summarize_runs([], top_errors=top)  # type: ignore[arg-type]
    assert str(caught.value) == f"top_errors must be an int >= 0, got {top!r}"


def test_top_errors_0_ranks_none() -> None:
    assert summarize_runs([run(T0, "failure", code="E")], top_errors=0).top_errors == ()


# --- the timeline's length ---------------------------------------------------------------------


def test_the_timeline_holds_the_latest_1000_days_at_most() -> None:
    first = datetime(1, 1, 1, tzinfo=UTC)
    last = datetime(9999, 12, 31, tzinfo=UTC)
    summary = summarize_runs([run(first), run(last, "failure"), run(last - timedelta(days=999))])
    assert len(summary.buckets) == MAX_BUCKETS
    assert summary.buckets[0] == Bucket(last - timedelta(days=999), successes=1)
    assert summary.buckets[-1] == Bucket(last, failures=1)
    assert summary.total == 3 and summary.first_start == first  # counted all the same


def test_a_timeline_of_exactly_1000_days_is_whole() -> None:
    summary = summarize_runs([run(T0), run(T0 + timedelta(days=999))])
    assert len(summary.buckets) == MAX_BUCKETS and summary.buckets[0].start == T0


def test_days_out_of_the_timeline_are_dropped_while_runs_are_read() -> None:
    # Read oldest first, a day apart: what is kept stays bounded, and the latest days are right.
    runs = [run(T0 + timedelta(days=i), "failure" if i % 2 else "success") for i in range(5000)]
    summary = summarize_runs(runs)
    assert len(summary.buckets) == MAX_BUCKETS
    assert summary.buckets[-1] == Bucket(T0 + timedelta(days=4999), failures=1)
    assert summary.buckets[0] == Bucket(T0 + timedelta(days=4000), successes=1)
    assert sum(b.total for b in summary.buckets) == MAX_BUCKETS


def summarized_with_peak(runs: Iterable[TimerRun]) -> tuple[RunSummary, int]:
    """The summary of ``runs``, and the peak of memory allocated while making it."""
    tracemalloc.start()
    try:
        summary = summarize_runs(runs)
        return summary, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_days_runs_span() -> None:
    # 12,000 runs a day apart, made one at a time: without dropping the days the timeline
    # cannot show, the day counts alone would take over 2 MB (0.7 MB with).
    summary, peak = summarized_with_peak(run(T0 + timedelta(days=i)) for i in range(12_000))
    assert summary.total == 12_000 and len(summary.buckets) == MAX_BUCKETS
    assert peak < 1_400_000, peak


def test_64_statuses_are_counted_apart_and_runs_with_any_further_one_together() -> None:
    statuses = [f"S{i}" for i in range(MAX_STATUSES + 3)]
    runs = [run(T0, status) for status in statuses] + [run(T0, "S0"), run(T0, "S64")]
    summary = summarize_runs(runs)
    assert MAX_STATUSES == 64 and OTHER_STATUSES == "(other statuses)"
    assert summary.counts == {
        **{f"S{i}": 1 for i in range(1, MAX_STATUSES)},
        "S0": 2,  # a status counted apart goes on being counted apart
        OTHER_STATUSES: 4,  # S64, S65, S66, and S64 again
    }
    assert sum(summary.counts.values()) == summary.total


def test_the_listed_statuses_are_counted_apart_after_64_others() -> None:
    odd = [run(T0, f"S{i}") for i in range(MAX_STATUSES + 1)]
    listed = [run(T0, "success")] * 9 + [run(T0, "failure"), run(T0, "pending")]
    summary = summarize_runs([*odd, *listed])
    assert summary.counts["success"] == 9 and summary.counts["failure"] == 1
    assert summary.counts["pending"] == 1 and summary.counts[OTHER_STATUSES] == 1
    assert len(summary.counts) == MAX_STATUSES + 4
    assert summary.success_rate == 0.9


def test_memory_does_not_grow_with_a_new_status_for_every_run() -> None:
    # A service making up a status per run (jobs statuses are free text): 20,000 counters
    # would take well over 1 MB.
    summary, peak = summarized_with_peak(run(T0, f"STATUS-{i}") for i in range(20_000))
    assert summary.total == 20_000 and len(summary.counts) == MAX_STATUSES + 1
    assert peak < 600_000, peak


def test_a_start_at_the_very_end_of_year_9999_is_bucketed() -> None:
    # Its float timestamp rounds up into year 10000, where no datetime can be made.
    last = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    summary = summarize_runs([run(last, seconds=None), run(last - hours(1))])
    assert summary.bucket == "hour"
    assert summary.buckets == (
        Bucket(datetime(9999, 12, 31, 22, tzinfo=UTC), successes=1),
        Bucket(datetime(9999, 12, 31, 23, tzinfo=UTC), successes=1),
    )


def test_starts_in_other_time_zones_fall_in_their_utc_hour() -> None:
    east = timezone(timedelta(hours=5, minutes=30))
    summary = summarize_runs([run(datetime(2026, 11, 1, 5, 59, tzinfo=east))])  # 00:29 UTC
    assert summary.buckets == (Bucket(T0, successes=1),)
