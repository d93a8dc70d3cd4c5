"""Argument checks (timers._args): the exact messages users read, and the boundaries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from uuid import UUID

import pytest
from support.clocks import NoOffset
from support.dual import RUN_ID, TIMER_ID

from timers import InvalidArgumentError, RunStatus, TimerRun
from timers._args import (
    MAX_MARKER_LENGTH,
    ListFilters,
    check_datetime,
    check_limit,
    check_marker,
    check_positive_number,
    check_status,
    check_time_window,
    check_uuid,
)
from timers._redact import quote


def message_of(call: object, *args: object, **kwargs: object) -> str:
    assert callable(call)
    with pytest.raises(InvalidArgumentError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


@pytest.fixture
def local_zone_east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to UTC+05:30."""
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_an_id_of_the_wrong_type_is_refused_naming_its_type() -> None:
    assert (
        message_of(check_uuid, "run_id", 42) == "run_id must be a UUID (str or uuid.UUID), got int"
    )


def test_a_limit_of_the_wrong_type_is_refused_quoting_it() -> None:
    assert message_of(check_limit, "limit", "10") == "limit must be an int from 1 to 1000, got '10'"


def test_an_unknown_status_is_refused_quoting_it() -> None:
    for status in ("done", "FAILURE", RunStatus("FAILED"), 5, ""):
        message = message_of(check_status, status)
        assert message.startswith("status must be one of 'pending', 'in_progress', ")
        assert message.endswith(
            " (a str or a RunStatus; with api='runs', other statuses cannot be filtered on), "
            f"got {quote(status)}"
        )


def test_where_the_client_filters_any_status_string_is_read_as_the_jobs_api_reads_it() -> None:
    assert check_status("FAILURE", any_status=True) is RunStatus.FAILURE
    assert check_status("failure", any_status=True) is RunStatus.FAILURE
    assert check_status(RunStatus.PENDING, any_status=True) is RunStatus.PENDING
    assert check_status(None, any_status=True) is None
    failed = check_status("FAILED", any_status=True)
    assert failed == "FAILED" and isinstance(failed, RunStatus) and not failed.is_known
    assert check_status("IN PROGRESS", any_status=True) == "IN PROGRESS"  # spaces inside
    for status in ("", 5, b"failure", " ", "FAILED\n"):
        assert message_of(check_status, status, any_status=True) == (
            "status must be a non-empty str without spaces around it, or a RunStatus (with "
            f"api='jobs', any status the service reports), got {quote(status)}"
        )


def test_a_filter_on_a_status_the_spec_does_not_list_matches_it_in_any_case() -> None:
    start = datetime(2026, 11, 28, tzinfo=UTC)

    def run(status: str) -> TimerRun:
        return TimerRun(RUN_ID, TIMER_ID, status, start)

    cancelled = ListFilters(UUID(TIMER_ID), status=RunStatus("cancelled"))
    assert cancelled.matches(run("CANCELLED")) and cancelled.matches(run("cancelled"))
    assert not cancelled.matches(run("CANCELLED!")) and not cancelled.matches(run("success"))
    # A listed status is matched as the jobs API reads run_status: "FAILURE" is FAILURE.
    failure = ListFilters(UUID(TIMER_ID), status=RunStatus.FAILURE)
    assert failure.matches(run("failure")) and not failure.matches(run("FAILED"))


def test_a_bound_that_is_not_a_datetime_is_refused_naming_its_type() -> None:
    assert (
        message_of(check_datetime, "start_after", "2026-11-28")
        == "start_after must be a timezone-aware datetime, got str"
    )


def test_a_datetime_whose_zone_has_no_offset_is_refused_as_naive() -> None:
    message = message_of(check_datetime, "start_after", datetime(2026, 11, 28, tzinfo=NoOffset()))
    assert message.startswith("start_after must be timezone-aware")


def test_a_utc_bound_near_the_end_of_time_is_accepted_whatever_the_local_zone(
    local_zone_east_of_utc: None,
) -> None:
    # In UTC+05:30 local time this would be in the year 10000: only UTC matters.
    late = datetime(9999, 12, 31, 23, tzinfo=UTC)
    assert check_datetime("start_before", late) is late


