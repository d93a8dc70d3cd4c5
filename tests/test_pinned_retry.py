"""Retry decisions (timers._retry): the policy's bounds and formula, what is retried, the
deadline, the retry log line, and the connection errors' messages."""

from __future__ import annotations

import logging
import math
import ssl

import httpx
import pytest

from timers import APIConnectionError, APITimeoutError, InvalidArgumentError, RetryPolicy
from timers._errors import OUTCOME_UNKNOWN_NOTE
from timers._retry import (
    MAX_SECONDS,
    Attempts,
    connection_error,
    parse_retry_after,
    tls_failure,
    was_sent,
)

URL = "https://example.org:8443/api/v1/timers/t/runs?limit=5"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def request(method: str = "GET", url: str = URL) -> httpx.Request:
    return httpx.Request(method, url)


def answer(
    status: int, headers: dict[str, str] | None = None, method: str = "GET"
) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=request(method))


# --- the policy -------------------------------------------------------------------------------


def test_the_default_policy() -> None:
    policy = RetryPolicy()
    assert (
        policy.max_retries,
        policy.backoff_base,
        policy.backoff_max,
        policy.max_retry_after,
    ) == (
        3,
        0.5,
        8.0,
        60.0,
    )


@pytest.mark.parametrize("value", [-1, True, 1.0, "3", None])
def test_max_retries_must_be_an_int_from_0(value: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        RetryPolicy(max_retries=value)  # type: ignore[arg-type]
    assert str(caught.value) == f"max_retries must be an int >= 0, got {value!r}"


def test_a_value_too_long_to_print_is_refused_without_printing_it() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        RetryPolicy(max_retries=-(10**5000))
    assert str(caught.value) == "max_retries must be an int >= 0, got <int that cannot be shown>"
    with pytest.raises(InvalidArgumentError) as caught:
        RetryPolicy(backoff_max=10**5000)
    assert str(caught.value).endswith("got <int that cannot be shown>")


def test_max_retries_may_be_0() -> None:
    assert RetryPolicy(max_retries=0).max_retries == 0


@pytest.mark.parametrize("name", ["backoff_base", "backoff_max", "max_retry_after"])
@pytest.mark.parametrize(
    "value",
    [-0.001, MAX_SECONDS + 0.001, math.inf, math.nan, True, "1", 10**400, -(10**400)],
    ids=lambda value: repr(value)[:12],
)
def test_each_duration_must_be_seconds_from_0_to_a_day(name: str, value: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        RetryPolicy(**{name: value})  # type: ignore[arg-type]
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    assert str(caught.value) == f"{name} must be a number of seconds from 0 to 86400, got {shown}"


@pytest.mark.parametrize("name", ["backoff_base", "backoff_max", "max_retry_after"])
@pytest.mark.parametrize("value", [0, 0.0, MAX_SECONDS, 86_400])
def test_each_duration_may_be_0_or_a_whole_day(name: str, value: float) -> None:
    assert getattr(RetryPolicy(**{name: value}), name) == value


def test_the_backoff_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=8.0)
    delays = [policy.delay_for(n, rand=lambda: 0.0) for n in range(7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_the_jitter_scales_the_backoff_by_0_75_to_1() -> None:
    policy = RetryPolicy(backoff_base=2.0, backoff_max=100.0)
    assert policy.delay_for(1, rand=lambda: 1.0) == 3.0
    assert policy.delay_for(1, rand=lambda: 0.5) == 3.5
    assert 3.0 <= policy.delay_for(1) <= 4.0


def test_the_exponent_stops_growing_after_62_retries() -> None:
    policy = RetryPolicy(backoff_base=1e-20, backoff_max=MAX_SECONDS)
    assert policy.delay_for(62, rand=lambda: 0.0) == 1e-20 * 2.0**62
    assert policy.delay_for(10_000, rand=lambda: 0.0) == 1e-20 * 2.0**62


# --- what is retried --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("x"), httpx.ConnectTimeout("x"), httpx.PoolTimeout("x")]
)
def test_a_request_never_sent_is_retried_even_when_not_idempotent(exc: httpx.HTTPError) -> None:
    policy = RetryPolicy()
    assert policy.should_retry_exception(exc, idempotent=False)
    assert policy.should_retry_exception(exc, idempotent=True)
    assert not was_sent(exc)


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("x"), httpx.ReadError("x"), httpx.RemoteProtocolError("x")]
)
def test_a_request_that_may_have_been_sent_is_retried_only_when_idempotent(
    exc: httpx.HTTPError,
) -> None:
    policy = RetryPolicy()
    assert policy.should_retry_exception(exc, idempotent=True)
    assert not policy.should_retry_exception(exc, idempotent=False)
    assert was_sent(exc)


