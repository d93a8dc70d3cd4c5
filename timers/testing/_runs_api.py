"""The routes of ``spec/timers-runs.yaml``: its three run operations over the shared state.

``RunsApi.match`` takes ``.../timers/{timer_id}/run`` (POST, ``run_timer``),
``.../timers/{timer_id}/runs`` (GET, ``list_timer_runs``) and
``.../timers/{timer_id}/runs/{run_id}`` (GET, ``get_timer_run``), after any prefix through
``handle()``, or after exactly the base path when served or routed by ``mock()``. A matched,
authenticated request is then checked, in this order (steps 6-8 of ``FakeTimersService``'s
list):

6. Path ids must be UUIDs (8-4-4-4-12 hex, any case), else 422 ``UNPROCESSABLE_ENTITY`` with
   one ``INVALID_UUID`` entry per bad id in ``errors`` (``location: path.timer_id``).
7. ``list_timer_runs`` query parameters, else 400 ``INVALID_PARAMETER`` with one entry per
   problem (``location: query.<name>``): ``limit`` an integer 1..1000 (default 50),
   ``marker`` a ``next_page`` value, ``status`` one of the four ``RunStatus`` values,
   ``start_after`` / ``start_before`` RFC 3339 date-times with an offset. A declared parameter
   given twice is an error; undeclared parameters are ignored (so are query parameters of the
   other two operations, which declare none).
8. The timer (404 ``NOT_FOUND``), then the run (404 ``NOT_FOUND``) must exist. Then the
   operation runs: 201 ``TimerRun``, 200 ``RunList`` or 200 ``TimerRun``.

Paging itself is ``_listing``'s; this module spells its parameters and its markers.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Final
from urllib.parse import parse_qsl, unquote

from timers.testing._answering import Prefixes, Route, WrongMethod
from timers.testing._listing import RunFilter, list_runs, marker_position
from timers.testing._replies import Reply, error_reply, json_reply
from timers.testing._state import ServiceState
from timers.testing._wire import canonical_uuid, decode_marker, encode_marker, parse_datetime

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "OPERATIONS", "RunsApi"]

DEFAULT_LIMIT: Final = 50
"""Page size of ``list_timer_runs`` when the request gives no ``limit``."""

MAX_LIMIT: Final = 1000
"""The largest ``limit`` ``list_timer_runs`` takes (a larger one is a 400, as the spec says)."""

OPERATIONS: Final = ("run_timer", "list_timer_runs", "get_timer_run")
"""The spec's ``operationId`` values, as ``fail_next``/``drop_next`` take them."""

_RUN_STATUSES: Final = ("pending", "in_progress", "success", "failure")
_LIST_PARAMETERS: Final = ("limit", "marker", "status", "start_after", "start_before")
_BAD_MARKER: Final = "marker is not a next_page value of this service."

_ROUTE = re.compile(
    r"(?P<prefix>.*)/timers/(?P<timer_id>[^/]+)/(?:(?P<run>run)|runs(?:/(?P<run_id>[^/]+))?)"
)
_DIGITS = re.compile(r"[0-9]+", re.A)


