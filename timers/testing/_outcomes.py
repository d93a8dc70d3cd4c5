"""Realistic outcomes of a timer's callback: the ``result`` of a finished run and how long it ran.

A web callback's result carries the HTTP status code it answered; a flow callback's result
carries the id of the flow run it started. A failure carries a ``RunError``
(``code``, ``message``, ``detail``). Every choice comes from the ``random.Random`` passed in,
so a seeded service tells the same story every time.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from http import HTTPStatus
from typing import Any, Literal

__all__ = ["Callback", "callback_target", "random_uuid", "realistic_duration", "realistic_result"]

Callback = Literal["web", "flow"]

_HOOK_NAMES = ("nightly", "hourly-sync", "backup", "report", "cleanup", "ingest")
_WEB_SUCCESS_CODES = (200, 200, 200, 200, 201, 202, 204)
_WEB_FAILURE_CODES = (500, 502, 503, 503, 504)


def random_uuid(rng: random.Random) -> str:
    """A version 4 UUID drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def callback_target(rng: random.Random, callback: Callback) -> str:
    """What a timer calls: a web hook URL, or a flow id."""
    if callback == "web":
        return f"https://example.org/hooks/{rng.choice(_HOOK_NAMES)}"
    return random_uuid(rng)


def realistic_duration(rng: random.Random, callback: Callback, *, success: bool) -> timedelta:
    """How long a finished run took: web calls are quick unless retried, flows take longer."""
    if callback == "web":
        seconds = rng.uniform(0.2, 5.0) if success else rng.uniform(10.0, 60.0)
    else:
        seconds = rng.uniform(2.0, 600.0)
    return timedelta(milliseconds=round(seconds * 1000))


def realistic_result(
    rng: random.Random, callback: Callback, target: str, *, success: bool
) -> dict[str, Any]:
    """The ``result`` of a finished run (``RunResult`` in the spec).

    It has exactly the fields that apply: ``status``; ``status_code`` (web) or ``run_id``
    (flow, ``null`` when the flow could not be started); ``error`` only on failure.
    """
    status = "success" if success else "failure"
    if callback == "web":
        if success:
            return {"status": status, "status_code": rng.choice(_WEB_SUCCESS_CODES)}
        code = rng.choice(_WEB_FAILURE_CODES)
        attempts = rng.choice((1, 3, 3))
        return {
            "status": status,
            "status_code": code,
            "error": {
                "code": "CALLBACK_FAILED",
                "message": f"The web callback answered {code} {HTTPStatus(code).phrase}.",
                "detail": {"url": target, "attempts": attempts},
            },
        }
    if success:
        return {"status": status, "run_id": random_uuid(rng)}
    if rng.random() < 0.75:
        state = rng.choice(("FAILED", "FAILED", "INACTIVE"))
        return {
            "status": status,
            "run_id": random_uuid(rng),
            "error": {
                "code": "FLOW_RUN_FAILED",
                "message": f"The flow run ended in state {state}.",
                "detail": {"flow_id": target, "state": state},
            },
        }
    return {
        "status": status,
        "run_id": None,
        "error": {
            "code": "FLOW_START_FAILED",
            "message": "The flow could not be started: consent is required for its scopes.",
            "detail": {"flow_id": target, "http_status": 403},
        },
    }
