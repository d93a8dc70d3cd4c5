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
from support.prism import prism_mock, violations_of

from timers import RunPage, RunStatus, TimerRun, TimersClient

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
