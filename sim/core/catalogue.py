"""What each metric means, which way is better, and plain-language verdicts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.core.kind import PlaceNames, all_kinds, generation
from sim.core.results import Breakdown, base_metric
from sim.present.i18n import N_, _, is_zh


@dataclass(frozen=True)
class MetricInfo:
    phrase: str  # "people mustered by 60 min"
    unit: str
    higher_is_better: bool
    # A count of demand, not of performance (a festival's visitors): more or fewer is neither
    # better nor worse, so a verdict must not judge a difference in it (``higher_is_better``
    # is then meaningless). See :meth:`judge`.
    neutral: bool = False

    def judge(self, difference: float) -> bool | None:
        """Whether a plan whose value is higher by ``difference`` is better (True) or worse
        (False); None when a difference in this metric is neither (``neutral``, or none)."""
        if self.neutral or difference == 0 or difference != difference:
            return None
        return (difference > 0) == self.higher_is_better


def _catalogue() -> tuple[dict[str, MetricInfo], frozenset[str]]:
    """Every registered kind's metrics, merged (built again when a kind is registered)."""
    global _MERGED
    if _MERGED is None or _MERGED[0] != generation():
        metrics: dict[str, MetricInfo] = {}
        time_to: set[str] = set()
        for kind in all_kinds():
            metrics.update(kind.metrics)
            time_to |= kind.time_to
        _MERGED = (generation(), metrics, frozenset(time_to))
    return _MERGED[1], _MERGED[2]


_MERGED: tuple[int, dict[str, MetricInfo], frozenset[str]] | None = None


def known_metrics() -> dict[str, MetricInfo]:
    """Metric name → its meaning, over every kind (each kind states its own in its
    ``metrics.py``; a breakdown such as ``x[role=cadre]`` is not listed)."""
    return _catalogue()[0]


def is_time_to(metric: str) -> bool:
    """A time-to-X metric (each kind's ``TIME_TO``): a replication where X did not happen within
    the horizon has ``inf`` (censored), one where X cannot happen (nobody to evacuate) has
    ``nan`` (not applicable)."""
    return base_metric(metric) in _catalogue()[1]


# Shares by name (their unit is empty): written as percentages, and between 0 and 1.
SHARE_PREFIXES = ("frac_", "share_", "utilisation")
COUNT_UNITS = ("people", "households", "trips", "teams", "incidents", "groups")


def is_share(metric: str) -> bool:
    return base_metric(metric).startswith(SHARE_PREFIXES)


def natural_range(metric: str) -> tuple[float, float]:
    """The values a metric can take under any plan: shares 0–1, counts, minutes and distances
    not below 0, a Fruin level 1–6; anything else unbounded. A mean lies in its metric's range,
    so an interval for it may be cut to the range and still holds the mean whenever it did
    (a t interval of a mean near an edge reaches past it: a share's to 100.7 %)."""
    if is_share(metric):
        return 0.0, 1.0
    if base_metric(metric).startswith("worst_los"):
        return 1.0, 6.0
    if info(metric).unit in (*COUNT_UNITS, "min", "km"):
        return 0.0, math.inf
    return -math.inf, math.inf


def info(metric: str) -> MetricInfo:
    """Metadata of a metric; breakdowns such as ``mustered_60min[role=cadre]`` share their base."""
    part = Breakdown.parse(metric)
    known = known_metrics().get(part.metric if part else metric)
    if known is None:
        return MetricInfo(metric.replace("_", " "), "", True)
    # The phrase in the current language (the kinds hold the English, the .po the 中文).
    said = phrase(metric) if part else _(known.phrase)
    return MetricInfo(said, known.unit, known.higher_is_better, known.neutral)


def breakdown_label(part: Breakdown, places: PlaceNames | None = None) -> str:
    """``role: cadre`` in English, ``角色：干部`` in 中文: :func:`key_label` and :func:`value_label`
    (a place by the Chinese name ``places`` gives it, as a summary's ``places_zh``)."""
    return _("{key}: {value}", key=key_label(part.key),
             value=value_label(part.key, part.value, places))


