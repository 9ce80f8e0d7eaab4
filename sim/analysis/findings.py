"""Strengths and areas for improvement, derived from a plan's results (for the after-action
report). Each finding carries the figure behind it; the rules are simple and stated."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.core.catalogue import info
from sim.core.kind import find_kind
from sim.core.results import breakdowns_in
from sim.present import formatting
from sim.present.i18n import N_, _, pick


@dataclass(frozen=True)
class Finding:
    strength: bool
    text: str
    action: str = ""  # the corrective action, for the improvement plan
    capability: str = ""  # HSEEP capability element: one of CAPABILITIES


# Shown through the catalogue in the report's improvement plan.
CAPABILITIES = (N_("planning"), N_("organisation"), N_("equipment"), N_("training"),
                N_("exercises"))


def metric_mean(summary: Mapping[str, Any], metric: str) -> float:
    m = summary["metrics"].get(metric) or {}
    v = m.get("mean")
    return math.nan if v is None else float(v)


def mean_text(summary: Mapping[str, Any], metric: str) -> str:
    """A metric's mean written as the results table beside the findings writes it (a mean of a
    few people to a tenth: "2.4 people were stranded", not "2", see ``formatting.few``)."""
    return formatting.stat(summary["metrics"].get(metric), metric, "mean")


def breakdown_means(summary: Mapping[str, Any], metric: str, key: str) -> dict[str, float]:
    return {b.value: metric_mean(summary, b.name)
            for b in breakdowns_in(summary["metrics"], metric, key)}


def reached_mean(summary: Mapping[str, Any], metric: str) -> float:
    """The mean of a time-to-X metric only when every replication reached X."""
    m = summary["metrics"].get(metric) or {}
    if m.get("n_reached", m.get("n")) != m.get("n"):
        return math.nan
    return metric_mean(summary, metric)


def not_always_reached(summary: Mapping[str, Any], metric: str, what: str, action: str
                        ) -> list[Finding]:
    """An area for improvement when a time-to-X target is missed within the horizon in some
    replications (the times shown then count those as later than the horizon)."""
    m = summary["metrics"].get(metric) or {}
    k, n = m.get("n_reached"), m.get("n")
    if not isinstance(k, int) or not isinstance(n, int) or n == 0 or k == n:
        return []
    horizon = formatting.later_than(m.get("horizon_min")).removeprefix("> ")
    return [Finding(False, _("{what} within {horizon} in only {k} of {n} replications "
                             "({share}).", what=_(what), horizon=horizon, k=k, n=n,
                             share=f"{k / n:.0%}"), _(action), "planning")]


def objective_value(summary: dict[str, Any], objective: dict[str, Any]) -> float:
    """The statistic an objective is on; ``inf`` where it is later than the horizon (a
    censored percentile), ``nan`` where it cannot be assessed."""
    m = summary["metrics"].get(objective["metric"]) or {}
    stat = objective.get("statistic", "mean")
    if m.get(f"{stat}_censored"):
        return math.inf
    v = m.get(stat)
    return math.nan if v is None else float(v)


def plan_objective(summary: dict[str, Any], i: int, objective: dict[str, Any]
                   ) -> dict[str, Any]:
    """Objective ``i`` as a plan's own summary holds it (with its replications that met it),
    else ``objective`` as given."""
    own = summary.get("objectives") or []
    return own[i] if i < len(own) and own[i].get("metric") == objective.get("metric") \
        else objective


def objective_met(value: float, objective: dict[str, Any]) -> bool | None:
    if math.isnan(value):
        return None
    if objective.get("at_least") is not None:
        return value >= objective["at_least"]
    return value <= objective["at_most"]


def objectives(summary: dict[str, Any]) -> list[Finding]:
    out = []
    for o in summary.get("objectives", []):
        value = objective_value(summary, o)
        met = objective_met(value, o)
        bound = formatting.objective_bound(o)
        what = pick(o.get("description", ""), o.get("description_zh")) or info(o["metric"]).phrase
        stat = o.get("statistic", "mean")
        # The measure by its name in both languages: findings go into formal reports, where a
        # planner reads no code names.
        measure = info(o["metric"]).phrase
        facts = dict(what=what, metric=measure, stat=_(stat), bound=bound)
        shown = formatting.stat(summary["metrics"].get(o["metric"]), o["metric"], stat,
                                unit=True)
        meeting = formatting.meeting(o)
        if meeting:  # (the statistic can pass while many replications miss)
            shown = _("{shown}; {meeting}", shown=shown, meeting=meeting)
        if met:
            out.append(Finding(True, _("Objective met: {what} ({metric} {stat} {shown}, "
                                       "target {bound}).", shown=shown, **facts)))
        elif met is None:
            out.append(Finding(False, _("Objective not assessable: {what} ({metric} {stat} "
                                        "{shown}, target {bound}).", shown=shown, **facts),
                               _("Check the scenario: the measure has no value in this run."),
                               "planning"))
        elif met is False:
            out.append(Finding(False, _("Objective missed: {what} ({metric} {stat} {shown}, "
                                        "target {bound}).", shown=shown, **facts),
                               # In words, never a command line or a metric key: the action
                               # goes into the improvement plan of a formal evaluation report.
                               _("Use the staffing optimiser to find the staffing that meets "
                                 "this objective ({measure}).",
                                 measure=info(o["metric"]).phrase), "planning"))
    return out


def findings(summary: dict[str, Any]) -> list[Finding]:
    """The objectives met or missed, then the kind's own findings (``Kind.findings``)."""
    kind = find_kind(summary["kind"])
    own = kind.findings(summary) if kind is not None and kind.findings is not None else []
    return objectives(summary) + own
