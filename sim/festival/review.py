"""Reviewing a festival day: an observed log has one row per checked visitor group, ``t_min``
(minutes after ``day_start`` when the group joined the queue), ``checkpoint`` (its id) and
``wait_min`` (minutes from joining the queue to the start of the check), optionally ``people``
(the group's size; 1 if not given).

The log is taken to be all the checked groups or a random sample of them over the day: its
waits are compared with the simulated waits of every checked group (per person for the
percentiles, per group for the Kolmogorov–Smirnov distance), overall and per checkpoint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.festival.metrics import weighted_quantile
from sim.observed import Column, ObservedLog, ReviewSpec
from sim.rng import replication_key

COLUMNS = [Column("t_min", "time"), Column("checkpoint"), Column("wait_min", "number"),
           Column("people", "count", required=False)]


def _columns(model: Any) -> list[Column]:
    ids = frozenset(model.festival.checkpoints)
    return [Column(c.name, c.kind, c.required, ids if c.name == "checkpoint" else c.allowed)
            for c in COLUMNS]


def _people(log: ObservedLog) -> np.ndarray:
    return np.array([float(r.get("people", 1)) for r in log.rows])


def _observed_metrics(log: ObservedLog, run: Any) -> dict[str, float]:
    wait, people, cp = log.column("wait_min").astype(float), _people(log), log.column("checkpoint")
    out = {}

    def waits(mask: np.ndarray, tag: str) -> None:
        w, s = wait[mask], people[mask]
        out[f"wait_p50_min{tag}"] = weighted_quantile(w, s, 0.5)
        out[f"wait_p95_min{tag}"] = weighted_quantile(w, s, 0.95)
        out[f"wait_mean_min{tag}"] = float(np.average(w, weights=s))
        out[f"share_waited{tag}"] = float(s[w > 0].sum() / s.sum())

    waits(np.ones(wait.size, bool), "")
    for c in dict.fromkeys(cp.tolist()):
        waits(cp == c, f"[checkpoint={c}]")
    return out


def simulated_waits(run: Any) -> np.ndarray:
    """Waits of every group checked within the day, pooled over the run's replications. They
    are recomputed from the checkpoint stage alone (a pure function of the plan, seed and
    replication, like the run itself), so no event records need to be kept."""
    from sim.experiments import plan_inputs  # not at import: sim.experiments needs the kinds
    from sim.festival.model import checked_groups

    inp = plan_inputs(run.setup)
    out = []
    for r in run.results:
        _, cr = checked_groups(inp, replication_key(run.seed, r.replication))
        checked = (cr.cp >= 0) & (cr.start <= inp.horizon)
        out.append(cr.start[checked] - cr.arrival[checked])
    return np.concatenate(out) if out else np.zeros(0)


FESTIVAL_REVIEW = ReviewSpec(
    columns=COLUMNS,
    columns_for=_columns,
    what="one row per checked visitor group: t_min (minutes after day_start), checkpoint, "
         "wait_min[, people]",
    observed_metrics=_observed_metrics,
    observed_sample=lambda log: log.column("wait_min").astype(float),
    simulated_sample=simulated_waits,
    sample_label="checkpoint waits",
    needs_events=False,
)
