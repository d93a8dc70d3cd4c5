"""Run Stoplight Prism (``node_modules/.bin/prism``, 5.14.2) on 127.0.0.1 for a test.

- ``prism_mock(spec)`` serves the spec's examples (or, with ``dynamic=True``, random
  schema-valid bodies) and answers requests that break the spec with the spec's 4xx.
- ``prism_proxy(spec, upstream)`` forwards to a server under test and checks both sides.

Both are context managers that yield the base URL to give a client, e.g.
``http://127.0.0.1:41234``. Prism ignores the spec's ``servers``, so the spec's paths live at
the root of that URL (``/timers/{timer_id}/runs``), *not* under ``/api/v1``; a proxy appends
them to the upstream URL, so pass the upstream's base URL including ``/api/v1`` if it has one.

Prism reports what breaks the spec in an ``sl-violations`` response header (a JSON list of
``{"location": [...], "severity": "Error" | "Warning", "code": ..., "message": ...}``);
``violations_of(response)`` parses it. Startup takes about a second: share one server per
module with a module-scoped fixture. Prism runs offline (the spec is a local file) without
update checks, and is always stopped on exit (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from support.openapi import SPEC_PATH

__all__ = [
    "PRISM",
    "PrismError",
    "prism_mock",
    "prism_proxy",
    "violations_of",
]

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"

VIOLATIONS_HEADER = "sl-violations"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_READY_LINE = "Prism is listening on"
# Proxies in the environment must not see loopback traffic, nor Prism's.
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class PrismError(RuntimeError):
    """Prism did not start (or stopped early); the message carries its output."""


def violations_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The violations Prism reported for this exchange ([] when there were none)."""
    header = response.headers.get(VIOLATIONS_HEADER)
    if header is None:
        return []
    violations = json.loads(header)
    if not isinstance(violations, list):
        raise ValueError(f"{VIOLATIONS_HEADER} is not a JSON list: {header!r}")
    return violations


@contextlib.contextmanager
def prism_mock(
    spec_path: str | os.PathLike[str] = SPEC_PATH,
    *,
    dynamic: bool = False,
    seed: str | None = None,
    startup_timeout: float = 20.0,
) -> Iterator[str]:
    """Run ``prism mock`` for ``spec_path``; yield its base URL (``http://127.0.0.1:PORT``).

    Static mode answers with the spec's examples; ``dynamic=True`` generates bodies from the
    schemas (``seed`` makes them repeatable). ``--errors`` is on, so an example that breaks
    its own schema makes Prism answer 500 instead of passing it off as valid. A request that
    breaks the spec gets the spec's 401/422/... and an ``sl-violations`` header.
    """
    args = ["mock", str(spec_path), "--errors"]
    if dynamic:
        args.append("--dynamic")
    if seed is not None:
        args += ["--seed", seed]
    with _run_prism(args, startup_timeout) as base_url:
        yield base_url


@contextlib.contextmanager
def prism_proxy(
    spec_path: str | os.PathLike[str],
    upstream_url: str,
    *,
    errors: bool = False,
    startup_timeout: float = 20.0,
) -> Iterator[str]:
    """Run ``prism proxy`` in front of ``upstream_url``; yield its base URL.

    Every exchange is forwarded and checked. By default the upstream's response comes back
    unchanged, with any violations of either side in ``sl-violations``; with ``errors=True``
    Prism refuses a request that breaks the spec and turns a response that breaks it into a
    500 ``application/problem+json`` (still with the header). ``upstream_url`` must be a
    loopback address: tests never send traffic elsewhere.
    """
    host = urlsplit(upstream_url).hostname
    if host not in _LOOPBACK:
        raise ValueError(f"upstream must be on 127.0.0.1, not {upstream_url!r}")
    args = ["proxy", str(spec_path), upstream_url.rstrip("/")]
    if errors:
        args.append("--errors")
    with _run_prism(args, startup_timeout) as base_url:
        yield base_url


# --- process handling -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in _PROXY_VARIABLES}
    env.update(NO_UPDATE_NOTIFIER="1", NO_COLOR="1", FORCE_COLOR="0", NODE_NO_WARNINGS="1")
    return env


def _read(log: Path, limit: int | None = None) -> str:
    text = log.read_text("utf-8", "replace") if log.exists() else ""
    return text if limit is None else text[-limit:]


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def _run_prism(args: Sequence[str], startup_timeout: float) -> Iterator[str]:
    if not PRISM.exists():
        raise PrismError(f"{PRISM} is missing: install the Node tools (npm ci, or scripts/test)")
    attempts = 3  # another process may take the free port before Prism binds it
    with tempfile.TemporaryDirectory(prefix="prism-") as logs:
        for attempt in range(1, attempts + 1):
            port = _free_port()
            command = [str(PRISM), *args, "--host", "127.0.0.1", "--port", str(port)]
            out, err = Path(logs, f"{attempt}.out"), Path(logs, f"{attempt}.err")
            # Append mode: Prism writes while we read the files from the start.
            with out.open("ab") as stdout, err.open("ab") as stderr:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    stderr=stderr,
                    cwd=ROOT,
                    env=_environment(),
                )
            try:
                if _wait_until_ready(process, command, port, (out, err), startup_timeout):
                    yield f"http://127.0.0.1:{port}"
                    return
            finally:
                _stop(process)
        raise PrismError(f"prism could not bind a free port in {attempts} attempts:\n{_read(err)}")


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    command: Sequence[str],
    port: int,
    logs: tuple[Path, Path],
    timeout: float,
) -> bool:
    """True once Prism listens; False if the port was taken; raises if it fails otherwise."""
    out, err = logs
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            if "EADDRINUSE" in _read(err) + _read(out):
                return False
            raise PrismError(
                f"prism exited with status {code} before listening: {' '.join(command)}\n"
                f"--- stderr ---\n{_read(err, 4000)}\n--- stdout ---\n{_read(out, 4000)}"
            )
        if _READY_LINE in _read(out) and _answers(port):
            return True
        time.sleep(0.05)
    raise PrismError(
        f"prism did not listen on 127.0.0.1:{port} within {timeout:g} s\n"
        f"--- stderr ---\n{_read(err, 4000)}\n--- stdout ---\n{_read(out, 4000)}"
    )
