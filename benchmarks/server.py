"""The benchmark's reference service, in its own process so it does not share the GIL.

Prints its base URL on the first line of stdout, then serves until stdin is closed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from timers.testing import FakeTimersService, serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    parser.add_argument("--small-timer", required=True)
    parser.add_argument("--large-timer", required=True)
    parser.add_argument("--large-runs", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()

    service = FakeTimersService(tokens=[args.token], seed=1)
    small = service.add_timer(args.small_timer, callback="web")
    service.seed_history(small, 300, failure_rate=0.2)
    if args.large_runs:
        large = service.add_timer(args.large_timer, callback="flow")
        service.seed_history(
            large, args.large_runs, interval=timedelta(minutes=1), failure_rate=0.2
        )
    service.latency = args.latency
    with serve(service) as base_url:
        print(base_url, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


if __name__ == "__main__":
    main()