def test_a_request_httpx_refused_to_send_is_never_retried() -> None:
    exc = httpx.LocalProtocolError("x")
    assert not RetryPolicy().should_retry_exception(exc, idempotent=True)
    assert not was_sent(exc)


def test_an_error_that_is_not_a_transport_error_is_not_retried() -> None:
    exc = httpx.TooManyRedirects("x")
    assert not RetryPolicy().should_retry_exception(exc, idempotent=True)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_the_retryable_statuses_are_retried_for_reads(status: int) -> None:
    assert RetryPolicy().should_retry_status(status, idempotent=True)


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 501, 505])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert not RetryPolicy().should_retry_status(status, idempotent=True)


def test_only_429_is_retried_when_not_idempotent() -> None:
    policy = RetryPolicy()
    assert policy.should_retry_status(429, idempotent=False)
    for status in (408, 500, 502, 503, 504):
        assert not policy.should_retry_status(status, idempotent=False)


# --- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        (None, 0.0, None),
        ("", 0.0, None),
        ("   ", 0.0, None),
        ("30", 0.0, 30.0),
        (" 1.5 ", 0.0, 1.5),
        ("0", 0.0, 0.0),
        ("-1", 0.0, None),
        ("inf", 0.0, None),
        ("nan", 0.0, None),
        ("soon", 0.0, None),
        ("Thu, 01 Jan 1970 00:01:00 GMT", 0.0, 60.0),
        ("Thu, 01 Jan 1970 00:01:00 GMT", 45.0, 15.0),
        ("Thu, 01 Jan 1970 00:01:00 -0000", 0.0, None),  # no zone: a guess
        ("Thu, 99 Foo 1970 00:01:00 GMT", 0.0, None),
        ("Mon, 01 Jan 99999999999 00:00:00 GMT", 0.0, None),  # a year datetime cannot hold
    ],
)
def test_retry_after_is_seconds_or_an_http_date(
    value: str | None, now: float, expected: float | None
) -> None:
    assert parse_retry_after(value, now=now) == expected


def test_a_date_in_the_past_gives_no_wait() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=120.0) == 0.0


# --- Attempts: transport failures -------------------------------------------------------------


def attempts(
    policy: RetryPolicy | None = None,
    *,
    idempotent: bool = True,
    clock: Clock | None = None,
    deadline: float | None = None,
) -> Attempts:
    return Attempts(
        policy or RetryPolicy(), idempotent=idempotent, clock=clock or Clock(), deadline=deadline
    )


@pytest.fixture
def fixed_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every delay exactly its backoff: the policy's own delay_for, with rand() always 0."""
    delay_for = RetryPolicy.delay_for

    def without_jitter(self: RetryPolicy, retry_number: int, **_: object) -> float:
        return delay_for(self, retry_number, rand=lambda: 0.0)

    monkeypatch.setattr(RetryPolicy, "delay_for", without_jitter)


def test_transport_failures_are_retried_up_to_max_retries(fixed_jitter: None) -> None:
    a = attempts(RetryPolicy(max_retries=2))
    assert a.after_exception(httpx.ReadError("x"), request()) == 0.5
    assert a.after_exception(httpx.ReadError("x"), request()) == 1.0
    with pytest.raises(APIConnectionError) as caught:
        a.after_exception(httpx.ReadError("reset"), request())
    assert caught.value.retries_taken == 2 and a.retries == 2
    assert not caught.value.outcome_unknown  # a read: nothing was created either way


def test_no_retry_is_planned_past_the_deadline(fixed_jitter: None) -> None:
    clock = Clock(1000.0)
    a = attempts(clock=clock, deadline=1000.5)
    assert a.after_exception(httpx.ReadError("x"), request()) == 0.5  # ends exactly at it
    with pytest.raises(APIConnectionError) as caught:
        a.after_exception(httpx.ReadError("x"), request())  # 1.0 s: past it
    assert caught.value.retries_taken == 1


