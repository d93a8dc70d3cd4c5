"""Every example in the README works as written, and prints what the README says it prints.

Python blocks run in fresh namespaces, in order, against the reference service served on
loopback (``TIMERS_BASE_URL`` and ``TIMERS_ACCESS_TOKEN`` point at it; at its root for
examples that use ``api="jobs"``). When an ``output`` block follows a Python block, what the
example prints must match it line by line, where ``<uuid>``, ``<time>``, ``<n>`` and ``<x>``
stand for an id, an ISO time, a number and any word, and a line ``...`` for any lines.
``$ timers ...`` lines in console blocks run through the CLI against the same service.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from timers.cli._app import cli
from timers.testing import FakeTimersService, serve

README = Path(__file__).resolve().parent.parent / "README.md"
TIMER_ID = "12345678-1234-1234-1234-123456789012"
TOKEN = "readme-token"

BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PLACEHOLDERS = {
    "<uuid>": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "<time>": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)",
    "<n>": r"\d+",
    "<x>": r"\S+",
}


def _blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(README.read_text())


def _examples() -> list[tuple[str, str | None]]:
    """Each Python block with the output block right after it, if any."""
    blocks = _blocks()
    return [
        (body, blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "output" else None)
        for i, (language, body) in enumerate(blocks)
        if language == "python"
    ]


EXAMPLES = _examples()
COMMANDS = [
    line.removeprefix("$ ").strip()
    for language, body in _blocks()
    if language == "console"
    for line in body.splitlines()
    if line.startswith("$ timers ")
]


def _line_pattern(line: str) -> re.Pattern[str]:
    parts = re.split("(" + "|".join(map(re.escape, PLACEHOLDERS)) + ")", line)
    return re.compile("".join(PLACEHOLDERS.get(part, re.escape(part)) for part in parts))


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` lines match ``expected`` lines (placeholders and ``...``)."""
    wanted = expected.strip("\n").splitlines()
    got = actual.strip("\n").splitlines()

    def match(i: int, j: int) -> bool:
        if i == len(wanted):
            return j == len(got)
        if wanted[i] == "...":
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return (
            j < len(got)
            and _line_pattern(wanted[i]).fullmatch(got[j]) is not None
            and match(i + 1, j + 1)
        )

    return match(0, 0)


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    service = FakeTimersService(
        tokens=[TOKEN], seed=3, pending_seconds=0.1, in_progress_seconds=0.2
    )
    service.add_timer(TIMER_ID, callback="web")
    service.seed_history(TIMER_ID, 300, interval=timedelta(hours=1), failure_rate=0.2)
    with serve(service) as base_url:
        yield base_url


@pytest.fixture
def readme_env(service_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TIMERS_BASE_URL", service_url)
    monkeypatch.setenv("TIMERS_ACCESS_TOKEN", TOKEN)
    return service_url


def test_the_readme_has_examples_to_run_and_outputs_to_check() -> None:
    assert len(EXAMPLES) >= 10
    assert sum(output is not None for _, output in EXAMPLES) >= 8
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_python_example_runs_and_prints_what_the_readme_says(
    index: int, readme_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, expected = EXAMPLES[index]
    if 'api="jobs"' in source:
        monkeypatch.setenv("TIMERS_BASE_URL", readme_env.removesuffix("/api/v1"))
    code = compile(source, f"README.md python block {index + 1}", "exec")
    try:
        exec(code, {"__name__": f"readme_example_{index}"})  # noqa: S102 - our own README
    finally:
        _forget_timers_log()
    printed = capsys.readouterr().out
    assert printed.strip(), "every example prints something"
    if expected is not None:
        assert matches(expected, printed), f"printed:\n{printed}\nREADME says:\n{expected}"


def _forget_timers_log() -> None:
    """Undo what an example's TIMERS_LOG did: the env var and the handler it installed."""
    import logging
    import os

    from timers._logging import _EnvHandler

    os.environ.pop("TIMERS_LOG", None)
    logger = logging.getLogger("timers")
    for handler in [h for h in logger.handlers if isinstance(h, _EnvHandler)]:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_the_output_matcher_can_fail() -> None:
    assert matches("<n> runs\n...\ndone", "12 runs\na\nb\ndone")
    assert matches("x <uuid>", "x 9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6")
    assert not matches("<n> runs", "twelve runs")
    assert not matches("a\nb", "a")
    assert not matches("a", "a\nb")
    assert not matches("<time>", "2026-11-28 12:00:00")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.split()[1] not in ("serve", "demo")])
def test_cli_example_runs(command: str, readme_env: str) -> None:
    args = shlex.split(command)[1:]
    env = {"TIMERS_BASE_URL": readme_env.removesuffix("/api/v1")} if "jobs" in args else None
    if "RUN_ID" in args:
        listing = CliRunner().invoke(
            cli, ["runs", "list", TIMER_ID, "--limit", "1", "--format", "jsonl"]
        )
        args = [
            listing.stdout.split('"id": "')[1].split('"')[0] if a == "RUN_ID" else a for a in args
        ]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code in (0, 7), result.stderr  # 7: the triggered run may have failed
    assert result.stdout.strip()


def test_the_quickstart_shows_exactly_the_two_commands() -> None:
    quickstart = README.read_text().split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    (console,) = BLOCK.findall(quickstart)
    lines = [line.split("#")[0].strip() for line in console[1].splitlines() if line.strip()]
    assert lines == ["scripts/demo", "scripts/test"]


def test_every_exit_code_the_cli_defines_is_in_the_readme() -> None:
    from timers.cli import _base

    codes = {
        v for name, v in vars(_base).items() if name.startswith("EXIT_") and isinstance(v, int)
    }
    table = README.read_text().split("Exit codes:", 1)[1].split("\n\n", 2)[1]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert codes <= documented and {130} <= documented
