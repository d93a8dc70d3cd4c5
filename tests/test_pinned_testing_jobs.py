"""Pinned behaviour of the reference service's ``jobs`` dialect (``spec/globus-timers.yaml``).

Exactly what ``GET /jobs/{job_id}`` and ``GET /jobs/`` answer, as whole JSON bodies and
headers: every field of a web timer's ``JobRead`` and a flow timer's ``FlowTimerRead`` (the
callback fields, the schedule the fake derives from the oldest run or the time the timer was
added, ``activity`` while the newest run is pending or in progress, the run and error counts),
each run as a ``JobResult`` (which result fields become ``status`` / ``resource_id`` /
``errors``, and which do not), the jobs error bodies (FastAPI's 422 list with its exact
``loc`` / ``msg`` / ``type`` entries, else ``{"error": {...}}``), the routing (any prefix
in-process, only the root when served), and ``list_jobs``' filters and ordering at their
edges (strict date bounds, case, ``FIELD [asc|desc]``, timers without the field last).
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

import pytest

from timers.testing import MAX_PAGE_SIZE, FakeTimersService, Reply
from timers.testing._listing import list_oldest_first
from timers.testing._wire import format_datetime as stamp

TOKEN = "test-token"
BEARER = f"Bearer {TOKEN}"
WEB = "12345678-1234-1234-1234-123456789012"
FLOW = "87654321-4321-4321-4321-210987654321"
OTHER = "abcdefab-cdef-4bcd-8fab-cdefabcdefab"
MISSING = "00000000-0000-4000-8000-000000000000"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FAILED = {"code": "FLOW_FAILED", "message": "It broke.", "detail": {"step": 2}}

# The deprecated filters are exercised on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:filter_.* is deprecated:DeprecationWarning")


class Clock:
    """A clock the test sets by hand (it may even go back)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def make_service(clock: Clock | None = None) -> FakeTimersService:
    return FakeTimersService(tokens=[TOKEN], clock=clock or Clock(START), seed=3)


def answer(service: FakeTimersService, target: str, method: str = "GET", **options: Any) -> Reply:
    reply = service.answerer.answer(method, target, BEARER, **options)
    assert isinstance(reply, Reply)
    return reply


def json_answer(reply: Reply, status: int) -> Any:
    """The reply's JSON body, after checking its status and its exact headers."""
    request_id = reply.header("x-request-id")
    assert request_id is not None and re.fullmatch(r"[0-9a-f]{16}", request_id)
    assert (reply.status, reply.headers) == (
        status,
        (("Content-Type", "application/json"), ("X-Request-Id", request_id)),
    )
    return reply.json()


def read_job(service: FakeTimersService, timer_id: str, query: str = "") -> dict[str, Any]:
    body: dict[str, Any] = json_answer(answer(service, f"/jobs/{timer_id}?{query}"), 200)
    return body


def list_jobs(service: FakeTimersService, query: str = "") -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = json_answer(answer(service, f"/jobs/?{query}"), 200)["jobs"]
    return jobs


def problems(service: FakeTimersService, target: str) -> list[dict[str, Any]]:
    """The ``detail`` list of a 422 answer (which has nothing else)."""
    body = json_answer(answer(service, target), 422)
    assert set(body) == {"detail"}
    detail: list[dict[str, Any]] = body["detail"]
    return detail


def problem(location: str, name: str, message: str, kind: str) -> dict[str, Any]:
    return {"loc": [location, name], "msg": message, "type": kind}


def finished(
    service: FakeTimersService,
    timer_id: str,
    status: str,
    start: datetime,
    seconds: float,
    result: dict[str, Any],
) -> None:
    end = start + timedelta(seconds=seconds)
    service.add_run(timer_id, status=status, start_time=start, end_time=end, result=result)


def result(
    start: datetime, run_status: str, seconds: float | None, /, **fields: Any
) -> dict[str, Any]:
    """A ``JobResult`` as the fake spells it (``fields`` in between, ``errors`` last)."""
    end = None if seconds is None else stamp(start + timedelta(seconds=seconds))
    item = {
        "ran_at": stamp(start),
        "run_status": run_status,
        "start_timestamp": stamp(start),
        "end_timestamp": end,
        "last_check_timestamp": end,
        **fields,
    }
    item.setdefault("errors", None)
    return item


