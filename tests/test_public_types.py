"""What an optional extra that is not installed says. (What the public types promise is in
``test_static_typing``.)"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_mock_without_the_testing_extra_names_the_extra() -> None:
    result = _run(
        """
        import sys
        sys.modules["respx"] = None  # as if respx were not installed
        from timers import MissingExtraError, TimersError
        from timers.testing import FakeTimersService
        try:
            FakeTimersService().mock()
        except MissingExtraError as error:
            assert isinstance(error, TimersError) and isinstance(error, ModuleNotFoundError)
            print(error.extra, error.module, error)
        """
    )
    assert result.stdout.strip() == (
        "testing respx service.mock() needs respx: pip install 'timers-client[testing]'"
    ), result.stderr


def test_the_aiohttp_backend_without_its_extra_names_the_extra() -> None:
    result = _run(
        """
        import sys
        sys.modules["aiohttp"] = None
        from timers import AsyncTimersClient, MissingExtraError
        try:
            AsyncTimersClient("t", http_backend="aiohttp")
        except MissingExtraError as error:
            print(error)
        """
    )
    assert result.stdout.strip() == (
        "http_backend='aiohttp' needs aiohttp: pip install 'timers-client[aiohttp]'"
    ), result.stderr


def test_the_command_without_the_cli_extra_names_the_extra() -> None:
    result = _run(
        """
        import sys
        sys.modules["click"] = None
        from timers.cli import main
        main()
        """
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "timers: the command line needs click: pip install 'timers-client[cli]'"
    )
