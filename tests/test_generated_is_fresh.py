"""generated/ must be exactly what scripts/regenerate writes from the spec."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "generated" / "timers_openapi"


def _tree(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    }


def _differences(a: Path, b: Path) -> list[str]:
    left, right = _tree(a), _tree(b)
    problems = [f"only in generated/: {p}" for p in sorted(left - right)]
    problems += [f"missing from generated/: {p}" for p in sorted(right - left)]
    problems += [
        f"differs: {p}"
        for p in sorted(left & right)
        if not filecmp.cmp(a / p, b / p, shallow=False)
    ]
    return problems


@pytest.mark.slow
def test_committed_generated_code_matches_a_fresh_regeneration(tmp_path: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "regenerate"), str(tmp_path)], check=True)
    problems = _differences(COMMITTED, tmp_path / "timers_openapi")
    assert not problems, "generated/ is stale: run scripts/regenerate\n" + "\n".join(problems)


def test_the_freshness_check_notices_a_changed_file(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    for rel in _tree(COMMITTED):
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes((COMMITTED / rel).read_bytes())
    assert _differences(COMMITTED, copy) == []
    target = copy / "models" / "timer_run.py"
    target.write_text(target.read_text() + "\n# edited by hand\n")
    (copy / "stale.py").write_text("")
    assert _differences(COMMITTED, copy) == [
        "missing from generated/: stale.py",
        "differs: models/timer_run.py",
    ]


@pytest.mark.slow
def test_editing_only_a_description_in_the_spec_makes_generated_stale(tmp_path: Path) -> None:
    # A parameter's description appears in no generated code, yet generated/ must be
    # regenerated after it changes: GENERATED.md records the spec's hash.
    root = tmp_path / "repo"
    (root / "spec").mkdir(parents=True)
    (root / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "regenerate", root / "scripts" / "regenerate")
    shutil.copy2(ROOT / "openapi-python-client.yaml", root / "openapi-python-client.yaml")
    (root / ".venv").symlink_to(ROOT / ".venv")
    spec = (ROOT / "spec" / "timers-runs.yaml").read_text()
    edited = spec.replace("description: The timer's id.", "description: The id of the timer.")
    assert edited != spec
    (root / "spec" / "timers-runs.yaml").write_text(edited)
    subprocess.run([str(root / "scripts" / "regenerate"), str(tmp_path / "out")], check=True)
    assert "differs: GENERATED.md" in _differences(COMMITTED, tmp_path / "out" / "timers_openapi")
