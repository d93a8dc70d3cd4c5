"""The routes of ``spec/globus-timers.yaml``: ``GET /jobs/{job_id}`` and ``GET /jobs/``.

The same timers and runs as the runs API (one ``ServiceState``), as the production service
shows them: a timer with one page of its runs in ``results``. ``JobsApi.match`` takes
``.../jobs/{job_id}`` (``read_job``) and ``.../jobs/`` (``list_jobs``) after any prefix
through ``handle()``; served, only at the root (``http://127.0.0.1:PORT/jobs/...``), as in
production, and through ``mock()`` only under the path of its jobs base URL.
Only GET is taken (405 with ``Allow: GET`` otherwise). How timers and runs are spelled, and the
error bodies, are ``_jobs_wire``'s.

A matched, authenticated request is checked as FastAPI would, all problems in one 422
``HTTPValidationError``: ``job_id`` a UUID (any case); ``page_size`` an integer 1..1000
(default ``DEFAULT_PAGE_SIZE``, 50); ``results_pt`` a ``page_next`` this service issued;
``result_count`` an integer; ``filter_active`` / ``filter_stopped`` booleans (``true``/``false``,
``1``/``0``, ``yes``/``no``, ``on``/``off``). A parameter given twice counts once, the last
value (as in FastAPI); undeclared parameters are ignored. Then an unknown timer gets 404.

``read_job``: ``results`` is one page of the timer's runs, newest first, paged exactly as the
runs listing (``_listing``): ``page_next`` is the opaque position after the page's last run,
``null`` on the last page, so runs created between pages are neither skipped nor repeated.

``list_jobs``: ``{"jobs": [...]}``, every timer in the order it was added, each with the first
page of its results (``result_count`` runs, default ``DEFAULT_PAGE_SIZE``, clamped to
0..1000; its ``page_next`` continues with ``read_job``). Filters: ``filter_name`` (substring,
any case), ``submitted_after`` / ``submitted_before`` (RFC 3339 date-times; a value that is
not one is ignored, the spec types them as plain strings), ``filter_status`` (comma-separated;
every timer here is ``active``), ``filter_active`` / ``filter_stopped`` (``true`` means
``filter_status=active`` / ``ended``), ``order`` (``FIELD [asc|desc]``; a field a timer does
not have leaves the order as it is).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from timers.testing._answering import Prefixes, Route, WrongMethod
from timers.testing._jobs_wire import job_json, jobs_error_body, validation_problem
from timers.testing._listing import RunFilter, list_oldest_first, list_runs, marker_position
from timers.testing._records import Timer
from timers.testing._replies import Reply, json_reply, shaped_error_reply
from timers.testing._state import ServiceState
from timers.testing._wire import canonical_uuid, decode_marker, encode_marker, parse_datetime

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "OPERATIONS", "JobsApi"]

DEFAULT_PAGE_SIZE: Final = 50
"""How many runs a ``results`` page holds when the request gives no ``page_size``."""

MAX_PAGE_SIZE: Final = 1000
"""The largest ``page_size`` the jobs API takes (a larger one is a 422)."""

OPERATIONS: Final = ("read_job", "list_jobs")
"""The operation names of ``spec/globus-timers.yaml``, as ``fail_next``/``drop_next`` take them."""

_ROUTE = re.compile(r"(?P<prefix>.*)/jobs/(?P<job_id>[^/]*)")
# As FastAPI reads an int: any length Python's int() takes (sys.get_int_max_str_digits()).
_INTEGER = re.compile(r"[+-]?[0-9]{1,4300}", re.A)
_TRUE: Final = frozenset(("1", "on", "t", "true", "y", "yes"))
_FALSE: Final = frozenset(("0", "off", "f", "false", "n", "no"))
_STATUSES_SHOWN: Final = frozenset(("active",))  # every timer here is active (``loaded``)
_DATE_FIELDS: Final = frozenset(("start", "submitted_at", "last_ran_at", "next_run"))

Problems = list[dict[str, Any]]


class _Query:
    """A query string read as FastAPI reads it, collecting 422 problems on the way."""

    def __init__(self, query: str) -> None:
        self.values = dict(parse_qsl(query, keep_blank_values=True))  # the last value wins
        self.problems: Problems = []

    def problem(self, name: str, message: str, kind: str) -> None:
        self.problems.append(validation_problem(("query", name), message, kind))

    def integer(self, name: str) -> int | None:
        text = self.values.get(name)
        if text is None:
            return None
        if not _INTEGER.fullmatch(text):
            self.problem(name, "value is not a valid integer", "type_error.integer")
            return None
        return int(text)

    def boolean(self, name: str) -> bool | None:
        text = self.values.get(name)
        if text is None:
            return None
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        self.problem(name, "value could not be parsed to a boolean", "type_error.bool")
        return None


class JobsApi:
    """The ``jobs`` dialect (``/jobs/``, ``/jobs/{job_id}``), an ``Api`` for ``Answerer``."""

    operations: Final = OPERATIONS

    def __init__(self, state: ServiceState, *, oldest_first: bool) -> None:
        self._state = state
        self._oldest_first = oldest_first  # the order of a timer's results

    def match(
        self, method: str, path: str, prefixes: Prefixes | None
    ) -> Route | WrongMethod | None:
        """See ``Api.match``: any prefix in-process; else only ``prefixes.jobs`` (served, the
        root)."""
        found = _ROUTE.fullmatch(path)
        if found is None or (prefixes is not None and found["prefix"] != prefixes.jobs):
            return None
        if method != "GET":
            return WrongMethod("GET", jobs_error_body)
        if not found["job_id"]:
            return Route("list_jobs", self._list_jobs, jobs_error_body)
        respond = functools.partial(self._read_job, unquote(found["job_id"]))
        return Route("read_job", respond, jobs_error_body)

    # --- read_job ----------------------------------------------------------------------------

    def _read_job(self, job_id: str, query: str, request_id: str) -> Reply:
        given = _Query(query)
        timer_id = canonical_uuid(job_id)
        if timer_id is None:
            given.problems.append(
                validation_problem(
                    ("path", "job_id"), "value is not a valid uuid", "type_error.uuid"
                )
            )
        marker = None
        if "results_pt" in given.values:
            marker = decode_marker(given.values["results_pt"])
            if marker is None:
                given.problem("results_pt", _BAD_MARKER, "value_error.results_pt")
        page_size = given.integer("page_size")
        if page_size is not None and page_size < 1:
            given.problem(*_bound("page_size", 1, "ge"))
        elif page_size is not None and page_size > MAX_PAGE_SIZE:
            given.problem(*_bound("page_size", MAX_PAGE_SIZE, "le"))
        if given.problems:
            return json_reply(422, {"detail": given.problems}, request_id)
        timer = self._state.timers.get(timer_id or "")
        if timer is None:
            return shaped_error_reply(
                jobs_error_body, 404, request_id, f"No timer with id {timer_id}."
            )
        after = None if marker is None else marker_position(timer, *marker)
        if marker is not None and after is None:  # names a run this timer does not have
            given.problem("results_pt", _BAD_MARKER, "value_error.results_pt")
            return json_reply(422, {"detail": given.problems}, request_id)
        limit = DEFAULT_PAGE_SIZE if page_size is None else page_size
        return json_reply(200, self._job(timer, limit, after), request_id)

    def _job(self, timer: Timer, limit: int, after: tuple[datetime, str] | None) -> dict[str, Any]:
        now = self._state.now()
        if self._oldest_first:
            page = list_oldest_first(timer, limit, after)
        else:
            page = list_runs(timer, RunFilter(limit, after=after), now)
        position = page.next_position
        page_next = None if position is None else encode_marker(*position)
        return job_json(timer, page.runs, page_next, now)

    # --- list_jobs ---------------------------------------------------------------------------

    def _list_jobs(self, query: str, request_id: str) -> Reply:
        given = _Query(query)
        count = given.integer("result_count")
        active = given.boolean("filter_active")
        stopped = given.boolean("filter_stopped")
        if given.problems:
            return json_reply(422, {"detail": given.problems}, request_id)
        limit = DEFAULT_PAGE_SIZE if count is None else min(max(count, 0), MAX_PAGE_SIZE)
        wanted = _wanted_statuses(given.values.get("filter_status"), active, stopped)
        keep = _name_and_date_filter(given.values)
        jobs = []
        if wanted & _STATUSES_SHOWN:
            for timer in self._state.timers.values():
                job = self._job(timer, limit, None)
                if keep(job):
                    jobs.append(job)
        _order(jobs, given.values.get("order"))
        return json_reply(200, {"jobs": jobs}, request_id)


_BAD_MARKER: Final = "results_pt is not a page_next value of this service"


def _bound(name: str, limit: int, side: str) -> tuple[str, str, str]:
    relation = "greater than" if side == "ge" else "less than"
    return (
        name,
        f"ensure this value is {relation} or equal to {limit}",
        f"value_error.number.not_{side}",
    )


def _wanted_statuses(text: str | None, active: bool | None, stopped: bool | None) -> set[str]:
    """The timer statuses asked for: ``filter_status`` (default all three), narrowed by the
    deprecated ``filter_active`` / ``filter_stopped`` when they are true."""
    wanted = {"active", "inactive", "ended"}
    if text:
        wanted = {part.strip().lower() for part in text.split(",") if part.strip()} or wanted
    if active:
        wanted &= {"active"}
    if stopped:
        wanted &= {"ended"}
    return wanted


def _name_and_date_filter(values: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    name = (values.get("filter_name") or "").lower()
    after = parse_datetime(values.get("submitted_after") or "")
    before = parse_datetime(values.get("submitted_before") or "")

    def keep(job: dict[str, Any]) -> bool:
        submitted = parse_datetime(job["submitted_at"])
        assert submitted is not None  # the fake writes it
        if name and name not in (job.get("name") or "").lower():
            return False
        if after is not None and not submitted > after:
            return False
        return before is None or submitted < before

    return keep


def _order(jobs: list[dict[str, Any]], text: str | None) -> None:
    """Sort ``jobs`` in place by ``FIELD [asc|desc]``; unknown fields change nothing.
    Timers without a value for the field come last either way."""
    parts = (text or "").split()
    if not parts or len(parts) > 2 or not any(parts[0] in job for job in jobs):
        return
    if len(parts) == 2 and parts[1].lower() not in ("asc", "desc"):
        return
    field = parts[0]
    descending = len(parts) == 2 and parts[1].lower() == "desc"

    def value(job: dict[str, Any]) -> Any:
        raw = job.get(field)
        if field in _DATE_FIELDS and isinstance(raw, str):
            return parse_datetime(raw)
        return raw if isinstance(raw, str | int | float) else None

    present = [job for job in jobs if value(job) is not None]
    missing = [job for job in jobs if value(job) is None]
    try:
        present.sort(key=value, reverse=descending)
    except TypeError:  # values of different types: leave the order as it is
        return
    jobs[:] = present + missing
