"""The ``evacuation`` scenario kind: one replication, its records, and the Kind object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.core.gc_pause import gc_paused
from sim.core.kind import Kind
from sim.core.results import EventRecord, ReplicationResult
from sim.core.rng import replication_key
from sim.kinds.evacuation.inputs import EvacuationInputs, build, check
from sim.kinds.evacuation.config import EvacuationScenario
from sim.kinds.evacuation.present import occupancy_figure
from sim.kinds.evacuation.metrics import evacuation_metrics
from sim.kinds.evacuation.model import FloodRun
from sim.kinds.evacuation.review import EVACUATION_REVIEW
from sim.kinds.evacuation.storyline import EVACUATION_INJECTS
from sim.present.i18n import N_
from sim.present.plots import breakdown_figure


def simulate(inp: EvacuationInputs, replication: int, seed: int, keep_events: bool
             ) -> ReplicationResult:
    run = FloodRun(inp, replication_key(seed, replication), keep_events)
    run.start()
    with gc_paused():
        run.env.run(until=inp.params.horizon_min)
    metrics, curve, series = evacuation_metrics(inp, run)
    events = []
    if keep_events:
        events.append(EventRecord(replication, inp.params.warning_start_min, "command",
                                  "command", "", "warning_started", ""))
        events.extend(EventRecord(replication, float(t), who, role, grid, what, where)
                      for t, who, role, grid, what, where in run.log)
        events.extend(EventRecord(replication, t, "inject", "", "", what, detail)
                      for t, what, detail in inp.story.records
                      if t <= inp.params.horizon_min)
        events.sort(key=lambda e: e.t_min)
    return ReplicationResult(
        replication=replication,
        seed=seed,
        metrics=metrics,
        curve=curve,
        events=events,
        final_states={h.id: str(s) for h, s in zip(inp.households, run.status, strict=True)}
        if keep_events else {},
        series=series,
    )


def figures(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fig = occupancy_figure(summaries)
    if fig is not None:
        out["shelter_occupancy"] = fig
    for metric, key in (("evacuated_60min", "grid"), ("stranded", "reason")):
        fig = breakdown_figure(summaries, metric, key)
        if fig is not None:
            out[f"{metric}_by_{key}"] = fig
    return out


EVACUATION = Kind(
    name="evacuation",
    scenario_model=EvacuationScenario,
    required_metrics=("evacuated_60min", "frac_evacuated_60min", "ete50_min", "ete90_min",
                      "ete100_min", "stranded"),
    headline_metrics=("at_risk", "evacuated_60min", "frac_evacuated_60min", "ete50_min",
                      "ete90_min", "ete100_min", "stranded", "refused", "exposed",
                      "warned_100_min", "frac_evacuated_by_peak"),
    curve_label=N_("fraction of evacuating residents in a shelter"),
    check=check,
    build=build,
    simulate=simulate,
    curve_minutes=lambda inp: inp.curve_t,
    places=lambda model: {"shelter": [(s.node, s.id) for s in model.evacuation.shelters]},
    figures=figures,
    inject_types=EVACUATION_INJECTS,
    review=EVACUATION_REVIEW,
)
