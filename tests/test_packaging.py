"""The wheel installs one package, typed, with the runtime dependencies only."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("timers_client-*.whl")
    return found


@pytest.mark.slow
def test_wheel_ships_the_facade_with_its_generated_clients_inside_it(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "timers/__init__.py" in names
    assert "timers/py.typed" in names
    assert "timers/_sync_client.py" in names
    assert "timers/_generated/runs_api/__init__.py" in names
    # One top-level package: the generated clients are private to it.
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"timers"}
    assert not any(n.startswith(("tests/", "generated/", "spec/")) for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    runtime = [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert sorted(r.split(">")[0].split("<")[0].split("=")[0] for r in runtime) == [
        "attrs",
        "httpx",
        "sniffio",
    ]
    assert "Name: timers-client" in text.splitlines()
    assert "License-Expression: Apache-2.0" in text.splitlines()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    urls = {
        line.split(":", 1)[1].split(",")[0].strip()
        for line in text.splitlines()
        if line.startswith("Project-URL:")
    }
    assert urls == {"Documentation", "Source", "Issues"}
    # The published extras are features; the dev tools are a dependency group, not an extra.
    extras = {
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Provides-Extra:")
    }
    assert extras == {"cli", "testing", "aiohttp"}
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "timers = timers.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_wheel_installs_and_imports_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
    )
    probe = (
        "import importlib.resources as r, timers, timers._generated.runs_api;"
        "print(timers.__version__);"
        "print(r.files('timers').joinpath('py.typed').is_file(),"
        " timers.TimersClient('t').base_url)"
    )
    out = subprocess.run(
        [str(py), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split("\n")
    subprocess.run(  # pip 25 or newer shows License-Expression (PEP 639)
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pip>=25.1"],
        check=True,
    )
    shown = subprocess.run(
        [str(py), "-m", "pip", "show", "--verbose", "timers-client"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "License-Expression: Apache-2.0" in shown, shown
    assert "Source, https://github.com/" in shown and "Issues, https://github.com/" in shown, shown
    assert out[0] == _version()
    assert out[1] == "True https://timer.automate.globus.org/api/v1"


def _version() -> str:
    for line in (ROOT / "timers" / "_version.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split('"')[1]
    raise AssertionError("timers/_version.py has no __version__")
