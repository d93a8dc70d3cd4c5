"""The dialects (timers._dialects, its runs module, and the jobs requests): which API speaks
how, and the exchanges they build."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from timers import InvalidArgumentError, RunStatus, UnsupportedOperationError, _bridge
from timers._args import ListFilters
from timers._dialects import API_NAMES, dialect_for, jobs, runs
from timers._models import parse_page, parse_run

TIMER = UUID("12345678-1234-1234-1234-123456789012")
RUN = UUID("9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6")
PLUS_ONE = timezone(timedelta(hours=1))


def test_the_apis_are_runs_and_jobs() -> None:
    assert API_NAMES == ("runs", "jobs")
    assert dialect_for("runs") is runs and dialect_for("jobs") is jobs
    assert (runs.NAME, runs.LOCAL_FILTERS) == ("runs", False)
    assert (jobs.NAME, jobs.LOCAL_FILTERS) == ("jobs", True)


@pytest.mark.parametrize("api", ["Runs", "", "job", None])
def test_another_api_is_refused_listing_both(api: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        dialect_for(api)  # type: ignore[arg-type]
    assert str(caught.value) == f"api must be 'runs' or 'jobs', got {api!r}"


def test_the_runs_dialect_reads_answers_with_the_models_parsers() -> None:
    assert runs.trigger(TIMER) == (_bridge.run_timer(TIMER), parse_run)
    assert runs.fetch(TIMER, RUN) == (_bridge.get_timer_run(TIMER, RUN), parse_run)
    exchange = runs.list_page(ListFilters(TIMER), None, None)
    assert exchange == (("GET", f"/timers/{TIMER}/runs", {}), parse_page)


def test_the_runs_dialect_sends_times_in_utc_with_z() -> None:
    filters = ListFilters(
        TIMER,
        RunStatus.SUCCESS,
        datetime(2026, 1, 1, 1, tzinfo=PLUS_ONE),
        datetime(2026, 1, 2, 0, 0, 0, 5, tzinfo=UTC),
    )
    (method, path, params), _ = runs.list_page(filters, 10, "mk")
    assert (method, path) == ("GET", f"/timers/{TIMER}/runs")
    assert params == {
        "limit": 10,
        "marker": "mk",
        "status": "success",
        "start_after": "2026-01-01T00:00:00Z",
        "start_before": "2026-01-02T00:00:00.000005Z",
    }
    (_, _, only_before), _ = runs.list_page(
        ListFilters(TIMER, start_before=datetime(2026, 1, 2, tzinfo=UTC)), None, None
    )
    assert only_before == {"start_before": "2026-01-02T00:00:00Z"}


def test_the_jobs_dialect_lists_without_filters_and_reads_by_listing() -> None:
    filters = ListFilters(TIMER, RunStatus.FAILURE, datetime(2026, 1, 1, tzinfo=UTC))
    assert jobs.list_page(filters, 25, "pt") == (
        ("GET", f"/jobs/{TIMER}", {"page_size": 25, "results_pt": "pt"}),
        jobs.parse_page,
    )
    assert jobs.fetch(TIMER, RUN) is None
    assert jobs.DEFAULT_BASE_URL == "https://timer.automate.globus.org"


def test_the_jobs_dialect_cannot_run_a_timer() -> None:
    with pytest.raises(UnsupportedOperationError) as caught:
        jobs.trigger(TIMER)
    assert str(caught.value) == (
        "run_timer is not available with api='jobs': the production Globus Timers service "
        "has no endpoint that runs a timer now"
    )


def test_the_runs_dialect_rewrites_times_in_place_keeping_the_specs_query_order() -> None:
    after = datetime(2026, 1, 1, tzinfo=UTC)
    before = datetime(2026, 1, 2, tzinfo=UTC)
    filters = ListFilters(TIMER, RunStatus.SUCCESS, after, before)
    (_, _, params), _ = runs.list_page(filters, 10, "mk")
    _, _, generated = _bridge.list_timer_runs(
        TIMER, limit=10, marker="mk", status="success", start_after=after, start_before=before
    )
    # Same names in the same order as the generated request: only the time values differ.
    spec_order = ["limit", "marker", "status", "start_after", "start_before"]
    assert list(params) == list(generated) == spec_order
    assert (params["start_after"], params["start_before"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
    )


def test_the_testing_kit_answers_at_the_clients_default_urls() -> None:
    from timers._dialects import PRODUCTION_URL
    from timers.testing import DEFAULT_BASE_URL, DEFAULT_JOBS_BASE_URL

    assert (DEFAULT_BASE_URL, DEFAULT_JOBS_BASE_URL) == (
        runs.DEFAULT_BASE_URL,
        jobs.DEFAULT_BASE_URL,
    )
    assert jobs.DEFAULT_BASE_URL == PRODUCTION_URL
    assert runs.DEFAULT_BASE_URL == PRODUCTION_URL + "/api/v1"
