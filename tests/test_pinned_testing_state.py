"""Pinned behaviour of the reference service's state: its clock, seeds, timers, runs and histories.

What ``FakeTimersService`` remembers and how it says it, exactly: ``now()`` and ``advance()``
(UTC, whatever the clock's zone), the ids and values each seed gives (the same in every
process), ``add_timer`` / ``add_run`` / ``seed_history`` with their validation messages, the
run lifecycle's boundaries (``pending`` until exactly ``pending_seconds`` after the trigger,
``in_progress`` until exactly its end), and the runs a history holds at its ``end`` and later.
"""

from __future__ import annotations

import inspect
import random
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from support.clocks import START, Clock, NoOffset

from timers import RunStatus
from timers.testing import FakeTimersService, Reply
from timers.testing._checks import SecondsAttribute

TOKEN = "test-token"
BEARER = f"Bearer {TOKEN}"
TIMER = "12345678-1234-1234-1234-123456789012"
OTHER = "87654321-4321-4321-4321-210987654321"
MS = timedelta(milliseconds=1)


def _service(seed: int = 0, **options: Any) -> FakeTimersService:
    return FakeTimersService(tokens=[TOKEN], clock=Clock(), seed=seed, **options)


def _assert_took_a_realistic_time(run: dict[str, Any], callback: str) -> None:
    """A finished run lasted what its callback takes: web 0.2-5 s (10-60 s when it failed),
    flow 2-600 s."""
    took = _time(run["end_time"]) - _time(run["start_time"])
    if callback == "web" and run["status"] == "success":
        assert timedelta(seconds=0.2) <= took <= timedelta(seconds=5)
    elif callback == "web":
        assert timedelta(seconds=10) <= took <= timedelta(seconds=60)
    else:
        assert timedelta(seconds=2) <= took <= timedelta(seconds=600)


def _answer(service: FakeTimersService, method: str, target: str) -> Reply:
    reply = service.answerer.answer(method, target, BEARER)
    assert isinstance(reply, Reply)
    return reply


def _runs(service: FakeTimersService, timer_id: str = TIMER) -> list[dict[str, Any]]:
    """Every run of the timer as ``list_timer_runs`` answers them: newest first."""
    reply = _answer(service, "GET", f"/timers/{timer_id}/runs?limit=1000")
    assert reply.status == 200
    body = reply.json()
    assert body["total"] == len(body["runs"])
    return list(body["runs"])


def _job(service: FakeTimersService, timer_id: str = TIMER) -> dict[str, Any]:
    reply = _answer(service, "GET", f"/jobs/{timer_id}")
    assert reply.status == 200
    return dict(reply.json())


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the clock ----------------------------------------------------------------------------------


def test_now_is_the_clock_until_the_service_is_advanced() -> None:
    service = _service()
    assert service.now() == START


def test_advance_adds_up_on_top_of_the_clock() -> None:
    clock = Clock()
    service = FakeTimersService(clock=clock)
    service.advance(1.5)
    service.advance(0.25)
    assert service.now() == START + timedelta(seconds=1.75)
    clock.now = START + timedelta(hours=1)
    assert service.now() == START + timedelta(hours=1, seconds=1.75)


def test_advancing_by_zero_or_a_fraction_of_a_second_is_allowed() -> None:
    service = _service()
    service.advance(0)
    service.advance(0.5)
    assert service.now() == START + timedelta(seconds=0.5)


def test_the_clock_cannot_move_back() -> None:
    service = _service()
    with pytest.raises(ValueError, match=r"^the service's clock only moves forward$"):
        service.advance(-0.001)
    assert service.now() == START


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        (float("inf"), "seconds must be a finite number, got inf"),
        (float("nan"), "seconds must be a finite number, got nan"),
        (1e15, "advance(1000000000000000.0) would take now() past year 9999"),
        (8e11, "advance(800000000000.0) would take now() past year 9999"),
    ],
)
def test_advancing_by_an_infinite_nan_or_too_long_time_is_refused(
    seconds: float, message: str
) -> None:
    service = _service()
    with pytest.raises(ValueError) as caught:
        service.advance(seconds)
    assert str(caught.value) == message
    assert service.now() == START


def test_advancing_a_clock_near_year_9999_is_refused_before_it_goes_past() -> None:
    late = datetime(9000, 1, 1, tzinfo=UTC)
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: late)
    thousand_years = 1000 * 366 * 86400.0
    with pytest.raises(ValueError, match=r"would take now\(\) past year 9999$"):
        service.advance(thousand_years)
    assert service.now() == late


def test_advancing_a_clock_that_gives_a_naive_time_is_refused_naming_the_clock() -> None:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: datetime(2026, 11, 28, 12))
    with pytest.raises(ValueError) as caught:
        service.advance(1)
    assert str(caught.value) == (
        "clock() must be timezone-aware, got datetime.datetime(2026, 11, 28, 12, 0)"
    )


@pytest.mark.parametrize(("seconds", "kind"), [("5", "str"), (None, "NoneType"), (True, "bool")])
def test_advancing_by_something_else_than_a_number_is_refused(seconds: object, kind: str) -> None:
    service = _service()
    with pytest.raises(TypeError) as caught:
        service.advance(seconds)  # type: ignore[arg-type]
    assert str(caught.value) == f"seconds must be a number, got {kind}: {seconds!r}"
    assert service.now() == START


def test_without_a_clock_the_service_tells_the_real_utc_time() -> None:
    service = FakeTimersService()
    before = datetime.now(UTC)
    now = service.now()
    after = datetime.now(UTC)
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after


def test_a_naive_clock_is_refused_by_name() -> None:
    service = FakeTimersService(clock=lambda: datetime(2026, 11, 28, 12, 0))
    with pytest.raises(
        ValueError,
        match=r"^clock\(\) must be timezone-aware, got datetime\.datetime\(2026, 11, 28, 12, 0\)$",
    ):
        service.now()


def test_a_clock_whose_zone_has_no_offset_is_refused() -> None:
    service = FakeTimersService(clock=lambda: datetime(2026, 11, 28, 12, 0, tzinfo=NoOffset()))
    with pytest.raises(ValueError, match=r"^clock\(\) must be timezone-aware, got "):
        service.now()


def test_now_is_in_utc_whatever_the_clock_s_zone_and_the_local_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    service = FakeTimersService(clock=lambda: datetime(2026, 11, 28, 14, 0, tzinfo=plus_two))
    with pytest.MonkeyPatch.context() as monkey:
        monkey.setenv("TZ", "UTC-14")  # POSIX spelling of +14:00
        time.tzset()
        try:
            now = service.now()
        finally:
            monkey.undo()
            time.tzset()
    assert now == START
    assert now.utcoffset() == timedelta(0)
    assert now.isoformat() == "2026-11-28T12:00:00+00:00"


# --- seeds --------------------------------------------------------------------------------------