def phrase(metric: str, places: PlaceNames | None = None) -> str:
    """``info(metric).phrase``, with a breakdown's place named as ``places`` names it in 中文
    (``结束时安置点内人数（安置点：阳宁村村委会）``, not ``安置点=village_committee``)."""
    part = Breakdown.parse(metric)
    if part is None:
        return info(metric).phrase
    return _("{phrase} ({part})", phrase=info(part.metric).phrase,
             part=breakdown_label(part, places))


def key_label(key: str) -> str:
    """What a breakdown is by, in the current language (``role`` → ``角色``)."""
    return _(BREAKDOWN_KEYS.get(key, key))


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


# The members of a role together, for sentences about all of them ("Review how micro-grid
# heads are alerted"): English plurals are not always name + "s" (militia, reserve force).
ROLE_PLURALS: dict[str, str] = {
    "grid_head": N_("grid heads"),
    "grid_worker_ft": N_("full-time grid workers"),
    "grid_worker_pt": N_("part-time grid workers"),
    "micro_grid_head": N_("micro-grid heads"),
    "info_officer": N_("information officers"),
    "militia": N_("militia members"),
    "cadre": N_("cadres"),
    "volunteer": N_("volunteers"),
    "veteran": N_("veterans"),
    "emergency_squad": N_("emergency squad members"),
    "reserve": N_("reserve force members"),
}


def role_plural(role: str) -> str:
    """The members of a role, in the current language (the role's label if unknown)."""
    name = ROLE_PLURALS.get(role)
    return _(name) if name else role_label(role)


def role_label(role: str) -> str:
    """A role as a planner names it, in the current language (the code name if unknown)."""
    name = ROLE_NAMES.get(role)
    return _(name) if name else role


# Why residents are stranded (``stranded[reason=…]`` of the evacuation kind), as a planner says it.
STRANDED_REASONS: dict[str, str] = {
    "not_warned": N_("not warned"),
    "preparing": N_("still preparing to leave"),
    "waiting_escort": N_("waiting for an escort"),
    "en_route": N_("on the way to a shelter"),
    "cut_off": N_("cut off by water"),
    "no_shelter_space": N_("no room in a shelter"),
}


def value_label(key: str, value: str, places: PlaceNames | None = None) -> str:
    """A breakdown's row as a planner names it: roles, reasons, staff groups and incident types
    by their names, never codes (each kind's ``value_names``); places and grids by their ids
    (names the scenario gives them), in 中文 by the Chinese names ``places`` gives them (a
    summary's ``places_zh``: see ``places_named``)."""
    named = (places or {}).get(key, {}).get(value)
    if named and is_zh():
        return named
    if key == "role":
        return role_label(value)
    if key == "reason" and value in STRANDED_REASONS:
        return _(STRANDED_REASONS[value])
    for kind in all_kinds():
        name = kind.value_names.get(key, {}).get(value)
        if name:
            return _(name)
    return value


def places_named(summaries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """The Chinese names of places that plans' summaries record (``places_zh``), merged: the
    plans of one scenario name a place alike; a place a plan adds has its own."""
    out: dict[str, dict[str, str]] = {}
    for s in summaries:
        for key, names in (s.get("places_zh") or {}).items():
            if isinstance(names, Mapping):
                out.setdefault(str(key), {}).update({str(k): str(v) for k, v in names.items()})
    return out


# What each breakdown is by (the ``key`` of ``metric[key=value]`` in every kind's metrics).
BREAKDOWN_KEYS = {"role": N_("role"), "grid": N_("grid"), "place": N_("place"),
                  "ap": N_("assembly point"), "checkpoint": N_("checkpoint"),
                  "shelter": N_("shelter"), "viewing_point": N_("viewing point"),
                  "reason": N_("reason"), "group": N_("staff group"), "team": N_("team"),
                  "type": N_("incident type")}
