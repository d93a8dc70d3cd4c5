"""timers: a typed Python client for the Globus Timers service's run operations.

>>> from timers import TimersClient
>>> with TimersClient("my-token") as client:  # doctest: +SKIP
...     run = client.run_timer("12345678-1234-1234-1234-123456789012", wait=True)
...     print(run.status, run.duration)

Public names are listed in ``__all__``; every other module is private.
"""

from typing import TYPE_CHECKING, Any

from timers._async_client import AsyncTimersClient
from timers._auth import Authorizer
from timers._dialects import ApiName
from timers._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidArgumentError,
    MissingExtraError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    TimersError,
    UnprocessableEntityError,
    UnsupportedOperationError,
    UsageError,
    WaitTimeoutError,
)
from timers._io import HttpBackend
from timers._models import CallbackKind, RunError, RunPage, RunResult, RunStatus, TimerRun
from timers._retry import RetryPolicy
from timers._sync_client import TimersClient
from timers._version import __version__

if TYPE_CHECKING:
    from timers._summary import Bucket, ErrorCount, RunSummary, summarize_runs

_LAZY = frozenset({"Bucket", "ErrorCount", "RunSummary", "summarize_runs"})


if not TYPE_CHECKING:  # type checkers see the import above, and flag any other name

    def __getattr__(name: str) -> Any:
        # Summaries are imported on first use: `import timers` should not pay for them.
        if name in _LAZY:
            from timers import _summary

            return getattr(_summary, name)
        raise AttributeError(f"module 'timers' has no attribute {name!r}")

    def __dir__() -> list[str]:
        # The lazy names too, for tab completion.
        return sorted(set(globals()) | _LAZY)


__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ApiName",
    "AsyncTimersClient",
    "AuthenticationError",
    "Authorizer",
    "BadRequestError",
    "Bucket",
    "CallbackKind",
    "ConflictError",
    "ErrorCount",
    "HttpBackend",
    "InvalidArgumentError",
    "MissingExtraError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "RunError",
    "RunPage",
    "RunResult",
    "RunStatus",
    "RunSummary",
    "ServerError",
    "TimerRun",
    "TimersClient",
    "TimersError",
    "UnprocessableEntityError",
    "UnsupportedOperationError",
    "UsageError",
    "WaitTimeoutError",
    "__version__",
    "summarize_runs",
]
