"""The benchmark's parsing floor (``benchmarks/parse_floor.py``) really makes the client's
strict checks: a floor that skipped some would make the page target look harder than it is.

Every body the client's parser refuses here, the floor refuses too; both take the valid ones.
Nothing here measures a speed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.bodies import with_value

from timers import ResponseValidationError
from timers._dialects import jobs
from timers._models import parse_page

JOB_ID = "12345678-1234-1234-1234-123456789012"
RUN_A = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"
RUN_B = "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"


def _load_floor() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "parse_floor.py"
    spec = importlib.util.spec_from_file_location("parse_floor", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floor = _load_floor()


def runs_body() -> dict[str, Any]:
    error = {"code": "CALLBACK_FAILED", "message": "503", "detail": {"attempts": 3}}
    return {
        "runs": [
            {
                "id": RUN_A,
                "timer_id": JOB_ID,
                "status": "failure",
                "start_time": "2026-11-28T12:00:00.5Z",
                "end_time": "2026-11-28T12:00:02+01:00",
                "result": {"status": "failure", "status_code": 503, "error": error},
            },
            {
                "id": RUN_B,
                "timer_id": JOB_ID,
                "status": "pending",
                "start_time": "2026-11-28T11:00:00Z",
                "end_time": None,
                "result": None,
            },
        ],
        "total": 2,
        "has_next_page": False,
        "next_page": None,
    }


def jobs_body() -> dict[str, Any]:
    return {
        "job_id": JOB_ID,
        "n_runs": 2,
        "flow_id": RUN_B,
        "results": {
            "page_next": None,
            "data": [
                {
                    "start_timestamp": "2026-11-28T12:00:00.004117Z",
                    "end_timestamp": "2026-11-28T12:00:03Z",
                    "run_status": "FAILED",
                    "status": 500,
                    "resource_id": RUN_A,
                    "errors": {"code": "FLOW_FAILED", "message": "no"},
                },
                {"ran_at": "2026-11-28T11:00:00+00:00", "run_status": None},
            ],
        },
    }


RUNS_REFUSED = [
    (("runs", 0, "id"), "not-a-uuid"),
    (("runs", 1, "id"), 7),
    (("runs", 0, "timer_id"), "12345678-1234-1234-1234-12345678901"),
    (("runs", 0, "status"), None),
    (("runs", 0, "start_time"), "2026-11-28 noon"),
    (("runs", 1, "start_time"), "2026-11-28T11:00:00"),  # no offset
    (("runs", 0, "end_time"), 1700000000),
    (("runs", 0, "result"), "failed"),
    (("runs", 0, "result", "status"), 1),
    (("runs", 0, "result", "status_code"), "503"),
    (("runs", 0, "result", "run_id"), 5),
    (("runs", 0, "result", "error"), ["x"]),
    (("runs", 0, "result", "error", "message"), None),
    (("runs", 1), "run"),
    (("runs", 0, "result", "error", "detail"), "attempts: 3"),
    (("runs", 1, "start_time"), "0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
    (("total",), -1),
    (("has_next_page",), None),
    (("has_next_page",), "no"),
    (("next_page",), 5),
]

JOBS_REFUSED = [
    (("job_id",), "not-a-uuid"),
    (("results", "data", 0, "start_timestamp"), "yesterday"),
    (("results", "data", 1, "ran_at"), None),  # no start at all
    (("results", "data", 0, "end_timestamp"), 3),
    (("results", "data", 0, "run_status"), 1),
    (("results", "data", 0, "status"), "500"),
    (("results", "data", 0, "resource_id"), 1),
    (("results", "data", 0, "errors"), "boom"),
    (("results", "data", 1), ["result"]),
    (("results", "data", 0, "start_timestamp"), ""),  # present but empty: no falling back
    (("results", "data", 0, "end_timestamp"), "0001-01-01T00:00:00+01:00"),
    (("n_runs",), -1),
    (("results", "page_next"), 5),
    (("results", "data"), {"0": {}}),
]


def test_the_floor_takes_the_bodies_the_client_takes() -> None:
    assert len(parse_page(runs_body())) == floor.runs_page(runs_body()) == 2
    assert len(jobs.parse_page(jobs_body())) == floor.jobs_page(jobs_body()) == 2


@pytest.mark.parametrize(("path", "value"), RUNS_REFUSED, ids=repr)
def test_the_floor_refuses_what_the_runs_parser_refuses(path: tuple[Any, ...], value: Any) -> None:
    body = with_value(runs_body(), value, *path)
    with pytest.raises(ResponseValidationError):
        parse_page(body)
    with pytest.raises((ValueError, OverflowError)):
        floor.runs_page(body)


@pytest.mark.parametrize(("path", "value"), JOBS_REFUSED, ids=repr)
def test_the_floor_refuses_what_the_jobs_parser_refuses(path: tuple[Any, ...], value: Any) -> None:
    body = with_value(jobs_body(), value, *path)
    with pytest.raises(ResponseValidationError):
        jobs.parse_page(body)
    with pytest.raises((ValueError, OverflowError)):
        floor.jobs_page(body)


def test_the_floor_checks_the_timer_id_even_when_no_run_has_one() -> None:
    body = runs_body()
    for run in body["runs"]:
        del run["timer_id"]
    with pytest.raises(ResponseValidationError):
        parse_page(body)
    with pytest.raises((ValueError, OverflowError)):
        floor.runs_page(body)


def test_the_floor_hashes_in_the_clients_run_id_namespace() -> None:
    # The floor hashes the same name the client does (same namespace, same start text).
    assert jobs.RUN_ID_NAMESPACE.bytes == floor._NAMESPACE
