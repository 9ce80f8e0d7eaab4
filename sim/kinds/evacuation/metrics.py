"""Metrics of one evacuation replication, its completion curve and shelter occupancy series.

Every resident at risk ends in exactly one category (people, exactly):
``at_risk = evacuated_by_forces + self_evacuated + refused + stranded``, where
- ``self_evacuated``: reached a shelter having left on their own before any warning;
- ``evacuated_by_forces``: reached a shelter after a warning (walking out, or escorted);
- ``refused``: members of households that refused every knock they got;
- ``stranded``: everyone else, still in the flood-prone area at the end, by reason
  (``stranded[reason=not_warned|preparing|waiting_escort|en_route|cut_off|no_shelter_space]``).
Fractions and evacuation time estimates (NUREG/CR-7002 style) are of the *evacuating
population*, ``at_risk − refused``: ``ete90_min`` is when 90 % of them are in a shelter.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.core.catalogue import MetricInfo
from sim.kinds.evacuation.model import REFUSED, STRANDED_REASONS
from sim.present.i18n import N_

if TYPE_CHECKING:
    from sim.kinds.evacuation.inputs import EvacuationInputs
    from sim.kinds.evacuation.model import FloodRun


def _time_to(t: np.ndarray, cum: np.ndarray, target: float) -> float:
    # nan: not applicable (nobody evacuating); inf: not reached within the horizon.
    if target <= 0:
        return math.nan
    k = int(np.searchsorted(cum, target - 1e-9, side="left"))
    return float(t[k]) if k < t.size else math.inf


def _quantile_time(times: np.ndarray, frac: float) -> float:
    if times.size == 0:
        return math.nan
    v = np.sort(times)[max(math.ceil(frac * times.size) - 1, 0)]
    return float(v) if np.isfinite(v) else math.inf


def evacuation_metrics(inp: EvacuationInputs, run: FloodRun
                       ) -> tuple[dict[str, float], np.ndarray, dict[str, np.ndarray]]:
    members = inp.hh_members
    horizon = inp.params.horizon_min
    refused_hh = run.status == REFUSED
    at_risk = int(members.sum())
    refused = int(members[refused_hh].sum())
    evacuating = at_risk - refused
    arr = sorted(run.arrivals)
    t = np.array([a[0] for a in arr], dtype=float)
    n = np.array([a[3] for a in arr], dtype=int)
    cum = np.cumsum(n)
    by = lambda limit: float(n[t <= limit].sum())  # noqa: E731
    frac = (lambda x: x / evacuating) if evacuating else (lambda x: math.nan)
    peak = inp.timeline.peak
    never_left = ~np.isfinite(run.left_at)
    exposed = run.exposed | (never_left & (inp.hh_first_exposed <= horizon))
    informed = np.minimum(run.warned_at, np.where(run.went_alone, run.left_at, np.inf))
    warners = run.on_duty[:len(inp.warners)]
    km = run.km[run.on_duty]
    m: dict[str, float] = {
        "at_risk": float(at_risk),
        "at_risk_households": float(len(inp.households)),
        "vulnerable": float(members[run.needs_escort].sum()),
        "evacuated_30min": by(30),
        "evacuated_60min": by(60),
        "frac_evacuated_60min": frac(by(60)),
        "ete50_min": _time_to(t, cum, 0.5 * evacuating),
        "ete90_min": _time_to(t, cum, 0.9 * evacuating),
        "ete100_min": _time_to(t, cum, float(evacuating)),
        "water_peak_min": peak.minute,
        # Not observed when the run stops before the peak: never read at the horizon instead.
        "frac_evacuated_by_peak": frac(by(peak.minute)) if peak.observed else math.nan,
        "evacuated_by_forces": float(run.sheltered[~run.went_alone].sum()),
        "self_evacuated": float(run.sheltered[run.went_alone].sum()),
        "refused": float(refused),
        "stranded": float((members - run.sheltered)[~refused_hh].sum()),
        "escorted": float(run.sheltered[run.escorted].sum()),
        "escort_trips": float(run.trips),
        "turned_away": float(run.turned_away),
        "exposed": float(members[exposed].sum()),
        "warned_60min": float((run.warned_at <= 60).sum()),
        "warned_90_min": _quantile_time(informed, 0.9),
        "warned_100_min": _quantile_time(informed, 1.0),
        # People, not teams: an escort team of 3 is 3 responders.
        "responders_on_duty": float(run.on_duty @ inp.responder_sizes),
        "teams_on_duty": float(run.on_duty[len(inp.warners):].sum()),
        "households_visited_mean": float(run.visits[warners].mean()) if warners.any() else 0.0,
        "households_visited_max": float(run.visits[warners].max()) if warners.any() else 0.0,
        "km_walked_mean": float(km.mean()) if km.size else 0.0,
        "km_walked_max": float(km.max()) if km.size else 0.0,
    }
    for reason in STRANDED_REASONS:
        mask = (run.status == reason) & ~refused_hh
        m[f"stranded[reason={reason}]"] = float((members - run.sheltered)[mask].sum())
    # People sheltered by minute 60 per grid: one pass over the arrivals (integer sums, exact).
    hh_grid = run.hh_grid
    n_grids = len(inp.grid_ids)
    has_hh = np.bincount(hh_grid, minlength=n_grids) > 0
    early = t <= 60
    who = np.array([a[2] for a in arr], dtype=int)
    by_grid = np.zeros(n_grids, dtype=np.int64)
    np.add.at(by_grid, hh_grid[who[early]], n[early])
    for g, gid in enumerate(inp.grid_ids):
        if has_hh[g]:
            m[f"evacuated_60min[grid={gid}]"] = float(by_grid[g])
    used = inp.shelter_capacity - run.space
    series: dict[str, np.ndarray] = {}
    grid_t = inp.curve_t
    shelter_of = np.array([a[1] for a in arr], dtype=int)
    for s, sid in enumerate(inp.shelter_ids):
        m[f"sheltered_at_end[shelter={sid}]"] = float(used[s])
        mask = shelter_of == s
        c = np.cumsum(n[mask])
        k = np.searchsorted(t[mask], grid_t, side="right")
        series[f"occupancy[shelter={sid}]"] = np.where(k > 0, c[np.maximum(k - 1, 0)], 0
                                                       ) if c.size else np.zeros(grid_t.size)
    k = np.searchsorted(t, grid_t, side="right")
    done = np.where(k > 0, cum[np.maximum(k - 1, 0)], 0) if cum.size else np.zeros(grid_t.size)
    curve = done / evacuating if evacuating else np.ones(grid_t.size)
    return m, curve.astype(float), series


# What each metric means (``sim.core.catalogue``): plain-language phrase, unit, direction.
CATALOGUE: dict[str, MetricInfo] = {
    # The storm's, not the plan's: no plan changes them (``neutral``).
    "at_risk": MetricInfo(N_("residents at risk"), "people", False, neutral=True),
    "at_risk_households": MetricInfo(N_("households at risk"), "households", False, neutral=True),
    "vulnerable": MetricInfo(N_("residents in homes needing an escort"), "people", False,
                             neutral=True),
    "evacuated_30min": MetricInfo(N_("people in a shelter by 30 min"), "people", True),
    "evacuated_60min": MetricInfo(N_("people in a shelter by 60 min"), "people", True),
    "frac_evacuated_60min": MetricInfo(N_("share of the evacuating residents sheltered by 60 min"),
                                       "", True),
    "ete50_min": MetricInfo(N_("minutes to shelter half the evacuating residents"), "min", False),
    "ete90_min": MetricInfo(N_("minutes to shelter 90 % of the evacuating residents"), "min", False),
    "ete100_min": MetricInfo(N_("minutes to shelter all evacuating residents"), "min", False),
    "water_peak_min": MetricInfo(N_("minute of the highest water in the storm"), "min", True,
                                 neutral=True),
    "frac_evacuated_by_peak": MetricInfo(N_("share sheltered by the highest water"), "", True),
    "evacuated_by_forces": MetricInfo(N_("people sheltered after a warning"), "people", True),
    "self_evacuated": MetricInfo(N_("people who sheltered on their own"), "people", True),
    "refused": MetricInfo(N_("people who refused to leave"), "people", False),
    "stranded": MetricInfo(N_("people stranded in the flood-prone area at the end"), "people", False),
    "escorted": MetricInfo(N_("people escorted to a shelter"), "people", True),
    "escort_trips": MetricInfo(N_("escort trips"), "trips", True),
    "turned_away": MetricInfo(N_("people turned away (full shelter or checkpoint)"), "people", False),
    "exposed": MetricInfo(N_("people exposed to deep water"), "people", False),
    "warned_60min": MetricInfo(N_("households warned by 60 min"), "households", True),
    "warned_90_min": MetricInfo(N_("minutes to warn 90 % of households"), "min", False),
    "warned_100_min": MetricInfo(N_("minutes to warn every household"), "min", False),
    "responders_on_duty": MetricInfo(N_("responders on duty (people)"), "people", True),
    "teams_on_duty": MetricInfo(N_("escort teams on duty"), "teams", True),
    "households_visited_mean": MetricInfo(N_("households visited per warner"), "households", True),
    "households_visited_max": MetricInfo(N_("most households visited by one warner"), "households",
                                         False),
    "km_walked_mean": MetricInfo(N_("km walked per responder"), "km", False),
    "km_walked_max": MetricInfo(N_("most km walked by one responder"), "km", False),
    "sheltered_at_end": MetricInfo(N_("people in the shelter at the end"), "people", True),
    # Computed by the review from arrivals alone (a drill log and each replication alike): a log
    # does not say who refused, so these divide by the residents at risk or by those who
    # arrived, not by the residents evacuating as frac_evacuated_60min and ete50_min do.
    "frac_at_risk_sheltered_60min": MetricInfo(
        N_("share of the residents at risk sheltered by 60 min"), "", True),
    "frac_at_risk_sheltered_by_peak": MetricInfo(
        N_("share of the residents at risk sheltered by the highest water"), "", True),
    "arrived50_min": MetricInfo(
        N_("minutes until half of the people sheltered by the end had arrived"), "min", False),
    "arrived90_min": MetricInfo(
        N_("minutes until 90 % of the people sheltered by the end had arrived"), "min", False),

}
TIME_TO: frozenset[str] = frozenset({"ete50_min", "ete90_min", "ete100_min", "warned_90_min",
                     "warned_100_min"})


def ranges(inp: EvacuationInputs) -> dict[str, tuple[float, float]]:
    """Counts of people are counts of the residents at risk (a grid's of its own residents at
    risk, a shelter's up to its capacity); households warned, of the households at risk."""
    people = (0.0, float(inp.hh_members.sum()))
    out = {m: people for m in ("vulnerable", "evacuated_30min", "evacuated_60min",
                               "evacuated_by_forces", "self_evacuated", "refused", "stranded",
                               "escorted", "exposed")}
    out |= {f"stranded[reason={r}]": people for r in STRANDED_REASONS}
    out["warned_60min"] = (0.0, float(len(inp.households)))
    grid_of = np.array([h.grid_index for h in inp.households], dtype=int)
    in_grid = np.bincount(grid_of, weights=inp.hh_members, minlength=len(inp.grid_ids))
    homes = np.bincount(grid_of, minlength=len(inp.grid_ids))
    for g, gid in enumerate(inp.grid_ids):
        if homes[g]:  # (a grid with no home at risk has no such metric)
            out[f"evacuated_60min[grid={gid}]"] = (0.0, float(in_grid[g]))
    for sid, cap in zip(inp.shelter_ids, inp.shelter_capacity, strict=True):
        out[f"sheltered_at_end[shelter={sid}]"] = (0.0, float(min(cap, people[1])))
    return out