# --- read_job: a whole timer ------------------------------------------------------------------


def test_a_web_timer_reads_as_a_job_read_with_every_field_as_documented() -> None:
    service = make_service()
    service.add_timer(WEB)
    oldest = START - timedelta(hours=2, minutes=10)
    failed = START - timedelta(hours=1)
    newest = START - timedelta(milliseconds=500)
    finished(service, WEB, "success", oldest, 1.5, {"status": "success", "status_code": 201})
    error = {"code": "HTTP_ERROR", "message": "503 from the hook", "detail": None}
    finished(
        service,
        WEB,
        "failure",
        failed,
        20,
        {"status": "failure", "status_code": 503, "error": error},
    )
    service.add_run(WEB, status="in_progress", start_time=newest)

    job = read_job(service, WEB)

    hook_url = job["callback_url"]
    found = re.fullmatch(r"https://example\.org/hooks/([a-z-]+)", hook_url)
    assert found is not None
    # The schedule starts at the oldest run; 2h10m later the next hourly tick is 50 min away.
    assert job == {
        "name": f"Web hook {found[1]}",
        "scope": None,
        "timer_type": "generic",
        "callback_url": hook_url,
        "callback_body": {"body": {"timer_id": WEB}},
        "interval": 3600.0,
        "start": stamp(oldest),
        "inactive_reason": None,
        "job_id": WEB,
        "status": "loaded",
        "submitted_at": stamp(oldest),
        "last_ran_at": stamp(newest),
        "next_run": stamp(START + timedelta(minutes=50)),
        "n_runs": 3,
        "n_errors": 1,
        "results": {
            "data": [
                result(newest, "IN_PROGRESS", None),
                result(failed, "FAILURE", 20, status=503, http_status_submission=503, errors=error),
                result(oldest, "SUCCESS", 1.5, status=201, http_status_submission=201),
            ],
            "page_next": None,
        },
        "schedule": {
            "type": "recurring",
            "interval_seconds": 3600,
            "start": stamp(oldest),
            "end": None,
        },
        "stop_after": {"date": None, "n_runs": None},
        "activity": {
            "code": "run_in_progress",
            "start_timestamp": stamp(newest),
            "duration_seconds": 0.5,
        },
    }


def test_a_flow_timer_reads_as_a_flow_timer_read_with_its_flow_s_scope_and_run_url() -> None:
    service = make_service()
    service.add_timer(FLOW, callback="flow")
    service.seed_history(FLOW, 0, interval=timedelta(minutes=30))  # sets only the interval
    first = START - timedelta(minutes=50)
    second = START - timedelta(minutes=20)
    finished(service, FLOW, "success", first, 90, {"status": "success", "run_id": "flow-run-1"})
    lost = {"status": "failure", "run_id": None, "status_code": 500, "error": FAILED}
    finished(service, FLOW, "failure", second, 3, lost)

    job = read_job(service, FLOW)

    found = re.fullmatch(
        r"https://flows\.automate\.globus\.org/flows/([0-9a-f-]{36})/run", job["callback_url"]
    )
    assert found is not None
    flow = found[1]
    scope = f"https://auth.globus.org/scopes/{flow}/flow_{flow.replace('-', '_')}_user"
    assert job == {
        "name": f"Flow {flow[:8]}",
        "scope": scope,
        "timer_type": "flow",
        "callback_url": f"https://flows.automate.globus.org/flows/{flow}/run",
        "callback_body": {"body": {"input": {"timer_id": FLOW}}},
        "interval": 1800.0,
        "start": stamp(first),
        "inactive_reason": None,
        "job_id": FLOW,
        "status": "loaded",
        "submitted_at": stamp(first),
        "last_ran_at": stamp(second),
        "next_run": stamp(START + timedelta(minutes=10)),
        "n_runs": 2,
        "n_errors": 1,
        "results": {
            "data": [
                result(second, "FAILURE", 3, errors=FAILED),  # no run id, no HTTP status
                result(first, "SUCCESS", 90, resource_id="flow-run-1"),
            ],
            "page_next": None,
        },
        "schedule": {
            "type": "recurring",
            "interval_seconds": 1800,
            "start": stamp(first),
            "end": None,
        },
        "stop_after": {"date": None, "n_runs": None},
        "activity": {"code": "awaiting_next_run", "next_run": stamp(START + timedelta(minutes=10))},
        "flow_id": flow,
    }


