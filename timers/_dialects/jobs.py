"""The ``jobs`` dialect: the production Globus Timers API (``spec/globus-timers.yaml``).

A timer's run history is the paged ``results`` of ``GET /jobs/{job_id}`` (``page_size``,
``results_pt`` = a page's ``page_next``). Where it differs from ``runs``, and how:

- no run-now endpoint: ``trigger`` raises ``UnsupportedOperationError`` before any request;
- no read of one result: ``fetch`` is None, so the core finds a run by listing;
- no server-side filters: ``status``, ``start_after`` and ``start_before`` are applied here,
  to each page, so a page may hold fewer runs than asked for;
- results carry no id: each gets one derived from its timer and start (``run_id_for``).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, NoReturn

from timers import _bridge
from timers._args import ListFilters
from timers._dialects import PRODUCTION_URL, Exchange
from timers._errors import ResponseValidationError, UnsupportedOperationError
from timers._models import (
    RunError,
    RunPage,
    TimerRun,
    build_result,
    build_run,
    status_of,
)
from timers._redact import quote
from timers._status import status_named
from timers._time import quick_datetime
from timers._validate import (
    fail,
    object_at,
    optional_string,
    required,
    string_at,
    timestamp_at,
    type_name,
    uuid_at,
    within,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "LOCAL_FILTERS",
    "MAX_PAGE_SIZE",
    "MISSING_ROUTE_HINT",
    "NAME",
    "NEWEST_FIRST",
    "RUN_ID_NAMESPACE",
    "fetch",
    "list_page",
    "parse_page",
    "run_id_for",
    "trigger",
]

NAME: Final = "jobs"
LOCAL_FILTERS: Final = True
MAX_PAGE_SIZE: Final[int | None] = None  # not published
NEWEST_FIRST: Final = False  # the order of its results is not published
MISSING_ROUTE_HINT: Final[str | None] = None
DEFAULT_BASE_URL: Final = PRODUCTION_URL
"""The spec's server (``servers[0].url`` in ``spec/globus-timers.yaml``)."""

RUN_ID_NAMESPACE: Final = uuid.UUID("5f0e3c1a-7b2d-5e4f-9a8b-0c1d2e3f4a5b")
"""The UUID namespace of derived run ids (see ``run_id_for``)."""
_NAMESPACE = RUN_ID_NAMESPACE.bytes

UNKNOWN_STATUS: Final = "unknown"
"""The status of a result that has no ``run_status`` (older payloads)."""

_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?\Z", re.ASCII)
_HTTP_STATUS_FIELDS = ("status", "http_status_polled", "http_status_submission")


def trigger(timer_id: uuid.UUID) -> NoReturn:
    raise UnsupportedOperationError(
        "run_timer is not available with api='jobs': the production Globus Timers service "
        "has no endpoint that runs a timer now"
    )


def fetch(timer_id: uuid.UUID, run_id: uuid.UUID) -> None:
    return None  # no endpoint reads one result: the core pages through the results


def list_page(filters: ListFilters, limit: int | None, marker: str | None) -> Exchange[RunPage]:
    return Exchange(
        _bridge.read_job(filters.timer_id, page_size=limit, results_pt=marker), parse_page
    )


