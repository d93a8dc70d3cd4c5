"""The ``api="jobs"`` facade and the reference service's jobs API against Prism.

Prism reads ``spec/globus-timers.yaml`` on its own: as a mock it checks the facade's requests
(``sl-violations``) and serves the spec's examples or random schema-valid ``JobRead`` bodies,
which the jobs dialect must parse (or refuse with a ``ResponseValidationError`` naming the
field); as a proxy in front of the served fake it checks both sides of every exchange.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.dual import TIMER_ID, TOKEN
from support.openapi import JOBS_SPEC_PATH, spec_document
from support.prism import prism_mock, prism_proxy, violations_of

from timers import (
    NotFoundError,
    ResponseValidationError,
    RunPage,
    RunStatus,
    TimerRun,
    TimersClient,
    UnprocessableEntityError,
)
from timers.testing import FakeTimersService, serve

pytestmark = pytest.mark.slow

FLOW_TIMER_ID = "87654321-4321-4321-4321-210987654321"


class Recorder:
    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def __call__(self, response: httpx.Response) -> None:
        self.responses.append(response)

    def violations(self) -> list[object]:
        return [v for r in self.responses for v in violations_of(r)]


def client_for(base_url: str, **headers: str) -> tuple[TimersClient, Recorder]:
    recorder = Recorder()
    http = httpx.Client(event_hooks={"response": [recorder]}, headers=headers, timeout=10.0)
    client = TimersClient(TOKEN, api="jobs", base_url=base_url, http_client=http, max_retries=0)
    return client, recorder


def read_job_examples() -> dict[str, Any]:
    operation = spec_document(JOBS_SPEC_PATH)["paths"]["/jobs/{job_id}"]["get"]
    examples: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"][
        "examples"
    ]
    return examples


@pytest.fixture(scope="module")
def examples_mock() -> Iterator[str]:
    with prism_mock(JOBS_SPEC_PATH) as base_url:
        yield base_url


# Prism answers every request with the same body for a given seed: one mock per seed, so
# each test below sees another body, and the same one on every run.
@pytest.fixture(scope="module", params=[f"jobs-contract-{n}" for n in range(4)])
def dynamic_mock(request: pytest.FixtureRequest) -> Iterator[str]:
    with prism_mock(JOBS_SPEC_PATH, dynamic=True, seed=request.param) as base_url:
        yield base_url


def test_the_facade_s_jobs_requests_are_valid_for_prism(examples_mock: str) -> None:
    client, recorder = client_for(examples_mock)
    page = client.list_runs(TIMER_ID, limit=1000, marker="bTo4YTdm")
    assert isinstance(page, RunPage)
    # Prism's example always has the same page_next: one page is enough (a second would repeat).
    first = next(iter(client.iter_run_pages(TIMER_ID, status="success", page_size=7)))
    assert all(isinstance(run, TimerRun) for run in first)
    assert client.get_run(TIMER_ID, page.runs[0].id) == page.runs[0]
    assert len(recorder.responses) == 3 and recorder.violations() == []
    sent = [dict(r.request.url.params) for r in recorder.responses]
    assert sent == [{"page_size": "1000", "results_pt": "bTo4YTdm"}, {"page_size": "7"}, {}]


def test_prism_flags_a_jobs_request_that_breaks_the_spec(examples_mock: str) -> None:
    response = httpx.get(
        f"{examples_mock}/jobs/{TIMER_ID}",
        params={"page_size": "many"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert violations_of(response) != []


@pytest.mark.parametrize("example", sorted(read_job_examples()))
def test_every_read_job_example_parses_with_the_jobs_dialect(
    examples_mock: str, example: str
) -> None:
    client, recorder = client_for(examples_mock, Prefer=f"example={example}")
    page = client.list_runs(TIMER_ID)
    body = read_job_examples()[example]["value"]
    assert page.total == body["n_runs"]
    assert len(page) == len(body["results"]["data"])
    assert page.next_page == body["results"].get("page_next")
    for run, result in zip(page, body["results"]["data"], strict=True):
        assert run.timer_id == body["job_id"] and run.status == result["run_status"]
        assert run.result is not None
        if "flow_id" in body:
            assert run.result.run_id == result.get("resource_id")
    assert recorder.violations() == []


def test_random_schema_valid_job_reads_parse(dynamic_mock: str) -> None:
    # Every body the spec allows must parse: a refusal would be the client and the spec
    # disagreeing (a refused body's error names the field, to say which).
    client, recorder = client_for(dynamic_mock)
    try:
        page = client.list_runs(TIMER_ID, limit=5)
    except ResponseValidationError as refused:
        pytest.fail(f"a schema-valid body was refused at {refused.path}: {refused}")
    assert all(isinstance(run, TimerRun) and run.start_time.tzinfo is UTC for run in page)
    assert all(isinstance(run.status, RunStatus) for run in page)
    assert len(recorder.responses) == 1 and recorder.violations() == []


# -- prism proxy in front of the served reference service -----------------------------------------


@pytest.fixture(scope="module")
def proxied_fake() -> Iterator[tuple[str, FakeTimersService]]:
    service = FakeTimersService(
        tokens=[TOKEN], seed=13, pending_seconds=0.05, in_progress_seconds=0.1
    )
    service.add_timer(TIMER_ID, callback="web", failure_rate=0.3)
    service.seed_history(TIMER_ID, 70, failure_rate=0.3)
    service.add_timer(FLOW_TIMER_ID, callback="flow", failure_rate=0.5)
    service.seed_history(FLOW_TIMER_ID, 30)
    with serve(service, api="jobs") as root, prism_proxy(JOBS_SPEC_PATH, root) as proxy:
        yield proxy, service


def test_a_jobs_scenario_through_prism_proxy_has_no_violation_either_way(
    proxied_fake: tuple[str, FakeTimersService],
) -> None:
    proxy, _ = proxied_fake
    client, recorder = client_for(proxy)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    failures = list(client.iter_runs(TIMER_ID, status="failure", start_after=week_ago, page_size=9))
    assert failures and all(run.status is RunStatus.FAILURE for run in failures)
    flow_runs = list(client.iter_runs(FLOW_TIMER_ID, page_size=11))
    assert len(flow_runs) == 30
    assert client.get_run(FLOW_TIMER_ID, flow_runs[-1].id) == flow_runs[-1]
    with pytest.raises(NotFoundError):
        client.list_runs("00000000-0000-4000-8000-000000000000")
    with pytest.raises(UnprocessableEntityError):
        client.list_runs(TIMER_ID, marker="not-issued")
    listed = httpx.get(f"{proxy}/jobs/", headers={"Authorization": f"Bearer {TOKEN}"})
    recorder(listed)
    assert [job["job_id"] for job in listed.json()["jobs"]] == [TIMER_ID, FLOW_TIMER_ID]
    assert len(recorder.responses) > 10
    assert recorder.violations() == []


def test_prism_proxy_does_flag_an_off_spec_jobs_answer(
    proxied_fake: tuple[str, FakeTimersService],
) -> None:
    proxy, service = proxied_fake
    service.fail_next(status=200, body=b'{"results": "nope"}', operation="read_job")
    response = httpx.get(f"{proxy}/jobs/{TIMER_ID}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert violations_of(response) != []