def test_seed_0_gives_these_timer_ids_in_every_process() -> None:
    service = _service(seed=0)
    assert service.add_timer() == "5630c5e4-4642-435d-8afa-53191d1e2a01"
    assert service.add_timer(callback="flow") == "4f7b3605-ab7b-487f-ba03-4f92641ce116"


def test_seed_0_gives_these_request_ids_in_every_process() -> None:
    service = _service(seed=0)
    ids = [_answer(service, "GET", "/nowhere").header("X-Request-Id") for _ in range(3)]
    assert ids == ["92ca2cd02867fb50", "100aa07b14f01fd3", "8b72cc83a68ec8b2"]


def test_request_ids_are_always_16_hex_digits() -> None:
    service = _service(seed=0)
    for _ in range(200):
        request_id = _answer(service, "GET", "/nowhere").header("X-Request-Id")
        assert request_id is not None
        assert len(request_id) == 16
        assert int(request_id, 16) < 2**64


def test_different_seeds_give_different_ids() -> None:
    first, second = _service(seed=1), _service(seed=2)
    assert first.add_timer() != second.add_timer()
    assert _answer(first, "GET", "/x").header("X-Request-Id") != _answer(
        second, "GET", "/x"
    ).header("X-Request-Id")


def test_timer_ids_and_request_ids_are_separate_sequences() -> None:
    # Requests in between do not shift the timer ids, nor timers the request ids.
    service = _service(seed=0)
    assert service.add_timer() == "5630c5e4-4642-435d-8afa-53191d1e2a01"
    assert _answer(service, "GET", "/nowhere").header("X-Request-Id") == "92ca2cd02867fb50"
    assert service.add_timer() == "4f7b3605-ab7b-487f-ba03-4f92641ce116"
    assert _answer(service, "GET", "/nowhere").header("X-Request-Id") == "100aa07b14f01fd3"


def test_a_timer_s_web_hook_is_fixed_by_the_seed_and_its_id() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER)
    assert _job(service)["callback_url"] == "https://example.org/hooks/cleanup"


def test_a_flow_timer_s_flow_comes_from_the_seed_and_its_id() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER, callback="flow")
    service.add_timer(OTHER, callback="flow")
    again = _service(seed=0)
    again.add_timer(OTHER, callback="flow")
    other_seed = _service(seed=1)
    other_seed.add_timer(TIMER, callback="flow")
    flow = _job(service, OTHER)["flow_id"]
    assert flow == _job(again, OTHER)["flow_id"]
    assert flow != _job(service, TIMER)["flow_id"]
    assert _job(service, TIMER)["flow_id"] != _job(other_seed, TIMER)["flow_id"]


def test_reset_takes_back_the_time_advance_added_but_keeps_the_clock() -> None:
    clock = Clock()
    service = FakeTimersService(clock=clock)
    service.advance(100)
    service.reset()
    assert service.now() == START
    clock.now = START + timedelta(hours=1)
    assert service.now() == START + timedelta(hours=1)
    service.advance(1)
    assert service.now() == START + timedelta(hours=1, seconds=1)


def test_a_reset_service_answers_as_a_new_one_even_after_advance() -> None:
    def scenario(service: FakeTimersService) -> list[bytes]:
        timer_id = service.add_timer()
        service.seed_history(timer_id, 5)
        created = _answer(service, "POST", f"/timers/{timer_id}/run")
        listed = _answer(service, "GET", f"/timers/{timer_id}/runs?limit=3")
        return [created.body, listed.body]

    used = _service()
    scenario(used)
    used.advance(100)
    used.reset()
    assert scenario(used) == scenario(_service())


def test_reset_restarts_every_sequence_and_forgets_timers_runs_and_requests() -> None:
    service = _service(seed=0)
    first = service.add_timer()
    service.add_timer(TIMER)
    _answer(service, "POST", f"/timers/{TIMER}/run")
    assert service.runs_created == 1
    service.reset()
    assert service.runs_created == 0
    assert service.requests == []
    with pytest.raises(KeyError):
        service.get_run_json(TIMER, OTHER)
    assert service.add_timer() == first
    assert _answer(service, "GET", "/nowhere").header("X-Request-Id") == "92ca2cd02867fb50"


# --- timers -------------------------------------------------------------------------------------


def test_a_timer_id_is_kept_in_lower_case_and_found_in_any_case() -> None:
    service = _service()
    upper = TIMER.upper().replace("1234", "ABCD", 1)
    timer_id = service.add_timer(upper)
    assert timer_id == upper.lower()
    run = service.add_run(upper, status="success")
    assert run["timer_id"] == timer_id
    assert service.get_run_json(upper, run["id"].upper()) == run
    assert _runs(service, upper) == [run]


def test_a_timer_id_that_is_not_a_uuid_is_refused_with_its_value() -> None:
    service = _service()
    with pytest.raises(
        ValueError, match=r"^timer_id must be a UUID \(8-4-4-4-12 hex digits\), got 'nope'$"
    ):
        service.add_timer("nope")


def test_a_taken_timer_id_is_refused_in_any_case() -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_run(TIMER)
    with pytest.raises(ValueError, match=f"^there is already a timer {TIMER}$"):
        service.add_timer(TIMER.upper())
    assert len(_runs(service)) == 1


@pytest.mark.parametrize("callback", ["Web", "FLOW", "webhook", ""])
def test_an_unknown_callback_kind_is_refused(callback: str) -> None:
    service = _service()
    with pytest.raises(ValueError, match=f"^callback must be 'web' or 'flow', got {callback!r}$"):
        service.add_timer(callback=callback)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [0.0, 0.5, 1.0])
def test_a_failure_rate_from_0_to_1_is_accepted(rate: float) -> None:
    service = _service()
    timer_id = service.add_timer(failure_rate=rate)
    assert _runs(service, timer_id) == []


@pytest.mark.parametrize("rate", [-0.01, 1.01, 1.5, 2.0])
def test_a_failure_rate_outside_0_to_1_is_refused(rate: float) -> None:
    service = _service()
    with pytest.raises(ValueError, match=f"^failure_rate must be between 0 and 1, got {rate!r}$"):
        service.add_timer(failure_rate=rate)


def test_an_unknown_timer_is_a_key_error_naming_it() -> None:
    service = _service()
    with pytest.raises(KeyError, match=f"no timer {OTHER}"):
        service.add_run(OTHER)
    with pytest.raises(KeyError, match="no timer not-a-uuid"):
        service.get_run_json("not-a-uuid", OTHER)


def test_an_unknown_timer_or_run_reads_plainly_not_as_a_quoted_key() -> None:
    service = _service()
    with pytest.raises(KeyError) as caught:
        service.seed_history(OTHER, 3)
    assert str(caught.value) == f"no timer {OTHER}"  # a bare KeyError's str quotes it: 'no ...'
    service.add_timer(TIMER)
    with pytest.raises(KeyError) as caught:
        service.get_run_json(TIMER, OTHER)
    assert str(caught.value) == f"timer {TIMER} has no run {OTHER}"


