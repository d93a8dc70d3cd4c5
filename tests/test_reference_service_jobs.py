"""The reference service's ``jobs`` API (``spec/globus-timers.yaml``), from the runs' state.

``GET /jobs/{job_id}`` and ``GET /jobs/`` answer from the same timers and runs as the runs
API; every answer here is checked against ``spec/globus-timers.yaml``.
"""

from __future__ import annotations

import base64
import functools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import respx
from support.openapi import JOBS_SPEC_PATH, validate_exchange

from timers import TimersClient
from timers.testing import (
    DEFAULT_BASE_URL,
    DEFAULT_JOBS_BASE_URL,
    DEFAULT_PAGE_SIZE,
    OPERATIONS,
    Drop,
    FakeTimersService,
    Reply,
    serve,
)
from timers.testing._wire import format_datetime as stamp

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WEB = "12345678-1234-1234-1234-123456789012"
FLOW = "87654321-4321-4321-4321-210987654321"
MISSING = "00000000-0000-4000-8000-000000000000"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

# The deprecated filters are exercised on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:filter_.* is deprecated:DeprecationWarning")


def make_service(**options: Any) -> FakeTimersService:
    """Fixed clock and seed: a web timer with 40 runs and a flow timer with 25."""
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: START, seed=11, **options)
    service.add_timer(WEB, callback="web", failure_rate=0.3)
    service.seed_history(WEB, 40, failure_rate=0.3)
    service.add_timer(FLOW, callback="flow", failure_rate=0.5)
    service.seed_history(FLOW, 25, failure_rate=0.5)
    return service


@pytest.fixture
def service() -> FakeTimersService:
    return make_service()


@pytest.fixture
def http(service: FakeTimersService) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=service.transport(), base_url=DEFAULT_JOBS_BASE_URL, headers=AUTH
    ) as client:
        yield client


def checked(response: httpx.Response, *, valid_request: bool = True) -> httpx.Response:
    """``response``, after checking it (and, unless told, its request) against the spec."""
    validate_exchange(
        response.request, response, validate_request=valid_request, spec_path=JOBS_SPEC_PATH
    )
    return response


