"""A reference Timers service for tests: an in-memory implementation of both specs (the runs
API's ``spec/timers-runs.yaml`` and the production jobs API's ``spec/globus-timers.yaml``).

>>> from timers.testing import FakeTimersService
>>> service = FakeTimersService(tokens=["test-token"])
>>> timer_id = service.add_timer(callback="web")
>>> service.seed_history(timer_id, 120, failure_rate=0.25)

It speaks both Timers APIs from the same timers and runs: ``spec/timers-runs.yaml`` (runs
paths; served under ``/api/v1``) and the production ``spec/globus-timers.yaml``
(``GET /jobs/{job_id}`` with a page of the timer's runs as ``results``, ``GET /jobs/``;
served at the root).

Use it in-process with httpx (``httpx.Client(transport=service.transport())``), with respx
(``with service.mock(): ...``), over real HTTP on loopback (``with serve(service) as base_url:
...``; ``serve(service, api="jobs")`` gives the jobs API's root URL; or ``server =
serve(service)``, ``server.start()`` and ``server.stop()``), or from pytest with
``pytest_plugins = ["timers.testing.pytest_plugin"]`` (fixtures ``timers_service``,
``timers_base_url`` and ``timers_jobs_base_url``). With a proxy in the environment
(``HTTP_PROXY``), httpx would send a served URL's requests to it: the fixtures add the
loopback hosts to ``NO_PROXY`` (``direct_to_loopback()``). It needs only httpx; ``mock()``
also needs respx (the ``timers-client[testing]`` extra).

Every transport is built on one sans-IO layer, ``service.answerer`` (an ``Answerer``): its
``answer(method, target, authorization, base_path=None)`` returns a ``Reply`` (``status``,
``headers``, ``body``) or a ``Drop`` (the connection is closed instead), so the same request
gets the same answer in-process, through respx and over HTTP. ``mock()`` and ``serve()``
route as production does (the runs API under ``/api/v1``, the jobs API at the root: a path
under the wrong one is 404); ``handle()`` and ``transport()`` take either API after any URL
prefix, so any base URL works with them.
"""

from timers.testing._answering import Answerer
from timers.testing._jobs_api import MAX_PAGE_SIZE
from timers.testing._replies import Drop, Reply
from timers.testing._runs_api import MAX_LIMIT
from timers.testing._server import LoopbackServer, direct_to_loopback, serve
from timers.testing._service import (
    DEFAULT_BASE_URL,
    DEFAULT_JOBS_BASE_URL,
    DEFAULT_LIMIT,
    DEFAULT_PAGE_SIZE,
    OPERATIONS,
    FakeTimersService,
    Operation,
)
from timers.testing._state import NotInServiceError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_JOBS_BASE_URL",
    "DEFAULT_LIMIT",
    "DEFAULT_PAGE_SIZE",
    "MAX_LIMIT",
    "MAX_PAGE_SIZE",
    "OPERATIONS",
    "Answerer",
    "Drop",
    "FakeTimersService",
    "LoopbackServer",
    "NotInServiceError",
    "Operation",
    "Reply",
    "direct_to_loopback",
    "serve",
]
