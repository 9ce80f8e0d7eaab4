"""Reviewing an evacuation: an observed log has one row per household (or group) that reached a
shelter: ``t_min`` (minutes after the decision to evacuate, t = 0) and ``people`` (≥ 1),
optionally ``household_id`` and ``shelter``.

The observed metrics are computed as the simulated ones are (``sim.evacuation.metrics``):
people in a shelter by 30 and 60 minutes, and the evacuation time estimates as the minutes
until 50 / 90 % of the *evacuating* residents are in a shelter. A log gives arrivals, not who
refused to leave, so the evacuating population (at risk − refused) is the simulated mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.evacuation.metrics import _time_to
from sim.observed import Column, ObservedLog, ReviewSpec


def _evacuating(run: Any) -> float:
    return float(np.nanmean(run.values("at_risk") - run.values("refused")))


def _sorted(log: ObservedLog) -> tuple[np.ndarray, np.ndarray]:
    t = log.column("t_min").astype(float)
    n = log.column("people").astype(float)
    order = np.argsort(t, kind="stable")
    return t[order], n[order]


def _observed_metrics(log: ObservedLog, run: Any) -> dict[str, float]:
    t, n = _sorted(log)
    cum = np.cumsum(n)
    evacuating = _evacuating(run)
    peak = float(np.nanmean(run.values("water_peak_min")))

    def by(minute: float) -> float:
        return float(n[t <= minute].sum())

    out = {
        "evacuated_30min": by(30),
        "evacuated_60min": by(60),
        "frac_evacuated_60min": by(60) / evacuating,
        "ete50_min": _time_to(t, cum, 0.5 * evacuating),
        "ete90_min": _time_to(t, cum, 0.9 * evacuating),
        "frac_evacuated_by_peak": by(peak) / evacuating,
    }
    if log.rows and all("shelter" in r for r in log.rows):  # occupancy only if every row says
        horizon = float(run.curve_t[-1])
        for sid in sorted({r["shelter"] for r in log.rows}):
            out[f"sheltered_at_end[shelter={sid}]"] = float(sum(
                r["people"] for r in log.rows if r["shelter"] == sid and r["t_min"] <= horizon))
    return out


def _simulated_arrivals(run: Any) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times at shelters pooled over replications, weighted by people.

    The times are those of the ``sheltered`` records; the people admitted come from the
    shelter's occupancy series, exact per minute: a record alone in its minute at its shelter
    gets exactly the people admitted then; several in the same minute share them evenly."""
    grid = np.asarray(run.curve_t, dtype=float)
    times: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for r in run.results:
        by_shelter: dict[str, list[float]] = {}
        for e in r.events:
            if e.event == "sheltered":
                by_shelter.setdefault(e.location, []).append(e.t_min)
        for sid, ts in by_shelter.items():
            occ = r.series.get(f"occupancy[shelter={sid}]")
            if occ is None:
                continue
            new = np.diff(np.asarray(occ, dtype=float), prepend=0.0)
            t = np.array(ts)
            k = np.searchsorted(grid, t, side="left")  # minute bin (k − 1, k]
            for kk in np.unique(k[k < grid.size]):
                at = t[k == kk]
                base, extra = divmod(int(round(new[kk])), at.size)
                w = base + (np.arange(at.size) < extra)
                times.append(at)
                weights.append(w.astype(float))
    if not times:
        return np.array([]), np.array([])
    t_all, w_all = np.concatenate(times), np.concatenate(weights)
    keep = w_all > 0
    return t_all[keep], w_all[keep]


def _observed_curve(log: ObservedLog, run: Any) -> np.ndarray:
    t, n = _sorted(log)
    cum = np.concatenate([[0.0], np.cumsum(n)])
    return cum[np.searchsorted(t, run.curve_t, side="right")] / _evacuating(run)


EVACUATION_REVIEW = ReviewSpec(
    columns=[Column("t_min", "time"), Column("people", "count"),
             Column("household_id", required=False), Column("shelter", required=False)],
    what="one row per household (or group) that reached a shelter: t_min (minutes after the "
         "decision to evacuate), people",
    observed_metrics=_observed_metrics,
    observed_sample=_sorted,
    simulated_sample=_simulated_arrivals,
    observed_curve=_observed_curve,
    sample_label="shelter arrival times (weighted by people)",
)
