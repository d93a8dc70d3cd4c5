"""The floor of strict parsing in CPython: what the 1000-run page target is measured against.

Each function makes, for every run of a decoded page, the checks the client's parser makes
(types, UUIDs, RFC 3339 date-times parsed to datetimes, the result and its error; for the
jobs API also the derived run id, a SHA-1 of the timer and start), written out in one loop
with no function calls but C ones, and builds no model object. No client can check a page
strictly for less in pure Python, so ``(json.loads + floor) / json.loads`` bounds from below
the facade's page ratio. A check failing raises ``ValueError`` (the client would then name
the field); the bench first asserts that the fixture's pages pass.
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


def _moment(text: Any) -> datetime:
    if type(text) is not str or _rfc3339(text) is None:
        raise ValueError("date-time")
    return _parse(text)


def runs_page(body: dict[str, Any]) -> int:
    """The ``runs`` API's ``RunList``: returns how many runs were checked."""
    runs = body["runs"]
    if type(runs) is not list or type(body["total"]) is not int:
        raise ValueError("page")
    timer_ok = None
    for run in runs:
        if type(run) is not dict or not run.keys() <= _RUN_FIELDS:
            raise ValueError("run")
        get = run.get
        run_id, timer_id, status = get("id"), get("timer_id"), get("status")
        if type(run_id) is not str or _uuid(run_id) is None or type(status) is not str:
            raise ValueError("id or status")
        if timer_id != timer_ok:
            if type(timer_id) is not str or _uuid(timer_id) is None:
                raise ValueError("timer_id")
            timer_ok = timer_id
        if type(start := get("start_time")) is not str or _rfc3339(start) is None:
            raise ValueError("start_time")
        _parse(start)
        if (end := get("end_time")) is not None:
            if type(end) is not str or _rfc3339(end) is None:
                raise ValueError("end_time")
            _parse(end)
        if (result := get("result")) is not None:
            if type(result) is not dict or type(result.get("status")) is not str:
                raise ValueError("result")
            code, flow_run = result.get("status_code"), result.get("run_id")
            if (code is not None and type(code) is not int) or (
                flow_run is not None and type(flow_run) is not str
            ):
                raise ValueError("result fields")
            if (error := result.get("error")) is not None and (
                type(error) is not dict
                or type(error.get("code")) is not str
                or type(error.get("message")) is not str
            ):
                raise ValueError("error")
    return len(runs)


def jobs_page(body: dict[str, Any]) -> int:
    """The ``jobs`` API's ``JobRead`` with its ``results`` page: how many results were checked."""
    job_id = body["job_id"]
    if type(job_id) is not str or _uuid(job_id) is None or type(body["n_runs"]) is not int:
        raise ValueError("job")
    prefix = f"{job_id.lower()}/"
    results = body["results"]["data"]
    for item in results:
        if type(item) is not dict:
            raise ValueError("result")
        extra = {name: value for name, value in item.items() if value is not None}
        start = _moment(extra.pop("start_timestamp", None) or extra.pop("ran_at", None))
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        if (end := extra.pop("end_timestamp", None)) is not None:
            _moment(end)
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
        name = prefix + start.isoformat(timespec="microseconds")
        hashlib.sha1(_NAMESPACE + name.encode(), usedforsecurity=False).hexdigest()
    return len(results)
