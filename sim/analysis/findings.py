"""Strengths and areas for improvement, derived from a plan's results (for the after-action
report). Each finding carries the figure behind it; the rules are simple and stated."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.core.catalogue import info, role_label
from sim.core.results import breakdowns_in
from sim.present import formatting
from sim.present.i18n import N_, _, is_zh


@dataclass(frozen=True)
class Finding:
    strength: bool
    text: str
    action: str = ""  # the corrective action, for the improvement plan
    capability: str = ""  # HSEEP capability element: one of CAPABILITIES


# Shown through the catalogue in the report's improvement plan.
CAPABILITIES = (N_("planning"), N_("organisation"), N_("equipment"), N_("training"),
                N_("exercises"))


def _mean(summary: dict[str, Any], metric: str) -> float:
    m = summary["metrics"].get(metric) or {}
    v = m.get("mean")
    return math.nan if v is None else float(v)


def _breakdown(summary: dict[str, Any], metric: str, key: str) -> dict[str, float]:
    return {b.value: _mean(summary, b.name) for b in breakdowns_in(summary["metrics"], metric, key)}


def _reached_mean(summary: dict[str, Any], metric: str) -> float:
    """The mean of a time-to-X metric only when every replication reached X."""
    m = summary["metrics"].get(metric) or {}
    if m.get("n_reached", m.get("n")) != m.get("n"):
        return math.nan
    return _mean(summary, metric)


def _nothing_happened(summary: dict[str, Any]) -> str | None:
    """Why an evacuation's outcome is empty (nobody at risk, everyone refused), if it is."""
    at_risk, refused = _mean(summary, "at_risk"), _mean(summary, "refused")
    if at_risk == 0:
        return "nobody was at risk of flooding"
    if at_risk > 0 and refused == at_risk:
        return "everyone at risk refused to leave"
    return None


def _not_always_reached(summary: dict[str, Any], metric: str, what: str, action: str
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
        bound = f"≥ {o['at_least']:g}" if o.get("at_least") is not None else f"≤ {o['at_most']:g}"
        what = o.get("description") or info(o["metric"]).phrase
        stat = o.get("statistic", "mean")
        facts = dict(what=what, metric=o["metric"], stat=_(stat), bound=bound)
        shown = formatting.stat(summary["metrics"].get(o["metric"]), o["metric"], stat,
                                unit=True)
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
                               _("Find the staffing that meets it: gridmuster optimise … "
                                 "--metric {metric}", metric=o["metric"]), "planning"))
    return out


def muster(summary: dict[str, Any]) -> list[Finding]:
    out = []
    roster = _mean(summary, "roster")
    frac = _mean(summary, "frac_mustered_60min")
    if frac >= 0.9:
        out.append(Finding(True, _("{share} of the roster mustered within the hour ({n} "
                                   "people).", share=f"{frac:.0%}",
                                   n=f"{_mean(summary, 'mustered_60min'):,.0f}")))
    t50 = _reached_mean(summary, "t50_min")
    if t50 <= 30:
        out.append(Finding(True, _("Half the roster was at the assembly points in {t} min.",
                                   t=f"{t50:.0f}")))
    for ap, wait in sorted(_breakdown(summary, "checkin_wait_max_min", "ap").items(),
                           key=lambda kv: -kv[1]):
        if wait > 5:
            out.append(Finding(False, _("Assembly point {ap} check-in queue peaks at {t} min.",
                                        ap=ap, t=f"{wait:.0f}"),
                               _("Add a second check-in desk at {ap} (or pre-registration).",
                                 ap=ap), "equipment"))
    out += _not_always_reached(summary, "t90_min", N_("90 % of the roster checked in"),
                               N_("Shorten the alert chain or add assembly points nearer "
                                  "homes."))
    nr = _mean(summary, "not_reached")
    if roster and nr / roster > 0.03:
        out.append(Finding(False, _("The alert never reached {n} people ({share} of the "
                                    "roster).", n=f"{nr:,.0f}", share=f"{nr / roster:.0%}"),
                           _("Add a second alert channel or a phone-tree fallback; check app "
                             "installation during the next training."), "planning"))
    un = _mean(summary, "unavailable")
    if roster and un / roster > 0.1:
        out.append(Finding(False, _("{n} people ({share}) were unavailable.", n=f"{un:,.0f}",
                                    share=f"{un / roster:.0%}"),
                           _("Keep a reserve list (30:1 rule) to call when members are away."),
                           "organisation"))
    mustered = _breakdown(summary, "mustered_60min", "role")
    sizes = _breakdown(summary, "roster", "role")
    shares = {r: mustered[r] / sizes[r] for r in mustered if sizes.get(r)}
    if len(shares) > 1:
        worst = min(shares, key=lambda r: shares[r])
        if shares[worst] < 0.9:
            out.append(Finding(False, _("Lowest share mustered by 60 min among roles: {role} "
                                        "({share} of {n}).", role=role_label(worst),
                                        share=f"{shares[worst]:.0%}",
                                        n=f"{sizes[worst]:,.0f}"),
                               _("Review how {role}s are alerted and how they travel.",
                                 role=worst) if not is_zh() else
                               _("Review how {role} are alerted and how they travel.",
                                 role=role_label(worst)),
                               "training"))
    return out


