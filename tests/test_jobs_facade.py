"""The library's ``api="jobs"`` clients against the reference service's jobs API.

Sync and async (``jobs_dual``), every exchange checked by openapi-core against
``spec/globus-timers.yaml``. The service's clock is the test's fake clock, so the client's
(fake) sleeps move the service's time on and triggered runs progress while it waits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.dual import TOKEN, Dual

from timers import (
    AuthenticationError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    RunStatus,
    TimerRun,
    TimersClient,
    UnprocessableEntityError,
    UnsupportedOperationError,
)
from timers.testing import FakeTimersService, Reply, serve

WEB = "12345678-1234-1234-1234-123456789012"
FLOW = "87654321-4321-4321-4321-210987654321"
MISSING = "00000000-0000-4000-8000-000000000000"
BEARER = f"Bearer {TOKEN}"


@pytest.fixture
def service(jobs_dual: Dual) -> FakeTimersService:
    """A web timer with 60 runs and a flow timer with 30, on the test's fake clock."""
    clock = jobs_dual.clock
    service = FakeTimersService(
        tokens=[TOKEN], clock=lambda: datetime.fromtimestamp(clock.now, UTC), seed=21
    )
    service.add_timer(WEB, callback="web", failure_rate=0.3)
    service.seed_history(WEB, 60, failure_rate=0.3)
    service.add_timer(FLOW, callback="flow", failure_rate=0.5)
    service.seed_history(FLOW, 30, failure_rate=0.5)
    return service


@pytest.fixture
def client(jobs_dual: Dual, service: FakeTimersService) -> Any:
    return jobs_dual.client(transport=service.transport())


def runs_api(service: FakeTimersService, timer_id: str, query: str = "") -> list[dict[str, Any]]:
    """The timer's runs as the runs API lists them (the reference for the jobs clients)."""
    reply = service.answerer.answer("GET", f"/timers/{timer_id}/runs?limit=1000&{query}", BEARER)
    assert isinstance(reply, Reply) and reply.status == 200
    runs: list[dict[str, Any]] = reply.json()["runs"]
    return runs