def read_job(http: httpx.Client, job_id: str, **params: Any) -> dict[str, Any]:
    response = checked(http.get(f"/jobs/{job_id}", params=params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def all_results(http: httpx.Client, job_id: str, page_size: int) -> list[list[dict[str, Any]]]:
    """Every page of the timer's results, following ``page_next``."""
    pages, marker = [], None
    while True:
        params: dict[str, Any] = {"page_size": page_size}
        if marker is not None:
            params["results_pt"] = marker
        results = read_job(http, job_id, **params)["results"]
        pages.append(results["data"])
        marker = results.get("page_next")
        if marker is None:
            return pages


def runs_api_runs(service: FakeTimersService, timer_id: str) -> list[dict[str, Any]]:
    """The timer's runs as the runs API lists them (newest first)."""
    reply = service.answerer.answer("GET", f"/timers/{timer_id}/runs?limit=1000", f"Bearer {TOKEN}")
    assert isinstance(reply, Reply) and reply.status == 200
    runs: list[dict[str, Any]] = reply.json()["runs"]
    return runs


# --- read_job: the timer --------------------------------------------------------------------------


def test_read_job_answers_a_web_timer_as_a_job_read_with_its_run_counts(
    service: FakeTimersService, http: httpx.Client
) -> None:
    job = read_job(http, WEB.upper())
    runs = runs_api_runs(service, WEB)
    assert "flow_id" not in job
    assert (job["job_id"], job["timer_type"], job["status"]) == (WEB, "generic", "loaded")
    assert job["callback_url"].startswith("https://example.org/hooks/")
    assert job["n_runs"] == len(runs) == 40
    assert job["n_errors"] == sum(run["status"] == "failure" for run in runs) > 0
    assert job["last_ran_at"] == runs[0]["start_time"]
    assert job["start"] == job["submitted_at"] == runs[-1]["start_time"]
    assert job["schedule"] == {
        "type": "recurring",
        "interval_seconds": 3600,
        "start": job["start"],
        "end": None,
    }
    assert job["interval"] == 3600.0 and job["next_run"] > stamp(START)


def test_read_job_answers_a_flow_timer_as_a_flow_timer_read_with_its_flow_id(
    service: FakeTimersService, http: httpx.Client
) -> None:
    job = read_job(http, FLOW)
    assert job["timer_type"] == "flow"
    assert uuid.UUID(job["flow_id"])
    assert job["callback_url"] == f"https://flows.automate.globus.org/flows/{job['flow_id']}/run"
    flow_ids = {
        run["result"]["error"]["detail"]["flow_id"]
        for run in runs_api_runs(service, FLOW)
        if run["result"] and run["result"].get("error")
    }
    assert flow_ids == {job["flow_id"]}  # the flow the runs API's errors name


def test_activity_says_whether_the_newest_run_is_still_going(
    service: FakeTimersService, http: httpx.Client
) -> None:
    timer = service.add_timer()
    assert read_job(http, timer)["activity"]["code"] == "awaiting_next_run"
    assert read_job(http, timer)["last_ran_at"] is None
    service.add_run(timer, status="in_progress", start_time=START - timedelta(seconds=30))
    activity = read_job(http, timer)["activity"]
    assert activity == {
        "code": "run_in_progress",
        "start_timestamp": stamp(START - timedelta(seconds=30)),
        "duration_seconds": 30.0,
    }


# --- read_job: paging -----------------------------------------------------------------------------


@pytest.mark.parametrize("timer_id", [WEB, FLOW])
@pytest.mark.parametrize("page_size", [1, 7, 40, 1000])
def test_pages_hold_every_run_exactly_once_newest_first(
    service: FakeTimersService, http: httpx.Client, timer_id: str, page_size: int
) -> None:
    pages = all_results(http, timer_id, page_size)
    starts = [result["start_timestamp"] for page in pages for result in page]
    expected = [run["start_time"] for run in runs_api_runs(service, timer_id)]
    assert starts == expected  # the runs listing's order, each run once
    assert all(len(page) == page_size for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= page_size


def test_the_default_page_holds_50_runs(service: FakeTimersService, http: httpx.Client) -> None:
    service.seed_history(WEB, 80, end=START - timedelta(days=10))
    results = read_job(http, WEB)["results"]
    assert DEFAULT_PAGE_SIZE == 50
    assert len(results["data"]) == 50 and isinstance(results["page_next"], str)


def test_page_next_is_null_on_the_last_page(http: httpx.Client) -> None:
    assert read_job(http, WEB, page_size=40)["results"]["page_next"] is None
    assert read_job(http, WEB, page_size=39)["results"]["page_next"] is not None


def test_runs_created_between_pages_are_neither_skipped_nor_repeated(
    service: FakeTimersService, http: httpx.Client
) -> None:
    first = read_job(http, WEB, page_size=10)["results"]
    service.add_run(WEB, status="success")  # newer than every page
    rest = all_results(http, WEB, 1000)  # the newest page now holds it
    marker = first["page_next"]
    later = read_job(http, WEB, page_size=1000, results_pt=marker)["results"]["data"]
    starts = [r["start_timestamp"] for r in first["data"] + later]
    assert len(starts) == len(set(starts)) == 40
    assert len(rest[0]) == 41


@pytest.mark.parametrize("page_size", ["0", "-1", "1001", "x", "", "1.5"])
def test_a_page_size_outside_1_to_1000_gets_a_fastapi_422(
    http: httpx.Client, page_size: str
) -> None:
    response = checked(
        http.get(f"/jobs/{WEB}", params={"page_size": page_size}), valid_request=False
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", "page_size"]
    assert problem["msg"] and problem["type"].startswith(("type_error", "value_error"))


@pytest.mark.parametrize(
    "results_pt",
    [
        "not-a-marker",
        "",
        "bTo5ZjJk",  # base64url, not a marker
        base64.urlsafe_b64encode(f"m:{MISSING}".encode()).decode(),  # a run the timer lacks
    ],
)
def test_a_results_pt_the_service_did_not_issue_gets_a_fastapi_422(
    http: httpx.Client, results_pt: str
) -> None:
    response = http.get(f"/jobs/{WEB}", params={"results_pt": results_pt})
    checked(response, valid_request=results_pt != "")  # openapi-core refuses an empty value
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["query", "results_pt"]]


def test_a_repeated_parameter_counts_once_with_its_last_value(http: httpx.Client) -> None:
    response = http.get(f"/jobs/{WEB}", params=[("page_size", "x"), ("page_size", "3")])
    assert len(response.json()["results"]["data"]) == 3


# --- read_job: each run as a JobResult ------------------------------------------------------------


def test_run_status_is_the_status_in_upper_case_and_unknown_statuses_as_given(
    service: FakeTimersService, http: httpx.Client
) -> None:
    timer = service.add_timer()
    statuses = ["pending", "in_progress", "success", "failure", "cancelled", "Paused"]
    for i, status in enumerate(statuses):
        service.add_run(timer, status=status, start_time=START - timedelta(minutes=i))
    data = read_job(http, timer)["results"]["data"]
    assert [r["run_status"] for r in data] == [
        "PENDING", "IN_PROGRESS", "SUCCESS", "FAILURE", "cancelled", "Paused",
    ]  # fmt: skip


def test_a_web_run_has_its_times_http_status_and_error(
    service: FakeTimersService, http: httpx.Client
) -> None:
    by_start = {run["start_time"]: run for run in runs_api_runs(service, WEB)}
    data = read_job(http, WEB, page_size=1000)["results"]["data"]
    for result in data:
        run = by_start[result["start_timestamp"]]
        assert result["ran_at"] == run["start_time"]
        assert result["end_timestamp"] == run["end_time"]
        assert result["run_status"] == run["status"].upper()
        assert "resource_id" not in result
        if run["result"] is None:
            assert result.get("status") is None and result["errors"] is None
            continue
        assert result["status"] == result["http_status_submission"] == run["result"]["status_code"]
        assert result["errors"] == run["result"].get("error")
    failed = [r for r in data if r["run_status"] == "FAILURE"]
    assert failed and all(set(r["errors"]) == {"code", "message", "detail"} for r in failed)


def test_a_flow_run_has_its_flow_run_id_as_resource_id(
    service: FakeTimersService, http: httpx.Client
) -> None:
    by_start = {run["start_time"]: run for run in runs_api_runs(service, FLOW)}
    data = read_job(http, FLOW, page_size=1000)["results"]["data"]
    with_ids = 0
    for result in data:
        outcome = by_start[result["start_timestamp"]]["result"] or {}
        assert result.get("resource_id") == outcome.get("run_id")
        assert "status" not in result  # a flow run has no callback HTTP status
        with_ids += "resource_id" in result
    assert with_ids > 0


def test_an_unfinished_run_has_a_null_end(service: FakeTimersService, http: httpx.Client) -> None:
    service.add_run(WEB, status="in_progress", start_time=START)
    newest = read_job(http, WEB, page_size=1)["results"]["data"][0]
    assert newest["end_timestamp"] is None and newest["run_status"] == "IN_PROGRESS"
    assert newest["start_timestamp"] == newest["ran_at"] == stamp(START)


# --- list_jobs ------------------------------------------------------------------------------------


def test_list_jobs_lists_every_timer_with_the_first_page_of_its_results(http: httpx.Client) -> None:
    response = checked(http.get("/jobs/"))
    jobs = response.json()["jobs"]
    assert [job["job_id"] for job in jobs] == [WEB, FLOW]
    assert [len(job["results"]["data"]) for job in jobs] == [40, 25]
    assert jobs[0] == read_job(http, WEB)


def test_list_jobs_result_count_limits_each_timer_s_page(http: httpx.Client) -> None:
    jobs = checked(http.get("/jobs/", params={"result_count": 3})).json()["jobs"]
    assert [len(job["results"]["data"]) for job in jobs] == [3, 3]
    marker = jobs[0]["results"]["page_next"]
    nxt = read_job(http, WEB, page_size=3, results_pt=marker)["results"]["data"]
    assert nxt[0]["start_timestamp"] < jobs[0]["results"]["data"][-1]["start_timestamp"]
    empty = checked(http.get("/jobs/", params={"result_count": 0})).json()["jobs"]
    assert [job["results"]["data"] for job in empty] == [[], []]


def test_list_jobs_filters_and_orders(http: httpx.Client) -> None:
    def ids(**params: Any) -> list[str]:
        response = checked(http.get("/jobs/", params=params))
        assert response.status_code == 200
        return [job["job_id"] for job in response.json()["jobs"]]

    assert ids(filter_name="web hook") == [WEB]
    assert ids(filter_name="FLOW") == [FLOW]
    assert ids(filter_status="active,inactive") == [WEB, FLOW]
    assert ids(filter_status="ended") == []
    assert ids(filter_stopped="true") == []
    assert ids(filter_active="true", filter_stopped="false") == [WEB, FLOW]
    assert ids(order="name desc") == [WEB, FLOW]
    assert ids(order="name") == [FLOW, WEB]
    assert ids(order="no_such_field desc") == [WEB, FLOW]
    assert ids(submitted_after=stamp(START)) == []
    assert ids(submitted_before=stamp(START)) == [WEB, FLOW]
    assert ids(submitted_after="not a date") == [WEB, FLOW]  # a plain string: ignored


def test_list_jobs_ignores_unknown_parameters_and_refuses_wrongly_typed_ones(
    http: httpx.Client,
) -> None:
    assert http.get("/jobs/", params={"colour": "blue"}).status_code == 200
    for name, value in [("result_count", "many"), ("filter_active", "perhaps")]:
        response = checked(http.get("/jobs/", params={name: value}), valid_request=False)
        assert response.status_code == 422
        assert [p["loc"] for p in response.json()["detail"]] == [["query", name]]


# --- errors ---------------------------------------------------------------------------------------


def test_a_job_id_that_is_not_a_uuid_gets_a_fastapi_422(http: httpx.Client) -> None:
    response = checked(http.get("/jobs/not-a-uuid"), valid_request=False)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["path", "job_id"],
                "msg": "value is not a valid uuid",
                "type": "type_error.uuid",
            }
        ]
    }