def test_each_bound_of_a_time_window_is_named_in_its_error() -> None:
    assert message_of(check_time_window, "x", None).startswith("start_after must be ")
    assert message_of(check_time_window, None, "x").startswith("start_before must be ")


def test_a_marker_that_is_not_a_string_is_refused_quoting_it() -> None:
    assert (
        message_of(check_marker, 7)
        == "marker must be a non-empty string from a page's next_page, got 7"
    )


def test_a_marker_of_exactly_the_maximum_length_is_accepted() -> None:
    longest = "m" * MAX_MARKER_LENGTH
    assert check_marker(longest) == longest
    assert message_of(check_marker, longest + "m").startswith(
        f"marker is {MAX_MARKER_LENGTH + 1} characters long; "
    )


def test_a_marker_that_is_not_valid_text_is_refused_quoting_it() -> None:
    assert message_of(check_marker, "ab\udc80") == r"marker is not valid text: 'ab\udc80'"


def test_a_number_that_is_not_finite_is_refused_quoting_it() -> None:
    assert (
        message_of(check_positive_number, "poll_interval", "1")
        == "poll_interval must be a finite number, got '1'"
    )


@pytest.mark.parametrize("value", [10**400, -(10**400)], ids=["1e400", "-1e400"])
def test_an_int_too_large_for_a_float_is_not_a_finite_number(value: int) -> None:
    assert message_of(check_positive_number, "poll_interval", value) == (
        f"poll_interval must be a finite number, got {repr(value)[:77]}..."
    )


def test_the_largest_float_is_a_finite_number() -> None:
    assert check_positive_number("poll_interval", 1.7976931348623157e308) == 1.7976931348623157e308
    assert check_positive_number("poll_interval", 10**308) == 1e308


def test_a_limit_too_long_to_print_is_refused_without_printing_it() -> None:
    assert message_of(check_limit, "limit", 10**5000) == (
        "limit must be from 1 to 1000, got <int that cannot be shown>"
    )


def test_a_number_that_must_be_positive_says_so() -> None:
    assert (
        message_of(check_positive_number, "poll_interval", 0) == "poll_interval must be > 0, got 0"
    )
    assert (
        message_of(check_positive_number, "poll_interval", -1.5)
        == "poll_interval must be > 0, got -1.5"
    )


def test_a_number_that_may_be_zero_says_so() -> None:
    assert check_positive_number("timeout", 0, allow_zero=True) == 0.0
    assert (
        message_of(check_positive_number, "timeout", -2, allow_zero=True)
        == "timeout must be >= 0, got -2"
    )


class OffsetOf(tzinfo):
    """A time zone whose ``utcoffset`` is ``offset`` (as a caller's own tzinfo might be)."""

    def __init__(self, offset: object) -> None:
        self.offset = offset

    def utcoffset(self, dt: datetime | None) -> Any:
        return self.offset


def test_a_time_zone_whose_offset_is_out_of_range_is_refused_by_name() -> None:
    moment = datetime(2026, 11, 1, tzinfo=OffsetOf(timedelta(hours=25)))
    assert message_of(check_datetime, "start_after", moment).startswith(
        "start_after has a time zone whose utcoffset() fails: offset must be a timedelta"
    )


def test_a_time_zone_whose_offset_is_not_a_timedelta_is_refused_by_name() -> None:
    moment = datetime(2026, 11, 1, tzinfo=OffsetOf("+01:00"))
    assert message_of(check_datetime, "start_before", moment) == (
        "start_before has a time zone whose utcoffset() fails: tzinfo.utcoffset() must return "
        "None or timedelta, not 'str'"
    )


@pytest.mark.parametrize(
    ("given", "shown"),
    [(TIMER_ID + "\r", f"'{TIMER_ID}\\r'"), (" " + TIMER_ID, f"' {TIMER_ID}'")],
)
def test_a_uuid_with_a_stray_character_shows_it_in_the_error(given: str, shown: str) -> None:
    # A line from a CRLF file, a copy-paste with a space: the message must not look valid.
    assert message_of(check_uuid, "timer_id", given) == (
        f"timer_id must be a UUID like '12345678-1234-1234-1234-123456789012', got {shown}"
    )
