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
RAISING_HELPERS = {
    "call_and_validate": "schemathesis: raises when the response breaks the spec",
    "find": "hypothesis.find: raises NoSuchExample when no generated value has the property",
    "run": "subprocess.run(..., check=True): raises when the child exits non-zero",
    "send": "test_openapi_validation.send: the validating transport raises on a spec violation",
    "_agrees_with_the_wire": "asserts each field against the body it came from",
    "_agrees_with_the_generated_client": "asserts the facade and generated models agree",
}
CHECKING_CALLS = {"raises", "warns", "fail", "deprecated_call"}

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
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test_"
            ):
                yield path, node


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _checks_something(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in CHECKING_CALLS or name in RAISING_HELPERS or name.startswith("assert_"):
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
            and _called_name(node) == "suppress"
            and any(_names(argument) & BROAD for argument in node.args)
        ):
            lines.append(node.lineno)
        if isinstance(node, ast.ExceptHandler):
            swallowed = all(isinstance(statement, ast.Pass) for statement in node.body)
            if swallowed and (node.type is None or _names(node.type) & BROAD):
                lines.append(node.lineno)
    return lines


def test_every_test_checks_something() -> None:
    unchecked = [
        f"{path.name}:{function.lineno} {function.name}"
        for path, function in _test_functions()
        if not _checks_something(function)
    ]
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
        ("def test_a():\n    with pytest.raises(E):\n        f()\n", True),
        ("def test_a():\n    assert_utc(f())\n", True),
        ("def test_a():\n    subprocess.run(['x'], check=True)\n", True),
        ("async def test_a():\n    await f()\n", False),
    ],
)
def test_the_checker_tells_a_checking_test_from_one_that_cannot_fail(
    source: str, checks: bool
) -> None:
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    assert _checks_something(function) is checks


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
