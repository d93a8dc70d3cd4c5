"""A client that made requests before ``os.fork()`` (gunicorn ``--preload`` with a warm-up
call, ``multiprocessing`` with the fork start method, Celery prefork) must not share its
pooled connections with the child: on one socket, each process could read the other's answer
(``get_run(A)`` returning run B). The child's copies of the sockets are closed at the fork,
so the child opens its own connections and the parent keeps using its own.

The fork happens in a fresh single-threaded interpreter (a subprocess), not in pytest's
(which has server threads); the server is a raw one on 127.0.0.1 counting connections.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.bodies import run_json
from support.dual import TIMER_ID
from support.hostile import HostileServer, each_request, json_response
from support.tls import TLSRunServer

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")

RUN_A = "aaaaaaaa-0000-4000-8000-000000000001"
RUN_B = "bbbbbbbb-0000-4000-8000-000000000002"

# Parent: get_run(A); fork; the child reads B (twice), the parent reads A again after it.
_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from timers import TimersClient

    base_url, timer, run_a, run_b = sys.argv[1:]
    client = TimersClient("fork-token", base_url=base_url, max_retries=0)
    seen = [client.get_run(timer, run_a).id]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            ids = [client.get_run(timer, run_b).id for _ in range(2)]
            os.write(write, json.dumps(ids).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = json.loads(os.read(read, 4096) or b"null")
    seen.append(client.get_run(timer, run_a).id)
    client.close()
    print(json.dumps({"parent": seen, "child": child}))
    """
)


def test_a_forked_child_opens_its_own_connection_and_the_parent_keeps_its_own() -> None:
    def answer(request, conn) -> None:  # type: ignore[no-untyped-def]
        run_id = request.path.rsplit("/", 1)[-1]
        conn.send(json_response(200, run_json(id=run_id, timer_id=TIMER_ID)))

    with HostileServer(each_request(answer)) as server:
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT, server.base_url, TIMER_ID, RUN_A, RUN_B],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        assert seen == {"parent": [RUN_A, RUN_A], "child": [RUN_B, RUN_B]}
        # The parent's connection served both of its reads; the child opened one of its own
        # (it did not write on the parent's, nor close it: the parent's second read used it).
        assert server.connections == 2
        assert len(server.requests) == 4


def test_over_tls_the_child_closing_its_copies_sends_nothing_the_parent_would_read(
    tmp_path: Path,
) -> None:
    trustme = pytest.importorskip("trustme", reason="trustme (a dev dependency) is needed")
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = TLSRunServer(ca)
    try:
        env = {**os.environ, "SSL_CERT_FILE": str(ca_file)}
        base_url = f"https://127.0.0.1:{server.port}/api/v1"
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT, base_url, TIMER_ID, RUN_A, RUN_B],
            capture_output=True, text=True, timeout=60, check=False, env=env,
        )  # fmt: skip
    finally:
        server.close()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"parent": [RUN_A, RUN_A], "child": [RUN_B, RUN_B]}
    assert (server.connections, server.answered) == (2, 4)