def test_an_unknown_timer_gets_a_404_in_the_timers_error_shape(http: httpx.Client) -> None:
    response = checked(http.get(f"/jobs/{MISSING}"))
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NOT_FOUND", "detail": f"No timer with id {MISSING}.", "status": 404}
    }
    assert response.headers["x-request-id"]


def test_authentication_and_methods_are_refused_in_the_timers_error_shape(
    http: httpx.Client,
) -> None:
    missing = checked(http.get(f"/jobs/{WEB}", headers={"Authorization": ""}), valid_request=False)
    assert (missing.status_code, missing.headers["www-authenticate"]) == (401, "Bearer")
    assert missing.json()["error"]["code"] == "AUTHENTICATION_ERROR"
    wrong = http.delete(f"/jobs/{WEB}")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET")
    assert wrong.json()["error"] == {
        "code": "METHOD_NOT_ALLOWED",
        "detail": "DELETE is not allowed here; use GET.",
        "status": 405,
    }
    runs_401 = http.get(f"/api/v1/timers/{WEB}/runs", headers={"Authorization": ""})
    assert set(runs_401.json()) == {"code", "message", "request_id"}  # runs keep their shape


# --- faults, drops, latency -----------------------------------------------------------------------


def test_faults_queued_for_read_job_take_only_read_job_requests_with_jobs_shaped_bodies(
    service: FakeTimersService, http: httpx.Client
) -> None:
    assert {"read_job", "list_jobs"} <= set(OPERATIONS)
    service.fail_next(operation="read_job")
    service.fail_next(status=429, headers={"Retry-After": "2"}, operation="read_job")
    service.fail_next(status=422, operation="read_job")
    listed = checked(http.get("/jobs/"))  # not a read_job: no fault
    unavailable = checked(http.get(f"/jobs/{WEB}"))
    limited = checked(http.get(f"/jobs/{WEB}"))
    invalid = checked(http.get(f"/jobs/{WEB}"))
    assert [r.status_code for r in (listed, unavailable, limited, invalid)] == [200, 503, 429, 422]
    assert unavailable.json() == {
        "error": {"code": "SERVICE_UNAVAILABLE", "detail": "Service Unavailable.", "status": 503}
    }
    assert limited.headers["retry-after"] == "2"
    assert invalid.json()["detail"][0]["msg"].startswith("Unprocessable")
    assert http.get(f"/jobs/{WEB}").status_code == 200