def test_an_unknown_run_is_a_key_error_naming_timer_and_run() -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(KeyError, match=f"timer {TIMER} has no run {OTHER}"):
        service.get_run_json(TIMER, OTHER)


def test_a_timer_starts_when_it_was_added_to_the_millisecond() -> None:
    clock = Clock(START + timedelta(microseconds=123_456))
    service = FakeTimersService(clock=clock)
    service.add_timer(TIMER)
    clock.now += timedelta(minutes=5)
    job = _job(service)
    assert job["start"] == job["submitted_at"] == "2026-11-28T12:00:00.123Z"
    assert job["next_run"] == "2026-11-28T13:00:00.123Z"


def test_a_triggered_run_fails_as_often_as_the_timer_s_failure_rate_says() -> None:
    service = _service()
    never = service.add_timer(failure_rate=0.0)
    always = service.add_timer(failure_rate=1.0)
    for _ in range(20):
        assert _answer(service, "POST", f"/timers/{never}/run").status == 201
        assert _answer(service, "POST", f"/timers/{always}/run").status == 201
    service.advance(60)
    assert {run["status"] for run in _runs(service, never)} == {"success"}
    assert {run["status"] for run in _runs(service, always)} == {"failure"}
    assert service.runs_created == 40


# --- the run lifecycle --------------------------------------------------------------------------


def test_a_triggered_run_is_pending_then_in_progress_then_final_to_the_millisecond() -> None:
    clock = Clock(START + timedelta(microseconds=250_999))
    service = FakeTimersService(clock=clock, pending_seconds=1, in_progress_seconds=2)
    service.add_timer(TIMER, failure_rate=0.0)
    created = _answer(service, "POST", f"/timers/{TIMER}/run").json()
    assert created == {
        "id": created["id"],
        "timer_id": TIMER,
        "status": "pending",
        "start_time": "2026-11-28T12:00:00.250Z",
        "end_time": None,
        "result": None,
    }
    started = START + timedelta(milliseconds=250)

    def at(moment: datetime) -> dict[str, Any]:
        clock.now = moment
        return service.get_run_json(TIMER, created["id"])

    assert at(started + timedelta(seconds=1) - MS)["status"] == "pending"
    in_progress = at(started + timedelta(seconds=1))
    assert (in_progress["status"], in_progress["end_time"], in_progress["result"]) == (
        "in_progress",
        None,
        None,
    )
    assert at(started + timedelta(seconds=3) - MS)["status"] == "in_progress"
    final = at(started + timedelta(seconds=3))
    assert final["status"] == "success"
    assert final["end_time"] == "2026-11-28T12:00:03.250Z"
    assert final["result"]["status"] == "success"
    assert final["start_time"] == created["start_time"]


def test_seed_0_triggers_this_run() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER)
    service.add_run(TIMER, start_time=START - MS)  # before now: the trigger starts at now
    created = _answer(service, "POST", f"/timers/{TIMER}/run").json()
    service.advance(3)
    assert service.get_run_json(TIMER, created["id"]) == {
        "id": "9b25cfa7-baf5-4da7-b798-6c7c2e4a3275",
        "timer_id": TIMER,
        "status": "success",
        "start_time": "2026-11-28T12:00:00Z",
        "end_time": "2026-11-28T12:00:03Z",
        "result": {"status": "success", "status_code": 202},
    }


# --- add_run ------------------------------------------------------------------------------------


def test_seed_0_adds_this_run_by_default() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER)
    run = service.add_run(TIMER)
    assert run == {
        "id": "89deeaef-0d2f-4e00-baf6-ba5b9b9f41e7",
        "timer_id": TIMER,
        "status": "success",
        "start_time": "2026-11-28T12:00:00Z",
        "end_time": "2026-11-28T12:00:04.219Z",
        "result": {"status": "success", "status_code": 200},
    }
    assert service.get_run_json(TIMER, run["id"]) == run


def test_an_added_run_keeps_its_status_forever() -> None:
    service = _service()
    service.add_timer(TIMER)
    pending = service.add_run(TIMER, status="pending")
    cancelled = service.add_run(TIMER, status="cancelled")
    service.advance(10**6)
    for run in (pending, cancelled):
        now = service.get_run_json(TIMER, run["id"])
        assert now == run
        assert now["end_time"] is None
        assert now["result"] is None


def test_an_added_run_has_exactly_the_given_fields_to_the_millisecond() -> None:
    service = _service()
    service.add_timer(TIMER)
    plus_one = timezone(timedelta(hours=1))
    result = {"status": "failure", "note": ["a", {"b": 1}]}
    run = service.add_run(
        TIMER,
        status="failure",
        start_time=datetime(2026, 1, 2, 4, 5, 6, 789_999, tzinfo=plus_one),
        end_time=datetime(2026, 1, 2, 3, 5, 7, 1_500, tzinfo=UTC),
        result=result,
        run_id=OTHER.upper(),
    )
    assert run == {
        "id": OTHER,
        "timer_id": TIMER,
        "status": "failure",
        "start_time": "2026-01-02T03:05:06.789Z",
        "end_time": "2026-01-02T03:05:07.001Z",
        "result": result,
    }
    assert service.get_run_json(TIMER, OTHER) == run


def test_an_added_run_with_an_end_time_but_no_final_status_shows_that_end_time() -> None:
    service = _service()
    service.add_timer(TIMER)
    end = START + timedelta(seconds=5)
    run = service.add_run(TIMER, status="in_progress", end_time=end)
    assert (run["status"], run["end_time"], run["result"]) == (
        "in_progress",
        "2026-11-28T12:00:05Z",
        None,
    )


def test_an_added_run_copies_its_result_deeply() -> None:
    service = _service()
    service.add_timer(TIMER)
    result: dict[str, Any] = {"status": "success", "detail": {"items": [1]}}
    run = service.add_run(TIMER, result=result)
    result["detail"]["items"].append(2)
    run["result"]["detail"]["items"].append(3)
    assert service.get_run_json(TIMER, run["id"])["result"] == {
        "status": "success",
        "detail": {"items": [1]},
    }


@pytest.mark.parametrize("callback", ["web", "flow"])
def test_an_added_final_run_gets_a_result_and_duration_matching_its_status(callback: str) -> None:
    service = _service()
    service.add_timer(TIMER, callback=callback)  # type: ignore[arg-type]
    for status in ("success", "failure"):
        for _ in range(10):
            run = service.add_run(TIMER, status=status)
            assert run["status"] == run["result"]["status"] == status
            assert ("error" in run["result"]) is (status == "failure")
            assert ("status_code" in run["result"]) is (callback == "web")
            assert ("run_id" in run["result"]) is (callback == "flow")
            _assert_took_a_realistic_time(run, callback)


