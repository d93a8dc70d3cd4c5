"""What a type checker sees in code that uses ``timers``: the README's examples pass
``mypy --strict`` (with ``warn_unreachable``) and pyright's strict mode, and the mistakes a
checker can catch are caught (a misspelled name, an unknown fault operation, a status not
handled), while what works at runtime also passes the checker.

Each probe below is a user's file; a line ending in ``# E: text`` must get an error containing
``text`` (or one of ``text | other text``: how each checker words it), and ``# N: text`` a note
containing it; every other line must get nothing. mypy runs in-process with its cache in a
temporary directory (a copy of the project's, when ``scripts/test`` has written one), once on
the README and every probe, on this checkout's ``timers`` (``MYPYPATH``); pyright
(``node_modules/.bin/pyright``, pinned in ``package.json``) runs once on the README and the
probes both checkers share.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mypy import api as mypy_api
from test_readme import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"
MARK = re.compile(r"#\s*([EN]):\s*(.+)$")
REPORT = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")

# Probes both checkers must see the same way.
SHARED_PROBES = {
    "statuses_are_open": """
import enum

from timers import RunStatus, TimerRun


def label(status: RunStatus) -> str:  # E: Missing return statement | must return value
    if status is RunStatus.SUCCESS or status is RunStatus.FAILURE:
        return "done"
    if status is RunStatus.PENDING or status is RunStatus.IN_PROGRESS:
        return "waiting"


def label_match(status: RunStatus) -> str:
    match status:
        case RunStatus.SUCCESS | RunStatus.FAILURE:
            return "done"
        case RunStatus.PENDING | RunStatus.IN_PROGRESS:
            return "waiting"
        case _:  # a status the service added: checked, not taken for unreachable
            return status.valu  # E: has no attribute "valu" | Cannot access attribute "valu"


def failed_on_jobs(run: TimerRun) -> bool:
    return run.status == "FAILED" or run.status.value == "paused" or not run.status.is_known


def every_listed() -> list[RunStatus]:
    return [*RunStatus, RunStatus["SUCCESS"], *RunStatus.known(), *RunStatus.__members__.values()]


RunStatus(5)  # E: incompatible type "int" | cannot be assigned to parameter "value"
RunStatus.PENDING = RunStatus("paused")  # E: Cannot assign to final attribute | declared as Final


def enum_branch(status: RunStatus) -> str:
    if isinstance(status, enum.Enum):  # True at runtime: the branch is checked
        return status.valeu  # E: has no attribute "valeu" | Cannot access attribute "valeu"
    return "never"
""",
}

PROBES = {
    **SHARED_PROBES,
    "misspelled_names": """
import timers
from timers import TimersClinet  # E: Module "timers" has no attribute "TimersClinet"

timers.RunStatuss  # E: Module has no attribute "RunStatuss"
timers.summarize_runss  # E: Module has no attribute "summarize_runss"
""",
    "lazy_names_keep_their_types": """
from timers import RunSummary, summarize_runs

summary: RunSummary = summarize_runs([])
wrong: int = summarize_runs([])  # E: Incompatible types in assignment
""",
    "on_update_may_return_anything": """
from timers import AsyncTimersClient, TimerRun, TimersClient

seen: list[TimerRun] = []
by_id: dict[str, TimerRun] = {}


def record(run: TimerRun) -> bool:  # what it returns is ignored, as at runtime
    seen.append(run)
    return run.is_finished


def use(client: TimersClient) -> None:
    client.wait_for_run("t", "r", on_update=record)
    client.run_timer("t", wait=True, on_update=seen.append)
    client.wait_for_run("t", "r", on_update=lambda run: by_id.setdefault(run.id, run))
    client.wait_for_run("t", "r", on_update=print)
    client.wait_for_run("t", "r", on_update="print")  # E: Argument "on_update" to "wait_for_run"


async def use_async(client: AsyncTimersClient) -> None:
    await client.wait_for_run("t", "r", on_update=record)
""",
    "every_error_says_whether_its_outcome_is_unknown": """
from timers import APIError, TimersClient, TimersError