def test_drops_on_read_job_close_the_connection_before_or_after_processing(
    service: FakeTimersService, http: httpx.Client
) -> None:
    service.drop_next(operation="read_job")
    service.drop_next(operation="list_jobs", after_processing=True)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(f"/jobs/{WEB}")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/jobs/")
    assert service.requests == [("GET", f"/jobs/{WEB}"), ("GET", "/jobs/")]
    answer = service.answerer.answer
    service.drop_next(operation="read_job", after_processing=True)
    assert answer("GET", f"/jobs/{WEB}", f"Bearer {TOKEN}") == Drop(after_processing=True)


def test_latency_applies_to_jobs_requests() -> None:
    slept: list[float] = []
    service = make_service(sleep=slept.append)
    service.latency = 0.25
    request = httpx.Request("GET", f"{DEFAULT_JOBS_BASE_URL}/jobs/{WEB}", headers=AUTH)
    assert service.handle(request).status_code == 200
    assert slept == [0.25]


def test_runs_triggered_in_one_instant_stay_apart_through_a_jobs_client() -> None:
    # The jobs API has no run ids: the client derives one from the timer and the start time.
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: START)
    service.add_timer(WEB)
    http = httpx.Client(transport=service.transport())
    runs = TimersClient(TOKEN, http_client=http)
    jobs = TimersClient(TOKEN, api="jobs", http_client=http)
    triggered = [runs.run_timer(WEB) for _ in range(3)]
    listed = list(jobs.iter_runs(WEB))
    assert len({run.id for run in listed}) == 3
    assert [run.start_time for run in listed] == [run.start_time for run in reversed(triggered)]
    assert [jobs.get_run(WEB, run.id).start_time for run in listed] == [
        run.start_time for run in listed
    ]


