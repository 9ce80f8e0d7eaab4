"""The ``festival`` kind: one replication (``simulate``) and the Kind object that plugs the
kind into the shared code (registered in ``sim.kinds.BUNDLED``)."""

from __future__ import annotations

from sim.core.kind import Kind, WorkModel
from sim.core.results import ReplicationResult
from sim.core.rng import replication_key
from sim.kinds.festival import present
from sim.kinds.festival.config import (
    GROUP_NAMES,
    INCIDENT_NAMES,
    TEAM_NAMES,
    FestivalScenario,
    sense_errors,
)
from sim.kinds.festival.counts import resolve_counts
from sim.kinds.festival.demand import expected_visitors, mean_group_size
from sim.kinds.festival.inputs import FestivalInputs, build, check, network_bytes
from sim.kinds.festival.metrics import CATALOGUE, checkpoint_present, collect, ranges
from sim.kinds.festival.model import Day, checked_groups
from sim.kinds.festival.review import FESTIVAL_REVIEW, findings
from sim.kinds.festival.storyline import FESTIVAL_INJECTS
from sim.present.i18n import N_


def simulate(inp: FestivalInputs, replication: int, seed: int, keep_events: bool
             ) -> ReplicationResult:
    key = replication_key(seed, replication)
    groups, cr = checked_groups(inp, key)
    day = Day(inp, groups, cr, key, checkpoint_present(inp, groups, cr))
    day.run(keep_events)
    return collect(inp, groups, cr, day, replication, seed, keep_events)


def work_units(model: FestivalScenario) -> tuple[int, int]:
    """(visitors, groups): a unit is a visitor group."""
    p = model.festival
    visitors = expected_visitors(p)
    sizes = [mean_group_size(m.group_size) for m in p.modes.values()]
    groups = visitors / max(sum(sizes) / len(sizes), 1.0)
    return int(visitors), int(groups)


KIND: Kind[FestivalScenario, FestivalInputs] = Kind(
    name="festival",
    scenario_model=FestivalScenario,
    required_metrics=("wait_p50_min", "wait_p95_min", "max_queue", "max_density_ppm2",
                      "minutes_density_over_limit", "incident_response_p95_min"),
    headline_metrics=("visitors", "wait_p50_min", "wait_p95_min", "max_queue",
                      "max_density_ppm2", "minutes_density_over_limit",
                      "incident_response_p95_min", "visitors_turned_away", "held_wait_p95_min",
                      "egress95_min"),
    metrics=CATALOGUE,
    curve_label=None,
    check=check,
    build=build,
    simulate=simulate,
    curve_minutes=lambda inp: inp.record_t,
    places=present.places,
    place_names_zh=present.place_names_zh,
    inject_types=FESTIVAL_INJECTS,
    sense_errors=sense_errors,
    read_files=resolve_counts,  # `counts_csv:` files → inline `counts`
    # Measured on Yanguan (99,763 visitors in 44,339 groups): 0.25 s and 117 MB.
    work=WorkModel(units=work_units, seconds_per_unit=0.25 / 44339,
                   bytes_per_unit=117e6 / 44339, events_per_unit=8.0,
                   network_bytes=network_bytes),
    figures=present.figures,
    findings=findings,
    forces_table=present.staff_table,
    clock_start=present.clock_start,
    replay=present.FESTIVAL_REPLAY,
    replay_extras=present.replay_extras,
    review=FESTIVAL_REVIEW,
    dashboard=present.DASHBOARD,
    density_limit=present.density_limit,
    metric_ranges=ranges,
    value_names={"group": GROUP_NAMES, "type": INCIDENT_NAMES, "team": TEAM_NAMES},
    title=N_("crowd safety at a festival"),
)
