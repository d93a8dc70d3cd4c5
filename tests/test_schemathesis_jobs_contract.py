"""Schemathesis holds the reference service's jobs API, served on loopback, to its spec.

``spec/globus-timers.yaml``: every operation gets the spec's explicit examples, coverage
probes and fuzzed requests (positive and negative) with all of schemathesis' checks. The
service is seeded with the timers the spec's examples name (and histories for them), so the
examples and half of the fuzzed ids hit real timers rather than 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from support.budget import examples

from timers.testing import FakeTimersService, serve

SPEC = Path(__file__).resolve().parent.parent / "spec" / "globus-timers.yaml"
TOKEN = "contract-token"
NOW = datetime(2026, 11, 28, 14, 6, tzinfo=UTC)
# The timers of the spec's examples (`first_page`, `flow_timer`, `paused_by_user`).
WEB_TIMERS = ("8a7f2c1e-5b3d-4e6f-9a0b-1c2d3e4f5a6b", "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")
FLOW_TIMERS = ("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",)

SETTINGS = settings(
    max_examples=examples(40),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

pytestmark = pytest.mark.filterwarnings("ignore:filter_.* is deprecated:DeprecationWarning")


def config(**parameters: Any) -> schemathesis.Config:
    """Schemathesis with the service's token (it still probes without it) and overrides."""
    return schemathesis.Config.from_dict(
        {
            "auth": {"openapi": {"bearerAuth": {"bearer": TOKEN}}},
            "dictionaries": {"jobs": {"values": [*WEB_TIMERS, *FLOW_TIMERS]}},
            "parameters": parameters,
        }
    )


# Half of the generated ids name a real timer, so fuzzing reaches past the 404s.
schema = schemathesis.openapi.from_path(
    SPEC, config=config(**{"path.job_id": {"dictionary": "jobs", "probability": 0.5}})
)


def seed(service: FakeTimersService) -> None:
    for i, timer_id in enumerate(WEB_TIMERS):
        service.add_timer(timer_id, callback="web", failure_rate=0.3)
        service.seed_history(timer_id, 30 - 25 * i, end=NOW, failure_rate=0.3)
    for timer_id in FLOW_TIMERS:
        service.add_timer(timer_id, callback="flow", failure_rate=0.5)
        service.seed_history(timer_id, 12, end=NOW - timedelta(hours=2), failure_rate=0.5)
    service.add_run(FLOW_TIMERS[0], status="in_progress", start_time=NOW - timedelta(minutes=5))


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeTimersService, str]]:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: NOW, seed=17)
    seed(service)
    with serve(service, api="jobs") as root:
        yield service, root


@pytest.fixture(scope="module")
def issued_marker(served: tuple[FakeTimersService, str]) -> dict[str, str]:
    """A ``page_next`` value the service really gave out, for each seeded timer."""
    _, root = served
    auth = {"Authorization": f"Bearer {TOKEN}"}
    markers = {}
    for job_id in (*WEB_TIMERS, *FLOW_TIMERS):
        job = httpx.get(f"{root}/jobs/{job_id}", params={"page_size": 1}, headers=auth)
        markers[job_id] = job.json()["results"]["page_next"]
        assert isinstance(markers[job_id], str)
    return markers


def with_real_values(case: schemathesis.Case[Any], markers: dict[str, str]) -> None:
    """Make a schema-valid case one the service must accept.

    ``results_pt`` is typed as any string but is opaque: only ``page_next`` values mean
    anything, and others get 422 (declared); each names a run of its own timer. ``page_size``
    is typed as any integer, but the service takes 1..1000 (422 otherwise, declared).
    Schemathesis cannot know either, so positive cases get a marker issued for their timer
    (for a timer that does not exist the answer is 404 whatever the marker) and a page size in
    range; negative cases keep theirs.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or case.query is None:
        return
    if "results_pt" in case.query and case.query["results_pt"] is not None:
        job_id = str((case.path_parameters or {}).get("job_id", ""))
        case.query["results_pt"] = markers.get(job_id, markers[WEB_TIMERS[0]])
    size = case.query.get("page_size")
    if isinstance(size, int) and not 1 <= size <= 1000:
        case.query["page_size"] = min(max(size, 1), 1000)


@schema.parametrize()
@SETTINGS
def test_every_jobs_operation_conforms_to_the_spec(
    case: schemathesis.Case[Any],
    served: tuple[FakeTimersService, str],
    issued_marker: dict[str, str],
) -> None:
    with_real_values(case, issued_marker)
    case.call_and_validate(base_url=served[1])


def test_the_seeded_timers_are_found_by_the_spec_examples(
    served: tuple[FakeTimersService, str],
) -> None:
    _, root = served
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answers = [httpx.get(f"{root}/jobs/{job_id}", headers=auth) for job_id in WEB_TIMERS]
    answers += [httpx.get(f"{root}/jobs/{FLOW_TIMERS[0]}", headers=auth)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["n_runs"] for a in answers] == [30, 5, 13]
