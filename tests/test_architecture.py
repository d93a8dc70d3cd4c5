"""The shape of the code: one client written once, no import cycle, one bridge to generated code.

These pin down structure that keeps behaviour in one place: if the sync and async clients
could differ, or a module could reach back up the data flow, a change would have to be made
twice or would break at import time.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.scripts import load_script

from timers import AsyncTimersClient, TimersClient

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "timers"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "_generated" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


UNASYNC = load_script("unasync")


def _unasync_text(text: str) -> str:
    """``text`` as scripts/unasync turns async source into sync source."""
    lines = [line for line in text.splitlines() if not line.rstrip().endswith(UNASYNC.ASYNC_ONLY)]
    text = "\n".join(lines)
    for pattern, replacement in UNASYNC.SUBSTITUTIONS:
        text = re.sub(pattern, replacement, text)
    return text


def _sync_signature(function: Any) -> str:
    """The signature of an async client method without its async-only parameters."""
    signature = inspect.signature(function)
    kept = [
        p for name, p in signature.parameters.items() if name not in UNASYNC.ASYNC_ONLY_PARAMETERS
    ]
    return _unasync_text(str(signature.replace(parameters=kept)))


def _public_methods(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in vars(cls).items()
        if not name.startswith("_") or name in ("__init__", "__enter__", "__exit__")
    }


def test_both_clients_expose_the_same_methods_with_the_same_signatures_and_docstrings() -> None:
    sync = _public_methods(TimersClient)
    async_ = {
        _unasync_text(name): member
        for name, member in _public_methods(AsyncTimersClient).items()
        if name not in ("__aenter__", "__aexit__")
    }
    async_["__enter__"] = AsyncTimersClient.__aenter__
    async_["__exit__"] = AsyncTimersClient.__aexit__
    assert sorted(sync) == sorted(async_)
    assert "run_timer" in sync and "close" in sync and "api" in sync
    for name, member in sync.items():
        twin = async_[name]
        if isinstance(member, property):
            assert isinstance(twin, property)
            assert member.__doc__ == twin.__doc__, name
            continue
        assert callable(member) and callable(twin)
        sync_signature = str(inspect.signature(member))
        assert sync_signature == _sync_signature(twin), name
        assert (inspect.getdoc(member) or "") == _unasync_text(inspect.getdoc(twin) or ""), name
        if not name.startswith("__"):
            assert inspect.getdoc(member), f"{name} has no docstring"
    assert inspect.getdoc(TimersClient) == _unasync_text(inspect.getdoc(AsyncTimersClient) or "")


def test_every_public_method_of_the_async_client_is_a_coroutine_or_an_async_iterator() -> None:
    for name in ("run_timer", "list_runs", "get_run", "wait_for_run", "aclose"):
        assert inspect.iscoroutinefunction(getattr(AsyncTimersClient, name)), name
    for name in ("iter_runs", "iter_run_pages"):
        returns = inspect.signature(getattr(AsyncTimersClient, name)).return_annotation
        assert "AsyncGenerator" in str(returns), name  # so aclosing() takes it


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (never run)."""
    nodes: list[ast.AST] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            pending.extend(node.orelse)
            continue
        nodes.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return nodes


def _imports_of(path: Path, module: str) -> set[str]:
    """Every ``timers`` module ``module`` imports when it runs, at any depth of its code (lazy
    imports inside functions included; imports only for type checkers excluded)."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    # A module's own package __init__ runs before it: not an edge that can cycle back.
    return {name for name in found if not module.startswith(name + ".")}


def test_the_import_graph_of_timers_has_no_cycle() -> None:
    graph = {module: _imports_of(path, module) for module, path in MODULES.items()}
    assert graph["timers._core"], "the graph was not built"
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            cycle = [*visiting[visiting.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        visiting.append(module)
        for target in sorted(graph[module]):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


# ``python -c "import timers.x"`` runs ``timers/__init__.py`` first, then ``timers.x``: so one
# fresh interpreter runs the first step once, and each module is imported in a fork of it,
# which is exactly where such an interpreter would be. Each child then ends as the interpreter
# would: it waits for the threads the import started (an import that leaves one running
# fails at the alarm, as it would hang), and fails if its output cannot be written. (53
# interpreters each importing the package took 20 s of CPU; this takes about 2.)
_IMPORT_EACH_ALONE = r"""
import timers
import json, os, signal, sys, threading, traceback
results = {}
for module in sys.argv[2:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.dup2(write, 1)
        os.dup2(write, 2)
        signal.alarm(int(sys.argv[1]))  # a hung import: the child dies, named, by SIGALRM
        try:
            __import__(module)
            for thread in threading.enumerate():
                if thread is not threading.main_thread() and not thread.daemon:
                    thread.join()
            sys.stdout.flush()
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, encoding="utf-8", errors="replace") as output:
        text = output.read()
    _, status = os.waitpid(pid, 0)
    results[module] = [os.waitstatus_to_exitcode(status), text]
print("\n" + json.dumps(results))
"""
IMPORT_ALARM = 30  # seconds one module's import may take


@pytest.fixture(scope="module")
def imported_alone() -> dict[str, tuple[int, str]]:
    """Each module's exit code (-14: it was still importing after ``IMPORT_ALARM`` s) and
    output when imported alone in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_ALONE, str(IMPORT_ALARM), *sorted(MODULES)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT / "tests",
        timeout=IMPORT_ALARM * len(MODULES),
    )
    assert done.returncode == 0, f"import timers failed alone:\n{done.stderr[-3000:]}"
    last_line = done.stdout.rstrip("\n").rsplit("\n", 1)[-1]  # after what imports printed
    return {module: (code, text) for module, (code, text) in json.loads(last_line).items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_alone_in_a_fresh_interpreter(
    module: str, imported_alone: dict[str, tuple[int, str]]
) -> None:
    code, output = imported_alone[module]
    hung = f" (still importing, or waiting for its threads, after {IMPORT_ALARM} s)"
    assert code == 0, (
        f"import {module} alone failed{hung if code == -14 else ''}:\n{output[-3000:]}"
    )


def test_only_the_bridge_imports_the_generated_packages() -> None:
    importers = {
        module
        for module, path in MODULES.items()
        if any(name.startswith("timers._generated") for name in _all_imports(path))
    }
    assert importers == {"timers._bridge"}


def _all_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    names.update(re.findall(r"timers\._generated\b", path.read_text()))
    return names


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_hand_written_module_says_its_job_and_stays_under_its_size_limit(module: str) -> None:
    path = MODULES[module]
    text = path.read_text()
    assert ast.get_docstring(ast.parse(text)), f"{module} has no opening docstring"
    lines = len(text.splitlines())
    # The reference service (timers.testing) is split finer: each of its modules well under 400.
    limit = 360 if module.startswith("timers.testing.") else 500
    assert lines <= limit, (
        f"{module} has {lines} lines, over {limit}: split it by job (a module says its one job "
        "in its docstring; README 'How it is built' lists them), do not squeeze it"
    )