def test_a_web_run_that_failed_names_the_timer_s_hook() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER)
    run = service.add_run(TIMER, status="failure")
    assert run["result"]["error"]["detail"]["url"] == "https://example.org/hooks/cleanup"


def test_added_run_ids_differ_from_the_timer_s_other_runs() -> None:
    service = _service()
    service.add_timer(TIMER)
    ids = {service.add_run(TIMER)["id"] for _ in range(50)}
    assert len(ids) == 50
    assert len(_runs(service)) == 50


def test_a_taken_run_id_is_refused_and_nothing_is_added() -> None:
    service = _service()
    service.add_timer(TIMER)
    first = service.add_run(TIMER, run_id=OTHER)
    with pytest.raises(ValueError, match=f"^timer {TIMER} already has a run {OTHER}$"):
        service.add_run(TIMER, status="failure", run_id=OTHER.upper())
    assert _runs(service) == [first]


def test_a_run_id_that_is_not_a_uuid_is_refused_with_its_value() -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(
        ValueError, match=r"^run_id must be a UUID \(8-4-4-4-12 hex digits\), got 'run-1'$"
    ):
        service.add_run(TIMER, run_id="run-1")


@pytest.mark.parametrize("name", ["start_time", "end_time"])
def test_a_naive_run_time_is_refused_by_name(name: str) -> None:
    service = _service()
    service.add_timer(TIMER)
    naive = datetime(2026, 1, 2, 3, 4, 5)
    with pytest.raises(
        ValueError,
        match=rf"^{name} must be timezone-aware, got datetime\.datetime\(2026, 1, 2, 3, 4, 5\)$",
    ):
        service.add_run(TIMER, **{name: naive})
    assert _runs(service) == []


@pytest.mark.parametrize("status", [5, None, b"success"])
def test_a_run_status_that_is_not_a_str_is_refused_and_nothing_is_added(status: object) -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(TypeError) as caught:
        service.add_run(TIMER, status=status)  # type: ignore[arg-type]
    assert str(caught.value) == f"status must be a str, got {type(status).__name__}: {status!r}"
    assert _runs(service) == []


def test_a_run_status_given_as_a_run_status_is_kept_as_its_value() -> None:
    service = _service()
    service.add_timer(TIMER)
    run = service.add_run(TIMER, status=RunStatus.FAILURE)
    assert type(run["status"]) is str and run["status"] == "failure"
    assert run["result"]["status"] == "failure"  # a final status: a result was made for it
    assert _runs(service) == [run]
    assert _job(service)["results"]["data"][0]["run_status"] == "FAILURE"


@pytest.mark.parametrize("name", ["start_time", "end_time"])
def test_a_run_time_that_is_not_a_datetime_is_refused_by_name(name: str) -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(TypeError) as caught:
        service.add_run(TIMER, **{name: "2026-01-01T00:00:00Z"})
    assert str(caught.value) == f"{name} must be a datetime, got str: '2026-01-01T00:00:00Z'"
    assert _runs(service) == []


def test_a_result_that_is_not_json_is_refused() -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(
        ValueError, match=r"^result is not JSON: Object of type set is not JSON serializable$"
    ):
        service.add_run(TIMER, result={"status": "success", "ids": {1, 2}})
    assert _runs(service) == []


def test_runs_are_listed_by_start_time_however_they_were_added() -> None:
    service = _service()
    service.add_timer(TIMER)
    ids = ["00000000-0000-4000-8000-00000000000" + str(n) for n in range(4)]
    service.add_run(TIMER, start_time=START, run_id=ids[1])
    service.add_run(TIMER, start_time=START + timedelta(seconds=1), run_id=ids[0])
    service.add_run(TIMER, start_time=START - timedelta(seconds=1), run_id=ids[3])
    service.add_run(TIMER, start_time=START + MS, run_id=ids[2])
    assert [run["id"] for run in _runs(service)] == [ids[0], ids[2], ids[1], ids[3]]


# --- one start time per run (the jobs API tells runs apart by it) --------------------------------


def test_runs_triggered_in_the_same_millisecond_start_one_millisecond_apart() -> None:
    service = _service(pending_seconds=1, in_progress_seconds=2)
    service.add_timer(TIMER)
    created = [_answer(service, "POST", f"/timers/{TIMER}/run").json() for _ in range(3)]
    assert [run["start_time"] for run in created] == [
        "2026-11-28T12:00:00Z",
        "2026-11-28T12:00:00.001Z",
        "2026-11-28T12:00:00.002Z",
    ]
    # Each run's lifecycle counts from when it was triggered, not from its moved start.
    service.advance(2.999)
    assert {service.get_run_json(TIMER, run["id"])["status"] for run in created} == {"in_progress"}
    service.advance(0.001)
    runs = [service.get_run_json(TIMER, run["id"]) for run in created]
    assert [run["status"] for run in runs] == ["success"] * 3
    assert [run["end_time"] for run in runs] == ["2026-11-28T12:00:03Z"] * 3


def test_on_a_clock_that_stands_still_triggered_runs_finish_at_once_not_before_they_start() -> None:
    service = _service(pending_seconds=0, in_progress_seconds=0)
    service.add_timer(TIMER)
    created = [_answer(service, "POST", f"/timers/{TIMER}/run").json() for _ in range(3)]
    assert [run["status"] for run in created] == ["success"] * 3
    assert [(run["start_time"], run["end_time"]) for run in created] == [
        ("2026-11-28T12:00:00Z", "2026-11-28T12:00:00Z"),
        ("2026-11-28T12:00:00.001Z", "2026-11-28T12:00:00.001Z"),
        ("2026-11-28T12:00:00.002Z", "2026-11-28T12:00:00.002Z"),
    ]


def test_runs_added_without_a_start_time_in_the_same_millisecond_start_one_millisecond_apart() -> (
    None
):
    service = _service()
    service.add_timer(TIMER)
    first = service.add_run(TIMER)
    second = service.add_run(TIMER, status="pending")
    triggered = _answer(service, "POST", f"/timers/{TIMER}/run").json()
    assert [first["start_time"], second["start_time"], triggered["start_time"]] == [
        "2026-11-28T12:00:00Z",
        "2026-11-28T12:00:00.001Z",
        "2026-11-28T12:00:00.002Z",
    ]


def test_a_run_the_service_starts_comes_after_the_timer_s_newest_run_even_a_later_one() -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_run(TIMER, start_time=START + timedelta(minutes=5))
    triggered = _answer(service, "POST", f"/timers/{TIMER}/run").json()
    assert triggered["start_time"] == "2026-11-28T12:05:00.001Z"
    assert service.add_run(TIMER)["start_time"] == "2026-11-28T12:05:00.002Z"


def test_a_run_the_service_starts_after_older_runs_starts_now() -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_run(TIMER, start_time=START - MS)
    assert service.add_run(TIMER)["start_time"] == "2026-11-28T12:00:00Z"


