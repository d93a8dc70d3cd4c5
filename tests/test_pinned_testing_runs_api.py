"""The runs API dialect of the reference service (``timers.testing._runs_api``) and the public
``FakeTimersService`` facade (``timers.testing._service``), pinned down to the exact answer.

Runs API: which path and method go to which operation (in-process any prefix, served only
under ``base_path``), percent-encoded and upper-case ids, the exact 422/400/404 error bodies
(``code``, ``message``, ``request_id``, ``errors`` with their ``location``), the order of the
checks, the 201/200 bodies and the ``next_page`` markers of ``list_timer_runs``.

Facade: the documented defaults (seed, lifecycle durations, callback kind, failure rates,
fault counts and statuses, latency), the constructor's argument check, and ``mock()`` with
and without the jobs API's base URL. Everything is answered in-process with a fixed clock.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import respx
from support.clocks import START, Clock, Sleeps

from timers.testing import (
    DEFAULT_BASE_URL,
    DEFAULT_JOBS_BASE_URL,
    MAX_LIMIT,
    Drop,
    FakeTimersService,
    Reply,
)

TOKEN = "test-token"
BEARER = f"Bearer {TOKEN}"
TIMER = "12345678-1234-1234-1234-123456789012"
RUN = "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"
MISSING = "00000000-0000-4000-8000-000000000000"
RUN_STATUSES = "pending, in_progress, success, failure"


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], clock=Clock(), seed=5)
    service.add_timer(TIMER, callback="web")
    return service


def answer(service: FakeTimersService, method: str, target: str, **kwargs: Any) -> Reply:
    reply = service.answerer.answer(method, target, BEARER, **kwargs)
    assert isinstance(reply, Reply)
    assert reply.header("content-type") == "application/json"
    return reply


def error_of(reply: Reply, status: int) -> dict[str, Any]:
    """The error body of ``reply``, checked to carry the reply's request id."""
    assert reply.status == status
    request_id = reply.header("x-request-id")
    assert isinstance(request_id, str) and len(request_id) == 16
    body: dict[str, Any] = reply.json()
    assert body.pop("request_id") == request_id
    return body


def listing(service: FakeTimersService, timer: str = TIMER, **params: Any) -> Reply:
    query = f"?{urlencode(params)}" if params else ""
    return answer(service, "GET", f"/api/v1/timers/{timer}/runs{query}")


def bad_parameter(name: str, message: str) -> dict[str, str]:
    return {"code": "INVALID_PARAMETER", "message": message, "location": f"query.{name}"}


def short_marker(run_id: str) -> str:
    """The short marker form of the spec's examples, ``m:<run id>``, as base64url."""
    return base64.urlsafe_b64encode(f"m:{run_id}".encode()).rstrip(b"=").decode()


def marker_text(marker: str) -> str:
    return base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()


def add_runs(service: FakeTimersService, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    """``count`` runs, one minute apart, newest first."""
    return [
        service.add_run(TIMER, start_time=START - timedelta(minutes=i + 1), **kwargs)
        for i in range(count)
    ]


# --- routing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("POST", f"/timers/{TIMER}/run", "run_timer"),
        ("GET", f"/timers/{TIMER}/runs", "list_timer_runs"),
        ("GET", f"/timers/{TIMER}/runs/{RUN}", "get_timer_run"),
    ],
)
def test_each_path_routes_to_its_operation_under_any_prefix_in_process(
    service: FakeTimersService, method: str, path: str, operation: str
) -> None:
    for prefix in ("", "/api/v1", "/some/where/else"):
        service.fail_next(status=418, operation=operation)
        assert answer(service, method, prefix + path).status == 418


