"""``FakeTimersService``: an in-memory implementation of ``spec/timers-runs.yaml``.

How a request is answered, in order (the first step that decides wins):

1. It is recorded in ``service.requests``.
2. A queued fault (``fail_next`` / ``drop_next``) for this operation takes over: an injected
   response, or a dropped connection (``after_processing=True`` drops it after step 8).
3. ``Authorization: Bearer <token>`` with a known token, else 401 ``AUTHENTICATION_ERROR``.
4. The path must be ``.../timers/{timer_id}/run``, ``.../timers/{timer_id}/runs`` or
   ``.../timers/{timer_id}/runs/{run_id}`` (in-process any prefix; served, ``/api/v1``),
   else 404 ``NOT_FOUND``.
5. The method must be the one the spec declares for that path, else 405
   ``METHOD_NOT_ALLOWED`` with an ``Allow`` header. The spec declares no 405 (nor any response
   for undeclared methods); 405 with ``Allow`` is what RFC 9110 asks for.
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

Every response is JSON (``Content-Type: application/json``) with an ``X-Request-Id`` header;
error bodies are the spec's ``Error`` (``code``, ``message``, ``request_id``, maybe
``errors``). A run always has ``end_time`` and ``result`` (``null`` until it finishes); a
result has only the fields that apply (``status_code`` for web, ``run_id`` for flow callbacks,
``error`` on failure). Date-times are RFC 3339 in UTC with ``Z`` and millisecond precision.

Runs are listed newest first by ``start_time``, ties broken by id (descending). A marker names
the position after the last run of its page, so runs created between page fetches are neither
skipped nor repeated.
"""

from __future__ import annotations

import bisect
import copy
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import parse_qsl, unquote

import attrs
import httpx

from timers.testing._outcomes import (
    Callback,
    callback_target,
    random_uuid,
    realistic_duration,
    realistic_result,
)
from timers.testing._wire import (
    canonical_uuid,
    decode_marker,
    encode_marker,
    format_datetime,
    parse_datetime,
    truncate_to_milliseconds,
)

if TYPE_CHECKING:
    import respx

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_LIMIT", "OPERATIONS", "FakeTimersService"]

DEFAULT_BASE_URL: Final = "https://timer.automate.globus.org/api/v1"
"""Where ``FakeTimersService.mock()`` answers by default (the real service's base URL)."""

DEFAULT_LIMIT: Final = 50
"""Page size of ``list_timer_runs`` when the request gives no ``limit``."""

MAX_LIMIT: Final = 1000
OPERATIONS: Final = ("run_timer", "list_timer_runs", "get_timer_run")
"""The spec's ``operationId`` values, as ``fail_next``/``drop_next`` take them."""

_RUN_STATUSES: Final = ("pending", "in_progress", "success", "failure")
_FINAL_STATUSES: Final = ("success", "failure")
_LIST_PARAMETERS: Final = ("limit", "marker", "status", "start_after", "start_before")
_DROP_MESSAGE: Final = "Server disconnected without sending a response."

_ROUTE = re.compile(
    r"(?P<prefix>.*)/timers/(?P<timer_id>[^/]+)/(?:(?P<run>run)|runs(?:/(?P<run_id>[^/]+))?)"
)
_BEARER = re.compile(r"[ \t]*bearer[ \t]+(?P<token>[^ \t]+)[ \t]*", re.I)
_DIGITS = re.compile(r"[0-9]+", re.A)