def test_an_explicit_start_time_another_run_of_the_timer_has_is_refused_and_nothing_added() -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_timer(OTHER)
    first = service.add_run(TIMER, start_time=START)
    with pytest.raises(
        ValueError,
        match=(
            rf"^timer {TIMER} already has a run starting at 2026-11-28T12:00:00Z: the jobs API "
            r"has no run ids, so clients tell a timer's runs apart by their start time$"
        ),
    ):
        service.add_run(TIMER, start_time=START + timedelta(microseconds=999))  # same ms
    assert _runs(service) == [first]
    assert service.add_run(OTHER, start_time=START)["start_time"] == "2026-11-28T12:00:00Z"
    twin = _service()  # the same calls but the refused one: the refusal drew nothing
    twin.add_timer(TIMER)
    twin.add_timer(OTHER)
    twin.add_run(TIMER, start_time=START)
    twin.add_run(OTHER, start_time=START)
    assert service.add_run(TIMER, start_time=START + MS) == twin.add_run(
        TIMER, start_time=START + MS
    )


def test_histories_never_give_two_runs_of_a_timer_the_same_start_time() -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_run(TIMER, start_time=START - MS)  # where the first history run would start
    # A microsecond apart, the runs of one history fall in the same millisecond.
    service.seed_history(TIMER, 4, end=START, interval=timedelta(microseconds=1))
    service.seed_history(TIMER, 4, end=START, interval=timedelta(microseconds=1))
    starts = [run["start_time"] for run in _runs(service)]
    assert starts == [f"2026-11-28T11:59:59.{999 - n:03d}Z" for n in range(9)]


# --- seed_history -------------------------------------------------------------------------------


def _web_failure(code: int, phrase: str, attempts: int) -> dict[str, Any]:
    return {
        "status": "failure",
        "status_code": code,
        "error": {
            "code": "CALLBACK_FAILED",
            "message": f"The web callback answered {code} {phrase}.",
            "detail": {"url": "https://example.org/hooks/cleanup", "attempts": attempts},
        },
    }


def test_seed_0_seeds_this_history_in_every_process() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER)
    service.seed_history(TIMER, 4, failure_rate=0.5)

    def run(run_id: str, status: str, start: str, end: str | None, result: Any) -> dict[str, Any]:
        return {
            "id": run_id,
            "timer_id": TIMER,
            "status": status,
            "start_time": start,
            "end_time": end,
            "result": result,
        }

    assert _runs(service) == [
        run("bcd24af9-e389-4c46-a572-9686e6526d66", "in_progress",
            "2026-11-28T11:59:56.501Z", None, None),
        run("a833f336-c849-4595-a1cf-c79f0f8478e2", "success",
            "2026-11-28T10:59:56.186Z", "2026-11-28T10:59:57.804Z",
            {"status": "success", "status_code": 200}),
        run("a6b031c6-767a-47ef-b8ea-228c32f43060", "failure",
            "2026-11-28T09:59:32.886Z", "2026-11-28T09:59:49.369Z",
            _web_failure(500, "Internal Server Error", 1)),
        run("edc08cc7-b18c-4da6-9e38-ef9d6abf0e2d", "failure",
            "2026-11-28T08:59:37.523Z", "2026-11-28T09:00:33.427Z",
            _web_failure(500, "Internal Server Error", 3)),
    ]  # fmt: skip


def test_a_second_history_is_drawn_afresh_with_new_ids() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER)
    service.seed_history(TIMER, 2, failure_rate=0.5)
    first = _runs(service)
    earlier = START - timedelta(days=1)
    service.seed_history(TIMER, 2, end=earlier, failure_rate=0.5)
    second = _runs(service)[2:]
    assert _runs(service)[:2] == first
    assert [(run["id"], run["status"], run["start_time"], run["end_time"]) for run in second] == [
        ("e760cb38-2185-4c46-92b3-a7e4c1edbc59", "failure",
         "2026-11-27T11:59:33.582Z", "2026-11-27T12:00:03Z"),
        ("0757f02d-8807-4559-aae3-508ffaac0b3a", "success",
         "2026-11-27T10:59:33.843Z", "2026-11-27T12:00:04Z"),
    ]  # fmt: skip
    offsets = [_time(run["start_time"]) - START for run in first]
    assert offsets != [_time(run["start_time"]) - earlier for run in second]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 57])
def test_a_history_has_exactly_count_runs_one_per_interval_back_from_end(count: int) -> None:
    service = _service(seed=3)
    service.add_timer(TIMER)
    end = START - timedelta(minutes=7)
    service.seed_history(TIMER, count, end=end, interval=timedelta(minutes=10))
    runs = _runs(service)
    assert len(runs) == count
    assert len({run["id"] for run in runs}) == count
    for i, run in enumerate(runs):
        assert run["timer_id"] == TIMER
        due = end - i * timedelta(minutes=10)
        # Each start is a little early: at least 1 ms, at most a tenth of the interval more.
        assert due - timedelta(minutes=1) - MS <= _time(run["start_time"]) <= due - MS


@pytest.mark.parametrize(
    ("interval", "bound", "reached", "smallest_below"),
    [
        # A long interval: at most 30 seconds early, and nearly all of it is used.
        (timedelta(days=1), timedelta(seconds=30), timedelta(seconds=29), timedelta(seconds=30)),
        # A short one: a tenth of the interval, from almost nothing up.
        (
            timedelta(seconds=60),
            timedelta(seconds=6),
            timedelta(seconds=5.9),
            timedelta(milliseconds=50),
        ),
    ],
    ids=["30-seconds-at-most", "a-tenth-of-a-short-interval"],
)
def test_a_history_s_jitter_is_a_tenth_of_the_interval_up_to_30_seconds(
    interval: timedelta, bound: timedelta, reached: timedelta, smallest_below: timedelta
) -> None:
    service = _service(seed=3)
    service.add_timer(TIMER)
    service.seed_history(TIMER, 300, interval=interval)
    early = [START - i * interval - _time(run["start_time"]) for i, run in
             enumerate(_runs(service))]  # fmt: skip
    assert all(MS <= e <= bound + MS for e in early)
    assert max(early) > reached
    assert min(early) < smallest_below


def test_a_history_ends_now_by_default_to_the_millisecond() -> None:
    clock = Clock(START + timedelta(microseconds=999))
    service = FakeTimersService(clock=clock, seed=3)
    service.add_timer(TIMER)
    service.seed_history(TIMER, 2)
    assert [run["start_time"] for run in _runs(service)] == [
        "2026-11-28T11:59:48.486Z",
        "2026-11-28T10:59:55.976Z",
    ]