def start_of(run: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(run["start_time"].replace("Z", "+00:00"))


# -- listing ------------------------------------------------------------------------------------


def test_list_runs_reads_the_newest_page_with_the_timer_s_run_count(client: Any) -> None:
    page = client.list_runs(WEB, limit=10)
    assert len(page) == 10 and page.total == 60
    assert page.has_next_page and page.next_page
    starts = [run.start_time for run in page]
    assert starts == sorted(starts, reverse=True)
    following = client.list_runs(WEB, limit=10, marker=page.next_page)
    assert following.runs[0].start_time < starts[-1]


@pytest.mark.parametrize("timer_id", [WEB, FLOW])
def test_iter_runs_gives_every_run_once_newest_first_as_the_runs_api_has_it(
    client: Any, service: FakeTimersService, timer_id: str
) -> None:
    runs = list(client.iter_runs(timer_id, page_size=7))
    expected = runs_api(service, timer_id)
    assert len({run.id for run in runs}) == len(runs) == len(expected)
    for run, wire in zip(runs, expected, strict=True):
        assert run.timer_id == timer_id
        assert run.start_time == start_of(wire)
        assert run.status == wire["status"] and run.status.is_known
        assert (run.end_time is None) == (wire["end_time"] is None)
        outcome = wire["result"] or {}
        assert run.result is not None
        assert run.result.status_code == outcome.get("status_code")
        assert run.result.run_id == outcome.get("run_id")
        error = outcome.get("error")
        assert (run.result.error and run.result.error.code) == (error and error["code"])
    kinds = {run.result.callback_kind for run in runs if run.result and run.is_finished}
    assert kinds <= {"web" if timer_id == WEB else "flow", None}


def test_iter_run_pages_reads_pages_of_the_size_asked_for(
    client: Any, service: FakeTimersService
) -> None:
    pages = list(client.iter_run_pages(WEB, page_size=25))
    assert [len(page) for page in pages] == [25, 25, 10]
    assert [page.has_next_page for page in pages] == [True, True, False]
    assert len(service.requests) == 3


def test_client_side_filters_give_what_the_runs_api_filters_on_the_server(
    client: Any, service: FakeTimersService, jobs_dual: Dual
) -> None:
    now = datetime.fromtimestamp(jobs_dual.clock.now, UTC)
    after, before = now - timedelta(hours=40), now - timedelta(hours=5)
    failed = list(
        client.iter_runs(WEB, status=RunStatus.FAILURE, start_after=after, start_before=before)
    )
    query = f"status=failure&start_after={after:%Y-%m-%dT%H:%M:%SZ}"
    query += f"&start_before={before:%Y-%m-%dT%H:%M:%SZ}"
    expected = runs_api(service, WEB, query)
    assert expected and [run.start_time for run in failed] == [start_of(r) for r in expected]
    assert all(run.status is RunStatus.FAILURE for run in failed)
    assert len(list(client.iter_runs(WEB, status="success", max_items=4, page_size=3))) == 4


def test_an_unknown_status_is_kept_as_the_service_spells_it(
    client: Any, service: FakeTimersService
) -> None:
    service.add_run(WEB, status="cancelled")
    newest = client.list_runs(WEB, limit=1).runs[0]
    assert newest.status == "cancelled" and not newest.status.is_terminal


def test_any_status_the_service_reports_can_be_filtered_on(
    client: Any, service: FakeTimersService, jobs_dual: Dual
) -> None:
    now = datetime.fromtimestamp(jobs_dual.clock.now, UTC)
    starts = [now - timedelta(minutes=3), now - timedelta(minutes=1)]
    for start in starts:
        service.add_run(WEB, status="FAILED", start_time=start, end_time=now)
    service.add_run(WEB, status="CANCELLED", start_time=now - timedelta(minutes=2), end_time=now)
    found = list(client.iter_runs(WEB, status="FAILED"))
    assert [run.start_time for run in found] == starts[::-1]
    assert all(run.status == "FAILED" and not run.status.is_known for run in found)
    assert all(run.is_finished for run in found)
    # Any status matches in any case: "failed" finds FAILED, as the table shows it.
    assert [run.start_time for run in client.iter_runs(WEB, status="failed")] == starts[::-1]
    assert [run.status for run in client.iter_runs(WEB, status="Cancelled")] == ["CANCELLED"]
    # The listed statuses match in any case: the service's FAILURE is RunStatus.FAILURE.
    failures = [run.id for run in client.iter_runs(WEB, status="failure")]
    assert failures and [run.id for run in client.iter_runs(WEB, status="FAILURE")] == failures


@pytest.mark.parametrize("status", ["", 5, "failure ", " FAILED", "\tx"])
def test_a_status_that_is_not_a_non_empty_string_is_refused_before_any_request(
    client: Any, service: FakeTimersService, status: Any
) -> None:
    # Spaces around a status would silently match nothing: refused, and shown.
    sent = len(service.requests)
    with pytest.raises(InvalidArgumentError) as caught:
        client.list_runs(WEB, status=status)
    assert str(caught.value) == (
        "status must be a non-empty str without spaces around it, or a RunStatus (with "
        f"api='jobs', any status the service reports), got {status!r}"
    )
    assert len(service.requests) == sent


# -- one run ------------------------------------------------------------------------------------


def test_max_items_with_a_filter_keeps_the_page_size_as_the_client_filters_pages(
    client: Any, service: FakeTimersService
) -> None:
    failures = [run for run in client.iter_runs(WEB) if run.status is RunStatus.FAILURE]
    assert len(failures) >= 4
    service.requests.clear()
    found = list(client.iter_runs(WEB, status="failure", max_items=3, page_size=20))
    assert found == failures[:3]
    # every page as large as asked for: shrinking it to the runs still wanted would not
    # shrink what it holds of them, only multiply the requests
    assert {path.rsplit("page_size=", 1)[1].split("&")[0] for _, path in service.requests} == {"20"}


def test_pages_of_a_filtered_listing_with_max_items_resume_where_they_stopped(
    client: Any,
) -> None:
    failures = [run for run in client.iter_runs(WEB) if run.status is RunStatus.FAILURE]
    pages = list(client.iter_run_pages(WEB, status="failure", max_items=3, page_size=20))
    first = [run for page in pages for run in page]
    assert first == failures[:3]
    rest = list(client.iter_runs(WEB, status="failure", marker=pages[-1].next_page))
    assert first + rest == failures  # no matching run skipped by the last page's marker


def test_max_items_without_a_filter_asks_for_no_more_than_wanted(
    client: Any, service: FakeTimersService
) -> None:
    assert len(list(client.iter_runs(WEB, max_items=3, page_size=20))) == 3
    ((_, path),) = service.requests
    assert path.endswith("page_size=3")


def test_get_run_finds_a_run_on_a_later_page_and_it_is_the_run_iter_runs_gave(
    client: Any, service: FakeTimersService
) -> None:
    runs = list(client.iter_runs(FLOW, page_size=10))
    service.requests.clear()
    oldest = client.get_run(FLOW, runs[-1].id)
    assert oldest == runs[-1]
    assert len(service.requests) == 1  # one default page of 50 holds all 30
    assert client.get_run(WEB, list(client.iter_runs(WEB))[-1].id).start_time < runs[0].start_time


def test_get_run_of_an_id_in_no_page_is_not_found(client: Any) -> None:
    with pytest.raises(NotFoundError):
        client.get_run(WEB, MISSING)


# -- waiting --------------------------------------------------------------------------------------


def _trigger_through_the_runs_api(service: FakeTimersService) -> dict[str, Any]:
    reply = service.answerer.answer("POST", f"/api/v1/timers/{WEB}/run", BEARER)
    assert isinstance(reply, Reply) and reply.status == 201
    created: dict[str, Any] = reply.json()
    return created


def test_wait_for_run_follows_a_run_triggered_through_the_runs_api(
    client: Any, service: FakeTimersService
) -> None:
    created = _trigger_through_the_runs_api(service)
    newest = client.list_runs(WEB, limit=1).runs[0]
    assert newest.start_time == start_of(created) and newest.status is RunStatus.PENDING
    seen: list[RunStatus] = []
    done = client.wait_for_run(
        WEB, newest.id, timeout=60, poll_interval=0.5, on_update=lambda r: seen.append(r.status)
    )
    assert done.id == newest.id and done.is_finished
    assert seen[0] is RunStatus.PENDING and seen[-1] in (RunStatus.SUCCESS, RunStatus.FAILURE)
    assert done.status == service.get_run_json(WEB, created["id"])["status"]


def test_wait_for_run_sees_the_service_clock_moved_in_on_update(jobs_dual: Dual) -> None:
    service = FakeTimersService(tokens=[TOKEN], clock=lambda: datetime(2026, 11, 28, tzinfo=UTC))
    service.add_timer(WEB, failure_rate=0.0)
    client = jobs_dual.client(transport=service.transport())
    _trigger_through_the_runs_api(service)
    run = client.list_runs(WEB).runs[0]
    done = client.wait_for_run(WEB, run.id, timeout=60, on_update=lambda r: service.advance(1.5))
    assert done.status is RunStatus.SUCCESS and done.end_time is not None


def test_run_timer_is_unsupported_and_sends_no_request(
    client: Any, service: FakeTimersService
) -> None:
    with pytest.raises(UnsupportedOperationError):
        client.run_timer(WEB)
    with pytest.raises(UnsupportedOperationError):
        client.run_timer(WEB, wait=True)
    assert service.requests == [] and service.runs_created == 0


@pytest.mark.parametrize("from_env", [True, False])
def test_run_timer_unsupported_says_when_the_api_came_from_timers_api(
    monkeypatch: pytest.MonkeyPatch, from_env: bool
) -> None:
    monkeypatch.setenv("TIMERS_API", "jobs")
    api = None if from_env else "jobs"
    client = TimersClient(TOKEN, api=api, base_url="http://127.0.0.1:9")
    with pytest.raises(UnsupportedOperationError) as caught:
        client.run_timer(WEB)
    said = str(caught.value)
    assert said.startswith("run_timer is not available with api='jobs': the production")
    assert said.endswith("(api='jobs' is from $TIMERS_API)") is from_env
    with pytest.raises(InvalidArgumentError):  # the id is checked first, as always
        client.run_timer("not-a-uuid")


# -- errors ---------------------------------------------------------------------------------------


def test_an_unknown_timer_is_not_found_with_the_service_s_message(
    client: Any, service: FakeTimersService
) -> None:
    with pytest.raises(NotFoundError) as info:
        client.list_runs(MISSING)
    error = info.value
    assert (error.status_code, error.code) == (404, "NOT_FOUND")
    assert error.message == f"No timer with id {MISSING}." and error.request_id
    with pytest.raises(NotFoundError):
        client.get_run(MISSING, MISSING)


def test_an_injected_503_on_read_job_is_retried(
    client: Any, service: FakeTimersService, jobs_dual: Dual
) -> None:
    service.fail_next(2, status=503, operation="read_job")
    assert len(client.list_runs(WEB, limit=5)) == 5
    assert len(service.requests) == 3 and len(jobs_dual.clock.sleeps) == 2


def test_a_429_waits_as_retry_after_says_or_raises_when_it_is_too_long(
    client: Any, service: FakeTimersService, jobs_dual: Dual
) -> None:
    service.fail_next(status=429, headers={"Retry-After": "7"}, operation="read_job")
    assert len(client.list_runs(WEB, limit=5)) == 5
    assert jobs_dual.clock.sleeps == [7.0]
    service.fail_next(status=429, headers={"Retry-After": "600"}, operation="read_job")
    with pytest.raises(RateLimitError) as info:
        client.list_runs(WEB)
    assert info.value.retry_after == 600.0


def test_a_marker_the_service_did_not_issue_is_a_422_naming_results_pt(client: Any) -> None:
    with pytest.raises(UnprocessableEntityError) as info:
        client.list_runs(WEB, marker="not-a-page-next")
    assert info.value.status_code == 422
    assert [e["location"] for e in info.value.errors] == ["query.results_pt"]


def test_a_token_the_service_does_not_know_is_an_authentication_error(
    jobs_dual: Dual, service: FakeTimersService
) -> None:
    client = jobs_dual.client(transport=service.transport(), access_token="other-token")
    with pytest.raises(AuthenticationError) as info:
        client.list_runs(WEB)
    assert info.value.code == "AUTHENTICATION_ERROR"


# -- over real HTTP on loopback ---------------------------------------------------------------


def _loopback(jobs_dual: Dual) -> httpx.BaseTransport | httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport() if jobs_dual.is_async else httpx.HTTPTransport()


def test_paging_and_get_run_over_loopback_http(jobs_dual: Dual, service: FakeTimersService) -> None:
    with serve(service, api="jobs") as root:
        client = jobs_dual.client(transport=_loopback(jobs_dual), base_url=root)
        runs = list(client.iter_runs(WEB, page_size=20))
        assert len(runs) == 60 and len({run.id for run in runs}) == 60
        assert client.get_run(WEB, runs[45].id) == runs[45]
        with pytest.raises(NotFoundError):
            client.list_runs(MISSING)
    assert all(target.startswith("/jobs/") for _, target in service.requests)


def test_waiting_for_a_triggered_run_over_loopback_http(
    jobs_dual: Dual, service: FakeTimersService
) -> None:
    with serve(service, api="jobs") as root:
        httpx.post(f"{root}/api/v1/timers/{WEB}/run", headers={"Authorization": BEARER})
        client = jobs_dual.client(transport=_loopback(jobs_dual), base_url=root)
        newest: TimerRun = client.list_runs(WEB, limit=1).runs[0]
        done = client.wait_for_run(WEB, newest.id, timeout=60, poll_interval=0.5)
    assert newest.status is RunStatus.PENDING and done.is_finished


def test_a_dropped_read_job_over_loopback_is_retried(
    jobs_dual: Dual, service: FakeTimersService
) -> None:
    service.drop_next(operation="read_job")
    with serve(service, api="jobs") as root:
        client = jobs_dual.client(transport=_loopback(jobs_dual), base_url=root)
        assert len(client.list_runs(FLOW, limit=3)) == 3
    assert len(service.requests) == 2
