"""The installed `timers` script, as a user runs it: demo, serve, and runs against serve.

Also: ``scripts/demo`` from a copy of the repository with no virtual environment at all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMERS = Path(sys.executable).with_name("timers")
TIMER = "12345678-1234-1234-1234-123456789012"

pytestmark = pytest.mark.slow


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TIMERS_")}
    return subprocess.run(
        [str(TIMERS), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**clean, **(env or {})},
        check=False,
    )


README_SERVE = "timers serve --port 8765 --runs 500"


def test_the_readme_s_serve_command_is_the_one_served_here() -> None:
    assert f"$ {README_SERVE}\n" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """The README's `timers serve` command on a free port (``--port 0``: the README's 8765
    may be taken on this machine, or by another worker), stopped with SIGTERM afterwards."""
    args = README_SERVE.replace("--port 8765", "--port 0").split()[1:]
    proc = subprocess.Popen(
        [str(TIMERS), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        values = dict(line.strip().split("=", 1) for line in lines if "=" in line)
        assert values["TIMERS_BASE_URL"].startswith("http://127.0.0.1:")
        assert f"Timer id: {TIMER} (500 runs)" in "".join(lines)
        yield values
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_demo_walks_through_the_library() -> None:
    result = run("demo", timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in (
        "Started the reference Timers service at http://127.0.0.1:",
        "Failed runs of the last 7 days",
        "One failed run's error",
        "Trigger a run now and wait for it",
        "status: pending",
        "finished:",
        "The production Globus Timers API: the same history from /jobs (api='jobs')",
        "is derived (production results carry none)",
        "run_timer: UnsupportedOperationError: run_timer is not available with api='jobs'",
        "NotFoundError: 404 NOT_FOUND",
        "Done in",
    ):
        assert step in out, step
    # How to run the command next, wherever it was installed.
    assert "Next: " in out and "timers --help" in out


def test_runs_list_with_api_jobs_against_serve(served: dict[str, str]) -> None:
    jobs_url = served["TIMERS_BASE_URL"].removesuffix("/api/v1")
    env = {**served, "TIMERS_BASE_URL": jobs_url, "TIMERS_API": "jobs"}
    result = run("runs", "list", TIMER, "--limit", "5", env=env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6 and "5 of 500 runs" in result.stderr


def test_runs_list_against_serve(served: dict[str, str]) -> None:
    result = run("runs", "list", TIMER, "--limit", "5", env=served)
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].startswith("ID") and len(rows) == 6
    assert "5 of 500 runs" in result.stderr


def test_runs_list_all_jsonl_against_serve(served: dict[str, str]) -> None:
    result = run(
        "runs", "list", TIMER, "--all", "--format", "jsonl", "--status", "failure", env=served
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) > 10


def test_options_instead_of_environment(served: dict[str, str]) -> None:
    result = run(
        "--base-url", served["TIMERS_BASE_URL"], "--token", served["TIMERS_ACCESS_TOKEN"],
        "runs", "trigger", TIMER, "--wait", "--timeout", "30",
    )  # fmt: skip
    assert result.returncode in (0, 7), result.stderr
    assert served["TIMERS_ACCESS_TOKEN"] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "env_token", "code"),
    [
        (["runs", "show", TIMER, "00000000-0000-4000-8000-000000000000"], None, 3),
        (["runs", "show", TIMER, "not-a-uuid"], None, 2),
        (["runs", "list", TIMER], "wrong-token", 4),
        (["runs", "list", TIMER, "--limit", "5000"], None, 2),
    ],
)
def test_exit_codes_against_serve(
    served: dict[str, str], args: list[str], env_token: str | None, code: int
) -> None:
    env = dict(served)
    if env_token:
        env["TIMERS_ACCESS_TOKEN"] = env_token
    result = run(*args, env=env)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if code == 2:  # click's usage format: the usage line, a hint, and the error
        assert result.stderr.strip().splitlines()[-1].startswith(("Error:", "timers: error:"))
    else:
        assert len(result.stderr.strip().splitlines()) == 1


def test_scripts_demo_works_from_a_fresh_copy(tmp_path: Path) -> None:
    copy = tmp_path / "timers-clone"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md", "timers", "scripts"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    assert not (copy / ".venv").exists()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV",) and not k.startswith("TIMERS_")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    result = subprocess.run(
        [str(copy / "scripts" / "demo")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Done in" in result.stdout
    assert (copy / ".venv" / "bin" / "timers").exists()
