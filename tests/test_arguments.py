"""Bad arguments are refused before any request is sent, with a message saying what is valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from support.dual import RUN_ID, TIMER_ID, Dual

from timers import InvalidArgumentError, NotFoundError, RunStatus

UNSAFE_IDS = [
    "../admin",
    "%2e%2e",
    "..%2f..%2fadmin",
    "a/b",
    "x?y=1",
    "x#y",
    "12345678-1234-1234-1234-12345678901 ",
    " 12345678-1234-1234-1234-123456789012",
    "12345678-1234-1234-1234-123456789012\n",
    "12345678-1234-1234-1234-1234567890\r\n",
    "with space",
    "",
    "{12345678-1234-1234-1234-123456789012}",
    "urn:uuid:12345678-1234-1234-1234-123456789012",
    "12345678123412341234123456789012",
    "12345678-1234-1234-1234-12345678901g",
]


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(500)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def refused(dual: Dual, recorder: Recorder, call: str, *args: Any, **kwargs: Any) -> str:
    client = dual.client(handler=recorder, validate=False)
    with pytest.raises(InvalidArgumentError) as info:  # noqa: PT012 - iterators raise on call
        result = getattr(client, call)(*args, **kwargs)
        if call.startswith("iter_"):
            next(iter(result))
    assert recorder.requests == [], "a request was sent despite the bad argument"
    assert isinstance(info.value, ValueError)
    return str(info.value)


@pytest.mark.parametrize("bad", UNSAFE_IDS)
def test_ids_that_are_not_uuids_never_reach_the_path(
    dual: Dual, recorder: Recorder, bad: str
) -> None:
    assert "must be a UUID" in refused(dual, recorder, "run_timer", bad)
    assert "run_id must be a UUID" in refused(dual, recorder, "get_run", TIMER_ID, bad)
    assert "timer_id must be a UUID" in refused(dual, recorder, "list_runs", bad)
    assert "timer_id" in refused(dual, recorder, "wait_for_run", bad, RUN_ID)
    assert "timer_id" in refused(dual, recorder, "iter_runs", bad)


@pytest.mark.parametrize("bad", [None, 123, 1.5, b"12345678-1234-1234-1234-123456789012"])
def test_ids_of_the_wrong_type_are_refused(dual: Dual, recorder: Recorder, bad: object) -> None:
    assert "must be a UUID (str or uuid.UUID)" in refused(dual, recorder, "get_run", bad, RUN_ID)


def test_upper_case_uuids_are_accepted_and_sent_canonical(dual: Dual) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(404, json={"code": "NOT_FOUND", "message": "no"})

    client = dual.client(handler=handler, validate=False)
    with pytest.raises(NotFoundError):  # the id was sent, and the answer read
        client.get_run(TIMER_ID.upper(), RUN_ID.upper())
    assert seen == [f"/api/v1/timers/{TIMER_ID}/runs/{RUN_ID}"]


@pytest.mark.parametrize("limit", [0, -1, 1001, 10**9, 1.0, "10", True])
def test_limit_outside_1_to_1000_is_refused(dual: Dual, recorder: Recorder, limit: object) -> None:
    message = refused(dual, recorder, "list_runs", TIMER_ID, limit=limit)
    assert "limit must be" in message and "1000" in message


@pytest.mark.parametrize("page_size", [0, 1001, "5"])
def test_page_size_is_checked_like_limit(dual: Dual, recorder: Recorder, page_size: object) -> None:
    assert "page_size" in refused(dual, recorder, "iter_runs", TIMER_ID, page_size=page_size)


@pytest.mark.parametrize("max_items", [-1, 1.5, "3"])
def test_max_items_must_be_a_non_negative_int(
    dual: Dual, recorder: Recorder, max_items: object
) -> None:
    assert "max_items" in refused(dual, recorder, "iter_run_pages", TIMER_ID, max_items=max_items)


@pytest.mark.parametrize("status", ["done", "SUCCESS", "Success", "", 1, RunStatus("paused")])
def test_status_filter_must_be_a_known_status(
    dual: Dual, recorder: Recorder, status: object
) -> None:
    message = refused(dual, recorder, "list_runs", TIMER_ID, status=status)
    assert "'pending', 'in_progress', 'success', 'failure'" in message


def test_naive_datetimes_are_refused_rather_than_guessed(dual: Dual, recorder: Recorder) -> None:
    naive = datetime(2026, 11, 1, 12, 0)
    message = refused(dual, recorder, "list_runs", TIMER_ID, start_after=naive)
    assert "timezone-aware" in message and "naive" in message
    assert "start_before" in refused(dual, recorder, "list_runs", TIMER_ID, start_before=naive)
    assert "start_after" in refused(dual, recorder, "iter_runs", TIMER_ID, start_after=naive)


@pytest.mark.parametrize("value", ["2026-11-01T00:00:00Z", 1700000000, datetime.now(UTC).date()])
def test_time_filters_must_be_datetimes(dual: Dual, recorder: Recorder, value: object) -> None:
    assert "datetime" in refused(dual, recorder, "list_runs", TIMER_ID, start_after=value)


def test_start_after_must_be_before_start_before(dual: Dual, recorder: Recorder) -> None:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    message = refused(dual, recorder, "list_runs", TIMER_ID, start_after=now, start_before=now)
    assert message == (
        "start_after (2026-11-28T00:00:00Z) must be earlier than start_before "
        "(2026-11-28T00:00:00Z)"
    )
    # Each bound in UTC, as compared: 05:00+05:30 is 23:30 the day before, before 00:00Z.
    india = timezone(timedelta(hours=5, minutes=30))
    after = datetime(2026, 11, 28, 5, 0, tzinfo=india)
    message = refused(dual, recorder, "list_runs", TIMER_ID, start_after=now, start_before=after)
    assert message == (
        "start_after (2026-11-28T00:00:00Z) must be earlier than start_before "
        "(2026-11-27T23:30:00Z)"
    )
    later = now + timedelta(seconds=1)
    refused(dual, recorder, "iter_runs", TIMER_ID, start_after=later, start_before=now)


@pytest.mark.parametrize("marker", ["", 5, b"abc", "ab\ud800c"])
def test_marker_must_be_a_non_empty_string(dual: Dual, recorder: Recorder, marker: object) -> None:
    assert "marker" in refused(dual, recorder, "list_runs", TIMER_ID, marker=marker)
    assert "marker" in refused(dual, recorder, "iter_run_pages", TIMER_ID, marker=marker)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": "2"}, "poll_interval"),
    ],
)
def test_wait_arguments_are_checked(
    dual: Dual, recorder: Recorder, kwargs: dict[str, object], name: str
) -> None:
    assert name in refused(dual, recorder, "wait_for_run", TIMER_ID, RUN_ID, **kwargs)
    assert name in refused(dual, recorder, "run_timer", TIMER_ID, wait=True, **kwargs)


def test_paging_arguments_are_checked_when_called_not_when_iterated(dual: Dual) -> None:
    client = dual.client(handler=Recorder(), validate=False)
    with pytest.raises(InvalidArgumentError):
        client.iter_runs(TIMER_ID, page_size=0)
