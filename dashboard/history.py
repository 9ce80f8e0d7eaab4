"""The one place where the dashboard talks to the run store (``sim.store``, issue 5).

The store is being built in parallel; until it lands (or if its API differs from what is
assumed here), the History page says so instead of failing. Wiring it is a matter of editing
``list_runs`` and ``open_comparison`` below.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

NOT_AVAILABLE = "Run store not available yet: `sim.store` (issue 5) has not landed in this build."


def _store() -> Any | None:
    try:
        return importlib.import_module("sim.store")
    except ImportError:
        return None


def list_runs(limit: int = 100) -> tuple[pd.DataFrame | None, str]:
    """Past runs and comparisons, newest first, or ``(None, reason)``.

    Assumed API (adjust when issue 5 lands): ``sim.store.list_runs(limit=...)`` returning
    mappings with at least an ``id`` and, ideally, ``created``, ``scenario``, ``plans``,
    ``replications``, ``seed``, ``scenario_digest``.
    """
    store = _store()
    if store is None:
        return None, NOT_AVAILABLE
    lister = getattr(store, "list_runs", None)
    if lister is None:
        return None, "The run store has no `list_runs`; wire it in dashboard/history.py."
    try:
        rows = list(lister(limit=limit))
    except Exception as exc:  # the store is someone else's: never let it break the page
        return None, f"The run store could not be read: {type(exc).__name__}: {exc}"
    return pd.DataFrame([dict(r) for r in rows]), ""


def open_comparison(run_id: Any) -> tuple[dict[str, Any] | None, str]:
    """A past comparison as a ``comparison.json`` mapping (``plans``, ``differences``), or
    ``(None, reason)``. Assumed API: ``sim.store.load_comparison(run_id)``."""
    store = _store()
    if store is None:
        return None, NOT_AVAILABLE
    loader = getattr(store, "load_comparison", None)
    if loader is None:
        return None, "The run store has no `load_comparison`; wire it in dashboard/history.py."
    try:
        data = loader(run_id)
    except Exception as exc:
        return None, f"Run {run_id} could not be opened: {type(exc).__name__}: {exc}"
    if not isinstance(data, dict) or "plans" not in data:
        return None, f"Run {run_id} is not a comparison."
    return data, ""
