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
    metric_mean,
)
from sim.analysis.observed import Column, ObservedLog, ReviewSpec, per_run
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

def findings(summary: Summary) -> list[Finding]:
    out = []
    over = breakdown_means(summary, "minutes_density_over_limit", "viewing_point")
    bad = {k: v for k, v in over.items() if v > 0}
    for vp, minutes in sorted(bad.items(), key=lambda kv: -kv[1]):
        out.append(Finding(False, _("Viewing point {vp} was over the danger density for "
                                    "{minutes} min.", vp=vp, minutes=f"{minutes:.0f}"),
                           _("Hold visitors at the entrance of {vp} or redirect them.", vp=vp),
                           "organisation"))
    if over and not bad:
        out.append(Finding(True, _("No viewing point went over the danger density.")))
    for cp, wait in breakdown_means(summary, "wait_p95_min", "checkpoint").items():
        if wait > 15:
            out.append(Finding(False, _("Checkpoint {cp}: 95th-percentile wait {wait} min.",
                                        cp=cp, wait=f"{wait:.0f}"),
                               _("Open more lanes or move volunteers to {cp} at peak times.",
                                 cp=cp), "organisation"))
    resp = metric_mean(summary, "incident_response_p95_min")
    if not math.isnan(resp):
        if resp > 10:
            out.append(Finding(False, _("95th-percentile incident response {m} min.",
                                        m=f"{resp:.0f}"),
                               _("Pre-position teams nearer the busiest viewing points."),
                               "organisation"))
        else:
            out.append(Finding(True, _("Incidents reached within {m} min (95th percentile).",
                                       m=f"{resp:.0f}")))
    return out
