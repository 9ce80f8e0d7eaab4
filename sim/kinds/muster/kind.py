"""The ``muster`` kind: one replication (``simulate``) and the Kind object that plugs the kind
into the shared code (registered in ``sim.kinds.BUNDLED``)."""

from __future__ import annotations

import numpy as np

from sim.core.budget import mobilised
from sim.core.kind import Kind, WorkModel
from sim.core.results import ReplicationResult
from sim.core.rng import replication_key
from sim.kinds.muster import present
from sim.kinds.muster.config import MusterScenario, sense_errors, sense_warnings
from sim.kinds.muster.inputs import MusterInputs, build, check, network_bytes, ranges
from sim.kinds.muster.metrics import CATALOGUE, TIME_TO, curve, muster_metrics
from sim.kinds.muster.model import check_in, draw, final_states, timeline
from sim.kinds.muster.records import event_records
from sim.kinds.muster.review import MUSTER_REVIEW, findings
from sim.kinds.muster.storyline import MUSTER_INJECTS
from sim.present.i18n import N_


def simulate(inp: MusterInputs, replication: int, seed: int, keep_events: bool
             ) -> ReplicationResult:
    horizon = inp.params.horizon_min
    d = draw(inp, replication_key(seed, replication))
    tl = timeline(inp, d)
    start, done = check_in(inp, d, tl.ap, tl.arrived, horizon)
    state = final_states(tl, done, horizon)
    with np.errstate(invalid="ignore"):  # inf - inf for people who never reach a desk
        wait = np.where(np.isfinite(start), start - tl.arrived, np.nan)
    return ReplicationResult(
        replication=replication,
        seed=seed,
        metrics=muster_metrics(inp, done, state, wait, tl.ap),
        curve=curve(done, inp.curve_t),
        events=event_records(inp, d, tl, start, done, replication, horizon)
        if keep_events else [],
        final_states={r.id: str(s) for r, s in zip(inp.roster, state, strict=True)}
        if keep_events else {},
    )


KIND: Kind[MusterScenario, MusterInputs] = Kind(
    name="muster",
    scenario_model=MusterScenario,
    required_metrics=("mustered_60min", "frac_mustered_60min", "t50_min", "t90_min"),
    headline_metrics=("mustered_15min", "mustered_30min", "mustered_60min",
                      "frac_mustered_60min", "t50_min", "t90_min"),
    metrics=CATALOGUE,
    time_to=TIME_TO,
    curve_label=N_("fraction of roster mustered"),
    check=check,
    build=build,
    simulate=simulate,
    curve_minutes=lambda inp: inp.curve_t,
    places=present.places,
    place_names_zh=present.place_names_zh,
    inject_types=MUSTER_INJECTS,
    sense_errors=sense_errors,
    sense_warnings=sense_warnings,
    # Measured on Youchegang (1,740 responders): 0.002 s and 3.4 MB per replication.
    work=WorkModel(units=mobilised, seconds_per_unit=0.002 / 1740, bytes_per_unit=3.4e6 / 1740,
                   events_per_unit=6.0, network_bytes=network_bytes),
    figures=present.figures,
    findings=findings,
    clock_start=present.clock_start,
    replay=present.MUSTER_REPLAY,
    review=MUSTER_REVIEW,
    dashboard=present.DASHBOARD,
    title=N_("mustering of response forces at assembly points"),
    metric_ranges=ranges,
)
