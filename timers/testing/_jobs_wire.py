"""How the ``jobs`` API (``spec/globus-timers.yaml``) spells the shared state and its errors.

A timer is a ``JobRead`` (web callback) or a ``FlowTimerRead`` (flow callback: ``flow_id`` is
the timer's flow), with one page of its runs as ``results``. The fake's choices, where the
production service publishes none:

- a web timer is ``timer_type: "generic"`` calling its hook URL; a flow timer is
  ``timer_type: "flow"`` calling ``https://flows.automate.globus.org/flows/<flow_id>/run``.
  Every timer is ``status: "loaded"`` (active), recurring every ``interval`` (one hour, or the
  interval of its last ``seed_history``), starting at its oldest run (or when it was added),
  with no stop condition. ``submitted_at`` is its ``start``. ``n_runs`` counts its runs and
  ``n_errors`` its failed ones (as of now); ``activity`` is ``run_in_progress`` while its
  newest run is unfinished, else ``awaiting_next_run``.
- a run is a ``JobResult``: ``start_timestamp`` and ``ran_at`` are its start,
  ``end_timestamp`` its end (``null`` until it finishes, and so is ``last_check_timestamp``),
  ``run_status`` its status in upper case (``PENDING``, ``IN_PROGRESS``, ``SUCCESS``,
  ``FAILURE``; any other status as it was given). A web run has ``status`` and
  ``http_status_submission`` = the HTTP status its callback answered; a flow run has
  ``resource_id`` = its flow run id. A failure's ``errors`` is ``{"code", "message",
  "detail"}``, ``null`` otherwise.
- errors: 422 is FastAPI's ``HTTPValidationError`` (``{"detail": [{"loc", "msg", "type"}]}``);
  every other error is the Timers error object ``{"error": {"code", "detail", "status"}}``
  (``X-Request-Id`` carries the request id).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from timers.testing._records import Run, Timer
from timers.testing._replies import error_code, status_phrase
from timers.testing._wire import format_datetime

__all__ = ["job_json", "job_result", "jobs_error_body", "run_status", "validation_problem"]

_UPPER_CASE: Final = ("pending", "in_progress", "success", "failure")
_FLOWS_URL: Final = "https://flows.automate.globus.org/flows"


def run_status(status: str) -> str:
    """The ``run_status`` of a run with this status: upper case if known, else as given."""
    return status.upper() if status in _UPPER_CASE else status


def validation_problem(location: tuple[str, str], message: str, kind: str) -> dict[str, Any]:
    """One FastAPI validation problem: ``{"loc": [...], "msg": ..., "type": ...}``."""
    return {"loc": list(location), "msg": message, "type": kind}


def jobs_error_body(status: int, request_id: str, message: str | None) -> dict[str, Any]:
    """The ``jobs`` API's error body (an ``ErrorBody``): FastAPI's validation list for 422,
    else ``{"error": {"code", "detail", "status"}}``. The request id is in ``X-Request-Id``."""
    text = message or f"{status_phrase(status)}."
    if status == 422:
        return {"detail": [validation_problem(("request", "query"), text, "value_error")]}
    return {"error": {"code": error_code(status), "detail": text, "status": status}}


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment)


def job_result(run: Run, now: datetime, *, flow: bool) -> dict[str, Any]:
    """The run's ``JobResult`` as of ``now`` (see the module docstring)."""
    status, end, result = run.state(now)
    started = format_datetime(run.start_time)
    item: dict[str, Any] = {
        "ran_at": started,
        "run_status": run_status(status),
        "start_timestamp": started,
        "end_timestamp": _timestamp(end),
        "last_check_timestamp": _timestamp(end),
    }
    outcome = result if isinstance(result, dict) else {}  # add_run takes any JSON
    code = outcome.get("status_code")
    if not flow and type(code) is int:
        item["status"] = item["http_status_submission"] = code
    flow_run = outcome.get("run_id")
    if flow and isinstance(flow_run, str):
        item["resource_id"] = flow_run
    error = outcome.get("error")
    item["errors"] = error if isinstance(error, dict) else None
    return item


def _schedule_times(timer: Timer, now: datetime) -> tuple[datetime, datetime]:
    """``(start, next_run)``: the timer starts at its oldest run (or when it was added) and
    runs every ``timer.interval`` from then on."""
    created = timer.created_at
    start = min(created, timer.keys[0][0]) if timer.keys else created
    interval = max(timer.interval, timedelta(seconds=1))
    if now < start:
        return start, start
    return start, start + ((now - start) // interval + 1) * interval


def _callback(timer: Timer) -> dict[str, Any]:
    """The callback fields: a web hook, or a flow's run URL with the flow's scope."""
    if timer.callback == "web":
        hook = timer.target.rstrip("/").rpartition("/")[2]
        return {
            "name": f"Web hook {hook}",
            "scope": None,
            "timer_type": "generic",
            "callback_url": timer.target,
            "callback_body": {"body": {"timer_id": timer.id}},
        }
    flow = timer.target
    return {
        "name": f"Flow {flow[:8]}",
        "scope": f"https://auth.globus.org/scopes/{flow}/flow_{flow.replace('-', '_')}_user",
        "timer_type": "flow",
        "callback_url": f"{_FLOWS_URL}/{flow}/run",
        "callback_body": {"body": {"input": {"timer_id": timer.id}}},
    }


def _failures(timer: Timer, now: datetime) -> int:
    return sum(
        1
        for run in timer.runs.values()
        if run.status == "failure" and run.state(now)[0] == "failure"
    )


def job_json(timer: Timer, runs: list[Run], page_next: str | None, now: datetime) -> dict[str, Any]:
    """The timer as ``JobRead`` / ``FlowTimerRead`` as of ``now``, ``runs`` (newest first) as
    its ``results`` page and ``page_next`` as that page's ``page_next``."""
    flow = timer.callback == "flow"
    start, next_run = _schedule_times(timer, now)
    newest = timer.runs[timer.keys[-1][1]] if timer.keys else None
    interval = max(timer.interval, timedelta(seconds=1))
    activity: dict[str, Any] = {"code": "awaiting_next_run", "next_run": format_datetime(next_run)}
    if newest is not None and newest.state(now)[0] in ("pending", "in_progress"):
        activity = {
            "code": "run_in_progress",
            "start_timestamp": format_datetime(newest.start_time),
            "duration_seconds": max(0.0, (now - newest.start_time).total_seconds()),
        }
    body: dict[str, Any] = {
        **_callback(timer),
        "interval": interval.total_seconds(),
        "start": format_datetime(start),
        "inactive_reason": None,
        "job_id": timer.id,
        "status": "loaded",
        "submitted_at": format_datetime(start),
        "last_ran_at": None if newest is None else format_datetime(newest.start_time),
        "next_run": format_datetime(next_run),
        "n_runs": len(timer.runs),
        "n_errors": _failures(timer, now),
        "results": {
            "data": [job_result(run, now, flow=flow) for run in runs],
            "page_next": page_next,
        },
        "schedule": {
            "type": "recurring",
            "interval_seconds": round(interval.total_seconds()),
            "start": format_datetime(start),
            "end": None,
        },
        "stop_after": {"date": None, "n_runs": None},
        "activity": activity,
    }
    if flow:
        body["flow_id"] = timer.target
    return body
