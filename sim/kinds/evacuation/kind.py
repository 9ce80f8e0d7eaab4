"""The ``evacuation`` kind: one replication (``simulate``) and the Kind object that plugs the
kind into the shared code (registered in ``sim.kinds.BUNDLED``)."""

from __future__ import annotations

import math

from sim.core.forces import roster_size
from sim.core.kind import Kind, WorkModel
from sim.core.results import ReplicationResult
from sim.core.rng import replication_key
from sim.kinds.evacuation import present
from sim.kinds.evacuation.config import EvacuationScenario, sense_errors, sense_warnings
from sim.kinds.evacuation.inputs import (
    PEOPLE_PER_HOUSEHOLD,
    EvacuationInputs,
    build,
    check,
    network_bytes,
)
from sim.kinds.evacuation.metrics import CATALOGUE, TIME_TO, evacuation_metrics, ranges
from sim.kinds.evacuation.model import FloodRun
from sim.kinds.evacuation.records import event_records
from sim.kinds.evacuation.review import EVACUATION_REVIEW, findings
from sim.kinds.evacuation.storyline import EVACUATION_INJECTS
from sim.present.i18n import N_


def simulate(inp: EvacuationInputs, replication: int, seed: int, keep_events: bool
             ) -> ReplicationResult:
    run = FloodRun(inp, replication_key(seed, replication), keep_events)
    run.start()
    run.env.run_until(inp.params.horizon_min)
    metrics, curve, series = evacuation_metrics(inp, run)
    out = ReplicationResult(
        replication=replication,
        seed=seed,
        metrics=metrics,
        curve=curve,
        events=event_records(inp, run, replication) if keep_events else [],
        final_states={h.id: str(s) for h, s in zip(inp.households, run.status, strict=True)}
        if keep_events else {},
        series=series,
    )
    # The run is a web of cycles (its queue holds its own methods and trips, their frames
    # hold it): freed here rather than by a later collection, so that a worker does not hold
    # one replication's leftovers while it runs the next (tens of MB at 300 grids).
    run.env._queue.clear()  # type: ignore[attr-defined]
    run.__dict__.clear()
    return out


def work_units(model: EvacuationScenario) -> tuple[int, int]:
    """(people, units): residents, responders and squads; a unit is a household or a
    responder."""
    responders = roster_size(dict(model.forces), list(model.grids))
    pop = model.evacuation.population
    if pop.households is not None:
        households = len(pop.households)
        residents = sum(h.members for h in pop.households)
    else:
        households = sum(g.households or math.ceil(g.residents / PEOPLE_PER_HOUSEHOLD)
                         for g in model.grids)
        residents = sum(g.residents for g in model.grids)
    squads = sum(r.members for r in model.evacuation.reinforcements)
    return residents + responders + squads, households + responders + squads


KIND: Kind[EvacuationScenario, EvacuationInputs] = Kind(
    name="evacuation",
    scenario_model=EvacuationScenario,
    required_metrics=("evacuated_60min", "frac_evacuated_60min", "ete50_min", "ete90_min",
                      "ete100_min", "stranded"),
    headline_metrics=("at_risk", "evacuated_60min", "frac_evacuated_60min", "ete50_min",
                      "ete90_min", "ete100_min", "stranded", "refused", "exposed",
                      "warned_100_min", "frac_evacuated_by_peak"),
    metrics=CATALOGUE,
    time_to=TIME_TO,
    curve_label=N_("fraction of evacuating residents in a shelter"),
    check=check,
    build=build,
    simulate=simulate,
    curve_minutes=lambda inp: inp.curve_t,
    places=present.places,
    place_names_zh=present.place_names_zh,
    inject_types=EVACUATION_INJECTS,
    sense_errors=sense_errors,
    sense_warnings=sense_warnings,
    # Measured on Duhu (9,122 households generated, 1,618 responders): 0.15 s and 8 MB.
    work=WorkModel(units=work_units, seconds_per_unit=0.15 / (9122 + 1618),
                   bytes_per_unit=8e6 / (9122 + 1618), events_per_unit=5.0,
                   network_bytes=network_bytes),
    figures=present.figures,
    findings=findings,
    replay=present.EVACUATION_REPLAY,
    replay_extras=present.replay_extras,
    review=EVACUATION_REVIEW,
    dashboard=present.DASHBOARD,
    hazard_area=present.flood_prone_area,
    title=N_("evacuation of residents to shelters"),
    metric_ranges=ranges,
)
