"""Client configuration: the API dialect, base URL, timeouts and retry policy, each checked once."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import ipaddress
import os
import re
import ssl

import httpx

from timers._dialects import Dialect, dialect_for, runs
from timers._errors import InvalidArgumentError
from timers._redact import clean, quote
from timers._retry import MAX_SECONDS, RetryPolicy

__all__ = [
    "API_ENV",
    "BASE_URL_ENV",
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_TIMEOUT",
    "ERROR_BODY_LIMIT",
    "resolve_api",
    "resolve_base_url",
    "resolve_max_response_size",
    "resolve_retry",
    "resolve_timeout",
    "tls_context",
]

DEFAULT_BASE_URL = runs.DEFAULT_BASE_URL
"""The default API's service URL."""

BASE_URL_ENV = "TIMERS_BASE_URL"
API_ENV = "TIMERS_API"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_ATTEMPT_TIMEOUT = 60.0
"""With the default timeouts: the longest one attempt may take, from first byte to last."""
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024
"""Bytes of decoded body a 2xx answer may have: far above a 1000-run page with big details."""
ERROR_BODY_LIMIT = 64 * 1024
"""Bytes of an error answer's body that are read (the rest is never read)."""


# A host name as DNS takes it (IDNA-encoded), or an IPv4 address; an IPv6 one is bracketed.
_HOST_NAME = re.compile(r"(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?\Z")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_api(api: str | None) -> Dialect:
    """The dialect for ``api``, else ``$TIMERS_API`` (in any case), else ``"runs"``."""
    if api is not None:
        return dialect_for(api)
    from_env = os.environ.get(API_ENV) or runs.NAME
    try:
        return dialect_for(from_env.strip().lower())
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"${API_ENV} must be 'runs' or 'jobs' (in any case), got {quote(from_env)}"
        ) from None


def resolve_base_url(
    base_url: str | None, *, default: str = DEFAULT_BASE_URL, allow_insecure_http: bool = False
) -> str:
    """``base_url``, else ``$TIMERS_BASE_URL`` (refused when set but empty: a script's variable
    left unset must not mean the production service), else ``default``; no trailing slash.

    Plain ``http://`` is refused for any host but loopback, since the token would travel in
    clear text, unless ``allow_insecure_http`` is True.
    """
    env = os.environ.get(BASE_URL_ENV)
    if base_url is None and env is not None and not env:  # a variable meant to be set, unset
        raise InvalidArgumentError(
            f"${BASE_URL_ENV} is set but empty: set it to the service's URL, or unset it to "
            f"use {default!r}"
        )
    raw = base_url if base_url is not None else (env or default)
    source = "base_url" if base_url is not None else f"${BASE_URL_ENV}"
    if not isinstance(raw, str):
        raise InvalidArgumentError(f"base_url must be a string, got {type(raw).__name__}")
    try:
        url = httpx.URL(raw.strip())
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise InvalidArgumentError(f"{source} is not a valid URL: {clean(str(exc))}") from None
    try:
        host = url.host  # decodes an IDNA name, which may not decode (``xn--a.com``)
    except UnicodeError as exc:  # the idna package's errors too
        problem = clean(str(exc))
        raise InvalidArgumentError(
            f"{source} has an invalid host name ({problem}): {quote(raw)}"
        ) from None
    if url.scheme not in ("http", "https") or not host:
        raise InvalidArgumentError(
            f"{source} must be an http(s) URL like {default!r}, got {quote(raw)}"
        )
    raw_host = url.raw_host.decode("ascii")
    name = raw_host.removesuffix(".")  # DNS: 253 characters at most (IPv6: parsed by httpx)
    if ":" not in raw_host and (len(name) > 253 or not _HOST_NAME.match(raw_host)):
        raise InvalidArgumentError(f"{source} has an invalid host name: {quote(raw)}")
    if url.port is not None and not 0 < url.port <= 65535:
        raise InvalidArgumentError(f"{source} has the port {url.port}; ports go from 1 to 65535")
    if url.userinfo:
        raise InvalidArgumentError(f"{source} must not contain a user name or password")
    if url.query or url.fragment:
        raise InvalidArgumentError(f"{source} must not have a query string or fragment")
    if url.scheme == "http" and not _is_loopback(host) and not allow_insecure_http:
        raise InvalidArgumentError(
            f"refusing plain http:// to {host}: the access token would travel in clear "
            "text. Use https://, or pass allow_insecure_http=True if you really mean it"
        )
    return str(url).rstrip("/")


