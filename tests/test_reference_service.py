"""The reference service answers in-process exactly as the spec says (raw httpx, no client).

Answers to well-formed requests go through ``support.openapi.validating``, so every one is
also checked against the spec; a clock is injected, so nothing waits.
"""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from support.clocks import START, Clock, Sleeps
from support.openapi import validating

from timers.testing._service import DEFAULT_BASE_URL, FakeTimersService

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMER = "12345678-1234-1234-1234-123456789012"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def service(sleeps: Sleeps) -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], clock=Clock(), seed=7, sleep=sleeps)
    service.add_timer(TIMER, callback="web")
    return service


def client(service: FakeTimersService, *, validate_requests: bool = True) -> httpx.Client:
    return httpx.Client(
        transport=validating(service.transport(), validate_requests=validate_requests),
        base_url=DEFAULT_BASE_URL,
        headers=AUTH,
    )


@pytest.fixture
def http(service: FakeTimersService) -> Iterator[httpx.Client]:
    """A client whose requests and answers are all checked against the spec."""
    with client(service) as c:
        yield c


@pytest.fixture
def loose(service: FakeTimersService) -> Iterator[httpx.Client]:
    """A client for deliberately invalid requests: only the answers are checked."""
    with client(service, validate_requests=False) as c:
        yield c


@pytest.fixture
def raw(service: FakeTimersService) -> Iterator[httpx.Client]:
    """No checks at all: for answers the spec does not describe (405, injected faults)."""
    with httpx.Client(transport=service.transport(), base_url=DEFAULT_BASE_URL) as c:
        yield c


