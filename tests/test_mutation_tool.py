"""scripts/mutate's own files are well formed; checked without running mutmut (that takes minutes).

The equivalent mutants it leaves out of the score must each say why they are equivalent, and the
table of tests per module must only name test files that exist.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
MUTATE = ROOT / "scripts" / "mutate"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "mutation" / "mutate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_listed_equivalent_mutant_has_an_id_a_reason_and_the_mutation() -> None:
    data = tomllib.loads((ROOT / "mutation" / "equivalents.toml").read_text(encoding="utf-8"))
    entries = data.get("equivalent", [])
    assert set(data) <= {"equivalent"}
    tool = _tool()
    for entry in entries:
        assert tool.ID_PATTERN.match(entry.get("id", "")), entry
        assert str(entry.get("reason", "")).strip(), f"{entry['id']} has no reason"
        assert "before" in entry and "after" in entry, f"{entry['id']} does not show the mutation"
        module = entry["id"].partition("::")[0]
        assert module in tool.hand_written_modules(), f"{entry['id']}: no such hand-written module"
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids)), "an equivalent mutant is listed twice"
    assert len(tool.load_equivalents()) == len(entries)  # the tool reads the same file the same way


def test_the_test_map_names_existing_modules_and_test_files_and_excluded_ones_say_why() -> None:
    data = tomllib.loads((ROOT / "mutation" / "tests_by_module.toml").read_text(encoding="utf-8"))
    tool = _tool()
    modules = tool.hand_written_modules()
    for module, tests in data["modules"].items():
        assert module in modules or fnmatch.filter(modules, module), module
        assert tests, f"{module} has no tests"
        for test in tests:
            assert (ROOT / test).is_file(), f"{module}: {test} does not exist"
            assert test not in data["excluded"], f"{module}: {test} is excluded"
    for test, reason in data["excluded"].items():
        assert (ROOT / test).is_file() and reason.strip(), test
    for node in data.get("deselect", []):
        assert (ROOT / node.partition("::")[0]).is_file(), node


def test_a_module_gets_its_own_test_files_else_a_matching_patterns_else_all_but_excluded() -> None:
    tool = _tool()
    test_map = {
        "excluded": {"tests/test_packaging.py": "slow"},
        "deselect": [],
        "modules": {
            "timers/testing/_state.py": ["tests/test_reference_service.py"],
            "timers/testing/*.py": ["tests/test_reference_server.py"],
            "timers/*.py": ["tests/test_models.py"],
        },
    }
    assert tool.tests_for("timers/testing/_state.py", test_map) == [
        "tests/test_reference_service.py"
    ]
    assert tool.tests_for("timers/testing/_wire.py", test_map) == ["tests/test_reference_server.py"]
    assert tool.tests_for("timers/_time.py", test_map) == ["tests/test_models.py"]
    everything = tool.tests_for("README.md", test_map)
    assert "tests/test_models.py" in everything and "tests/test_readme.py" in everything
    assert "tests/test_packaging.py" not in everything
    assert all(name.startswith("tests/test_") for name in everything)


def test_generated_modules_are_never_mutated() -> None:
    modules = _tool().hand_written_modules()
    assert "timers/_paging.py" in modules and "timers/cli/_app.py" in modules
    assert "timers/testing/_service.py" in modules and "timers/_async_client.py" in modules
    assert "timers/_sync_client.py" not in modules
    assert not [m for m in modules if m.startswith("timers/_generated/")]


def test_a_mutant_identity_ignores_line_numbers_but_not_the_mutation() -> None:
    tool = _tool()
    one = tool.mutant_id(
        "timers/_paging.py", "Pager.accept", "self._pages += 1", "self._pages += 2"
    )
    assert one == tool.mutant_id(
        "timers/_paging.py", "Pager.accept", "self._pages += 1", "self._pages += 2"
    )
    assert one != tool.mutant_id(
        "timers/_paging.py", "Pager.accept", "self._pages += 1", "self._pages -= 1"
    )
    assert one != tool.mutant_id(
        "timers/_paging.py", "Pager._check", "self._pages += 1", "self._pages += 2"
    )
    assert tool.ID_PATTERN.match(one)
    assert tool.normalise_module("timers._paging") == "timers/_paging.py"
    assert tool.normalise_module("_dialects/jobs.py") == "timers/_dialects/jobs.py"


def test_scripts_mutate_help_works() -> None:
    result = subprocess.run(
        [str(MUTATE), "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert "usage: scripts/mutate" in result.stdout
    assert "equivalents.toml" in result.stdout
    direct = subprocess.run(
        [sys.executable, str(ROOT / "mutation" / "mutate.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert direct.stdout == result.stdout


def _edited(module: str) -> bool:
    diff = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", module], cwd=ROOT, check=False)
    return diff.returncode != 0


def test_a_recheck_runs_only_the_last_runs_unkilled_mutants_and_only_on_unchanged_code() -> None:
    tool = _tool()
    # A module without uncommitted edits (an edited one is refused, as the last record shows).
    module = next((m for m in ("timers/_time.py", "timers/_redact.py") if not _edited(m)), None)
    if module is None:
        pytest.skip("both modules have uncommitted edits: the recheck would refuse either")
    mutants = tool.generate_mutants(module)
    survivor, equivalent = mutants[0], mutants[1]
    last = {
        "date": "2090-01-01T00:00:00Z",  # no commit since: the code is the code it ran on
        "mutants": len(mutants),
        "survivors": [{"id": survivor.id}],
        "timeouts_and_others": [],
        "equivalents": [{"id": equivalent.id}],
    }
    assert tool.recheck_names(module, last, mutants) == sorted([survivor.name, equivalent.name])
    refusals = [
        None,  # never run in full
        {"error": "mutmut exited 1"},
        last | {"mutants": len(mutants) + 1},  # other mutants now
        last | {"survivors": [{"id": f"{module}::gone::0123456789ab"}]},
        last | {"date": "2000-01-01T00:00:00Z"},  # the module has commits since
    ]
    for record in refusals:
        with pytest.raises(SystemExit, match="--recheck"):
            tool.recheck_names(module, record, mutants)


def test_the_readme_shows_the_last_recorded_mutation_results() -> None:
    tool = _tool()
    begin, end = tool.README_MARKERS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.partition(begin + "\n")[2].partition("\n" + end)[0]
    expected = tool.render_readme_summary(tool.load_results(), tool.hand_written_modules())
    assert shown == expected, "README is stale: run scripts/mutate --report"


def test_the_readme_summary_counts_and_lists_every_module() -> None:
    tool = _tool()
    record = {"mutants": 10, "equivalent": 2, "killed": 7, "score": 0.875, "date": "2026-11-29T1"}
    results = {
        "tool_version": "9",
        "modules": {
            "timers/a.py": record,
            "timers/b.py": record | {"rechecked": 1},
            "timers/e.py": {"mutants": 0, "score": None},
        },
    }
    text = tool.render_readme_summary(
        results, ["timers/a.py", "timers/b.py", "timers/e.py", "timers/n.py"]
    )
    assert "2 of 4 hand-written modules measured" in text
    assert "| `timers/a.py` | 10 | 2 | 7 | 87.5% | 2026-11-29 |" in text
    assert "| `timers/b.py` | 10 | 2 | 7 | 87.5% | 2026-11-29 (recheck) |" in text
    assert "alone): `timers/e.py`." in text
    assert text.endswith("Not measured yet: `timers/n.py`.")
