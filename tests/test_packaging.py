"""The wheel installs both packages, typed, with the runtime dependencies only."""

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
    (found,) = out.glob("timers-*.whl")
    return found


@pytest.mark.slow
def test_wheel_ships_facade_and_generated_package_with_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "timers/__init__.py" in names
    assert "timers/py.typed" in names
    assert "timers_openapi/__init__.py" in names
    assert "timers_openapi/py.typed" in names
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
    ]
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
        "import importlib.resources as r, timers, timers_openapi;"
        "print(timers.__version__);"
        "print(r.files('timers').joinpath('py.typed').is_file(),"
        " r.files('timers_openapi').joinpath('py.typed').is_file())"
    )
    out = subprocess.run(
        [str(py), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split("\n")
    assert out[0] == _version()
    assert out[1] == "True True"


def _version() -> str:
    for line in (ROOT / "timers" / "_version.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split('"')[1]
    raise AssertionError("timers/_version.py has no __version__")
