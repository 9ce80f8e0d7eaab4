"""Festival metrics, time series and event records of one replication.

Waits and responses are per person (a group of four waiting 10 minutes is four people waiting
10 minutes). Someone still waiting at the end of the day counts with the wait so far (a lower
bound), so that a plan whose queue never clears does not look better than it is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.core.catalogue import MetricInfo
from sim.core.results import ReplicationResult
from sim.kinds.festival.checkpoint import INF, max_waiting, step_count
from sim.kinds.festival.config import STAFF_GROUPS
from sim.kinds.festival.demand import Groups
from sim.kinds.festival.records import event_records
from sim.present.i18n import N_

if TYPE_CHECKING:
    from sim.kinds.festival.inputs import FestivalInputs
    from sim.kinds.festival.model import CheckpointResult, Day
    from sim.kinds.festival.viewing import Visits

PLACES = ("diverting", "queue", "check", "walking", "held", "viewing_point", "left",
          "turned_away")
# Fruin (1971) level of service of queueing/standing areas: lower bounds of m² per person.
LOS_M2_PER_PERSON = {"A": 1.21, "B": 0.93, "C": 0.65, "D": 0.28, "E": 0.19}


def los_grade(density: np.ndarray) -> np.ndarray:
    """Fruin standing level of service as 1 (A) … 6 (F) for densities in people/m²."""
    area = np.divide(1.0, density, out=np.full(np.shape(density), np.inf), where=density > 0)
    grade = np.full(np.shape(density), 6)
    for k, lower in enumerate(LOS_M2_PER_PERSON.values()):
        grade = np.where((grade == 6) & (area > lower), k + 1, grade)
    return grade


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value with at least ``q`` of the weight at or below it (NaN if none)."""
    if values.size == 0 or weights.sum() <= 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order], dtype=float)
    return float(values[order][np.searchsorted(cum, q * cum[-1] - 1e-9)])


def checkpoint_present(inp: FestivalInputs, g: Groups, cr: CheckpointResult) -> np.ndarray:
    """People queueing or being checked at each checkpoint at each whole minute (for incidents)."""
    minutes = np.arange(int(np.ceil(inp.horizon)) + 1, dtype=float)
    out = np.zeros((len(inp.cp_ids), minutes.size))
    for c in range(len(inp.cp_ids)):
        m = (cr.cp == c) & ~cr.turned_away
        w = g.size[m].astype(float)
        out[c] = step_count(cr.arrival[m], w, minutes) - step_count(cr.end[m], w, minutes)
    return out


