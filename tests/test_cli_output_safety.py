"""CLI output is safe: nothing a (hostile) service sends reaches the terminal raw.

Every server-provided string in a table, details, JSON or an error line has its control and
escape characters made visible (clear-screen, window-title and OSC 52 clipboard writes cannot
act), a token echoed back is redacted, and ``--format json``/``jsonl`` is strict JSON that
keeps non-finite numbers as strings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import respx
from click.testing import CliRunner
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN
from support.hostile import Servers, each_request, json_response

from timers.cli._app import EXIT_NOT_FOUND, cli

RUNS = "http://127.0.0.1:9/api/v1"


def invoke(*args: str) -> tuple[int, str, str]:
    env = {"TIMERS_BASE_URL": RUNS, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, list(args), env=env)
    assert not isinstance(result.exception, AssertionError), result.exception
    return result.exit_code, result.stdout, result.stderr


# Lone surrogates too: JSON's "\ud800" decodes to one, and no UTF-8 output can take it
# ("\udc9b" would be written as the byte 0x9b, an 8-bit CSI, under the C locale).
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x9b31m\u202e\ud800-\udc9b"


def _hostile_run() -> dict[str, object]:
    return run_json(
        status=f"odd{HOSTILE}",
        result={
            "status": f"failure{HOSTILE}",
            "status_code": 500,
            "error": {
                "code": f"E{HOSTILE}",
                "message": f"boom{HOSTILE}\nsecond line",
                "detail": {f"k{HOSTILE}": f"v{HOSTILE}", "n": float("nan")},
            },
        },
    )


def _raw_escapes(text: str) -> list[str]:
    return [c for c in text if c in "\x1b\x07\x9b\u202e\ud800\udc9b"]


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_show_makes_every_server_string_visible_not_active(fmt: str) -> None:
    with respx.mock(base_url=RUNS) as router:
        body = json.dumps(_hostile_run(), allow_nan=True)
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
            200, content=body.encode(), headers={"content-type": "application/json"}
        )
        code, out, err = invoke("runs", "show", TIMER_ID, RUN_ID, "--format", fmt)
    assert code == 0, err
    assert _raw_escapes(out) == [] and _raw_escapes(err) == []
    assert "\\x1b" in out or "\\u001b" in out  # shown, not dropped
    assert "\\ud800" in out and "\\udc9b" in out  # not dropped or replaced by "?" either
    if fmt == "json":
        data = json.loads(out)  # strict JSON: NaN would not parse with parse_constant below
        json.loads(out, parse_constant=lambda name: pytest.fail(f"non-standard {name}"))
        assert data["result"]["error"]["detail"]["n"] == "NaN"


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_list_makes_every_server_string_visible_not_active(fmt: str) -> None:
    with respx.mock(base_url=RUNS) as router:
        body = json.dumps(page_json([_hostile_run()]), allow_nan=True)
        router.get(f"/timers/{TIMER_ID}/runs").respond(
            200, content=body.encode(), headers={"content-type": "application/json"}
        )
        code, out, err = invoke("runs", "list", TIMER_ID, "--format", fmt)
    assert code == 0, err
    assert _raw_escapes(out) == [] and _raw_escapes(err) == []


def test_error_lines_make_server_strings_visible_and_one_line() -> None:
    with respx.mock(base_url=RUNS) as router:
        body = {"code": f"GONE{HOSTILE}\nX", "message": f"no{HOSTILE}\nmore", "request_id": "r\n1"}
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
            404,
            content=json.dumps(body).encode(),  # ASCII: the surrogates as "\ud800" escapes
            headers={
                "x-request-id": "id\x1b[2J\x1b]0;owned\x07",
                "content-type": "application/json",
            },
        )
        code, out, err = invoke("runs", "show", TIMER_ID, RUN_ID)
    assert code == EXIT_NOT_FOUND and out == ""
    assert err.count("\n") == 1 and _raw_escapes(err) == []


def test_a_token_echoed_in_a_run_field_is_redacted_in_every_format() -> None:
    echoed = run_json(result={"status": f"Bearer {TOKEN}", "status_code": 200})
    with respx.mock(base_url=RUNS) as router:
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=echoed)
        for fmt in ("table", "json"):
            code, out, err = invoke("runs", "show", TIMER_ID, RUN_ID, "--format", fmt)
            assert code == 0 and TOKEN not in out + err and "[redacted]" in out


def test_non_finite_numbers_in_jsonl_are_kept_as_strings() -> None:
    run = run_json(
        result={
            "status": "failure",
            "error": {"code": "E", "message": "m", "detail": {"x": float("inf")}},
        }
    )
    with respx.mock(base_url=RUNS) as router:
        router.get(f"/timers/{TIMER_ID}/runs").respond(
            200,
            content=json.dumps(page_json([run]), allow_nan=True).encode(),
            headers={"content-type": "application/json"},
        )
        code, out, _ = invoke("runs", "list", TIMER_ID, "--format", "jsonl")
    assert code == 0
    (line,) = out.splitlines()
    assert json.loads(line)["result"]["error"]["detail"]["x"] == "Infinity"
    assert "Infinity" in line and ": Infinity" not in line


HUGE = int("9" * 4000)  # a number Python still reads from JSON


def test_huge_server_numbers_are_cut_in_tables_details_and_footers_kept_in_json() -> None:
    run = run_json(result={"status": "failure", "status_code": HUGE})
    with respx.mock(base_url=RUNS) as router:
        router.get(f"/timers/{TIMER_ID}/runs").respond(
            200, json=page_json([run], total=HUGE, next_page="mk")
        )
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run)
        _, table, footer = invoke("runs", "list", TIMER_ID)
        _, details, _ = invoke("runs", "show", TIMER_ID, RUN_ID)
        _, as_json, _ = invoke("runs", "list", TIMER_ID, "--format", "json")
    assert table.splitlines()[1].endswith("  HTTP 999999999...")
    assert "HTTP status  999999999... (not ok)" in details.splitlines()
    assert footer == f"1 of {'9' * 17}... runs. More: --marker mk (or --all).\n"
    page = json.loads(as_json)
    assert page["total"] == HUGE and page["runs"][0]["result"]["status_code"] == HUGE


EMOJI = "msg :thumbs_up: :smile:"
OTHER = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


def test_emoji_shortcodes_in_server_text_are_printed_as_sent_in_every_format() -> None:
    run = run_json(result={"status": "failure", "error": {"code": EMOJI, "message": EMOJI}})
    with respx.mock(base_url=RUNS) as router:
        router.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json([run]))
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(200, json=run)
        router.get(f"/timers/{TIMER_ID}/runs/{OTHER}").respond(
            404, json={"code": "NOT_FOUND", "message": EMOJI}
        )
        _, details, _ = invoke("runs", "show", TIMER_ID, RUN_ID)
        _, as_json, _ = invoke("runs", "show", TIMER_ID, RUN_ID, "--format", "json")
        _, as_jsonl, _ = invoke("runs", "list", TIMER_ID, "--format", "jsonl")
        _, _, error = invoke("runs", "show", TIMER_ID, OTHER)
    assert f"Error message  {EMOJI}" in details.splitlines()
    assert json.loads(as_json)["result"]["error"]["message"] == EMOJI
    assert json.loads(as_jsonl)["result"]["error"]["code"] == EMOJI
    assert EMOJI in error and "\N{THUMBS UP SIGN}" not in details + as_json + as_jsonl + error


def test_jsonl_keeps_each_run_on_one_line_whatever_separators_its_text_holds() -> None:
    text = "a\u2028b\u2029c\x85d"
    runs = [run_json(result={"status": text}), run_json(id="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d")]
    with respx.mock(base_url=RUNS) as router:
        router.get(f"/timers/{TIMER_ID}/runs").respond(200, json=page_json(runs))
        code, out, _ = invoke("runs", "list", TIMER_ID, "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()  # splits at U+2028, U+2029 and U+0085 too
    assert len(lines) == 2 and json.loads(lines[0])["result"]["status"] == text


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_lone_surrogates_from_the_service_come_out_escaped_under_the_c_locale(
    servers: Servers, fmt: str
) -> None:
    # Under LANG=C.UTF-8 (containers, cron, CI) Python writes standard output with
    # surrogateescape: a raw "\ud800" failed with a traceback, and "\udc9b" went out as the
    # byte 0x9b (an 8-bit CSI), which also made --format json invalid UTF-8.
    body = run_json(status="failure\ud800", result={"status": "no\udc9b31m", "status_code": 1})
    answer = json_response(200, body)  # ASCII JSON: the surrogates travel as escapes
    server = servers(each_request(lambda request, conn: conn.send(answer)))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "TIMERS_"))}
    environment.pop("PYTHONIOENCODING", None)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("timers")), "--base-url", server.base_url,
         "--token", TOKEN, "runs", "show", TIMER_ID, RUN_ID, "--format", fmt],
        capture_output=True, timeout=60, check=False, env={**environment, "LANG": "C.UTF-8"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode("utf-8")  # valid UTF-8
    assert b"\x9b" not in done.stdout and "\\ud800" in out and "\\udc9b" in out
