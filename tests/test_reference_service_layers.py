"""The reference service's layers: the public ``Reply``/``Drop`` types, the sans-IO
``Answerer`` used directly, routing that takes another API dialect as one more module, and
every transport giving the same answer to the same request (injected faults and drops too).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import timers.testing
from timers.testing import (
    DEFAULT_BASE_URL,
    DEFAULT_JOBS_BASE_URL,
    Answerer,
    Drop,
    FakeTimersService,
    Reply,
    serve,
)
from timers.testing._answering import Api, Prefixes, Route, WrongMethod
from timers.testing._faults import FaultQueue
from timers.testing._replies import json_reply
from timers.testing._runs_api import RunsApi
from timers.testing._state import ServiceState

TOKEN = "test-token"
BEARER = f"Bearer {TOKEN}"
TIMER = "12345678-1234-1234-1234-123456789012"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def make_service() -> FakeTimersService:
    """The same service every time: fixed clock and seed, one timer with a history."""
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: START, seed=11)
    service.add_timer(TIMER, callback="web", failure_rate=0.3)
    service.seed_history(TIMER, 40, failure_rate=0.3)
    return service


@pytest.fixture
def service() -> FakeTimersService:
    return make_service()


# --- the public reply types ----------------------------------------------------------------------


def test_reply_and_drop_and_answerer_are_public_names_of_timers_testing() -> None:
    for name in ("Reply", "Drop", "Answerer"):
        assert name in timers.testing.__all__
        assert getattr(timers.testing, name).__doc__
    assert isinstance(make_service().answerer, Answerer)


def test_a_reply_is_an_immutable_value_with_header_and_json_helpers() -> None:
    reply = Reply(200, (("Content-Type", "application/json"), ("X-Request-Id", "r1")), b'{"a":1}')
    assert reply == Reply(
        200, (("Content-Type", "application/json"), ("X-Request-Id", "r1")), b'{"a":1}'
    )
    assert reply.header("content-type") == "application/json"
    assert reply.header("X-REQUEST-ID") == "r1"
    assert reply.header("retry-after") is None
    assert reply.json() == {"a": 1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.status = 500  # type: ignore[misc]


def test_a_drop_says_whether_the_request_was_carried_out() -> None:
    assert Drop() == Drop(after_processing=False)
    assert Drop(after_processing=True) != Drop()


# --- the answering layer, used directly ----------------------------------------------------------


def test_the_answerer_answers_the_three_operations(service: FakeTimersService) -> None:
    answer = service.answerer.answer
    listed = answer("GET", f"/api/v1/timers/{TIMER}/runs?limit=5", BEARER)
    assert isinstance(listed, Reply)
    assert (listed.status, listed.header("content-type")) == (200, "application/json")
    assert listed.header("x-request-id")
    body = listed.json()
    assert (body["total"], len(body["runs"])) == (40, 5)

    created = answer("POST", f"/timers/{TIMER}/run", BEARER)
    assert isinstance(created, Reply)
    assert (created.status, created.json()["status"]) == (201, "pending")
    assert service.runs_created == 1

    run_id = created.json()["id"]
    fetched = answer("GET", f"/timers/{TIMER}/runs/{run_id}", BEARER)
    assert isinstance(fetched, Reply)
    assert fetched.json() == service.get_run_json(TIMER, run_id)
    assert service.requests == [
        ("GET", f"/api/v1/timers/{TIMER}/runs?limit=5"),
        ("POST", f"/timers/{TIMER}/run"),
        ("GET", f"/timers/{TIMER}/runs/{run_id}"),
    ]


def test_the_answerer_routes_only_the_base_path_when_given_one(service: FakeTimersService) -> None:
    answer = service.answerer.answer
    inside = answer("GET", f"/api/v1/timers/{TIMER}/runs", BEARER, base_path="/api/v1")
    outside = answer("GET", f"/v2/timers/{TIMER}/runs", BEARER, base_path="/api/v1")
    anywhere = answer("GET", f"/v2/timers/{TIMER}/runs", BEARER)
    assert isinstance(inside, Reply) and isinstance(outside, Reply) and isinstance(anywhere, Reply)
    assert (inside.status, outside.status, anywhere.status) == (200, 404, 200)
    assert outside.json()["code"] == "NOT_FOUND"


def test_the_answerer_routes_the_jobs_api_only_under_its_own_base_path_when_given_one(
    service: FakeTimersService,
) -> None:
    answer = service.answerer.answer
    statuses = []
    for path in (f"/jobs-api/jobs/{TIMER}", f"/jobs/{TIMER}", f"/api/v1/jobs/{TIMER}"):
        reply = answer("GET", path, BEARER, base_path="/api/v1", jobs_base_path="/jobs-api")
        assert isinstance(reply, Reply)
        statuses.append(reply.status)
    assert statuses == [200, 404, 404]


def test_the_answerer_checks_the_token_then_the_method(service: FakeTimersService) -> None:
    answer = service.answerer.answer
    missing = answer("GET", f"/timers/{TIMER}/runs", None)
    wrong = answer("DELETE", f"/timers/{TIMER}/runs", BEARER)
    assert isinstance(missing, Reply) and isinstance(wrong, Reply)
    assert (missing.status, missing.header("www-authenticate")) == (401, "Bearer")
    assert (wrong.status, wrong.header("allow")) == (405, "GET")


def test_the_answer_to_head_has_no_body(service: FakeTimersService) -> None:
    head = service.answerer.answer("HEAD", f"/timers/{TIMER}/runs", BEARER)
    assert isinstance(head, Reply)
    assert (head.status, head.body) == (405, b"")


def test_the_answerer_returns_injected_replies_and_drops(service: FakeTimersService) -> None:
    answer = service.answerer.answer
    service.fail_next(status=429, headers={"Retry-After": "2"}, operation="list_timer_runs")
    service.drop_next(operation="run_timer")
    service.drop_next(operation="run_timer", after_processing=True)

    assert answer("POST", f"/timers/{TIMER}/run", BEARER) == Drop()
    assert service.runs_created == 0
    assert answer("POST", f"/timers/{TIMER}/run", BEARER) == Drop(after_processing=True)
    assert service.runs_created == 1
    limited = answer("GET", f"/timers/{TIMER}/runs", BEARER)
    assert isinstance(limited, Reply)
    assert (limited.status, limited.header("retry-after")) == (429, "2")
    assert limited.json()["code"] == "RATE_LIMITED"
    assert limited.json()["request_id"] == limited.header("x-request-id")


# --- routing takes another dialect as one more module --------------------------------------------


class _JobsApi:
    """A stand-in for a second dialect (``GET /jobs/{job_id}``) on the same state."""

    operations = ("read_job",)

    def __init__(self, state: ServiceState) -> None:
        self._state = state

    def match(
        self, method: str, path: str, prefixes: Prefixes | None
    ) -> Route | WrongMethod | None:
        prefix, _, job_id = path.rpartition("/jobs/")
        if not job_id or (prefixes is not None and prefix != prefixes.jobs):
            return None
        if method != "GET":
            return WrongMethod("GET")
        return Route("read_job", functools.partial(self._read, job_id))

    def _read(self, job_id: str, query: str, request_id: str) -> Reply:
        timer = self._state.timers[job_id]
        return json_reply(200, {"job_id": timer.id, "runs": len(timer.runs)}, request_id)


def test_a_second_api_dialect_plugs_in_beside_the_runs_api_on_the_same_state() -> None:
    state = ServiceState(
        tokens=[TOKEN],
        clock=lambda: START,
        seed=3,
        pending=timedelta(seconds=1),
        in_progress=timedelta(seconds=2),
    )
    apis: list[Api] = [RunsApi(state), _JobsApi(state)]
    faults = FaultQueue(state.lock, [op for api in apis for op in api.operations])
    answerer = Answerer(state, faults, apis)
    state.add_timer(TIMER, "web", 0.0)

    created = answerer.answer("POST", f"/timers/{TIMER}/run", BEARER)
    job = answerer.answer("GET", f"/jobs/{TIMER}", BEARER)
    assert isinstance(created, Reply) and isinstance(job, Reply)
    assert (created.status, job.status, job.json()) == (201, 200, {"job_id": TIMER, "runs": 1})

    faults.fail(1, 503, None, None, "read_job")
    listed = answerer.answer("GET", f"/timers/{TIMER}/runs", BEARER)  # not a read_job: no fault
    failed = answerer.answer("GET", f"/jobs/{TIMER}", BEARER)
    assert isinstance(listed, Reply) and isinstance(failed, Reply)
    assert (listed.status, failed.status) == (200, 503)
    wrong = answerer.answer("POST", f"/jobs/{TIMER}", BEARER)
    assert isinstance(wrong, Reply) and (wrong.status, wrong.header("allow")) == (405, "GET")


def test_faults_name_only_the_operations_of_the_service_apis(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match="delete_job"):
        service.fail_next(operation="delete_job")
    service.fail_next(operation="read_job")  # the jobs API's operations are the service's too


# --- every transport gives the same answer -------------------------------------------------------

Outcome = tuple[object, ...]
# What only a transport adds, not the service: framing and the HTTP server's own headers.
_FRAMING = {"content-length", "date", "server", "connection"}


def _from_reply(reply: Reply | Drop) -> Outcome:
    if isinstance(reply, Drop):
        return ("dropped",)
    return (reply.status, [(k.lower(), v) for k, v in reply.headers], reply.body)


def _from_response(send: Callable[[], httpx.Response]) -> Outcome:
    try:
        response = send()
    except httpx.RemoteProtocolError:
        return ("dropped",)
    headers = [
        (k.lower(), v) for k, v in response.headers.multi_items() if k.lower() not in _FRAMING
    ]
    return (response.status_code, headers, response.content)


def _script(service: FakeTimersService) -> Iterator[tuple[str, str, str | None]]:
    """The requests (method, path under the base URL, authorization), with faults queued on
    ``service`` between them, the same way for every transport."""
    yield "GET", f"/timers/{TIMER}/runs?limit=3&status=failure", BEARER
    yield "POST", f"/timers/{TIMER}/run", BEARER
    yield "GET", f"/timers/{TIMER}/runs?limit=2", BEARER
    yield "GET", f"/timers/{TIMER}/runs?limit=0&status=odd", BEARER
    yield "GET", "/timers/not-a-uuid/runs/also-not", BEARER
    yield "DELETE", f"/timers/{TIMER}/run", BEARER
    yield "HEAD", f"/timers/{TIMER}/runs", BEARER
    yield "GET", f"/timers/{TIMER}/runs", "Bearer wrong"
    yield "GET", f"/timers/{TIMER}/runs", None
    service.fail_next(2, status=429, headers={"Retry-After": "1"})
    yield "GET", f"/timers/{TIMER}/runs", BEARER
    yield "POST", f"/timers/{TIMER}/run", None  # faults come before authentication
    service.fail_next(status=502, body="<html>Bad gateway</html>", operation="run_timer")
    service.fail_next(status=500, body={"oops": True}, operation="list_timer_runs")
    yield "GET", f"/timers/{TIMER}/runs", BEARER
    yield "POST", f"/timers/{TIMER}/run", BEARER
    service.drop_next(operation="get_timer_run")
    yield "GET", f"/timers/{TIMER}/runs/00000000-0000-4000-8000-000000000000", BEARER
    service.drop_next(operation="run_timer", after_processing=True)
    yield "POST", f"/timers/{TIMER}/run", BEARER
    yield "GET", f"/timers/{TIMER}/runs?limit=4", BEARER


def _run_directly(service: FakeTimersService) -> list[Outcome]:
    return [
        _from_reply(service.answerer.answer(method, "/api/v1" + path, auth))
        for method, path, auth in _script(service)
    ]


def _run_over(service: FakeTimersService, http: httpx.Client, base_url: str) -> list[Outcome]:
    outcomes = []
    for method, path, auth in _script(service):
        headers = {} if auth is None else {"Authorization": auth}
        request = http.build_request(method, base_url + path, headers=headers)
        outcomes.append(_from_response(functools.partial(http.send, request)))
    return outcomes


def _run_in_process(service: FakeTimersService) -> list[Outcome]:
    with httpx.Client(transport=service.transport()) as http:
        return _run_over(service, http, DEFAULT_BASE_URL)


def _run_through_respx(service: FakeTimersService) -> list[Outcome]:
    with service.mock(), httpx.Client() as http:
        return _run_over(service, http, DEFAULT_BASE_URL)


def _run_served(service: FakeTimersService) -> list[Outcome]:
    with serve(service) as base_url, httpx.Client() as http:
        return _run_over(service, http, base_url)


def test_every_transport_gives_the_answerer_s_answers_faults_and_drops_included() -> None:
    services = {name: make_service() for name in ("direct", "mock transport", "respx", "served")}
    results = {
        "direct": _run_directly(services["direct"]),
        "mock transport": _run_in_process(services["mock transport"]),
        "respx": _run_through_respx(services["respx"]),
        "served": _run_served(services["served"]),
    }
    expected = results["direct"]
    statuses = [outcome[0] for outcome in expected]
    assert statuses == [
        200, 201, 200, 400, 422, 405, 405, 401, 401,
        429, 429, 500, 502, "dropped", "dropped", 200,
    ]  # fmt: skip
    for name, outcomes in results.items():
        assert outcomes == expected, name
    for name, service in services.items():
        assert service.requests == services["direct"].requests, name
        assert service.runs_created == 2, name


ROUTED_PATHS = (
    f"/api/v1/timers/{TIMER}/runs",
    "/jobs/",
    f"/jobs/{TIMER}",
    f"/timers/{TIMER}/runs",  # the runs API at the root
    f"/api/v1/jobs/{TIMER}",  # the jobs API under the runs API's base path
    f"/api/v2/timers/{TIMER}/runs",
    f"/v1/jobs/{TIMER}",
    "/api/v1",
    "/",
)


def test_mock_routes_every_path_to_the_api_and_answer_serve_gives_it() -> None:
    with serve(make_service(), api="jobs") as root, httpx.Client() as http:
        served = [http.get(root + path, headers={"Authorization": BEARER}) for path in ROUTED_PATHS]
    mocked_service = make_service()
    with mocked_service.mock(), httpx.Client() as http:
        mocked = [
            http.get(DEFAULT_JOBS_BASE_URL + path, headers={"Authorization": BEARER})
            for path in ROUTED_PATHS
        ]
    assert [r.status_code for r in served] == [200, 200, 200, 404, 404, 404, 404, 404, 404]
    assert [(r.status_code, r.content) for r in mocked] == [
        (r.status_code, r.content) for r in served
    ]