def test_a_web_run_shows_only_result_fields_of_the_documented_types() -> None:
    service = make_service()
    service.add_timer(WEB)
    odd = {"status": "success", "status_code": "201", "run_id": "not-a-flow", "error": "boom"}
    finished(service, WEB, "success", START - timedelta(minutes=5), 2, odd)
    finished(service, WEB, "success", START - timedelta(minutes=9), 2, {"status_code": True})
    data = read_job(service, WEB)["results"]["data"]
    assert data == [
        result(START - timedelta(minutes=5), "SUCCESS", 2),
        result(START - timedelta(minutes=9), "SUCCESS", 2),
    ]


def test_a_timer_without_runs_starts_when_added_and_next_runs_one_interval_later() -> None:
    clock = Clock(START)
    service = make_service(clock)
    service.add_timer(WEB)
    job = read_job(service, WEB)
    assert (job["start"], job["submitted_at"], job["next_run"]) == (
        stamp(START),
        stamp(START),
        stamp(START + timedelta(hours=1)),
    )
    assert (job["last_ran_at"], job["n_runs"], job["n_errors"]) == (None, 0, 0)
    assert job["results"] == {"data": [], "page_next": None}
    assert job["activity"] == {
        "code": "awaiting_next_run",
        "next_run": stamp(START + timedelta(hours=1)),
    }
    clock.moment = START + timedelta(minutes=90)
    later = read_job(service, WEB)
    assert (later["start"], later["next_run"]) == (stamp(START), stamp(START + timedelta(hours=2)))


def test_a_clock_set_back_before_the_timer_was_added_makes_its_start_the_next_run() -> None:
    clock = Clock(START)
    service = make_service(clock)
    service.add_timer(WEB)
    clock.moment = START - timedelta(hours=1)
    job = read_job(service, WEB)
    assert (job["start"], job["next_run"]) == (stamp(START), stamp(START))
    assert job["activity"] == {"code": "awaiting_next_run", "next_run": stamp(START)}


@pytest.mark.parametrize(
    ("seconds", "interval", "interval_seconds"),
    [(0.25, 1.0, 1), (1.5, 1.5, 2), (7200, 7200.0, 7200)],
)
def test_the_schedule_runs_every_seed_history_interval_but_at_most_once_a_second(
    seconds: float, interval: float, interval_seconds: int
) -> None:
    service = make_service()
    service.add_timer(WEB)
    service.seed_history(WEB, 0, interval=timedelta(seconds=seconds))
    job = read_job(service, WEB)
    assert (job["interval"], job["schedule"]["interval_seconds"]) == (interval, interval_seconds)
    assert job["next_run"] == stamp(START + timedelta(seconds=interval))


def test_a_triggered_run_counts_as_an_error_only_once_it_has_failed() -> None:
    service = make_service()
    service.add_timer(WEB, failure_rate=1.0)
    created = answer(service, f"/timers/{WEB}/run", "POST")
    assert created.status == 201
    pending = read_job(service, WEB)
    assert pending["n_errors"] == 0 and pending["results"]["data"][0]["run_status"] == "PENDING"
    assert pending["activity"] == {
        "code": "run_in_progress",
        "start_timestamp": stamp(START),
        "duration_seconds": 0.0,
    }
    service.advance(1.5)
    running = read_job(service, WEB)
    assert running["n_errors"] == 0 and running["results"]["data"][0]["run_status"] == "IN_PROGRESS"
    assert running["activity"]["code"] == "run_in_progress"
    assert running["activity"]["duration_seconds"] == 1.5
    service.advance(60)
    done = read_job(service, WEB)
    assert done["n_errors"] == 1 and done["results"]["data"][0]["run_status"] == "FAILURE"
    assert done["activity"]["code"] == "awaiting_next_run"


