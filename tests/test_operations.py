"""The three operations, sync and async: what is sent and what comes back (respx mocks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import httpx
import pytest
import respx
from support.bodies import JSON, failed_run_json, page_json, run_json
from support.dual import BASE_URL, RUN_ID, TIMER_ID, TOKEN, Dual

from timers import InvalidArgumentError, RunError, RunPage, RunResult, RunStatus, TimerRun

RUNS_URL = f"{BASE_URL}/timers/{TIMER_ID}/runs"


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(base_url=BASE_URL, assert_all_called=False)


def client_for(dual: Dual, router: respx.Router, **kwargs: object):  # type: ignore[no-untyped-def]
    return dual.client(httpx.MockTransport(router.handler), **kwargs)


def test_run_timer_posts_to_the_run_path_and_returns_the_new_run(
    dual: Dual, router: respx.Router
) -> None:
    body = run_json(status="pending", end_time=None, result=None)
    route = router.post(f"/timers/{TIMER_ID}/run").respond(201, json=body)
    run = client_for(dual, router).run_timer(TIMER_ID)
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.content == b""
    assert run == TimerRun(
        id=body["id"],
        timer_id=TIMER_ID,
        status=RunStatus.PENDING,
        start_time=datetime(2026, 11, 28, 12, tzinfo=UTC),
    )
    assert run.end_time is None and run.result is None and run.duration is None
    assert not run.is_finished


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"timeout": 5}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"on_update": print}, "on_update"),
        ({"timeout": 5, "on_update": print}, "timeout and on_update"),
    ],
)
def test_wait_settings_without_wait_are_refused_before_a_run_is_created(
    dual: Dual, router: respx.Router, arguments: dict[str, object], named: str
) -> None:
    route = router.post(f"/timers/{TIMER_ID}/run").respond(201, json=run_json())
    with pytest.raises(InvalidArgumentError) as caught:
        client_for(dual, router).run_timer(TIMER_ID, **arguments)
    assert str(caught.value) == (
        f"run_timer waits only with wait=True, so {named} cannot be used without it (it would "
        "be ignored)"
    )
    assert route.call_count == 0


def test_wait_must_be_a_bool_and_the_default_wait_settings_may_be_spelled_out(
    dual: Dual, router: respx.Router
) -> None:
    route = router.post(f"/timers/{TIMER_ID}/run").respond(201, json=run_json())
    client = client_for(dual, router)
    with pytest.raises(InvalidArgumentError, match=r"^wait must be True or False, got 'no'$"):
        client.run_timer(TIMER_ID, wait="no")
    assert route.call_count == 0
    run = client.run_timer(TIMER_ID, wait=False, timeout=600, poll_interval=2.0, on_update=None)
    assert run.id == RUN_ID and route.call_count == 1


def test_get_run_parses_every_field_of_a_failed_run(dual: Dual, router: respx.Router) -> None:
    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=failed_run_json())
    run = client_for(dual, router).get_run(TIMER_ID, RUN_ID)
    assert run.status is RunStatus.FAILURE
    assert run.is_finished
    assert run.end_time == datetime(2026, 11, 28, 12, 0, 2, 514000, tzinfo=UTC)
    assert run.duration == timedelta(seconds=2.514)
    assert run.result == RunResult(
        status="failure",
        status_code=503,
        error=RunError(
            code="CALLBACK_FAILED",
            message="The web callback answered 503 Service Unavailable.",
            detail={"url": "https://example.org/hooks/nightly", "attempts": 3},
        ),
    )
    assert run.result is not None
    assert run.result.callback_kind == "web"
    assert run.result.http_ok is False


def test_get_run_of_a_flow_callback(dual: Dual, router: respx.Router) -> None:
    flow_run = "7d9e8f6a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"
    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        200, json=run_json(result={"status": "success", "run_id": flow_run})
    )
    run = client_for(dual, router).get_run(UUID(TIMER_ID), UUID(RUN_ID))
    assert run.result is not None
    assert run.result.callback_kind == "flow"
    assert run.result.run_id == flow_run
    assert run.result.http_ok is None


def test_list_runs_sends_every_filter_in_the_documented_form(
    dual: Dual, router: respx.Router
) -> None:
    route = router.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([run_json()]))
    paris = timezone(timedelta(hours=1))
    page = client_for(dual, router).list_runs(
        TIMER_ID,
        limit=25,
        status=RunStatus.FAILURE,
        start_after=datetime(2026, 11, 21, 1, 0, tzinfo=paris),
        start_before=datetime(2026, 11, 28, 0, 0, 0, 500000, tzinfo=UTC),
        marker="bTo5ZjJk",
    )
    params = dict(route.calls.last.request.url.params)
    assert params == {
        "limit": "25",
        "status": "failure",
        "start_after": "2026-11-21T00:00:00Z",
        "start_before": "2026-11-28T00:00:00.500000Z",
        "marker": "bTo5ZjJk",
    }
    assert isinstance(page, RunPage)
    assert len(page) == 1 and page.total == 1
    assert list(page) == list(page.runs)
    assert not page.has_next_page and page.next_page is None


def test_list_runs_sends_no_query_parameters_when_none_are_given(
    dual: Dual, router: respx.Router
) -> None:
    route = router.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([]))
    page = client_for(dual, router).list_runs(TIMER_ID)
    assert route.calls.last.request.url.query == b""
    assert page == RunPage(runs=(), total=0, has_next_page=False)


def test_status_given_as_its_exact_string_is_accepted(dual: Dual, router: respx.Router) -> None:
    route = router.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([]))
    client_for(dual, router).list_runs(TIMER_ID, status="in_progress")
    assert route.calls.last.request.url.params["status"] == "in_progress"


def test_a_middle_page_carries_its_marker(dual: Dual, router: respx.Router) -> None:
    router.get(f"/timers/{TIMER_ID}/runs").respond(
        200, json=page_json([run_json()], total=3, next_page="m-2")
    )
    page = client_for(dual, router).list_runs(TIMER_ID, limit=1)
    assert page.has_next_page and page.next_page == "m-2" and page.total == 3


def test_unknown_status_parses_compares_equal_and_is_not_terminal(
    dual: Dual, router: respx.Router
) -> None:
    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run_json(status="paused"))
    run = client_for(dual, router).get_run(TIMER_ID, RUN_ID)
    assert run.status == "paused"
    assert isinstance(run.status, RunStatus)
    assert not run.status.is_known
    assert not run.status.is_terminal
    assert not run.is_finished


def test_extra_fields_from_a_newer_service_are_ignored(dual: Dual, router: respx.Router) -> None:
    body = run_json(attempt=2, labels=["x"])
    body["result"]["latency_ms"] = 12
    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=body)
    run = client_for(dual, router).get_run(TIMER_ID, RUN_ID)
    assert run.result is not None and run.result.status_code == 200


def test_times_with_offsets_come_back_as_aware_utc(dual: Dual, router: respx.Router) -> None:
    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        200,
        json=run_json(
            start_time="2026-11-28T13:00:00.123456789+01:00", end_time="2026-11-28t12:00:05z"
        ),
    )
    run = client_for(dual, router).get_run(TIMER_ID, RUN_ID)
    assert run.start_time == datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)
    assert run.start_time.tzinfo is UTC
    assert run.end_time is not None and run.end_time.tzinfo is UTC


def test_explicit_nulls_and_absent_optional_fields_both_give_none(
    dual: Dual, router: respx.Router
) -> None:
    body = run_json(
        result={"status": "failure", "status_code": None, "run_id": None, "error": None}
    )
    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=body)
    result = client_for(dual, router).get_run(TIMER_ID, RUN_ID).result
    assert result == RunResult(status="failure")
    assert result is not None and result.callback_kind is None


def test_response_json_with_a_charset_or_json_suffix_is_accepted(
    dual: Dual, router: respx.Router
) -> None:
    import json

    router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        200,
        content=json.dumps(run_json()).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert client_for(dual, router).get_run(TIMER_ID, RUN_ID).id == RUN_ID


def test_each_call_sends_the_user_agent_and_accepts_json(dual: Dual, router: respx.Router) -> None:
    route = router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
        200, json=run_json(), headers=JSON
    )
    client_for(dual, router).get_run(TIMER_ID, RUN_ID)
    assert route.calls.last.request.headers["user-agent"].startswith("timers-client/")
    assert route.calls.last.request.headers["accept"] == "application/json"
