"""The ``patrol`` kind: one replication and the Kind object (registered by the package)."""

from __future__ import annotations

from sim.analysis.findings import Finding, metric_mean
from sim.core.kind import Kind, Summary
from sim.core.results import ReplicationResult
from sim.core.rng import replication_key
from tests.kinds.patrol import present
from tests.kinds.patrol.config import PatrolScenario, sense_errors
from tests.kinds.patrol.inputs import PatrolInputs, build, check
from tests.kinds.patrol.metrics import CATALOGUE, TIME_TO, curve, patrol_metrics
from tests.kinds.patrol.model import check_in_times
from tests.kinds.patrol.records import event_records


def simulate(inp: PatrolInputs, replication: int, seed: int, keep_events: bool
             ) -> ReplicationResult:
    times = check_in_times(inp, replication_key(seed, replication))
    horizon = inp.params.horizon_min
    return ReplicationResult(
        replication=replication, seed=seed, metrics=patrol_metrics(times, horizon),
        curve=curve(times, inp.curve_t),
        events=event_records(inp, times, replication) if keep_events else [])


def findings(summary: Summary) -> list[Finding]:
    share = metric_mean(summary, "frac_completed")
    if share < 1:
        return [Finding(False, f"Only {share:.0%} of the patrollers finished the route.",
                        "Shorten the route or start earlier.", "planning")]
    return [Finding(True, "Every patroller finished the route.")]


KIND: Kind[PatrolScenario, PatrolInputs] = Kind(
    name="patrol",
    scenario_model=PatrolScenario,
    required_metrics=("check_ins", "frac_completed"),
    headline_metrics=("patrollers", "check_ins", "frac_completed", "route_done_min"),
    metrics=CATALOGUE,
    time_to=TIME_TO,
    curve_label="share of check-ins done",
    check=check,
    build=build,
    simulate=simulate,
    curve_minutes=lambda inp: inp.curve_t,
    places=present.places,
    sense_errors=sense_errors,
    findings=findings,
    replay=present.REPLAY,
    dashboard=present.DASHBOARD,
)
