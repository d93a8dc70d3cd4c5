"""The suite's own scheduling: the modules with a costly module-scoped fixture run on one
xdist worker each (``tests/support/scheduling.py``), so that the fixture starts once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from support.scheduling import ONE_WORKER, scope_of

TESTS = Path(__file__).resolve().parent


def test_every_module_kept_on_one_worker_exists() -> None:
    missing = [name for name in ONE_WORKER if not (TESTS / name).is_file()]
    assert missing == []


def test_a_listed_module_is_one_unit_of_work_and_any_other_test_its_own() -> None:
    prism = "tests/test_prism_support.py::test_the_mock_answers_with_the_spec_example"
    assert scope_of(prism) == "tests/test_prism_support.py"
    assert scope_of(prism + "[x::y]") == "tests/test_prism_support.py"
    other = "tests/test_paging.py::test_iterating[sync]"
    assert scope_of(other) == other
    # The file name decides, not a name that only ends like it.
    assert scope_of("tests/not_test_packaging.py::test_x") == "tests/not_test_packaging.py::test_x"


def test_with_workers_every_test_of_a_listed_module_runs_on_the_same_one() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "xdist",  # the only plugin loaded (the others cost seconds in each process)
            "-n",
            "2",
            "-v",
            "tests/test_architecture.py",
            "-k",
            "cycle or only_the_bridge or same_methods or coroutine",
        ],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
        cwd=TESTS.parent,
        env=_inner_environment(),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers = re.findall(r"^\[(gw\d+)\].* PASSED ", done.stdout, re.MULTILINE)
    assert len(workers) == 4, done.stdout[-3000:]
    assert len(set(workers)) == 1, workers


def _inner_environment() -> dict[str, str]:
    """For a pytest run inside a test: only xdist loaded (the other plugins cost seconds in
    each process), and none of this run's own ``PYTEST_ADDOPTS``."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return {**environment, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


CRASHING_MODULE = """
import os

def test_before_0(): pass
def test_before_1(): pass
def test_before_2(): pass
def test_crash(): os._exit(3)
""" + "".join(f"def test_after_{n}(): pass\n" for n in range(12))


def test_a_crashed_worker_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    # LoadScopeScheduling alone queues the crashing test again (crashing the worker that
    # replaces it) and gives the new worker one test, which it never runs: the run hung.
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
        "from support.scheduling import SchedulingPlugin\n\n"
        "def pytest_configure(config):\n"
        "    if not hasattr(config, 'workerinput'):\n"
        "        config.pluginmanager.register(SchedulingPlugin(), 'timers-scheduling')\n"
    )
    (tmp_path / "test_crashing.py").write_text(CRASHING_MODULE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "xdist", "-n", "2", "-q", "-p", "no:cacheprovider",
         "test_crashing.py"],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
        env=_inner_environment(),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 failed, 15 passed" in done.stdout, done.stdout[-3000:]
    assert done.stdout.count("node down") == 1, done.stdout[-3000:]
