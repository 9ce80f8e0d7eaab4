"""Reviewing a muster drill: an observed log has one row per person who checked in,
``t_min`` (minutes after the alert) and ``role``, optionally ``responder_id`` and
``assembly_point``.

A log is all the check-ins of one drill. Each simulated replication gives the same: its own
check-in times and its own roster, and every metric is computed from those as from a log."""

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
    reached_mean,
)
from sim.analysis.observed import Column, ObservedLog, ReviewSpec, per_run
from sim.core.catalogue import role_label, role_plural, value_label
from sim.core.forces import ROLES, roster_size
from sim.core.injects import ReinforcementArrives
from sim.core.kind import Summary
from sim.present.i18n import N_, _


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


def _roster_before(model: Any) -> float:
    """The roster's size from the plan, before a run: the forces and the reinforcements
    brought in by injects (what ``build`` puts on the roster)."""
    extra = sum(inj.count for inj in model.injects if isinstance(inj, ReinforcementArrives))
    return float(roster_size(model.forces, list(model.grids)) + extra)


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
    capacity_before=lambda model: (_roster_before(model), "the roster"),
)

# --- findings for the after-action report (``Kind.findings``) ------------------------------

def findings(summary: Summary) -> list[Finding]:
    out = []
    roster = metric_mean(summary, "roster")
    frac = metric_mean(summary, "frac_mustered_60min")
    if frac >= 0.9:
        out.append(Finding(True, _("{share} of the roster mustered within the hour ({n} "
                                   "people).", share=f"{frac:.0%}",
                                   n=f"{metric_mean(summary, 'mustered_60min'):,.0f}")))
    t50 = reached_mean(summary, "t50_min")
    if t50 <= 30:
        out.append(Finding(True, _("Half the roster was at the assembly points in {t} min.",
                                   t=f"{t50:.0f}")))
    for ap, wait in sorted(breakdown_means(summary, "checkin_wait_max_min", "ap").items(),
                           key=lambda kv: -kv[1]):
        if wait > 5:
            named = value_label("ap", ap, summary.get("places_zh"))
            out.append(Finding(False, _("Assembly point {ap} check-in queue peaks at {t} min.",
                                        ap=named, t=f"{wait:.0f}"),
                               _("Add a second check-in desk at {ap} (or pre-registration).",
                                 ap=named), "equipment"))
    out += not_always_reached(summary, "t90_min", N_("90 % of the roster checked in"),
                               N_("Shorten the alert chain or add assembly points nearer "
                                  "homes."))
    nr = metric_mean(summary, "not_reached")
    if roster and nr / roster > 0.03:
        out.append(Finding(False, _("The alert never reached {n} people ({share} of the "
                                    "roster).", n=mean_text(summary, "not_reached"),
                                    share=f"{nr / roster:.0%}"),
                           _("Add a second alert channel or a phone-tree fallback; check app "
                             "installation during the next training."), "planning"))
    un = metric_mean(summary, "unavailable")
    if roster and un / roster > 0.1:
        out.append(Finding(False, _("{n} people ({share}) were unavailable.",
                                    n=mean_text(summary, "unavailable"),
                                    share=f"{un / roster:.0%}"),
                           _("Keep a reserve list (30:1 rule) to call when members are away."),
                           "organisation"))
    mustered = breakdown_means(summary, "mustered_60min", "role")
    sizes = breakdown_means(summary, "roster", "role")
    shares = {r: mustered[r] / sizes[r] for r in mustered if sizes.get(r)}
    if len(shares) > 1:
        worst = min(shares, key=lambda r: shares[r])
        if shares[worst] < 0.9:
            out.append(Finding(False, _("Lowest share mustered by 60 min among roles: {role} "
                                        "({share} of {n}).", role=role_label(worst),
                                        share=f"{shares[worst]:.0%}",
                                        n=f"{sizes[worst]:,.0f}"),
                               _("Review how {role} are alerted and how they travel.",
                                 role=role_plural(worst)),
                               "training"))
    return out
