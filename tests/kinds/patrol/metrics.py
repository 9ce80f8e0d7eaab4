"""Patrol metrics and their catalogue entries."""

from __future__ import annotations

import math

import numpy as np

from sim.core.catalogue import MetricInfo

CATALOGUE = {
    "patrollers": MetricInfo("people on patrol", "people", True),
    "check_ins": MetricInfo("check-ins within the horizon", "check-ins", True),
    "rounds_completed": MetricInfo("patrollers who finished the route", "people", True),
    "frac_completed": MetricInfo("share of patrollers who finished the route", "", True),
    "route_done_min": MetricInfo("minutes until every patroller finished the route", "min",
                                 False),
}
TIME_TO = frozenset({"route_done_min"})


def patrol_metrics(times: np.ndarray, horizon: float) -> dict[str, float]:
    n = times.shape[0]
    last = times[:, -1] if times.size else np.zeros(0)
    done = int((last <= horizon).sum())
    return {
        "patrollers": float(n),
        "check_ins": float((times <= horizon).sum()),
        "rounds_completed": float(done),
        "frac_completed": done / n if n else math.nan,
        # inf: not every patroller finished within the horizon (censored).
        "route_done_min": float(last.max()) if n and done == n else (math.inf if n else math.nan),
    }


def curve(times: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Share of all check-ins done by each minute."""
    flat = np.sort(times.ravel())
    return np.searchsorted(flat, t, side="right") / max(flat.size, 1)