def trigger(client: TimersClient) -> bool:
    try:
        client.run_timer("t")
    except APIError as error:
        reveal_type(error.body)  # N: Revealed type is "object"
        reveal_type(error.status_code)  # N: Revealed type is "int"
        return error.outcome_unknown
    except TimersError as error:
        return error.outcome_unknown
    return False
""",
    "status_values_are_any_string": """
from timers import RunStatus


def show(status: RunStatus) -> str:
    reveal_type(status.value)  # N: Revealed type is "str"
    return status.value
""",
    "types_of_arguments_are_public": """
from timers import ApiName, Authorizer, AsyncTimersClient, CallbackKind, HttpBackend


def make(api: ApiName, backend: HttpBackend, authorizer: Authorizer) -> AsyncTimersClient:
    return AsyncTimersClient(authorizer=authorizer, api=api, http_backend=backend)


kind: CallbackKind = "web"
bad: ApiName = "job"  # E: Incompatible types in assignment
""",
    "fault_operations_are_checked": """
from timers.testing import FakeTimersService, Operation

service = FakeTimersService()
service.fail_next(status=503, operation="list_timer_runs")
service.drop_next(operation="read_job")
service.fail_next(status=503, operation="list_runs")  # E: Argument "operation" to "fail_next"
which: Operation = "run_timer"
""",
    "ids_are_str_or_uuid_and_nothing_else": """
import uuid
from contextlib import aclosing, closing
from typing import Literal

from timers import APIError, AsyncTimersClient, TimerRun, TimersClient


def ok(client: TimersClient) -> TimerRun:
    client.get_run(uuid.uuid4(), "12345678-1234-1234-1234-123456789012")
    return client.get_run("12345678-1234-1234-1234-123456789012", uuid.uuid4())


def bad(client: TimersClient) -> None:
    client.get_run(
        123,  # E: incompatible type "int"; expected "str
        456,  # E: incompatible type "int"; expected "str
    )


async def bad_async(client: AsyncTimersClient) -> None:
    await client.wait_for_run(
        1.5,  # E: incompatible type "float"; expected "str
        None,  # E: incompatible type "None"; expected "str
    )


# Not about ids: what else the types promise.
def paging(client: TimersClient) -> Literal["runs", "jobs"]:
    with closing(client.iter_runs("12345678-1234-1234-1234-123456789012")) as runs:
        next(runs, None)
    try:
        client.list_runs("12345678-1234-1234-1234-123456789012")
    except APIError as error:
        if error.response is not None:  # None once unpickled
            print(error.response.http_version)
    return client.api


async def async_paging(client: AsyncTimersClient) -> None:
    async with aclosing(client.iter_run_pages(uuid.uuid4())) as pages:
        async for _ in pages:
            break
    AsyncTimersClient("t", api="jobs", http_backend="aiohttp")
""",
    "the_reference_service_is_typed": """
from timers.testing import FakeTimersService, LoopbackServer, serve

service = FakeTimersService()
service.latency = 0.5
delay: float = service.latency
service.latency = "slow"  # E: Incompatible types in assignment | __set__ | not assignable
server: LoopbackServer = serve(service, api="jobs")
url: str = server.start()
maybe: str | None = server.url
server.stop()
with serve(service) as base_url:
    text: str = base_url
serve(service, api="prod")  # E: Argument "api" to "serve" has incompatible type | "Literal['prod']"
""",
    "the_api_and_the_backend_are_checked_by_name": """
from timers import AsyncTimersClient, TimersClient

