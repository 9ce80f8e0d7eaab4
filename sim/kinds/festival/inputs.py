"""What a festival replication is built from: the plan's inputs that do not depend on the seed
(lane schedules from the shift rosters, walking-time tables, teams), and the checks that need
the walkway network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.errors import Problem, join_path, names_apart
from sim.core.injects import road_states
from sim.core.rng import entity_hashes
from sim.kinds.festival import config as cfg
from sim.kinds.festival.checkpoint import LaneSchedule
from sim.kinds.festival.config import FestivalParams, FestivalScenario, shift_lanes
from sim.kinds.festival.storyline import Storyline, check_injects, lane_schedules
from sim.network.graph import RoadNetwork


@dataclass(frozen=True)
class Team:
    id: str
    group: str  # team group name (e.g. "grid")
    base: int  # node index
    members: dict[str, int]


@dataclass(frozen=True)
class FestivalInputs:
    params: FestivalParams
    cp_ids: list[str]
    cp_nodes: list[int]
    cp_check: list[str]
    schedules: list[LaneSchedule]
    cp_limit: list[int | None]
    cp_divert: list[int]  # index of the diversion target, -1: turn away
    cp_order: list[int]  # diversions always go to a later checkpoint in this order
    vp_ids: list[str]
    vp_area: np.ndarray
    vp_capacity: np.ndarray  # people at the trigger density
    vp_controlled: np.ndarray  # enough stewards on post and a rule other than "none"
    vp_exit_rate: np.ndarray  # people per minute through the access path
    view_weights: np.ndarray
    walk_cp_vp: np.ndarray  # (checkpoint, viewing point) minutes
    walk_vp_vp: np.ndarray
    teams: list[Team]
    team_travel: dict[str, np.ndarray]  # team group -> (place, node) minutes
    place_nodes: list[int]  # viewing points, then checkpoints
    incident_hashes: np.ndarray  # (type × place)
    record_t: np.ndarray
    tide: float
    horizon: float
    story: Storyline  # the plan's injects (sim.kinds.festival.storyline)

    @property
    def staffing(self) -> dict[str, dict[str, Any]]:
        """Per staff group: pool, posted and where (for `validate` and summary.json)."""
        return cfg.staffing(self.params)

    @property
    def warnings(self) -> list[str]:
        return cfg.staffing_warnings(self.params)

    @property
    def staffing_lines(self) -> list[str]:
        return cfg.staffing_lines(self.params)

    def measured(self, arrival: np.ndarray) -> np.ndarray:
        """Whose wait counts: people arriving at a checkpoint from the warm-up on, within
        the day (a queue that starts empty under-reads a sustained load)."""
        return (arrival >= self.params.warm_up) & (arrival <= self.horizon)


def check(model: FestivalScenario, network: RoadNetwork) -> list[Problem]:
    p = model.festival
    out = cfg.problems(p)

    def node(path: tuple[object, ...], n: str) -> None:
        if n not in network.index:
            out.append(Problem(join_path("festival", *path), "not a node of the walkway network",
                               n))

    for cid, cp in p.checkpoints.items():
        node(("checkpoints", cid, "node"), cp.node)
    for vid, vp in p.viewing_points.items():
        node(("viewing_points", vid, "node"), vp.node)
    out += names_apart(((c, c, cp.name_zh) for c, cp in p.checkpoints.items()),
                       "festival", "checkpoints")
    out += names_apart(((v, v, vp.name_zh) for v, vp in p.viewing_points.items()),
                       "festival", "viewing_points")
    for tname, team in p.teams.items():
        for j, b in enumerate(team.bases):
            node(("teams", tname, "bases", j), b)
    return out + check_injects(model, network)


def network_bytes(model: FestivalScenario, network: RoadNetwork) -> float:
    """Bytes of the walking-time tables ``build`` makes (``sim.core.budget``), before it
    makes them: per viewing point and node, and per place (viewing points and checkpoints),
    node and team speed, the network keeps the search's minutes (8) and next hops (4); a
    storyline that closes walkways keeps them again for each walkway state after the first."""
    p = model.festival
    places = len(p.viewing_points) + len(p.checkpoints)
    speeds = len({tg.speed_kmh for tg in p.teams.values()})
    per_state = 12 * len(network.nodes) * (len(p.viewing_points) + places * speeds)
    return float(per_state * max(road_states(model.injects), 1))


def build(model: FestivalScenario, network: RoadNetwork) -> FestivalInputs:
    p = model.festival
    cp_ids, vp_ids = list(p.checkpoints), list(p.viewing_points)
    cps, vps = list(p.checkpoints.values()), list(p.viewing_points.values())
    schedules = lane_schedules(model, [
        LaneSchedule.from_shifts([(p.t(s.start), p.t(s.end), shift_lanes(cp, s, p))
                                  for s in cp.roster.values()], cp.lanes)
        for cp in cps
    ])
    vp_nodes = [v.node for v in vps]
    walk_vp = network.travel_minutes(vp_nodes, p.walk_kmh)  # (vp, node)
    idx = network.index
    cc = p.crowd_control
    stewards = np.array([sum(p.scaled(g, n) for g, n in v.stewards.items()) for v in vps])
    teams = []
    for tname, tg in p.teams.items():
        members = {str(g): p.scaled(g, n) for g, n in tg.members.items()}
        teams += [Team(f"{tname}-{k + 1:02d}", tname, idx[tg.bases[k % len(tg.bases)]], members)
                  for k in range(tg.count)]
    place_nodes = vp_nodes + [c.node for c in cps]
    order = cfg.divert_order(p) or cp_ids
    return FestivalInputs(
        params=p,
        cp_ids=cp_ids,
        cp_nodes=[idx[c.node] for c in cps],
        cp_check=[c.check for c in cps],
        schedules=schedules,
        cp_limit=[c.queue_limit for c in cps],
        cp_divert=[cp_ids.index(c.divert_to) if c.over_limit == "divert" and c.divert_to
                   else -1 for c in cps],
        cp_order=[cp_ids.index(c) for c in order],
        vp_ids=vp_ids,
        vp_area=np.array([v.area_m2 for v in vps]),
        vp_capacity=np.array([cc.trigger_ppm2 * v.area_m2 for v in vps]),
        vp_controlled=(stewards >= cc.min_stewards) & (cc.rule != "none"),
        vp_exit_rate=np.array([v.exit_width_m * p.egress_flow_ppmm for v in vps]),
        view_weights=np.array([v.weight for v in vps]),
        walk_cp_vp=walk_vp[:, [idx[c.node] for c in cps]].T,
        walk_vp_vp=walk_vp[:, [idx[n] for n in vp_nodes]],
        teams=teams,
        team_travel={t: network.travel_minutes(place_nodes, tg.speed_kmh)
                     for t, tg in p.teams.items()},
        place_nodes=[idx[n] for n in place_nodes],
        incident_hashes=entity_hashes(f"{i}@{pl}" for i in p.incidents for pl in vp_ids + cp_ids),
        record_t=np.arange(0.0, p.horizon + 1e-9, p.record_every_min),
        tide=p.t(p.tide_time),
        horizon=p.horizon,
        story=Storyline.build(model, network, [c.node for c in cps], vp_nodes, place_nodes),
    )
