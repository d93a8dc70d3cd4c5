"""The ``timers`` command line (needs the ``cli`` extra: click and rich).

Kept apart from the library so ``import timers`` never imports click or rich; the console
script calls ``main``, which imports the commands only when run.
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Run the ``timers`` command (the console script's entry point)."""
    try:
        from timers.cli._app import cli
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        import sys

        missing = exc.name or "a dependency"
        print(
            f"timers: the command line needs {missing}: pip install 'timers-client[cli]'",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    cli()
