"""Mutation testing of the hand-written modules under timers/ with mutmut (run as scripts/mutate).

For each module, one at a time: mutmut copies timers/ (and tests/, spec/, README.md) into
mutants/, mutates only that module, runs the module's fast test files once to learn which tests
call which function, then runs each mutant against the tests that call its function (fastest
first, stopping at the first failure), two mutants at a time. Then this script:

- names each mutant by a stable identity, ``MODULE::FUNCTION::HASH``, where HASH covers the
  module, the function, and the mutated source line(s) before and after the mutation (not line
  numbers, not mutmut's numbers): an entry keeps matching while the code around it changes;
- drops the mutants listed in mutation/equivalents.toml (each with the reason it cannot change
  behaviour) from the score, and says which listed entries no longer match any mutant (stale);
- merges the module's counts into benchmarks/mutation.json and rewrites
  benchmarks/mutation-survivors.md (the real survivors, by module, with line and diff).

Which test files run for a module: mutation/tests_by_module.toml (a key may be a pattern such as
timers/testing/*.py; modules that no key matches get every test file except the excluded
ones). Inside those files mutmut narrows each mutant down to the tests that call the mutated
function.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "timers"
# Generated code: mutating it tests the generator, not this project.
NOT_HAND_WRITTEN = ("timers/_generated/", "timers/_sync_client.py")
EQUIVALENTS = ROOT / "mutation" / "equivalents.toml"
TEST_MAP = ROOT / "mutation" / "tests_by_module.toml"
RESULTS = ROOT / "benchmarks" / "mutation.json"
SURVIVORS = ROOT / "benchmarks" / "mutation-survivors.md"
README = ROOT / "README.md"
README_MARKERS = ("<!-- scripts/mutate: begin -->", "<!-- scripts/mutate: end -->")
WORK = ROOT / "mutants"  # mutmut's own workspace (fixed name)
LOGS = ROOT / ".mutation"  # one log per module run, and the lock
SCORE_FORMULA = "killed / (mutants - equivalent)"
ID_PATTERN = re.compile(r"^timers/[\w/]+\.py::[\w.]+::[0-9a-f]{12}(#\d+)?$")

# mutmut exit codes -> what this tool reports (mutmut.stats.status_by_exit_code, summarised).
KILLED = {1, 3}
SURVIVED = {0}
NO_TESTS = {5, 33}
TIMEOUT = {24, -24, 36, 152, 255}


# --- modules and their tests ------------------------------------------------------------------


def hand_written_modules() -> list[str]:
    """Every module that scripts/mutate may mutate, as paths relative to the project root."""
    paths = sorted((ROOT / PACKAGE).rglob("*.py"))
    names = [p.relative_to(ROOT).as_posix() for p in paths]
    return [n for n in names if not n.startswith(NOT_HAND_WRITTEN) and "__pycache__" not in n]


def normalise_module(arg: str) -> str:
    """``timers/_paging.py``, ``timers._paging`` or ``_paging`` -> ``timers/_paging.py``."""
    name = arg.strip().removeprefix("./")
    if not name.endswith(".py"):
        name = name.replace(".", "/") + ".py"
    if not name.startswith(f"{PACKAGE}/"):
        name = f"{PACKAGE}/{name}"
    if (ROOT / name).is_file():
        return name
    package_init = name.removesuffix(".py") + "/__init__.py"
    if (ROOT / package_init).is_file():
        return package_init
    return name


def load_test_map() -> dict[str, Any]:
    data = tomllib.loads(TEST_MAP.read_text(encoding="utf-8"))
    data.setdefault("excluded", {})
    data.setdefault("deselect", [])
    data.setdefault("modules", {})
    return data


def tests_for(module: str, test_map: dict[str, Any]) -> list[str]:
    """The test files to run for ``module``: its own entry in the map, else the first entry
    whose key is a pattern that matches it (``timers/testing/*.py``), else every test file but
    the excluded ones."""
    listed = test_map["modules"].get(module)
    if listed is None:
        matching = (files for key, files in test_map["modules"].items() if fnmatch(module, key))
        listed = next(matching, None)
    if listed is not None:
        return list(listed)
    excluded = set(test_map["excluded"])
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_*.py"))
    return [f for f in files if f not in excluded]


def pytest_selection(tests: list[str], test_map: dict[str, Any]) -> list[str]:
    args = list(tests)
    for node in test_map["deselect"]:
        args += ["--deselect", node]
    return args


# --- mutant identity ----------------------------------------------------------------------------


@dataclass
class Mutant:
    name: str  # mutmut's name, e.g. timers._paging.xǁPagerǁaccept__mutmut_3 (changes often)
    module: str
    function: str  # Pager.accept, parse_datetime
    before: str  # the mutated line(s), stripped, before ...
    after: str  # ... and after the mutation
    line: int  # where the first mutated line is now (for people only)
    diff: str
    id: str = ""


def function_label(mangled: str) -> str:
    """``xǁPagerǁaccept`` -> ``Pager.accept``; ``x_parse_datetime`` -> ``parse_datetime``."""
    if mangled.startswith("xǁ"):
        _, cls, func = mangled.split("ǁ", 2)
        return f"{cls}.{func}"
    return mangled.removeprefix("x_")


def mutant_id(module: str, function: str, before: str, after: str) -> str:
    digest = hashlib.sha256("\0".join((module, function, before, after)).encode()).hexdigest()
    return f"{module}::{function}::{digest[:12]}"


def function_spans(source: str) -> dict[str, tuple[int, int]]:
    """``Class.method`` / ``function`` -> (first line incl. decorators, last line)."""
    spans: dict[str, tuple[int, int]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                spans[prefix + node.name] = (first, node.end_lineno or node.lineno)
            elif isinstance(node, ast.ClassDef) and not prefix:
                visit(node.body, f"{node.name}.")

    visit(ast.parse(source).body, "")
    return spans


def locate(lines: list[str], span: tuple[int, int], text: str, estimate: int) -> int:
    """The line in ``span`` whose stripped text is ``text``, closest to ``estimate``."""
    candidates = [n for n in range(span[0], span[1] + 1) if lines[n - 1].strip() == text]
    if not candidates:
        return estimate
    return min(candidates, key=lambda n: abs(n - estimate))


def describe_mutants(module: str, source: str, mutated_code: str, names: list[str]) -> list[Mutant]:
    """Diff each mutant against the original function in mutmut's generated file."""
    import libcst as cst

    tree = cst.parse_module(mutated_code)
    functions: dict[str, cst.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, cst.FunctionDef):
            functions[node.name.value] = node
        elif isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
            for item in node.body.body:
                if isinstance(item, cst.FunctionDef):
                    functions[item.name.value] = item
    source_lines = source.splitlines()
    spans = function_spans(source)
    mutants: list[Mutant] = []
    for name in names:
        local = name.rpartition(".")[2]
        mangled = local.partition("__mutmut_")[0]
        label = function_label(mangled)
        plain = cst.Name(label.rpartition(".")[2])
        orig = functions[f"{mangled}__mutmut_orig"].with_changes(name=plain, decorators=[])
        mutated = functions[local].with_changes(name=plain, decorators=[])
        a = cst.Module([orig]).code.strip().split("\n")
        b = cst.Module([mutated]).code.strip().split("\n")
        diff = list(difflib.unified_diff(a, b, lineterm="", n=1))[2:]
        removed = [d[1:].strip() for d in diff if d.startswith("-")]
        added = [d[1:].strip() for d in diff if d.startswith("+")]
        span = spans.get(label, (1, len(source_lines)))
        hunk = re.match(r"@@ -(\d+)", diff[0]) if diff else None
        offset = int(hunk.group(1)) if hunk else 1
        for d in diff[1:]:
            if not d.startswith(" "):
                break
            offset += 1
        def_line = next(
            (
                n
                for n in range(span[0], span[1] + 1)
                if source_lines[n - 1].lstrip().startswith(("def ", "async def "))
            ),
            span[0],
        )
        estimate = def_line + offset - 1
        line = locate(source_lines, span, removed[0], estimate) if removed else estimate
        mutants.append(
            Mutant(
                name=name,
                module=module,
                function=label,
                before="\n".join(removed),
                after="\n".join(added),
                line=line,
                diff="\n".join("..." if d.startswith("@@") else d for d in diff[1:]),
            )
        )
    # Identical mutations in one function (the same line twice) get #2, #3... in source order.
    seen: Counter[str] = Counter()
    for m in sorted(mutants, key=lambda m: (m.line, mutant_number(m.name))):
        base = mutant_id(m.module, m.function, m.before, m.after)
        seen[base] += 1
        m.id = base if seen[base] == 1 else f"{base}#{seen[base]}"
    return mutants


def mutant_number(name: str) -> int:
    return int(name.rpartition("__mutmut_")[2])


def generate_mutants(module: str) -> list[Mutant]:
    """All mutants of ``module``, in memory (no tests run): for identities and stale checks."""
    from mutmut.mutation.file_mutation import mutate_file_contents

    source = (ROOT / module).read_text(encoding="utf-8")
    generated = mutate_file_contents(module, source)
    dotted = module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    names = [f"{dotted}.{n}" for n in generated.mutant_names]
    return describe_mutants(module, source, generated.code, names)


# --- equivalents ---------------------------------------------------------------------------------


def load_equivalents() -> dict[str, dict[str, str]]:
    """id -> entry. Raises ValueError for an entry without an id or a reason, or a repeated id."""
    data = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8"))
    entries: dict[str, dict[str, str]] = {}
    for entry in data.get("equivalent", []):
        ident = entry.get("id", "")
        if not ID_PATTERN.match(ident):
            raise ValueError(f"{EQUIVALENTS.name}: bad or missing id {ident!r}")
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{EQUIVALENTS.name}: {ident} has no reason")
        if ident in entries:
            raise ValueError(f"{EQUIVALENTS.name}: {ident} is listed twice")
        entries[ident] = entry
    return entries


def module_of(ident: str) -> str:
    return ident.partition("::")[0]


# --- running mutmut ------------------------------------------------------------------------------


def run_mutmut_in_this_process(
    module: str, selection: list[str], max_children: int, names: tuple[str, ...] = ("*",)
) -> int:
    """Configure mutmut for one module and run it here (the driver runs this in a child):
    every mutant, or only the mutmut ``names`` given (``--recheck``)."""
    os.chdir(ROOT)
    from mutmut.__main__ import _run
    from mutmut.configuration import config

    cfg = config()
    cfg.only_mutate = [module]
    cfg.pytest_add_cli_args_test_selection = selection
    try:
        # "*": only this module is mutated; it also limits the clean run to the tests that
        # call one of its functions, instead of every selected file.
        _run(names, max_children)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


@contextlib.contextmanager
def exclusive_lock() -> Iterator[None]:
    LOGS.mkdir(exist_ok=True)
    with open(LOGS / "lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit("scripts/mutate: another run is using mutants/; wait for it to finish")
        yield


def recheck_names(module: str, last: dict[str, Any] | None, mutants: list[Mutant]) -> list[str]:
    """The mutmut names of the mutants the last full run of ``module`` did not kill, for
    ``--recheck``. Its other verdicts (killed) stand only while the module's code is the code
    they were reached on, so this exits when the module changed since that run (a commit after
    it, or an uncommitted edit) or when that run was itself a recheck of another."""
    if not last or "error" in last or "survivors" not in last:
        sys.exit(f"scripts/mutate --recheck: no full run of {module} recorded: run it in full")
    since = last.get("full_run_date", last["date"])
    changed = subprocess.run(
        ["git", "log", "--format=%H", f"--since={since}", "--", module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    edited = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", module], cwd=ROOT).returncode
    refused = f"scripts/mutate --recheck: {module} changed since its last full run: run it in full"
    if changed or edited or len(mutants) != last["mutants"]:
        sys.exit(refused)
    unkilled = {
        item["id"]
        for kind in ("survivors", "timeouts_and_others", "equivalents")
        for item in last.get(kind, [])
    }
    by_id = {m.id: m.name for m in mutants}
    if not unkilled <= set(by_id):
        sys.exit(refused)
    return sorted(by_id[i] for i in unkilled)


def run_module(
    module: str,
    test_map: dict[str, Any],
    max_children: int,
    verbose: bool,
    last: dict[str, Any] | None = None,
    recheck: bool = False,
) -> dict[str, Any]:
    """Mutate ``module`` and tally the verdicts. With ``recheck``, run only the mutants its
    ``last`` full run did not kill (after new tests); that run's kills are kept."""
    started = time.monotonic()
    tests = tests_for(module, test_map)
    mutants = generate_mutants(module)
    names = recheck_names(module, last, mutants) if recheck else []
    record: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tests": tests,
        "max_children": max_children,
    }
    if recheck:
        assert last is not None
        record["full_run_date"] = last.get("full_run_date", last["date"])
        record["rechecked"] = len(names)
        if not names:
            return last | record | {"seconds": 0.0}
    if not mutants:
        print(f"==> {module}: no mutants (no function bodies to mutate)")
        return record | tally(module, [], {}, {}) | {"seconds": 0.0}
    shutil.rmtree(WORK, ignore_errors=True)  # fresh: a cached verdict would ignore new tests
    log_path = LOGS / (module.replace("/", "_") + ".log")
    print(f"==> {module}: {len(mutants)} mutants, tests from {len(tests)} files (log: {log_path})")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--internal-run-one",
        module,
        "--max-children",
        str(max_children),
        *(["--internal-names", ",".join(names)] if names else []),
    ]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for var in ("TIMERS_ACCESS_TOKEN", "TIMERS_BASE_URL", "TIMERS_API", "TIMERS_LOG"):
        env.pop(var, None)
    with open(log_path, "w") as log:
        rc = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdout=None if verbose else log,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    seconds = round(time.monotonic() - started, 1)
    meta_path = WORK / (module + ".meta")
    if rc != 0 or not meta_path.exists():
        print(f"    mutmut failed (exit {rc}) after {seconds} s: see {log_path}", file=sys.stderr)
        return record | {
            "error": f"mutmut exited {rc}; see {log_path.relative_to(ROOT)}",
            "seconds": seconds,
        }
    exit_codes = json.loads(meta_path.read_text())["exit_code_by_key"]
    if recheck:  # the mutants not run again were killed by the last full run
        exit_codes = {
            name: code if name in names else min(KILLED) for name, code in exit_codes.items()
        }
    by_name = {m.name: m for m in mutants}
    # The mutants mutmut generated are the ones generated above: same code, same mutmut.
    unknown = set(exit_codes) - set(by_name)
    if unknown:
        raise RuntimeError(
            f"{module}: mutmut ran mutants this script did not generate: {sorted(unknown)[:3]}"
        )
    return record | tally(module, mutants, exit_codes, load_equivalents()) | {"seconds": seconds}


def tally(
    module: str,
    mutants: list[Mutant],
    exit_codes: dict[str, int | None],
    equivalents: dict[str, dict[str, str]],
) -> dict[str, Any]:
    killed = 0
    unkilled: list[dict[str, Any]] = []
    wrongly_listed: list[str] = []
    for m in mutants:
        code = exit_codes.get(m.name)
        if code in KILLED:
            killed += 1
            if m.id in equivalents:
                wrongly_listed.append(m.id)  # a test told it apart: it is not equivalent
            continue
        status = (
            "survived"
            if code in SURVIVED
            else "no tests"
            if code in NO_TESTS
            else "timeout"
            if code in TIMEOUT
            else "other"
        )
        unkilled.append(
            {
                "id": m.id,
                "function": m.function,
                "line": m.line,
                "status": status,
                "before": m.before,
                "after": m.after,
                "diff": m.diff,
            }
        )
    result = summarise(len(mutants), killed, unkilled, equivalents)
    if wrongly_listed:
        result["killed_but_listed_as_equivalent"] = sorted(wrongly_listed)
    return result


def summarise(
    total: int, killed: int, unkilled: list[dict[str, Any]], equivalents: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """Counts and score from the mutants no test killed, given the listed equivalents.

    ``survivors`` are the real survivors (survived, or no test calls the function); the
    listed equivalents and the real timeouts and oddities are kept too, so that ``--report``
    can apply an edited equivalents file without running anything.
    """
    key = lambda item: (item["line"], item["id"])  # noqa: E731
    equivalent = sorted((i for i in unkilled if i["id"] in equivalents), key=key)
    real = [i for i in unkilled if i["id"] not in equivalents]
    counts = Counter(i["status"] for i in real)
    scored = total - len(equivalent)
    return {
        "mutants": total,
        "killed": killed,
        "survived": counts["survived"],
        "no_tests": counts["no tests"],
        "equivalent": len(equivalent),
        "timeout": counts["timeout"],
        "other": counts["other"],
        "score": round(killed / scored, 4) if scored else None,
        "survivors": sorted((i for i in real if i["status"] in ("survived", "no tests")), key=key),
        "timeouts_and_others": sorted(
            (i for i in real if i["status"] not in ("survived", "no tests")), key=key
        ),
        "equivalents": equivalent,
    }


def retally(record: dict[str, Any], equivalents: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Apply ``equivalents`` to a stored module record (``--report``)."""
    unkilled = [
        *record.get("survivors", []),
        *record.get("timeouts_and_others", []),
        *record.get("equivalents", []),
    ]
    result = record | summarise(record["mutants"], record["killed"], unkilled, equivalents)
    if "timeouts_and_others" not in record:  # written before those were kept: keep the counts
        result.update(timeout=record["timeout"], other=record["other"])
    return result


# --- reports ----------------------------------------------------------------------------------


def tool_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def write_results(results: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_results() -> dict[str, Any]:
    if RESULTS.exists():
        data: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
        return data
    return {}


def render_readme_summary(results: dict[str, Any], modules: list[str]) -> str:
    """The README's account of the last results (it sits between ``README_MARKERS``)."""
    records = results.get("modules", {})
    measured = [m for m in modules if records.get(m, {}).get("score") is not None]
    empty = [m for m in modules if m in records and records[m].get("mutants") == 0]
    missing = [m for m in modules if m not in measured and m not in empty]
    out = [
        f"Last results (`benchmarks/mutation.json`, mutmut {results.get('tool_version', '?')}; "
        f"score = `{SCORE_FORMULA}`): {len(measured)} of {len(modules)} hand-written modules "
        "measured.",
        "",
        "| module | mutants | equivalent | killed | score | run |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in measured:
        r = records[m]
        out.append(
            f"| `{m}` | {r['mutants']} | {r['equivalent']} | {r['killed']} | "
            f"{r['score']:.1%} | {r['date'][:10]}{' (recheck)' if 'rechecked' in r else ''} |"
        )
    if empty:
        out += ["", "No mutants (mutmut leaves decorated functions, such as click commands, "]
        out[-1] += "alone): " + ", ".join(f"`{m}`" for m in empty) + "."
    if missing:
        out += ["", "Not measured yet: " + ", ".join(f"`{m}`" for m in missing) + "."]
    return "\n".join(out)


def write_readme_summary(results: dict[str, Any]) -> None:
    text = README.read_text(encoding="utf-8")
    begin, end = README_MARKERS
    head, found, rest = text.partition(begin + "\n")
    _, found_end, tail = rest.partition(end)
    if not (found and found_end):
        sys.exit(f"scripts/mutate: README.md lacks the markers {begin} ... {end}")
    summary = render_readme_summary(results, hand_written_modules())
    README.write_text(f"{head}{begin}\n{summary}\n{end}{tail}", encoding="utf-8")


def render_survivors(results: dict[str, Any]) -> str:
    out = [
        "# Mutation testing: surviving mutants",
        "",
        f"Generated by `scripts/mutate` (mutmut {results.get('tool_version', '?')}) from",
        "`benchmarks/mutation.json`; do not edit. Each mutant below changed the code and no",
        "selected fast test failed (*survived*), or no selected test calls its function",
        "(*no tests*). Mutants that cannot change behaviour are listed, with the reason, in",
        "`mutation/equivalents.toml` and left out of here and of the score",
        f"(`{SCORE_FORMULA}`). To declare one equivalent, copy its id there with a reason.",
        "",
        "| module | mutants | killed | survived | no tests | equivalent | timeout | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    modules = results.get("modules", {})
    for name, r in sorted(modules.items()):
        if "error" in r:
            out.append(f"| `{name}` | error: {r['error']} | | | | | | |")
            continue
        score = "-" if r["score"] is None else f"{r['score']:.1%}"
        out.append(
            f"| `{name}` | {r['mutants']} | {r['killed']} | {r['survived']} | {r['no_tests']} "
            f"| {r['equivalent']} | {r['timeout']} | {score} |"
        )
    for name, r in sorted(modules.items()):
        survivors = r.get("survivors", [])
        if not survivors:
            continue
        out += ["", f"## `{name}` ({len(survivors)})", ""]
        if "note" in r:
            out += [f"Note: {r['note']}.", ""]
        for s in survivors:
            tag = "" if s["status"] == "survived" else f" ({s['status']})"
            out += [
                f"### line {s['line']}, `{s['function']}`{tag}",
                "",
                f"id: `{s['id']}`",
                "",
                "```diff",
            ]
            out += [s["diff"], "```", ""]
        if out[-1] == "":
            out.pop()
    return "\n".join(out) + "\n"


def stale_entries(
    equivalents: dict[str, dict[str, str]], current: dict[str, set[str]]
) -> list[str]:
    """Listed ids of the modules in ``current`` (module -> its mutant ids) that match no mutant."""
    return sorted(
        i for i in equivalents if module_of(i) in current and i not in current[module_of(i)]
    )


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/mutate",
        description=(
            "Mutation-test the hand-written modules under timers/ with mutmut, one module at a "
            "time, each against its fast tests (mutation/tests_by_module.toml); write "
            "benchmarks/mutation.json and benchmarks/mutation-survivors.md. Not part of "
            "scripts/test: it takes minutes per module."
        ),
        epilog=(
            "examples:\n"
            "  scripts/mutate timers/_paging.py       one module (or timers._paging, _paging)\n"
            "  scripts/mutate --listed                the modules in tests_by_module.toml\n"
            "  scripts/mutate --all                   every hand-written module (hours)\n"
            "  scripts/mutate --stale                 check mutation/equivalents.toml (no tests)\n"
            "  scripts/mutate --show timers/_time.py  each mutant's id and diff (no tests)\n"
            "  scripts/mutate --report                apply equivalents.toml to the last results\n"
            "  scripts/mutate --recheck timers/_core.py  only the mutants its last full run left\n"
            "\nequivalent mutants: add [[equivalent]] entries (id, before, after, reason) to\n"
            "mutation/equivalents.toml; the ids are in benchmarks/mutation-survivors.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("modules", nargs="*", metavar="MODULE", help="modules to mutate")
    parser.add_argument(
        "--listed", action="store_true", help="the modules listed in tests_by_module.toml"
    )
    parser.add_argument(
        "--all", action="store_true", help="every hand-written module (hours: say so on purpose)"
    )
    parser.add_argument(
        "--max-children",
        type=int,
        default=os.cpu_count() or 2,
        help="mutants tested at once (default: one per core, %(default)s here)",
    )
    parser.add_argument("--stale", action="store_true", help="report stale equivalents and exit")
    parser.add_argument(
        "--report",
        action="store_true",
        help="apply mutation/equivalents.toml to the last results and rewrite both reports",
    )
    parser.add_argument("--show", action="store_true", help="print every mutant of MODULE and exit")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show mutmut's output, not only log it"
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="run again only the mutants the module's last full run did not kill (after adding "
        "tests; refused when the module changed since that run)",
    )
    parser.add_argument("--internal-run-one", metavar="MODULE", help=argparse.SUPPRESS)
    parser.add_argument("--internal-names", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.max_children < 1:
        sys.exit("scripts/mutate: --max-children must be at least 1")
    test_map = load_test_map()
    if args.internal_run_one:
        module = args.internal_run_one
        names = tuple(args.internal_names.split(",")) if args.internal_names else ("*",)
        return run_mutmut_in_this_process(
            module,
            pytest_selection(tests_for(module, test_map), test_map),
            args.max_children,
            names,
        )

    known = hand_written_modules()
    if args.listed:
        modules = sorted(test_map["modules"])
    elif args.modules:
        modules = [normalise_module(m) for m in args.modules]
    elif args.all or args.stale or args.report:
        modules = known
    else:
        sys.exit(
            "scripts/mutate: name the modules to mutate (e.g. timers/_paging.py), or --listed, "
            "or --all for every hand-written module (hours); --help for the rest"
        )
    for m in modules:
        if m not in known:
            sys.exit(f"scripts/mutate: {m} is not a hand-written module under timers/")
    equivalents = load_equivalents()

    if args.show:
        for m in modules:
            for mutant in generate_mutants(m):
                mark = " (equivalent)" if mutant.id in equivalents else ""
                print(f"# {mutant.id}  line {mutant.line}{mark}\n{mutant.diff}\n")
        return 0
    if args.stale:
        listed = sorted({module_of(i) for i in equivalents})
        print(f"generating the mutants of {len(listed)} modules (a minute)...", file=sys.stderr)
        current = {m: {x.id for x in generate_mutants(m)} if m in known else set() for m in listed}
        stale = stale_entries(equivalents, current)
        for ident in stale:
            print(f"stale: {ident} matches no mutant now: delete it from {EQUIVALENTS.name}")
        print(f"{len(equivalents)} equivalents listed, {len(stale)} stale")
        return 1 if stale else 0

    if args.report:
        results = load_results()
        for module, record in results.get("modules", {}).items():
            if "error" not in record:
                results["modules"][module] = retally(record, equivalents)
        write_results(results)
        SURVIVORS.write_text(render_survivors(results), encoding="utf-8")
        write_readme_summary(results)
        print(f"rewrote {RESULTS.relative_to(ROOT)}, {SURVIVORS.relative_to(ROOT)} and README.md")
        return 0

    command = "scripts/mutate " + " ".join(argv) if argv else "scripts/mutate"
    failed = False
    with exclusive_lock():
        for module in modules:
            last = load_results().get("modules", {}).get(module)
            record = run_module(
                module, test_map, args.max_children, args.verbose, last, args.recheck
            )
            record["command"] = command
            failed |= "error" in record
            results = load_results()  # re-read: keep every other module's last result
            results.update(
                tool="mutmut",
                tool_version=tool_version(),
                score_formula=SCORE_FORMULA,
                date=record["date"],
                command=command,
            )
            results.setdefault("modules", {})[module] = record
            current = {module: {x.id for x in generate_mutants(module)}}
            still_stale: set[str] = set(results.get("stale_equivalents", []))
            still_stale = {i for i in still_stale if module_of(i) != module} | set(
                stale_entries(equivalents, current)
            )
            results["stale_equivalents"] = sorted(still_stale)
            results["modules"] = dict(sorted(results["modules"].items()))
            write_results(results)
            SURVIVORS.write_text(render_survivors(results), encoding="utf-8")
            write_readme_summary(results)
            if "error" not in record:
                score = "-" if record["score"] is None else f"{record['score']:.1%}"
                print(
                    f"    {record['mutants']} mutants: {record['killed']} killed, "
                    f"{record['survived']} survived, {record['no_tests']} without tests, "
                    f"{record['equivalent']} equivalent, {record['timeout']} timeouts; "
                    f"score {score}; {record['seconds']} s"
                )
                for ident in record.get("killed_but_listed_as_equivalent", []):
                    print(
                        f"    killed, so not equivalent: {ident}: remove it from {EQUIVALENTS.name}"
                    )
            for ident in sorted(stale_entries(equivalents, current)):
                print(f"    stale equivalent (matches no mutant now): {ident}")
    print(f"wrote {RESULTS.relative_to(ROOT)}, {SURVIVORS.relative_to(ROOT)} and README.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
