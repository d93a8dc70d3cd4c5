"""The production ``jobs`` API (``api="jobs"``): the same models, paging, errors and retries.

Every exchange of a ``jobs_dual`` client is checked against ``spec/globus-timers.yaml``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from support.bodies import job_json, job_result, numbered_results
from support.dual import TIMER_ID, Dual

from timers import (
    AsyncTimersClient,
    InvalidArgumentError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    ResponseValidationError,
    RunPage,
    RunStatus,
    ServerError,
    TimerRun,
    TimersClient,
    UnprocessableEntityError,
    UnsupportedOperationError,
    WaitTimeoutError,
)
from timers._args import ListFilters
from timers._dialects import jobs as jobs_dialect
from timers._dialects.jobs import RUN_ID_NAMESPACE, parse_page, run_id_for

JOBS_URL = f"https://timer.automate.globus.org/jobs/{TIMER_ID}"
FLOW_ID = "0b7e3a52-1f0c-4d8e-9a34-5c2f1e6d7a80"
START = datetime(2026, 11, 28, 2, 0, 0, 4117, tzinfo=UTC)


class Pages:
    """A ``/jobs/{id}`` handler serving ``results`` in pages keyed by ``results_pt``."""

    def __init__(self, pages: list[list[dict[str, Any]]], **job: Any) -> None:
        self.pages = pages
        self.job = job
        self.seen: list[dict[str, list[str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        self.seen.append(query)
        index = int(query["results_pt"][0].removeprefix("p")) if "results_pt" in query else 0
        page_next = f"p{index + 1}" if index + 1 < len(self.pages) else None
        total = sum(len(p) for p in self.pages)
        body = job_json(self.pages[index], page_next=page_next, n_runs=total, **self.job)
        return httpx.Response(200, json=body)


def filters(**kwargs: Any) -> ListFilters:
    return ListFilters(uuid.UUID(TIMER_ID), **kwargs)


# -- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [TimersClient, AsyncTimersClient])
def test_api_jobs_defaults_to_the_production_service_url(cls: type) -> None:
    client = cls("t", api="jobs")
    assert client.api == "jobs"
    assert client.base_url == "https://timer.automate.globus.org"
    assert cls("t").api == "runs"


@pytest.mark.parametrize("cls", [TimersClient, AsyncTimersClient])
def test_timers_api_environment_variable_chooses_the_api(
    cls: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMERS_API", "jobs")
    assert cls("t").api == "jobs"
    assert cls("t", api="runs").api == "runs"  # the argument wins


@pytest.mark.parametrize("api", ["JOBS", "v2", "", 3])
def test_any_other_api_is_an_invalid_argument(api: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="api must be 'runs' or 'jobs'"):
        TimersClient("t", api=api)


def test_the_spec_server_is_the_default_base_url() -> None:
    from support.openapi import JOBS_SPEC_PATH, spec_document

    assert (
        spec_document(JOBS_SPEC_PATH)["servers"][0]["url"] == TimersClient("t", api="jobs").base_url
    )


# -- run_timer ----------------------------------------------------------------------------------


def test_run_timer_is_unsupported_and_sends_nothing(jobs_dual: Dual) -> None:
    sent: list[httpx.Request] = []
    client = jobs_dual.client(handler=lambda r: sent.append(r) or httpx.Response(500))
    for call in (lambda: client.run_timer(TIMER_ID), lambda: client.run_timer(TIMER_ID, wait=True)):
        with pytest.raises(UnsupportedOperationError) as info:
            call()
        message = str(info.value)
        assert "\n" not in message and "api='jobs'" in message and "no endpoint" in message
    assert sent == []


def test_run_timer_still_checks_the_timer_id_first(jobs_dual: Dual) -> None:
    client = jobs_dual.client(handler=lambda r: httpx.Response(500))
    with pytest.raises(InvalidArgumentError):
        client.run_timer("../admin")


# -- listing ------------------------------------------------------------------------------------


def test_list_runs_reads_one_page_of_results_with_page_size_and_results_pt(
    jobs_dual: Dual,
) -> None:
    pages = Pages([numbered_results(3), numbered_results(2, start=3)])
    client = jobs_dual.client(handler=pages)
    first = client.list_runs(TIMER_ID, limit=3)
    assert pages.seen[0] == {"page_size": ["3"]}
    assert len(first) == 3 and first.total == 5
    assert first.has_next_page and first.next_page == "p1"
    second = client.list_runs(TIMER_ID, limit=3, marker=first.next_page)
    assert pages.seen[1] == {"page_size": ["3"], "results_pt": ["p1"]}
    assert len(second) == 2 and not second.has_next_page and second.next_page is None
    assert [r.start_time for r in (*first, *second)] == [
        datetime(2026, 11, 28, 2, tzinfo=UTC) - timedelta(days=i) for i in range(5)
    ]


def test_iter_runs_goes_through_every_page(jobs_dual: Dual) -> None:
    pages = Pages([numbered_results(4), numbered_results(4, start=4), numbered_results(1, start=8)])
    runs = list(jobs_dual.client(handler=pages).iter_runs(TIMER_ID, page_size=4))
    assert len(runs) == 9 and len({r.id for r in runs}) == 9
    assert [q.get("results_pt") for q in pages.seen] == [None, ["p1"], ["p2"]]


def test_filters_are_applied_by_the_client_to_every_page(jobs_dual: Dual) -> None:
    failed = job_result(START - timedelta(days=1), run_status="failure", status=500)
    old_failed = job_result(START - timedelta(days=9), run_status="FAILURE", status=500)
    pages = Pages(
        [[job_result(START), failed], [job_result(START - timedelta(days=5)), old_failed]]
    )
    client = jobs_dual.client(handler=pages)
    runs = list(
        client.iter_runs(TIMER_ID, status=RunStatus.FAILURE, start_after=START - timedelta(days=3))
    )
    assert [r.start_time for r in runs] == [START - timedelta(days=1)]
    # No filter is sent: the service has none; every page is still read.
    assert all(set(q) <= {"results_pt"} for q in pages.seen) and len(pages.seen) == 2
    page = client.list_runs(TIMER_ID, start_before=START)
    assert [r.start_time for r in page] == [START - timedelta(days=1)]
    assert page.total == 4  # the timer's run count, not the matches


def test_start_bounds_are_strict(jobs_dual: Dual) -> None:
    client = jobs_dual.client(handler=Pages([[job_result(START)]]))
    assert len(client.list_runs(TIMER_ID, start_after=START)) == 0
    assert len(client.list_runs(TIMER_ID, start_before=START)) == 0
    assert len(client.list_runs(TIMER_ID, start_after=START - timedelta(microseconds=1))) == 1
    assert len(client.list_runs(TIMER_ID, start_before=START + timedelta(microseconds=1))) == 1


def test_max_items_counts_matching_runs(jobs_dual: Dual) -> None:
    pages = Pages([numbered_results(3), numbered_results(3, start=3)])
    runs = list(jobs_dual.client(handler=pages).iter_runs(TIMER_ID, max_items=4))
    assert len(runs) == 4 and len(pages.seen) == 2


def test_a_repeated_page_next_is_a_pagination_error(jobs_dual: Dual) -> None:
    def same(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=job_json(numbered_results(1), page_next="again"))

    with pytest.raises(PaginationError):
        list(jobs_dual.client(handler=same).iter_runs(TIMER_ID))


# -- one run ------------------------------------------------------------------------------------


def test_get_run_finds_a_run_by_its_derived_id_on_a_later_page(jobs_dual: Dual) -> None:
    pages = Pages([numbered_results(2), numbered_results(2, start=2)])
    client = jobs_dual.client(handler=pages)
    wanted = next(iter(client.list_runs(TIMER_ID, marker="p1")))
    pages.seen.clear()
    found = client.get_run(TIMER_ID, wanted.id)
    assert found == wanted
    assert [q.get("results_pt") for q in pages.seen] == [None, ["p1"]]  # newest page first
    assert client.get_run(TIMER_ID.upper(), wanted.id.upper()) == wanted


def test_get_run_of_a_run_in_no_page_is_not_found(jobs_dual: Dual) -> None:
    pages = Pages([numbered_results(2), numbered_results(1, start=2)])
    missing = str(uuid.uuid4())
    with pytest.raises(NotFoundError) as info:
        jobs_dual.client(handler=pages).get_run(TIMER_ID, missing)
    error = info.value
    assert error.status_code == 404 and error.code == "RUN_NOT_FOUND"
    assert missing in str(error) and TIMER_ID in str(error)
    assert error.method == "GET" and error.url == JOBS_URL
    assert len(pages.seen) == 2


def test_wait_for_run_polls_until_the_result_has_an_end_time(jobs_dual: Dual) -> None:
    running = job_result(START, run_status="ACTIVE", end_timestamp=None, status=None)
    done = job_result(START, run_status="SUCCEEDED")
    answers = [running, running, done]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=job_json([answers.pop(0) if len(answers) > 1 else done]))

    client = jobs_dual.client(handler=handler)
    seen: list[str] = []
    run = client.wait_for_run(
        TIMER_ID,
        run_id_for(TIMER_ID, START),
        poll_interval=1,
        on_update=lambda r: seen.append(r.status),
    )
    assert run.is_finished and run.status == "SUCCEEDED" and not run.status.is_known
    assert seen == ["ACTIVE", "SUCCEEDED"]


def test_wait_for_run_times_out_with_the_last_run_seen(jobs_dual: Dual) -> None:
    running = job_result(START, run_status="ACTIVE", end_timestamp=None)
    client = jobs_dual.client(handler=lambda r: httpx.Response(200, json=job_json([running])))
    with pytest.raises(WaitTimeoutError) as info:
        client.wait_for_run(TIMER_ID, run_id_for(TIMER_ID, START), timeout=5, poll_interval=1)
    assert info.value.run is not None and info.value.run.status == "ACTIVE"


# -- mapping a result to a TimerRun --------------------------------------------------------------


def test_a_result_maps_to_a_timer_run() -> None:
    body = job_json([job_result(START)])
    (run,) = parse_page(body)
    assert run.id == run_id_for(TIMER_ID, START)
    assert run.timer_id == TIMER_ID
    assert run.start_time == START and run.start_time.tzinfo is UTC
    assert run.end_time == START + timedelta(seconds=221)
    assert run.status == "SUCCEEDED" and not run.status.is_known
    assert run.is_finished  # it has an end time, whatever its status string
    assert run.result is not None
    assert run.result.status == "SUCCEEDED" and run.result.status_code == 202
    assert run.result.callback_kind == "web" and run.result.run_id is None
    # Nothing is dropped: what has no place in the models is in extra.
    assert dict(run.extra) == {
        "ran_at": (START + timedelta(seconds=221)).isoformat(),
        "http_status_submission": 202,
        "http_status_polled": 200,
        "resource_id": "15jfdBESgveZQ",
        "data": {"action_id": "15jfdBESgveZQ", "status": "SUCCEEDED"},
    }
    assert isinstance(run.extra, MappingProxyType)


def test_the_derived_id_is_the_documented_uuid5_and_stable() -> None:
    expected = uuid.uuid5(RUN_ID_NAMESPACE, f"{TIMER_ID}/2026-11-28T02:00:00.004117+00:00")
    assert run_id_for(TIMER_ID, START) == str(expected)
    assert run_id_for(TIMER_ID.upper(), START.astimezone()) == str(expected)
    later = run_id_for(TIMER_ID, START + timedelta(microseconds=1))
    assert later != str(expected)
    a, b = (parse_page(job_json([job_result(START)])).runs[0] for _ in range(2))
    assert a.id == b.id == str(expected)


def test_derived_ids_work_where_sha1_is_refused_for_security(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A FIPS-mode OpenSSL refuses SHA-1 unless the caller says it is not for security; the id is
    # a name-based UUID (RFC 4122 version 5), not a security use.
    def fips_sha1(data: bytes, *, usedforsecurity: bool = True) -> Any:
        if usedforsecurity:  # read by truth value, as hashlib does
            raise ValueError("[digital envelope routines] unsupported")
        return hashlib.sha1(data, usedforsecurity=False)

    monkeypatch.setattr(jobs_dialect, "_sha1", fips_sha1)
    expected = uuid.uuid5(RUN_ID_NAMESPACE, f"{TIMER_ID}/2026-11-28T02:00:00.004117+00:00")
    assert run_id_for(TIMER_ID, START) == str(expected)


@pytest.mark.parametrize(
    ("given", "status"),
    [
        ("success", RunStatus.SUCCESS),
        ("SUCCESS", RunStatus.SUCCESS),
        ("Failure", RunStatus.FAILURE),
        ("IN_PROGRESS", RunStatus.IN_PROGRESS),
        ("pending", RunStatus.PENDING),
    ],
)
def test_run_status_maps_to_run_status_in_any_case(given: str, status: RunStatus) -> None:
    (run,) = parse_page(job_json([job_result(START, run_status=given)]))
    assert run.status is status


def test_an_unknown_run_status_is_kept_as_the_service_wrote_it() -> None:
    result = job_result(START, run_status="ACTIVE", end_timestamp=None)
    (run,) = parse_page(job_json([result]))
    assert run.status == "ACTIVE" and not run.status.is_known and not run.is_finished


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": 202, "http_status_polled": 200, "http_status_submission": 201}, 202),
        ({"status": None, "http_status_polled": 200, "http_status_submission": 201}, 200),
        ({"status": None, "http_status_polled": None, "http_status_submission": 201}, 201),
        ({"status": None, "http_status_polled": None, "http_status_submission": None}, None),
    ],
)
def test_the_http_status_comes_from_status_then_polled_then_submission(
    fields: dict[str, Any], code: int | None
) -> None:
    (run,) = parse_page(job_json([job_result(START, **fields)]))
    assert run.result is not None and run.result.status_code == code


def test_a_flow_timer_result_carries_the_flow_run_id() -> None:
    body = job_json(
        [
            job_result(
                START,
                status=None,
                http_status_polled=None,
                http_status_submission=None,
                resource_id="run-1",
            )
        ],
        flow_id=FLOW_ID,
    )
    (run,) = parse_page(body)
    assert run.result is not None
    assert run.result.run_id == "run-1" and run.result.callback_kind == "flow"
    assert "resource_id" not in run.extra


def test_a_run_finished_by_its_end_time_stays_finished_through_its_wire_form() -> None:
    page = parse_page(job_json([job_result(START, run_status="FAILED")]))
    (run,) = page
    assert run.is_finished and not run.status.is_known
    data = run.to_dict()
    assert data["finished_by_end_time"] is True
    again = TimerRun.from_dict(data)
    assert again == run and again.is_finished and again.finished_by_end_time
    assert dict(again.extra) == dict(run.extra) and "finished_by_end_time" not in again.extra
    (from_page,) = RunPage.from_dict(page.to_dict())
    assert from_page == run and from_page.is_finished
    # A key that is not exactly true is data, and a run that is not so flagged writes none.
    plain = TimerRun.from_dict({**data, "finished_by_end_time": "yes"})
    assert not plain.finished_by_end_time and plain.extra["finished_by_end_time"] == "yes"
    del data["finished_by_end_time"]
    unflagged = TimerRun.from_dict(data)
    assert not unflagged.finished_by_end_time and "finished_by_end_time" not in unflagged.to_dict()


@pytest.mark.parametrize("raw", ["", None])
def test_an_empty_or_null_run_status_is_unknown_in_the_run_and_in_its_result(raw: Any) -> None:
    (run,) = parse_page(job_json([job_result(START, run_status=raw)]))
    assert run.status == "unknown" and not run.status.is_known
    assert run.result is not None and run.result.status == "unknown"
    assert run.is_finished  # by its end time


def test_a_flow_timer_result_with_an_http_status_is_still_a_flow_run() -> None:
    # The spec's flow_timer example: the answer to starting the flow run, and its id.
    body = job_json([job_result(START, status=201, resource_id="run-1")], flow_id=FLOW_ID)
    (run,) = parse_page(body)
    assert run.result is not None
    assert run.result.callback_kind == "flow" and run.result.run_id == "run-1"
    assert run.result.status_code == 201 and run.result.http_ok is True


def test_errors_become_a_run_error_with_the_whole_object_as_detail() -> None:
    errors = {"code": "PermissionDenied", "description": "The collection refused access."}
    (run,) = parse_page(job_json([job_result(START, run_status="FAILED", errors=errors)]))
    assert run.result is not None and run.result.error is not None
    error = run.result.error
    assert error.code == "PermissionDenied" and error.message == "The collection refused access."
    assert dict(error.detail) == errors
    (bare,) = parse_page(job_json([job_result(START, errors={"reason": 7})]))
    assert bare.result is not None and bare.result.error is not None
    assert bare.result.error.code == "ERROR" and bare.result.error.message == ""


def test_an_older_result_without_start_timestamp_uses_ran_at_read_as_utc() -> None:
    old = {"data": {"x": 1}, "errors": None, "status": 202, "ran_at": "2022-04-01T19:30:07.103090"}
    (run,) = parse_page(job_json([old]))
    assert run.start_time == datetime(2022, 4, 1, 19, 30, 7, 103090, tzinfo=UTC)
    assert run.start_time.tzinfo is UTC
    assert run.status == "unknown" and not run.is_finished and run.end_time is None
    assert run.result is not None and run.result.status == "unknown"
    assert dict(run.extra) == {"data": {"x": 1}}


def test_a_v2_read_with_number_of_runs_and_a_bare_results_list_parses() -> None:
    body = job_json([])
    del body["n_runs"]
    body["number_of_runs"] = 7
    body["results"] = [job_result(START)]
    page = parse_page(body)
    assert page.total == 7 and len(page) == 1 and not page.has_next_page


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda b: b.pop("job_id"), "job_id"),
        (lambda b: b.update(job_id="not-a-uuid"), "job_id"),
        (lambda b: b.pop("n_runs"), "n_runs"),
        (lambda b: b.update(n_runs=-1), "n_runs"),
        (lambda b: b.pop("results"), "results"),
        (lambda b: b.update(results={"page_next": None}), "results.data"),
        (lambda b: b.update(results={"data": {}}), "results.data"),
        (
            lambda b: (
                b["results"]["data"][0].pop("start_timestamp")
                and b["results"]["data"][0].pop("ran_at")
            ),
            "results.data[0].start_timestamp",
        ),
        (
            lambda b: b["results"]["data"][0].update(start_timestamp="yesterday"),
            "results.data[0].start_timestamp",
        ),
        (
            lambda b: b["results"]["data"][0].update(end_timestamp=5),
            "results.data[0].end_timestamp",
        ),
        (lambda b: b["results"]["data"][0].update(run_status=3), "results.data[0].run_status"),
        (
            lambda b: b["results"]["data"][0].update(http_status_polled="200"),
            "results.data[0].http_status_polled",
        ),
        (lambda b: b["results"]["data"][0].update(errors="boom"), "results.data[0].errors"),
        (lambda b: b["results"].update(page_next=5), "results.page_next"),
    ],
)
def test_a_body_that_breaks_the_spec_names_the_field(change: Any, path: str) -> None:
    body = job_json([job_result(START)])
    change(body)
    with pytest.raises(ResponseValidationError) as info:
        parse_page(body)
    assert info.value.path == path


def test_to_dict_and_from_dict_round_trip_a_jobs_run() -> None:
    (run,) = parse_page(job_json([job_result(START)]))
    again = TimerRun.from_dict(run.to_dict())
    assert again == run and dict(again.extra) == dict(run.extra)


# -- errors -------------------------------------------------------------------------------------


def test_fastapi_validation_errors_become_unprocessable_entity_with_sub_errors(
    jobs_dual: Dual,
) -> None:
    detail = [
        {
            "loc": ["query", "page_size"],
            "msg": "Input should be a valid integer",
            "type": "int_parsing",
        }
    ]
    client = jobs_dual.client(handler=lambda r: httpx.Response(422, json={"detail": detail}))
    with pytest.raises(UnprocessableEntityError) as info:
        client.list_runs(TIMER_ID)
    error = info.value
    assert error.code == "int_parsing" and error.message == "Input should be a valid integer"
    assert error.errors[0]["location"] == "query.page_size"


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message"),
    [
        (
            404,
            {"error": {"code": "NotFound", "detail": "No such timer", "status": 404}},
            NotFoundError,
            "NotFound",
            "No such timer",
        ),
        (500, {"detail": "Internal error"}, ServerError, None, "Internal error"),
        (
            429,
            {"code": "TooManyRequests", "message": "Slow down"},
            RateLimitError,
            "TooManyRequests",
            "Slow down",
        ),
    ],
)
def test_globus_error_bodies_map_to_the_same_error_tree(
    jobs_dual: Dual, status: int, body: dict[str, Any], cls: type, code: str | None, message: str
) -> None:
    client = jobs_dual.client(handler=lambda r: httpx.Response(status, json=body), max_retries=0)
    with pytest.raises(cls) as info:
        client.get_run(TIMER_ID, str(uuid.uuid4()))
    assert info.value.code == code and info.value.message == message


def test_reads_are_retried_as_in_the_runs_api(jobs_dual: Dual) -> None:
    answers = [
        httpx.Response(503, json={"detail": "busy"}),
        httpx.Response(200, json=job_json([job_result(START)])),
    ]
    client = jobs_dual.client(handler=lambda r: answers.pop(0))
    assert len(client.list_runs(TIMER_ID)) == 1
    assert len(jobs_dual.clock.sleeps) == 1


# -- the hint for runs-API users on the production host --------------------------------------------


def _runs_client(body: Any, base_url: str | None = None) -> TimersClient:
    transport = httpx.MockTransport(lambda r: httpx.Response(404, json=body))
    return TimersClient("t", base_url=base_url, http_client=httpx.Client(transport=transport))


def test_a_missing_runs_route_on_production_hints_at_api_jobs() -> None:
    with pytest.raises(NotFoundError) as info:
        _runs_client({"detail": "Not Found"}).get_run(TIMER_ID, str(uuid.uuid4()))
    assert "use api='jobs'" in str(info.value) and info.value.hint is not None
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("body", "base_url"),
    [
        ({"code": "NOT_FOUND", "message": "No timer"}, None),  # the runs API answering
        ({"detail": "Not Found"}, "https://timers.example.org/api/v1"),  # another service
    ],
)
def test_no_hint_when_the_runs_api_answered_or_the_host_is_not_production(
    body: Any, base_url: str | None
) -> None:
    with pytest.raises(NotFoundError) as info:
        _runs_client(body, base_url).get_run(TIMER_ID, str(uuid.uuid4()))
    assert "api='jobs'" not in str(info.value) and info.value.hint is None
