"""What the public types promise, checked by mypy --strict as a user's code would be, and
what an optional extra that is not installed says."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent


def _mypy(tmp_path: Path, code: str) -> tuple[int, str]:
    path = tmp_path / "user_code.py"
    path.write_text(textwrap.dedent(code))
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), str(path)]
    )
    return status, out + err


@pytest.mark.slow
def test_ids_are_str_or_uuid_and_nothing_else(tmp_path: Path) -> None:
    status, out = _mypy(
        tmp_path,
        """
        import uuid
        from timers import AsyncTimersClient, TimersClient, TimerRun

        def ok(client: TimersClient) -> TimerRun:
            client.get_run(uuid.uuid4(), "12345678-1234-1234-1234-123456789012")
            return client.get_run("12345678-1234-1234-1234-123456789012", uuid.uuid4())

        def bad(client: TimersClient) -> None:
            client.get_run(123, 456)

        async def bad_async(client: AsyncTimersClient) -> None:
            await client.wait_for_run(1.5, None)

        # Not about ids: what else the types promise (no error expected below this line).
        from contextlib import aclosing, closing
        from typing import Literal

        from timers import APIError

        def paging(client: TimersClient) -> Literal["runs", "jobs"]:
            with closing(client.iter_runs("12345678-1234-1234-1234-123456789012")) as runs:
                next(runs, None)
            try:
                client.list_runs("12345678-1234-1234-1234-123456789012")
            except APIError as error:
                if error.response is not None:  # None once unpickled
                    print(error.response.http_version)
            return client.api

        async def async_paging(client: AsyncTimersClient) -> None:
            async with aclosing(client.iter_run_pages(uuid.uuid4())) as pages:
                async for _ in pages:
                    break
            AsyncTimersClient("t", api="jobs", http_backend="aiohttp")
        """,
    )
    assert status == 1
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 4, out  # two ids in each bad call, none in ok() or below
    assert all('expected "str | UUID"' in line for line in errors), out


@pytest.mark.slow
def test_the_api_and_the_backend_are_checked_by_name(tmp_path: Path) -> None:
    status, out = _mypy(
        tmp_path,
        """
        from timers import AsyncTimersClient, TimersClient

        TimersClient("t", api="job")
        AsyncTimersClient("t", http_backend="aiohttpx")
        """,
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1 and len(errors) == 2, out
    assert 'Argument "api" to "TimersClient" has incompatible type' in errors[0], out
    assert 'Argument "http_backend" to "AsyncTimersClient"' in errors[1], out


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
