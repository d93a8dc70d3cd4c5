"""The public models: open RunStatus, helpers, immutability, and the wire-format round trip."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from support.bodies import failed_run_json, numbered_runs, page_json, run_json

from timers import ResponseValidationError, RunError, RunPage, RunResult, RunStatus, TimerRun


def test_run_status_members_are_the_specs_strings() -> None:
    assert [s.value for s in RunStatus] == ["pending", "in_progress", "success", "failure"]
    assert RunStatus.known() == tuple(RunStatus)
    assert RunStatus("in_progress") is RunStatus.IN_PROGRESS
    assert RunStatus.SUCCESS == "success" and str(RunStatus.SUCCESS) == "success"


@pytest.mark.parametrize(
    ("status", "terminal"),
    [("pending", False), ("in_progress", False), ("success", True), ("failure", True)],
)
def test_only_success_and_failure_are_terminal(status: str, terminal: bool) -> None:
    assert RunStatus(status).is_terminal is terminal
    assert RunStatus(status).is_known


def test_an_unknown_status_is_kept_equal_to_its_string_and_not_terminal() -> None:
    status = RunStatus("cancelled")
    assert isinstance(status, RunStatus) and isinstance(status, str)
    assert status == "cancelled" and status.value == "cancelled"
    assert hash(status) == hash("cancelled")
    assert not status.is_terminal and not status.is_known
    assert list(RunStatus) == list(RunStatus.known())


def test_a_non_string_status_is_still_an_error() -> None:
    with pytest.raises(ValueError):
        RunStatus(3)  # type: ignore[arg-type]


def test_models_are_frozen_and_slotted() -> None:
    run = TimerRun.from_dict(run_json())
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.status = RunStatus.FAILURE  # type: ignore[misc]
    assert not hasattr(run, "__dict__")
    assert hash(run) == hash(TimerRun.from_dict(run_json()))


def test_error_detail_is_a_read_only_mapping_and_runs_stay_hashable() -> None:
    run = TimerRun.from_dict(failed_run_json())
    assert run.result is not None and run.result.error is not None
    detail = run.result.error.detail
    assert detail["attempts"] == 3
    with pytest.raises(TypeError):
        detail["attempts"] = 4  # type: ignore[index]
    assert isinstance(hash(run), int)


def test_duration_and_is_finished() -> None:
    start = datetime(2026, 11, 28, 12, tzinfo=UTC)
    running = TimerRun("i", "t", RunStatus.IN_PROGRESS, start)
    assert running.duration is None and not running.is_finished
    done = dataclasses.replace(
        running, status=RunStatus.SUCCESS, end_time=start + timedelta(seconds=90)
    )
    assert done.duration == timedelta(seconds=90) and done.is_finished


@pytest.mark.parametrize(
    ("result", "kind", "ok"),
    [
        (RunResult("success", status_code=200), "web", True),
        (RunResult("success", status_code=299), "web", True),
        (RunResult("failure", status_code=302), "web", False),
        (RunResult("failure", status_code=500), "web", False),
        (RunResult("success", run_id="f"), "flow", None),
        (RunResult("success", status_code=201, run_id="f"), "flow", True),
        (RunResult("failure", status_code=403, run_id="f"), "flow", False),
        (RunResult("failure"), None, None),
    ],
)
def test_callback_kind_and_http_ok(result: RunResult, kind: str | None, ok: bool | None) -> None:
    assert result.callback_kind == kind
    assert result.http_ok is ok


@pytest.mark.parametrize(
    "body",
    [
        run_json(),
        failed_run_json(),
        run_json(status="pending", end_time=None, result=None),
        run_json(result={"status": "success", "run_id": "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"}),
        run_json(status="paused"),
    ],
)
def test_to_dict_round_trips_the_wire_format(body: dict[str, object]) -> None:
    run = TimerRun.from_dict(body)
    wire = run.to_dict()
    assert TimerRun.from_dict(wire) == run
    assert wire["start_time"] == body["start_time"]
    assert wire["status"] == body["status"]


def test_page_to_dict_round_trips_and_is_json_ready() -> None:
    import json

    page = RunPage.from_dict(page_json(numbered_runs(3), total=10, next_page="m"))
    assert RunPage.from_dict(json.loads(json.dumps(page.to_dict()))) == page
    assert len(page) == 3 and [r.id for r in page] == [r.id for r in page.runs]


def test_times_are_written_in_utc_with_z() -> None:
    run = TimerRun.from_dict(run_json(start_time="2026-11-28T14:00:00.25+02:00"))
    assert run.to_dict()["start_time"] == "2026-11-28T12:00:00.250000Z"


def test_result_and_error_round_trip() -> None:
    error = RunError("E", "m", {"a": [1, 2]})
    assert RunError.from_dict(error.to_dict()) == error
    assert RunError("E", "m").to_dict() == {"code": "E", "message": "m", "detail": None}
    result = RunResult("failure", status_code=500, error=error)
    assert RunResult.from_dict(result.to_dict()) == result


def test_from_dict_names_the_bad_field() -> None:
    body = run_json()
    body["result"]["status_code"] = "200"
    with pytest.raises(ResponseValidationError) as info:
        TimerRun.from_dict(body)
    assert info.value.path == "result.status_code"
    assert info.value.response is None