def test_a_pending_newest_run_that_starts_later_has_been_in_progress_for_no_time() -> None:
    service = make_service()
    service.add_timer(WEB)
    finished(service, WEB, "success", START - timedelta(minutes=3), 1, {"status_code": 200})
    service.add_run(WEB, status="pending", start_time=START + timedelta(minutes=1))
    job = read_job(service, WEB)
    assert job["activity"] == {
        "code": "run_in_progress",
        "start_timestamp": stamp(START + timedelta(minutes=1)),
        "duration_seconds": 0.0,
    }
    assert job["last_ran_at"] == stamp(START + timedelta(minutes=1))


# --- error bodies -----------------------------------------------------------------------------


def test_an_injected_422_is_a_fastapi_validation_list_about_the_request() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.fail_next(status=422, operation="read_job")
    reply = answer(service, f"/jobs/{WEB}")
    assert (reply.status, reply.header("content-type")) == (422, "application/json")
    assert reply.json() == {
        "detail": [problem("request", "query", f"{HTTPStatus(422).phrase}.", "value_error")]
    }


@pytest.mark.parametrize(
    ("status", "code", "detail"),
    [
        (423, "ERROR", "Locked."),
        (429, "RATE_LIMITED", "Too Many Requests."),
        (599, "ERROR", "Error."),
    ],
)
def test_other_injected_errors_are_the_timers_error_object(
    status: int, code: str, detail: str
) -> None:
    service = make_service()
    service.fail_next(status=status, operation="list_jobs")
    reply = answer(service, "/jobs/")
    assert (reply.status, reply.header("content-type")) == (status, "application/json")
    assert reply.json() == {"error": {"code": code, "detail": detail, "status": status}}


def test_authentication_and_wrong_methods_on_list_jobs_get_the_timers_error_object() -> None:
    service = make_service()
    reply = service.answerer.answer("GET", "/jobs/", "Bearer nope")
    assert isinstance(reply, Reply) and reply.status == 401
    assert reply.json() == {
        "error": {
            "code": "AUTHENTICATION_ERROR",
            "detail": "Missing or invalid bearer token.",
            "status": 401,
        }
    }
    wrong = answer(service, "/jobs/", "POST")
    assert (wrong.status, wrong.header("allow")) == (405, "GET")
    assert wrong.json() == {
        "error": {
            "code": "METHOD_NOT_ALLOWED",
            "detail": "POST is not allowed here; use GET.",
            "status": 405,
        }
    }


# --- routing ------------------------------------------------------------------------------------


def test_in_process_the_jobs_paths_are_taken_after_any_prefix_but_served_only_at_the_root() -> None:
    service = make_service()
    service.add_timer(WEB)
    assert read_job(service, WEB)["job_id"] == WEB
    assert answer(service, f"/some/prefix/jobs/{WEB}").status == 200
    assert answer(service, "/some/prefix/jobs/").status == 200
    assert answer(service, f"/jobs/{WEB}", base_path="/api/v1").status == 200
    assert answer(service, "/jobs/", base_path="/api/v1").status == 200
    for path in (f"/api/v1/jobs/{WEB}", "/api/v1/jobs/", f"/x/jobs/{WEB}"):
        served = answer(service, path, base_path="/api/v1")
        assert served.status == 404
        assert set(served.json()) == {"code", "message", "request_id"}  # no API claims it


def test_a_percent_encoded_job_id_is_decoded() -> None:
    service = make_service()
    service.add_timer(WEB)
    encoded = WEB.replace("-", "%2D")
    assert read_job(service, encoded)["job_id"] == WEB


# --- read_job: validation -----------------------------------------------------------------------


BAD_MARKER = "results_pt is not a page_next value of this service"


def test_every_problem_of_a_read_job_request_is_in_one_422_in_order() -> None:
    service = make_service()
    assert problems(service, "/jobs/not-a-uuid?results_pt=nonsense&page_size=0") == [
        problem("path", "job_id", "value is not a valid uuid", "type_error.uuid"),
        problem("query", "results_pt", BAD_MARKER, "value_error.results_pt"),
        problem(
            "query",
            "page_size",
            "ensure this value is greater than or equal to 1",
            "value_error.number.not_ge",
        ),
    ]