def test_a_failure_of_a_request_that_may_have_run_is_not_retried_for_a_post(
    fixed_jitter: None,
) -> None:
    a = attempts(idempotent=False)
    with pytest.raises(APIConnectionError) as caught:
        a.after_exception(httpx.ReadError("reset"), request("POST"))
    assert caught.value.outcome_unknown and caught.value.retries_taken == 0
    assert a.after_exception(httpx.ConnectError("refused"), request("POST")) == 0.5


def test_each_retry_is_logged_with_its_reason(
    fixed_jitter: None, caplog: pytest.LogCaptureFixture
) -> None:
    a = attempts(RetryPolicy(max_retries=5))
    with caplog.at_level(logging.INFO, logger="timers"):
        a.after_exception(httpx.ConnectError("x"), request())
        a.after_exception(httpx.ConnectTimeout("x"), request(url="https://example.org/p"))
        a.after_exception(httpx.ReadTimeout("x"), request())
        a.after_response(answer(503))
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "retrying GET /api/v1/timers/t/runs in 0.50 s (retry 1 of 5) after ConnectError",
        "retrying GET /p in 1.00 s (retry 2 of 5) after ConnectTimeout",
        "retrying GET /api/v1/timers/t/runs in 2.00 s (retry 3 of 5) after ReadTimeout",
        "retrying GET /api/v1/timers/t/runs in 4.00 s (retry 4 of 5) after status 503",
    ]
    details = [r.timers_retry for r in caplog.records]  # type: ignore[attr-defined]
    assert all(0 <= detail.pop("took") < 0.5 for detail in details)  # see the test below
    assert details == [
        {
            "why": "could not connect to example.org:8443",
            "number": 1,
            "of": 5,
            "delay": 0.5,
            "connection": True,
        },
        {
            "why": "could not connect to example.org",
            "number": 2,
            "of": 5,
            "delay": 1.0,
            "connection": True,
        },
        {
            "why": "ReadTimeout from example.org",
            "number": 3,
            "of": 5,
            "delay": 2.0,
            "connection": False,
        },
        {
            "why": "the service answered 503",
            "number": 4,
            "of": 5,
            "delay": 4.0,
            "connection": False,
        },
    ]
    assert all(r.levelno == logging.WARNING and r.name == "timers" for r in caplog.records)