class RunsApi:
    """The ``timers-runs`` dialect (``/timers/{timer_id}/runs``), an ``Api`` for ``Answerer``."""

    operations: Final = OPERATIONS

    def __init__(self, state: ServiceState) -> None:
        self._state = state

    def match(
        self, method: str, path: str, prefixes: Prefixes | None
    ) -> Route | WrongMethod | None:
        """See ``Api.match``: any prefix, or only ``prefixes.runs`` when given."""
        found = _ROUTE.fullmatch(path)
        if found is None or (prefixes is not None and found["prefix"] != prefixes.runs):
            return None
        if found["run"]:
            operation, allowed = "run_timer", "POST"
        elif found["run_id"] is None:
            operation, allowed = "list_timer_runs", "GET"
        else:
            operation, allowed = "get_timer_run", "GET"
        if method != allowed:
            return WrongMethod(allowed)
        timer_id = unquote(found["timer_id"])
        run_id = None if found["run_id"] is None else unquote(found["run_id"])
        return Route(operation, functools.partial(self._respond, operation, timer_id, run_id))

    def _respond(
        self, operation: str, timer_id: str, run_id: str | None, query: str, request_id: str
    ) -> Reply:
        ids = {"timer_id": timer_id} if run_id is None else {"timer_id": timer_id, "run_id": run_id}
        bad_ids = [
            {
                "code": "INVALID_UUID",
                "message": f"{name} is not a valid UUID.",
                "location": f"path.{name}",
            }
            for name, value in ids.items()
            if canonical_uuid(value) is None
        ]
        if bad_ids:
            return error_reply(422, request_id, bad_ids[0]["message"], errors=bad_ids)
        timer_id = timer_id.lower()
        if operation == "list_timer_runs":
            return self._list_runs(timer_id, query, request_id)
        state = self._state
        timer = state.timers.get(timer_id)
        if timer is None:
            return error_reply(404, request_id, f"No timer with id {timer_id}.")
        if operation == "run_timer":
            return json_reply(201, state.trigger(timer).to_json(state.now()), request_id)
        run_id = (run_id or "").lower()
        run = timer.runs.get(run_id)
        if run is None:
            return error_reply(404, request_id, f"No run with id {run_id} for this timer.")
        return json_reply(200, run.to_json(state.now()), request_id)

    def _list_runs(self, timer_id: str, query: str, request_id: str) -> Reply:
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            values.setdefault(name, []).append(value)
        problems: list[dict[str, str]] = []

        def problem(name: str, message: str) -> None:
            problems.append(
                {"code": "INVALID_PARAMETER", "message": message, "location": f"query.{name}"}
            )

        given: dict[str, str] = {}
        for name in _LIST_PARAMETERS:
            if len(values.get(name, ())) > 1:
                problem(name, f"{name} must be given at most once.")
            elif name in values:
                given[name] = values[name][0]

        limit = DEFAULT_LIMIT
        if "limit" in given:
            text = given["limit"]
            if _DIGITS.fullmatch(text) and 1 <= int(text) <= MAX_LIMIT:
                limit = int(text)
            else:
                problem("limit", f"limit must be an integer between 1 and {MAX_LIMIT}.")
        status = given.get("status")
        if status is not None and status not in _RUN_STATUSES:
            problem("status", f"status must be one of {', '.join(_RUN_STATUSES)}.")
        bounds: dict[str, datetime] = {}
        for name in ("start_after", "start_before"):
            if name in given:
                moment = parse_datetime(given[name])
                if moment is None:
                    problem(name, f"{name} must be an RFC 3339 date-time with an offset.")
                else:
                    bounds[name] = moment
        timer = self._state.timers.get(timer_id)
        after = None
        if "marker" in given:
            marker = decode_marker(given["marker"])
            if marker is None:
                problem("marker", _BAD_MARKER)
            elif timer is not None:
                after = marker_position(timer, *marker)
                if after is None:  # a marker naming a run this timer does not have
                    problem("marker", _BAD_MARKER)
        if problems:
            message = problems[0]["message"] if len(problems) == 1 else "Invalid query parameters."
            return error_reply(400, request_id, message, errors=problems)
        if timer is None:
            return error_reply(404, request_id, f"No timer with id {timer_id}.")

        wanted = RunFilter(
            limit, status, bounds.get("start_after"), bounds.get("start_before"), after
        )
        now = self._state.now()
        page = list_runs(timer, wanted, now)
        position = page.next_position
        body = {
            "runs": [run.to_json(now) for run in page.runs],
            "total": page.total,
            "has_next_page": page.has_next,
            "next_page": None if position is None else encode_marker(*position),
        }
        return json_reply(200, body, request_id)