@pytest.mark.parametrize(
    ("page_size", "expected"),
    [
        ("1001", ("ensure this value is less than or equal to 1000", "value_error.number.not_le")),
        ("-1", ("ensure this value is greater than or equal to 1", "value_error.number.not_ge")),
        ("ten", ("value is not a valid integer", "type_error.integer")),
        ("", ("value is not a valid integer", "type_error.integer")),
    ],
)
def test_a_bad_page_size_gets_fastapi_s_message_and_type(
    page_size: str, expected: tuple[str, str]
) -> None:
    service = make_service()
    service.add_timer(WEB)
    assert problems(service, f"/jobs/{WEB}?page_size={page_size}") == [
        problem("query", "page_size", *expected)
    ]


@pytest.mark.parametrize(("digits", "taken"), [(4300, True), (4301, False)])
def test_an_integer_is_read_as_python_reads_it_up_to_4300_digits(digits: int, taken: bool) -> None:
    # A schema-valid result_count of 37 digits got "not a valid integer" (30 were the limit).
    service = make_service()
    service.add_timer(WEB)
    query = f"/jobs/?result_count=-{'9' * digits}"
    if taken:
        assert json_answer(answer(service, query), 200)["jobs"][0]["job_id"] == WEB
    else:
        assert problems(service, query) == [
            problem("query", "result_count", "value is not a valid integer", "type_error.integer")
        ]


def test_page_size_takes_a_signed_integer_between_1_and_1000() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.seed_history(WEB, 5, end=START - timedelta(minutes=1))
    assert len(read_job(service, WEB, "page_size=%2B3")["results"]["data"]) == 3
    assert len(read_job(service, WEB, "page_size=1")["results"]["data"]) == 1
    assert len(read_job(service, WEB, "page_size=1000")["results"]["data"]) == 5


def test_max_page_size_is_the_largest_page_size_the_jobs_api_takes() -> None:
    service = make_service()
    service.add_timer(WEB)
    assert MAX_PAGE_SIZE == 1000
    assert "results" in read_job(service, WEB, f"page_size={MAX_PAGE_SIZE}")
    assert problems(service, f"/jobs/{WEB}?page_size={MAX_PAGE_SIZE + 1}")[0]["loc"] == [
        "query",
        "page_size",
    ]


def test_a_marker_naming_a_run_the_timer_does_not_have_gets_a_422_once_the_timer_is_found() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.add_timer(OTHER)
    service.seed_history(OTHER, 4, end=START - timedelta(hours=1))
    newest = answer(service, f"/timers/{OTHER}/runs?limit=1").json()["runs"][0]["id"]
    short = base64.urlsafe_b64encode(f"m:{newest}".encode()).decode().rstrip("=")
    # The short form ``m:<run id>`` names a run only OTHER has.
    assert len(read_job(service, OTHER, f"results_pt={short}")["results"]["data"]) == 3
    assert problems(service, f"/jobs/{WEB}?results_pt={short}") == [
        problem("query", "results_pt", BAD_MARKER, "value_error.results_pt")
    ]
    missing = json_answer(answer(service, f"/jobs/{MISSING}?results_pt={short}"), 404)
    assert missing == {
        "error": {"code": "NOT_FOUND", "detail": f"No timer with id {MISSING}.", "status": 404}
    }


def test_a_well_formed_marker_the_service_did_not_issue_gets_a_422() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.seed_history(WEB, 4, end=START - timedelta(hours=1))
    issued = read_job(service, WEB, "page_size=1")["results"]["page_next"]
    assert len(read_job(service, WEB, f"results_pt={issued}")["results"]["data"]) == 3
    padded = issued + "=" * (-len(issued) % 4)
    prefix, run_id, micros = base64.urlsafe_b64decode(padded).decode().split(":")
    for forged in (f"{prefix}:{run_id}:{int(micros) + 1000}", f"{prefix}:{MISSING}:{micros}"):
        marker = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
        assert problems(service, f"/jobs/{WEB}?results_pt={marker}") == [
            problem("query", "results_pt", BAD_MARKER, "value_error.results_pt")
        ]


