"""Reviewing an evacuation: an observed log has one row per household (or group) that reached a
shelter: ``t_min`` (minutes after the decision to evacuate, t = 0) and ``people`` (≥ 1),
optionally ``household_id`` and ``shelter``.

A log says who arrived, not who refused to leave, so its metrics use only what a log holds, and
each simulated replication's metrics are computed the same way from its own arrivals:

- ``evacuated_30min`` / ``evacuated_60min``: people in a shelter by then (counts);
- ``frac_at_risk_sheltered_60min`` / ``frac_at_risk_sheltered_by_peak``: those counts as a
  share of the residents at risk (a scenario figure, so at most 100 % for any log that fits
  the town);
- ``arrived50_min`` / ``arrived90_min``: minutes until 50 / 90 % of the people who reached a
  shelter within the horizon had arrived (the log's own total; the replication's own total).

The run's ``frac_evacuated_60min`` and ``ete50_min`` divide by the residents *evacuating* (at
risk minus those who refused), which a log cannot give: it holds no row for who refused. The
review's shares and times therefore have names and labels of their own, so that neither a
table nor the GB/T report sets one beside the other as if they were the same figure.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.analysis.findings import (
    Finding,
    breakdown_means,
    mean_text,
    metric_mean,
    not_always_reached,
)
from sim.analysis.observed import Column, ObservedLog, ReviewSpec, per_run
from sim.core.catalogue import STRANDED_REASONS, value_label
from sim.core.kind import Summary
from sim.kinds.evacuation.metrics import _time_to
from sim.present.i18n import N_, _

# One replication's arrivals: times, people, shelter ids.
Arrivals = tuple[np.ndarray, np.ndarray, np.ndarray]


def _at_risk(run: Any) -> float:
    return float(np.nanmean(run.values("at_risk")))


def _sorted(log: ObservedLog) -> tuple[np.ndarray, np.ndarray]:
    t = log.column("t_min").astype(float)
    n = log.column("people").astype(float)
    order = np.argsort(t, kind="stable")
    return t[order], n[order]


def _metrics(a: Arrivals, at_risk: float, peak: float, horizon: float,
             shelters: list[str]) -> dict[str, float]:
    t, n, where = a
    order = np.argsort(t, kind="stable")
    t, n, where = t[order], n[order], where[order]
    inside = t <= horizon
    total = float(n[inside].sum())
    cum = np.cumsum(n)

    def by(minute: float) -> float:
        return float(n[t <= minute].sum())

    def share(x: float) -> float:
        return x / at_risk if at_risk > 0 else math.nan

    out = {
        "evacuated_30min": by(30),
        "evacuated_60min": by(60),
        "frac_at_risk_sheltered_60min": share(by(60)),
        "arrived50_min": _time_to(t, cum, 0.5 * total) if total > 0 else math.nan,
        "arrived90_min": _time_to(t, cum, 0.9 * total) if total > 0 else math.nan,
        "frac_at_risk_sheltered_by_peak": share(by(peak)) if math.isfinite(peak) else math.nan,
    }
    for sid in shelters:
        out[f"sheltered_at_end[shelter={sid}]"] = float(n[inside & (where == sid)].sum())
    return out


def _shelters(log: ObservedLog) -> list[str]:
    """Occupancy is compared only if every row names its shelter."""
    if log.rows and all("shelter" in r for r in log.rows):
        return sorted({r["shelter"] for r in log.rows})
    return []


def _observed_metrics(log: ObservedLog, run: Any) -> dict[str, float]:
    where = np.array([r.get("shelter", "") for r in log.rows])
    a = (log.column("t_min").astype(float), log.column("people").astype(float), where)
    return _metrics(a, _at_risk(run), float(np.nanmean(run.values("water_peak_min"))),
                    float(run.curve_t[-1]), _shelters(log))


def _simulated_metrics(log: ObservedLog, run: Any) -> dict[str, np.ndarray]:
    shelters, horizon = _shelters(log), float(run.curve_t[-1])
    rows = [_metrics(a, float(r.metrics.get("at_risk", math.nan)),
                     float(r.metrics.get("water_peak_min", math.nan)), horizon, shelters)
            for a, r in zip(rep_arrivals(run), run.results, strict=True)]
    return {k: np.array([row[k] for row in rows]) for k in (rows[0] if rows else {})}


def rep_arrivals(run: Any) -> list[Arrivals]:
    return per_run(run, "evacuation arrivals", _rep_arrivals)  # type: ignore[no-any-return]


def _rep_arrivals(run: Any) -> list[Arrivals]:
    """Each replication's arrivals at shelters, weighted by people.

    The times are those of the ``sheltered`` records; the people admitted come from the
    shelter's occupancy series, exact per minute: a record alone in its minute at its shelter
    gets exactly the people admitted then; several in the same minute share them evenly."""
    grid = np.asarray(run.curve_t, dtype=float)
    out: list[Arrivals] = []
    for r in run.results:
        times: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        where: list[np.ndarray] = []
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
                where.append(np.full(at.size, sid, dtype=object))
        if times:
            t_all, w_all = np.concatenate(times), np.concatenate(weights)
            s_all = np.concatenate(where)
            keep = w_all > 0
            out.append((t_all[keep], w_all[keep], s_all[keep]))
        else:
            out.append((np.zeros(0), np.zeros(0), np.zeros(0, dtype=object)))
    return out


def _simulated_arrivals(run: Any) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times pooled over replications, weighted by people."""
    parts = rep_arrivals(run)
    if not parts:
        return np.array([]), np.array([])
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _cum(t: np.ndarray, n: np.ndarray, grid: np.ndarray) -> np.ndarray:
    order = np.argsort(t, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(n[order])])
    return cum[np.searchsorted(t[order], grid, side="right")]


