"""CLI output is safe: nothing a (hostile) service sends reaches the terminal raw.

Every server-provided string in a table, details, JSON or an error line has its control and
escape characters made visible (clear-screen, window-title and OSC 52 clipboard writes cannot
act), a token echoed back is redacted, and ``--format json``/``jsonl`` is strict JSON that
keeps non-finite numbers as strings.
"""

from __future__ import annotations

import json

import pytest
import respx
from click.testing import CliRunner
from support.bodies import page_json, run_json
from support.dual import RUN_ID, TIMER_ID, TOKEN

from timers.cli._app import EXIT_NOT_FOUND, cli

RUNS = "http://127.0.0.1:9/api/v1"


def invoke(*args: str) -> tuple[int, str, str]:
    env = {"TIMERS_BASE_URL": RUNS, "TIMERS_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(cli, list(args), env=env)
    assert not isinstance(result.exception, AssertionError), result.exception
    return result.exit_code, result.stdout, result.stderr


HOSTILE = "\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x9b31m\u202e"


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
    return [c for c in text if c in "\x1b\x07\x9b\u202e"]


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
        router.get(f"/timers/{TIMER_ID}/runs/{RUN_ID}").respond(
            404,
            json={
                "code": f"GONE{HOSTILE}\nX",
                "message": f"no{HOSTILE}\nmore",
                "request_id": "r\n1",
            },
            headers={"x-request-id": "id\x1b[2J\x1b]0;owned\x07"},
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