def test_served_the_runs_api_takes_only_its_base_path(service: FakeTimersService) -> None:
    service.fail_next(status=418, operation="list_timer_runs")
    served = answer(service, "GET", f"/api/v1/timers/{TIMER}/runs", base_path="/api/v1")
    assert served.status == 418
    assert answer(service, "GET", f"/api/v1/timers/{TIMER}/runs", base_path="/api/v1").status == 200
    for path in (
        f"/timers/{TIMER}/runs",
        f"/api/v2/timers/{TIMER}/runs",
        f"/api/v1/timers/{TIMER}/jobs",
        f"/api/v1/timers/{TIMER}/runs/{RUN}/more",
    ):
        reply = answer(service, "GET", path, base_path="/api/v1")
        assert error_of(reply, 404) == {"code": "NOT_FOUND", "message": "No such resource."}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", f"/timers/{TIMER}/run", "POST"),
        ("POST", f"/timers/{TIMER}/runs", "GET"),
        ("DELETE", f"/timers/{TIMER}/runs/{RUN}", "GET"),
    ],
)
def test_another_method_on_a_runs_path_is_told_the_allowed_one(
    service: FakeTimersService, method: str, path: str, allowed: str
) -> None:
    reply = answer(service, method, f"/api/v1{path}")
    assert reply.header("allow") == allowed
    assert error_of(reply, 405) == {
        "code": "METHOD_NOT_ALLOWED",
        "message": f"{method} is not allowed here; use {allowed}.",
    }


def test_percent_encoded_ids_are_decoded(service: FakeTimersService) -> None:
    run = service.add_run(TIMER, run_id=RUN, start_time=START)
    timer_encoded = "%31" + TIMER[1:]  # "%31" is "1"
    run_encoded = RUN[:-1] + "%36"  # "%36" is "6"
    got = answer(service, "GET", f"/timers/{timer_encoded}/runs/{run_encoded}")
    assert (got.status, got.json()) == (200, run)
    listed = answer(service, "GET", f"/timers/{timer_encoded}/runs")
    assert listed.json()["runs"] == [run]
    created = answer(service, "POST", f"/timers/{timer_encoded}/run")
    assert (created.status, created.json()["timer_id"]) == (201, TIMER)


# --- path ids (422) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/timers/nope/run"),
        ("GET", "/timers/nope/runs"),
        ("GET", f"/timers/nope/runs/{RUN}"),
    ],
)
def test_a_bad_timer_id_gets_422_with_one_invalid_uuid_entry(
    service: FakeTimersService, method: str, path: str
) -> None:
    assert error_of(answer(service, method, path), 422) == {
        "code": "UNPROCESSABLE_ENTITY",
        "message": "timer_id is not a valid UUID.",
        "errors": [
            {
                "code": "INVALID_UUID",
                "message": "timer_id is not a valid UUID.",
                "location": "path.timer_id",
            }
        ],
    }


def test_a_bad_run_id_alone_gets_422_naming_the_run_id(service: FakeTimersService) -> None:
    reply = answer(service, "GET", f"/timers/{TIMER}/runs/not-a-run")
    assert error_of(reply, 422) == {
        "code": "UNPROCESSABLE_ENTITY",
        "message": "run_id is not a valid UUID.",
        "errors": [
            {
                "code": "INVALID_UUID",
                "message": "run_id is not a valid UUID.",
                "location": "path.run_id",
            }
        ],
    }


def test_two_bad_ids_are_both_listed_the_timer_id_first(service: FakeTimersService) -> None:
    body = error_of(answer(service, "GET", "/timers/x/runs/y"), 422)
    assert body["message"] == "timer_id is not a valid UUID."
    assert [entry["location"] for entry in body["errors"]] == ["path.timer_id", "path.run_id"]


# --- the timer and the run (404), and the three operations -------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", "run"), ("GET", "runs"), ("GET", f"runs/{RUN}")]
)
def test_an_unknown_timer_gets_404_naming_it_in_lower_case(
    service: FakeTimersService, method: str, suffix: str
) -> None:
    reply = answer(service, method, f"/timers/{MISSING.upper()}/{suffix}")
    assert error_of(reply, 404) == {"code": "NOT_FOUND", "message": f"No timer with id {MISSING}."}


def test_an_unknown_run_gets_404_naming_it_in_lower_case(service: FakeTimersService) -> None:
    reply = answer(service, "GET", f"/timers/{TIMER}/runs/{RUN.upper()}")
    assert error_of(reply, 404) == {
        "code": "NOT_FOUND",
        "message": f"No run with id {RUN} for this timer.",
    }


def test_run_timer_answers_201_with_the_new_pending_run(service: FakeTimersService) -> None:
    reply = answer(service, "POST", f"/timers/{TIMER.upper()}/run")
    assert reply.status == 201
    run = reply.json()
    assert run == service.get_run_json(TIMER, run["id"])
    assert (run["timer_id"], run["status"], run["start_time"]) == (
        TIMER,
        "pending",
        "2026-11-28T12:00:00Z",
    )
    assert (run["end_time"], run["result"]) == (None, None)
    assert service.runs_created == 1


