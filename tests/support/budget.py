"""How many examples the property-based tests draw (hypothesis, schemathesis).

Each test names its budget for a CI run, ``examples(150)``; ``$FUZZ_SCALE`` (a positive
number, default 1) multiplies every budget, for a deeper run after changing a parser or a
spec: ``FUZZ_SCALE=5 scripts/test -k "fuzz or schema"``. Draws are derandomized, so a run
with the same budget draws the same examples.
"""

from __future__ import annotations

import math
import os

__all__ = ["SCALE_ENV", "examples"]

SCALE_ENV = "FUZZ_SCALE"


def examples(ci: int) -> int:
    """``ci`` examples times ``$FUZZ_SCALE`` (at least one)."""
    raw = os.environ.get(SCALE_ENV, "1")
    try:
        scale = float(raw)
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"${SCALE_ENV} must be a positive number, got {raw!r}")
    return max(1, round(ci * scale))