def evacuation(summary: dict[str, Any]) -> list[Finding]:
    out = []
    empty = _nothing_happened(summary)
    if empty == "nobody was at risk of flooding":
        return [Finding(False, "Nobody was at risk of flooding in this run, so the evacuation "
                               "was not exercised: times and shares are not applicable.",
                        "Check the storm and the ground levels, or exercise a heavier storm.",
                        "planning")]
    if empty is not None:
        out.append(Finding(False, f"Everyone at risk ({_mean(summary, 'at_risk'):,.0f} people) "
                                  "refused to leave: nobody evacuated, so evacuation times and "
                                  "shares are not applicable.",
                           "Plan for persuasion and compulsory evacuation of those who refuse.",
                           "planning"))
    frac = _mean(summary, "frac_evacuated_60min")
    if frac >= 0.9:
        out.append(Finding(True, _("{share} of the evacuating residents were in a shelter "
                                   "within the hour.", share=f"{frac:.0%}")))
    out += _not_always_reached(summary, "ete90_min",
                               N_("90 % of the evacuating residents were in a shelter"),
                               N_("Start warning earlier or add warners and escort teams."))
    stranded = _mean(summary, "stranded")
    if stranded >= 1:
        reasons = _breakdown(summary, "stranded", "reason")
        main = max(reasons, key=lambda r: reasons[r]) if reasons else "unknown"
        out.append(Finding(False, f"{stranded:,.0f} people were still in the flood-prone area at "
                                  f"the end (mostly: {main.replace('_', ' ')}).",
                           "Start warning earlier or add escort teams where they are stranded.",
                           "planning"))
    elif empty is None:
        out.append(Finding(True, _("Nobody was stranded in the flood-prone area.")))
    away = _mean(summary, "turned_away")
    if away >= 1:
        out.append(Finding(False, _("{n} people were turned away by a full shelter.",
                                    n=f"{away:,.0f}"),
                           _("Open a second shelter or raise capacity."), "equipment"))
    exposed = _mean(summary, "exposed")
    if exposed >= 1:
        out.append(Finding(False, _("{n} people were exposed to deep water.",
                                    n=f"{exposed:,.0f}"),
                           _("Move the vulnerable before the low roads flood."), "planning"))
    return out


def festival(summary: dict[str, Any]) -> list[Finding]:
    out = []
    over = _breakdown(summary, "minutes_density_over_limit", "viewing_point")
    bad = {k: v for k, v in over.items() if v > 0}
    for vp, minutes in sorted(bad.items(), key=lambda kv: -kv[1]):
        out.append(Finding(False, f"Viewing point {vp} was over the danger density for "
                                  f"{minutes:.0f} min.",
                           f"Hold visitors at the entrance of {vp} or redirect them.",
                           "organisation"))
    if over and not bad:
        out.append(Finding(True, "No viewing point went over the danger density."))
    for cp, wait in _breakdown(summary, "wait_p95_min", "checkpoint").items():
        if wait > 15:
            out.append(Finding(False, f"Checkpoint {cp}: 95th-percentile wait {wait:.0f} min.",
                               f"Open more lanes or move volunteers to {cp} at peak times.",
                               "organisation"))
    resp = _mean(summary, "incident_response_p95_min")
    if not math.isnan(resp):
        if resp > 10:
            out.append(Finding(False, f"95th-percentile incident response {resp:.0f} min.",
                               "Pre-position teams nearer the busiest viewing points.",
                               "organisation"))
        else:
            out.append(Finding(True, f"Incidents reached within {resp:.0f} min "
                                     "(95th percentile)."))
    return out


KIND_FINDINGS: dict[str, Callable[[dict[str, Any]], list[Finding]]] = {
    "muster": muster, "evacuation": evacuation, "festival": festival,
}


def findings(summary: dict[str, Any]) -> list[Finding]:
    return objectives(summary) + KIND_FINDINGS.get(summary["kind"], lambda s: [])(summary)
