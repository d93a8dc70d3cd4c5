"""Generated code must be exactly what its generator writes from the checked-in sources:
the low-level clients under ``timers/_generated/`` (from the specs, ``scripts/regenerate``)
and ``timers/_sync_client.py`` (from ``timers/_async_client.py``, ``scripts/unasync``)."""

from __future__ import annotations

import filecmp
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "timers" / "_generated"
PACKAGES = ["runs_api"] + (["jobs_api"] if (ROOT / "spec" / "globus-timers.yaml").exists() else [])


def _tree(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    }


def _differences(a: Path, b: Path) -> list[str]:
    left, right = _tree(a), _tree(b)
    problems = [f"only in the committed folder: {p}" for p in sorted(left - right)]
    problems += [f"missing from the committed folder: {p}" for p in sorted(right - left)]
    problems += [
        f"differs: {p}"
        for p in sorted(left & right)
        if not filecmp.cmp(a / p, b / p, shallow=False)
    ]
    return problems


@pytest.mark.slow
def test_committed_generated_packages_match_a_fresh_regeneration(tmp_path: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "regenerate"), str(tmp_path)], check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(PACKAGES)
    for package in PACKAGES:
        problems = _differences(COMMITTED / package, tmp_path / package)
        assert not problems, (
            f"timers/_generated/{package} is stale: run scripts/regenerate\n" + "\n".join(problems)
        )


def test_the_freshness_check_notices_a_changed_file(tmp_path: Path) -> None:
    committed = COMMITTED / "runs_api"
    copy = tmp_path / "copy"
    for rel in _tree(committed):
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes((committed / rel).read_bytes())
    assert _differences(committed, copy) == []
    target = copy / "models" / "timer_run.py"
    target.write_text(target.read_text() + "\n# edited by hand\n")
    (copy / "stale.py").write_text("")
    assert _differences(committed, copy) == [
        "missing from the committed folder: stale.py",
        "differs: models/timer_run.py",
    ]


# (spec, its package, a description in it, the same description reworded)
DESCRIPTION_EDITS = [
    ("timers-runs.yaml", "runs_api", "description: The timer's id.", "description: The id."),
    *(
        [("globus-timers.yaml", "jobs_api", "(S2 base URL)", "(its base URL)")]
        if "jobs_api" in PACKAGES
        else []
    ),
]


@pytest.mark.slow
def test_editing_only_a_description_in_a_spec_makes_its_package_stale(tmp_path: Path) -> None:
    # A description appears in no generated code, yet the package must be regenerated after
    # it changes: GENERATED.md records the spec's hash. (One regeneration for every spec's
    # edit: each takes seconds.)
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "spec", root / "spec")
    (root / "scripts").mkdir()
    for name in ("regenerate", "_env.sh"):
        shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
    for name in ("openapi-python-client.yaml", "pyproject.toml"):
        shutil.copy2(ROOT / name, root / name)
    (root / ".venv").symlink_to(ROOT / ".venv")
    for spec, _, old, new in DESCRIPTION_EDITS:
        text = (root / "spec" / spec).read_text()
        edited = text.replace(old, new, 1)
        assert edited != text
        (root / "spec" / spec).write_text(edited)
    subprocess.run([str(root / "scripts" / "regenerate"), str(tmp_path / "out")], check=True)
    for spec, package, _, _ in DESCRIPTION_EDITS:
        problems = _differences(COMMITTED / package, tmp_path / "out" / package)
        assert problems == ["differs: GENERATED.md"], package
        # ... in the line of its own spec's hash only (both specs changed here).
        old_hash = hashlib.sha256((ROOT / "spec" / spec).read_bytes()).hexdigest()
        new_hash = hashlib.sha256((root / "spec" / spec).read_bytes()).hexdigest()
        committed = (COMMITTED / package / "GENERATED.md").read_text()
        assert f"spec/{spec} sha256: {old_hash}" in committed, package
        expected = committed.replace(old_hash, new_hash)
        assert (tmp_path / "out" / package / "GENERATED.md").read_text() == expected, package


def test_the_sync_client_is_what_unasync_writes_from_the_async_client() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unasync"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_unasync_check_notices_a_hand_edit(tmp_path: Path) -> None:
    unasync = load_script("unasync")
    edited = tmp_path / "_sync_client.py"
    edited.write_text((ROOT / "timers" / "_sync_client.py").read_text() + "\n# edited by hand\n")
    unasync.TARGET = edited
    assert unasync.main(["unasync", "--check"]) == 1
    unasync.main(["unasync"])
    assert edited.read_text() == (ROOT / "timers" / "_sync_client.py").read_text()


def test_unasync_says_which_ruff_it_needs_when_only_another_version_is_found(
    tmp_path: Path,
) -> None:
    # A checkout without .venv; any ruff on PATH is of another version than the one pinned.
    (tmp_path / "pyproject.toml").write_text('[dependency-groups]\nregenerate = ["ruff==0.0.1"]\n')
    unasync = load_script("unasync")
    unasync.ROOT = tmp_path
    with pytest.raises(SystemExit) as info:
        unasync.main(["unasync", "--check"])
    assert str(info.value) == (
        "scripts/unasync needs ruff 0.0.1 (pinned in pyproject.toml): run scripts/regenerate "
        "or scripts/test once, which set up .venv with it"
    )
