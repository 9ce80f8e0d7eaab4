"""Reviewing a muster drill: an observed log has one row per person who checked in,
``t_min`` (minutes after the alert) and ``role``, optionally ``responder_id`` and
``assembly_point``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.forces import ROLES
from sim.observed import Column, ObservedLog, ReviewSpec


def _observed_metrics(log: ObservedLog, run: Any) -> dict[str, float]:
    roster = float(np.nanmean(run.values("roster")))
    t = np.sort(log.column("t_min"))

    def time_to(frac: float) -> float:
        k = math.ceil(frac * roster)
        return float(t[k - 1]) if 0 < k <= t.size else math.nan

    return {
        "mustered_15min": float((t <= 15).sum()),
        "mustered_30min": float((t <= 30).sum()),
        "mustered_60min": float((t <= 60).sum()),
        "frac_mustered_60min": float((t <= 60).sum() / roster),
        "t50_min": time_to(0.5),
        "t90_min": time_to(0.9),
    }


def _simulated_times(run: Any) -> np.ndarray:
    """Check-in times pooled over replications (from the kept event records)."""
    return np.array([e.t_min for r in run.results for e in r.events if e.event == "mustered"])


def _observed_curve(log: ObservedLog, run: Any) -> np.ndarray:
    roster = float(np.nanmean(run.values("roster")))
    return np.searchsorted(np.sort(log.column("t_min")), run.curve_t, side="right") / roster


MUSTER_REVIEW = ReviewSpec(
    columns=[Column("t_min", "time"), Column("role", allowed=frozenset(ROLES)),
             Column("responder_id", required=False), Column("assembly_point", required=False)],
    what="one row per person who checked in: t_min (minutes after the alert), role",
    observed_metrics=_observed_metrics,
    observed_sample=lambda log: log.column("t_min"),
    simulated_sample=_simulated_times,
    observed_curve=_observed_curve,
    sample_label="check-in times",
)
