"""A developer's own ``TIMERS_*`` settings do not reach the tests (``tests/conftest.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from timers import TimersClient

AMBIENT = {
    "TIMERS_ACCESS_TOKEN": "a-developer-s-real-token",
    "TIMERS_BASE_URL": "https://timers.example.org/api/v1",
    "TIMERS_API": "jobs",
    "TIMERS_LOG": "debug",
    "TIMERS_SOMETHING_NEW": "1",  # one the library does not read yet
}


@pytest.fixture(scope="module")
def ambient_settings() -> Iterator[None]:
    # Module scope: set before the function-scoped autouse fixture of conftest.py runs, as a
    # developer's shell would have them; so only that fixture can take them away.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in AMBIENT.items():
            patch.setenv(name, value)
        yield


@pytest.mark.usefixtures("ambient_settings")
def test_no_timers_variable_reaches_a_test() -> None:
    assert [name for name in os.environ if name.startswith("TIMERS_")] == []
    with TimersClient("test-token") as client:  # the defaults, not the ambient settings
        assert client.api == "runs"
        assert client.base_url == "https://timer.automate.globus.org/api/v1"