# --- list_jobs ----------------------------------------------------------------------------------


def test_every_problem_of_a_list_jobs_request_is_in_one_422_in_order() -> None:
    service = make_service()
    query = "filter_stopped=maybe&result_count=many&filter_active=perhaps&result_count="
    assert problems(service, f"/jobs/?{query}") == [
        problem("query", "result_count", "value is not a valid integer", "type_error.integer"),
        problem(
            "query", "filter_active", "value could not be parsed to a boolean", "type_error.bool"
        ),
        problem(
            "query", "filter_stopped", "value could not be parsed to a boolean", "type_error.bool"
        ),
    ]


def _three_timers() -> FakeTimersService:
    """Timers A (2 runs), B (5 runs) and C (1 run), added in that order."""
    service = make_service()
    for timer_id, count in ((WEB, 2), (FLOW, 5), (OTHER, 1)):
        service.add_timer(timer_id)
        service.seed_history(timer_id, count, end=START - timedelta(hours=2))
    return service


def ids(service: FakeTimersService, query: str = "") -> list[str]:
    return [job["job_id"] for job in list_jobs(service, query)]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("n_runs", [OTHER, WEB, FLOW]),
        ("n_runs asc", [OTHER, WEB, FLOW]),
        ("n_runs ASC", [OTHER, WEB, FLOW]),
        ("n_runs desc", [FLOW, WEB, OTHER]),
        ("n_runs DESC", [FLOW, WEB, OTHER]),
        ("n_runs sideways", [WEB, FLOW, OTHER]),
        ("n_runs asc again", [WEB, FLOW, OTHER]),
        ("nothing desc", [WEB, FLOW, OTHER]),
        ("", [WEB, FLOW, OTHER]),
    ],
)
def test_list_jobs_orders_by_a_field_ascending_or_descending_and_ignores_other_orders(
    order: str, expected: list[str]
) -> None:
    assert ids(_three_timers(), f"order={order}") == expected


def test_timers_without_the_ordered_field_come_last_either_way() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.add_timer(FLOW, callback="flow")
    service.add_timer(OTHER, callback="flow")
    flows = {job["job_id"]: job["flow_id"] for job in list_jobs(service) if "flow_id" in job}
    by_flow = sorted(flows, key=flows.__getitem__)
    assert ids(service, "order=flow_id") == [*by_flow, WEB]
    assert ids(service, "order=flow_id desc") == [*reversed(by_flow), WEB]
    finished(service, OTHER, "success", START - timedelta(minutes=2), 1, {"status_code": 200})
    finished(service, WEB, "success", START - timedelta(minutes=1), 1, {"status_code": 200})
    assert ids(service, "order=last_ran_at") == [OTHER, WEB, FLOW]
    assert ids(service, "order=last_ran_at desc") == [WEB, OTHER, FLOW]


def test_date_fields_order_by_instant_not_by_text() -> None:
    clock = Clock(START)
    service = make_service(clock)
    service.add_timer(WEB)  # submitted at 12:00:00Z
    clock.moment = START + timedelta(milliseconds=500)
    service.add_timer(FLOW)  # submitted at 12:00:00.500Z, which sorts first as text
    assert ids(service, "order=submitted_at") == [WEB, FLOW]
    assert ids(service, "order=submitted_at desc") == [FLOW, WEB]
    assert ids(service, "order=start desc") == [FLOW, WEB]


def test_submitted_after_and_before_are_strict_bounds() -> None:
    clock = Clock(START)
    service = make_service(clock)
    service.add_timer(WEB)
    clock.moment = START + timedelta(minutes=1)
    service.add_timer(FLOW)
    first, second = stamp(START), stamp(START + timedelta(minutes=1))
    assert ids(service, f"submitted_after={first}") == [FLOW]
    assert ids(service, f"submitted_before={second}") == [WEB]
    assert ids(service, f"submitted_after={first}&submitted_before={second}") == []
    assert ids(service, "submitted_before=yesterday") == [WEB, FLOW]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("filter_status=%20Active%20,%20", True),
        ("filter_status=,,", True),
        ("filter_status=ended&filter_active=true", False),
        ("filter_status=inactive", False),
        ("filter_active=TRUE", True),
        ("filter_active=yes&filter_stopped=No", True),
        ("filter_stopped=On", False),
        ("filter_stopped=0&filter_active=off", True),
    ],
)
def test_list_jobs_shows_the_active_timers_when_active_ones_are_asked_for(
    query: str, shown: bool
) -> None:
    service = make_service()
    service.add_timer(WEB)
    assert ids(service, query) == ([WEB] if shown else [])