def test_a_history_end_in_another_zone_is_the_same_moment() -> None:
    service = _service(seed=3)
    service.add_timer(TIMER)
    plus_two = timezone(timedelta(hours=2))
    service.seed_history(TIMER, 2, end=datetime(2026, 11, 28, 14, 0, 0, 999, tzinfo=plus_two))
    assert [run["start_time"] for run in _runs(service)] == [
        "2026-11-28T11:59:48.486Z",
        "2026-11-28T10:59:55.976Z",
    ]


@pytest.mark.parametrize(("rate", "statuses"), [(0.0, {"success"}), (1.0, {"failure"})])
def test_a_history_fails_as_often_as_its_failure_rate_says(rate: float, statuses: set[str]) -> None:
    service = _service(seed=3)
    service.add_timer(TIMER, failure_rate=1.0 - rate)
    service.seed_history(TIMER, 40, failure_rate=rate)
    service.advance(3600)
    runs = _runs(service)
    assert {run["status"] for run in runs} == statuses
    assert {run["result"]["status"] for run in runs} == statuses


@pytest.mark.parametrize("callback", ["web", "flow"])
def test_history_results_and_durations_match_the_callback_and_status(callback: str) -> None:
    service = _service(seed=3)
    service.add_timer(TIMER, callback=callback)  # type: ignore[arg-type]
    service.seed_history(TIMER, 60, failure_rate=0.5)
    service.advance(3600)
    runs = _runs(service)
    assert {run["status"] for run in runs} == {"success", "failure"}
    flow = _job(service)["flow_id"] if callback == "flow" else None
    for run in runs:
        result = run["result"]
        assert result["status"] == run["status"]
        assert ("error" in result) is (run["status"] == "failure")
        assert ("status_code" in result) is (callback == "web")
        if "error" in result:
            where = result["error"]["detail"]
            assert where.get("url", where.get("flow_id")) == (
                flow or "https://example.org/hooks/cleanup"
            )
        _assert_took_a_realistic_time(run, callback)


def test_a_history_sets_the_timer_s_schedule_interval() -> None:
    service = _service(seed=3)
    service.add_timer(TIMER)
    assert _job(service)["interval"] == 3600.0
    service.seed_history(TIMER, 1, interval=timedelta(minutes=5))
    assert _job(service)["interval"] == 300.0


def test_a_negative_count_is_refused() -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(ValueError, match=r"^count must not be negative, got -1$"):
        service.seed_history(TIMER, -1)


@pytest.mark.parametrize("interval", [timedelta(0), timedelta(seconds=-1)])
def test_an_interval_that_is_not_positive_is_refused(interval: timedelta) -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(ValueError, match=r"^interval must be positive$"):
        service.seed_history(TIMER, 1, interval=interval)


def test_an_interval_of_a_microsecond_is_accepted() -> None:
    service = _service()
    service.add_timer(TIMER)
    service.seed_history(TIMER, 3, interval=timedelta(microseconds=1))
    assert len(_runs(service)) == 3


@pytest.mark.parametrize("rate", [-0.01, 1.01, 1.5, 2.0])
def test_a_history_failure_rate_outside_0_to_1_is_refused(rate: float) -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(ValueError, match=f"^failure_rate must be between 0 and 1, got {rate!r}$"):
        service.seed_history(TIMER, 1, failure_rate=rate)
    assert _runs(service) == []


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_a_history_failure_rate_of_0_or_1_is_accepted(rate: float) -> None:
    service = _service()
    service.add_timer(TIMER)
    service.seed_history(TIMER, 1, failure_rate=rate)
    assert len(_runs(service)) == 1


def test_a_naive_history_end_is_refused_by_name() -> None:
    service = _service()
    service.add_timer(TIMER)
    with pytest.raises(
        ValueError,
        match=r"^end must be timezone-aware, got datetime\.datetime\(2026, 1, 2, 0, 0\)$",
    ):
        service.seed_history(TIMER, 1, end=datetime(2026, 1, 2))


def test_a_history_for_an_unknown_timer_is_a_key_error() -> None:
    service = _service()
    with pytest.raises(KeyError, match=f"no timer {TIMER}"):
        service.seed_history(TIMER, 1)


# --- unfinished runs of a history --------------------------------------------------------------
# Which newest runs are unfinished at ``end`` is drawn from the seed; for TIMER, seed 1 leaves
# the newest pending and the one before in progress, seed 9 both in progress, seed 0 only the
# newest in progress, seed 3 none. The services here have pending_seconds=1,
# in_progress_seconds=2 and end at START.


def _history(seed: int, count: int = 3, **options: Any) -> tuple[FakeTimersService, Clock]:
    clock = Clock()
    service = FakeTimersService(
        clock=clock, seed=seed, pending_seconds=1, in_progress_seconds=2, **options
    )
    service.add_timer(TIMER)
    service.seed_history(TIMER, count, failure_rate=0.0)
    return service, clock


def _statuses_at(service: FakeTimersService, clock: Clock, moment: datetime) -> list[str]:
    clock.now = moment
    return [run["status"] for run in _runs(service)]


def test_a_pending_newest_run_starts_pending_seconds_after_end_then_ends() -> None:
    service, clock = _history(seed=1)
    seconds = timedelta(seconds=1)
    assert _statuses_at(service, clock, START) == ["pending", "in_progress", "success"]
    assert _statuses_at(service, clock, START + seconds - MS)[0] == "pending"
    assert _statuses_at(service, clock, START + seconds)[0] == "in_progress"
    assert _statuses_at(service, clock, START + 3 * seconds - MS)[0] == "in_progress"
    assert _statuses_at(service, clock, START + 3 * seconds)[0] == "success"
    newest = _runs(service)[0]
    assert newest["start_time"] == "2026-11-28T11:59:44.281Z"
    assert newest["end_time"] == "2026-11-28T12:00:03Z"


def test_the_run_before_a_pending_newest_one_ends_two_in_progress_spans_after_end() -> None:
    service, clock = _history(seed=1)
    seconds = timedelta(seconds=1)
    assert _statuses_at(service, clock, START + 4 * seconds - MS)[1] == "in_progress"
    assert _statuses_at(service, clock, START + 4 * seconds) == ["success"] * 3
    assert _runs(service)[1]["end_time"] == "2026-11-28T12:00:04Z"


def test_two_newest_runs_in_progress_end_one_and_two_spans_after_end() -> None:
    service, clock = _history(seed=9)
    seconds = timedelta(seconds=1)
    assert _statuses_at(service, clock, START) == ["in_progress", "in_progress", "success"]
    assert _statuses_at(service, clock, START + 2 * seconds - MS)[:2] == ["in_progress"] * 2
    assert _statuses_at(service, clock, START + 2 * seconds)[:2] == ["success", "in_progress"]
    assert _statuses_at(service, clock, START + 4 * seconds - MS)[1] == "in_progress"
    assert _statuses_at(service, clock, START + 4 * seconds)[1] == "success"
    assert [run["end_time"] for run in _runs(service)[:2]] == [
        "2026-11-28T12:00:02Z",
        "2026-11-28T12:00:04Z",
    ]


