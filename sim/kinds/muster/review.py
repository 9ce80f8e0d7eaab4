"""Reviewing a muster drill: an observed log has one row per person who checked in,
``t_min`` (minutes after the alert) and ``role``, optionally ``responder_id`` and
``assembly_point``.

A log is all the check-ins of one drill. Each simulated replication gives the same: its own
check-in times and its own roster, and every metric is computed from those as from a log."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.analysis.observed import Column, ObservedLog, ReviewSpec, per_run
from sim.core.forces import ROLES
from sim.present.i18n import N_


def _metrics(t: np.ndarray, roster: float) -> dict[str, float]:
    t = np.sort(t)

    def time_to(frac: float) -> float:
        k = math.ceil(frac * roster)
        return float(t[k - 1]) if 0 < k <= t.size else math.nan

    return {
        "mustered_15min": float((t <= 15).sum()),
        "mustered_30min": float((t <= 30).sum()),
        "mustered_60min": float((t <= 60).sum()),
        "frac_mustered_60min": float((t <= 60).sum() / roster) if roster > 0 else math.nan,
        "t50_min": time_to(0.5),
        "t90_min": time_to(0.9),
    }


def _roster(run: Any) -> float:
    return float(np.nanmax(run.values("roster")))


def _rep_times(run: Any) -> list[np.ndarray]:
    """Each replication's check-in times (from the kept event records)."""
    return per_run(run, "muster times", lambda run: [  # type: ignore[no-any-return]
        np.array([e.t_min for e in r.events if e.event == "mustered"], dtype=float)
        for r in run.results])


def _observed_metrics(log: ObservedLog, run: Any) -> dict[str, float]:
    return _metrics(log.column("t_min").astype(float), float(np.nanmean(run.values("roster"))))


def _simulated_metrics(log: ObservedLog, run: Any) -> dict[str, np.ndarray]:
    rows = [_metrics(t, float(r.metrics.get("roster", math.nan)))
            for t, r in zip(_rep_times(run), run.results, strict=True)]
    return {k: np.array([row[k] for row in rows]) for k in (rows[0] if rows else {})}


def _simulated_times(run: Any) -> np.ndarray:
    """Check-in times pooled over replications."""
    parts = _rep_times(run)
    return np.concatenate(parts) if parts else np.zeros(0)


def _observed_curve(log: ObservedLog, run: Any) -> np.ndarray:
    return np.searchsorted(np.sort(log.column("t_min").astype(float)), run.curve_t,
                           side="right").astype(float)


def _simulated_curves(run: Any) -> np.ndarray:
    return np.vstack([np.searchsorted(np.sort(t), run.curve_t, side="right")
                      for t in _rep_times(run)]).astype(float)


MUSTER_REVIEW = ReviewSpec(
    columns=[Column("t_min", "time"), Column("role", allowed=frozenset(ROLES)),
             Column("responder_id", required=False, unique=True),
             Column("assembly_point", required=False)],
    what="one row per person who checked in: t_min (minutes after the alert), role",
    observed_metrics=_observed_metrics,
    simulated_metrics=_simulated_metrics,
    observed_sample=lambda log: log.column("t_min"),
    simulated_sample=_simulated_times,
    observed_curve=_observed_curve,
    simulated_curves=_simulated_curves,
    curve_label=N_("people checked in"),
    sample_label="check-in times",
    capacity=lambda run: (_roster(run), "the roster"),
)
