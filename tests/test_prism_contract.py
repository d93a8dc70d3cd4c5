"""The facade against Prism: requests that Prism finds valid, responses the facade can read.

``prism mock`` serves the spec's examples and, with ``-d``, random schema-valid bodies; it
reports any request that breaks the spec in an ``sl-violations`` header. A third tool's reading
of the spec, so client, spec and fake cannot drift apart together.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.openapi import SPEC_PATH
from support.prism import prism_mock, prism_proxy, violations_of

from timers import NotFoundError, RunPage, RunStatus, TimerRun, TimersClient
from timers.testing import FakeTimersService, serve

pytestmark = pytest.mark.slow


class Recorder:
    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def __call__(self, response: httpx.Response) -> None:
        self.responses.append(response)

    def violations(self) -> list[object]:
        return [v for r in self.responses for v in violations_of(r)]


def client_for(base_url: str) -> tuple[TimersClient, Recorder]:
    recorder = Recorder()
    http = httpx.Client(event_hooks={"response": [recorder]}, timeout=10.0)
    return TimersClient(TOKEN, base_url=base_url, http_client=http, max_retries=0), recorder


@pytest.fixture(scope="module")
def examples_mock() -> Iterator[str]:
    with prism_mock() as base_url:
        yield base_url


@pytest.fixture(scope="module")
def dynamic_mock() -> Iterator[str]:
    with prism_mock(dynamic=True) as base_url:
        yield base_url


def test_the_three_operations_send_requests_prism_finds_valid(examples_mock: str) -> None:
    client, recorder = client_for(examples_mock)
    week_ago = datetime(2026, 11, 21, tzinfo=UTC)
    assert isinstance(client.run_timer(TIMER_ID), TimerRun)
    assert isinstance(client.get_run(TIMER_ID, RUN_ID), TimerRun)
    page = client.list_runs(
        TIMER_ID,
        limit=1000,
        status=RunStatus.IN_PROGRESS,
        start_after=week_ago,
        start_before=week_ago + timedelta(days=7),
        marker="bTo5ZjJk",
    )
    assert isinstance(page, RunPage)
    assert [r.status_code for r in recorder.responses] == [201, 200, 200]
    assert recorder.violations() == []


def test_prism_does_flag_a_request_that_breaks_the_spec(examples_mock: str) -> None:
    # The check above can fail: a hand-made bad request is reported.
    response = httpx.get(
        f"{examples_mock}/timers/{TIMER_ID}/runs",
        params={"limit": 0},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert violations_of(response) != []


@pytest.mark.parametrize("attempt", range(15))
def test_random_schema_valid_bodies_from_prism_all_parse(dynamic_mock: str, attempt: int) -> None:
    client, recorder = client_for(dynamic_mock)
    run = client.get_run(TIMER_ID, RUN_ID)
    assert run.start_time.tzinfo is UTC
    page = client.list_runs(TIMER_ID, limit=5)
    assert all(isinstance(r, TimerRun) for r in page)
    created = client.run_timer(TIMER_ID)
    assert isinstance(created.status, RunStatus)
    assert recorder.violations() == []


# -- prism proxy in front of the served reference service ---------------------------------------


@pytest.fixture(scope="module")
def proxied_fake() -> Iterator[tuple[str, FakeTimersService, str]]:
    service = FakeTimersService(
        tokens=[TOKEN], seed=11, pending_seconds=0.05, in_progress_seconds=0.1
    )
    service.add_timer(TIMER_ID, callback="web")
    service.seed_history(TIMER_ID, 120, failure_rate=0.3)
    flow = service.add_timer(callback="flow", failure_rate=0.5)
    service.seed_history(flow, 40)
    with serve(service) as upstream, prism_proxy(SPEC_PATH, upstream) as proxy:
        yield proxy, service, flow


def test_a_scripted_scenario_through_prism_proxy_has_no_violation_either_way(
    proxied_fake: tuple[str, FakeTimersService, str],
) -> None:
    proxy, _, flow = proxied_fake
    client, recorder = client_for(proxy)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    # paging with every filter, both callback kinds
    failures = list(client.iter_runs(TIMER_ID, status="failure", start_after=week_ago, page_size=7))
    assert failures and all(r.status is RunStatus.FAILURE for r in failures)
    everything = list(client.iter_runs(flow, page_size=15))
    assert len(everything) == 40
    assert client.get_run(flow, everything[0].id) == everything[0]
    # trigger, then wait through pending and in_progress
    run = client.run_timer(TIMER_ID, wait=True, timeout=30, poll_interval=0.05)
    assert run.is_finished
    assert client.list_runs(TIMER_ID, limit=1).runs[0].id == run.id
    # errors mapped from the service's answers
    with pytest.raises(NotFoundError):
        client.get_run(TIMER_ID, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError):
        client.run_timer("00000000-0000-4000-8000-000000000000")
    assert len(recorder.responses) > 10
    assert recorder.violations() == []


def test_prism_proxy_does_flag_an_off_spec_answer(
    proxied_fake: tuple[str, FakeTimersService, str],
) -> None:
    proxy, service, _ = proxied_fake
    service.fail_next(status=200, body=b'{"runs": "nope"}', operation="list_timer_runs")
    response = httpx.get(
        f"{proxy}/timers/{TIMER_ID}/runs", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert violations_of(response) != []
