"""RFC 3339 date-times (timers._time): the edge cases the rest of the suite does not reach.

Datetimes compare equal across zones, so each test also checks that the zone is the
``datetime.UTC`` singleton and the offset is zero.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from support.clocks import NoOffset

from timers._time import format_datetime, parse_datetime, quick_datetime
from timers.testing._wire import parse_datetime as wire_datetime


def assert_utc(moment: datetime | None, expected: datetime) -> None:
    assert moment is not None
    assert moment == expected
    assert moment.tzinfo is UTC
    assert moment.utcoffset() == timedelta(0)


@pytest.fixture
def local_zone_far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to UTC+05:30, so that converting to "local time" by
    mistake cannot pass for converting to UTC."""
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# --- parse_datetime ---------------------------------------------------------------------------


def test_a_fraction_shorter_than_six_digits_is_read_as_a_fraction() -> None:
    assert parse_datetime("2026-11-28T12:00:00.5Z").microsecond == 500_000
    assert parse_datetime("2026-11-28T12:00:00.514Z").microsecond == 514_000


def test_a_fraction_longer_than_six_digits_is_truncated_to_microseconds() -> None:
    assert parse_datetime("2026-11-28T12:00:00.1234567Z").microsecond == 123_456


def test_a_non_utc_offset_is_converted_to_utc() -> None:
    parsed = parse_datetime("2026-11-28T13:30:00+01:30")
    assert_utc(parsed, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))


def test_a_zero_offset_comes_back_as_the_utc_singleton() -> None:
    for text in ("2026-11-28T12:00:00Z", "2026-11-28t12:00:00z", "2026-11-28 12:00:00+00:00"):
        assert_utc(parse_datetime(text), datetime(2026, 11, 28, 12, tzinfo=UTC))


def test_text_that_is_not_rfc_3339_is_refused_with_the_text_quoted() -> None:
    with pytest.raises(ValueError, match=r"^not an RFC 3339 date-time: '2026-11-28T12:00:00'$"):
        parse_datetime("2026-11-28T12:00:00")


def test_an_impossible_date_is_refused_with_the_text_quoted() -> None:
    with pytest.raises(ValueError) as caught:
        parse_datetime("2026-02-30T12:00:00Z")
    message = str(caught.value)
    assert message.startswith("not a valid RFC 3339 date-time: '2026-02-30T12:00:00Z' (")
    assert message.endswith(")")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2016-12-31T23:59:60.5Z", datetime(2017, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC)),
        ("2016-12-31T18:59:60-05:00", datetime(2017, 1, 1, tzinfo=UTC)),  # 23:59:60 UTC
        ("2015-06-30t23:59:60z", datetime(2015, 7, 1, tzinfo=UTC)),
    ],
)
def test_a_leap_second_is_read_as_the_next_second(text: str, expected: datetime) -> None:
    # RFC 3339 section 5.7; the reference service reads it the same way (_wire.parse_datetime).
    assert_utc(parse_datetime(text), expected)
    assert wire_datetime(text) == expected
    assert quick_datetime(text) is None  # the fast path leaves it to parse_datetime


@pytest.mark.parametrize(
    "text", ["2016-12-31T22:59:60Z", "2016-12-31T23:58:60Z", "2016-12-31T23:59:60+01:00"]
)
def test_a_leap_second_not_at_23_59_utc_is_refused(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_datetime(text)
    assert str(caught.value) == (
        f"not a valid RFC 3339 date-time: '{text}' (a leap second comes only at 23:59:60 UTC)"
    )
    assert wire_datetime(text) is None


def test_a_leap_second_past_the_last_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="'9999-12-31T23:59:60Z'"):
        parse_datetime("9999-12-31T23:59:60Z")


# --- quick_datetime ---------------------------------------------------------------------------


def test_quick_datetime_converts_a_non_utc_offset_to_utc(local_zone_far_from_utc: None) -> None:
    assert_utc(quick_datetime("2026-11-28T13:00:00+01:00"), datetime(2026, 11, 28, 12, tzinfo=UTC))
    assert_utc(quick_datetime("2026-11-28T07:00:00-05:00"), datetime(2026, 11, 28, 12, tzinfo=UTC))


def test_quick_datetime_returns_utc_text_as_the_utc_singleton() -> None:
    assert_utc(
        quick_datetime("2026-11-28T12:00:00.25Z"),
        datetime(2026, 11, 28, 12, 0, 0, 250_000, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T12:00:00+0100",  # offset without a colon: ISO 8601, not RFC 3339
        "20261128T120000Z",  # ISO 8601 basic format
        "2026-11-28T12:00Z",  # no seconds
        "2026-11-28T12:00:00",  # no offset
        "2026-11-28",
    ],
)
def test_quick_datetime_refuses_what_is_not_rfc_3339(text: str) -> None:
    # datetime.fromisoformat accepts all of these; the fast path must not.
    assert quick_datetime(text) is None
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_quick_datetime_refuses_what_is_not_a_str() -> None:
    assert quick_datetime(None) is None
    assert quick_datetime(1_764_331_200) is None
    assert quick_datetime(b"2026-11-28T12:00:00Z") is None


def test_quick_datetime_refuses_an_impossible_date() -> None:
    assert quick_datetime("2026-02-30T12:00:00Z") is None


# --- format_datetime --------------------------------------------------------------------------


NAIVE_MESSAGE = r"^naive datetime: give a timezone-aware datetime$"


def test_formatting_a_naive_datetime_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match=NAIVE_MESSAGE):
        format_datetime(datetime(2026, 11, 28, 12))


def test_formatting_a_datetime_whose_zone_has_no_offset_is_refused() -> None:
    with pytest.raises(ValueError, match=NAIVE_MESSAGE):
        format_datetime(datetime(2026, 11, 28, 12, tzinfo=NoOffset()))


def test_formatting_converts_to_utc_whatever_the_local_zone(local_zone_far_from_utc: None) -> None:
    plus_one = timezone(timedelta(hours=1))
    assert format_datetime(datetime(2026, 11, 28, 13, tzinfo=plus_one)) == "2026-11-28T12:00:00Z"
    assert (
        format_datetime(datetime(2026, 11, 28, 12, 0, 0, 5, tzinfo=UTC))
        == "2026-11-28T12:00:00.000005Z"
    )
