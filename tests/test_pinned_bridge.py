"""The bridge to the generated clients (timers._bridge): each operation's exact request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from timers import _bridge

TIMER = UUID("12345678-1234-1234-1234-123456789012")
RUN = UUID("9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6")
PLUS_ONE = timezone(timedelta(hours=1))


def test_run_timer_is_a_post_to_the_timers_run_path() -> None:
    assert _bridge.run_timer(TIMER) == ("POST", f"/timers/{TIMER}/run", {})


def test_get_timer_run_reads_one_run() -> None:
    assert _bridge.get_timer_run(TIMER, RUN) == ("GET", f"/timers/{TIMER}/runs/{RUN}", {})


def test_list_timer_runs_sends_only_the_filters_given() -> None:
    none = _bridge.list_timer_runs(
        TIMER, limit=None, marker=None, status=None, start_after=None, start_before=None
    )
    assert none == ("GET", f"/timers/{TIMER}/runs", {})
    every = _bridge.list_timer_runs(
        TIMER,
        limit=5,
        marker="m",
        status="failure",
        start_after=datetime(2026, 1, 1, tzinfo=UTC),
        start_before=datetime(2026, 1, 2, tzinfo=PLUS_ONE),
    )
    assert every == (
        "GET",
        f"/timers/{TIMER}/runs",
        {
            "limit": 5,
            "marker": "m",
            "status": "failure",
            "start_after": "2026-01-01T00:00:00+00:00",
            "start_before": "2026-01-02T00:00:00+01:00",
        },
    )


def test_read_job_pages_with_page_size_and_results_pt() -> None:
    assert _bridge.read_job(TIMER, page_size=None, results_pt=None) == ("GET", f"/jobs/{TIMER}", {})
    assert _bridge.read_job(TIMER, page_size=7, results_pt="pt") == (
        "GET",
        f"/jobs/{TIMER}",
        {"page_size": 7, "results_pt": "pt"},
    )


def test_each_request_is_a_fresh_dict() -> None:
    first = _bridge.read_job(TIMER, page_size=7, results_pt=None)
    first[2]["page_size"] = 8
    assert _bridge.read_job(TIMER, page_size=7, results_pt=None)[2] == {"page_size": 7}


def test_an_endpoint_that_builds_no_request_is_reported() -> None:
    def sends_nothing(*args: Any, client: Any, **kwargs: Any) -> None:
        return None

    with pytest.raises(AssertionError) as caught:
        _bridge._build("runs_api", sends_nothing, TIMER)
    assert str(caught.value) == "the generated endpoint did not build a request"
