"""pytest fixtures for testing code that uses ``timers``.

Enable them in the ``conftest.py`` at your tests' root (pytest reads ``pytest_plugins``
only there)::

    pytest_plugins = ["timers.testing.pytest_plugin"]

Fixtures:

- ``timers_service``: a fresh ``FakeTimersService`` for each test, accepting the token
  ``"test-token"``.
- ``timers_base_url``: that service served over HTTP on 127.0.0.1 for the test; the value is
  its runs API base URL (``http://127.0.0.1:PORT/api/v1``), to pass as ``base_url=`` (or
  ``TIMERS_BASE_URL``).
- ``timers_jobs_base_url``: the same service and server, the jobs API's base URL
  (``http://127.0.0.1:PORT``), for ``TimersClient(api="jobs", base_url=...)``.

Clients made during a test that serves the service reach it directly: ``127.0.0.1``, ``::1``
and ``localhost`` are added to ``NO_PROXY`` for the test (``direct_to_loopback()``), so a
proxy in the environment (``HTTP_PROXY``) is not used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from timers.testing._server import BASE_PATH, direct_to_loopback, serve
from timers.testing._service import FakeTimersService


@pytest.fixture
def timers_service() -> FakeTimersService:
    """A fresh reference Timers service (token ``"test-token"``)."""
    return FakeTimersService(tokens=["test-token"])


@pytest.fixture
def _timers_root_url(
    timers_service: FakeTimersService, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``timers_service`` served on 127.0.0.1 for the test: the server's root URL (and
    the loopback hosts added to ``NO_PROXY`` meanwhile)."""
    for name, value in direct_to_loopback().items():
        monkeypatch.setenv(name, value)
    with serve(timers_service, api="jobs") as root_url:
        yield root_url


@pytest.fixture
def timers_base_url(_timers_root_url: str) -> str:
    """``timers_service`` served on 127.0.0.1 for the test: the runs API's base URL."""
    return _timers_root_url + BASE_PATH


@pytest.fixture
def timers_jobs_base_url(_timers_root_url: str) -> str:
    """``timers_service`` served on 127.0.0.1 for the test (the same server as
    ``timers_base_url``): the jobs API's base URL."""
    return _timers_root_url