def place_intervals(g: Groups, cr: CheckpointResult, vs: Visits
                    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per place, the [from, until) times of each group there (inf: never / still there)."""
    away = cr.turned_away
    queue_from = np.where(away, INF, cr.arrival)
    return {
        "diverting": (g.arrival, cr.arrival),
        "queue": (queue_from, np.where(away, INF, cr.start)),
        "check": (cr.start, cr.end),
        "walking": (cr.end, vs.t_vp_last),
        "held": (vs.t_vp_last, vs.t_enter),
        "viewing_point": (vs.t_enter, vs.t_exit),
        "left": (vs.t_exit, np.full(len(g), INF)),
        "turned_away": (np.where(away, cr.arrival, INF), np.full(len(g), INF)),
    }


def place_counts(g: Groups, cr: CheckpointResult, vs: Visits, t: np.ndarray
                 ) -> dict[str, np.ndarray]:
    w = g.size.astype(float)
    return {place: step_count(a, w, t) - step_count(b, w, t)
            for place, (a, b) in place_intervals(g, cr, vs).items()}


def occupancy_steps(vs: Visits, v: int) -> tuple[np.ndarray, np.ndarray]:
    """Times of changes at viewing point ``v`` (starting at 0) and the occupancy from each."""
    rows = vs.occupancy[vs.occupancy[:, 1] == v]
    return np.concatenate([[0.0], rows[:, 0]]), np.concatenate([[0.0], rows[:, 2]])


def _over(times: np.ndarray, flag: np.ndarray, horizon: float) -> float:
    ends = np.append(times[1:], horizon)
    return float(np.sum(np.clip(ends - times, 0, None)[flag]))


def collect(inp: FestivalInputs, g: Groups, cr: CheckpointResult, day: Day, replication: int,
            seed: int, keep_events: bool) -> ReplicationResult:
    p, h = inp.params, inp.horizon
    vs = day.visits
    assert vs is not None, "collect() needs a finished Day"
    size = g.size.astype(float)
    served = ~cr.turned_away
    wait = np.minimum(cr.start, h) - cr.arrival
    m: dict[str, float] = {"visitors": float(size.sum()), "groups": float(len(g))}
    series: dict[str, np.ndarray] = {}

    def waits(mask: np.ndarray, tag: str) -> None:
        w, s = wait[mask], size[mask]
        m[f"wait_p50_min{tag}"] = weighted_quantile(w, s, 0.5)
        m[f"wait_p95_min{tag}"] = weighted_quantile(w, s, 0.95)
        m[f"wait_mean_min{tag}"] = float(np.average(w, weights=s)) if s.sum() else math.nan
        m[f"share_waited{tag}"] = float(s[w > 0].sum() / s.sum()) if s.sum() else math.nan

    waits(served & inp.measured(cr.arrival), "")
    m["visitors_turned_away"] = float(size[cr.turned_away].sum())
    # 1 on a day when it happened, 0 otherwise: their mean over the replications is the share
    # of simulated days it happened on, which the findings report (a mean count cannot say
    # whether it happened on one day or on every day).
    m["share_days_turned_away"] = float(m["visitors_turned_away"] > 0)
    m["diverted"] = float(size[cr.diverted].sum())
    queues = []
    for c, cid in enumerate(inp.cp_ids):
        at = (cr.cp == c) & served
        tag = f"[checkpoint={cid}]"
        waits(at & inp.measured(cr.arrival), tag)
        queues.append(max_waiting(cr.arrival[at], cr.start[at], size[at]))
        m[f"max_queue{tag}"] = queues[-1]
        if inp.cp_limit[c] is not None:  # full: it refused someone (turned away or sent on)
            m[f"share_days_queue_full{tag}"] = float(cr.refused[c] > 0)
        m[f"visitors{tag}"] = float(size[at].sum())
        busy = np.clip(np.minimum(cr.end[at], h) - np.minimum(cr.start[at], h), 0, None).sum()
        open_min = inp.schedules[c].open_minutes(h)
        m[f"utilisation{tag}"] = float(busy / open_min) if open_min else math.nan
        w = size[at]
        series[f"queue{tag}"] = (step_count(cr.arrival[at], w, inp.record_t)
                                 - step_count(cr.start[at], w, inp.record_t))
    m["max_queue"] = max(queues) if queues else 0.0

    # Viewing points: density, level of service, time over the danger limit.
    danger, over_any = p.danger_ppm2, []
    max_d = 0.0
    for v, vid in enumerate(inp.vp_ids):
        times, occ = occupancy_steps(vs, v)
        dens = occ / inp.vp_area[v]
        tag = f"[viewing_point={vid}]"
        m[f"max_density_ppm2{tag}"] = float(dens.max())
        max_d = max(max_d, float(dens.max()))
        m[f"minutes_density_over_limit{tag}"] = _over(times, dens > danger, h)
        m[f"worst_los{tag}"] = float(los_grade(dens).max())
        over_any.append((times, dens > danger))
        at_t = dens[np.searchsorted(times, inp.record_t, side="right") - 1]
        series[f"density{tag}"] = at_t
        series[f"los{tag}"] = los_grade(at_t).astype(float)
    m["max_density_ppm2"] = max_d
    all_t = np.unique(np.concatenate([t for t, _ in over_any]))
    any_over = np.zeros(all_t.size, bool)
    for times, flag in over_any:
        any_over |= flag[np.searchsorted(times, all_t, side="right") - 1]
    m["minutes_density_over_limit"] = _over(all_t, any_over, h)
    m["worst_los"] = max((m[f"worst_los[viewing_point={v}]"] for v in inp.vp_ids), default=1.0)

    held = np.isfinite(vs.t_vp_last) & (vs.t_enter > vs.t_vp_last)
    hw = np.minimum(vs.t_enter, h) - vs.t_vp_last
    m["held"] = float(size[held].sum())
    m["held_wait_p95_min"] = weighted_quantile(hw[held], size[held], 0.95) if held.any() else 0.0
    m["redirected"] = float(size[vs.redirects > 0].sum())
    # Minutes after the tide until 95 % of the people at the viewing points then have left.
    there = (vs.t_enter <= inp.tide) & (vs.t_exit > inp.tide)
    out = weighted_quantile(vs.t_exit[there], size[there], 0.95) if there.any() else inp.tide
    m["egress95_min"] = float(out - inp.tide) if math.isfinite(out) and out <= h else math.nan

    _incident_metrics(inp, day, m)
    _utilisation(inp, cr, day, m)
    series["density_limit_ppm2"] = np.full(inp.record_t.size, p.danger_ppm2)
    for place, counts in place_counts(g, cr, vs, inp.record_t).items():
        series[f"visitors[place={place}]"] = counts
    events = event_records(inp, g, cr, day, replication) if keep_events else []
    return ReplicationResult(replication=replication, seed=seed, metrics=m, events=events,
                             series=series)


def ranges(inp: FestivalInputs) -> dict[str, tuple[float, float]]:
    """A checkpoint with a queue limit never holds more people waiting than it (a group that
    would take the queue past it is turned away or sent on), nor does the longest of them."""
    limits = dict(zip(inp.cp_ids, inp.cp_limit, strict=True))
    out: dict[str, tuple[float, float]] = {
        f"max_queue[checkpoint={cid}]": (0.0, float(limit))
        for cid, limit in limits.items() if limit is not None}
    if limits and None not in limits.values():
        out["max_queue"] = (0.0, float(max(v for v in limits.values() if v is not None)))
    return out


def _incident_metrics(inp: FestivalInputs, day: Day, m: dict[str, float]) -> None:
    h = inp.horizon
    inc = day.incidents
    resp = np.array([r if np.isfinite(r) else h - t0 for _, _, t0, r, _ in inc])
    m["incidents"] = float(len(inc))
    m["incidents_unanswered"] = float(sum(1 for x in inc if not np.isfinite(x[3])))
    m["share_days_incident_unanswered"] = float(m["incidents_unanswered"] > 0)
    m["incident_response_p95_min"] = float(np.percentile(resp, 95)) if len(inc) else math.nan
    for name in inp.params.incidents:
        r = np.array([x for (n, *_), x in zip(inc, resp, strict=True) if n == name])
        m[f"incidents[type={name}]"] = float(r.size)
        m[f"incident_response_p95_min[type={name}]"] = float(np.percentile(r, 95)) if r.size \
            else math.nan


def _utilisation(inp: FestivalInputs, cr: CheckpointResult, day: Day,
                 m: dict[str, float]) -> None:
    """Busy share of on-duty staff-minutes, by staff group (checkpoint lanes and teams)."""
    p, h = inp.params, inp.horizon
    busy = dict.fromkeys(STAFF_GROUPS, 0.0)
    duty = dict.fromkeys(STAFF_GROUPS, 0.0)
    for c, cp in enumerate(p.checkpoints.values()):
        shares = dict.fromkeys(STAFF_GROUPS, 0.0)
        for s in cp.roster.values():
            span = max(min(p.t(s.end), h) - max(p.t(s.start), 0.0), 0.0)
            for sg, n in s.staff.items():
                shares[sg] += p.scaled(sg, n) * span
        total = sum(shares.values())
        at = cr.cp == c
        lane_busy = np.clip(np.minimum(cr.end[at], h) - np.minimum(cr.start[at], h), 0, None).sum()
        for grp in STAFF_GROUPS:
            duty[grp] += shares[grp]
            if total:
                busy[grp] += lane_busy * cp.staff_per_lane * shares[grp] / total
    for k, team in enumerate(inp.teams):
        for tg, n in team.members.items():
            duty[tg] += n * h
            busy[tg] += n * day.team_busy[k]
    for grp in STAFF_GROUPS:
        if duty[grp] > 0:
            m[f"utilisation[group={grp}]"] = float(min(busy[grp] / duty[grp], 1.0))
    for name in p.teams:
        ks = [k for k, t in enumerate(inp.teams) if t.group == name]
        if ks:
            m[f"utilisation[team={name}]"] = float(day.team_busy[ks].sum() / (len(ks) * h))


# What each metric means (``sim.core.catalogue``): plain-language phrase, unit, direction.
CATALOGUE: dict[str, MetricInfo] = {
    # Demand, not performance: the plan does not choose how many come (``neutral``).
    "visitors": MetricInfo(N_("visitors"), "people", True, neutral=True),
    "groups": MetricInfo(N_("visitor groups"), "groups", True, neutral=True),
    "wait_p50_min": MetricInfo(N_("median checkpoint wait"), "min", False),
    "wait_p95_min": MetricInfo(N_("95th-percentile checkpoint wait"), "min", False),
    "wait_mean_min": MetricInfo(N_("mean checkpoint wait"), "min", False),
    "share_waited": MetricInfo(N_("share of visitors who had to wait at a checkpoint"), "", False),
    "max_queue": MetricInfo(N_("longest checkpoint queue"), "people", False),
    # Its own name and phrase: the evacuation kind's ``turned_away`` (full shelters) is
    # another thing, and the catalogue is one map of names over all kinds.
    "visitors_turned_away": MetricInfo(N_("visitors turned away at checkpoints"), "people",
                                       False),
    "share_days_turned_away": MetricInfo(N_("share of simulated days with visitors turned "
                                            "away"), "", False),
    "share_days_queue_full": MetricInfo(N_("share of simulated days the checkpoint queue was "
                                           "full (at its queue limit)"), "", False),
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
    "share_days_incident_unanswered": MetricInfo(N_("share of simulated days with an incident "
                                                    "no team reached"), "", False),
    "incident_response_p95_min": MetricInfo(N_("95th-percentile incident response time"), "min",
                                            False),
    "utilisation": MetricInfo(N_("staff utilisation"), "", False),
}
