"""The reference service behaves as the spec says (raw httpx, so the client is not involved)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.openapi import validating

from timers.testing import FakeTimersService

TOKEN = "test-token"
TIMER = "12345678-1234-1234-1234-123456789012"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def service() -> FakeTimersService:
    service = FakeTimersService(tokens=[TOKEN], clock=Clock(), seed=42)
    service.add_timer(TIMER, callback="web")
    return service


@pytest.fixture
def http(service: FakeTimersService) -> Iterator[httpx.Client]:
    # Every answer is checked against the spec too.
    with httpx.Client(
        transport=validating(service.transport(), validate_requests=False),
        base_url="https://timer.automate.globus.org/api/v1",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        yield client


def runs_of(http: httpx.Client, **params: Any) -> dict[str, Any]:
    response = http.get(f"/timers/{TIMER}/runs", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def all_pages(http: httpx.Client, **params: Any) -> list[str]:
    ids: list[str] = []
    marker = None
    for _ in range(10_000):
        page = runs_of(http, **params, **({"marker": marker} if marker else {}))
        ids += [r["id"] for r in page["runs"]]
        if not page["has_next_page"]:
            assert page["next_page"] is None
            return ids
        marker = page["next_page"]
    raise AssertionError("paging did not end")


# -- auth and routing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic dGVzdA=="},
        {"Authorization": "Bearer "},
    ],
)
def test_missing_or_unknown_tokens_get_401(
    service: FakeTimersService, headers: dict[str, str]
) -> None:
    with httpx.Client(transport=validating(service.transport(), validate_requests=False)) as raw:
        response = raw.post(f"https://x/api/v1/timers/{TIMER}/run", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_ERROR"
    assert service.runs_created == 0


def test_tokens_can_be_added(service: FakeTimersService) -> None:
    service.add_token("second")
    with httpx.Client(transport=service.transport()) as raw:
        response = raw.get(
            f"https://x/api/v1/timers/{TIMER}/runs", headers={"Authorization": "Bearer second"}
        )
    assert response.status_code == 200


def test_unknown_timer_and_run_get_404(http: httpx.Client) -> None:
    other = "00000000-0000-4000-8000-000000000000"
    for response in (
        http.post(f"/timers/{other}/run"),
        http.get(f"/timers/{other}/runs"),
        http.get(f"/timers/{TIMER}/runs/{other}"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
        assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("bad", ["not-a-uuid", "1234", "12345678-1234-1234-1234-12345678901Z"])
def test_ids_that_are_not_uuids_get_422_naming_the_parameter(http: httpx.Client, bad: str) -> None:
    response = http.get(f"/timers/{bad}/runs")
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "path.timer_id"
    response = http.get(f"/timers/{TIMER}/runs/{bad}")
    assert response.json()["errors"][0]["location"] == "path.run_id"


def test_other_methods_get_405_with_allow(service: FakeTimersService) -> None:
    with httpx.Client(transport=service.transport()) as raw:
        response = raw.delete(f"https://x/api/v1/timers/{TIMER}/runs")
        assert response.status_code == 405 and response.headers["allow"] == "GET"
        response = raw.get(f"https://x/api/v1/timers/{TIMER}/run")
        assert response.status_code == 405 and response.headers["allow"] == "POST"


# -- listing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "done"}, "status"),
        ({"start_after": "yesterday"}, "start_after"),
        ({"start_before": "2026-11-28T12:00:00"}, "start_before"),
        ({"marker": "not-ours"}, "marker"),
        ([("limit", "1"), ("limit", "2")], "limit"),
    ],
)
def test_invalid_query_parameters_get_400_naming_them(
    http: httpx.Client, params: Any, name: str
) -> None:
    response = http.get(f"/timers/{TIMER}/runs", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["location"] == f"query.{name}"


def test_runs_are_newest_first_and_total_counts_every_match(
    service: FakeTimersService, http: httpx.Client
) -> None:
    service.seed_history(TIMER, 30, end=START, interval=timedelta(minutes=10), failure_rate=0.3)
    page = runs_of(http, limit=10)
    starts = [r["start_time"] for r in page["runs"]]
    assert starts == sorted(starts, reverse=True)
    assert page["total"] == 30 and len(page["runs"]) == 10 and page["has_next_page"]


def test_default_page_size_is_50(service: FakeTimersService, http: httpx.Client) -> None:
    service.seed_history(TIMER, 60, end=START)
    assert len(runs_of(http)["runs"]) == 50


@pytest.mark.parametrize("limit", [1, 3, 7, 30, 1000])
def test_paging_yields_every_run_exactly_once(
    service: FakeTimersService, http: httpx.Client, limit: int
) -> None:
    service.seed_history(TIMER, 30, end=START, interval=timedelta(minutes=10))
    assert sorted(all_pages(http, limit=limit)) == sorted(
        r["id"] for r in runs_of(http, limit=30)["runs"]
    )
    assert len(all_pages(http, limit=limit)) == 30


def test_filters_by_status_and_start_time(service: FakeTimersService, http: httpx.Client) -> None:
    service.seed_history(TIMER, 48, end=START, interval=timedelta(hours=1), failure_rate=0.5)
    everything = runs_of(http, limit=1000)["runs"]
    failures = runs_of(http, status="failure", limit=1000)
    assert failures["total"] == sum(r["status"] == "failure" for r in everything) > 0
    assert all(r["status"] == "failure" for r in failures["runs"])
    after, before = START - timedelta(hours=24), START - timedelta(hours=12)
    window = runs_of(
        http, start_after=after.isoformat(), start_before=before.isoformat(), limit=1000
    )
    expected = [
        r["id"] for r in everything
        if after < datetime.fromisoformat(r["start_time"].replace("Z", "+00:00")) < before
    ]  # fmt: skip
    assert [r["id"] for r in window["runs"]] == expected
    assert window["total"] == len(expected)
    assert all_pages(http, status="failure", limit=4) == [r["id"] for r in failures["runs"]]


def test_markers_are_stable_while_runs_are_triggered(
    service: FakeTimersService, http: httpx.Client
) -> None:
    service.seed_history(TIMER, 20, end=START, interval=timedelta(minutes=5))
    before = [r["id"] for r in runs_of(http, limit=100)["runs"]]
    first = runs_of(http, limit=5)
    seen = [r["id"] for r in first["runs"]]
    marker = first["next_page"]
    while marker:
        http.post(f"/timers/{TIMER}/run")  # a new, newest run between two pages
        page = runs_of(http, limit=5, marker=marker)
        seen += [r["id"] for r in page["runs"]]
        marker = page["next_page"]
    assert seen == before


# -- runs and their life cycle ---------------------------------------------------------------


def test_a_triggered_run_goes_pending_in_progress_then_finishes(
    http: httpx.Client,
) -> None:
    service = FakeTimersService(
        tokens=[TOKEN], clock=Clock(), pending_seconds=1, in_progress_seconds=2
    )
    service.add_timer(TIMER)
    with httpx.Client(transport=validating(service.transport())) as raw:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        created = raw.post(f"https://x/api/v1/timers/{TIMER}/run", headers=auth)
        assert created.status_code == 201
        run = created.json()
        assert run["status"] == "pending" and "end_time" not in run and "result" not in run
        url = f"https://x/api/v1/timers/{TIMER}/runs/{run['id']}"
        service.advance(1.5)
        assert raw.get(url, headers=auth).json()["status"] == "in_progress"
        service.advance(2)
        done = raw.get(url, headers=auth).json()
    assert done["status"] == "success"
    assert done["result"]["status_code"] in (200, 201, 204)
    assert done["end_time"] == "2026-11-28T12:00:03Z"
    assert service.runs_created == 1


def test_failure_rate_and_flow_callbacks_shape_results() -> None:
    service = FakeTimersService(tokens=[TOKEN], clock=Clock(), seed=1)
    timer = service.add_timer(callback="flow", failure_rate=1.0)
    with httpx.Client(transport=service.transport()) as raw:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        run = raw.post(f"https://x/api/v1/timers/{timer}/run", headers=auth).json()
        service.advance(10)
        done = raw.get(f"https://x/api/v1/timers/{timer}/runs/{run['id']}", headers=auth).json()
    assert done["status"] == "failure"
    assert done["result"]["error"]["code"] == "FLOW_START_FAILED"
    assert service.get_run_json(timer, run["id"]) == done


def test_seed_history_is_realistic_and_reproducible() -> None:
    def seeded(callback: str) -> list[dict[str, Any]]:
        service = FakeTimersService(tokens=[TOKEN], clock=Clock(), seed=9)
        timer = service.add_timer(TIMER, callback=callback)  # type: ignore[arg-type]
        service.seed_history(timer, 200, failure_rate=0.25)
        with httpx.Client(transport=validating(service.transport())) as raw:
            return raw.get(
                f"https://x/api/v1/timers/{timer}/runs",
                params={"limit": 1000},
                headers={"Authorization": f"Bearer {TOKEN}"},
            ).json()["runs"]

    web = seeded("web")
    assert web == seeded("web")
    statuses = {r["status"] for r in web}
    assert statuses == {"success", "failure"}
    assert 20 < sum(r["status"] == "failure" for r in web) < 80
    assert all(r["result"]["error"]["message"] for r in web if r["status"] == "failure")
    assert any("status_code" in r["result"] for r in web)
    flow = seeded("flow")
    assert all("run_id" in r["result"] for r in flow if r["status"] == "success")
    assert all(r["end_time"] > r["start_time"] for r in web)


def test_add_run_keeps_any_status_and_result(
    service: FakeTimersService, http: httpx.Client
) -> None:
    wire = service.add_run(TIMER, status="paused", start_time=START)
    assert wire["status"] == "paused" and "result" not in wire
    assert http.get(f"/timers/{TIMER}/runs/{wire['id']}").json() == wire


# -- faults ----------------------------------------------------------------------------------


def test_fail_next_answers_with_the_given_fault_then_recovers(
    service: FakeTimersService,
) -> None:
    service.fail_next(2, status=429, headers={"Retry-After": "3"}, operation="run_timer")
    with httpx.Client(transport=service.transport()) as raw:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert raw.get(f"https://x/api/v1/timers/{TIMER}/runs", headers=auth).status_code == 200
        for _ in range(2):
            response = raw.post(f"https://x/api/v1/timers/{TIMER}/run", headers=auth)
            assert response.status_code == 429 and response.headers["retry-after"] == "3"
        assert service.runs_created == 0
        assert raw.post(f"https://x/api/v1/timers/{TIMER}/run", headers=auth).status_code == 201
    assert service.runs_created == 1


def test_fail_next_with_a_custom_body(service: FakeTimersService) -> None:
    service.fail_next(
        status=502, body="<html>bad gateway</html>", headers={"content-type": "text/html"}
    )
    with httpx.Client(transport=service.transport()) as raw:
        response = raw.get(f"https://x/api/v1/timers/{TIMER}/runs")
    assert response.status_code == 502 and response.text == "<html>bad gateway</html>"
    assert response.headers["content-type"] == "text/html"


@pytest.mark.parametrize("after_processing", [False, True])
def test_drop_next_breaks_the_connection(
    service: FakeTimersService, after_processing: bool
) -> None:
    service.drop_next(operation="run_timer", after_processing=after_processing)
    with (
        httpx.Client(transport=service.transport()) as raw,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        raw.post(
            f"https://x/api/v1/timers/{TIMER}/run", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert service.runs_created == (1 if after_processing else 0)


def test_latency_uses_the_injected_sleep() -> None:
    slept: list[float] = []
    service = FakeTimersService(tokens=[TOKEN], sleep=slept.append)
    service.latency = 0.02
    with httpx.Client(transport=service.transport()) as raw:
        raw.get("https://x/api/v1/timers/nope/runs")
    assert slept == [0.02]


def test_reset_forgets_state_but_keeps_tokens(
    service: FakeTimersService, http: httpx.Client
) -> None:
    http.post(f"/timers/{TIMER}/run")
    service.fail_next(5)
    service.reset()
    assert service.runs_created == 0 and service.requests == []
    assert http.get(f"/timers/{TIMER}/runs").status_code == 404  # the timer is gone
    service.add_timer(TIMER)
    assert http.get(f"/timers/{TIMER}/runs").status_code == 200  # and no fault is left


def test_requests_are_recorded(service: FakeTimersService, http: httpx.Client) -> None:
    http.get(f"/timers/{TIMER}/runs", params={"limit": 5})
    assert service.requests == [("GET", f"/api/v1/timers/{TIMER}/runs?limit=5")]


# -- the other ways in ------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_transport_serves_async_clients(service: FakeTimersService) -> None:
    async with httpx.AsyncClient(transport=service.transport()) as raw:
        response = await raw.get(
            f"https://x/api/v1/timers/{TIMER}/runs", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 200 and json.loads(response.content)["total"] == 0


def test_respx_mock_routes_the_default_base_url(service: FakeTimersService) -> None:
    from timers import TimersClient

    with service.mock():
        client = TimersClient(TOKEN)
        run = client.run_timer(TIMER)
        assert client.get_run(TIMER, run.id).id == run.id


def test_helpers_refuse_bad_input(service: FakeTimersService) -> None:
    with pytest.raises(ValueError, match="UUID"):
        service.add_timer("nope")
    with pytest.raises(ValueError, match="already exists"):
        service.add_timer(TIMER)
    with pytest.raises(ValueError, match="callback"):
        service.add_timer(callback="email")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="operation"):
        service.fail_next(operation="delete_timer")
    with pytest.raises(KeyError, match="add_timer"):
        service.seed_history("00000000-0000-4000-8000-000000000000", 3)
