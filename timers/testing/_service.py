"""``FakeTimersService``: an in-memory implementation of both Timers APIs, on one state.

It speaks ``spec/timers-runs.yaml`` (``/timers/{id}/run|runs|runs/{run_id}``, served under
``/api/v1``) and ``spec/globus-timers.yaml`` (``GET /jobs/{job_id}`` with a page of the
timer's runs as ``results``, and ``GET /jobs/``, served at the root): the same timers and runs,
so a run triggered through one API shows in the other and progresses with ``advance()``.

How a request is answered, in order (the first step that decides wins; each step is spelled
out where it is done, steps 1-5 in ``_answering``, steps 6-8 in ``_runs_api`` / ``_jobs_api``):

1. It is recorded in ``service.requests``.
2. A queued fault (``fail_next`` / ``drop_next``) for this operation takes over: an injected
   response, or a dropped connection (``after_processing=True`` drops it after step 8).
3. A known bearer token, else 401 ``AUTHENTICATION_ERROR``.
4. A path of a spec (``handle()``/``transport()``: after any prefix; served, ``/api/v1`` for
   runs and the root for jobs; ``mock()``: the paths of its two base URLs), else 404
   ``NOT_FOUND``.
5. The method the spec declares for that path, else 405 ``METHOD_NOT_ALLOWED`` with ``Allow``.
6. Path ids that are UUIDs, else 422 (runs: ``INVALID_UUID`` entries).
7. Valid query parameters, else 400 ``INVALID_PARAMETER`` (runs) or 422 (jobs).
8. The timer, then the run, must exist (404 ``NOT_FOUND``); then the operation runs.

Every response is JSON with an ``X-Request-Id`` header. Runs error bodies are the spec's
``Error`` (``code``, ``message``, ``request_id``, maybe ``errors``); jobs error bodies are
FastAPI's ``{"detail": [...]}`` for 422 and ``{"error": {"code", "detail", "status"}}``
otherwise. A run always has ``end_time`` and ``result`` (``null`` until it finishes); a result
has only the fields that apply (``status_code`` for web, ``run_id`` for flow callbacks,
``error`` on failure). Date-times are RFC 3339 in UTC with ``Z`` and millisecond precision.
Runs are listed newest first (jobs: as ``results_order`` says; see ``_listing``);
``_jobs_wire`` spells a run as a ``JobResult``.

This module is the facade: the state is ``_state``'s; ``fail_next``/``drop_next`` come from
``_faults`` (``FaultInjection``), ``handle()``/``transport()``/``mock()`` from ``_inprocess``
(``InProcessService``); every transport (``serve()`` too) goes through ``answerer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from timers.testing import _checks as checks
from timers.testing._answering import Answerer, Api
from timers.testing._checks import checked_seconds, checked_tokens
from timers.testing._faults import FaultInjection, FaultQueue, Operation
from timers.testing._inprocess import DEFAULT_BASE_URL, DEFAULT_JOBS_BASE_URL, InProcessService
from timers.testing._jobs_api import DEFAULT_PAGE_SIZE, JobsApi
from timers.testing._jobs_api import OPERATIONS as JOBS_OPERATIONS
from timers.testing._runs_api import DEFAULT_LIMIT, RunsApi
from timers.testing._runs_api import OPERATIONS as RUNS_OPERATIONS
from timers.testing._state import ServiceState

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_JOBS_BASE_URL",
    "DEFAULT_LIMIT",
    "DEFAULT_PAGE_SIZE",
    "OPERATIONS",
    "FakeTimersService",
    "Operation",
]

OPERATIONS: Final = RUNS_OPERATIONS + JOBS_OPERATIONS
"""Every operation name ``fail_next``/``drop_next`` take: the runs API's, then the jobs API's."""


class FakeTimersService(FaultInjection, InProcessService):
    """An in-memory Timers service that answers exactly as ``spec/timers-runs.yaml`` and
    ``spec/globus-timers.yaml`` say, both from the same timers and runs (what you give
    ``add_run`` or ``fail_next`` is sent as given, even off the spec).

    Use it in-process (``transport()`` for httpx, ``mock()`` for respx, or ``handle()``
    directly), or over real HTTP on loopback with ``timers.testing.serve``. State lives in
    memory behind one lock, so it can be shared by threads. Runs triggered with the
    ``run_timer`` operation go ``pending`` -> ``in_progress`` (after ``pending_seconds``) ->
    ``success`` or ``failure`` (after ``in_progress_seconds`` more, failing with the timer's
    ``failure_rate``), computed from ``now()``, which only moves when the clock does or when
    ``advance()`` is called. No two runs of a timer start at the same millisecond (the jobs
    API has no run ids: clients tell runs apart by start time), so a run triggered when the
    timer's newest run did not start before ``now()`` starts 1 ms after that one. Its
    lifecycle still counts from when it was triggered (with a clock that stands still and no
    ``pending_seconds``/``in_progress_seconds``, each run triggered at once finishes at once;
    its start and end may then be a few ms ahead of ``now()``).
    Everything random (ids, outcomes, histories) comes from ``seed``.

    Args:
        tokens: bearer tokens the service accepts: a list (or other iterable) of non-empty
            printable ASCII ``str`` without spaces; a bare ``str`` is refused (pass a list).
        clock: returns the current time as an aware datetime; default: the real UTC time.
        seed: seeds every random choice, so the same calls give the same answers.
        pending_seconds: how long a triggered run stays ``pending`` (0 to a century).
        in_progress_seconds: how long it then stays ``in_progress`` (0 to a century).
        sleep: how the in-process transports wait out ``latency``. By default ``handle()``
            and synchronous clients ``time.sleep``, and asynchronous clients of
            ``transport()`` and ``mock()`` ``await anyio.sleep`` (asyncio or trio: the event
            loop runs on, and the client's deadline can cancel the wait). A ``sleep`` given
            here is called, as it is (synchronously), on every path, async included. Served
            requests always really sleep, in the connection's thread.
        results_order: the order of a timer's results in the jobs API (not published):
            ``"newest first"`` (default) or ``"oldest first"``, to test code that must not
            depend on it. The runs API lists newest first, as its spec says.

    Raises ``TypeError`` / ``ValueError`` for arguments outside those.

    Attributes:
        latency: seconds (0 to a century, checked when set) every answer is held back
            (default 0): the request is carried out first, then the answer waits (a client
            that gives up meanwhile does not know whether its run was created, as with a slow
            real service). In-process, a synchronous client's timeout does not cut the wait
            short (a served service models that); an asynchronous client's deadline does.
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

    def __init__(
        self,
        *,
        tokens: Iterable[str] = ("test-token",),
        clock: Callable[[], datetime] | None = None,
        seed: int = 0,
        pending_seconds: float = 1.0,
        in_progress_seconds: float = 2.0,
        sleep: Callable[[float], None] | None = None,
        results_order: Literal["newest first", "oldest first"] = "newest first",
    ) -> None:
        if results_order not in ("newest first", "oldest first"):
            raise ValueError(
                f"results_order must be 'newest first' or 'oldest first', got {results_order!r}"
            )
        pending = checked_seconds(pending_seconds, "pending_seconds")
        in_progress = checked_seconds(in_progress_seconds, "in_progress_seconds")
        self._state = ServiceState(
            tokens=tokens,
            clock=clock,
            seed=seed,
            pending=timedelta(seconds=pending),
            in_progress=timedelta(seconds=in_progress),
        )
        self._sleep = sleep
        self.latency = 0.0
        # One routing module per API dialect, all on the same state.
        oldest_first = results_order == "oldest first"
        apis: list[Api] = [RunsApi(self._state), JobsApi(self._state, oldest_first=oldest_first)]
        self._faults = FaultQueue(self._state.lock, [op for api in apis for op in api.operations])
        self._answerer = Answerer(self._state, self._faults, apis)

    @property
    def answerer(self) -> Answerer:
        """The sans-IO layer that answers this service's requests: ``answerer.answer(method,
        target, authorization, base_path=...)`` returns a ``Reply`` or a ``Drop``. ``handle()``,
        ``transport()``, ``mock()`` and ``serve()`` are all built on it.

        Example: ``assert service.answerer.answer("GET", "/nowhere", None).status == 401``.
        """
        return self._answerer

    @property
    def runs_created(self) -> int:
        """How many runs the ``run_timer`` operation created."""
        return self._state.runs_created

    @runs_created.setter
    def runs_created(self, count: int) -> None:
        self._state.runs_created = checks.checked_count(count, "runs_created")

    @property
    def requests(self) -> list[tuple[str, str]]:
        """``(method, path with query)`` of each request received, in order (reset: new list)."""
        return self._state.requests

    @requests.setter
    def requests(self, requests: list[tuple[str, str]]) -> None:
        self._state.requests = checks.checked_requests(requests)

    # --- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The service's current time: ``clock()`` plus everything ``advance()`` added since
        the service was made or last ``reset()``.

        Example: ``service.advance(5); assert service.now() - clock() == timedelta(seconds=5)``.
        """
        return self._state.now()

    def advance(self, seconds: float) -> None:
        """Move the service's clock forward by ``seconds`` (>= 0); triggered runs progress.

        Works in-process and while served. Raises ``TypeError`` for a value that is not a
        number, ``ValueError`` for a negative, infinite or NaN one, or one that would take
        ``now()`` past year 9999. ``reset()`` takes the time added back.

        Example::

            run = ...  # a run just triggered, "pending"
            service.advance(60)
            assert service.get_run_json(timer_id, run["id"])["status"] in ("success", "failure")
        """
        self._state.advance(seconds)

    # --- setting up state ---------------------------------------------------------------------

    def add_token(self, token: str) -> None:
        """Accept ``token`` as a bearer token from now on.

        Raises ``TypeError`` for a token that is not a ``str``, ``ValueError`` for an empty
        one or one with spaces or tabs (no ``Authorization`` header could carry it).

        Example: ``service.add_token("second-token")``.
        """
        (checked,) = checked_tokens([token])
        with self._state.lock:
            self._state.tokens.add(checked)

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
        return self._state.add_timer(timer_id, callback, failure_rate)

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
        """Add one run with exactly this ``status`` (any ``str``, to test unknown statuses; a
        ``RunStatus`` is taken as its value).

        It keeps that status (it does not go through the lifecycle). ``start_time`` defaults
        to ``now()``, or 1 ms after the timer's newest run if that one did not start before
        ``now()``: no two runs of a timer start at the same millisecond, since the jobs API
        has no run ids and clients tell a timer's runs apart by their start time. For a final
        status (``success``/``failure``) without ``result`` or ``end_time``, realistic ones
        are generated for the timer's callback kind; for other statuses they stay ``null``
        unless given; a ``result`` given is sent as it is, checked only for being JSON (like
        ``status``, it may be off the spec, to test how a client copes). Times are kept to
        the millisecond. Returns the run's wire JSON. Raises
        ``KeyError`` for an unknown timer; ``TypeError`` for a ``status`` that is not a
        ``str``, a time that is not a ``datetime`` or a ``result`` that is not a mapping;
        ``ValueError`` for a bad or taken ``run_id``, a naive datetime, a ``start_time`` (to
        the millisecond) at which another run of the timer starts, or a ``result`` that is not
        JSON.

        Example::

            run = service.add_run(timer_id, status="failure")
            assert run["result"]["error"]["code"]
            service.add_run(timer_id, status="cancelled")  # a status the spec does not list
        """
        return self._state.add_run(timer_id, status, start_time, end_time, result, run_id)

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
        it again adds more runs with new ids; a start time another run of the timer already
        has moves 1 ms earlier, until free (no two start at the same millisecond). Raises
        ``KeyError`` for an unknown timer, ``TypeError``/``ValueError`` for bad arguments.

        Example::

            service.seed_history(timer_id, 500, interval=timedelta(minutes=5))
        """
        self._state.seed_history(timer_id, count, end, interval, failure_rate)

    def get_run_json(self, timer_id: str, run_id: str) -> dict[str, Any]:
        """The run's current wire JSON (its status as of ``now()``), as ``get_timer_run``
        would answer. Raises ``KeyError`` for an unknown timer or run.

        Example: ``assert service.get_run_json(timer_id, run_id)["status"] == "pending"``.
        """
        return self._state.run_json(timer_id, run_id)

    def reset(self) -> None:
        """Forget timers, runs, queued faults, ``requests``, ``runs_created``, ``latency`` and
        the time ``advance()`` added, and restart every random sequence from the seed: the
        service is as it was made. Tokens (``add_token``'s too), clock, seed, lifecycle
        durations and ``sleep`` stay.

        Example: ``service.reset(); assert service.requests == []``.
        """
        with self._state.lock:
            self._state.reset()
            self._faults.clear()
            self.latency = 0.0