def test_get_timer_run_answers_200_with_the_run_as_of_now(service: FakeTimersService) -> None:
    created = answer(service, "POST", f"/timers/{TIMER}/run").json()
    service.advance(1.5)
    reply = answer(service, "GET", f"/timers/{TIMER.upper()}/runs/{created['id'].upper()}")
    assert reply.status == 200
    assert reply.json() == {**created, "status": "in_progress"}
    service.advance(60)
    finished = answer(service, "GET", f"/timers/{TIMER}/runs/{created['id']}").json()
    assert finished == service.get_run_json(TIMER, created["id"])
    assert finished["status"] in ("success", "failure")
    assert finished["end_time"] == "2026-11-28T12:00:03Z"


def test_query_parameters_of_run_timer_and_get_timer_run_are_ignored(
    service: FakeTimersService,
) -> None:
    run = service.add_run(TIMER, run_id=RUN, start_time=START)
    got = answer(service, "GET", f"/timers/{TIMER}/runs/{RUN}?limit=0&limit=x&marker=bad")
    assert (got.status, got.json()) == (200, run)
    assert answer(service, "POST", f"/timers/{TIMER}/run?status=nope").status == 201


# --- list_timer_runs: the page ----------------------------------------------------------------


def test_a_page_lists_runs_as_of_now_with_total_and_no_next_page(
    service: FakeTimersService,
) -> None:
    created = answer(service, "POST", f"/timers/{TIMER}/run").json()
    older = add_runs(service, 2)
    service.advance(1)
    reply = listing(service, TIMER.upper())
    assert reply.status == 200
    assert reply.json() == {
        "runs": [{**created, "status": "in_progress"}, *older],
        "total": 3,
        "has_next_page": False,
        "next_page": None,
    }


def test_next_page_names_the_last_run_of_the_page_and_leads_on(
    service: FakeTimersService,
) -> None:
    runs = add_runs(service, 3)
    first = listing(service, limit=2).json()
    assert [run["id"] for run in first["runs"]] == [runs[0]["id"], runs[1]["id"]]
    assert (first["total"], first["has_next_page"]) == (3, True)
    micros = (START - timedelta(minutes=2) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )
    assert marker_text(first["next_page"]) == f"m:{runs[1]['id']}:{micros}"
    second = listing(service, limit=2, marker=first["next_page"]).json()
    assert second == {"runs": [runs[2]], "total": 3, "has_next_page": False, "next_page": None}


def test_the_default_page_size_is_50(service: FakeTimersService) -> None:
    service.seed_history(TIMER, 51)
    body = listing(service).json()
    assert (len(body["runs"]), body["total"], body["has_next_page"]) == (50, 51, True)


@pytest.mark.parametrize("limit", ["1", "1000", "007"])
def test_limits_from_1_to_1000_are_taken(service: FakeTimersService, limit: str) -> None:
    service.seed_history(TIMER, 8)
    body = listing(service, limit=limit).json()
    assert len(body["runs"]) == min(int(limit), 8)


def test_a_short_marker_starts_after_the_run_it_names(service: FakeTimersService) -> None:
    runs = add_runs(service, 3)
    body = listing(service, marker=short_marker(runs[0]["id"].upper())).json()
    assert [run["id"] for run in body["runs"]] == [runs[1]["id"], runs[2]["id"]]
    assert body["total"] == 3


def test_the_status_filter_lists_only_runs_with_that_status(service: FakeTimersService) -> None:
    successes = add_runs(service, 2)
    failure = service.add_run(TIMER, status="failure", start_time=START - timedelta(hours=1))
    body = listing(service, status="failure").json()
    assert (body["runs"], body["total"]) == ([failure], 1)
    assert listing(service, status="success").json()["runs"] == successes


def test_start_after_and_start_before_bound_the_listing(service: FakeTimersService) -> None:
    runs = add_runs(service, 4)  # 11:59, 11:58, 11:57, 11:56
    after = listing(service, start_after="2026-11-28T11:57:00Z").json()
    assert after["runs"] == runs[:2]
    before = listing(service, start_before="2026-11-28T12:58:00+01:00").json()
    assert before["runs"] == runs[2:]
    both = listing(
        service, start_after="2026-11-28T11:56:00Z", start_before="2026-11-28T11:59:00Z"
    ).json()
    assert both["runs"] == runs[1:3]


