"""The benchmark's reference service (``timers.testing.serve``), in its own process so it
does not share the client's GIL: the end-to-end rows run against it.

One timer with ``--runs`` past runs (a flow timer, as in ``fixed_server.py``), both APIs
served (runs under ``/api/v1``, jobs at the root). Prints its root URL on the first line of
stdout, then serves until stdin is closed.
"""

from __future__ import annotations

import argparse
import sys

from timers.testing import FakeTimersService, serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--timer", required=True)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()

    service = FakeTimersService(tokens=[args.token], seed=1)
    service.add_timer(args.timer, callback="flow")
    service.seed_history(args.timer, args.runs, failure_rate=0.2)
    service.latency = args.latency
    with serve(service, api="jobs") as root_url:
        print(root_url, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


if __name__ == "__main__":
    main()
