"""The project's Python scripts (``scripts/``, no ``.py`` suffix), loaded as modules."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def load_script(name: str) -> Any:
    """``scripts/<name>`` as a fresh module (its ``main`` not run)."""
    loader = importlib.machinery.SourceFileLoader(name, str(ROOT / "scripts" / name))
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
