"""Schemathesis holds the reference service, served on loopback, to the spec.

Every operation gets the spec's explicit examples, coverage probes and fuzzed requests
(positive and negative) with all of schemathesis' checks; a stateful run then chains
trigger -> get -> list through the links schemathesis infers. The service is seeded with the
timer and the runs that the spec's examples name, so the examples hit real objects.
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

from timers.testing._server import serve
from timers.testing._service import FakeTimersService

SPEC = Path(__file__).resolve().parent.parent / "spec" / "timers-runs.yaml"
TOKEN = "contract-token"
TIMER_ID = "12345678-1234-1234-1234-123456789012"
FLOW_TIMER_ID = "87654321-4321-4321-4321-210987654321"
NOW = datetime(2026, 11, 28, 14, 6, tzinfo=UTC)

# The runs of the spec's examples, so that explicit examples find them.
EXAMPLE_RUNS: list[dict[str, Any]] = [
    {
        "run_id": "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6",
        "status": "success",
        "start_time": datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
        "end_time": datetime(2026, 11, 28, 12, 0, 2, 514000, tzinfo=UTC),
        "result": {"status": "success", "status_code": 200},
    },
    {
        "run_id": "4c1b2a3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "status": "success",
        "start_time": datetime(2026, 11, 28, 11, 0, tzinfo=UTC),
        "end_time": datetime(2026, 11, 28, 11, 0, 4, tzinfo=UTC),
        "result": {"status": "success", "run_id": "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"},
    },
    {
        "run_id": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
        "status": "failure",
        "start_time": datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
        "end_time": datetime(2026, 11, 28, 10, 0, 30, tzinfo=UTC),
        "result": {
            "status": "failure",
            "status_code": 503,
            "error": {
                "code": "CALLBACK_FAILED",
                "message": "The web callback answered 503 Service Unavailable.",
                "detail": {"url": "https://example.org/hooks/nightly", "attempts": 3},
            },
        },
    },
    {
        "run_id": "0b7e3a52-1f0c-4d8e-9a34-5c2f1e6d7a80",
        "status": "in_progress",
        "start_time": datetime(2026, 11, 28, 14, 5, tzinfo=UTC),
    },
]

SETTINGS = settings(
    max_examples=examples(40),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def config(**parameters: Any) -> schemathesis.Config:
    """Schemathesis configured with the service's token (so it knows the request is
    authenticated, and still probes without it) and these parameter overrides."""
    return schemathesis.Config.from_dict(
        {
            "auth": {"openapi": {"bearerAuth": {"bearer": TOKEN}}},
            "dictionaries": {
                "timers": {"values": [TIMER_ID, FLOW_TIMER_ID]},
                "runs": {"values": [run["run_id"] for run in EXAMPLE_RUNS]},
            },
            "parameters": parameters,
        }
    )


# Half of the generated ids name a real timer or run, so fuzzing reaches past the 404s.
schema = schemathesis.openapi.from_path(
    SPEC,
    config=config(
        **{
            "path.timer_id": {"dictionary": "timers", "probability": 0.5},
            "path.run_id": {"dictionary": "runs", "probability": 0.5},
        }
    ),
)


def seed(service: FakeTimersService) -> None:
    service.add_timer(TIMER_ID, callback="web", failure_rate=0.3)
    for run in EXAMPLE_RUNS:
        service.add_run(TIMER_ID, **run)
    service.seed_history(TIMER_ID, 40, end=NOW - timedelta(hours=5), failure_rate=0.3)
    service.add_timer(FLOW_TIMER_ID, callback="flow", failure_rate=0.3)
    service.seed_history(FLOW_TIMER_ID, 20, end=NOW, failure_rate=0.3)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeTimersService, str]]:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: NOW, seed=11)
    seed(service)
    with serve(service) as base_url:
        yield service, base_url


@pytest.fixture
def base_url(served: tuple[FakeTimersService, str]) -> str:
    return served[1]


@pytest.fixture(scope="module")
def issued_marker(served: tuple[FakeTimersService, str]) -> dict[str, str]:
    """A ``next_page`` value the service really gave out, for each seeded timer."""
    _, url = served
    auth = {"Authorization": f"Bearer {TOKEN}"}
    markers = {}
    for timer_id in (TIMER_ID, FLOW_TIMER_ID):
        page = httpx.get(f"{url}/timers/{timer_id}/runs", params={"limit": 3}, headers=auth)
        markers[timer_id] = page.json()["next_page"]
        assert isinstance(markers[timer_id], str)
    return markers


def with_real_marker(case: schemathesis.Case[Any], markers: dict[str, str]) -> None:
    """Put a marker the service issued (for the case's timer) in place of a made-up one in a
    schema-valid case.

    The spec types ``marker`` as any non-empty string, but it is opaque: only ``next_page``
    values mean anything, and the service answers others with 400 (declared). Schemathesis
    cannot know that, so a random "valid" marker would be reported as valid data rejected.
    A marker names a run of its timer: for another timer, the service did not issue it. (For
    a timer that does not exist the answer is 404 whatever the marker.) Negative cases keep
    their markers: those must still be rejected.
    """
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and "marker" in case.query:
        timer_id = str((case.path_parameters or {}).get("timer_id", TIMER_ID))
        case.query["marker"] = markers.get(timer_id, markers[TIMER_ID])


@schema.parametrize()
@SETTINGS
def test_every_operation_conforms_to_the_spec(
    case: schemathesis.Case[Any], base_url: str, issued_marker: dict[str, str]
) -> None:
    with_real_marker(case, issued_marker)
    case.call_and_validate(base_url=base_url)


def test_trigger_get_and_list_workflows_conform_to_the_spec(
    served: tuple[FakeTimersService, str], issued_marker: dict[str, str]
) -> None:
    service, url = served
    # Every scenario works on the seeded timer, so triggered runs exist and links lead on.
    stateful = schemathesis.openapi.from_path(SPEC, config=config(**{"path.timer_id": TIMER_ID}))
    created: list[int] = []

    class Workflow(stateful.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario starts from the same state, or hypothesis reports flaky data.
            service.reset()
            seed(service)

        def teardown(self) -> None:
            created.append(service.runs_created)

        def before_call(self, case: schemathesis.Case[Any]) -> None:
            with_real_marker(case, issued_marker)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": url}

    Workflow.run(
        settings=settings(
            max_examples=examples(40),
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert sum(created) > 0, "the scenarios triggered runs"
