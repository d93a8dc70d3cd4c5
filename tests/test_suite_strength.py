"""The suite itself: no test can pass whatever the code under test returns.

A test must check something: an ``assert``, ``pytest.raises`` / ``warns`` / ``fail``, or a call
to a helper that raises when the behaviour is wrong (listed below with the reason it raises).
And no test may wrap the call under test in a broad suppression (``contextlib.suppress`` of
``Exception`` or of the library's errors, or ``except ...: pass``), which would let it pass
on a crash or a wrong answer alike.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

# Helpers that raise when what they check is wrong; a test calling one of them checks something.
# By full name: where the test module imported the name from, or ``<module>.<name>`` for a
# function the test module defines (so ``asyncio.run``, ``conn.send`` or ``text.find`` are not
# checks).
RAISING_HELPERS = {
    "hypothesis.find": "raises NoSuchExample when no generated value has the property",
    "support.openapi.validate_exchange": "raises SpecViolation when the exchange breaks the spec",
    "test_openapi_validation.send": "its validating transport raises on a spec violation",
    "test_fuzzed_responses._agrees_with_the_wire": "asserts each field against its body",
    "test_fuzzed_responses._agrees_with_the_generated_client": "asserts the models agree",
}
# Methods, by name (called on an object: a schemathesis case).
RAISING_METHODS = {
    "call_and_validate": "schemathesis: raises when the response breaks the spec",
}
# subprocess.run checks only with check=True: it then raises when the child exits non-zero.
CHECKED_SUBPROCESS = "subprocess.run"
CHECKING_CALLS = {"pytest.raises", "pytest.warns", "pytest.fail", "pytest.deprecated_call"}

# Broad suppressions that are not around the call under test, each with the reason.
ALLOWED_SUPPRESSIONS = {
    (
        "test_openapi_validation.py",
        "test_violations_are_recorded_even_when_the_client_swallows_them",
    ): "the client is meant to swallow the error; the test asserts on the transport's record",
    (
        "test_hostile_typed_exceptions.py",
        "test_malformed_answers_raise_only_timers_errors_from_every_operation",
    ): "what is under test is the type of what escapes (asserted for every other type); "
    "which TimersError each malformed body gives is pinned in test_response_validation.py",
}
BROAD = {"Exception", "BaseException", "TimersError", "APIError", "APIConnectionError"}


def _test_functions() -> Iterator[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for path, module in _test_modules():
        for node in ast.walk(module):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test_"
            ):
                yield path, node


def _test_modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(TESTS.glob("test_*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _full_names(module: ast.Module, name: str) -> dict[str, str]:
    """Each name bound at the top of ``module`` (named ``name``) with its full name: where an
    import took it from, or ``<name>.<function>`` for a function defined there."""
    names: dict[str, str] = {}
    for node in module.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is None:
                    top = alias.name.split(".")[0]
                    names[top] = top
                else:
                    names[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module is not None and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names[node.name] = f"{name}.{node.name}"
    return names


def _called_name(call: ast.Call, names: dict[str, str] | None = None) -> str:
    """The called function's full name as far as ``names`` tells it (``subprocess.run``,
    ``pytest.raises``), else its dotted spelling in the source (``conn.send``)."""
    parts: list[str] = []
    func = call.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return ".".join(["<expression>", *reversed(parts)])
    parts.append((names or {}).get(func.id, func.id))
    return ".".join(reversed(parts))


def _is_check(call: ast.Call, names: dict[str, str]) -> bool:
    name = _called_name(call, names)
    last = name.rpartition(".")[2]
    if name in CHECKING_CALLS or name in RAISING_HELPERS or last.startswith("assert_"):
        return True
    if last in RAISING_METHODS and isinstance(call.func, ast.Attribute):
        return True
    if name == CHECKED_SUBPROCESS:
        return any(
            keyword.arg == "check"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is True
            for keyword in call.keywords
        )
    return False


def _checks_something(
    function: ast.FunctionDef | ast.AsyncFunctionDef, names: dict[str, str]
) -> bool:
    """Whether ``function`` asserts, or calls something that raises when a check fails;
    ``names`` are the full names of its module's top-level names (``_full_names``)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call) and _is_check(node, names):
            return True
    return False


def _names(node: ast.expr) -> set[str]:
    """The exception names an ``except`` clause or ``suppress(...)`` argument mentions."""
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(element) for element in node.elts))
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return {node.id} if isinstance(node, ast.Name) else set()


