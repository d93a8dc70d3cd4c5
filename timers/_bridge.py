"""The only bridge to the generated clients: each operation's request, as the spec spells it.

The generated endpoint functions (``sync_detailed``) are public and build their request
exactly as the spec declares it (method, path, query names, value encoding), then hand it to
``client.get_httpx_client().request(**kwargs)``. That hand-over is the seam used here: the
generated ``Client`` is given a recorder instead of an ``httpx.Client`` (through its public
``set_httpx_client``), which captures the request instead of sending it. So a spec change
(a renamed parameter, a new path) shows up here, and nothing private of the generated code
is touched. ``tests/test_pinned_bridge.py`` pins each operation's request; the Prism
contract tests and the spec-validating transport of the tests check them against the spec.

The generated packages are imported on first use, which keeps ``import timers`` light.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, NoReturn, cast
from uuid import UUID

__all__ = ["RequestSpec", "get_timer_run", "list_timer_runs", "read_job", "run_timer"]

RequestSpec = tuple[str, str, dict[str, Any]]
"""(HTTP method, path relative to the base URL, query parameters)."""


class _Built(Exception):  # a signal carrying the request, not an error
    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs


class _Recorder:
    """Stands in for the ``httpx.Client`` of a generated ``Client``: records, never sends."""

    def request(self, **kwargs: Any) -> NoReturn:
        raise _Built(kwargs)


@cache
def _client(package: str) -> Any:
    module = __import__(f"timers._generated.{package}", fromlist=["Client"])
    return module.Client(base_url="").set_httpx_client(cast(Any, _Recorder()))


def _build(package: str, endpoint: Callable[..., object], *args: Any, **kwargs: Any) -> RequestSpec:
    given = {name: value for name, value in kwargs.items() if value is not None}  # None: UNSET
    try:
        endpoint(*args, client=_client(package), **given)
    except _Built as built:
        captured = built.kwargs
        return captured["method"].upper(), captured["url"], dict(captured.get("params") or {})
    raise AssertionError("the generated endpoint did not build a request")  # pragma: no cover


def run_timer(timer_id: UUID) -> RequestSpec:
    """``POST /timers/{timer_id}/run`` (runs API)."""
    from timers._generated.runs_api.api.runs import run_timer as endpoint

    return _build("runs_api", endpoint.sync_detailed, timer_id)


def get_timer_run(timer_id: UUID, run_id: UUID) -> RequestSpec:
    """``GET /timers/{timer_id}/runs/{run_id}`` (runs API)."""
    from timers._generated.runs_api.api.runs import get_timer_run as endpoint

    return _build("runs_api", endpoint.sync_detailed, timer_id, run_id)


def list_timer_runs(
    timer_id: UUID,
    *,
    limit: int | None,
    marker: str | None,
    status: str | None,
    start_after: datetime | None,
    start_before: datetime | None,
) -> RequestSpec:
    """``GET /timers/{timer_id}/runs`` with the given (already checked) filters.

    Date-times are sent as the generated code encodes them (``isoformat()``); callers that
    want RFC 3339 with ``Z`` replace those values (the names are the spec's).
    """
    from timers._generated.runs_api.api.runs import list_timer_runs as endpoint
    from timers._generated.runs_api.models.run_status import RunStatus

    return _build(
        "runs_api",
        endpoint.sync_detailed,
        timer_id,
        limit=limit,
        marker=marker,
        status=None if status is None else RunStatus(status),
        start_after=start_after,
        start_before=start_before,
    )


def read_job(job_id: UUID, *, page_size: int | None, results_pt: str | None) -> RequestSpec:
    """``GET /jobs/{job_id}``: a timer with one page of its ``results`` (the ``jobs`` API)."""
    from timers._generated.jobs_api.api.jobs import read_job as endpoint

    return _build(
        "jobs_api", endpoint.sync_detailed, job_id, page_size=page_size, results_pt=results_pt
    )