def test_only_the_newest_run_in_progress_ends_one_span_after_end() -> None:
    service, clock = _history(seed=0)
    assert _statuses_at(service, clock, START) == ["in_progress", "success", "success"]
    assert _statuses_at(service, clock, START + timedelta(seconds=2) - MS)[0] == "in_progress"
    assert _statuses_at(service, clock, START + timedelta(seconds=2))[0] == "success"
    assert _runs(service)[0]["end_time"] == "2026-11-28T12:00:02Z"


def test_a_history_can_be_all_finished_at_its_end() -> None:
    service, clock = _history(seed=3)
    assert _statuses_at(service, clock, START) == ["success"] * 3


def test_a_single_run_history_follows_the_same_draw() -> None:
    assert _statuses_at(*_history(seed=1, count=1), START) == ["pending"]
    assert _statuses_at(*_history(seed=9, count=1), START) == ["in_progress"]
    assert _statuses_at(*_history(seed=3, count=1), START) == ["success"]


@pytest.mark.parametrize("seed", [1, 3, 9])
def test_history_runs_that_outlast_end_are_in_progress_until_they_end(seed: int) -> None:
    # Failed web calls take 10 to 60 s, so with runs every 10 s several outlast ``end``.
    clock = Clock()
    service = FakeTimersService(clock=clock, seed=seed, pending_seconds=1, in_progress_seconds=2)
    service.add_timer(TIMER)
    service.seed_history(TIMER, 8, interval=timedelta(seconds=10), failure_rate=1.0)
    at_end = _runs(service)
    clock.now = START + timedelta(hours=1)
    final = _runs(service)
    outlasting = 0
    for i, (then, run) in enumerate(zip(at_end, final, strict=True)):
        assert run["status"] == "failure"
        if seed == 1 and i == 0:
            assert then["status"] == "pending"
            continue
        ended = _time(run["end_time"])
        assert timedelta(seconds=10) <= ended - _time(run["start_time"]) <= timedelta(seconds=60)
        assert then["status"] == ("in_progress" if ended > START else "failure")
        outlasting += ended > START
        clock.now = ended - MS
        assert service.get_run_json(TIMER, run["id"])["status"] == then["status"]
        clock.now = ended
        assert service.get_run_json(TIMER, run["id"]) == run
    assert outlasting >= 3


def _scripted_ids(monkeypatch: pytest.MonkeyPatch, *ids: str) -> None:
    """Make the service draw exactly these ids, in order (to test what a repeated draw does)."""
    queue = list(ids)
    for module in ("_state", "_records"):  # timer ids; run ids
        monkeypatch.setattr(f"timers.testing.{module}.random_uuid", lambda rng: queue.pop(0))


ID_A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
ID_B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
ID_C = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"


def test_a_drawn_timer_id_that_is_taken_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service()
    service.add_timer(ID_A)
    _scripted_ids(monkeypatch, ID_A, ID_A, ID_B)
    assert service.add_timer() == ID_B


def test_a_drawn_run_id_that_is_taken_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_run(TIMER, run_id=ID_A)
    _scripted_ids(monkeypatch, ID_A, ID_B, ID_A, ID_B, ID_C)
    assert service.add_run(TIMER)["id"] == ID_B
    assert _answer(service, "POST", f"/timers/{TIMER}/run").json()["id"] == ID_C


def test_a_history_never_repeats_a_run_id(monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service()
    service.add_timer(TIMER)
    service.add_run(TIMER, run_id=ID_A)
    _scripted_ids(monkeypatch, ID_A, ID_B, ID_A, ID_B, ID_C)
    service.seed_history(TIMER, 2)
    assert sorted(run["id"] for run in _runs(service)) == [ID_A, ID_B, ID_C]


def test_a_triggered_run_that_failed_names_the_timer_s_hook() -> None:
    service = _service(seed=0)
    service.add_timer(TIMER, failure_rate=1.0)
    created = _answer(service, "POST", f"/timers/{TIMER}/run").json()
    service.advance(60)
    result = service.get_run_json(TIMER, created["id"])["result"]
    assert result["error"]["detail"]["url"] == "https://example.org/hooks/cleanup"


def test_get_run_json_gives_a_deep_copy() -> None:
    service = _service()
    service.add_timer(TIMER)
    run = service.add_run(TIMER, result={"status": "success", "detail": {"items": [1]}})
    service.get_run_json(TIMER, run["id"])["result"]["detail"]["items"].append(2)
    assert service.get_run_json(TIMER, run["id"])["result"] == run["result"]


# --- draws exactly at a threshold ---------------------------------------------------------------
# The chances are half-open intervals of a uniform draw in [0, 1): a run fails when its draw is
# below ``failure_rate``; a history's newest run is pending below 1/4, in progress below 1/2,
# and the one before it in progress below 3/8. A sequence whose every draw is the same value
# shows where each boundary falls.


class _Draws(random.Random):
    """A seeded sequence whose every ``random()`` draw is ``value`` (bits still vary)."""

    def __init__(self, seed: str, value: float) -> None:
        super().__init__(seed)
        self.value = value

    def random(self) -> float:
        return self.value


def _every_draw(monkeypatch: pytest.MonkeyPatch, value: float) -> None:
    def seeded(*parts: object) -> random.Random:
        return _Draws(":".join(map(str, parts)), value)

    monkeypatch.setattr("timers.testing._state._seeded", seeded)


@pytest.mark.parametrize(
    ("draw", "statuses"),
    [
        (0.2499, ["pending", "in_progress", "success"]),
        (0.25, ["in_progress", "in_progress", "success"]),
        (0.3749, ["in_progress", "in_progress", "success"]),
        (0.375, ["in_progress", "success", "success"]),
        (0.4999, ["in_progress", "success", "success"]),
        (0.5, ["success", "success", "success"]),
    ],
)
def test_a_history_s_unfinished_runs_at_each_threshold(
    monkeypatch: pytest.MonkeyPatch, draw: float, statuses: list[str]
) -> None:
    _every_draw(monkeypatch, draw)
    service = _service()
    service.add_timer(TIMER)
    service.seed_history(TIMER, 3, failure_rate=0.0)
    assert [run["status"] for run in _runs(service)] == statuses


def test_a_draw_equal_to_the_failure_rate_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    _every_draw(monkeypatch, 0.75)
    service = _service()
    service.add_timer(TIMER, failure_rate=0.75)
    service.seed_history(TIMER, 3, failure_rate=0.75)
    created = _answer(service, "POST", f"/timers/{TIMER}/run").json()
    service.advance(3600)
    assert [run["status"] for run in _runs(service)] == ["success"] * 4
    assert service.get_run_json(TIMER, created["id"])["status"] == "success"
    _every_draw(monkeypatch, 0.7499)
    service.add_timer(OTHER, failure_rate=0.75)
    service.seed_history(OTHER, 3, failure_rate=0.75)
    _answer(service, "POST", f"/timers/{OTHER}/run")
    service.advance(3600)
    assert [run["status"] for run in _runs(service, OTHER)] == ["failure"] * 4


def test_a_history_run_that_ends_exactly_at_end_is_finished_like_the_older_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every draw 0.75: a flow run takes 2 + 598 * 0.75 = 450.5 s and starts 1 ms + 0.75 * 30 s
    # early, so with runs every 427.999 s the second newest ends exactly at ``end``.
    _every_draw(monkeypatch, 0.75)
    service = _service()
    service.add_timer(TIMER, callback="flow")
    end = START + timedelta(hours=1)
    service.seed_history(TIMER, 3, end=end, interval=timedelta(seconds=427.999), failure_rate=0.0)
    second, oldest = _runs(service)[1:]
    assert second["end_time"] == "2026-11-28T13:00:00Z"
    # Seen before ``end``, runs that do not outlast it show their final status.
    assert (second["status"], oldest["status"]) == ("success", "success")


@pytest.mark.parametrize("seed", ["x", 1.5, True, None])
def test_a_seed_that_is_not_an_int_is_refused(seed: object) -> None:
    with pytest.raises(TypeError, match=f"^seed must be an int, got {type(seed).__name__}$"):
        FakeTimersService(seed=seed)  # type: ignore[arg-type]
    assert FakeTimersService(seed=7).add_timer() == FakeTimersService(seed=7).add_timer()


# --- arguments of the wrong type are refused by name, before anything changes ---------------------


def test_a_seconds_attribute_keeps_its_value_under_its_own_name_and_checks_it_by_name() -> None:
    class Holder:
        delay: SecondsAttribute = SecondsAttribute()

    holder = Holder()
    holder.delay = 1.5
    assert holder.delay == 1.5
    assert vars(holder) == {"_delay_seconds": 1.5}
    with pytest.raises(TypeError, match=r"^delay must be a number of seconds, got str: 'x'$"):
        holder.delay = "x"  # type: ignore[assignment]
    assert holder.delay == 1.5


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("0.1", TypeError, "latency must be a number of seconds, got str: '0.1'"),
        (None, TypeError, "latency must be a number of seconds, got NoneType: None"),
        (True, TypeError, "latency must be a number of seconds, got bool: True"),
        (-1, ValueError, "latency must be a number of seconds from 0 to "),
        (float("nan"), ValueError, "latency must be a number of seconds from 0 to "),
    ],
)
def test_a_latency_that_is_no_number_of_seconds_is_refused_when_set(
    value: object, error: type[Exception], message: str
) -> None:
    # It was taken, and then every served request lost its connection after being carried out.
    service = _service()
    service.latency = 0.25
    with pytest.raises(error) as caught:
        service.latency = value  # type: ignore[assignment]
    assert str(caught.value).startswith(message)
    assert service.latency == 0.25  # unchanged
    assert FakeTimersService().latency == 0.0
    declared = inspect.getattr_static(FakeTimersService, "latency")
    assert type(declared).__name__ == "SecondsAttribute"
    assert FakeTimersService.latency is declared  # help() reads it


