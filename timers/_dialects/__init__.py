"""API dialects: how one API spells the operations the clients offer.

The clients' core works in operations: trigger a run, read one, list a page. A dialect is
one module that turns each into an ``Exchange`` (the request, built through ``timers._bridge``,
and the parser of its answer); it does no I/O. ``runs`` speaks ``spec/timers-runs.yaml``;
``jobs`` speaks the production service's ``spec/globus-timers.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Generic, Literal, NamedTuple, Protocol, TypeVar
from uuid import UUID

from timers._args import ListFilters
from timers._bridge import RequestSpec
from timers._errors import InvalidArgumentError
from timers._models import RunPage, TimerRun
from timers._redact import quote

__all__ = ["API_NAMES", "PRODUCTION_URL", "ApiName", "Dialect", "Exchange", "dialect_for"]

ApiName = Literal["runs", "jobs"]
API_NAMES: tuple[ApiName, ...] = ("runs", "jobs")
T = TypeVar("T")
PRODUCTION_URL: Final = "https://timer.automate.globus.org"
"""The production Globus Timers service (each dialect's default base URL is under it)."""


class Exchange(NamedTuple, Generic[T]):
    """One request of an operation, and how to read a 2xx answer: ``parse(body, request_id)``
    with the decoded JSON body and the answer's ``X-Request-Id`` (for the models)."""

    request: RequestSpec
    parse: Callable[[Any, str | None], T]


class Dialect(Protocol):
    """What the core asks of an API (each dialect module provides these names)."""

    NAME: ApiName
    DEFAULT_BASE_URL: str
    LOCAL_FILTERS: bool  # True: the service has no filters, the client applies them
    MAX_PAGE_SIZE: int | None  # the most runs a page may hold (None: not published)
    NEWEST_FIRST: bool  # True: the spec says a timer's runs are listed newest first
    # Said with a 404 from PRODUCTION_URL whose body is not the API's error (a path that the
    # production service does not serve); None: there is nothing more to say.
    MISSING_ROUTE_HINT: str | None

    def trigger(self, timer_id: UUID) -> Exchange[TimerRun]: ...

    # None: the API has no such read; the core finds the run by listing the timer's runs.
    def fetch(self, timer_id: UUID, run_id: UUID) -> Exchange[TimerRun] | None: ...

    def list_page(
        self, filters: ListFilters, limit: int | None, marker: str | None
    ) -> Exchange[RunPage]: ...


def dialect_for(api: str) -> Dialect:
    """The dialect module for ``api`` (one of ``API_NAMES``)."""
    if api == "runs":
        from timers._dialects import runs

        return runs
    if api == "jobs":
        from timers._dialects import jobs

        return jobs
    valid = " or ".join(repr(name) for name in API_NAMES)
    raise InvalidArgumentError(f"api must be {valid}, got {quote(api)}")