# --- list_timer_runs: query parameters (400) ---------------------------------------------------


def test_max_limit_is_the_largest_limit_the_runs_api_takes(service: FakeTimersService) -> None:
    assert MAX_LIMIT == 1000
    assert listing(service, limit=str(MAX_LIMIT)).status == 200
    assert listing(service, limit=str(MAX_LIMIT + 1)).status == 400


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"limit": "0"}, "limit", "limit must be an integer between 1 and 1000."),
        ({"limit": "1001"}, "limit", "limit must be an integer between 1 and 1000."),
        ({"limit": "ten"}, "limit", "limit must be an integer between 1 and 1000."),
        ({"limit": "+5"}, "limit", "limit must be an integer between 1 and 1000."),
        ({"limit": ""}, "limit", "limit must be an integer between 1 and 1000."),
        ({"status": "done"}, "status", f"status must be one of {RUN_STATUSES}."),
        ({"status": ""}, "status", f"status must be one of {RUN_STATUSES}."),
        (
            {"start_after": "2026-11-28T12:00:00"},
            "start_after",
            "start_after must be an RFC 3339 date-time with an offset.",
        ),
        (
            {"start_before": "yesterday"},
            "start_before",
            "start_before must be an RFC 3339 date-time with an offset.",
        ),
        ({"marker": "not a marker"}, "marker", "marker is not a next_page value of this service."),
        (
            {"marker": short_marker(MISSING)},
            "marker",
            "marker is not a next_page value of this service.",
        ),
    ],
)
def test_one_invalid_query_parameter_gets_400_with_its_own_message(
    service: FakeTimersService, params: dict[str, str], name: str, message: str
) -> None:
    assert error_of(listing(service, **params), 400) == {
        "code": "INVALID_PARAMETER",
        "message": message,
        "errors": [bad_parameter(name, message)],
    }


@pytest.mark.parametrize("name", ["limit", "marker", "status", "start_after", "start_before"])
def test_a_declared_parameter_given_twice_gets_400(service: FakeTimersService, name: str) -> None:
    reply = answer(service, "GET", f"/timers/{TIMER}/runs?{name}=a&{name}=b")
    message = f"{name} must be given at most once."
    assert error_of(reply, 400) == {
        "code": "INVALID_PARAMETER",
        "message": message,
        "errors": [bad_parameter(name, message)],
    }


def test_every_invalid_parameter_is_listed_in_order_under_one_message(
    service: FakeTimersService,
) -> None:
    query = "marker=bad&start_before=x&start_after=y&status=z&limit=0&limit=1"
    reply = answer(service, "GET", f"/timers/{TIMER}/runs?{query}")
    assert error_of(reply, 400) == {
        "code": "INVALID_PARAMETER",
        "message": "Invalid query parameters.",
        "errors": [
            bad_parameter("limit", "limit must be given at most once."),
            bad_parameter("status", f"status must be one of {RUN_STATUSES}."),
            bad_parameter(
                "start_after", "start_after must be an RFC 3339 date-time with an offset."
            ),
            bad_parameter(
                "start_before", "start_before must be an RFC 3339 date-time with an offset."
            ),
            bad_parameter("marker", "marker is not a next_page value of this service."),
        ],
    }


def test_two_invalid_parameters_share_the_general_message(service: FakeTimersService) -> None:
    body = error_of(listing(service, limit="0", status="x"), 400)
    assert body["message"] == "Invalid query parameters."
    assert [entry["location"] for entry in body["errors"]] == ["query.limit", "query.status"]


def test_undeclared_parameters_are_ignored_even_when_repeated(service: FakeTimersService) -> None:
    runs = add_runs(service, 2)
    reply = answer(service, "GET", f"/timers/{TIMER}/runs?page=1&page=2&LIMIT=x&limit=1")
    assert reply.status == 200
    assert reply.json()["runs"] == runs[:1]


def test_query_parameters_are_checked_before_the_timer_is_looked_up(
    service: FakeTimersService,
) -> None:
    body = error_of(listing(service, MISSING, marker="bad"), 400)
    assert body["errors"] == [
        bad_parameter("marker", "marker is not a next_page value of this service.")
    ]