# A lock taken on every request, held by another thread at the fork: the child's copy would
# stay locked for ever, and its first request hang. Each case: the lock, then what the child
# does with it (exit 0 if it can).
_HELD_AT_THE_FORK = {
    "the remembered secrets": (
        "from timers import _redact\nlock = _redact._lock",
        "_redact.remember('child-secret-4242')\n"
        "ok = _redact.redact('child-secret-4242') == '[redacted]'",
    ),
    "an authorizer's calls": (
        "from timers._auth import TokenAuth\n"
        "class Authorizer:\n"
        "    def get_authorization_header(self): return 'Bearer fork-authorizer-token'\n"
        "auth = TokenAuth(Authorizer())\nlock = auth._guard.lock",
        "ok = auth._guard.lock.acquire(timeout=5)",
    ),
    "the authorizers' guards": (
        "from timers import _auth\nlock = _auth._GUARDS_LOCK\n"
        "class Authorizer:\n"
        "    def get_authorization_header(self): return 'Bearer fork-registry-token'",
        "ok = _auth.TokenAuth(Authorizer())._guard.lock.acquire(timeout=5)",
    ),
}
_FORK_WITH_A_LOCK_HELD = """
import os, signal, threading
{setup}
held, release = threading.Event(), threading.Event()

def hold():
    with lock:
        held.set()
        release.wait(10)

threading.Thread(target=hold, daemon=True).start()
held.wait(10)
pid = os.fork()
if pid == 0:
    signal.alarm(10)  # a hang ends the child with SIGALRM instead of never
{child}
    os._exit(0 if ok else 3)
release.set()
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.parametrize("case", sorted(_HELD_AT_THE_FORK))
def test_a_child_forked_while_another_thread_holds_a_lock_of_ours_does_not_hang(
    case: str,
) -> None:
    setup, child = _HELD_AT_THE_FORK[case]
    script = _FORK_WITH_A_LOCK_HELD.format(setup=setup, child=textwrap.indent(child, "    "))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


# -- the hooks themselves, run in this process (what a forked child runs first) -----------------


def test_the_child_s_hook_closes_the_pooled_sockets_so_the_next_request_connects_again() -> None:
    from timers import TimersClient, _transport

    def answer(request, conn) -> None:  # type: ignore[no-untyped-def]
        conn.send(json_response(200, run_json(id=request.path.rsplit("/", 1)[-1])))

    server = HostileServer(each_request(answer))
    with server, TimersClient("hook-token", base_url=server.base_url, max_retries=0) as client:
        assert client.get_run(TIMER_ID, RUN_A).id == RUN_A
        _transport._forget_inherited_connections()  # as in a child after os.fork()
        assert client.get_run(TIMER_ID, RUN_B).id == RUN_B  # on a connection of its own
        assert server.connections == 2
        _transport._forget_inherited_connections()  # forgotten: nothing left to close
        assert not _transport._SYNC_STREAMS


def test_the_child_s_hook_gives_the_remembered_secrets_a_new_lock() -> None:
    from timers import _redact

    old = _redact._lock
    old.acquire()  # another thread remembering a secret at the fork
    try:
        _redact._new_lock_after_fork()
        assert _redact._lock is not old and _redact._lock.acquire(blocking=False)
        _redact._lock.release()
        _redact.remember("after-the-fork-4242")  # does not wait for the old lock
        assert _redact.redact("after-the-fork-4242") == "[redacted]"
    finally:
        old.release()


# An async client got a 401 in the parent (a refresh goes through the authorizer's worker
# thread), then the process forks: that thread is not in the child, whose own 401 must still
# come back (as a 401, after the refresh if there is one), not wait for ever.
_401_AFTER_THE_FORK = """
import asyncio, os, signal, sys, httpx
from timers._auth import TokenAuth, resolve_auth

class Refreshing:
    def get_authorization_header(self): return "Bearer refreshing-fork-token"
    def handle_missing_authorization(self): return True

static = sys.argv[1] == "static"
auth = resolve_auth("static-fork-token", None) if static else TokenAuth(Refreshing())

async def get():
    transport = httpx.MockTransport(lambda request: httpx.Response(401))
    async with httpx.AsyncClient(transport=transport, auth=auth) as client:
        return (await client.get("https://example.org/x")).status_code

parent = asyncio.run(get())
pid = os.fork()
if pid == 0:
    signal.alarm(10)  # a hang ends the child with SIGALRM instead of never
    os._exit(0 if asyncio.run(get()) == 401 else 3)
_, status = os.waitpid(pid, 0)
print(parent, os.waitstatus_to_exitcode(status))
"""


@pytest.mark.parametrize("credential", ["static", "refreshing"])
def test_an_async_401_in_a_forked_child_comes_back(credential: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _401_AFTER_THE_FORK, credential],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["401", "0"]  # the child's exit code: 0, not -14 (SIGALRM)
