"""The jobs dialect's parsing (timers._dialects.jobs): each field of a result, what is refused
with which message, and the derived run ids."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from support.bodies import job_json, job_result
from support.dual import TIMER_ID

from timers import ResponseValidationError, RunStatus
from timers._dialects.jobs import RUN_ID_NAMESPACE, parse_page, run_id_for

START = datetime(2026, 11, 28, 2, 0, 0, 4117, tzinfo=UTC)
FLOW_ID = "0b2f3b64-2c7b-4f6a-9d9e-3b3c6c2b1a00"


def refused(body: Any) -> tuple[str, str]:
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(body)
    return caught.value.path, caught.value.problem


def one(result: dict[str, Any], **job: Any) -> Any:
    (run,) = parse_page(job_json([result], **job))
    return run


# --- the page ---------------------------------------------------------------------------------


def test_a_missing_run_count_is_refused_naming_both_fields() -> None:
    body = job_json([job_result(START)])
    del body["n_runs"]
    assert refused(body) == ("n_runs", "required field is missing (and no number_of_runs)")


@pytest.mark.parametrize(
    ("value", "shown"), [(True, "True"), (1.5, "1.5"), ("3", "'3'"), (-1, "-1")]
)
def test_a_run_count_that_is_not_a_count_is_refused_quoting_it(value: Any, shown: str) -> None:
    body = job_json([job_result(START)])
    body["n_runs"] = value
    assert refused(body) == ("n_runs", f"expected a count of at least 0, got {shown}")


@pytest.mark.parametrize(("body", "kind"), [(5, "int"), ([], "list"), (None, "null")])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(body: Any, kind: str) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(body)
    assert caught.value.path == ""
    assert caught.value.problem == f"expected an object, got {kind}"
    assert str(caught.value) == f"invalid response body: expected an object, got {kind}"


def test_a_run_count_of_zero_is_a_count() -> None:
    assert parse_page(job_json([], n_runs=0)).total == 0


def test_n_runs_wins_over_number_of_runs() -> None:
    body = job_json([], n_runs=4)
    body["number_of_runs"] = 9
    assert parse_page(body).total == 4


def test_a_null_n_runs_is_absent_so_number_of_runs_stands_in() -> None:
    body = job_json([], n_runs=4)
    body["n_runs"], body["number_of_runs"] = None, 3
    assert parse_page(body).total == 3
    body["number_of_runs"] = None
    assert refused(body) == ("n_runs", "required field is missing (and no number_of_runs)")


def test_results_that_are_not_a_page_are_refused() -> None:
    body = job_json([])
    body["results"] = 5
    assert refused(body) == ("results", "expected an object, got int")
    body["results"] = {"data": {}}
    assert refused(body) == ("results.data", "expected an array, got dict")


def test_an_empty_page_next_means_the_last_page() -> None:
    page = parse_page(job_json([job_result(START)], page_next=""))
    assert (page.next_page, page.has_next_page) == (None, False)
    more = parse_page(job_json([job_result(START)], page_next="pt-2"), "req-4")
    assert (more.next_page, more.has_next_page, more.request_id) == ("pt-2", True, "req-4")
    assert more.runs[0].request_id == "req-4"


def test_a_result_that_is_not_an_object_is_refused_naming_its_index() -> None:
    body = job_json([job_result(START), "x"])
    assert refused(body) == ("results.data[1]", "expected an object, got str")
    body["results"] = [job_result(START), 5]
    assert refused(body) == ("results[1]", "expected an object, got int")


# --- one result -------------------------------------------------------------------------------


def test_the_start_comes_from_start_timestamp_before_ran_at() -> None:
    run = one(job_result(START, ran_at="2020-01-01T00:00:00Z"))
    assert run.start_time == START
    assert run.extra["ran_at"] == "2020-01-01T00:00:00Z"
    fallback = one(job_result(START, start_timestamp=None, ran_at="2026-11-28 02:00:00.5"))
    assert fallback.start_time == datetime(2026, 11, 28, 2, 0, 0, 500_000, tzinfo=UTC)
    assert fallback.start_time.tzinfo is UTC
    assert "ran_at" not in fallback.extra and "start_timestamp" not in fallback.extra


def test_a_result_without_any_start_is_refused() -> None:
    result = job_result(START, start_timestamp=None)
    del result["ran_at"]
    assert refused(job_json([result])) == (
        "results.data[0].start_timestamp",
        "required field is missing (and no ran_at)",
    )


def test_times_with_an_offset_are_converted_to_utc() -> None:
    run = one(
        job_result(
            START,
            start_timestamp="2026-11-28T03:00:00+01:00",
            end_timestamp="2026-11-27T21:05:00-05:00",
        )
    )
    assert run.start_time == datetime(2026, 11, 28, 2, tzinfo=UTC) and run.start_time.tzinfo is UTC
    assert run.end_time == datetime(2026, 11, 28, 2, 5, tzinfo=UTC) and run.end_time.tzinfo is UTC


def test_a_time_without_offset_is_read_as_utc_and_a_bad_one_is_refused() -> None:
    run = one(job_result(START, end_timestamp="2026-11-28T02:10:00.25"))
    assert run.end_time == datetime(2026, 11, 28, 2, 10, 0, 250_000, tzinfo=UTC)
    assert run.end_time.tzinfo is UTC
    bad = job_result(START, end_timestamp="2026-11-28T02:10:00+0100")
    assert refused(job_json([bad])) == (
        "results.data[0].end_timestamp",
        "not an RFC 3339 date-time: '2026-11-28T02:10:00+0100'",
    )
    assert refused(job_json([job_result(START, start_timestamp=5)])) == (
        "results.data[0].start_timestamp",
        "expected a string, got int",
    )


def test_a_result_without_run_status_is_unknown() -> None:
    run = one(job_result(START, run_status=None))
    assert run.status == "unknown" and run.status is not RunStatus.PENDING
    assert run.result.status == "unknown"


def test_a_run_status_that_is_not_a_string_is_refused() -> None:
    assert refused(job_json([job_result(START, run_status=["x"])])) == (
        "results.data[0].run_status",
        "expected a string, got list",
    )


@pytest.mark.parametrize("field", ["status", "http_status_polled", "http_status_submission"])
def test_every_http_status_field_must_be_an_integer(field: str) -> None:
    assert refused(job_json([job_result(START, **{field: True})])) == (
        f"results.data[0].{field}",
        "expected an integer, got bool",
    )


def test_the_http_status_used_leaves_extra_and_the_others_stay() -> None:
    run = one(job_result(START, status=None, http_status_polled=200, http_status_submission=201))
    assert run.result.status_code == 200
    assert "http_status_polled" not in run.extra
    assert run.extra["http_status_submission"] == 201
    assert "status" not in run.extra


def test_a_resource_id_is_the_flow_run_only_for_a_flow_timer() -> None:
    flow = one(job_result(START, resource_id="run-1"), flow_id=FLOW_ID)
    assert flow.result.run_id == "run-1" and "resource_id" not in flow.extra
    transfer = one(job_result(START, resource_id="task-1"))
    assert transfer.result.run_id is None and transfer.extra["resource_id"] == "task-1"
    no_id = one(job_result(START, resource_id=None), flow_id=FLOW_ID)
    assert no_id.result.run_id is None
    explicit_none = one(job_result(START, resource_id="task-2"), flow_id=None)
    assert explicit_none.result.run_id is None


def test_a_flow_run_id_that_is_not_a_string_is_refused() -> None:
    body = job_json([job_result(START, resource_id=5)], flow_id=FLOW_ID)
    assert refused(body) == ("results.data[0].resource_id", "expected a string, got int")


def test_an_error_message_is_the_first_string_of_message_detail_description() -> None:
    errors = {"code": "", "message": 5, "detail": "the detail", "description": "the description"}
    run = one(job_result(START, run_status="FAILED", errors=errors))
    error = run.result.error
    assert (error.code, error.message) == ("ERROR", "the detail")
    assert dict(error.detail) == errors
    assert "errors" not in run.extra
    described = one(job_result(START, errors={"code": 7, "description": "d"})).result.error
    assert (described.code, described.message) == ("ERROR", "d")
    first = one(job_result(START, errors={"code": "C", "message": "m", "detail": "x"})).result.error
    assert (first.code, first.message) == ("C", "m")


def test_none_values_are_left_out_of_extra() -> None:
    run = one(job_result(START, data=None, note="kept"))
    assert "data" not in run.extra and run.extra["note"] == "kept"


def test_a_jobs_run_is_finished_by_its_end_time() -> None:
    run = one(job_result(START, run_status="ACTIVE"))
    assert run.finished_by_end_time and run.is_finished
    assert run.timer_id == TIMER_ID


# --- derived ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        START,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=-7))),
        datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(0))),
    ],
)
def test_the_derived_id_is_uuid5_of_the_timer_and_its_utc_start(start: datetime) -> None:
    utc = start.astimezone(UTC).isoformat(timespec="microseconds")
    expected = str(uuid.uuid5(RUN_ID_NAMESPACE, f"{TIMER_ID}/{utc}"))
    assert run_id_for(TIMER_ID, start) == expected
    assert run_id_for(TIMER_ID.upper(), start) == expected


def test_the_derived_id_reads_the_timer_id_in_lower_case() -> None:
    hex_id = "abcdef01-2345-4678-9abc-def012345678"
    utc = START.isoformat(timespec="microseconds")
    expected = str(uuid.uuid5(RUN_ID_NAMESPACE, f"{hex_id}/{utc}"))
    assert run_id_for(hex_id, START) == expected
    assert run_id_for(hex_id.upper(), START) == expected


def test_the_derived_id_does_not_depend_on_the_local_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=-7)))
    utc = start.astimezone(UTC).isoformat(timespec="microseconds")
    expected = str(uuid.uuid5(RUN_ID_NAMESPACE, f"{TIMER_ID}/{utc}"))
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    try:
        assert run_id_for(TIMER_ID, start) == expected
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_derived_ids_of_many_results_are_valid_version_5_uuids() -> None:
    for minutes in range(64):
        derived = uuid.UUID(run_id_for(TIMER_ID, START + timedelta(minutes=minutes)))
        assert derived.version == 5 and derived.variant == uuid.RFC_4122