# --- the same state as the runs API, and every transport ------------------------------------------


def test_a_run_triggered_through_the_runs_api_shows_in_results_and_progresses_with_advance(
    service: FakeTimersService,
) -> None:
    with serve(service, api="jobs") as root, httpx.Client(base_url=root, headers=AUTH) as http:
        created = http.post(f"/api/v1/timers/{WEB}/run").json()
        seen = []
        for seconds in (0, 1.5, 60):
            service.advance(seconds)
            job = read_job(http, WEB, page_size=1)
            seen.append(job["results"]["data"][0])
    assert [r["start_timestamp"] for r in seen] == [created["start_time"]] * 3
    assert [r["run_status"] for r in seen[:2]] == ["PENDING", "IN_PROGRESS"]
    assert seen[2]["run_status"] in ("SUCCESS", "FAILURE")
    final = service.get_run_json(WEB, created["id"])
    assert seen[2]["end_timestamp"] == final["end_time"] is not None
    assert seen[2]["status"] == final["result"]["status_code"]


def test_serve_yields_the_root_url_for_jobs_and_serves_each_api_at_its_own_path(
    service: FakeTimersService,
) -> None:
    with serve(service, api="jobs") as root, serve(service) as runs_url:
        assert urlsplit(root).path == "" and urlsplit(runs_url).path == "/api/v1"
        assert checked(httpx.get(f"{root}/jobs/{WEB}", headers=AUTH)).status_code == 200
        assert checked(httpx.get(f"{root}/jobs/", headers=AUTH)).status_code == 200
        assert httpx.get(f"{root}/api/v1/timers/{WEB}/runs", headers=AUTH).status_code == 200
        assert httpx.get(f"{runs_url}/jobs/{WEB}", headers=AUTH).status_code == 404
        assert httpx.get(f"{root}/timers/{WEB}/runs", headers=AUTH).status_code == 404
    with pytest.raises(ValueError, match="api"), serve(service, api="v2"):  # type: ignore[arg-type]
        pass