def run_id_for(job_id: str, start_time: datetime) -> str:
    """The derived id of a result: the same every time the same result is read.

    ``uuid5(RUN_ID_NAMESPACE, f"{job_id.lower()}/{start}")`` where ``start`` is the result's
    start time in UTC as ``isoformat(timespec="microseconds")``
    (``2026-11-28T02:00:00.004117+00:00``). A timer does not start two runs at one instant.
    """
    if start_time.tzinfo is not UTC:
        start_time = start_time.astimezone(UTC)
    name = f"{job_id.lower()}/{start_time.isoformat(timespec='microseconds')}"
    # uuid.uuid5 without a UUID object (it was a third of the cost of a result): the SHA-1's
    # first 32 hex digits, digit 12 the version (5), digit 16 the RFC 4122 variant (10xx).
    h = _sha1(_NAMESPACE + name.encode(), usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_sha1 = hashlib.sha1
_VARIANT = {f"{n:x}": f"{n & 0x3 | 0x8:x}" for n in range(16)}


def parse_page(data: Any, request_id: str | None = None) -> RunPage:
    """One page of runs from a ``JobRead`` / ``FlowTimerRead`` body (all its results: the
    core applies the filters, ``LOCAL_FILTERS``).

    ``total`` is the timer's run count (``n_runs``, else ``number_of_runs`` as older v2
    payloads spell it), not the number of runs matching the filters. ``next_page`` is
    ``results.page_next``.
    """
    job = object_at(data)
    job_id = uuid_at(required(job, "job_id"), "job_id")
    is_flow = job.get("flow_id") is not None
    total = job.get("n_runs")
    if total is None:  # absent or null: older v2 payloads' spelling
        total = job.get("number_of_runs")
    if total is None:
        raise fail("n_runs", "required field is missing (and no number_of_runs)")
    if type(total) is not int or total < 0:
        raise fail("n_runs", f"expected a count of at least 0, got {quote(total)}")
    results = required(job, "results")
    if isinstance(results, list):  # older v2 payloads: a bare list, no paging
        items, path, page_next = results, "results", None
    else:
        page = object_at(results, "results")
        items, path = required(page, "data", "results"), "results.data"
        if not isinstance(items, list):
            raise fail(path, f"expected an array, got {type_name(items)}")
        page_next = optional_string(page, "page_next", "results") or None
    runs = []
    for i, item in enumerate(items):
        try:
            runs.append(_run(item, job_id, is_flow, request_id))
        except ResponseValidationError as exc:
            raise within(exc, f"{path}[{i}]") from None
    return RunPage(
        runs=tuple(runs),
        total=total,
        has_next_page=page_next is not None,
        next_page=page_next,
        request_id=request_id,
    )


def _run(data: Any, job_id: str, is_flow: bool, request_id: str | None) -> TimerRun:
    """One result as a run (a failure's path is the result's own: ``parse_page`` adds where)."""
    if type(data) is not dict:
        object_at(data)  # raises unless it is another kind of mapping
    # What the models have no place for stays on the run; absent and null are the same.
    extra = {name: value for name, value in data.items() if value is not None}
    start_name = "start_timestamp" if "start_timestamp" in extra else "ran_at"
    if start_name not in extra:
        raise fail("start_timestamp", "required field is missing (and no ran_at)")
    start = _timestamp(extra.pop(start_name), start_name)
    end = extra.pop("end_timestamp", None)
    if end is not None:
        end = _timestamp(end, "end_timestamp")
    raw_status = extra.pop("run_status", None)
    if raw_status is not None and type(raw_status) is not str:
        raise fail("run_status", f"expected a string, got {type_name(raw_status)}")
    status_code = None
    for name in _HTTP_STATUS_FIELDS:
        value = extra.get(name)
        if value is not None and type(value) is not int:
            raise fail(name, f"expected an integer, got {type_name(value)}")
        if status_code is None and value is not None:
            status_code = extra.pop(name)
    flow_run = None
    if is_flow and "resource_id" in extra:
        flow_run = extra.pop("resource_id")
        if type(flow_run) is not str:
            raise fail("resource_id", f"expected a string, got {type_name(flow_run)}")
    errors = extra.pop("errors", None)
    result = build_result(
        raw_status or UNKNOWN_STATUS,
        status_code,
        flow_run,
        None if errors is None else _error(errors, "errors"),
    )
    run_id = run_id_for(job_id, start)
    # A RunStatus where it names one (any case); absent or empty: nothing to keep.
    status = status_named(raw_status) if raw_status else status_of(UNKNOWN_STATUS)
    return build_run(
        run_id, job_id, status, start, end, result, MappingProxyType(extra), True, request_id
    )


def _error(data: Any, path: str) -> RunError:
    """``errors`` as a ``RunError``: its ``code`` (else ``"ERROR"``), its first string of
    ``message``, ``detail``, ``description`` (else ``""``), and the whole object as ``detail``."""
    obj = object_at(data, path)
    code = obj.get("code")
    texts = (obj.get(name) for name in ("message", "detail", "description"))
    message = next((text for text in texts if isinstance(text, str)), "")
    return RunError(code if isinstance(code, str) and code else "ERROR", message, obj)


def _timestamp(value: Any, path: str) -> datetime:
    """An RFC 3339 date-time; one without an offset (older payloads) is read as UTC."""
    moment = quick_datetime(value)
    if moment is not None:
        return moment
    text = string_at(value, path)
    return timestamp_at(text + "Z" if _NAIVE.match(text) else text, path)
