"""The wheel installs one package, typed, with the runtime dependencies only."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tarfile
import tomllib
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
        "certifi",
        "httpcore",
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
    # No pip of its own (ensurepip takes 7 s): this venv's pip installs into it (--python).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet",
         "--disable-pip-version-check", "--no-compile", str(wheel)],
        check=True,
    )  # fmt: skip
    probe = (
        "import importlib.resources as r, timers, timers._generated.runs_api;"
        "print(timers.__version__);"
        "print(r.files('timers').joinpath('py.typed').is_file(),"
        " timers.TimersClient('t').base_url);"
        "from importlib.metadata import metadata;"
        "m = metadata('timers-client');"
        "print(m['License-Expression']);"
        "print(sorted(m.get_all('Project-URL')))"
    )
    out = subprocess.run(
        [str(py), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.split("\n")
    assert out[2] == "Apache-2.0", out  # PEP 639
    urls = out[3]
    assert "'Source, https://github.com/" in urls and "'Issues, https://github.com/" in urls, urls
    assert out[0] == _version()
    assert out[1] == "True https://timer.automate.globus.org/api/v1"
    # As a type checker sees the installed package: every exported name's type fully known.
    pyright = ROOT / "node_modules" / ".bin" / "pyright"
    verified = subprocess.run(  # (--verifytypes finds the package through the python on PATH)
        [str(pyright), "--verifytypes", "timers", "--ignoreexternal"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
        env={**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"},
    ).stdout  # fmt: skip
    assert "Type completeness score: 100%" in verified, verified


def _version() -> str:
    for line in (ROOT / "timers" / "_version.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split('"')[1]
    raise AssertionError("timers/_version.py has no __version__")


def _third_party_imports(path: Path) -> set[str]:
    """The top-level names of the modules ``path`` imports that are not stdlib or timers
    (under ``if TYPE_CHECKING:`` too: a type checker of a user's code needs them installed)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"timers", "__future__"}


def _declared(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_every_module_the_package_imports_comes_from_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _declared(project["dependencies"])
    extras = {name: _declared(r) for name, r in project["optional-dependencies"].items()}
    # Where each part of the package may import from: the runtime dependencies, plus its extra.
    extra_of = {"cli": "cli", "testing": "testing", "_aiohttp.py": "aiohttp"}
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for path in sorted((ROOT / "timers").rglob("*.py")):
        part = path.relative_to(ROOT / "timers").parts[0]
        allowed = runtime | extras.get(extra_of.get(part, ""), set())
        if path.name == "pytest_plugin.py":
            allowed = allowed | {"pytest"}  # only ever loaded by pytest itself
        # Not a distribution: the stubs type checkers bring (imported under TYPE_CHECKING).
        allowed = allowed | {"_typeshed"}
        # A dependency of httpx itself, and only its sleep() is used.
        allowed = allowed | {"anyio"}
        for module in _third_party_imports(path):
            owners = {d.lower() for d in distributions.get(module, [module])}
            if not owners & allowed:
                missing.append(f"{path.relative_to(ROOT)} imports {module} ({sorted(owners)})")
    assert not missing, "\n".join(missing)


@pytest.mark.slow
def test_the_sdist_holds_every_tracked_file_scripts_test_needs(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("compares the sdist with git's tracked files: needs a git checkout")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            ROOT,
        ],
        check=True,
        capture_output=True,
    )
    (sdist,) = tmp_path.glob("timers_client-*.tar.gz")
    with tarfile.open(sdist) as archive:
        shipped = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    untracked = subprocess.run(  # a developer's files that git does not ignore: shipped too
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    # CI's entry point is not part of a source release (hatchling adds .gitignore itself).
    wanted = {name for name in tracked if not name.startswith(".ci/")}
    assert wanted - shipped == set()
    assert shipped - wanted - set(untracked) == {"PKG-INFO"}