def test_drop_next_takes_after_processing_only_as_true_or_false() -> None:
    service = _service()
    with pytest.raises(TypeError) as caught:
        service.drop_next(after_processing="no")  # type: ignore[arg-type]
    assert str(caught.value) == "after_processing must be True or False, got str"
    timer_id = service.add_timer()
    reply = service.answerer.answer("POST", f"/timers/{timer_id}/run", "Bearer test-token")
    assert isinstance(reply, Reply) and reply.status == 201  # nothing was queued


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"failure_rate": "x"}, "failure_rate must be a number from 0 to 1, got str: 'x'"),
        ({"failure_rate": True}, "failure_rate must be a number from 0 to 1, got bool: True"),
        ({"timer_id": 123}, "timer_id must be a str, got int"),
    ],
)
def test_add_timer_refuses_arguments_of_the_wrong_type(
    options: dict[str, Any], message: str
) -> None:
    service = _service()
    with pytest.raises(TypeError) as caught:
        service.add_timer(**options)
    assert str(caught.value) == message
    assert service.answerer.answer("GET", "/jobs/", "Bearer test-token").json() == {"jobs": []}


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((2.5,), TypeError, "count must be an int, got float: 2.5"),
        (("3",), TypeError, "count must be an int, got str: '3'"),
        ((True,), TypeError, "count must be an int, got bool: True"),
        ((3, 60), TypeError, "interval must be a timedelta, got int"),
        ((3, timedelta(0), "x"), ValueError, "interval must be positive"),
        ((3, timedelta(1), "x"), TypeError, "failure_rate must be a number from 0 to 1, got str"),
        (
            (10, timedelta(days=10**6)),
            ValueError,
            "10 runs 1000000 days, 0:00:00 apart would start before the year 1",
        ),
        ((10**10,), ValueError, "10000000000 runs 1:00:00 apart would start before the year 1"),
    ],
)
def test_seed_history_refuses_bad_arguments_by_name_and_adds_nothing(
    arguments: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    service = _service(seed=5)
    service.add_timer(TIMER)
    count, *rest = arguments
    options = dict(zip(("interval", "failure_rate"), rest, strict=False))
    with pytest.raises(error) as caught:
        service.seed_history(TIMER, count, **options)
    assert str(caught.value).startswith(message)
    assert _runs(service) == []
    # Nothing about the timer changed: the history seeded next is the one it would have been.
    service.seed_history(TIMER, 3)
    fresh = _service(seed=5)
    fresh.add_timer(TIMER)
    fresh.seed_history(TIMER, 3)
    assert _runs(service) == _runs(fresh)


def test_a_reset_leaves_a_list_of_requests_you_kept_as_it_was() -> None:
    service = _service()
    service.answerer.answer("GET", "/jobs/", "Bearer test-token")
    kept = service.requests
    service.reset()
    assert kept == [("GET", "/jobs/")] and service.requests == []


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        ("requests", None, TypeError, "requests must be a list, got NoneType"),
        ("requests", (), TypeError, "requests must be a list, got tuple"),
        ("runs_created", -1, ValueError, "runs_created must not be negative, got -1"),
        ("runs_created", "3", TypeError, "runs_created must be an int, got str: '3'"),
        ("runs_created", True, TypeError, "runs_created must be an int, got bool: True"),
    ],
)
def test_the_counters_you_may_set_are_checked_when_set(
    name: str, value: object, error: type[Exception], message: str
) -> None:
    service = _service()
    with pytest.raises(error) as caught:
        setattr(service, name, value)
    assert str(caught.value) == message
    service.requests, service.runs_created = [("GET", "/x")], 7
    assert (service.requests, service.runs_created) == ([("GET", "/x")], 7)