def test_a_valid_marker_for_an_unknown_timer_gets_404(service: FakeTimersService) -> None:
    reply = listing(service, MISSING, marker=short_marker(RUN))
    assert error_of(reply, 404) == {"code": "NOT_FOUND", "message": f"No timer with id {MISSING}."}


# --- the facade: defaults and argument checks --------------------------------------------------


def test_the_default_seed_is_0() -> None:
    assert FakeTimersService().add_timer() == FakeTimersService(seed=0).add_timer()
    assert FakeTimersService().add_timer() != FakeTimersService(seed=1).add_timer()


def test_the_default_token_is_test_token() -> None:
    reply = FakeTimersService().answerer.answer("GET", "/nowhere", BEARER)
    assert isinstance(reply, Reply) and reply.status == 404


def test_a_triggered_run_is_pending_1s_then_in_progress_2s_by_default() -> None:
    service = FakeTimersService(clock=Clock())
    timer_id = service.add_timer()
    reply = service.answerer.answer("POST", f"/timers/{timer_id}/run", BEARER)
    assert isinstance(reply, Reply)
    run_id = reply.json()["id"]
    statuses = []
    for step in (0.999, 0.001, 1.999, 0.001):
        service.advance(step)
        statuses.append(service.get_run_json(timer_id, run_id)["status"])
    assert statuses == ["pending", "in_progress", "in_progress", "success"]
    assert service.get_run_json(timer_id, run_id)["end_time"] == "2026-11-28T12:00:03Z"


@pytest.mark.parametrize(("pending", "in_progress"), [(0, 0), (0.5, 0.5)])
def test_zero_or_short_lifecycle_durations_are_accepted(pending: float, in_progress: float) -> None:
    service = FakeTimersService(
        clock=Clock(), pending_seconds=pending, in_progress_seconds=in_progress
    )
    timer_id = service.add_timer()
    reply = service.answerer.answer("POST", f"/timers/{timer_id}/run", BEARER)
    assert isinstance(reply, Reply)
    expected = "success" if pending == 0 else "pending"
    assert reply.json()["status"] == expected


@pytest.mark.parametrize(
    ("pending", "in_progress", "named", "got"),
    [
        (-1, 2, "pending_seconds", "-1"),
        (1, -0.5, "in_progress_seconds", "-0.5"),
        (-1, -1, "pending_seconds", "-1"),
        (float("nan"), 2, "pending_seconds", "nan"),
        (1, float("inf"), "in_progress_seconds", "inf"),
        (1e15, 2, "pending_seconds", "1000000000000000.0"),
        (1, 3153600001, "in_progress_seconds", "3153600001"),
    ],
)
def test_lifecycle_durations_out_of_range_are_refused_by_name(
    pending: float, in_progress: float, named: str, got: str
) -> None:
    with pytest.raises(ValueError) as caught:
        FakeTimersService(pending_seconds=pending, in_progress_seconds=in_progress)
    assert str(caught.value) == (
        f"{named} must be a number of seconds from 0 to 3153600000 (a century), got {got}"
    )


@pytest.mark.parametrize(("pending", "kind"), [("1", "str"), (None, "NoneType"), (True, "bool")])
def test_a_lifecycle_duration_that_is_not_a_number_is_refused_by_name(
    pending: object, kind: str
) -> None:
    with pytest.raises(TypeError) as caught:
        FakeTimersService(pending_seconds=pending)  # type: ignore[arg-type]
    expected = f"pending_seconds must be a number of seconds, got {kind}: {pending!r}"
    assert str(caught.value) == expected


def test_a_bare_string_of_tokens_is_refused_rather_than_taken_letter_by_letter() -> None:
    with pytest.raises(TypeError) as caught:
        FakeTimersService(tokens="test-token")
    assert str(caught.value) == "tokens must be a list of tokens, not one str: pass [token]"
    with pytest.raises(TypeError) as caught:
        FakeTimersService(tokens=None)  # type: ignore[arg-type]
    assert str(caught.value) == "tokens must be a list of tokens, got NoneType"
    with pytest.raises(TypeError) as caught:
        FakeTimersService(tokens=5)  # type: ignore[arg-type]
    assert str(caught.value) == "tokens must be a list of tokens, got int"


UNCARRIED = (
    "a token must be a non-empty str of printable ASCII without spaces (as an Authorization "
    "header carries it)"
)


