"""Client configuration: the API dialect, base URL, timeouts and retry policy, each checked once."""

from __future__ import annotations

import ipaddress
import os

import httpx

from timers._dialects import Dialect, dialect_for, runs
from timers._errors import InvalidArgumentError
from timers._retry import RetryPolicy

__all__ = [
    "API_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "resolve_api",
    "resolve_base_url",
    "resolve_retry",
    "resolve_timeout",
]

DEFAULT_BASE_URL = runs.DEFAULT_BASE_URL
"""The default API's service URL."""

BASE_URL_ENV = "TIMERS_BASE_URL"
API_ENV = "TIMERS_API"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_api(api: str | None) -> Dialect:
    """The dialect for ``api``, else ``$TIMERS_API``, else ``"runs"``."""
    if api is None:
        api = os.environ.get(API_ENV) or runs.NAME
    return dialect_for(api)


def resolve_base_url(
    base_url: str | None, *, default: str = DEFAULT_BASE_URL, allow_insecure_http: bool = False
) -> str:
    """``base_url``, else ``$TIMERS_BASE_URL``, else ``default``; no trailing slash.

    Plain ``http://`` is refused for any host but loopback, since the token would travel in
    clear text, unless ``allow_insecure_http`` is True.
    """
    raw = base_url if base_url is not None else (os.environ.get(BASE_URL_ENV) or default)
    source = "base_url" if base_url is not None else f"${BASE_URL_ENV}"
    if not isinstance(raw, str):
        raise InvalidArgumentError(f"base_url must be a string, got {type(raw).__name__}")
    try:
        url = httpx.URL(raw.strip())
    except httpx.InvalidURL as exc:
        raise InvalidArgumentError(f"{source} is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidArgumentError(f"{source} must be an http(s) URL like {default!r}, got {raw!r}")
    if url.userinfo:
        raise InvalidArgumentError(f"{source} must not contain a user name or password")
    if url.query or url.fragment:
        raise InvalidArgumentError(f"{source} must not have a query string or fragment")
    if url.scheme == "http" and not _is_loopback(url.host) and not allow_insecure_http:
        raise InvalidArgumentError(
            f"refusing plain http:// to {url.host}: the access token would travel in clear "
            "text. Use https://, or pass allow_insecure_http=True if you really mean it"
        )
    return str(url).rstrip("/")


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout | None:
    """An ``httpx.Timeout`` from a number of seconds or a ``Timeout``; ``None`` stays ``None``."""
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise InvalidArgumentError(
            f"timeout must be a number of seconds > 0 or an httpx.Timeout, got {timeout!r}"
        )
    return httpx.Timeout(float(timeout))


def resolve_retry(max_retries: int | None, retry: RetryPolicy | None) -> RetryPolicy:
    """The retry policy from ``retry=`` or the ``max_retries=`` shortcut (not both)."""
    if retry is not None:
        if max_retries is not None:
            raise InvalidArgumentError("give max_retries or retry, not both")
        if not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError(
                f"retry must be a timers.RetryPolicy, got {type(retry).__name__}"
            )
        return retry
    if max_retries is None:
        return RetryPolicy()
    return RetryPolicy(max_retries=max_retries)
