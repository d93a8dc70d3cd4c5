"""The models (timers._models): helpers at their boundaries, the wire form, and strict parsing,
where the fast path must accept exactly what the checked path accepts and build the same
values."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import weakref
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support.bodies import failed_run_json, numbered_runs, page_json, run_json
from support.dual import RUN_ID, TIMER_ID

from timers import (
    InvalidArgumentError,
    ResponseValidationError,
    RetryPolicy,
    RunError,
    RunPage,
    RunResult,
    RunStatus,
    TimerRun,
    _models,
    _status,
    summarize_runs,
)
from timers._models import build_result, build_run, parse_page, parse_run, status_of
from timers._summary import Bucket, ErrorCount

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FLOW_RUN = "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"


def changed(path: str, value: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """``body`` (a failed run by default) with the field at dotted ``path`` set to ``value``
    (removed when ``value`` is ``KeyError``)."""
    data = copy.deepcopy(failed_run_json() if body is None else body)
    *parents, last = path.split(".")
    target = data
    for name in parents:
        target = target[name]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


# --- statuses ---------------------------------------------------------------------------------


def test_an_unknown_status_is_named_unknown_and_not_known() -> None:
    status = RunStatus("paused")
    assert status.name == "UNKNOWN" and not status.is_known and not status.is_terminal
    assert all(s.is_known for s in RunStatus.known())
    assert RunStatus.known() == (
        RunStatus.PENDING,
        RunStatus.IN_PROGRESS,
        RunStatus.SUCCESS,
        RunStatus.FAILURE,
    )


@pytest.mark.parametrize("value", [3, None, b"success"])
def test_a_status_that_is_not_a_string_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match=r"is not a valid RunStatus$"):  # the public name
        RunStatus(value)  # type: ignore[arg-type]


def test_a_status_pickles_by_its_public_name_which_every_version_can_load() -> None:
    import pickle

    for status in (RunStatus.SUCCESS, RunStatus("paused")):
        data = pickle.dumps(status)
        assert b"RunStatus" in data and b"_RunStatus" not in data  # not the private name
        assert pickle.loads(data) == status  # noqa: S301 (our own bytes)
    assert pickle.loads(pickle.dumps(RunStatus.SUCCESS)) is RunStatus.SUCCESS  # noqa: S301


def test_status_of_gives_the_member_for_a_known_status() -> None:
    assert status_of("success") is RunStatus.SUCCESS
    unknown = status_of("pinned-models-status")
    assert unknown == "pinned-models-status" and not unknown.is_known
    assert status_of("pinned-models-status") is unknown  # made once


def test_status_of_remembers_at_most_256_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_status, "_KNOWN_STATUSES", {s.value: s for s in RunStatus.known()})
    for i in range(300):
        assert status_of(f"added-{i}") == f"added-{i}"
    assert len(_status._KNOWN_STATUSES) == 256
    assert "added-251" in _status._KNOWN_STATUSES
    assert "added-252" not in _status._KNOWN_STATUSES
    assert status_of("added-299") == "added-299"  # still parsed, just not remembered


# --- the parsers' constructors ---------------------------------------------------------------


def test_build_run_sets_every_field_in_order_like_the_constructor() -> None:
    result = RunResult("failure", 503, None, RunError("E", "m"))
    extra = MappingProxyType({"k": 1})
    values = (RUN_ID, TIMER_ID, RunStatus.FAILURE, START, START + timedelta(seconds=3), result)
    built = build_run(*values, extra, True, "req-1")
    made = TimerRun(*values, extra, finished_by_end_time=True, request_id="req-1")
    assert built == made and repr(built) == repr(made) and hash(built) == hash(made)
    fields = [f.name for f in dataclasses.fields(TimerRun)]
    assert [getattr(built, name) for name in fields] == [getattr(made, name) for name in fields]
    assert built.finished_by_end_time is True and built.request_id == "req-1"
    assert built.extra is extra


def test_public_values_can_be_weakly_referenced_as_attrs_classes_could() -> None:
    run = build_run(RUN_ID, TIMER_ID, RunStatus.PENDING, START, None, None, {}, False, None)
    error = RunError("E", "m")
    values = [
        run,
        RunResult("failure", 500, None, error),
        error,
        RunPage((run,), 1, False),
        RetryPolicy(),
        summarize_runs([run]),
        ErrorCount("E", 1, START),
        Bucket(START),
    ]
    for value in values:
        assert weakref.ref(value)() is value, type(value).__name__
    cache = weakref.WeakKeyDictionary({run: "seen"})
    assert cache[run] == "seen"


def test_built_models_are_as_frozen_as_constructed_ones() -> None:
    run = build_run(RUN_ID, TIMER_ID, RunStatus.PENDING, START, None, None, {}, False, None)
    result = build_result("success", None, FLOW_RUN, None)
    assert type(run) is TimerRun and type(result) is RunResult
    assert result == RunResult("success", run_id=FLOW_RUN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.id = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "failure"  # type: ignore[misc]


def test_constructed_models_hold_read_only_copies_of_their_mappings() -> None:
    detail = {"attempts": 3}
    extra = {"ran_at": "x"}
    error = RunError("E", "m", detail)
    run = TimerRun(RUN_ID, TIMER_ID, RunStatus.SUCCESS, START, extra=extra)
    detail["attempts"], extra["ran_at"] = 4, "y"  # the caller's dicts change; the models do not
    assert error.detail == {"attempts": 3} and run.extra == {"ran_at": "x"}
    assert type(error.detail) is MappingProxyType and type(run.extra) is MappingProxyType
    assert RunError("E", "m").detail == {} and TimerRun(RUN_ID, TIMER_ID, "x", START).extra == {}  # type: ignore[arg-type]
    assert dataclasses.replace(run, status=RunStatus.FAILURE).extra == {"ran_at": "x"}


# --- results and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status_code", "ok"), [(199, False), (200, True), (204, True), (299, True), (300, False)]
)
def test_http_ok_means_a_2xx_answer(status_code: int, ok: bool) -> None:
    assert RunResult("success", status_code=status_code).http_ok is ok


def test_a_web_callback_with_status_code_0_is_still_web() -> None:
    result = RunResult("failure", status_code=0)
    assert result.callback_kind == "web" and result.http_ok is False


def test_a_flow_run_id_makes_a_flow_callback_whatever_its_status_code() -> None:
    for code in (0, 201, 500):
        result = RunResult("failure", status_code=code, run_id=FLOW_RUN)
        assert result.callback_kind == "flow" and result.http_ok is (code == 201)
    assert RunResult("x", run_id="").callback_kind == "flow"  # set, though empty


def test_a_result_with_neither_field_has_no_kind() -> None:
    result = RunResult("unknown")
    assert result.callback_kind is None and result.http_ok is None
    assert RunResult("success", run_id=FLOW_RUN).callback_kind == "flow"


def test_a_result_wire_form_has_every_field() -> None:
    error = RunError("E", "m", {"k": 1})
    assert RunResult("failure", 500, None, error).to_dict() == {
        "status": "failure",
        "status_code": 500,
        "run_id": None,
        "error": {"code": "E", "message": "m", "detail": {"k": 1}},
    }
    assert RunResult("success").to_dict() == {
        "status": "success",
        "status_code": None,
        "run_id": None,
        "error": None,
    }


def test_an_error_detail_is_read_only_and_kept_apart_from_what_was_given() -> None:
    given = {"attempts": 3}
    error = RunError("E", "m", given)
    given["attempts"] = 4
    assert error.detail == {"attempts": 3}
    assert type(error.detail) is MappingProxyType
    assert RunError("E", "m").detail == {} and RunError("E", "m", None).detail == {}  # type: ignore[arg-type]
    proxy = MappingProxyType({"a": 1})
    assert RunError("E", "m", proxy).detail is proxy


def test_an_error_pickles_with_its_detail() -> None:
    error = RunError("E", "m", {"a": [1, 2]})
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert back == error and type(back.detail) is MappingProxyType


def test_error_and_result_parsers_name_their_own_paths() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        RunError.from_dict({"code": "E"})
    assert caught.value.path == "error.message"
    with pytest.raises(ResponseValidationError) as caught:
        RunResult.from_dict({"status": "x", "error": {"code": 1, "message": "m"}})
    assert caught.value.path == "result.error.code"


# --- runs -------------------------------------------------------------------------------------


def test_a_run_without_end_time_has_no_duration_and_is_not_finished_by_it() -> None:
    run = TimerRun(RUN_ID, TIMER_ID, RunStatus("paused"), START)
    assert run.duration is None and not run.is_finished
    by_end = TimerRun(RUN_ID, TIMER_ID, RunStatus("paused"), START, finished_by_end_time=True)
    assert not by_end.is_finished
    ended = TimerRun(
        RUN_ID,
        TIMER_ID,
        RunStatus("paused"),
        START,
        START + timedelta(seconds=3),
        finished_by_end_time=True,
    )
    assert ended.is_finished and ended.duration == timedelta(seconds=3)
    assert not TimerRun(
        RUN_ID, TIMER_ID, RunStatus.IN_PROGRESS, START, START + timedelta(seconds=1)
    ).is_finished


def test_a_run_wire_form_puts_extra_fields_beside_the_models_own() -> None:
    run = TimerRun(
        RUN_ID,
        TIMER_ID,
        RunStatus.SUCCESS,
        START,
        None,
        None,
        {"ran_at": "x", "id": "not this one"},
    )
    assert run.to_dict() == {
        "ran_at": "x",
        "id": RUN_ID,
        "timer_id": TIMER_ID,
        "status": "success",
        "start_time": "2026-11-28T12:00:00Z",
        "end_time": None,
        "result": None,
    }


def test_a_run_pickles_with_its_extra_and_request_id() -> None:
    run = parse_run(run_json(note={"a": 1}), "req-7")
    back = pickle.loads(pickle.dumps(run))  # noqa: S301 (our own bytes)
    assert back == run and back.request_id == "req-7"
    assert back.extra == {"note": {"a": 1}} and type(back.extra) is MappingProxyType


# --- parsing: the values a body says, built the fast way ------------------------------------------


VALID = {
    "a finished web run": run_json(),
    "a failed run with detail": failed_run_json(),
    "a failed run without detail": changed("result.error.detail", None),
    "a pending run": run_json(status="pending", end_time=None, result=None),
    "a flow run": run_json(result={"status": "success", "run_id": FLOW_RUN}),
    "an unknown status": run_json(status="paused"),
    "extra fields": run_json(note="hi", attempts=2),
    "offsets": run_json(
        start_time="2026-11-28T13:00:00+01:00", end_time="2026-11-28T08:00:02.5-04:00"
    ),
    "upper-case ids": run_json(id=RUN_ID.upper(), timer_id=TIMER_ID.upper()),
}


def built_by_hand(body: dict[str, Any], request_id: str) -> TimerRun:
    """What ``body`` says, built through the public constructors: the oracle."""

    def moment(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text).astimezone(UTC)

    raw = body.get("result")
    result = None
    if raw is not None:
        error = raw.get("error")
        result = RunResult(
            raw["status"],
            raw.get("status_code"),
            raw.get("run_id"),
            None if error is None else RunError(error["code"], error["message"], error["detail"]),
        )
    start = moment(body["start_time"])
    assert start is not None
    return TimerRun(
        id=body["id"],
        timer_id=body["timer_id"],
        status=RunStatus(body["status"]),
        start_time=start,
        end_time=moment(body.get("end_time")),
        result=result,
        extra={k: v for k, v in body.items() if k not in TimerRun.__match_args__},
        request_id=request_id,
    )


@pytest.mark.parametrize("name", list(VALID))
@pytest.mark.parametrize("as_mapping", [False, True], ids=["dict", "other mapping"])
def test_parsing_builds_the_values_the_body_says(name: str, as_mapping: bool) -> None:
    body = copy.deepcopy(VALID[name])
    parsed = parse_run(MappingProxyType(body) if as_mapping else body, "req-1")
    expected = built_by_hand(VALID[name], "req-1")
    assert parsed == expected and parsed.request_id == "req-1"
    assert type(parsed.status) is RunStatus
    assert parsed.start_time.tzinfo is UTC
    assert parsed.end_time is None or parsed.end_time.tzinfo is UTC
    assert type(parsed.extra) is MappingProxyType
    if parsed.result is not None and parsed.result.error is not None:
        assert type(parsed.result.error.detail) is MappingProxyType


def test_a_parsed_run_has_exactly_its_values() -> None:
    run = parse_run(changed("note", "kept"), "req-2")
    assert run.id == RUN_ID and run.timer_id == TIMER_ID
    assert run.status is RunStatus.FAILURE
    assert run.start_time == START and run.start_time.tzinfo is UTC
    assert run.end_time == datetime(2026, 11, 28, 12, 0, 2, 514_000, tzinfo=UTC)
    assert run.result == RunResult(
        "failure",
        503,
        None,
        RunError(
            "CALLBACK_FAILED",
            "The web callback answered 503 Service Unavailable.",
            {"url": "https://example.org/hooks/nightly", "attempts": 3},
        ),
    )
    assert run.extra == {"note": "kept"}
    assert parse_run(run_json()).extra == {}


@pytest.mark.parametrize("entry", ["run", "page"])
@pytest.mark.parametrize("callback", ["web", "flow"])
def test_a_parsed_error_detail_does_not_change_with_the_data_it_came_from(
    entry: str, callback: str
) -> None:
    body = failed_run_json()
    if callback == "flow":
        body["result"] = {**body["result"], "status_code": None, "run_id": FLOW_RUN}
    if entry == "run":
        run = TimerRun.from_dict(body)
    else:
        (run,) = RunPage.from_dict(page_json([body], total=1)).runs
    body["result"]["error"]["detail"]["attempts"] = 99
    assert run.result is not None and run.result.error is not None
    assert run.result.error.detail["attempts"] == 3


def test_a_run_only_the_checked_path_reads_keeps_its_request_id() -> None:
    # A lower-case "z" is RFC 3339 but not what the fast path reads.
    odd = run_json(start_time="2026-11-28t12:00:00z", id=RUN_ID)
    page = parse_page(page_json([run_json(), odd], total=2), "req-9")
    assert [run.request_id for run in page] == ["req-9", "req-9"]
    assert page.runs[1].start_time == START and page.runs[1].start_time.tzinfo is UTC
    assert parse_run(odd, "req-8").request_id == "req-8"


INVALID = [
    ("id", 5, "id", "expected a string, got int"),
    ("id", "nope", "id", "expected a UUID, got 'nope'"),
    ("id", KeyError, "id", "required field is missing"),
    ("timer_id", 5, "timer_id", "expected a string, got int"),
    ("timer_id", "x", "timer_id", "expected a UUID, got 'x'"),
    ("timer_id", KeyError, "timer_id", "required field is missing"),
    ("status", 3, "status", "expected a string, got int"),
    ("status", KeyError, "status", "required field is missing"),
    ("start_time", 5, "start_time", "expected a string, got int"),
    ("start_time", None, "start_time", "expected a string, got null"),
    ("start_time", KeyError, "start_time", "required field is missing"),
    ("start_time", "2026-11-28", "start_time", "not an RFC 3339 date-time: '2026-11-28'"),
    ("end_time", 5, "end_time", "expected a string, got int"),
    ("end_time", "bad", "end_time", "not an RFC 3339 date-time: 'bad'"),
    ("result", 5, "result", "expected an object, got int"),
    ("result", [], "result", "expected an object, got list"),
    ("result.status", 1, "result.status", "expected a string, got int"),
    ("result.status", KeyError, "result.status", "required field is missing"),
    ("result.status_code", "200", "result.status_code", "expected an integer, got str"),
    ("result.status_code", True, "result.status_code", "expected an integer, got bool"),
    ("result.status_code", 2.0, "result.status_code", "expected an integer, got float"),
    ("result.run_id", 5, "result.run_id", "expected a string, got int"),
    ("result.error", 5, "result.error", "expected an object, got int"),
    ("result.error", [], "result.error", "expected an object, got list"),
    ("result.error.code", 1, "result.error.code", "expected a string, got int"),
    ("result.error.code", KeyError, "result.error.code", "required field is missing"),
    ("result.error.message", None, "result.error.message", "expected a string, got null"),
    ("result.error.message", 2, "result.error.message", "expected a string, got int"),
    ("result.error.detail", [1], "result.error.detail", "expected an object, got list"),
    ("result.error.detail", "x", "result.error.detail", "expected an object, got str"),
]


@pytest.mark.parametrize(("field", "value", "path", "problem"), INVALID)
def test_an_invalid_run_is_refused_naming_the_field(
    field: str, value: Any, path: str, problem: str
) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_run(changed(field, value))
    assert (caught.value.path, caught.value.problem) == (path, problem)


@pytest.mark.parametrize(("field", "value", "path", "problem"), INVALID)
def test_an_invalid_run_on_a_page_is_refused_naming_its_index(
    field: str, value: Any, path: str, problem: str
) -> None:
    good = failed_run_json()
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(page_json([good, good, changed(field, value)], total=3))
    assert (caught.value.path, caught.value.problem) == (f"runs[2].{path}", problem)


def test_a_run_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_run([run_json()])
    assert (caught.value.path, caught.value.problem) == ("", "expected an object, got list")
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(page_json([run_json(), "x"], total=2))  # type: ignore[list-item]
    assert (caught.value.path, caught.value.problem) == ("runs[1]", "expected an object, got str")


def test_a_later_run_with_another_timer_id_is_still_checked() -> None:
    runs = numbered_runs(2)
    runs[1]["timer_id"] = "not-a-uuid"
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(page_json(runs, total=2))
    assert caught.value.path == "runs[1].timer_id"
    runs[1]["timer_id"] = TIMER_ID.replace("1", "2")
    page = parse_page(page_json(runs, total=2))
    assert page.runs[1].timer_id == TIMER_ID.replace("1", "2")


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "problem"),
    [
        (5, "", "expected an object, got int"),
        ({"runs": {}, "total": 0, "has_next_page": False}, "runs", "expected an array, got dict"),
        ({"total": 0, "has_next_page": False}, "runs", "required field is missing"),
        ({"runs": [], "has_next_page": False}, "total", "required field is missing"),
        (
            {"runs": [], "total": True, "has_next_page": False},
            "total",
            "expected an integer, got bool",
        ),
        (
            {"runs": [], "total": 1.0, "has_next_page": False},
            "total",
            "expected an integer, got float",
        ),
        (
            {"runs": [], "total": -1, "has_next_page": False},
            "total",
            "expected a count of at least 0, got -1",
        ),
        (
            {"runs": [], "total": 0, "has_next_page": 0},
            "has_next_page",
            "expected a boolean, got int",
        ),
        ({"runs": [], "total": 0}, "has_next_page", "required field is missing"),
        (
            {"runs": [], "total": 0, "has_next_page": True, "next_page": 5},
            "next_page",
            "expected a string, got int",
        ),
    ],
)
def test_an_invalid_page_is_refused_naming_the_field(body: Any, path: str, problem: str) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(body)
    assert (caught.value.path, caught.value.problem) == (path, problem)


def test_a_page_keeps_its_fields_and_request_id() -> None:
    page = parse_page(page_json(numbered_runs(2), total=0, next_page="m"), "req-3")
    assert (page.total, page.has_next_page, page.next_page, page.request_id) == (
        0,
        True,
        "m",
        "req-3",
    )
    assert [run.request_id for run in page] == ["req-3", "req-3"]
    assert len(page) == 2
    empty = parse_page({"runs": [], "total": 0, "has_next_page": False})
    assert (empty.next_page, empty.request_id, empty.runs) == (None, None, ())
    assert RunPage.from_dict(page.to_dict()) == page


def test_a_page_whose_first_run_has_an_empty_timer_id_is_refused() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(page_json([run_json(timer_id="")], total=1))
    assert (caught.value.path, caught.value.problem) == (
        "runs[0].timer_id",
        "expected a UUID, got ''",
    )


@pytest.mark.parametrize("name", list(VALID))
def test_a_valid_run_never_takes_the_checked_path(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The _validate helpers are for values the inline checks refuse; valid bodies are parsed
    # by the inline checks alone, alone and in a page (the speed targets of scripts/bench
    # rest on it).
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a valid body took the checked path")

    expected = parse_run(copy.deepcopy(VALID[name]), "req-1")
    body = page_json([copy.deepcopy(VALID[name]), run_json(id=RUN_ID.replace("1", "2"))])

    def page_only(data: Any, path: str = "") -> Any:  # the page itself is checked, once
        return data if data is body else refused()

    for helper in ("_strict", "timestamp_at", "within"):
        monkeypatch.setattr(_models, helper, refused)
    monkeypatch.setattr(_models, "object_at", page_only)
    assert parse_run(copy.deepcopy(VALID[name]), "req-1") == expected
    page = parse_page(body, "req-1")
    assert page.runs[0] == expected and len(page) == 2


# --- what the constructors check ---------------------------------------------------------------

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def made(**overrides: Any) -> TimerRun:
    values: dict[str, Any] = {
        "id": RUN_ID,
        "timer_id": TIMER_ID,
        "status": RunStatus.SUCCESS,
        "start_time": NOW,
    }
    return TimerRun(**{**values, **overrides})


def refused_by(call: Any) -> str:
    with pytest.raises(InvalidArgumentError) as caught:
        call()
    return str(caught.value)


def test_a_status_string_becomes_its_run_status() -> None:
    assert made(status="failure").status is RunStatus.FAILURE
    paused = made(status="paused")
    assert paused.status.value == "paused" and not paused.status.is_known


@pytest.mark.parametrize("status", [5, None, b"success"])
def test_a_status_that_is_not_a_run_status_or_a_string_is_refused(status: object) -> None:
    assert refused_by(lambda: made(status=status)) == (
        f"status must be a RunStatus or its string, got {type(status).__name__}"
    )


@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_a_naive_or_missing_time_is_refused_by_name(field: str) -> None:
    assert refused_by(lambda: made(**{field: datetime(2026, 11, 28)})) == (
        f"{field} must be timezone-aware, e.g. datetime.now(timezone.utc); got the naive "
        "2026-11-28T00:00:00 (its time zone would be a guess)"
    )
    assert refused_by(lambda: made(**{field: "2026-11-28T12:00:00Z"})) == (
        f"{field} must be a timezone-aware datetime, got str"
    )


def test_a_time_zone_that_fails_is_refused_by_name() -> None:
    class Broken(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            return timedelta(hours=30)

    assert refused_by(lambda: made(start_time=datetime(2026, 1, 1, tzinfo=Broken()))).startswith(
        "start_time has a time zone whose utcoffset() fails: offset must be a timedelta"
    )


def test_times_made_by_hand_become_utc_the_same_instants() -> None:
    # 01:30 on the night New York leaves summer time, the second time (fold=1): 06:30 UTC.
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 1, 1, 30, tzinfo=new_york, fold=1)
    india = timezone(timedelta(hours=5, minutes=30))
    run = made(start_time=start, end_time=datetime(2026, 11, 1, 12, 0, 5, tzinfo=india))
    assert run.start_time == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert run.start_time.tzinfo is UTC and run.end_time is not None
    assert run.end_time.tzinfo is UTC and run.end_time == datetime(
        2026, 11, 1, 6, 30, 5, tzinfo=UTC
    )
    again = TimerRun.from_dict(run.to_dict())
    assert again == run and hash(again) == hash(run)
    # A zone whose offset is 0 in winter is not UTC either: converted all the same.
    london = made(start_time=datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/London")))
    assert london.start_time.tzinfo is UTC and london.start_time.hour == 9


@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_a_time_past_the_last_utc_instant_is_refused_by_name(field: str) -> None:
    late = datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))
    assert refused_by(lambda: made(**{field: late})) == (
        f"{field} 9999-12-31T23:30:00-01:00 is out of range once converted to UTC"
    )


def test_no_end_time_is_fine() -> None:
    assert made(end_time=None).end_time is None


def test_extra_and_detail_must_be_mappings() -> None:
    assert refused_by(lambda: made(extra=[("a", 1)])) == "extra must be a mapping, got list"
    assert refused_by(lambda: RunError("E", "m", [("a", 1)])) == (  # type: ignore[arg-type]
        "detail must be a mapping, got list"
    )
    assert RunError("E", "m", None).detail == {}  # type: ignore[arg-type]