def test_filter_name_is_a_substring_in_any_case() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.add_timer(FLOW, callback="flow")
    assert ids(service, "filter_name=WEB%20HOOK") == [WEB]
    assert ids(service, "filter_name=ow%20") == [FLOW]
    assert ids(service, "filter_name=") == [WEB, FLOW]


def test_result_count_is_clamped_to_zero_and_limits_each_page() -> None:
    service = _three_timers()
    assert [len(job["results"]["data"]) for job in list_jobs(service, "result_count=-3")] == [
        0,
        0,
        0,
    ]
    assert [len(job["results"]["data"]) for job in list_jobs(service, "result_count=%2B2")] == [
        2,
        2,
        1,
    ]
    assert [
        job["results"]["page_next"] is None for job in list_jobs(service, "result_count=2")
    ] == [
        True,
        False,
        True,
    ]


# --- the order of results -------------------------------------------------------------------------


@pytest.mark.parametrize(("runs", "pages"), [(6, [3, 3]), (7, [3, 3, 1]), (2, [2])])
def test_results_can_be_served_oldest_first_page_by_page(runs: int, pages: list[int]) -> None:
    service = FakeTimersService(
        tokens=[TOKEN], clock=Clock(START), seed=3, results_order="oldest first"
    )
    service.add_timer(WEB)
    service.seed_history(WEB, runs, end=START - timedelta(minutes=1))
    starts: list[str] = []
    sizes: list[int] = []
    query = "page_size=3"
    while True:
        job = read_job(service, WEB, query)
        assert job["n_runs"] == runs
        page = job["results"]
        starts += [result["start_timestamp"] for result in page["data"]]
        sizes.append(len(page["data"]))
        if page.get("page_next") is None:
            break
        query = f"page_size=3&results_pt={page['page_next']}"
    assert sizes == pages  # no empty page at the end: the last full page says it is the last
    assert len(starts) == runs and starts == sorted(starts)  # every run once, oldest first
    newest_first = make_service()
    newest_first.add_timer(WEB)
    newest_first.seed_history(WEB, runs, end=START - timedelta(minutes=1))
    listed = [r["start_timestamp"] for r in read_job(newest_first, WEB)["results"]["data"]]
    assert listed == sorted(starts, reverse=True)  # the default; same seed, same history


def test_an_oldest_first_page_counts_every_run_of_the_timer() -> None:
    service = make_service()
    service.add_timer(WEB)
    service.seed_history(WEB, 5, end=START - timedelta(minutes=1))
    timer = service._state.timers[WEB]
    first = list_oldest_first(timer, 2, None)
    assert (len(first.runs), first.total, first.has_next) == (2, 5, True)
    last = list_oldest_first(timer, 3, first.next_position)
    assert (len(last.runs), last.total, last.has_next) == (3, 5, False)
    assert [run.key for run in (*first.runs, *last.runs)] == timer.keys


def test_the_runs_api_stays_newest_first_whatever_the_results_order() -> None:
    service = FakeTimersService(
        tokens=[TOKEN], clock=Clock(START), seed=3, results_order="oldest first"
    )
    service.add_timer(WEB)
    service.seed_history(WEB, 4, end=START - timedelta(minutes=1))
    runs = json_answer(answer(service, f"/timers/{WEB}/runs"), 200)["runs"]
    starts = [run["start_time"] for run in runs]
    assert starts == sorted(starts, reverse=True)


def test_an_unknown_results_order_is_refused() -> None:
    with pytest.raises(ValueError, match="results_order must be 'newest first' or 'oldest first'"):
        FakeTimersService(results_order="newest last")  # type: ignore[arg-type]