def _observed_curve(log: ObservedLog, run: Any) -> np.ndarray:
    t, n = _sorted(log)
    return _cum(t, n, np.asarray(run.curve_t, dtype=float))


def _simulated_curves(run: Any) -> np.ndarray:
    grid = np.asarray(run.curve_t, dtype=float)
    return np.vstack([_cum(t, n, grid) for t, n, _ in rep_arrivals(run)])


EVACUATION_REVIEW = ReviewSpec(
    columns=[Column("t_min", "time"), Column("people", "count"),
             Column("household_id", required=False, unique=True),
             Column("shelter", required=False)],
    what="one row per household (or group) that reached a shelter: t_min (minutes after the "
         "decision to evacuate), people",
    observed_metrics=_observed_metrics,
    simulated_metrics=_simulated_metrics,
    observed_sample=_sorted,
    simulated_sample=_simulated_arrivals,
    observed_curve=_observed_curve,
    simulated_curves=_simulated_curves,
    curve_label=N_("people in a shelter"),
    sample_label="shelter arrival times (weighted by people)",
    event_word="evacuations",
    capacity=lambda run: (float(np.nanmax(run.values("at_risk"))), "the residents at risk"),
    people_column="people",
)

# --- findings for the after-action report (``Kind.findings``) ------------------------------

def _nothing_happened(summary: Summary) -> str | None:
    """Why an evacuation's outcome is empty (nobody at risk, everyone refused), if it is."""
    at_risk, refused = metric_mean(summary, "at_risk"), metric_mean(summary, "refused")
    if at_risk == 0:
        return "nobody was at risk of flooding"
    if at_risk > 0 and refused == at_risk:
        return "everyone at risk refused to leave"
    return None


def findings(summary: Summary) -> list[Finding]:
    out = []
    empty = _nothing_happened(summary)
    if empty == "nobody was at risk of flooding":
        return [Finding(False, _("Nobody was at risk of flooding in this run, so the "
                                 "evacuation was not exercised: times and shares are not "
                                 "applicable."),
                        _("Check the storm and the ground levels, or exercise a heavier "
                          "storm."), "planning")]
    if empty is not None:
        out.append(Finding(False, _("Everyone at risk ({n} people) refused to leave: nobody "
                                    "evacuated, so evacuation times and shares are not "
                                    "applicable.", n=mean_text(summary, "at_risk")),
                           _("Plan for persuasion and compulsory evacuation of those who "
                             "refuse."), "planning"))
    frac = metric_mean(summary, "frac_evacuated_60min")
    if frac >= 0.9:
        out.append(Finding(True, _("{share} of the evacuating residents were in a shelter "
                                   "within the hour.", share=f"{frac:.0%}")))
    out += not_always_reached(summary, "ete90_min",
                               N_("90 % of the evacuating residents were in a shelter"),
                               N_("Start warning earlier or add warners and escort teams."))
    stranded = metric_mean(summary, "stranded")
    if stranded > 0:  # (a mean of counts: above 0 when anyone was stranded in any replication)
        reasons = breakdown_means(summary, "stranded", "reason")
        main = max(reasons, key=lambda r: reasons[r]) if reasons else "unknown"
        why = value_label("reason", main) if main in STRANDED_REASONS else main.replace("_", " ")
        # Under one on average: some replications ended with people stranded, others with
        # nobody; "nobody was stranded" would be wrong, and "0 people" too.
        text = _("{n} people were still in the flood-prone area at the end (mostly: {reason}).",
                 n=mean_text(summary, "stranded"), reason=why) if stranded >= 1 else _(
            "In some runs people were still in the flood-prone area at the end: {n} on "
            "average (mostly: {reason}).", n=mean_text(summary, "stranded"), reason=why)
        out.append(Finding(False, text, _("Start warning earlier or add escort teams where "
                                          "they are stranded."), "planning"))
    elif empty is None and stranded == 0:
        out.append(Finding(True, _("Nobody was stranded in the flood-prone area.")))
    away = metric_mean(summary, "turned_away")
    if away >= 1:
        out.append(Finding(False, _("{n} people were turned away by a full shelter.",
                                    n=mean_text(summary, "turned_away")),
                           _("Open a second shelter or raise capacity."), "equipment"))
    exposed = metric_mean(summary, "exposed")
    if exposed >= 1:
        out.append(Finding(False, _("{n} people were exposed to deep water.",
                                    n=mean_text(summary, "exposed")),
                           _("Move the vulnerable before the low roads flood."), "planning"))
    return out