def page(http: httpx.Client, timer: str = TIMER, **params: Any) -> dict[str, Any]:
    response = http.get(f"/timers/{timer}/runs", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def every_run_id(http: httpx.Client, **params: Any) -> list[str]:
    """Page through all runs, following ``next_page``."""
    ids: list[str] = []
    marker: str | None = None
    while True:
        body = page(http, **params, **({"marker": marker} if marker else {}))
        ids += [run["id"] for run in body["runs"]]
        if not body["has_next_page"]:
            assert body["next_page"] is None
            return ids
        marker = body["next_page"]
        assert isinstance(marker, str)


def add_runs(service: FakeTimersService, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    return [
        service.add_run(TIMER, start_time=START - timedelta(minutes=i + 1), **kwargs)
        for i in range(count)
    ]


def error_locations(response: httpx.Response) -> list[str]:
    return [error["location"] for error in response.json()["errors"]]


OPERATION_CALLS = [
    ("POST", f"/timers/{TIMER}/run"),
    ("GET", f"/timers/{TIMER}/runs"),
    ("GET", f"/timers/{TIMER}/runs/{MISSING}"),
]


# --- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), OPERATION_CALLS)
@pytest.mark.parametrize(
    "authorization",
    [None, "", TOKEN, "Basic dGVzdDp0ZXN0", "Bearer", "Bearer ", "Bearer a b", "Bearer other"],
)
def test_a_missing_malformed_or_unknown_token_gets_401(
    service: FakeTimersService, method: str, path: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(transport=validating(service.transport(), validate_requests=False)) as c:
        response = c.request(method, DEFAULT_BASE_URL + path, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_ERROR"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert service.runs_created == 0


def test_the_bearer_scheme_is_case_insensitive(raw: httpx.Client) -> None:
    response = raw.get(f"/timers/{TIMER}/runs", headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200


def test_an_added_token_is_accepted(service: FakeTimersService, raw: httpx.Client) -> None:
    headers = {"Authorization": "Bearer second"}
    assert raw.get(f"/timers/{TIMER}/runs", headers=headers).status_code == 401
    service.add_token("second")
    assert raw.get(f"/timers/{TIMER}/runs", headers=headers).status_code == 200


def test_authentication_comes_before_routing(raw: httpx.Client) -> None:
    assert raw.get("/nowhere").status_code == 401
    assert raw.delete(f"/timers/{TIMER}/runs").status_code == 401


# --- routing and ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nowhere", "/timers", f"/timers/{TIMER}", f"/timers/{TIMER}/runs/a/b", "/timers//run"]
)
def test_unknown_paths_get_404_with_an_error_body(raw: httpx.Client, path: str) -> None:
    response = raw.get(path, headers=AUTH)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", f"/timers/{TIMER}/run", "POST"),
        ("DELETE", f"/timers/{TIMER}/runs", "GET"),
        ("PUT", f"/timers/{TIMER}/runs/{MISSING}", "GET"),
        ("QUERY", f"/timers/{TIMER}/runs", "GET"),
    ],
)
def test_an_undeclared_method_gets_405_with_allow(
    service: FakeTimersService, raw: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = raw.request(method, path, headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
    assert service.runs_created == 0


@pytest.mark.parametrize(
    "base_url", ["https://timer.automate.globus.org/api/v1", "http://127.0.0.1:9/x/y", "http://h"]
)
def test_any_base_url_prefix_is_routed_in_process(
    service: FakeTimersService, base_url: str
) -> None:
    with httpx.Client(transport=service.transport(), base_url=base_url, headers=AUTH) as c:
        assert c.get(f"/timers/{TIMER}/runs").status_code == 200


@pytest.mark.parametrize(("method", "path"), OPERATION_CALLS)
@pytest.mark.parametrize("bad", ["not-a-uuid", "12345678123412341234123456789012", "1" * 37])
def test_a_timer_id_that_is_not_a_uuid_gets_422_naming_it(
    loose: httpx.Client, method: str, path: str, bad: str
) -> None:
    response = loose.request(method, path.replace(TIMER, bad))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "UNPROCESSABLE_ENTITY"
    assert body["errors"][0] == {
        "code": "INVALID_UUID",
        "message": "timer_id is not a valid UUID.",
        "location": "path.timer_id",
    }


def test_every_bad_id_is_listed(loose: httpx.Client) -> None:
    response = loose.get("/timers/x/runs/y")
    assert response.status_code == 422
    assert error_locations(response) == ["path.timer_id", "path.run_id"]


def test_ids_are_matched_whatever_their_case(
    service: FakeTimersService, http: httpx.Client
) -> None:
    run = service.add_run(TIMER)
    response = http.get(f"/timers/{TIMER.upper()}/runs/{run['id'].upper()}")
    assert response.status_code == 200
    assert response.json()["id"] == run["id"]


@pytest.mark.parametrize(("method", "path"), OPERATION_CALLS)
def test_an_unknown_timer_gets_404(http: httpx.Client, method: str, path: str) -> None:
    response = http.request(method, path.replace(TIMER, MISSING))
    assert response.status_code == 404
    assert response.json()["message"] == f"No timer with id {MISSING}."


def test_an_unknown_run_gets_404(http: httpx.Client) -> None:
    response = http.get(f"/timers/{TIMER}/runs/{MISSING}")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_every_answer_is_json_with_a_request_id(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    responses = [
        raw.post(f"/timers/{TIMER}/run", headers=AUTH),
        raw.get(f"/timers/{TIMER}/runs", headers=AUTH),
        raw.get(f"/timers/{TIMER}/runs/{MISSING}", headers=AUTH),
        raw.get(f"/timers/{TIMER}/runs", params={"limit": 0}, headers=AUTH),
        raw.get("/timers/x/runs", headers=AUTH),
        raw.get(f"/timers/{TIMER}/runs"),
        raw.delete(f"/timers/{TIMER}/runs", headers=AUTH),
    ]
    ids = [response.headers["x-request-id"] for response in responses]
    assert [r.status_code for r in responses] == [201, 200, 404, 400, 422, 401, 405]
    for response in responses:
        assert response.headers["content-type"] == "application/json"
        json.loads(response.content)
    assert len(set(ids)) == len(ids)
    for response in responses[2:]:
        assert response.json()["request_id"] == response.headers["x-request-id"]


# --- query parameters -----------------------------------------------------------------------------


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "1001"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("limit", "1.5"),
        ("limit", ""),
        ("limit", " 5"),
        ("limit", "١٠"),  # Arabic-Indic digits: int() would take them
        ("status", "done"),
        ("status", "SUCCESS"),
        ("status", ""),
        ("start_after", "2026-11-28T12:00:00"),  # naive
        ("start_after", "yesterday"),
        ("start_after", "2026-11-28"),
        ("start_after", "2026-02-30T00:00:00Z"),
        ("start_after", "2026-11-28 12:00:00Z"),
        ("start_after", "2026-11-28T12:00:60Z"),  # a leap second only at 23:59 UTC
        ("start_before", "2026-11-28T24:00:00Z"),
        ("start_before", "2026-11-28T12:00:00+24:00"),
        ("start_before", ""),
        ("marker", ""),
        ("marker", "!!!"),
        ("marker", "a"),
        ("marker", _b64("hello")),
        ("marker", _b64("m:not-a-uuid")),
        ("marker", _b64(f"m:{MISSING}")),  # the short form must name a run of the timer
    ],
)
def test_an_invalid_query_parameter_gets_400_naming_it(
    loose: httpx.Client, name: str, value: str
) -> None:
    response = loose.get(f"/timers/{TIMER}/runs", params={name: value})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "INVALID_PARAMETER"
    assert error_locations(response) == [f"query.{name}"]


def test_every_invalid_query_parameter_is_listed(loose: httpx.Client) -> None:
    response = loose.get(f"/timers/{TIMER}/runs", params={"limit": 0, "status": "x"})
    assert response.status_code == 400
    assert error_locations(response) == ["query.limit", "query.status"]


def test_query_parameters_are_checked_before_the_timer_is_looked_up(loose: httpx.Client) -> None:
    assert loose.get(f"/timers/{MISSING}/runs", params={"limit": 0}).status_code == 400


def test_a_repeated_parameter_gets_400(loose: httpx.Client) -> None:
    response = loose.get(f"/timers/{TIMER}/runs", params=[("limit", "5"), ("limit", "6")])
    assert response.status_code == 400
    assert error_locations(response) == ["query.limit"]


def test_unknown_query_parameters_are_ignored(loose: httpx.Client) -> None:
    response = loose.get(f"/timers/{TIMER}/runs", params=[("x", "1"), ("x", "2"), ("y", "")])
    assert response.status_code == 200
    assert loose.post(f"/timers/{TIMER}/run", params={"limit": "0"}).status_code == 201


@pytest.mark.parametrize("limit", ["1", "1000", "007"])
def test_limits_from_1_to_1000_are_accepted(
    service: FakeTimersService, loose: httpx.Client, limit: str
) -> None:
    add_runs(service, 3)
    body = page(loose, limit=limit)
    assert len(body["runs"]) == min(3, int(limit))


def test_the_default_page_size_is_50(service: FakeTimersService, http: httpx.Client) -> None:
    service.seed_history(TIMER, 120)
    body = page(http)
    assert len(body["runs"]) == 50
    assert body["total"] == 120


@pytest.mark.parametrize(
    "bound",
    [
        "2026-11-28T11:30:00Z",
        "2026-11-28t11:30:00z",
        "2026-11-28T12:30:00+01:00",
        "2026-11-28T06:30:00-05:00",
        "2026-11-28T11:30:00.000000000Z",
        "2026-11-28T11:29:59.9999999999Z",
    ],
)
def test_start_filters_accept_every_rfc3339_form(
    service: FakeTimersService, http: httpx.Client, bound: str
) -> None:
    add_runs(service, 60)  # one a minute, 11:00 .. 11:59
    just_before = bound.count("59.9")  # 11:29:59.999999: 11:30 is after it
    assert page(http, start_after=bound, limit=1000)["total"] == 29 + just_before
    assert page(http, start_before=bound, limit=1000)["total"] == 30


def test_far_dates_and_leap_seconds_are_accepted(
    service: FakeTimersService, loose: httpx.Client
) -> None:
    add_runs(service, 3)
    assert page(loose, start_after="0001-01-01T00:00:00+01:00")["total"] == 3  # before year 1
    assert page(loose, start_before="9999-12-31T23:59:59-23:59")["total"] == 3  # after 9999
    # RFC 3339 (and JSON Schema) allow a leap second; openapi-core's checker does not.
    assert page(loose, start_before="2016-12-31T23:59:60Z")["total"] == 0
    assert page(loose, start_after="2016-12-31T18:59:60-05:00")["total"] == 3


# --- listing and paging ---------------------------------------------------------------------------


def test_runs_are_listed_newest_first_to_the_millisecond(
    service: FakeTimersService, http: httpx.Client
) -> None:
    older = service.add_run(TIMER, start_time=START - timedelta(hours=1))
    close = START - timedelta(minutes=5)
    near = [
        service.add_run(TIMER, start_time=close + i * timedelta(milliseconds=1))
        for i in (2, 0, 3, 1)
    ]
    newer = service.add_run(TIMER, start_time=START)
    listed = [run["id"] for run in page(http)["runs"]]
    assert listed == [newer["id"], *(near[i]["id"] for i in (2, 0, 3, 1)), older["id"]]


def test_the_status_filter_returns_only_that_status(
    service: FakeTimersService, http: httpx.Client
) -> None:
    service.seed_history(TIMER, 60, end=START - timedelta(hours=1), failure_rate=0.3)
    failures = page(http, status="failure", limit=1000)
    assert failures["total"] == len(failures["runs"]) > 0
    assert {run["status"] for run in failures["runs"]} == {"failure"}
    successes = page(http, status="success", limit=1000)
    assert failures["total"] + successes["total"] == 60


def test_start_after_and_start_before_are_strict(
    service: FakeTimersService, http: httpx.Client
) -> None:
    runs = add_runs(service, 10)  # 11:59, 11:58, ... 11:50
    after, before = runs[7]["start_time"], runs[2]["start_time"]  # 11:52 and 11:57
    body = page(http, start_after=after, start_before=before)
    assert [run["id"] for run in body["runs"]] == [run["id"] for run in runs[3:7]]
    assert body["total"] == 4


def test_total_counts_every_matching_run_over_all_pages(
    service: FakeTimersService, http: httpx.Client
) -> None:
    service.seed_history(TIMER, 30, end=START, failure_rate=0.5)
    after = "2026-11-27T12:30:00Z"  # the last 24 runs, more or less
    body = page(http, start_after=after, status="failure", limit=2)
    everything = page(http, start_after=after, status="failure", limit=1000)
    assert body["total"] == len(everything["runs"]) > 2
    assert body["has_next_page"] is True


@pytest.mark.parametrize("limit", [1, 3, 7, 50, 1000])
@pytest.mark.parametrize("status", [None, "failure"])
def test_paging_yields_every_run_exactly_once_newest_first(
    service: FakeTimersService, http: httpx.Client, limit: int, status: str | None
) -> None:
    service.seed_history(TIMER, 97, interval=timedelta(minutes=10), failure_rate=0.4)
    for i in range(3):  # runs a millisecond apart too
        start = START - timedelta(hours=3) + i * timedelta(milliseconds=1)
        service.add_run(TIMER, start_time=start, status="failure")
    params: dict[str, Any] = {"limit": limit, **({"status": status} if status else {})}
    listed = every_run_id(http, **params)
    expected = page(http, limit=1000, **({"status": status} if status else {}))
    assert listed == [run["id"] for run in expected["runs"]]
    assert len(listed) == len(set(listed)) == expected["total"]


def test_an_empty_timer_lists_no_runs(http: httpx.Client) -> None:
    assert page(http) == {"runs": [], "total": 0, "has_next_page": False, "next_page": None}


def test_the_last_page_says_so(service: FakeTimersService, http: httpx.Client) -> None:
    add_runs(service, 4)
    first = page(http, limit=2)
    assert first["has_next_page"] is True
    last = page(http, limit=2, marker=first["next_page"])
    assert last["has_next_page"] is False
    assert last["next_page"] is None
    assert len(last["runs"]) == 2


def test_markers_stay_valid_while_runs_are_triggered_between_pages(
    service: FakeTimersService, http: httpx.Client
) -> None:
    service.seed_history(TIMER, 25, end=START)
    before = every_run_id(http, limit=1000)
    seen: list[str] = []
    marker: str | None = None
    while True:
        body = page(http, limit=4, **({"marker": marker} if marker else {}))
        seen += [run["id"] for run in body["runs"]]
        # New runs sort first: they must not push old runs into the next page again.
        assert http.post(f"/timers/{TIMER}/run").status_code == 201
        service.add_run(TIMER, start_time=START + timedelta(seconds=len(seen)))
        if not body["has_next_page"]:
            break
        marker = body["next_page"]
    assert seen == before


def test_the_short_marker_form_of_the_spec_examples_names_a_run(
    service: FakeTimersService, http: httpx.Client
) -> None:
    runs = add_runs(service, 5)
    marker = _b64(f"m:{runs[1]['id']}")
    body = page(http, marker=marker)
    assert [run["id"] for run in body["runs"]] == [run["id"] for run in runs[2:]]


def test_a_marker_from_another_query_still_names_a_position(
    service: FakeTimersService, http: httpx.Client
) -> None:
    runs = add_runs(service, 6)
    marker = page(http, limit=2)["next_page"]
    body = page(http, marker=marker, status="success", limit=10)
    assert [run["id"] for run in body["runs"]] == [run["id"] for run in runs[2:]]


# --- the run lifecycle ----------------------------------------------------------------------------


def test_a_triggered_run_goes_pending_in_progress_then_finishes(
    service: FakeTimersService, http: httpx.Client
) -> None:
    response = http.post(f"/timers/{TIMER}/run")
    assert response.status_code == 201
    run = response.json()
    assert run == {
        "id": run["id"],
        "timer_id": TIMER,
        "status": "pending",
        "start_time": "2026-11-28T12:00:00Z",
        "end_time": None,
        "result": None,
    }
    assert service.runs_created == 1

    def current() -> dict[str, Any]:
        got: dict[str, Any] = http.get(f"/timers/{TIMER}/runs/{run['id']}").json()
        assert got == service.get_run_json(TIMER, run["id"])
        return got

    service.advance(0.999)
    assert current()["status"] == "pending"
    service.advance(0.001)  # pending_seconds = 1
    assert current()["status"] == "in_progress"
    assert page(http, status="in_progress")["total"] == 1
    service.advance(1.999)
    assert current()["result"] is None
    service.advance(0.001)  # in_progress_seconds = 2
    done = current()
    assert done["status"] in ("success", "failure")
    assert done["end_time"] == "2026-11-28T12:00:03Z"
    assert done["result"]["status"] == done["status"]
    assert isinstance(done["result"]["status_code"], int)
    assert page(http, status="in_progress")["total"] == 0


def test_run_timer_is_not_idempotent(service: FakeTimersService, http: httpx.Client) -> None:
    first = http.post(f"/timers/{TIMER}/run").json()
    second = http.post(f"/timers/{TIMER}/run").json()
    assert first["id"] != second["id"]
    assert service.runs_created == 2
    assert page(http)["total"] == 2


@pytest.mark.parametrize(("rate", "outcome"), [(0.0, "success"), (1.0, "failure")])
@pytest.mark.parametrize("callback", ["web", "flow"])
def test_the_failure_rate_and_callback_kind_decide_the_outcome(
    rate: float, outcome: str, callback: Any
) -> None:
    service = FakeTimersService(clock=lambda: START, pending_seconds=0, in_progress_seconds=0)
    timer = service.add_timer(callback=callback, failure_rate=rate)
    with client(service) as http:
        created = [http.post(f"/timers/{timer}/run").json() for _ in range(5)]
        # Triggered in one instant, the runs start a millisecond apart: 4 ms ahead for the last.
        service.advance(0.004)
        runs = [http.get(f"/timers/{timer}/runs/{run['id']}").json() for run in created]
    assert created[0]["status"] == outcome  # without durations, the first is over at once
    for run in runs:
        assert run["status"] == outcome
        result = run["result"]
        assert ("status_code" in result) is (callback == "web")
        assert ("run_id" in result) is (callback == "flow")
        assert ("error" in result) is (outcome == "failure")
        if outcome == "failure":
            assert result["error"]["code"] and result["error"]["message"]


def test_advance_refuses_to_go_back(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match="forward"):
        service.advance(-1)


def test_now_is_the_clock_plus_what_advance_added(service: FakeTimersService) -> None:
    service.advance(90)
    assert service.now() == START + timedelta(seconds=90)


def test_a_naive_clock_is_refused() -> None:
    service = FakeTimersService(clock=lambda: datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        service.now()


def test_the_default_clock_is_real_utc_time() -> None:
    before = datetime.now(UTC)
    assert before <= FakeTimersService().now() <= datetime.now(UTC)


# --- wire format ----------------------------------------------------------------------------------


def test_datetimes_are_rfc3339_utc_with_z_and_milliseconds(
    service: FakeTimersService, http: httpx.Client
) -> None:
    start = datetime(2026, 11, 28, 13, 0, 0, 514999, tzinfo=UTC)
    end = start + timedelta(seconds=2)
    offset = datetime.fromisoformat("2026-11-28T14:00:00+01:00")
    run = service.add_run(TIMER, start_time=start, end_time=end)
    other = service.add_run(TIMER, start_time=offset, end_time=offset)
    assert run["start_time"] == "2026-11-28T13:00:00.514Z"
    assert run["end_time"] == "2026-11-28T13:00:02.514Z"
    assert other["start_time"] == "2026-11-28T13:00:00Z"
    assert http.get(f"/timers/{TIMER}/runs/{run['id']}").json() == run


# --- faults ---------------------------------------------------------------------------------------


def test_fail_next_answers_with_the_given_status_headers_and_body(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    service.fail_next(status=429, headers={"Retry-After": "7"}, body={"code": "SLOW_DOWN"})
    response = raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    assert response.json() == {"code": "SLOW_DOWN"}
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).status_code == 200


def test_fail_next_sends_the_spec_error_by_default(
    service: FakeTimersService, loose: httpx.Client
) -> None:
    service.fail_next(status=503)
    response = loose.get(f"/timers/{TIMER}/runs")  # the 503 is checked against the spec too
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "Service Unavailable.",
        "request_id": response.headers["x-request-id"],
    }


def test_fail_next_sends_text_verbatim(service: FakeTimersService, raw: httpx.Client) -> None:
    service.fail_next(
        status=502, body="<html>Bad gateway</html>", headers={"Content-Type": "text/html"}
    )
    service.fail_next(status=500, body=b"")
    first = raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    assert (first.status_code, first.text, first.headers["content-type"]) == (
        502,
        "<html>Bad gateway</html>",
        "text/html",
    )
    second = raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    assert (second.status_code, second.content) == (500, b"")
    assert second.headers["content-type"].startswith("text/plain")


def test_fail_next_answers_count_requests_then_stops(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    service.fail_next(3, status=500)
    statuses = [raw.get(f"/timers/{TIMER}/runs", headers=AUTH).status_code for _ in range(5)]
    assert statuses == [500, 500, 500, 200, 200]


def test_fail_next_for_one_operation_leaves_the_others_alone(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    service.fail_next(status=503, operation="run_timer")
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).status_code == 200
    assert raw.post(f"/timers/{TIMER}/run", headers=AUTH).status_code == 503
    assert raw.post(f"/timers/{TIMER}/run", headers=AUTH).status_code == 201


def test_a_failed_run_timer_creates_no_run(service: FakeTimersService, raw: httpx.Client) -> None:
    service.fail_next(2, status=500, operation="run_timer")
    for _ in range(2):
        assert raw.post(f"/timers/{TIMER}/run", headers=AUTH).status_code == 500
    assert service.runs_created == 0
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).json()["total"] == 0


def test_faults_are_served_in_the_order_they_were_queued(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    service.fail_next(status=502)
    service.drop_next()
    service.fail_next(status=429)
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).status_code == 502
    with pytest.raises(httpx.RemoteProtocolError):
        raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).status_code == 429
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).status_code == 200


def test_faults_come_before_authentication(service: FakeTimersService, raw: httpx.Client) -> None:
    service.fail_next(status=503)
    assert raw.get(f"/timers/{TIMER}/runs").status_code == 503


def test_drop_next_disconnects_without_creating_a_run(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    service.drop_next(operation="run_timer")
    with pytest.raises(httpx.RemoteProtocolError, match="disconnected"):
        raw.post(f"/timers/{TIMER}/run", headers=AUTH)
    assert service.runs_created == 0
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).json()["total"] == 0


def test_drop_next_after_processing_creates_the_run_then_disconnects(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    service.drop_next(2, operation="run_timer", after_processing=True)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            raw.post(f"/timers/{TIMER}/run", headers=AUTH)
    assert service.runs_created == 2
    assert raw.get(f"/timers/{TIMER}/runs", headers=AUTH).json()["total"] == 2
    assert raw.post(f"/timers/{TIMER}/run", headers=AUTH).status_code == 201


def test_fault_helpers_refuse_bad_arguments(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match="operation"):
        service.fail_next(operation="delete_timer")
    with pytest.raises(ValueError, match="count"):
        service.drop_next(0)


def test_latency_waits_with_the_injected_sleep_before_every_answer(
    service: FakeTimersService, sleeps: Sleeps, raw: httpx.Client
) -> None:
    service.latency = 0.25
    raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    service.fail_next(status=500)
    raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    service.drop_next()
    with pytest.raises(httpx.RemoteProtocolError):
        raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    assert sleeps.calls == [0.25, 0.25, 0.25]
    service.latency = 0
    raw.get(f"/timers/{TIMER}/runs", headers=AUTH)
    assert len(sleeps.calls) == 3


# --- bookkeeping ----------------------------------------------------------------------------------


def test_requests_records_method_and_path_with_query_in_order(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    raw.post(f"/timers/{TIMER}/run", headers=AUTH)
    raw.get(f"/timers/{TIMER}/runs", params={"limit": 5, "status": "failure"}, headers=AUTH)
    raw.get("/nowhere")
    assert service.requests == [
        ("POST", f"/api/v1/timers/{TIMER}/run"),
        ("GET", f"/api/v1/timers/{TIMER}/runs?limit=5&status=failure"),
        ("GET", "/api/v1/nowhere"),
    ]


def test_reset_forgets_everything_but_the_tokens(
    service: FakeTimersService, raw: httpx.Client
) -> None:
    first = raw.post(f"/timers/{TIMER}/run", headers=AUTH).json()
    service.add_token("kept")
    service.fail_next(status=500)
    service.latency = 1.0
    service.reset()
    assert (service.requests, service.runs_created, service.latency) == ([], 0, 0.0)
    headers = {"Authorization": "Bearer kept"}
    assert raw.get(f"/timers/{TIMER}/runs", headers=headers).status_code == 404  # no fault left
    service.add_timer(TIMER)
    again = raw.post(f"/timers/{TIMER}/run", headers=headers).json()
    assert again == first  # random sequences start over from the seed


# --- setting up state -----------------------------------------------------------------------------


def test_seed_history_is_realistic_for_web_callbacks(
    service: FakeTimersService, http: httpx.Client
) -> None:
    end = START - timedelta(days=1)
    service.seed_history(TIMER, 200, end=end, interval=timedelta(hours=1), failure_rate=0.2)
    runs = page(http, limit=1000)["runs"]
    assert len(runs) == 200
    statuses = [run["status"] for run in runs]
    assert 20 <= statuses.count("failure") <= 60
    assert statuses.count("success") >= 140
    starts = [datetime.fromisoformat(run["start_time"]) for run in runs]
    assert all(start < end for start in starts)
    assert all(
        timedelta(minutes=50) < a - b < timedelta(minutes=70) for a, b in itertools.pairwise(starts)
    )
    for run in runs:
        result = run["result"]
        assert result["status"] == run["status"]
        assert datetime.fromisoformat(run["end_time"]) > datetime.fromisoformat(run["start_time"])
        if run["status"] == "success":
            assert 200 <= result["status_code"] < 300
            assert "error" not in result
        else:
            assert result["status_code"] >= 500
            assert set(result["error"]) == {"code", "message", "detail"}
            assert result["error"]["detail"]["url"].startswith("https://")


def test_seed_history_is_realistic_for_flow_callbacks(service: FakeTimersService) -> None:
    timer = service.add_timer(callback="flow")
    service.seed_history(timer, 100, end=START - timedelta(days=1), failure_rate=0.3)
    with client(service) as http:
        runs = page(http, timer, limit=1000)["runs"]
    assert {run["status"] for run in runs} == {"success", "failure"}
    for run in runs:
        assert "status_code" not in run["result"]
        assert "run_id" in run["result"]
        if run["status"] == "failure":
            assert {"code", "message", "detail"} <= set(run["result"]["error"])


def test_seed_history_runs_still_going_at_the_end_finish_later() -> None:
    unfinished: set[str] = set()
    for seed in range(30):  # the newest runs are sometimes pending or in progress
        seeded = FakeTimersService(clock=lambda: START, seed=seed)
        timer = seeded.add_timer(callback="flow")
        seeded.seed_history(timer, 5)
        with client(seeded) as c:
            unfinished |= {run["status"] for run in page(c, timer)["runs"]}
            seeded.advance(3600)
            assert {run["status"] for run in page(c, timer)["runs"]} <= {"success", "failure"}
    assert {"pending", "in_progress"} <= unfinished


def test_seed_history_is_deterministic_for_a_seed() -> None:
    def history(seed: int) -> list[dict[str, Any]]:
        service = FakeTimersService(clock=lambda: START, seed=seed)
        timer = service.add_timer()
        service.seed_history(timer, 50)
        with client(service) as http:
            runs: list[dict[str, Any]] = page(http, timer, limit=1000)["runs"]
        return runs

    assert history(3) == history(3)
    assert history(3) != history(4)


def test_seed_history_twice_adds_more_runs(service: FakeTimersService, http: httpx.Client) -> None:
    service.seed_history(TIMER, 10)
    service.seed_history(TIMER, 10)
    assert page(http)["total"] == 20


def test_add_timer_draws_ids_from_the_seed() -> None:
    a, b = FakeTimersService(seed=1), FakeTimersService(seed=1)
    assert [a.add_timer() for _ in range(3)] == [b.add_timer() for _ in range(3)]


def test_add_run_keeps_any_status_and_what_it_is_given(
    service: FakeTimersService, http: httpx.Client
) -> None:
    unknown = service.add_run(TIMER, status="paused")
    assert (unknown["status"], unknown["end_time"], unknown["result"]) == ("paused", None, None)
    given = service.add_run(
        TIMER,
        status="failure",
        run_id="9F2D8C7E-4B2A-4DE2-8D72-0E1AB3C4D5E6",
        result={"status": "failure", "status_code": 418, "error": {"code": "X", "message": "y"}},
    )
    assert given["id"] == "9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6"
    assert given["result"]["status_code"] == 418
    service.advance(3600)  # added runs do not go through the lifecycle
    assert http.get(f"/timers/{TIMER}/runs/{unknown['id']}").json()["status"] == "paused"
    assert page(http, status="failure")["runs"][0]["id"] == given["id"]


def test_add_run_makes_up_a_realistic_result_for_a_final_status(
    service: FakeTimersService,
) -> None:
    run = service.add_run(TIMER, status="failure")
    assert run["result"]["status"] == "failure"
    assert run["result"]["error"]["code"] == "CALLBACK_FAILED"
    assert run["end_time"] > run["start_time"]


def test_the_returned_json_is_a_copy(service: FakeTimersService) -> None:
    run = service.add_run(TIMER)
    run["result"]["status_code"] = 999
    assert service.get_run_json(TIMER, run["id"])["result"]["status_code"] != 999


def test_helpers_refuse_bad_input(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match="already"):
        service.add_timer(TIMER)
    with pytest.raises(ValueError, match="UUID"):
        service.add_timer("timer-1")
    with pytest.raises(ValueError, match="failure_rate"):
        service.add_timer(failure_rate=2)
    with pytest.raises(KeyError):
        service.add_run(MISSING)
    with pytest.raises(ValueError, match="timezone-aware"):
        service.add_run(TIMER, start_time=datetime(2026, 1, 1))
    run = service.add_run(TIMER)
    with pytest.raises(ValueError, match="already has"):
        service.add_run(TIMER, run_id=run["id"])
    with pytest.raises(ValueError, match="JSON"):
        service.add_run(TIMER, result={"status": object()})
    with pytest.raises(KeyError):
        service.get_run_json(TIMER, MISSING)
    with pytest.raises(ValueError, match="interval"):
        service.seed_history(TIMER, 1, interval=timedelta(0))


# --- transports -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_transport_serves_async_clients_too(service: FakeTimersService) -> None:
    async with httpx.AsyncClient(
        transport=service.transport(), base_url=DEFAULT_BASE_URL, headers=AUTH
    ) as http:
        run = (await http.post(f"/timers/{TIMER}/run")).json()
        listed = (await http.get(f"/timers/{TIMER}/runs")).json()
        service.drop_next()
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"/timers/{TIMER}/runs")
    assert listed["runs"][0]["id"] == run["id"]


def test_mock_routes_the_default_base_url_with_respx(service: FakeTimersService) -> None:
    with service.mock():
        response = httpx.post(f"{DEFAULT_BASE_URL}/timers/{TIMER}/run", headers=AUTH)
        assert response.status_code == 201
        service.drop_next()
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{DEFAULT_BASE_URL}/timers/{TIMER}/runs", headers=AUTH)
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get("https://example.org/elsewhere")
    assert service.runs_created == 1


def test_mock_takes_another_base_url(service: FakeTimersService) -> None:
    with service.mock("https://timers.test/api/v1"):
        response = httpx.get(f"https://timers.test/api/v1/timers/{TIMER}/runs", headers=AUTH)
    assert response.status_code == 200


def test_handle_answers_a_request_directly(service: FakeTimersService) -> None:
    request = httpx.Request("GET", f"https://x/api/v1/timers/{TIMER}/runs", headers=AUTH)
    response = service.handle(request)
    assert response.status_code == 200
    assert response.request is request


def test_importing_timers_testing_stays_light() -> None:
    code = (
        "import sys, timers.testing._service, timers.testing._server\n"
        "heavy = {'respx', 'pytest', 'timers_openapi'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