# A token never shows in the message: tests take it from a secret store, and it would reach
# a CI log.
@pytest.mark.parametrize(
    ("token", "error", "message"),
    [
        ("", ValueError, UNCARRIED),
        ("sekret b", ValueError, UNCARRIED),
        ("sekret\tb", ValueError, UNCARRIED),
        ("sekret\n", ValueError, UNCARRIED),
        ("sekret\x00", ValueError, UNCARRIED),
        ("sekrét", ValueError, UNCARRIED),
        ("sekret\x7f", ValueError, UNCARRIED),
        (5, TypeError, "a token must be a str, got int"),
        (b"sekret", TypeError, "a token must be a str, got bytes"),
    ],
)
def test_each_token_must_be_a_non_empty_str_a_bearer_header_can_carry(
    token: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as made:
        FakeTimersService(tokens=[TOKEN, token])  # type: ignore[list-item]
    assert str(made.value) == message
    service = FakeTimersService(tokens=[TOKEN])
    with pytest.raises(error) as added:
        service.add_token(token)  # type: ignore[arg-type]
    assert str(added.value) == message


def test_tokens_given_as_any_iterable_of_str_are_each_accepted() -> None:
    service = FakeTimersService(tokens=(t for t in ["one", "two", "XX-X", "!~"]))
    service.add_token("three")
    for token in ("one", "two", "XX-X", "!~", "three"):
        reply = service.answerer.answer("GET", "/nowhere", f"Bearer {token}")
        assert isinstance(reply, Reply) and reply.status == 404
    reply = service.answerer.answer("GET", "/nowhere", "Bearer o")
    assert isinstance(reply, Reply) and reply.status == 401


def test_a_timer_is_a_web_timer_that_never_fails_by_default() -> None:
    service = FakeTimersService(clock=Clock())
    timer_id = service.add_timer()
    run_ids = []
    for _ in range(20):
        reply = service.answerer.answer("POST", f"/timers/{timer_id}/run", BEARER)
        assert isinstance(reply, Reply)
        run_ids.append(reply.json()["id"])
    service.advance(10)
    runs = [service.get_run_json(timer_id, run_id) for run_id in run_ids]
    assert {run["status"] for run in runs} == {"success"}
    assert all("status_code" in run["result"] for run in runs)


def test_add_run_adds_a_successful_run_by_default(service: FakeTimersService) -> None:
    run = service.add_run(TIMER)
    assert run["status"] == "success"
    assert run["result"]["status_code"]


def test_seed_history_fails_about_a_fifth_of_runs_by_default() -> None:
    def statuses(**kwargs: Any) -> list[str]:
        service = FakeTimersService(clock=Clock(), seed=3)
        timer_id = service.add_timer()
        service.seed_history(timer_id, 200, end=START - timedelta(days=30), **kwargs)
        reply = service.answerer.answer("GET", f"/timers/{timer_id}/runs?limit=1000", BEARER)
        assert isinstance(reply, Reply)
        return [run["status"] for run in reply.json()["runs"]]

    default = statuses()
    assert default == statuses(failure_rate=0.2)
    assert 20 <= default.count("failure") <= 60


def test_fail_next_answers_one_request_with_503_by_default(service: FakeTimersService) -> None:
    service.fail_next()
    failed = answer(service, "GET", f"/timers/{TIMER}/runs")
    assert error_of(failed, 503) == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "Service Unavailable.",
    }
    assert answer(service, "GET", f"/timers/{TIMER}/runs").status == 200


def test_drop_next_drops_one_request_before_carrying_it_out_by_default(
    service: FakeTimersService,
) -> None:
    service.drop_next()
    assert service.answerer.answer("POST", f"/timers/{TIMER}/run", BEARER) == Drop()
    assert service.runs_created == 0
    assert answer(service, "POST", f"/timers/{TIMER}/run").status == 201
    assert service.runs_created == 1


def test_there_is_no_latency_by_default_nor_after_reset() -> None:
    sleeps = Sleeps()
    service = FakeTimersService(clock=Clock(), sleep=sleeps)
    request = httpx.Request("GET", f"{DEFAULT_BASE_URL}/nowhere", headers={"Authorization": BEARER})
    assert service.handle(request).status_code == 404
    service.latency = 0.25
    service.handle(request)
    service.reset()
    assert service.latency == 0.0
    service.handle(request)
    assert sleeps.calls == [0.25]


# --- the facade: mock() ------------------------------------------------------------------------


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": BEARER}


