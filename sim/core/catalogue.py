"""What each metric means, which way is better, and plain-language verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.run.stats import PairedDifference


@dataclass(frozen=True)
class MetricInfo:
    phrase: str  # "people mustered by 60 min"
    unit: str
    higher_is_better: bool


METRICS: dict[str, MetricInfo] = {
    "roster": MetricInfo("people on the roster", "people", True),
    "mustered_15min": MetricInfo("people mustered by 15 min", "people", True),
    "mustered_30min": MetricInfo("people mustered by 30 min", "people", True),
    "mustered_60min": MetricInfo("people mustered by 60 min", "people", True),
    "frac_mustered_60min": MetricInfo("share of the roster mustered by 60 min", "", True),
    "t50_min": MetricInfo("minutes to muster half the roster", "min", False),
    "t90_min": MetricInfo("minutes to muster 90 % of the roster", "min", False),
    "unavailable": MetricInfo("people unavailable", "people", False),
    "not_reached": MetricInfo("people the alert never reached", "people", False),
    "en_route_at_end": MetricInfo("people still on their way at the end", "people", False),
    "mustered_at_end": MetricInfo("people mustered by the end of the run", "people", True),
    "checkin_wait_p95_min": MetricInfo("95th-percentile check-in wait", "min", False),
    "checkin_wait_max_min": MetricInfo("longest check-in wait", "min", False),
    # evacuation
    "at_risk": MetricInfo("residents at risk", "people", False),
    "at_risk_households": MetricInfo("households at risk", "households", False),
    "vulnerable": MetricInfo("residents in homes needing an escort", "people", False),
    "evacuated_30min": MetricInfo("people in a shelter by 30 min", "people", True),
    "evacuated_60min": MetricInfo("people in a shelter by 60 min", "people", True),
    "frac_evacuated_60min": MetricInfo("share of the evacuating residents sheltered by 60 min",
                                       "", True),
    "ete50_min": MetricInfo("minutes to shelter half the evacuating residents", "min", False),
    "ete90_min": MetricInfo("minutes to shelter 90 % of the evacuating residents", "min", False),
    "ete100_min": MetricInfo("minutes to shelter all evacuating residents", "min", False),
    "water_peak_min": MetricInfo("minute of the highest water in the storm", "min", True),
    "frac_evacuated_by_peak": MetricInfo("share sheltered by the highest water", "", True),
    "evacuated_by_forces": MetricInfo("people sheltered after a warning", "people", True),
    "self_evacuated": MetricInfo("people who sheltered on their own", "people", True),
    "refused": MetricInfo("people who refused to leave", "people", False),
    "stranded": MetricInfo("people stranded in the flood-prone area at the end", "people", False),
    "escorted": MetricInfo("people escorted to a shelter", "people", True),
    "escort_trips": MetricInfo("escort trips", "trips", True),
    "turned_away": MetricInfo("people turned away (full shelter or checkpoint)", "people", False),
    "exposed": MetricInfo("people exposed to deep water", "people", False),
    "warned_60min": MetricInfo("households warned by 60 min", "households", True),
    "warned_90_min": MetricInfo("minutes to warn 90 % of households", "min", False),
    "warned_100_min": MetricInfo("minutes to warn every household", "min", False),
    "responders_on_duty": MetricInfo("responders on duty (people)", "people", True),
    "teams_on_duty": MetricInfo("escort teams on duty", "teams", True),
    "households_visited_mean": MetricInfo("households visited per warner", "households", True),
    "households_visited_max": MetricInfo("most households visited by one warner", "households",
                                         False),
    "km_walked_mean": MetricInfo("km walked per responder", "km", False),
    "km_walked_max": MetricInfo("most km walked by one responder", "km", False),
    "sheltered_at_end": MetricInfo("people in the shelter at the end", "people", True),
    # festival
    "visitors": MetricInfo("visitors", "people", True),
    "groups": MetricInfo("visitor groups", "groups", True),
    "wait_p50_min": MetricInfo("median checkpoint wait", "min", False),
    "wait_p95_min": MetricInfo("95th-percentile checkpoint wait", "min", False),
    "wait_mean_min": MetricInfo("mean checkpoint wait", "min", False),
    "share_waited": MetricInfo("share of visitors who had to wait at a checkpoint", "", False),
    "max_queue": MetricInfo("longest checkpoint queue", "people", False),
    "diverted": MetricInfo("visitors diverted to another checkpoint", "people", False),
    "max_density_ppm2": MetricInfo("highest viewing-point density", "people/m²", False),
    "minutes_density_over_limit": MetricInfo("minutes with a viewing point over the danger "
                                             "density", "min", False),
    "worst_los": MetricInfo("worst Fruin level of service (1 = A … 6 = F)", "", False),
    "held": MetricInfo("visitors held at viewing-point entrances", "people", False),
    "held_wait_p95_min": MetricInfo("95th-percentile wait at viewing-point entrances", "min",
                                    False),
    "redirected": MetricInfo("visitors redirected to another viewing point", "people", False),
    "egress95_min": MetricInfo("minutes after the tide until 95 % have left the viewing points",
                               "min", False),
    "incidents": MetricInfo("incidents", "incidents", False),
    "incidents_unanswered": MetricInfo("incidents no team reached by the end", "incidents",
                                       False),
    "incident_response_p95_min": MetricInfo("95th-percentile incident response time", "min",
                                            False),
    "utilisation": MetricInfo("staff utilisation", "", False),
}


# Time-to-X metrics: a replication where X did not happen within the horizon has ``inf``
# (censored), one where X cannot happen (nobody to evacuate) has ``nan`` (not applicable).
TIME_TO_X = frozenset({"t50_min", "t90_min", "ete50_min", "ete90_min", "ete100_min",
                       "warned_90_min", "warned_100_min"})


def is_time_to(metric: str) -> bool:
    return metric.partition("[")[0] in TIME_TO_X


def info(metric: str) -> MetricInfo:
    """Metadata of a metric; breakdowns such as ``mustered_60min[role=cadre]`` share their base."""
    base, _, detail = metric.partition("[")
    known = METRICS.get(base)
    if known is None:
        return MetricInfo(metric.replace("_", " "), "", True)
    if detail:
        return MetricInfo(f"{known.phrase} ({detail.rstrip(']')})", known.unit,
                          known.higher_is_better)
    return known


def _fmt(x: float, metric: str = "") -> str:
    from sim.present import formatting  # formatting reads this module's metadata

    text = formatting.value(x, metric)
    return f"{text} min" if formatting.kind_of(metric) == "minutes" and math.isfinite(x) \
        else text


def verdict(metric: str, a: str, b: str, d: PairedDifference) -> str:
    """Plain language: ``night has 287 fewer people mustered by 60 min than baseline (95 % CI …)``."""
    m = info(metric)
    if d.n == 0:
        if is_time_to(metric):
            return (f"{m.phrase}: cannot be compared between {b} and {a} (no replication "
                    f"where both reached it, of {d.pairs})")
        return f"{m.phrase}: not applicable in {a} or {b}"
    ci = f"95 % CI {_fmt(d.ci95_low, metric)} to {_fmt(d.ci95_high, metric)}"
    if is_time_to(metric) or d.n < d.pairs:
        ci += f"; n = {d.n} of {d.pairs} where both {'reached' if is_time_to(metric) else 'apply'}"
    if not d.significant:
        return f"no significant difference in {m.phrase} between {b} and {a} " \
               f"(mean difference {_fmt(d.mean, metric)}, {ci})"
    more = "more" if d.mean > 0 else "fewer"
    if m.unit not in ("people", "households", "trips", "teams", "incidents"):
        more = "higher" if d.mean > 0 else "lower"
    better = (d.mean > 0) == m.higher_is_better
    return (f"{b} has {_fmt(abs(d.mean), metric)} {more} {m.phrase} than {a} "
            f"({ci}; {'better' if better else 'worse'})")
