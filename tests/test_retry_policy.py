"""RetryPolicy: a small immutable value with a documented backoff formula."""

from __future__ import annotations

import dataclasses
import email.utils

import httpx
import pytest

from timers import InvalidArgumentError, RetryPolicy, TimersClient
from timers._retry import parse_retry_after


def test_the_defaults_are_the_ones_the_readme_states() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    stated = readme.split("The defaults:\n`", 1)[1].split("`", 1)[0]
    assert RetryPolicy() == eval(stated, {"RetryPolicy": RetryPolicy})  # noqa: S307 (our README)
    assert stated == (
        "RetryPolicy(max_retries=3, backoff_base=0.5, backoff_max=8.0, max_retry_after=60.0)"
    )
    assert f"`max_retries` times (default {RetryPolicy().max_retries};" in readme


def test_policy_is_immutable_and_comparable() -> None:
    policy = RetryPolicy(max_retries=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_retries = 1  # type: ignore[misc]
    assert policy == RetryPolicy(max_retries=5) and hash(policy) == hash(RetryPolicy(max_retries=5))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"backoff_base": -0.1},
        {"backoff_max": float("inf")},
        {"max_retry_after": "60"},
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("retry", "ceiling"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (500, 8.0)]
)
def test_delay_is_exponential_capped_and_jittered_down_by_at_most_a_quarter(
    retry: int, ceiling: float
) -> None:
    policy = RetryPolicy()
    assert policy.delay_for(retry, rand=lambda: 0.0) == ceiling
    assert policy.delay_for(retry, rand=lambda: 1.0) == pytest.approx(0.75 * ceiling)


def test_max_retries_shortcut_and_retry_are_exclusive() -> None:
    assert TimersClient("t", max_retries=0).retry == RetryPolicy(max_retries=0)
    assert TimersClient("t").retry == RetryPolicy()
    policy = RetryPolicy(backoff_base=1.0)
    assert TimersClient("t", retry=policy).retry is policy
    with pytest.raises(InvalidArgumentError, match="not both"):
        TimersClient("t", max_retries=1, retry=policy)
    with pytest.raises(InvalidArgumentError, match="RetryPolicy"):
        TimersClient("t", retry={"max_retries": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("30", 30.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        (email.utils.formatdate(1_000_060, usegmt=True), 60.0),
        (email.utils.formatdate(999_000, usegmt=True), 0.0),  # a date in the past
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
        ("Thu, 01 Jan 1970 00:00:00", None),  # no zone: not an HTTP date
    ],
)
def test_retry_after_accepts_seconds_and_http_dates(
    value: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(value, now=1_000_000.0) == seconds


def test_what_is_retried_depends_on_idempotency() -> None:
    policy = RetryPolicy()
    request = httpx.Request("POST", "https://x")
    never_sent = [httpx.ConnectError("x", request=request), httpx.ConnectTimeout("x")]
    maybe_sent = [httpx.ReadTimeout("x"), httpx.ReadError("x"), httpx.RemoteProtocolError("x")]
    for exc in never_sent:
        assert policy.should_retry_exception(exc, idempotent=False)
    for exc in maybe_sent:
        assert not policy.should_retry_exception(exc, idempotent=False)
        assert policy.should_retry_exception(exc, idempotent=True)
    for status in (408, 500, 502, 503, 504):
        assert policy.should_retry_status(status, idempotent=True)
        assert not policy.should_retry_status(status, idempotent=False)
    assert policy.should_retry_status(429, idempotent=False)
    for status in (400, 401, 403, 404, 409, 422, 501):
        assert not policy.should_retry_status(status, idempotent=True)