def test_mock_routes_the_runs_and_the_jobs_base_urls_by_default(
    service: FakeTimersService, auth: dict[str, str]
) -> None:
    with service.mock():
        runs = httpx.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs", headers=auth)
        job = httpx.get(f"{DEFAULT_JOBS_BASE_URL}/jobs/{TIMER}", headers=auth)
    assert (runs.status_code, runs.json()["total"]) == (200, 0)
    assert (job.status_code, job.json()["job_id"]) == (200, TIMER)


def test_mock_without_a_jobs_base_url_routes_only_the_runs_api(
    service: FakeTimersService, auth: dict[str, str]
) -> None:
    with service.mock("https://runs.example.org/v9", jobs_base_url=None):
        runs = httpx.get(f"https://runs.example.org/v9/timers/{TIMER}/runs", headers=auth)
        assert runs.status_code == 200
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get(f"{DEFAULT_JOBS_BASE_URL}/jobs/{TIMER}", headers=auth)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs", 200),
        (f"{DEFAULT_JOBS_BASE_URL}/jobs/{TIMER}", 200),
        (f"{DEFAULT_JOBS_BASE_URL}/jobs/", 200),
        # each API only under its own base URL, as production and serve() answer
        (f"{DEFAULT_JOBS_BASE_URL}/timers/{TIMER}/runs", 404),
        (f"{DEFAULT_BASE_URL}/jobs/{TIMER}", 404),
        (f"{DEFAULT_JOBS_BASE_URL}/v2/timers/{TIMER}/runs", 404),
        (f"{DEFAULT_JOBS_BASE_URL}/v2/jobs/{TIMER}", 404),
        (f"{DEFAULT_BASE_URL}/v2/timers/{TIMER}/runs", 404),
    ],
)
def test_mock_routes_each_api_only_under_its_own_base_url(
    service: FakeTimersService, auth: dict[str, str], url: str, status: int
) -> None:
    with service.mock():
        assert httpx.get(url, headers=auth).status_code == status


def test_mock_routes_a_jobs_base_url_with_a_path_under_that_path_only(
    service: FakeTimersService, auth: dict[str, str]
) -> None:
    runs, jobs = "https://timers.test/api/v1", "https://timers.test/jobs-api"
    with service.mock(runs, jobs_base_url=jobs):
        assert httpx.get(f"{jobs}/jobs/{TIMER}", headers=auth).status_code == 200
        assert httpx.get(f"{runs}/timers/{TIMER}/runs", headers=auth).status_code == 200
        assert httpx.get(f"{jobs}/timers/{TIMER}/runs", headers=auth).status_code == 404
        assert httpx.get(f"{runs}/jobs/{TIMER}", headers=auth).status_code == 404
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get(f"https://timers.test/jobs/{TIMER}", headers=auth)
    assert service.requests[:4] == [
        ("GET", f"/jobs-api/jobs/{TIMER}"),
        ("GET", f"/api/v1/timers/{TIMER}/runs"),
        ("GET", f"/jobs-api/timers/{TIMER}/runs"),
        ("GET", f"/api/v1/jobs/{TIMER}"),
    ]


def test_handle_and_transport_still_take_either_api_under_any_prefix(
    service: FakeTimersService,
) -> None:
    with httpx.Client(transport=service.transport(), headers={"Authorization": BEARER}) as http:
        assert http.get(f"{DEFAULT_JOBS_BASE_URL}/timers/{TIMER}/runs").status_code == 200
        assert http.get(f"{DEFAULT_BASE_URL}/jobs/{TIMER}").status_code == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"base_url": "timer.automate.globus.org/api/v1"},
            "base_url must be an absolute http(s) URL, got 'timer.automate.globus.org/api/v1'",
        ),
        ({"base_url": ""}, "base_url must be an absolute http(s) URL, got ''"),
        (
            {"jobs_base_url": "ftp://timers.test"},
            "jobs_base_url must be an absolute http(s) URL, got 'ftp://timers.test'",
        ),
    ],
)
def test_mock_refuses_a_base_url_that_is_not_an_absolute_http_url(
    service: FakeTimersService, options: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        service.mock(**options)
    assert str(caught.value) == message


def test_a_lifecycle_of_a_century_is_taken() -> None:
    service = FakeTimersService(pending_seconds=3153600000, in_progress_seconds=0)
    assert service.add_timer()
