"""The floor of strict parsing in CPython: what the 1000-run page target is measured against.

Each function makes, for every run of a decoded page, at least the checks the client's
parser makes (types, UUIDs, RFC 3339 date-times parsed to UTC datetimes, counts, the result
and its error with its detail; for the jobs API also the derived run id, a SHA-1 of the
timer and start), written out in one loop with as few Python-level calls as those checks
allow, and builds no model object. So ``(json.loads + floor) / json.loads`` bounds the
facade's page ratio from below for a strict parser written in Python. A failed check raises
``ValueError`` (``OverflowError`` for a time out of range once in UTC), where the client
would name the field. The bench first asserts that the fixture's pages pass;
``tests/test_bench_parse_floor.py`` checks that the floor refuses what the parsers refuse.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from timers._dialects.jobs import RUN_ID_NAMESPACE
from timers._time import RFC3339
from timers._validate import UUID_PATTERN

_uuid = UUID_PATTERN.match
_rfc3339 = RFC3339.match
_parse = datetime.fromisoformat
_RUN_FIELDS = frozenset({"id", "timer_id", "status", "start_time", "end_time", "result"})
_NAMESPACE = RUN_ID_NAMESPACE.bytes


def runs_page(body: dict[str, Any]) -> int:
    """The ``runs`` API's ``RunList``: returns how many runs were checked."""
    runs, total, following = body.get("runs"), body.get("total"), body.get("next_page")
    if type(runs) is not list or type(total) is not int or total < 0:
        raise ValueError("runs or total")
    if type(body.get("has_next_page")) is not bool or (
        following is not None and type(following) is not str
    ):
        raise ValueError("has_next_page or next_page")
    timer_ok = None
    for run in runs:
        if type(run) is not dict or not run.keys() <= _RUN_FIELDS:
            raise ValueError("run")
        get = run.get
        run_id, timer_id, status = get("id"), get("timer_id"), get("status")
        if type(run_id) is not str or type(timer_id) is not str or type(status) is not str:
            raise ValueError("id, timer_id or status")
        if _uuid(run_id) is None or (timer_id != timer_ok and _uuid(timer_id) is None):
            raise ValueError("id or timer_id")
        timer_ok = timer_id
        if type(start := get("start_time")) is not str or _rfc3339(start) is None:
            raise ValueError("start_time")
        if (moment := _parse(start)).tzinfo is not UTC:
            moment.astimezone(UTC)
        if (end := get("end_time")) is not None:
            if type(end) is not str or _rfc3339(end) is None:
                raise ValueError("end_time")
            if (moment := _parse(end)).tzinfo is not UTC:
                moment.astimezone(UTC)
        if (result := get("result")) is not None:
            if type(result) is not dict or type(result.get("status")) is not str:
                raise ValueError("result")
            code, flow_run = result.get("status_code"), result.get("run_id")
            if (code is not None and type(code) is not int) or (
                flow_run is not None and type(flow_run) is not str
            ):
                raise ValueError("result fields")
            if (error := result.get("error")) is not None:
                detail = error.get("detail") if type(error) is dict else None
                if (
                    type(error) is not dict
                    or type(error.get("code")) is not str
                    or type(error.get("message")) is not str
                    or (detail is not None and type(detail) is not dict)
                ):
                    raise ValueError("error")
    return len(runs)


def jobs_page(body: dict[str, Any]) -> int:
    """The ``jobs`` API's ``JobRead`` with its ``results`` page: how many results were checked."""
    job_id, total, page = body.get("job_id"), body.get("n_runs"), body.get("results")
    if type(job_id) is not str or _uuid(job_id) is None or type(total) is not int or total < 0:
        raise ValueError("job_id or n_runs")
    following = page.get("page_next") if type(page) is dict else None
    if type(page) is not dict or (following is not None and type(following) is not str):
        raise ValueError("results")
    results = page.get("data")
    if type(results) is not list:
        raise ValueError("results.data")
    prefix = f"{job_id.lower()}/"
    for item in results:
        if type(item) is not dict:
            raise ValueError("result")
        extra = {name: value for name, value in item.items() if value is not None}
        start = extra.pop("start_timestamp" if "start_timestamp" in extra else "ran_at", None)
        if type(start) is not str or _rfc3339(start) is None:
            raise ValueError("start_timestamp")
        if (moment := _parse(start)).tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        if (end := extra.pop("end_timestamp", None)) is not None:
            if type(end) is not str or _rfc3339(end) is None:
                raise ValueError("end_timestamp")
            if (finish := _parse(end)).tzinfo is not UTC:
                finish.astimezone(UTC)
        status = extra.pop("run_status", None)
        if status is not None and type(status) is not str:
            raise ValueError("run_status")
        for name in ("status", "http_status_polled", "http_status_submission"):
            value = extra.get(name)
            if value is not None and type(value) is not int:
                raise ValueError(name)
        flow_run = extra.pop("resource_id", None)
        if flow_run is not None and type(flow_run) is not str:
            raise ValueError("resource_id")
        if (errors := extra.pop("errors", None)) is not None and type(errors) is not dict:
            raise ValueError("errors")
        name = prefix + moment.isoformat(timespec="microseconds")
        hashlib.sha1(_NAMESPACE + name.encode(), usedforsecurity=False).hexdigest()
    return len(results)
