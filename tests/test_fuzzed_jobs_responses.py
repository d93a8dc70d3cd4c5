"""Fuzzed jobs API bodies, generated from ``spec/globus-timers.yaml``'s own schemas: every
schema-valid ``JobRead`` and ``FlowTimerRead`` parses with the jobs dialect, into runs that
say what the body says. Deterministic: hypothesis runs derandomized. (The Prism contract test
feeds the client four bodies Prism makes; this one feeds it 25 more, or ``$FUZZ_SCALE``
times that: ``support.budget``. hypothesis-jsonschema filters out most of what it draws for
these schemas, so hypothesis' filter health check is off.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.budget import examples
from support.openapi import JOBS_SPEC_PATH
from support.schemas import json_schema_validator, strategy_for

from timers import RunStatus
from timers._dialects import jobs
from timers._time import parse_datetime

JOB_READS = st.one_of(
    strategy_for("JobRead", spec_path=JOBS_SPEC_PATH),
    strategy_for("FlowTimerRead", spec_path=JOBS_SPEC_PATH),
)
JOB_READ = json_schema_validator("JobRead", spec_path=JOBS_SPEC_PATH)
FLOW_TIMER_READ = json_schema_validator("FlowTimerRead", spec_path=JOBS_SPEC_PATH)


@pytest.mark.slow
@settings(
    max_examples=examples(25),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(JOB_READS)
def test_every_schema_valid_job_read_parses_into_the_runs_it_holds(body: dict[str, Any]) -> None:
    assert JOB_READ.is_valid(body) or FLOW_TIMER_READ.is_valid(body)  # what this is about
    page = jobs.parse_page(body, "req-1")
    results: Any = body["results"]
    data = results if isinstance(results, list) else results["data"]
    assert page.total == body["n_runs"] and len(page) == len(data)
    # An empty page_next is no marker to follow: the dialect reads it as the last page.
    page_next = None if isinstance(results, list) else results.get("page_next")
    assert page.next_page == (page_next or None)
    assert page.has_next_page is (page.next_page is not None)
    job_id = str(uuid.UUID(body["job_id"]))
    for run, result in zip(page, data, strict=True):
        assert run.timer_id == job_id and run.request_id == "req-1"
        assert run.start_time == parse_datetime(result["start_timestamp"])
        assert run.id == jobs.run_id_for(job_id, run.start_time)
        assert isinstance(run.status, RunStatus)
        assert run.status.value.lower() == (result["run_status"] or "unknown").lower()
        assert run.result is not None
        if body.get("flow_id") is not None:
            assert run.result.run_id == result.get("resource_id")