def test_mock_routes_both_default_base_urls(service: FakeTimersService) -> None:
    with service.mock():
        assert httpx.get(f"{DEFAULT_JOBS_BASE_URL}/jobs/{WEB}", headers=AUTH).status_code == 200
        assert httpx.get(f"{DEFAULT_BASE_URL}/timers/{WEB}/runs", headers=AUTH).status_code == 200
        with pytest.raises(respx.models.AllMockedAssertionError):
            httpx.get("https://timer.automate.globus.org.example.org/jobs/")
    with (
        service.mock("https://timers.test/api/v1", jobs_base_url=None),
        pytest.raises(respx.models.AllMockedAssertionError),
    ):
        httpx.get(f"{DEFAULT_JOBS_BASE_URL}/jobs/{WEB}", headers=AUTH)


def test_the_plugin_serves_both_apis_of_the_same_service(
    timers_service: FakeTimersService, timers_base_url: str, timers_jobs_base_url: str
) -> None:
    timer = timers_service.add_timer()
    timers_service.seed_history(timer, 3)
    assert timers_base_url == timers_jobs_base_url + "/api/v1"
    job = httpx.get(f"{timers_jobs_base_url}/jobs/{timer}", headers=AUTH).json()
    assert job["n_runs"] == 3


Outcome = tuple[object, ...]
_FRAMING = {"content-length", "date", "server", "connection"}


def _script(service: FakeTimersService) -> Iterator[tuple[str, str, str | None]]:
    bearer = f"Bearer {TOKEN}"
    yield "GET", f"/jobs/{WEB}?page_size=3", bearer
    yield "POST", f"/api/v1/timers/{WEB}/run", bearer
    yield "GET", f"/jobs/{WEB}?page_size=2", bearer
    yield "GET", "/jobs/?result_count=1&filter_name=flow", bearer
    yield "GET", "/jobs/not-a-uuid?page_size=0", bearer
    yield "GET", f"/jobs/{MISSING}", bearer
    yield "PATCH", f"/jobs/{WEB}", bearer
    yield "GET", f"/jobs/{WEB}", None
    service.fail_next(status=429, headers={"Retry-After": "1"}, operation="read_job")
    yield "GET", f"/jobs/{WEB}", bearer
    service.drop_next(operation="list_jobs")
    yield "GET", "/jobs/", bearer


def _outcome(send: Callable[[], httpx.Response]) -> Outcome:
    try:
        response = send()
    except httpx.RemoteProtocolError:
        return ("dropped",)
    headers = [
        (k.lower(), v) for k, v in response.headers.multi_items() if k.lower() not in _FRAMING
    ]
    return (response.status_code, headers, response.content)


def _over(service: FakeTimersService, http: httpx.Client, root: str) -> list[Outcome]:
    outcomes = []
    for method, path, auth in _script(service):
        headers = {} if auth is None else {"Authorization": auth}
        request = http.build_request(method, root + path, headers=headers)
        outcomes.append(_outcome(functools.partial(http.send, request)))
    return outcomes


def test_every_transport_gives_the_same_jobs_answers_faults_and_drops_included() -> None:
    direct_service = make_service()
    direct = []
    for method, path, auth in _script(direct_service):
        reply = direct_service.answerer.answer(method, path, auth, base_path="/api/v1")
        direct.append(
            ("dropped",)
            if isinstance(reply, Drop)
            else (reply.status, [(k.lower(), v) for k, v in reply.headers], reply.body)
        )
    assert [o[0] for o in direct] == [200, 201, 200, 200, 422, 404, 405, 401, 429, "dropped"]
    in_process = make_service()
    with httpx.Client(transport=in_process.transport()) as http:
        assert _over(in_process, http, DEFAULT_JOBS_BASE_URL) == direct
    mocked = make_service()
    with mocked.mock(), httpx.Client() as http:
        assert _over(mocked, http, DEFAULT_JOBS_BASE_URL) == direct
    served = make_service()
    with serve(served, api="jobs") as root, httpx.Client() as http:
        assert _over(served, http, root) == direct
    assert served.requests == in_process.requests == direct_service.requests
