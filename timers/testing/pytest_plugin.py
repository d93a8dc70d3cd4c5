"""pytest fixtures for testing code that uses ``timers``.

Enable them in your ``conftest.py``::

    pytest_plugins = ["timers.testing.pytest_plugin"]

Fixtures:

- ``timers_service``: a fresh ``FakeTimersService`` for each test, accepting the token
  ``"test-token"``.
- ``timers_base_url``: that service served over HTTP on 127.0.0.1 for the test; the value is
  its base URL, to pass as ``base_url=`` (or ``TIMERS_BASE_URL``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from timers.testing._server import serve
from timers.testing._service import FakeTimersService


@pytest.fixture
def timers_service() -> FakeTimersService:
    """A fresh reference Timers service (token ``"test-token"``)."""
    return FakeTimersService(tokens=["test-token"])


@pytest.fixture
def timers_base_url(timers_service: FakeTimersService) -> Iterator[str]:
    """``timers_service`` served on 127.0.0.1 for the duration of the test."""
    with serve(timers_service) as base_url:
        yield base_url
