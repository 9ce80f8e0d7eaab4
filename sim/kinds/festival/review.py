"""Reviewing a festival day: an observed log has one row per checked visitor group, ``t_min``
(minutes after ``day_start`` when the group joined the queue), ``checkpoint`` (its id) and
``wait_min`` (minutes from joining the queue to the start of the check), optionally ``people``
(the group's size; 1 if not given).

The log is taken to be all the checked groups or a random sample of them over the day. Its
percentiles (per person) are compared, overall and per checkpoint, with those of samples of the
same size drawn from each simulated day; its waits (per group) with the simulated waits of
every checked group by the Kolmogorov–Smirnov distance.
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
)
from sim.analysis.observed import Column, ObservedLog, ReviewSpec, per_run
from sim.core.catalogue import value_label
from sim.core.kind import Summary
from sim.core.rng import replication_key
from sim.kinds.festival.metrics import weighted_quantile
from sim.kinds.festival.model import checked_groups
from sim.present.i18n import _

COLUMNS = [Column("t_min", "time"), Column("checkpoint"), Column("wait_min", "number"),
           Column("people", "count", required=False)]


def _columns(model: Any) -> list[Column]:
    ids = frozenset(model.festival.checkpoints)
    return [Column(c.name, c.kind, c.required, ids if c.name == "checkpoint" else c.allowed)
            for c in COLUMNS]


def _people(log: ObservedLog) -> np.ndarray:
    return np.array([float(r.get("people", 1)) for r in log.rows])


def _metrics(wait: np.ndarray, people: np.ndarray, cp: np.ndarray, cps: list[str]
             ) -> dict[str, float]:
    out = {}

    def waits(mask: np.ndarray, tag: str) -> None:
        w, s = wait[mask], people[mask]
        ok = s.sum() > 0
        out[f"wait_p50_min{tag}"] = weighted_quantile(w, s, 0.5)
        out[f"wait_p95_min{tag}"] = weighted_quantile(w, s, 0.95)
        out[f"wait_mean_min{tag}"] = float(np.average(w, weights=s)) if ok else math.nan
        out[f"share_waited{tag}"] = float(s[w > 0].sum() / s.sum()) if ok else math.nan

    waits(np.ones(wait.size, bool), "")
    for c in cps:
        waits(cp == c, f"[checkpoint={c}]")
    return out


def _observed_metrics(log: ObservedLog, run: Any) -> dict[str, float]:
    cp = log.column("checkpoint")
    return _metrics(log.column("wait_min").astype(float), _people(log), cp,
                    list(dict.fromkeys(cp.tolist())))


def _checked(run: Any) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per replication: (wait, group size, checkpoint id) of every group checked within the
    day. Recomputed from the checkpoint stage alone (a pure function of the plan, seed and
    replication, like the run itself), so that no event records need to be kept; kept on the
    run (``per_run``), not in a process-wide cache."""
    return per_run(run, "festival_checked", _compute_checked)


def _compute_checked(run: Any) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    inp = run.inputs()
    out = []
    for r in run.results:
        g, cr = checked_groups(inp, replication_key(run.seed, r.replication))
        ok = (cr.cp >= 0) & (cr.start <= inp.horizon)
        out.append((cr.start[ok] - cr.arrival[ok], g.size[ok].astype(float),
                    np.array(inp.cp_ids)[cr.cp[ok]]))
    return out


def sampled_log(inp: Any, seed: int, rows: int, inflate: float = 1.0, add: float = 0.0) -> str:
    """A festival log made by the model: ``rows`` groups drawn at random from those checked in
    replication 0 of ``seed`` (waits optionally × ``inflate`` + ``add``, to make a log that
    should be flagged). For synthetic examples and tests."""
    g, cr = checked_groups(inp, replication_key(seed, 0))
    ok = np.flatnonzero((cr.cp >= 0) & (cr.start <= inp.horizon))
    ok = np.sort(np.random.default_rng(seed).choice(ok, rows, replace=False))
    out = ["t_min,checkpoint,wait_min,people"]
    out += [f"{cr.arrival[i]:.2f},{inp.cp_ids[cr.cp[i]]},"
            f"{(cr.start[i] - cr.arrival[i]) * inflate + add:.3f},{g.size[i]}" for i in ok]
    return "\n".join(out) + "\n"


def simulated_waits(run: Any) -> np.ndarray:
    """Waits of every group checked within the day, pooled over the run's replications."""
    parts = [w for w, _, _ in _checked(run)]
    return np.concatenate(parts) if parts else np.zeros(0)


def simulated_metrics(log: ObservedLog, run: Any) -> dict[str, np.ndarray]:
    """Per replication, the log's metrics on a random sample of that day's checked groups with
    as many groups at each checkpoint as the log has (all of them if the log has more): a
    sample's percentiles scatter more than a whole day's, and the band must include that."""
    cp_log = log.column("checkpoint")
    cps = list(dict.fromkeys(cp_log.tolist()))
    sized = any("people" in r for r in log.rows)
    rows: list[dict[str, float]] = []
    for k, (wait, size, cp) in enumerate(_checked(run)):
        rng = np.random.default_rng([run.seed, k, 7919])
        pick = [rng.choice(np.flatnonzero(cp == c), min(int((cp_log == c).sum()),
                                                         int((cp == c).sum())), replace=False)
                for c in cps]
        idx = np.concatenate(pick) if pick else np.zeros(0, int)
        rows.append(_metrics(wait[idx], size[idx] if sized else np.ones(idx.size), cp[idx],
                             cps))
    return {name: np.array([r[name] for r in rows]) for name in (rows[0] if rows else {})}


