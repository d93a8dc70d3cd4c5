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
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers = re.findall(r"^\[(gw\d+)\].* PASSED ", done.stdout, re.MULTILINE)
    assert len(workers) == 4, done.stdout[-3000:]
    assert len(set(workers)) == 1, workers