_ERROR_CODES: Final = {
    400: "INVALID_PARAMETER",
    401: "AUTHENTICATION_ERROR",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


@attrs.frozen
class _Reply:
    """A response before it is put on a transport: status, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class _Drop:
    """The connection is dropped instead of answered."""


_DROP: Final = _Drop()


@attrs.define
class _Run:
    id: str
    timer_id: str
    start_time: datetime
    status: str  # the final status of a live run; the fixed status of any other run
    end_time: datetime | None
    result: dict[str, Any] | None
    # Set for runs that go through the lifecycle (pending -> in_progress -> final).
    pending_until: datetime | None = None

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.start_time, self.id)

    def state(self, now: datetime) -> tuple[str, datetime | None, dict[str, Any] | None]:
        if self.pending_until is not None and self.end_time is not None:
            if now < self.pending_until:
                return "pending", None, None
            if now < self.end_time:
                return "in_progress", None, None
        return self.status, self.end_time, self.result

    def to_json(self, now: datetime) -> dict[str, Any]:
        status, end_time, result = self.state(now)
        return {
            "id": self.id,
            "timer_id": self.timer_id,
            "status": status,
            "start_time": format_datetime(self.start_time),
            "end_time": None if end_time is None else format_datetime(end_time),
            "result": result,
        }


@attrs.define
class _Timer:
    id: str
    callback: Callback
    failure_rate: float
    target: str  # the web hook URL or the flow id
    rng: random.Random
    runs: dict[str, _Run] = attrs.Factory(dict)
    keys: list[tuple[datetime, str]] = attrs.Factory(list)  # sorted ascending
    histories: int = 0

    def add(self, runs: list[_Run]) -> None:
        for run in runs:
            if run.id in self.runs:
                raise ValueError(f"timer {self.id} already has a run {run.id}")
        for run in runs:
            self.runs[run.id] = run
        if len(runs) == 1:
            bisect.insort(self.keys, runs[0].key)
        else:
            self.keys.extend(run.key for run in runs)
            self.keys.sort()

    def new_run_id(self, rng: random.Random) -> str:
        while (run_id := random_uuid(rng)) in self.runs:
            pass
        return run_id


@attrs.define
class _Fault:
    remaining: int
    operation: str | None
    drop: bool
    after_processing: bool = False
    status: int = 503
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None  # None: the spec's Error JSON for ``status``
    content_type: str = "application/json"


@attrs.frozen
class _Route:
    operation: str
    timer_id: str
    run_id: str | None


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _seeded(*parts: object) -> random.Random:
    """A random sequence fixed by ``parts`` (string seeds hash the same in every process)."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 - reproducible on purpose


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


class FakeTimersService:
    """An in-memory Timers service that answers exactly as ``spec/timers-runs.yaml`` says.

    Use it in-process (``transport()`` for httpx, ``mock()`` for respx, or ``handle()``
    directly), or over real HTTP on loopback with ``timers.testing.serve``. State lives in
    memory behind one lock, so it can be shared by threads. Runs triggered with the
    ``run_timer`` operation go ``pending`` -> ``in_progress`` (after ``pending_seconds``) ->
    ``success`` or ``failure`` (after ``in_progress_seconds`` more, failing with the timer's
    ``failure_rate``), computed from ``now()``, which only moves when the clock does or when
    ``advance()`` is called. Everything random (ids, outcomes, histories) comes from ``seed``.

    Args:
        tokens: bearer tokens the service accepts.
        clock: returns the current time as an aware datetime; default: the real UTC time.
        seed: seeds every random choice, so the same calls give the same answers.
        pending_seconds: how long a triggered run stays ``pending``.
        in_progress_seconds: how long it then stays ``in_progress``.
        sleep: how ``handle()`` waits out ``latency`` (served requests always really sleep).

    Attributes:
        latency: seconds added before every response (default 0).
        runs_created: how many runs the ``run_timer`` operation created.
        requests: ``(method, path with query)`` of every request received, in order.

    Example::

        service = FakeTimersService(tokens=["test-token"])
        timer_id = service.add_timer(callback="web")
        service.seed_history(timer_id, 120, failure_rate=0.25)
        with httpx.Client(transport=service.transport(), base_url=DEFAULT_BASE_URL) as http:
            page = http.get(f"/timers/{timer_id}/runs", params={"limit": 10},
                            headers={"Authorization": "Bearer test-token"}).json()
        assert page["total"] == 120 and len(page["runs"]) == 10
    """

    latency: float
    runs_created: int
    requests: list[tuple[str, str]]

    def __init__(
        self,
        *,
        tokens: Iterable[str] = ("test-token",),
        clock: Callable[[], datetime] | None = None,
        seed: int = 0,
        pending_seconds: float = 1.0,
        in_progress_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if pending_seconds < 0 or in_progress_seconds < 0:
            raise ValueError("pending_seconds and in_progress_seconds must not be negative")
        self._lock = threading.RLock()
        self._tokens = set(tokens)
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        self._seed = seed
        self._pending = timedelta(seconds=pending_seconds)
        self._in_progress = timedelta(seconds=in_progress_seconds)
        self._sleep = sleep
        self.requests = []
        self._start_afresh()

    def _start_afresh(self) -> None:
        self.latency = 0.0
        self.runs_created = 0
        self.requests.clear()
        self._timers: dict[str, _Timer] = {}
        self._faults: list[_Fault] = []
        self._rng = _seeded(self._seed, "service")
        self._request_ids = _seeded(self._seed, "requests")

    # --- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The service's current time: ``clock()`` plus everything ``advance()`` added.

        Example: ``service.advance(5); assert service.now() - clock() == timedelta(seconds=5)``.
        """
        with self._lock:
            return _aware(self._clock(), "clock()") + self._offset

    def advance(self, seconds: float) -> None:
        """Move the service's clock forward by ``seconds`` (>= 0); triggered runs progress.

        Works in-process and while served. Raises ``ValueError`` for a negative value.

        Example::

            run = ...  # a run just triggered, "pending"
            service.advance(60)
            assert service.get_run_json(timer_id, run["id"])["status"] in ("success", "failure")
        """
        if seconds < 0:
            raise ValueError("the service's clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    # --- setting up state ---------------------------------------------------------------------

    def add_token(self, token: str) -> None:
        """Accept ``token`` as a bearer token from now on.

        Example: ``service.add_token("second-token")``.
        """
        with self._lock:
            self._tokens.add(token)

    def add_timer(
        self,
        timer_id: str | None = None,
        *,
        callback: Literal["web", "flow"] = "web",
        failure_rate: float = 0.0,
    ) -> str:
        """Create a timer and return its id (lower-case UUID; drawn from the seed if not given).

        ``callback`` decides the shape of its runs' results (``status_code`` for web,
        ``run_id`` for flow); ``failure_rate`` (0..1) is the chance that a run triggered with
        ``run_timer`` fails. Raises ``ValueError`` for an id that is not a UUID or is taken,
        an unknown callback kind, or a rate outside 0..1.

        Example: ``timer_id = service.add_timer("12345678-1234-1234-1234-123456789012")``.
        """
        if callback not in ("web", "flow"):
            raise ValueError(f"callback must be 'web' or 'flow', got {callback!r}")
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate!r}")
        with self._lock:
            if timer_id is None:
                while (new_id := random_uuid(self._rng)) in self._timers:
                    pass
            else:
                new_id = self._checked_uuid(timer_id, "timer_id")
                if new_id in self._timers:
                    raise ValueError(f"there is already a timer {new_id}")
            rng = _seeded(self._seed, "timer", new_id)
            target = callback_target(rng, callback)
            self._timers[new_id] = _Timer(new_id, callback, failure_rate, target, rng)
            return new_id

    def add_run(
        self,
        timer_id: str,
        *,
        status: str = "success",
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        result: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> dict[str, Any]:
        """Add one run with exactly this ``status`` (any string, to test unknown statuses).

        It keeps that status (it does not go through the lifecycle). ``start_time`` defaults
        to ``now()``. For a final status (``success``/``failure``) without ``result`` or
        ``end_time``, realistic ones are generated for the timer's callback kind; for other
        statuses they stay ``null`` unless given. Times are kept to the millisecond. Returns
        the run's wire JSON. Raises ``KeyError`` for an unknown timer, ``ValueError`` for a
        bad or taken ``run_id``, a naive datetime, or a ``result`` that is not JSON.

        Example::

            run = service.add_run(timer_id, status="failure")
            assert run["result"]["error"]["code"]
            service.add_run(timer_id, status="cancelled")  # a status the spec does not list
        """
        with self._lock:
            timer = self._timer(timer_id)
            new_id = (
                timer.new_run_id(timer.rng)
                if run_id is None
                else self._checked_uuid(run_id, "run_id")
            )
            start = truncate_to_milliseconds(
                self.now() if start_time is None else _aware(start_time, "start_time")
            )
            final = status in _FINAL_STATUSES
            if end_time is not None:
                end: datetime | None = truncate_to_milliseconds(_aware(end_time, "end_time"))
            elif final:
                end = start + realistic_duration(
                    timer.rng, timer.callback, success=status == "success"
                )
            else:
                end = None
            if result is not None:
                body: dict[str, Any] | None = copy.deepcopy(dict(result))
                try:
                    _json_bytes(body)
                except (TypeError, ValueError) as error:
                    raise ValueError(f"result is not JSON: {error}") from None
            elif final:
                body = realistic_result(
                    timer.rng, timer.callback, timer.target, success=status == "success"
                )
            else:
                body = None
            run = _Run(new_id, timer.id, start, status, end, body)
            timer.add([run])
            return copy.deepcopy(run.to_json(self.now()))

    def seed_history(
        self,
        timer_id: str,
        count: int,
        *,
        end: datetime | None = None,
        interval: timedelta = timedelta(hours=1),
        failure_rate: float = 0.2,
    ) -> None:
        """Add ``count`` past runs, one per ``interval`` back from ``end`` (default ``now()``).

        Realistic and deterministic for the service's seed: start times are ``end - i *
        interval`` less a little jitter; each run fails with ``failure_rate`` (its result
        then has an ``error`` with ``code``, ``message`` and ``detail``), results match the
        timer's callback kind, and durations vary. Runs are as they would be at ``end``:
        one whose duration reaches past ``end`` is still ``in_progress``, and the newest is
        sometimes still ``pending`` or ``in_progress`` (the one before it sometimes too).
        Those finish on their own, like triggered runs, once ``now()`` passes their end
        (a pending one ends ``pending_seconds + in_progress_seconds`` after ``end``). Calling
        it again adds more runs with new ids.

        Example::

            service.seed_history(timer_id, 500, interval=timedelta(minutes=5))
        """
        if count < 0:
            raise ValueError("count must not be negative")
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be between 0 and 1, got {failure_rate!r}")
        with self._lock:
            timer = self._timer(timer_id)
            timer.histories += 1
            rng = _seeded(self._seed, "history", timer.id, timer.histories)
            last = truncate_to_milliseconds(self.now() if end is None else _aware(end, "end"))
            max_jitter = min(interval / 10, timedelta(seconds=30))
            unfinished = rng.random()  # < 0.25: newest pending; < 0.5: in progress
            runs: list[_Run] = []
            seen: set[str] = set()
            for i in range(count):
                jitter = timedelta(milliseconds=1) + rng.random() * max_jitter
                start = truncate_to_milliseconds(last - i * interval - jitter)
                success = rng.random() >= failure_rate
                duration = realistic_duration(rng, timer.callback, success=success)
                result = realistic_result(rng, timer.callback, timer.target, success=success)
                while (new_id := random_uuid(rng)) in timer.runs or new_id in seen:
                    pass
                seen.add(new_id)
                run = _Run(new_id, timer.id, start, "success" if success else "failure",
                           start + duration, result)  # fmt: skip
                if i == 0 and unfinished < 0.25:
                    run.pending_until = last + self._pending
                    run.end_time = run.pending_until + self._in_progress
                elif (i == 0 and unfinished < 0.5) or (i == 1 and unfinished < 0.375):
                    run.pending_until = start
                    run.end_time = max(start + duration, last + (i + 1) * self._in_progress)
                elif start + duration > last:  # still running at ``end``
                    run.pending_until = start
                runs.append(run)
            timer.add(runs)

    def get_run_json(self, timer_id: str, run_id: str) -> dict[str, Any]:
        """The run's current wire JSON (its status as of ``now()``), as ``get_timer_run``
        would answer. Raises ``KeyError`` for an unknown timer or run.

        Example: ``assert service.get_run_json(timer_id, run_id)["status"] == "pending"``.
        """
        with self._lock:
            timer = self._timer(timer_id)
            run = timer.runs.get(canonical_uuid(run_id) or run_id)
            if run is None:
                raise KeyError(f"timer {timer.id} has no run {run_id}")
            return copy.deepcopy(run.to_json(self.now()))

    def reset(self) -> None:
        """Forget timers, runs, queued faults, ``requests``, ``runs_created`` and ``latency``,
        and restart every random sequence from the seed. Tokens and the clock stay.

        Example: ``service.reset(); assert service.requests == []``.
        """
        with self._lock:
            self._start_afresh()

    # --- faults ---------------------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        operation: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with this response instead.

        Matching: any request if ``operation`` is ``None``, else requests routed to that
        operation (one of ``OPERATIONS``). The body defaults to the spec's ``Error`` JSON
        (``code``, ``message``, ``request_id``) for ``status``; a mapping is sent as JSON, and
        ``str``/``bytes`` verbatim (``Content-Type`` from ``headers``, else ``text/plain``).
        ``X-Request-Id`` is added unless ``headers`` has one. The request is not carried out:
        no run is created. Faults queue up in call order (``drop_next`` shares the queue).

        Example::

            service.fail_next(2, status=429, headers={"Retry-After": "0"})
            service.fail_next(status=502, body="<html>Bad gateway</html>",
                              headers={"Content-Type": "text/html"}, operation="run_timer")
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}, got {operation!r}")
        raw: bytes | None
        content_type = "application/json"
        if body is None:
            raw = None
        elif isinstance(body, bytes | str):
            raw = body.encode("utf-8") if isinstance(body, str) else body
            content_type = "text/plain; charset=utf-8"
        else:
            raw = _json_bytes(dict(body))
        fault = _Fault(
            count,
            operation,
            drop=False,
            status=status,
            headers=tuple((headers or {}).items()),
            body=raw,
            content_type=content_type,
        )
        with self._lock:
            self._faults.append(fault)

    def drop_next(
        self, count: int = 1, *, operation: str | None = None, after_processing: bool = False
    ) -> None:
        """Drop the connection of the next ``count`` matching requests instead of answering.

        In-process, the transport raises ``httpx.RemoteProtocolError`` ("Server disconnected
        without sending a response."); served, the server closes the socket without a word.
        With ``after_processing=True`` the request is carried out first (a ``run_timer`` run
        IS created) and only the answer is lost. Matching and queueing as in ``fail_next``.

        Example::

            service.drop_next(operation="run_timer", after_processing=True)
            # the client sees a dropped connection, yet service.runs_created == 1
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}, got {operation!r}")
        with self._lock:
            self._faults.append(
                _Fault(count, operation, drop=True, after_processing=after_processing)
            )

    # --- transports -----------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request exactly as the spec says (the order of checks is in the module
        docstring); raise ``httpx.RemoteProtocolError`` for a dropped connection.

        Any URL prefix before ``/timers/...`` is accepted, so any base URL works. Waits
        ``latency`` seconds first (with the ``sleep`` given to the constructor).

        Example::

            response = service.handle(httpx.Request(
                "GET", f"https://example.org/api/v1/timers/{timer_id}/runs",
                headers={"Authorization": "Bearer test-token"}))
            assert response.status_code == 200
        """
        request.read()
        outcome = self._answer(
            request.method,
            request.url.raw_path.decode("ascii"),
            request.headers.get("authorization"),
        )
        latency = self.latency
        if latency > 0:
            self._sleep(latency)
        if isinstance(outcome, _Drop):
            raise httpx.RemoteProtocolError(_DROP_MESSAGE, request=request)
        return httpx.Response(
            outcome.status, headers=list(outcome.headers), content=outcome.body, request=request
        )

    def transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` calling ``handle()``: for ``httpx.Client`` and
        ``httpx.AsyncClient`` alike.

        Example::

            client = httpx.Client(transport=service.transport(), base_url=DEFAULT_BASE_URL)
            async_client = httpx.AsyncClient(transport=service.transport())
        """
        return httpx.MockTransport(self.handle)

    def mock(self, base_url: str = DEFAULT_BASE_URL) -> respx.MockRouter:
        """A respx router sending every request under ``base_url`` to ``handle()``.

        Needs respx (the ``timers[testing]`` extra). Other hosts are not mocked: respx
        refuses them. Use it as a context manager or a decorator.

        Example::

            with service.mock():
                httpx.get(f"{DEFAULT_BASE_URL}/timers/{timer_id}/runs", headers=auth)
        """
        import respx  # an optional dependency: only this method needs it

        router = respx.mock(base_url=base_url, assert_all_called=False)
        router.route().mock(side_effect=self.handle)
        return router

    # --- answering ------------------------------------------------------------------------------

    def _answer(
        self, method: str, target: str, authorization: str | None, *, base_path: str | None = None
    ) -> _Reply | _Drop:
        """The answer to one request; ``base_path`` (served) is the only prefix routed."""
        with self._lock:
            self.requests.append((method, target))
            request_id = f"{self._request_ids.getrandbits(64):016x}"
            path, _, query = target.partition("?")
            route, allowed = self._route(method, path, base_path)
            fault = self._take_fault(route.operation if route else None)
            if fault is not None and not fault.drop:
                return self._injected(fault, request_id)
            if fault is not None and not fault.after_processing:
                return _DROP
            reply = self._process(method, route, allowed, query, authorization, request_id)
            if fault is not None:
                return _DROP
            if method == "HEAD":
                reply = attrs.evolve(reply, body=b"")
            return reply

    def _route(
        self, method: str, path: str, base_path: str | None
    ) -> tuple[_Route | None, str | None]:
        """The route for ``method`` and ``path``, and the method the path allows (if known)."""
        match = _ROUTE.fullmatch(path)
        if match is None or (base_path is not None and match["prefix"] != base_path):
            return None, None
        if match["run"]:
            operation, allowed = "run_timer", "POST"
        elif match["run_id"] is None:
            operation, allowed = "list_timer_runs", "GET"
        else:
            operation, allowed = "get_timer_run", "GET"
        if method != allowed:
            return None, allowed
        run_id = None if match["run_id"] is None else unquote(match["run_id"])
        return _Route(operation, unquote(match["timer_id"]), run_id), allowed

    def _take_fault(self, operation: str | None) -> _Fault | None:
        for fault in self._faults:
            if fault.operation is None or fault.operation == operation:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _injected(self, fault: _Fault, request_id: str) -> _Reply:
        headers = {name.lower(): (name, value) for name, value in fault.headers}
        headers.setdefault("x-request-id", ("X-Request-Id", request_id))
        body = fault.body
        if body is None:
            body = _json_bytes(self._error_body(fault.status, request_id))
            headers.setdefault("content-type", ("Content-Type", "application/json"))
        else:
            headers.setdefault("content-type", ("Content-Type", fault.content_type))
        return _Reply(fault.status, tuple(headers.values()), body)

    def _error_body(
        self,
        status: int,
        request_id: str,
        message: str | None = None,
        errors: list[dict[str, str]] | None = None,
        code: str | None = None,
    ) -> dict[str, Any]:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        body: dict[str, Any] = {
            "code": code or _ERROR_CODES.get(status, "ERROR" if status >= 400 else "INJECTED"),
            "message": message or f"{phrase}.",
            "request_id": request_id,
        }
        if errors:
            body["errors"] = errors
        return body

    def _error(
        self,
        status: int,
        request_id: str,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        code: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> _Reply:
        body = self._error_body(status, request_id, message, errors, code)
        return self._json(status, body, request_id, headers)

    @staticmethod
    def _json(
        status: int, body: Any, request_id: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> _Reply:
        base = (("Content-Type", "application/json"), ("X-Request-Id", request_id))
        return _Reply(status, base + headers, _json_bytes(body))

    def _process(
        self,
        method: str,
        route: _Route | None,
        allowed: str | None,
        query: str,
        authorization: str | None,
        request_id: str,
    ) -> _Reply:
        bearer = _BEARER.fullmatch(authorization or "")
        if bearer is None or bearer["token"] not in self._tokens:
            challenge = 'Bearer error="invalid_token"' if bearer else "Bearer"
            return self._error(
                401,
                request_id,
                "Missing or invalid bearer token.",
                headers=(("WWW-Authenticate", challenge),),
            )
        if route is None and allowed is not None:
            return self._error(
                405,
                request_id,
                f"{method} is not allowed here; use {allowed}.",
                headers=(("Allow", allowed),),
            )
        if route is None:
            return self._error(404, request_id, "No such resource.")
        ids = {"timer_id": route.timer_id}
        if route.run_id is not None:
            ids["run_id"] = route.run_id
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
            return self._error(422, request_id, bad_ids[0]["message"], errors=bad_ids)
        timer_id = route.timer_id.lower()
        if route.operation == "list_timer_runs":
            return self._list_runs(timer_id, query, request_id)
        timer = self._timers.get(timer_id)
        if timer is None:
            return self._error(404, request_id, f"No timer with id {timer_id}.")
        if route.operation == "run_timer":
            return self._json(201, self._trigger(timer).to_json(self.now()), request_id)
        run_id = (route.run_id or "").lower()
        run = timer.runs.get(run_id)
        if run is None:
            return self._error(404, request_id, f"No run with id {run_id} for this timer.")
        return self._json(200, run.to_json(self.now()), request_id)

    def _trigger(self, timer: _Timer) -> _Run:
        now = truncate_to_milliseconds(self.now())
        run_id = timer.new_run_id(timer.rng)
        success = timer.rng.random() >= timer.failure_rate
        result = realistic_result(timer.rng, timer.callback, timer.target, success=success)
        pending_until = now + self._pending
        end = pending_until + self._in_progress
        run = _Run(run_id, timer.id, now, "success" if success else "failure", end, result)
        run.pending_until = pending_until
        timer.add([run])
        self.runs_created += 1
        return run

    def _list_runs(self, timer_id: str, query: str, request_id: str) -> _Reply:
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
        marker: tuple[str, datetime | None] | None = None
        if "marker" in given:
            marker = decode_marker(given["marker"])
            if marker is None:
                problem("marker", "marker is not a next_page value of this service.")
        timer = self._timers.get(timer_id)
        if timer is not None and marker is not None and marker[1] is None:
            # The short form names a run; its position is where that run sorts.
            run = timer.runs.get(marker[0])
            if run is None:
                problem("marker", "marker is not a next_page value of this service.")
            else:
                marker = (run.id, run.start_time)
        if problems:
            message = problems[0]["message"] if len(problems) == 1 else "Invalid query parameters."
            return self._error(400, request_id, message, errors=problems)
        if timer is None:
            return self._error(404, request_id, f"No timer with id {timer_id}.")
        after: tuple[datetime, str] | None = None
        if marker is not None and marker[1] is not None:
            after = (marker[1], marker[0])

        now = self.now()
        keys = timer.keys
        lo = 0
        hi = len(keys)
        if "start_after" in bounds:
            lo = bisect.bisect_right(keys, bounds["start_after"], key=itemgetter(0))
        if "start_before" in bounds:
            hi = bisect.bisect_left(keys, bounds["start_before"], key=itemgetter(0))
        hi = max(lo, hi)
        if status is None:
            total = hi - lo
            # Everything strictly older than the marker's position, newest first.
            end = hi if after is None else max(lo, min(hi, bisect.bisect_left(keys, after)))
            start = max(lo, end - limit)
            page_keys = keys[start:end][::-1]
            has_next = start > lo
        else:
            matching = [key for key in keys[lo:hi] if timer.runs[key[1]].state(now)[0] == status]
            total = len(matching)
            end = len(matching) if after is None else bisect.bisect_left(matching, after)
            start = max(0, end - limit)
            page_keys = matching[start:end][::-1]
            has_next = start > 0
        runs = [timer.runs[key[1]] for key in page_keys]
        body = {
            "runs": [run.to_json(now) for run in runs],
            "total": total,
            "has_next_page": has_next,
            "next_page": encode_marker(*runs[-1].key) if has_next and runs else None,
        }
        return self._json(200, body, request_id)

    # --- helpers ------------------------------------------------------------------------------

    def _timer(self, timer_id: str) -> _Timer:
        timer = self._timers.get(canonical_uuid(timer_id) or timer_id)
        if timer is None:
            raise KeyError(f"no timer {timer_id}")
        return timer

    @staticmethod
    def _checked_uuid(value: str, name: str) -> str:
        canonical = canonical_uuid(value)
        if canonical is None:
            raise ValueError(f"{name} must be a UUID (8-4-4-4-12 hex digits), got {value!r}")
        return canonical
