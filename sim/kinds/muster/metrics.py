"""Muster metrics of one replication: counts by 15/30/60 minutes, times to 50/90 %, where
the check-in queues were, and the per-role and per-assembly-point breakdowns."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.core.catalogue import MetricInfo
from sim.core.forces import ROLES
from sim.present.i18n import N_

if TYPE_CHECKING:
    from sim.kinds.muster.inputs import MusterInputs

MUSTERED, EN_ROUTE, UNAVAILABLE, NOT_REACHED = "mustered", "en_route", "unavailable", "not_reached"
FINAL_STATES = (MUSTERED, EN_ROUTE, UNAVAILABLE, NOT_REACHED)


def curve(times: np.ndarray, t: np.ndarray) -> np.ndarray:
    if times.size == 0:
        return np.zeros_like(t)
    return np.searchsorted(np.sort(times), t, side="right") / times.size


def _time_to(sorted_times: np.ndarray, frac: float) -> float:
    n = sorted_times.size
    if n == 0:
        return math.nan
    # inf: not reached within the horizon (censored); nan above: nobody to muster.
    v = sorted_times[max(math.ceil(frac * n) - 1, 0)]
    return float(v) if np.isfinite(v) else math.inf


def muster_metrics(inp: MusterInputs, mustered_at: np.ndarray, state: np.ndarray,
                   wait: np.ndarray, ap: np.ndarray) -> dict[str, float]:
    n = len(inp.roster)
    s = np.sort(mustered_at)
    m: dict[str, float] = {
        "roster": float(n),
        "mustered_15min": float((mustered_at <= 15).sum()),
        "mustered_30min": float((mustered_at <= 30).sum()),
        "mustered_60min": float((mustered_at <= 60).sum()),
        "frac_mustered_60min": float((mustered_at <= 60).sum() / n) if n else math.nan,
        "t50_min": _time_to(s, 0.5),
        "t90_min": _time_to(s, 0.9),
        "unavailable": float((state == UNAVAILABLE).sum()),
        "not_reached": float((state == NOT_REACHED).sum()),
        "en_route_at_end": float((state == EN_ROUTE).sum()),
        "mustered_at_end": float((state == MUSTERED).sum()),
        "checkin_wait_p95_min": float(np.nanpercentile(wait, 95)) if np.isfinite(wait).any()
        else math.nan,
    }
    roles = inp.roles
    for role in ROLES:
        mask = roles == role
        if mask.any():
            m[f"mustered_60min[role={role}]"] = float((mustered_at[mask] <= 60).sum())
            m[f"roster[role={role}]"] = float(mask.sum())
    # Per assembly point in one pass over the roster (a mask per point grew with the town
    # squared): counts by bincount, the longest wait by a maximum scattered per point.
    k_ap = len(inp.ap_ids)
    by_60 = np.bincount(ap[mustered_at <= 60], minlength=k_ap)
    waited = np.isfinite(wait)  # NaN: never started check-in
    longest = np.full(k_ap, -np.inf)
    np.maximum.at(longest, ap[waited], wait[waited])
    for k, ap_id in enumerate(inp.ap_ids):
        m[f"mustered_60min[ap={ap_id}]"] = float(by_60[k])
        m[f"checkin_wait_max_min[ap={ap_id}]"] = float(longest[k]) if np.isfinite(longest[k]) \
            else 0.0
    return m


# What each metric means (``sim.core.catalogue``): plain-language phrase, unit, direction.
CATALOGUE: dict[str, MetricInfo] = {
    "roster": MetricInfo(N_("people on the roster"), "people", True),
    "mustered_15min": MetricInfo(N_("people mustered by 15 min"), "people", True),
    "mustered_30min": MetricInfo(N_("people mustered by 30 min"), "people", True),
    "mustered_60min": MetricInfo(N_("people mustered by 60 min"), "people", True),
    "frac_mustered_60min": MetricInfo(N_("share of the roster mustered by 60 min"), "", True),
    "t50_min": MetricInfo(N_("minutes to muster half the roster"), "min", False),
    "t90_min": MetricInfo(N_("minutes to muster 90 % of the roster"), "min", False),
    "unavailable": MetricInfo(N_("people unavailable"), "people", False),
    "not_reached": MetricInfo(N_("people the alert never reached"), "people", False),
    "en_route_at_end": MetricInfo(N_("people still on their way at the end"), "people", False),
    "mustered_at_end": MetricInfo(N_("people mustered by the end of the run"), "people", True),
    "checkin_wait_p95_min": MetricInfo(N_("95th-percentile check-in wait"), "min", False),
    "checkin_wait_max_min": MetricInfo(N_("longest check-in wait"), "min", False),

}
TIME_TO: frozenset[str] = frozenset({"t50_min", "t90_min"})
