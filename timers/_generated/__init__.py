"""Low-level clients written by ``scripts/regenerate`` from the specs in ``spec/``; never edit.

Private to the distribution: only ``timers._bridge`` imports them, and nothing here is public
API (names and signatures follow the specs and the generator, and change with them).

- ``runs_api``: from ``spec/timers-runs.yaml`` (the seed's run endpoints).
- ``jobs_api``: from ``spec/globus-timers.yaml`` (the production service's ``/jobs``).
"""
