"""Real payloads, not only our own: every timer response globus-sdk registers in
``globus_sdk.testing`` goes through the ``jobs`` client.

Each 2xx body either parses into runs or fails with ``ResponseValidationError`` naming a field
(bodies of other operations, e.g. ``create_timer``'s, are not ``JobRead``s); each error body
becomes the ``APIError`` for its status. Nothing untyped ever escapes.
"""

from __future__ import annotations

import json
import pkgutil
from datetime import UTC, datetime
from typing import Any

import globus_sdk.testing.data.timer as registered
import httpx
import pytest
from globus_sdk.testing import get_response_set

from timers import (
    APIError,
    ResponseValidationError,
    RunPage,
    ServerError,
    TimersClient,
    TimersError,
    UnprocessableEntityError,
)
from timers._dialects.jobs import parse_page

TIMER_ID = "eac24f84-ebdb-11f1-b1c3-02fc00000001"


def _registered() -> list[tuple[str, str, Any]]:
    cases = []
    for module in pkgutil.iter_modules(registered.__path__):
        if module.name.startswith("_"):
            continue
        response_set = get_response_set(f"timer.{module.name}")
        for case in response_set._data:  # every registered variant, by name
            response = response_set.lookup(case)
            cases.append((f"{module.name}.{case}", case, response))
    return cases


CASES = _registered()


def _body(response: Any) -> bytes:
    if response.json is not None:
        return json.dumps(response.json).encode()
    body = response.body
    return body.encode() if isinstance(body, str) else bytes(body or b"")


def test_every_registered_timer_module_is_covered() -> None:
    names = {name.split(".")[0] for name, _, _ in CASES}
    assert {"get_job", "list_jobs", "create_timer", "create_job", "update_job"} <= names
    assert len(CASES) >= 12


def _outcome(response: Any) -> RunPage | TimersError:
    """What ``list_runs`` gives for ``response``: a page, or the ``TimersError`` it raised
    (anything else propagates and fails the test)."""
    content = _body(response)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            response.status, content=content, headers={"content-type": "application/json"}
        )
    )
    client = TimersClient(
        "t", api="jobs", max_retries=0, http_client=httpx.Client(transport=transport)
    )
    try:
        return client.list_runs(TIMER_ID)
    except TimersError as error:
        return error


@pytest.mark.parametrize(("name", "case", "response"), CASES, ids=[c[0] for c in CASES])
def test_each_payload_parses_or_fails_with_a_typed_error(
    name: str, case: str, response: Any
) -> None:
    outcome = _outcome(response)
    if not 200 <= response.status < 300:
        assert isinstance(outcome, APIError), f"{name}: {outcome!r}"
        assert outcome.status_code == response.status
    elif isinstance(outcome, RunPage):
        assert outcome.total >= 0 and all(run.start_time.tzinfo is UTC for run in outcome)
        assert all(run.timer_id == response.json["job_id"] for run in outcome)
    else:
        assert isinstance(outcome, ResponseValidationError), f"{name}: {outcome!r}"
        assert outcome.path, f"{name}: the error names no field: {outcome}"


def test_timer_reads_parse_and_other_operations_bodies_are_refused_by_field() -> None:
    parsed = {name for name, _, response in CASES if isinstance(_outcome(response), RunPage)}
    assert {"get_job.default", "get_job.inactive_gare", "get_job.inactive_user"} <= parsed
    assert "list_jobs.default" not in parsed  # {"jobs": [...]}: not one timer


def test_the_registered_get_job_payload_maps_to_a_run() -> None:
    body = get_response_set("timer.get_job").lookup("default").json
    page = parse_page(body)
    (run,) = page.runs
    # An older result: no run_status, no start_timestamp, a ran_at without an offset.
    assert run.start_time == datetime(2022, 4, 1, 19, 30, 7, 103090, tzinfo=UTC)
    assert run.status == "unknown" and run.result is not None
    assert run.result.status_code == 202
    assert run.timer_id == body["job_id"]
    assert dict(run.extra).keys() == {"data"}


def test_the_registered_error_payloads_map_to_their_errors() -> None:
    statuses = {name: response.status for name, _, response in CASES}
    assert statuses["get_job.simple_500_error"] == 500
    assert statuses["create_job.validation_error"] == 422
    for name, cls in (
        ("get_job.simple_500_error", ServerError),
        ("create_job.validation_error", UnprocessableEntityError),
    ):
        module, case = name.split(".")
        response = get_response_set(f"timer.{module}").lookup(case)
        content = _body(response)
        transport = httpx.MockTransport(
            lambda request, content=content, status=response.status: httpx.Response(
                status, content=content, headers={"content-type": "application/json"}
            )
        )
        client = TimersClient(
            "t", api="jobs", max_retries=0, http_client=httpx.Client(transport=transport)
        )
        with pytest.raises(cls) as info:
            client.list_runs(TIMER_ID)
        assert info.value.message and "\n" not in str(info.value)
