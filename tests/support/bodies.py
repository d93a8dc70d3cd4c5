"""Spec-shaped JSON bodies for tests (the spec's own examples, with overrides)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from support.dual import RUN_ID, TIMER_ID

JSON = {"content-type": "application/json"}


def run_json(**overrides: Any) -> dict[str, Any]:
    """A finished web-callback run (the spec's ``web_callback`` example)."""
    body: dict[str, Any] = {
        "id": RUN_ID,
        "timer_id": TIMER_ID,
        "status": "success",
        "start_time": "2026-11-28T12:00:00Z",
        "end_time": "2026-11-28T12:00:02.514Z",
        "result": {"status": "success", "status_code": 200},
    }
    body.update(overrides)
    return body


def failed_run_json(**overrides: Any) -> dict[str, Any]:
    """A failed run with an error and details (the spec's ``failed`` example)."""
    return run_json(
        status="failure",
        result={
            "status": "failure",
            "status_code": 503,
            "error": {
                "code": "CALLBACK_FAILED",
                "message": "The web callback answered 503 Service Unavailable.",
                "detail": {"url": "https://example.org/hooks/nightly", "attempts": 3},
            },
        },
        **overrides,
    )


def numbered_runs(count: int, *, start: int = 0, timer_id: str = TIMER_ID) -> list[dict[str, Any]]:
    """``count`` distinct runs, newest first, one hour apart."""
    newest = datetime(2026, 11, 28, 12, tzinfo=UTC)
    return [
        run_json(
            id=str(uuid.UUID(int=i + 1)),
            timer_id=timer_id,
            start_time=(newest - timedelta(hours=i)).isoformat().replace("+00:00", "Z"),
            end_time=(newest - timedelta(hours=i) + timedelta(seconds=2))
            .isoformat()
            .replace("+00:00", "Z"),
        )
        for i in range(start, start + count)
    ]


def page_json(
    runs: list[dict[str, Any]], *, total: int | None = None, next_page: str | None = None
) -> dict[str, Any]:
    return {
        "runs": runs,
        "total": len(runs) if total is None else total,
        "has_next_page": next_page is not None,
        "next_page": next_page,
    }


def error_json(code: str, message: str, request_id: str = "req-123") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id}


# -- the jobs API (spec/globus-timers.yaml) ---------------------------------------------------


def job_result(start: datetime, **overrides: Any) -> dict[str, Any]:
    """A finished ``JobResult`` that started at ``start`` (the spec's ``first_page`` example)."""
    end = start + timedelta(seconds=221)
    body: dict[str, Any] = {
        "ran_at": end.isoformat(),
        "run_status": "SUCCEEDED",
        "start_timestamp": start.isoformat(),
        "end_timestamp": end.isoformat(),
        "status": 202,
        "http_status_submission": 202,
        "http_status_polled": 200,
        "resource_id": "15jfdBESgveZQ",
        "data": {"action_id": "15jfdBESgveZQ", "status": "SUCCEEDED"},
        "errors": None,
    }
    body.update(overrides)
    return body


def numbered_results(count: int, *, start: int = 0) -> list[dict[str, Any]]:
    """``count`` distinct results, newest first, one day apart."""
    newest = datetime(2026, 11, 28, 2, tzinfo=UTC)
    return [job_result(newest - timedelta(days=i)) for i in range(start, start + count)]


def job_json(
    results: list[dict[str, Any]],
    *,
    page_next: str | None = None,
    job_id: str = TIMER_ID,
    n_runs: int | None = None,
    flow_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A ``JobRead`` (or, with ``flow_id``, a ``FlowTimerRead``) with one page of results."""
    body: dict[str, Any] = {
        "name": "Nightly backup",
        "timer_type": "flow" if flow_id else "transfer",
        "callback_url": "https://actions.automate.globus.org/transfer/transfer/run",
        "callback_body": {"body": {"label": "Nightly backup"}},
        "start": "2026-11-01T02:00:00+00:00",
        "job_id": job_id,
        "status": "loaded",
        "submitted_at": "2026-10-31T18:12:44.120391+00:00",
        "n_runs": len(results) if n_runs is None else n_runs,
        "n_errors": 0,
        "results": {"data": results, "page_next": page_next},
        "schedule": {
            "type": "recurring",
            "interval_seconds": 86400,
            "start": "2026-11-01T02:00:00+00:00",
            "end": None,
        },
        "stop_after": {"date": None, "n_runs": None},
    }
    if flow_id:
        body["flow_id"] = flow_id
    body.update(overrides)
    return body


def with_value(body: dict[str, Any], value: Any, *path: str | int) -> dict[str, Any]:
    """A copy of ``body`` with the field at ``path`` (keys and list indexes) set to ``value``."""
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy
