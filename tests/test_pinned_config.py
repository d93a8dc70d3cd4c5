"""Client configuration (timers._config): where each setting comes from, what is refused and
with which message, and the defaults."""

from __future__ import annotations

import math

import httpx
import pytest

from timers import InvalidArgumentError, RetryPolicy
from timers._config import (
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_SIZE,
    resolve_api,
    resolve_base_url,
    resolve_max_response_size,
    resolve_retry,
    resolve_timeout,
)
from timers._redact import clean

DEFAULT_HINT = "'https://timer.automate.globus.org/api/v1'"


def refused(call: object, *args: object, **kwargs: object) -> str:
    assert callable(call)
    with pytest.raises(InvalidArgumentError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# --- the API ----------------------------------------------------------------------------------


def test_the_api_defaults_to_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIMERS_API", raising=False)
    assert resolve_api(None).NAME == "runs"
    monkeypatch.setenv("TIMERS_API", "")
    assert resolve_api(None).NAME == "runs"


def test_the_api_comes_from_the_environment_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMERS_API", "jobs")
    assert resolve_api(None).NAME == "jobs"
    assert resolve_api("runs").NAME == "runs"


def test_an_unknown_api_is_refused_listing_the_known_ones() -> None:
    assert refused(resolve_api, "v2") == "api must be 'runs' or 'jobs', got 'v2'"
    assert refused(resolve_api, "Jobs") == "api must be 'runs' or 'jobs', got 'Jobs'"


def test_the_environment_s_api_is_read_in_any_case_and_named_when_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMERS_API", " Jobs ")
    assert resolve_api(None).NAME == "jobs"
    monkeypatch.setenv("TIMERS_API", "v2\n")
    assert refused(resolve_api, None) == (
        "$TIMERS_API must be 'runs' or 'jobs' (in any case), got 'v2\\n'"
    )


# --- the base URL -----------------------------------------------------------------------------


def test_the_base_url_defaults_to_the_given_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_base_url(None) == DEFAULT_BASE_URL
    assert resolve_base_url(None, default="https://example.org/") == "https://example.org"


def test_a_base_url_variable_set_but_empty_is_refused_not_taken_for_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # TIMERS_BASE_URL=$STAGING_URL with STAGING_URL unset must not reach the real service.
    monkeypatch.setenv("TIMERS_BASE_URL", "")
    with pytest.raises(InvalidArgumentError) as caught:
        resolve_base_url(None)
    assert str(caught.value) == (
        "$TIMERS_BASE_URL is set but empty: set it to the service's URL, or unset it to use "
        f"{DEFAULT_BASE_URL!r}"
    )
    assert resolve_base_url("https://example.org") == "https://example.org"  # given: not read


def test_the_base_url_comes_from_the_environment_unless_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMERS_BASE_URL", "https://env.example.org/api/")
    assert resolve_base_url(None) == "https://env.example.org/api"
    assert resolve_base_url("https://given.example.org") == "https://given.example.org"


def test_the_base_url_is_stripped_of_spaces_and_trailing_slashes() -> None:
    assert resolve_base_url("  https://example.org/api///  ") == "https://example.org/api"


def test_a_base_url_that_is_not_a_string_is_refused() -> None:
    assert refused(resolve_base_url, 5) == "base_url must be a string, got int"


def test_an_invalid_url_is_refused_naming_its_source(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refused(resolve_base_url, "https://h:abc/") == (
        "base_url is not a valid URL: Invalid port: 'abc'"
    )
    monkeypatch.setenv("TIMERS_BASE_URL", "https://h:abc/")
    assert refused(resolve_base_url, None) == (
        "$TIMERS_BASE_URL is not a valid URL: Invalid port: 'abc'"
    )


@pytest.mark.parametrize("url", ["ftp://example.org", "https://", "example.org/api"])
def test_a_url_that_is_not_http_is_refused_with_an_example(url: str) -> None:
    assert refused(resolve_base_url, url) == (
        f"base_url must be an http(s) URL like {DEFAULT_HINT}, got {url!r}"
    )


def test_the_example_in_the_error_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMERS_BASE_URL", "ftp://x")
    assert refused(resolve_base_url, None, default="https://example.org") == (
        "$TIMERS_BASE_URL must be an http(s) URL like 'https://example.org', got 'ftp://x'"
    )


def test_credentials_in_the_base_url_are_refused() -> None:
    assert refused(resolve_base_url, "https://user:pw@example.org") == (
        "base_url must not contain a user name or password"
    )
    assert refused(resolve_base_url, "https://user@example.org") == (
        "base_url must not contain a user name or password"
    )


@pytest.mark.parametrize("url", ["https://example.org/?a=1", "https://example.org/#top"])
def test_a_query_or_fragment_is_refused(url: str) -> None:
    assert refused(resolve_base_url, url) == "base_url must not have a query string or fragment"


def test_plain_http_is_refused_for_a_remote_host() -> None:
    assert refused(resolve_base_url, "http://example.org/api") == (
        "refusing plain http:// to example.org: the access token would travel in clear text. "
        "Use https://, or pass allow_insecure_http=True if you really mean it"
    )


def test_plain_http_to_a_remote_host_is_allowed_when_asked() -> None:
    assert (
        resolve_base_url("http://example.org/api", allow_insecure_http=True)
        == "http://example.org/api"
    )


@pytest.mark.parametrize(
    "url", ["http://localhost:8000", "http://127.0.0.1", "http://127.9.9.9/x", "http://[::1]:81"]
)
def test_plain_http_is_allowed_to_loopback(url: str) -> None:
    assert resolve_base_url(url) == url


@pytest.mark.parametrize("host", ["10.0.0.1", "localhost.example.org", "192.168.1.1"])
def test_plain_http_to_a_host_that_only_looks_local_is_refused(host: str) -> None:
    assert refused(resolve_base_url, f"http://{host}").startswith(
        f"refusing plain http:// to {host}:"
    )


# --- timeouts, sizes, retries -----------------------------------------------------------------


def test_no_timeout_means_the_defaults() -> None:
    assert resolve_timeout(None) == (None, DEFAULT_ATTEMPT_TIMEOUT)
    assert DEFAULT_ATTEMPT_TIMEOUT == 60.0


@pytest.mark.parametrize("given", [httpx.Timeout(5.0, connect=1.0), httpx.Timeout(None)])
def test_an_httpx_timeout_bounds_each_operation_only(given: httpx.Timeout) -> None:
    assert resolve_timeout(given) == (given, None)  # Timeout(None): no limit at all


@pytest.mark.parametrize("seconds", [0.001, 2, 86_400])
def test_a_number_bounds_each_operation_and_each_attempt(seconds: float) -> None:
    timeout, attempt = resolve_timeout(seconds)
    assert timeout == httpx.Timeout(float(seconds))
    assert attempt == float(seconds) and type(attempt) is float


@pytest.mark.parametrize("value", [0, -1, 86_400.5, True, "5", math.nan, math.inf])
def test_a_timeout_that_is_not_seconds_up_to_a_day_is_refused(value: object) -> None:
    shown = repr(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    assert refused(resolve_timeout, value) == (
        f"timeout must be a number of seconds > 0 and <= 86400, or an httpx.Timeout; got {shown}"
    )


def test_the_response_size_defaults_to_32_mib() -> None:
    assert resolve_max_response_size(None) == DEFAULT_MAX_RESPONSE_SIZE == 32 * 1024 * 1024
    assert resolve_max_response_size(1) == 1


@pytest.mark.parametrize("value", [0, -3, True, 1.0, "5"])
def test_a_response_size_that_is_not_an_int_from_1_is_refused(value: object) -> None:
    assert refused(resolve_max_response_size, value) == (
        f"max_response_size must be an int >= 1, got {value!r}"
    )


def test_the_retry_policy_defaults_or_comes_from_max_retries() -> None:
    assert resolve_retry(None, None) == RetryPolicy()
    assert resolve_retry(0, None) == RetryPolicy(max_retries=0)
    policy = RetryPolicy(backoff_max=1.0)
    assert resolve_retry(None, policy) is policy


def test_max_retries_and_a_policy_together_are_refused() -> None:
    assert refused(resolve_retry, 2, RetryPolicy()) == "give max_retries or retry, not both"


def test_a_retry_that_is_not_a_policy_is_refused_naming_its_type() -> None:
    assert refused(resolve_retry, None, {"max_retries": 2}) == (
        "retry must be a timers.RetryPolicy, got dict"
    )


def test_only_slashes_are_stripped_from_the_end_of_the_base_url() -> None:
    assert resolve_base_url("https://example.org/apiX/") == "https://example.org/apiX"
    assert resolve_base_url("https://example.org/v1X") == "https://example.org/v1X"


@pytest.mark.parametrize("port", [0, 65536, 99999])
def test_a_port_out_of_range_is_refused_not_wrapped_around(port: int) -> None:
    # httpx accepts :99999, and the socket layer would connect to 99999 - 65536.
    assert refused(resolve_base_url, f"http://127.0.0.1:{port}/api") == (
        f"base_url has the port {port}; ports go from 1 to 65535"
    )


def test_the_highest_port_is_accepted() -> None:
    assert resolve_base_url("http://127.0.0.1:65535/api") == "http://127.0.0.1:65535/api"


def test_a_base_url_with_a_lone_surrogate_is_refused_as_invalid() -> None:
    # What Python makes of a non-UTF-8 byte in an environment variable.
    message = refused(resolve_base_url, "http://127.0.0.1:9/\udcff")
    assert message.startswith("base_url is not a valid URL: ")


@pytest.mark.parametrize(
    "given", [httpx.Timeout(None), httpx.Timeout(5.0, pool=None), httpx.Timeout(86_400)]
)
def test_an_httpx_timeout_with_no_limit_or_up_to_a_day_is_used_as_given(
    given: httpx.Timeout,
) -> None:
    assert resolve_timeout(given) == (given, None)


@pytest.mark.parametrize(
    ("given", "name", "shown"),
    [
        (httpx.Timeout(1e9), "connect", "1000000000.0"),
        (httpx.Timeout(5.0, read=0), "read", "0"),
        (httpx.Timeout(5.0, write=-1), "write", "-1"),
        (httpx.Timeout(5.0, pool=math.nan), "pool", "nan"),
        (httpx.Timeout(5.0, read=True), "read", "True"),
        (httpx.Timeout("5"), "connect", "'5'"),  # type: ignore[arg-type]
    ],
)
def test_an_httpx_timeout_limit_that_is_not_seconds_up_to_a_day_is_refused_by_name(
    given: httpx.Timeout, name: str, shown: str
) -> None:
    assert refused(resolve_timeout, given) == (
        f"the httpx.Timeout's {name} must be None (no limit) or seconds > 0 and <= 86400; "
        f"got {shown}"
    )


def test_a_timeout_too_long_to_print_is_refused_without_printing_it() -> None:
    assert refused(resolve_timeout, 10**5000) == (
        "timeout must be a number of seconds > 0 and <= 86400, or an httpx.Timeout; "
        "got <int that cannot be shown>"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://a..b/api",  # an empty label: the resolver raised UnicodeError
        "https://.example.org",
        "https://exa mple.org",  # shown as typed, not as 'exa%20mple.org'
        "https://" + "a" * 64 + ".org",  # labels: 63 at most
        "https://" + "a." * 125 + "orgx",  # names: 253 at most (this one: 254)
    ],
)
def test_a_host_name_dns_cannot_take_is_refused_before_anything_is_sent(url: str) -> None:
    shown = repr(url) if len(url) <= 80 else repr(url[:77] + "...")  # quoted, cut at 80
    assert refused(resolve_base_url, url) == f"base_url has an invalid host name: {shown}"


@pytest.mark.parametrize("url", ["https://xn--a.org", "https://xn--ls8h.la"])
def test_an_idna_name_that_does_not_decode_is_an_invalid_host_not_a_unicode_error(
    url: str,
) -> None:
    # httpx decodes the name only when asked for url.host: idna raised from there.
    with pytest.raises(UnicodeError) as idna:
        httpx.URL(url).host  # noqa: B018 - the property raises
    problem = clean(str(idna.value))  # idna's own words, escaped ('\x80')
    assert refused(resolve_base_url, url) == (
        f"base_url has an invalid host name ({problem}): {url!r}"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://" + "a" * 63 + ".org", "https://" + "a" * 63 + ".org"),
        ("https://" + "a." * 125 + "org.", "https://" + "a." * 125 + "org."),  # 253, and a dot
        ("https://a_b-c.example.org./api", "https://a_b-c.example.org./api"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://x", "https://x"),
    ],
)
def test_host_names_dns_takes_are_accepted(url: str, expected: str) -> None:
    assert resolve_base_url(url) == expected