def _is_seconds(value: object) -> bool:
    """A number of seconds a timeout may be: > 0 and at most ``MAX_SECONDS`` (NaN is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return 0 < value <= MAX_SECONDS


def resolve_timeout(
    timeout: float | httpx.Timeout | None,
) -> tuple[httpx.Timeout | None, float | None]:
    """``(per-operation timeout, bound of a whole attempt)`` from the ``timeout`` argument.

    A number bounds each attempt from its first byte sent to its last byte read (and each
    operation); an ``httpx.Timeout`` bounds each operation only, as httpx does; ``None``
    means the defaults: 10 s to connect, 30 s per read, and ``DEFAULT_ATTEMPT_TIMEOUT``.
    """
    if timeout is None:
        return None, DEFAULT_ATTEMPT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        for name, value in timeout.as_dict().items():
            if value is not None and not _is_seconds(value):
                raise InvalidArgumentError(
                    f"the httpx.Timeout's {name} must be None (no limit) or seconds > 0 and "
                    f"<= {MAX_SECONDS:g}; got {quote(value)}"
                )
        return timeout, None
    if not _is_seconds(timeout):
        raise InvalidArgumentError(
            f"timeout must be a number of seconds > 0 and <= {MAX_SECONDS:g}, or an "
            f"httpx.Timeout; got {quote(timeout)}"
        )
    return httpx.Timeout(float(timeout)), float(timeout)


def resolve_max_response_size(size: int | None) -> int:
    """``max_response_size``: a number of bytes >= 1 (default ``DEFAULT_MAX_RESPONSE_SIZE``)."""
    if size is None:
        return DEFAULT_MAX_RESPONSE_SIZE
    if type(size) is not int or size < 1:
        raise InvalidArgumentError(f"max_response_size must be an int >= 1, got {quote(size)}")
    return size


def resolve_retry(
    max_retries: int | None, retry: RetryPolicy | None, base: RetryPolicy | None = None
) -> RetryPolicy:
    """The retry policy from ``retry=``, or the ``max_retries=`` shortcut (not both), which
    changes only the count of ``base`` (default ``RetryPolicy()``)."""
    if retry is not None:
        if max_retries is not None:
            raise InvalidArgumentError("give max_retries or retry, not both")
        if not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError(
                f"retry must be a timers.RetryPolicy, got {type(retry).__name__}"
            )
        return retry
    base = RetryPolicy() if base is None else base
    return base if max_retries is None else dataclasses.replace(base, max_retries=max_retries)


# What httpx reads from the environment when it makes a client's TLS settings: where the CAs
# are (a file or a folder), and where to log TLS keys.
_TLS_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE")


def tls_context() -> ssl.SSLContext:
    """The TLS settings of the httpx clients the library creates: what httpx makes for a new
    client (certifi's CAs, or the CA file or folder ``$SSL_CERT_FILE``/``$SSL_CERT_DIR`` names),
    made once and shared. Loading the CAs cost each new client tens of milliseconds of CPU (a
    client per request). A new one is made when what httpx would read changes: one of those
    variables, the CA file named there (rewritten or replaced), certifi's bundle path, or
    ``ssl.SSLContext`` itself (``truststore.inject_into_ssl()``). A CA folder is read by
    OpenSSL as certificates are needed; one already used is not read again. Thread-safe, as
    sharing one httpx client between threads is (it shares its context too)."""
    import certifi  # httpx's dependency; imported here, as httpx does, only when a client is made

    key: list[object] = [ssl.SSLContext, certifi.where()]
    for name in _TLS_ENV:
        value = os.environ.get(name)
        version = None
        if value and name != "SSLKEYLOGFILE":  # TLS writes that one: its changes say nothing
            with contextlib.suppress(OSError):  # unreadable: building below fails and says so
                found = os.stat(value)
                version = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
        key.append((value, version))
    try:
        return _tls_for(tuple(key))
    except OSError as exc:  # ssl.SSLError too: a missing file, or one that holds no CA
        named = [f"${name}={quote(os.environ[name])}" for name in _TLS_ENV if os.environ.get(name)]
        where = ", ".join(named) or f"certifi's bundle {quote(certifi.where())}"
        raise InvalidArgumentError(
            f"the TLS settings cannot be loaded from {where}: {clean(str(exc))}"
        ) from None


@functools.lru_cache(maxsize=4)
def _tls_for(environment: tuple[object, ...]) -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=True, trust_env=True)