def test_a_retry_says_how_long_the_failed_attempt_took(
    fixed_jitter: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first attempt begins with the request, each later one when its retry's wait ends.
    now = iter([100.0, 101.5, 102.2, 110.0, 110.1])
    monkeypatch.setattr("timers._retry.time.perf_counter", lambda: next(now))
    a = attempts(RetryPolicy(max_retries=5))  # begins at 100.0
    with caplog.at_level(logging.INFO, logger="timers"):
        a.after_exception(httpx.ReadTimeout("x"), request())  # at 101.5, then waits 0.5
        a.after_response(answer(503))  # at 102.2, then waits 1.0
        a.after_response(answer(503))  # at 110.0, then waits 2.0
        a.after_response(answer(503))  # at 110.1: began at 112.0 as far as it knows
    took = [r.timers_retry["took"] for r in caplog.records]  # type: ignore[attr-defined]
    assert took == pytest.approx([1.5, 0.2, 6.8, 0.0])


# --- Attempts: responses ----------------------------------------------------------------------


def test_a_success_or_a_final_status_is_used_at_once(fixed_jitter: None) -> None:
    a = attempts()
    assert a.after_response(answer(200)) is None
    assert a.after_response(answer(304)) is None
    assert a.after_response(answer(404)) is None
    assert a.retries == 0


def test_a_retryable_status_is_retried_up_to_max_retries(fixed_jitter: None) -> None:
    a = attempts(RetryPolicy(max_retries=2))
    assert a.after_response(answer(503)) == 0.5
    assert a.after_response(answer(502)) == 1.0
    assert a.after_response(answer(503)) is None
    assert a.retries == 2


def test_a_5xx_to_a_post_is_not_retried_but_a_429_is(fixed_jitter: None) -> None:
    a = attempts(idempotent=False)
    assert a.after_response(answer(503, method="POST")) is None
    assert a.after_response(answer(429, method="POST")) == 0.5


def test_retry_after_lengthens_the_backoff_but_never_shortens_it(fixed_jitter: None) -> None:
    a = attempts(RetryPolicy(backoff_base=2.0))
    assert a.after_response(answer(429, {"retry-after": "7"})) == 7.0
    assert a.after_response(answer(429, {"retry-after": "0"})) == 4.0  # backoff of retry 1


def test_retry_after_is_honoured_up_to_max_retry_after(fixed_jitter: None) -> None:
    a = attempts(RetryPolicy(max_retry_after=10.0))
    assert a.after_response(answer(429, {"retry-after": "10"})) == 10.0
    assert a.after_response(answer(429, {"retry-after": "10.5"})) is None
    assert a.retries == 1


def test_an_http_date_retry_after_counts_from_the_clock(fixed_jitter: None) -> None:
    a = attempts(clock=Clock(0.0))
    assert a.after_response(answer(503, {"retry-after": "Thu, 01 Jan 1970 00:00:05 GMT"})) == 5.0


def test_a_status_retry_past_the_deadline_is_not_planned(fixed_jitter: None) -> None:
    a = attempts(clock=Clock(100.0), deadline=105.0)
    assert a.after_response(answer(429, {"retry-after": "5"})) == 5.0
    assert a.after_response(answer(429, {"retry-after": "6"})) is None
    b = attempts(clock=Clock(100.0), deadline=100.4)
    assert b.after_response(answer(503)) is None
    assert b.retries == 0


# --- connection errors ------------------------------------------------------------------------


def test_a_refused_connection_is_named_as_such() -> None:
    e = connection_error(httpx.ConnectError("refused"), request(), 2, True)
    assert type(e) is APIConnectionError
    assert str(e) == (
        "request could not connect (refused or unreachable): ConnectError: refused "
        f"(GET {URL}) after 2 retries"
    )
    assert (e.method, e.url, e.retries_taken, e.outcome_unknown) == ("GET", URL, 2, False)


def test_a_connect_timeout_is_a_timeout_that_never_reached_the_service() -> None:
    e = connection_error(httpx.ConnectTimeout("slow"), request("POST"), 0, False)
    assert type(e) is APITimeoutError
    assert str(e) == f"request could not connect (timed out): ConnectTimeout: slow (POST {URL})"
    assert not e.outcome_unknown


def test_a_read_timeout_of_a_post_may_have_created_a_run() -> None:
    e = connection_error(httpx.ReadTimeout("slow"), request("POST"), 1, False)
    assert type(e) is APITimeoutError
    assert str(e) == (
        f"request timed out: ReadTimeout: slow (POST {URL}) after 1 retry; {OUTCOME_UNKNOWN_NOTE}"
    )
    assert e.outcome_unknown


def test_a_read_timeout_of_a_read_has_a_known_outcome() -> None:
    assert not connection_error(httpx.ReadTimeout("x"), request(), 0, True).outcome_unknown


def test_a_request_httpx_refused_is_not_quoted() -> None:
    e = connection_error(
        httpx.LocalProtocolError("Illegal header value b'Bearer tok'"), request("POST"), 0, False
    )
    assert str(e) == (
        f"request failed: LocalProtocolError: the request is not valid HTTP (POST {URL})"
    )
    assert not e.outcome_unknown


@pytest.mark.parametrize("text", ["", "RemoteProtocolError"])
def test_an_error_without_text_is_named_by_its_type_once(text: str) -> None:
    e = connection_error(httpx.RemoteProtocolError(text), request(), 0, True)
    assert str(e) == f"request failed: RemoteProtocolError (GET {URL})"


@pytest.mark.parametrize("text", ["", "timed out", "{name}"])  # async httpx; httpcore; ours
@pytest.mark.parametrize(
    ("timeout", "what", "said"),
    [
        (httpx.ReadTimeout, "timed out", "no data came within the read timeout"),
        (httpx.WriteTimeout, "timed out", "the request could not be sent within the write timeout"),
        (httpx.PoolTimeout, "timed out", "no connection was free within the pool timeout"),
        (
            httpx.ConnectTimeout,
            "could not connect (timed out)",
            "no connection within the connect timeout",
        ),
    ],
)
def test_a_timeout_that_says_nothing_says_which_timeout_it_was(
    text: str, timeout: type[httpx.TimeoutException], what: str, said: str
) -> None:
    e = connection_error(timeout(text.format(name=timeout.__name__)), request(), 0, True)
    assert str(e) == f"request {what}: {timeout.__name__}: {said} (GET {URL})"


def test_the_error_text_is_cleaned() -> None:
    e = connection_error(httpx.ReadError("line one\nline\x1b two"), request(), 0, True)
    assert e.message == "request failed: ReadError: line one line\\x1b two"


# --- TLS failures -----------------------------------------------------------------------------


def chained(*causes: BaseException) -> httpx.ConnectError:
    """A ConnectError caused by ``causes[0]``, caused by ``causes[1]``, ... (as httpx raises
    from httpcore, which raises from ssl)."""
    exc = httpx.ConnectError("connect failed")
    inner: BaseException = exc
    for cause in causes:
        inner.__cause__ = cause
        inner = cause
    return exc


WRONG_VERSION = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")


def test_a_failed_tls_handshake_is_found_behind_the_httpx_error() -> None:
    unverified = ssl.SSLCertVerificationError(1, "certificate verify failed")
    assert tls_failure(chained(unverified)) is unverified
    assert tls_failure(chained(httpx.ConnectError("inner"), WRONG_VERSION)) is WRONG_VERSION
    context = httpx.ConnectError("outer")
    context.__context__ = WRONG_VERSION  # raised while handling it, not "from" it
    assert tls_failure(context) is WRONG_VERSION


@pytest.mark.parametrize(
    "transient", [ssl.SSLEOFError, ssl.SSLSyscallError, ssl.SSLZeroReturnError]
)
def test_a_tls_connection_dropped_mid_handshake_is_not_a_tls_failure(
    transient: type[ssl.SSLError],
) -> None:
    exc = chained(transient(1, "EOF occurred in violation of protocol"))
    assert tls_failure(exc) is None
    assert RetryPolicy().should_retry_exception(exc, idempotent=False)


def test_a_tls_error_is_looked_for_eight_links_down_the_chain_and_no_further() -> None:
    links = [httpx.ConnectError(f"link {i}") for i in range(6)]
    assert tls_failure(chained(*links, WRONG_VERSION)) is WRONG_VERSION  # the eighth link
    assert tls_failure(chained(*links, httpx.ConnectError("7"), WRONG_VERSION)) is None


def test_a_tls_error_once_connected_is_a_read_error_like_any_other() -> None:
    read = httpx.ReadError("read failed")
    read.__cause__ = ssl.SSLError(1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] bad mac")
    assert tls_failure(read) is None
    assert RetryPolicy().should_retry_exception(read, idempotent=True)
    assert str(connection_error(read, request(), 0, True)).startswith("request failed: ReadError")


def test_a_plain_connection_error_is_not_a_tls_failure() -> None:
    assert tls_failure(httpx.ConnectError("refused")) is None
    assert tls_failure(chained(ConnectionRefusedError(111, "refused"))) is None


@pytest.mark.parametrize("idempotent", [True, False])
def test_a_failed_tls_handshake_is_never_retried(idempotent: bool) -> None:
    exc = chained(ssl.SSLCertVerificationError(1, "certificate verify failed"))
    assert not RetryPolicy().should_retry_exception(exc, idempotent=idempotent)


def test_a_failed_tls_handshake_says_so_and_that_nothing_was_sent() -> None:
    exc = chained(ssl.SSLCertVerificationError(1, "certificate verify failed"))
    e = connection_error(exc, request("POST"), 0, False)
    assert type(e) is APIConnectionError and not e.outcome_unknown
    assert str(e) == (
        "request could not connect (the TLS handshake failed): ConnectError: connect failed "
        f"(POST {URL})"
    )


@pytest.mark.parametrize(
    "tls",
    [
        WRONG_VERSION,  # OpenSSL 1.1 and 3.0
        ssl.SSLError(1, "[SSL: RECORD_LAYER_FAILURE] record layer failure (_ssl.c:1000)"),  # 3.2+
    ],
)
def test_https_to_a_plain_http_port_is_named_as_the_likely_cause(tls: ssl.SSLError) -> None:
    e = connection_error(chained(tls), request(), 0, True)
    assert str(e).startswith(
        "request could not connect (the TLS handshake failed: is the server speaking plain "
        "http at an https:// base URL?): ConnectError"
    )
