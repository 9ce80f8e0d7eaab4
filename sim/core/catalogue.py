"""What each metric means, which way is better, and plain-language verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.core.results import Breakdown, base_metric
from sim.present.i18n import N_, _
from sim.run.stats import PairedDifference


@dataclass(frozen=True)
class MetricInfo:
    phrase: str  # "people mustered by 60 min"
    unit: str
    higher_is_better: bool


METRICS: dict[str, MetricInfo] = {
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
    # evacuation
    "at_risk": MetricInfo(N_("residents at risk"), "people", False),
    "at_risk_households": MetricInfo(N_("households at risk"), "households", False),
    "vulnerable": MetricInfo(N_("residents in homes needing an escort"), "people", False),
    "evacuated_30min": MetricInfo(N_("people in a shelter by 30 min"), "people", True),
    "evacuated_60min": MetricInfo(N_("people in a shelter by 60 min"), "people", True),
    "frac_evacuated_60min": MetricInfo(N_("share of the evacuating residents sheltered by 60 min"),
                                       "", True),
    "ete50_min": MetricInfo(N_("minutes to shelter half the evacuating residents"), "min", False),
    "ete90_min": MetricInfo(N_("minutes to shelter 90 % of the evacuating residents"), "min", False),
    "ete100_min": MetricInfo(N_("minutes to shelter all evacuating residents"), "min", False),
    "water_peak_min": MetricInfo(N_("minute of the highest water in the storm"), "min", True),
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
    # festival
    "visitors": MetricInfo(N_("visitors"), "people", True),
    "groups": MetricInfo(N_("visitor groups"), "groups", True),
    "wait_p50_min": MetricInfo(N_("median checkpoint wait"), "min", False),
    "wait_p95_min": MetricInfo(N_("95th-percentile checkpoint wait"), "min", False),
    "wait_mean_min": MetricInfo(N_("mean checkpoint wait"), "min", False),
    "share_waited": MetricInfo(N_("share of visitors who had to wait at a checkpoint"), "", False),
    "max_queue": MetricInfo(N_("longest checkpoint queue"), "people", False),
    "diverted": MetricInfo(N_("visitors diverted to another checkpoint"), "people", False),
    "max_density_ppm2": MetricInfo(N_("highest viewing-point density"), "people/m²", False),
    "minutes_density_over_limit": MetricInfo(N_("minutes with a viewing point over the danger "
                                             "density"), "min", False),
    "worst_los": MetricInfo(N_("worst Fruin level of service (1 = A … 6 = F)"), "", False),
    "held": MetricInfo(N_("visitors held at viewing-point entrances"), "people", False),
    "held_wait_p95_min": MetricInfo(N_("95th-percentile wait at viewing-point entrances"), "min",
                                    False),
    "redirected": MetricInfo(N_("visitors redirected to another viewing point"), "people", False),
    "egress95_min": MetricInfo(N_("minutes after the tide until 95 % have left the viewing points"),
                               "min", False),
    "incidents": MetricInfo(N_("incidents"), "incidents", False),
    "incidents_unanswered": MetricInfo(N_("incidents no team reached by the end"), "incidents",
                                       False),
    "incident_response_p95_min": MetricInfo(N_("95th-percentile incident response time"), "min",
                                            False),
    "utilisation": MetricInfo(N_("staff utilisation"), "", False),
}


# Time-to-X metrics: a replication where X did not happen within the horizon has ``inf``
# (censored), one where X cannot happen (nobody to evacuate) has ``nan`` (not applicable).
TIME_TO_X = frozenset({"t50_min", "t90_min", "ete50_min", "ete90_min", "ete100_min",
                       "warned_90_min", "warned_100_min"})


def is_time_to(metric: str) -> bool:
    return base_metric(metric) in TIME_TO_X


def info(metric: str) -> MetricInfo:
    """Metadata of a metric; breakdowns such as ``mustered_60min[role=cadre]`` share their base."""
    part = Breakdown.parse(metric)
    known = METRICS.get(part.metric if part else metric)
    if known is None:
        return MetricInfo(metric.replace("_", " "), "", True)
    # The phrase in the current language (METRICS holds the English, the catalogue the 中文).
    phrase = _(known.phrase)
    if part:
        return MetricInfo(f"{phrase} ({breakdown_label(part)})", known.unit,
                          known.higher_is_better)
    return MetricInfo(phrase, known.unit, known.higher_is_better)


def breakdown_label(part: Breakdown) -> str:
    """``role=cadre`` in English, ``角色=干部`` in 中文: :func:`key_label` ``=`` :func:`value_label`."""
    return f"{key_label(part.key)}={value_label(part)}"


def key_label(key: str) -> str:
    """What a breakdown is by, in the current language (``role`` → ``角色``)."""
    return _(BREAKDOWN_KEYS.get(key, key))


def value_label(part: Breakdown) -> str:
    """Which part, in the current language where it is a word of ours (roles); place names as
    the user wrote them."""
    return role_label(part.value) if part.key == "role" else part.value


# What a planner calls each role (sim.core.forces.Role); the 中文 (field-data.md: 网格长,
# 专职网格员 …) is in the catalogue.
ROLE_NAMES: dict[str, str] = {
    "grid_head": N_("grid head"),
    "grid_worker_ft": N_("full-time grid worker"),
    "grid_worker_pt": N_("part-time grid worker"),
    "micro_grid_head": N_("micro-grid head"),
    "info_officer": N_("information officer"),
    "militia": N_("militia"),
    "cadre": N_("cadre"),
    "volunteer": N_("volunteer"),
    "veteran": N_("veteran"),
    "emergency_squad": N_("emergency squad"),
    "reserve": N_("reserve force"),
}


def role_label(role: str) -> str:
    """A role as a planner names it, in the current language (the code name if unknown)."""
    name = ROLE_NAMES.get(role)
    return _(name) if name else role


BREAKDOWN_KEYS = {"role": N_("role"), "grid": N_("grid"), "place": N_("place"),
                  "checkpoint": N_("checkpoint"), "shelter": N_("shelter"),
                  "viewing_point": N_("viewing point")}


def _fmt(x: float, metric: str = "") -> str:
    from sim.present import formatting  # formatting reads this module's metadata

    text = formatting.value(x, metric)
    return _("{value} min", value=text) \
        if formatting.kind_of(metric) == "minutes" and math.isfinite(x) else text


def verdict(metric: str, a: str, b: str, d: PairedDifference) -> str:
    """Plain language: ``night has 287 fewer people mustered by 60 min than baseline (95 % CI …)``."""
    m = info(metric)
    if d.n == 0:
        if is_time_to(metric):
            return _("{phrase}: cannot be compared between {b} and {a} (no replication where "
                     "both reached it, of {pairs})", phrase=m.phrase, a=a, b=b, pairs=d.pairs)
        return _("{phrase}: not applicable in {a} or {b}", phrase=m.phrase, a=a, b=b)
    ci = _("95 % CI {low} to {high}", low=_fmt(d.ci95_low, metric),
           high=_fmt(d.ci95_high, metric))
    if is_time_to(metric) or d.n < d.pairs:
        ci += (_("; n = {n} of {pairs} where both reached") if is_time_to(metric)
               else _("; n = {n} of {pairs} where both apply")).format(n=d.n, pairs=d.pairs)
    if not d.significant:
        return _("no significant difference in {phrase} between {b} and {a} (mean difference "
                 "{diff}, {ci})", phrase=m.phrase, a=a, b=b, diff=_fmt(d.mean, metric), ci=ci)
    more = _("more") if d.mean > 0 else _("fewer")
    if m.unit not in ("people", "households", "trips", "teams", "incidents"):
        more = _("higher") if d.mean > 0 else _("lower")
    better = (d.mean > 0) == m.higher_is_better
    return _("{b} has {amount} {more} {phrase} than {a} ({ci}; {judgement})", b=b, a=a,
             amount=_fmt(abs(d.mean), metric), more=more, phrase=m.phrase, ci=ci,
             judgement=_("better") if better else _("worse"))