FESTIVAL_REVIEW = ReviewSpec(
    columns=COLUMNS,
    columns_for=_columns,
    what="one row per checked visitor group: t_min (minutes after day_start), checkpoint, "
         "wait_min[, people]",
    observed_metrics=_observed_metrics,
    observed_sample=lambda log: log.column("wait_min").astype(float),
    simulated_sample=simulated_waits,
    simulated_metrics=simulated_metrics,
    sample_label="checkpoint waits",
    event_word="festival days",
    needs_events=False,
)

# --- findings for the after-action report (``Kind.findings``) ------------------------------

# Stated in the findings' text: a 95th-percentile wait above this many minutes, at a checkpoint
# or at a viewing-point entrance, is an area for improvement (a quarter of an hour standing in a
# crowd is where planners start to see complaints and pushing).
WAIT_LIMIT_MIN = 15


def _days(summary: Summary, metric: str) -> tuple[int, int]:
    """(simulated days on which it happened, days) from a 0/1-per-day ``share_days_…`` metric."""
    m = summary["metrics"].get(metric) or {}
    n = int(m.get("n") or summary.get("replications") or 0)
    share = m.get("mean")
    return (0 if share is None else round(float(share) * n)), n


def findings(summary: Summary) -> list[Finding]:
    out = []
    # Minutes over the limit are never negative, so a mean of 0 means 0 on every simulated day:
    # the strength below is claimed only then, and any day over the limit is a finding.
    over = breakdown_means(summary, "minutes_density_over_limit", "viewing_point")
    bad = {k: v for k, v in over.items() if v > 0}
    places = summary.get("places_zh")
    for vp in sorted(bad, key=lambda k: -bad[k]):
        named = value_label("viewing_point", vp, places)
        out.append(Finding(False, _("Viewing point {vp} was over the danger density for "
                                    "{minutes} min.", vp=named,
                                    minutes=mean_text(summary, "minutes_density_over_limit"
                                                      f"[viewing_point={vp}]")),
                           _("Hold visitors at the entrance of {vp} or redirect them.", vp=named),
                           "organisation"))
    if over and all(v == 0 for v in over.values()) \
            and metric_mean(summary, "minutes_density_over_limit") == 0:
        out.append(Finding(True, _("No viewing point went over the danger density.")))
    away = metric_mean(summary, "visitors_turned_away")
    if away > 0:  # a mean of counts: above 0 when anyone was turned away on any day
        k, n = _days(summary, "share_days_turned_away")
        out.append(Finding(False, _("Visitors were turned away at checkpoints on {k} of {n} "
                                    "simulated days ({share}): {away} on average per day.",
                                    k=k, n=n, share=f"{k / n:.0%}" if n else "?",
                                    away=mean_text(summary, "visitors_turned_away")),
                           _("Open more lanes at the checkpoints whose queue fills up, or send "
                             "visitors on to another checkpoint instead of turning them away."),
                           "organisation"))
    for cp in breakdown_means(summary, "share_days_queue_full", "checkpoint"):
        k, n = _days(summary, f"share_days_queue_full[checkpoint={cp}]")
        named = value_label("checkpoint", cp, places)
        if k:
            longest = metric_mean(summary, f"max_queue[checkpoint={cp}]")
            out.append(Finding(False, _("Checkpoint {cp}: the queue reached its queue limit on "
                                        "{k} of {n} simulated days (longest queue {q} people on "
                                        "average); visitors arriving then were not let in.",
                                        cp=named, k=k, n=n, q=f"{longest:,.0f}"),
                               _("Open more lanes at {cp} before the peak (more staff help only "
                                 "up to its physical lanes), or spread arrivals to other "
                                 "checkpoints.", cp=named), "organisation"))
    for cp, wait in breakdown_means(summary, "wait_p95_min", "checkpoint").items():
        if wait > WAIT_LIMIT_MIN:
            named = value_label("checkpoint", cp, places)
            out.append(Finding(False, _("Checkpoint {cp}: 95th-percentile wait {wait} min.",
                                        cp=named, wait=f"{wait:.0f}"),
                               _("Open more lanes or move volunteers to {cp} at peak times.",
                                 cp=named), "organisation"))
    held = metric_mean(summary, "held_wait_p95_min")
    if held > WAIT_LIMIT_MIN:
        out.append(Finding(False, _("Visitors held at full viewing points: 95th-percentile wait "
                                    "at the entrances {wait} min (more than {limit} min).",
                                    wait=f"{held:.0f}", limit=WAIT_LIMIT_MIN),
                           _("Redirect visitors to viewing points with room before the "
                             "entrances close, and open more viewing space near the busiest "
                             "points."), "organisation"))
    unanswered = metric_mean(summary, "incidents_unanswered")
    if unanswered > 0:
        k, n = _days(summary, "share_days_incident_unanswered")
        out.append(Finding(False, _("Incidents no team reached by the end of the day: "
                                    "{m} on average per day, on {k} of {n} simulated days.",
                                    m=mean_text(summary, "incidents_unanswered"), k=k, n=n),
                           _("Add response teams or keep some in reserve for the hours around "
                             "the tide."), "organisation"))
    resp = metric_mean(summary, "incident_response_p95_min")
    if not math.isnan(resp):
        if resp > 10:
            out.append(Finding(False, _("95th-percentile incident response {m} min.",
                                        m=f"{resp:.0f}"),
                               _("Pre-position teams nearer the busiest viewing points."),
                               "organisation"))
        elif unanswered == 0:  # a strength only when every incident on every day was reached
            out.append(Finding(True, _("Incidents reached within {m} min (95th percentile).",
                                       m=f"{resp:.0f}")))
    return out