def _broad_suppressions(function: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and _called_name(node).rpartition(".")[2] == "suppress"  # any module's
            and any(_names(argument) & BROAD for argument in node.args)
        ):
            lines.append(node.lineno)
        if isinstance(node, ast.ExceptHandler):
            swallowed = all(isinstance(statement, ast.Pass) for statement in node.body)
            if swallowed and (node.type is None or _names(node.type) & BROAD):
                lines.append(node.lineno)
    return lines


def test_every_test_checks_something() -> None:
    unchecked = []
    for path, module in _test_modules():
        names = _full_names(module, path.stem)
        for node in ast.walk(module):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test_")
                and not _checks_something(node, names)
            ):
                unchecked.append(f"{path.name}:{node.lineno} {node.name}")
    assert unchecked == [], "tests that can pass whatever the code does"


def test_no_test_suppresses_broad_errors_around_the_code_under_test() -> None:
    found = {
        (path.name, function.name): lines
        for path, function in _test_functions()
        if (lines := _broad_suppressions(function))
    }
    unexpected = {key: lines for key, lines in found.items() if key not in ALLOWED_SUPPRESSIONS}
    assert unexpected == {}
    assert set(ALLOWED_SUPPRESSIONS) <= set(found), "a listed suppression is gone: unlist it"


@pytest.mark.parametrize(
    ("source", "checks"),
    [
        ("def test_a():\n    f()\n", False),
        ("def test_a():\n    assert f()\n", True),
        ("import pytest\ndef test_a():\n    with pytest.raises(E):\n        f()\n", True),
        ("from pytest import raises\ndef test_a():\n    with raises(E):\n        f()\n", True),
        ("def test_a(raises):\n    with raises(E):\n        f()\n", False),
        ("def test_a():\n    assert_utc(f())\n", True),
        ("def test_a(mock):\n    mock.assert_called_once()\n", True),
        ("import subprocess\ndef test_a():\n    subprocess.run(['x'], check=True)\n", True),
        ("from subprocess import run\ndef test_a():\n    run(['x'], check=True)\n", True),
        ("import subprocess\ndef test_a():\n    subprocess.run(['x'], check=False)\n", False),
        ("import subprocess\ndef test_a():\n    subprocess.run(['x'])\n", False),
        ("def run(*a, **k): ...\ndef test_a():\n    run(['x'], check=True)\n", False),
        ("import asyncio\ndef test_a():\n    asyncio.run(main())\n", False),
        ("def test_a(conn):\n    conn.send(b'x')\n", False),
        ("def send(x): ...\ndef test_a():\n    send(1)\n", False),  # not the validating one
        ("def test_a(text):\n    text.find('x')\n", False),
        ("def test_a():\n    'abc'.find('x')\n", False),
        ("from hypothesis import find\ndef test_a():\n    find(st.none(), f)\n", True),
        ("import hypothesis\ndef test_a():\n    hypothesis.find(st.none(), f)\n", True),
        ("def test_a(case):\n    case.call_and_validate()\n", True),
        ("async def test_a():\n    await f()\n", False),
    ],
)
def test_the_checker_tells_a_checking_test_from_one_that_cannot_fail(
    source: str, checks: bool
) -> None:
    module = ast.parse(source)
    function = module.body[-1]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    assert _checks_something(function, _full_names(module, "test_x")) is checks


def test_the_checker_knows_the_suite_s_own_raising_helpers() -> None:
    module = ast.parse("def send(x): ...\ndef test_a():\n    send(1)\n")
    function = module.body[-1]
    assert isinstance(function, ast.FunctionDef)
    assert _checks_something(function, _full_names(module, "test_openapi_validation"))


@pytest.mark.parametrize(
    ("source", "broad"),
    [
        ("with contextlib.suppress(Exception):\n    f()\n", True),
        ("with suppress(ValueError, TimersError):\n    f()\n", True),
        ("with contextlib.suppress(OSError):\n    f()\n", False),
        ("try:\n    f()\nexcept Exception:\n    pass\n", True),
        ("try:\n    f()\nexcept:\n    pass\n", True),
        ("try:\n    f()\nexcept Exception as e:\n    seen.append(e)\n", False),
        ("try:\n    f()\nexcept KeyError:\n    pass\n", False),
    ],
)
def test_the_checker_finds_broad_suppressions(source: str, broad: bool) -> None:
    assert bool(_broad_suppressions(ast.parse(source))) is broad