TimersClient("t", api="job")  # E: Argument "api" to "TimersClient" has incompatible type
AsyncTimersClient("t", http_backend="aiohttpx")  # E: Argument "http_backend" to "AsyncTimersClient"
""",
}


def _mypy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> str:
    """mypy --strict on ``files`` (name -> source), as a user's project would run it."""
    config = tmp_path / "mypy.ini"
    # The options of timers, httpx and the standard library are the project's own (strict,
    # 3.11), so that what `mypy --strict timers` (scripts/test) cached is used: a run with
    # a cold cache parses them all again (8 s). The user's files also warn of unreachable code.
    config.write_text(
        "[mypy]\nstrict = True\npython_version = 3.11\n"
        f"[mypy-{','.join(files)}]\nwarn_unreachable = True\n"
    )
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", tmp_path / ".mypy_cache")
    paths = []
    for name, source in files.items():
        path = tmp_path / f"{name}.py"
        path.write_text(source.lstrip("\n"))
        paths.append(str(path))
    monkeypatch.setenv("MYPYPATH", str(ROOT))  # this checkout's timers, not an installed one
    monkeypatch.chdir(tmp_path)
    stdout, stderr, _ = mypy_api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "--no-error-summary",
            "--no-pretty",
            "--show-absolute-path",
            *paths,
        ]
    )
    assert not stderr, stderr
    return stdout


def _reports(stdout: str) -> dict[tuple[str, int], list[tuple[str, str]]]:
    found: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for line in stdout.splitlines():
        match = REPORT.match(line)
        assert match, f"unexpected mypy output: {line}"
        kind = "E" if match["kind"] == "error" else "N"
        key = (Path(match["file"]).stem, int(match["line"]))
        found.setdefault(key, []).append((kind, match["text"]))
    return found


def _problems(
    probes: dict[str, str], found: dict[tuple[str, int], list[tuple[str, str]]]
) -> list[str]:
    """How the reports ``found`` differ from the marks in ``probes``."""
    problems = []
    for name, source in probes.items():
        for number, line in enumerate(source.lstrip("\n").splitlines(), start=1):
            mark = MARK.search(line)
            got = found.pop((name, number), [])
            if mark is None:
                problems += [f"{name}:{number}: unexpected {kind}: {text}" for kind, text in got]
                continue
            texts = [text.strip() for text in mark[2].split(" | ")]
            if not any(kind == mark[1] and any(t in text for t in texts) for kind, text in got):
                problems.append(f"{name}:{number}: expected {mark[1]}: {mark[2]}; got {got}")
    problems += [f"{name}:{number}: {got}" for (name, number), got in found.items()]
    return problems


def test_mypy_strict_passes_the_readme_and_sees_the_probes_as_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One run for both (each run parses timers and httpx again: seconds).
    assert len(EXAMPLES) >= 10  # the README's Python blocks were found
    readme = {f"readme_{i:02d}": body for i, (body, _) in enumerate(EXAMPLES)}
    problems = _problems(
        {**readme, **PROBES}, _reports(_mypy(tmp_path, monkeypatch, {**readme, **PROBES}))
    )
    assert not problems, "\n".join(problems)


def _pyright(tmp_path: Path, files: dict[str, str]) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """pyright in strict mode on ``files`` (name -> source), as a user's project would run it,
    on this checkout's ``timers``: its errors (``E``) and notes (``N``) by file and line."""
    config = {"typeCheckingMode": "strict", "pythonVersion": "3.11", "extraPaths": [str(ROOT)]}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    for name, source in files.items():
        (tmp_path / f"{name}.py").write_text(source.lstrip("\n"))
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, "--project", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert report["summary"]["filesAnalyzed"] == len(files), done.stdout
    found: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for diagnostic in report["generalDiagnostics"]:
        kind = "N" if diagnostic["severity"] == "information" else "E"
        key = (Path(diagnostic["file"]).stem, diagnostic["range"]["start"]["line"] + 1)
        found.setdefault(key, []).append((kind, diagnostic["message"]))
    return found


def test_pyright_strict_sees_the_readme_and_the_probes_as_mypy_does(tmp_path: Path) -> None:
    readme = {f"readme_{i:02d}": body for i, (body, _) in enumerate(EXAMPLES)}
    found = _pyright(tmp_path, {**readme, **SHARED_PROBES})
    problems = _problems({**readme, **SHARED_PROBES}, found)
    assert not problems, "\n".join(problems)


def test_the_operation_type_names_exactly_the_operations() -> None:
    from typing import get_args

    from timers.testing import OPERATIONS, Operation

    assert get_args(Operation) == OPERATIONS
