"""Spec-shaped JSON bodies for tests (the spec's own examples, with overrides)."""

from __future__ import annotations

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
