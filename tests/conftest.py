"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from functools import partial

import pytest
from support.dual import Dual
from support.hostile import Servers
from support.openapi import JOBS_SPEC_PATH, validating

pytest_plugins = ["timers.testing.pytest_plugin"]


def pytest_configure(config: pytest.Config) -> None:
    # On xdist's controller: a costly module-scoped fixture starts on one worker only.
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        from support.scheduling import SchedulingPlugin

        config.pluginmanager.register(SchedulingPlugin(), "timers-scheduling")


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's real settings must never reach a test: not their token or base URL, nor
    # TIMERS_API (which switches the dialect) or TIMERS_LOG (which logs to stderr), nor any
    # TIMERS_ variable the library may read later.
    for name in [name for name in os.environ if name.startswith("TIMERS_")]:
        monkeypatch.delenv(name)
    # Nor a proxy: every request of the suite goes to 127.0.0.1, never elsewhere.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def servers() -> Iterator[Servers]:
    """Start hostile servers on 127.0.0.1 (``servers(handler)``); all stopped after the test."""
    with Servers() as started:
        yield started


@pytest.fixture(params=["sync", "async"])
def dual(request: pytest.FixtureRequest) -> Iterator[Dual]:
    """The same test through TimersClient and AsyncTimersClient, with every exchange checked
    against the spec (a test passes ``validate=False`` only to send deliberately off-spec
    responses)."""
    d = Dual(request.param, wrap=validating)
    yield d
    d.close()
    for validator in d.validators:
        validator.assert_no_violations()  # even if the client turned a violation into an error


@pytest.fixture(params=["sync", "async"])
def jobs_dual(request: pytest.FixtureRequest) -> Iterator[Dual]:
    """As ``dual``, for ``api="jobs"`` clients, every exchange checked against
    ``spec/globus-timers.yaml``."""
    d = Dual(request.param, wrap=partial(validating, spec_path=JOBS_SPEC_PATH), api="jobs")
    yield d
    d.close()
    for validator in d.validators:
        validator.assert_no_violations()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
