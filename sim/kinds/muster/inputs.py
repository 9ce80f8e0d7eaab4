"""Muster inputs: what a replication needs that does not depend on the seed (roster, grid
territories, travel-time tables, the storyline), built once per plan, and the checks of a
plan against the road network."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.errors import Problem, join_path, names_apart
from sim.core.forces import ROLES, Responder, build_roster
from sim.core.injects import road_states
from sim.core.rng import entity_hashes
from sim.kinds.muster.config import MODES, MusterParams, MusterScenario
from sim.kinds.muster.storyline import Storyline, check_injects, reinforcements
from sim.network.graph import RoadNetwork, grid_nodes

# Phone-tree calling order: leaders first, so that they can pass the word on.
_TREE_PRIORITY = {r: i for i, r in enumerate(
    ("grid_head", "cadre", "grid_worker_ft", "micro_grid_head", "emergency_squad", "militia",
     "grid_worker_pt", "info_officer", "veteran", "volunteer", "reserve"))}


@dataclass(frozen=True)
class MusterInputs:
    params: MusterParams
    roster: list[Responder]
    hashes: np.ndarray
    node_names: list[str]
    territory: np.ndarray  # node indices of all grids, concatenated
    territory_start: np.ndarray  # per responder: start of their grid's nodes in `territory`
    territory_size: np.ndarray
    ap_ids: list[str]
    desks: list[int]
    fixed_ap: np.ndarray  # per responder: assembly point index, or -1 for the nearest
    travel: np.ndarray  # (mode, assembly point, node) minutes
    nearest_ap: np.ndarray  # per node: the assembly point nearest on foot (first of equals)
    mode_cum: np.ndarray  # (responder, mode) cumulative mode shares
    availability: np.ndarray
    night: bool
    tree_order: np.ndarray  # responder indices in phone-tree order
    tree_position: np.ndarray  # per responder: their position in tree_order
    curve_t: np.ndarray
    fixed_home: np.ndarray  # per responder: node index, or -1 for a random node of their grid
    brought_in_at: np.ndarray  # reinforcements: minute they arrive (alert skipped); else nan
    story: Storyline
    roles: np.ndarray  # per responder, for injects that pick people by role or grid
    grids: np.ndarray


def check(model: MusterScenario, network: RoadNetwork) -> list[Problem]:
    p = model.muster
    problems = []
    ids = [a.id for a in p.assembly_points]
    for i, ap in enumerate(p.assembly_points):
        if ap.node not in network.index:
            problems.append(Problem(join_path("muster", "assembly_points", i, "node"),
                                    "not a node of the road network", ap.node))
        if ap.id in ids[:i]:
            problems.append(Problem(join_path("muster", "assembly_points", i, "id"),
                                    "duplicate assembly point id", ap.id))
    problems += names_apart(((i, ap.id, ap.name_zh) for i, ap in enumerate(p.assembly_points)),
                            "muster", "assembly_points")
    valid = set(ids) | {"nearest"}
    a = p.assignment
    if a.default not in valid:
        problems.append(Problem("muster.assignment.default",
                                f"not an assembly point id or 'nearest' ({', '.join(ids)})",
                                a.default))
    for key, mapping in (("roles", a.roles), ("grids", a.grids)):
        for k, v in mapping.items():
            if v not in valid:
                problems.append(Problem(join_path("muster", "assignment", key, k),
                                        "not an assembly point id or 'nearest'", v))
    grid_ids = set(model.grid_ids())
    for k in a.grids:
        if k not in grid_ids:
            problems.append(Problem(join_path("muster", "assignment", "grids", k),
                                    "no grid with this id", k))
    return problems + check_injects(model, network)


def network_bytes(model: MusterScenario, network: RoadNetwork) -> float:
    """Bytes of the travel tables ``build`` makes (``sim.core.budget``), before it makes them.

    Per mode, assembly point and road node: the network keeps the search's minutes (8) and
    next hops (4) and ``travel`` stacks the minutes again (8). A storyline that closes roads
    keeps each road state's minutes and hops and stacks them (12 + 12); its first state is
    the one already kept."""
    entries = len(MODES) * len(model.muster.assembly_points) * len(network.nodes)
    states = road_states(model.injects)
    return float(entries * (20 + (24 * states - 12 if states else 0)))


def build(model: MusterScenario, network: RoadNetwork) -> MusterInputs:
    p = model.muster
    roster = build_roster({str(k): v for k, v in model.forces.items()}, list(model.grids))
    extra = reinforcements(model)
    roster += [r for r, _ in extra]
    centres = grid_nodes(list(model.grids), network)
    owner = network.nearest_of(centres)
    # A grid's territory: the nodes closer (by road) to its centre than to any other centre.
    per_grid = [np.flatnonzero(owner == g) for g in range(len(centres))]
    for g, c in enumerate(centres):
        if per_grid[g].size == 0:  # two grids on one node: share it
            per_grid[g] = np.array([network.index[c]])
    starts = np.cumsum([0] + [len(t) for t in per_grid])[:-1]
    gi = np.array([max(r.grid_index, 0) for r in roster], dtype=int)
    ap_ids = [a.id for a in p.assembly_points]
    ap_nodes = [a.node for a in p.assembly_points]
    travel = np.stack([network.travel_minutes(ap_nodes, p.speeds_kmh.get(m, 1e-9)) for m in MODES])

    sent_to = {r.id: inj.to for r, inj in extra if inj.to}

    def fixed(r: Responder) -> int:
        target = sent_to.get(r.id) or p.assignment.grids.get(r.grid) \
            or p.assignment.roles.get(r.role)  # type: ignore[call-overload]
        target = target or p.assignment.default
        return -1 if target == "nearest" else ap_ids.index(target)

    n_own = len(roster) - len(extra)
    fixed_home = np.full(len(roster), -1, dtype=int)
    brought_in = np.full(len(roster), np.nan)
    for k, (_, inj) in enumerate(extra):
        fixed_home[n_own + k] = network.index[inj.node]
        brought_in[n_own + k] = inj.t_min

    night = p.is_night()
    behaviour = {role: p.behaviour(role) for role in ROLES}
    mode_cum = np.array(
        [np.cumsum([behaviour[r.role].modes.get(m, 0.0) for m in MODES]) for r in roster]
    ).reshape(len(roster), len(MODES))
    mode_cum = mode_cum / np.maximum(mode_cum[:, -1:], 1e-300)
    avail = np.array([
        behaviour[r.role].availability_night if night else behaviour[r.role].availability_day
        for r in roster
    ])
    order = sorted(range(len(roster)),
                   key=lambda i: (_TREE_PRIORITY.get(roster[i].role, 99), roster[i].grid_index, i))
    return MusterInputs(
        params=p,
        roster=roster,
        hashes=entity_hashes(r.id for r in roster),
        node_names=network.nodes,
        territory=np.concatenate(per_grid) if per_grid else np.zeros(0, int),
        territory_start=starts[gi] if len(roster) else np.zeros(0, int),
        territory_size=np.array([len(t) for t in per_grid])[gi] if len(roster) else np.zeros(0, int),
        ap_ids=ap_ids,
        desks=[a.desks for a in p.assembly_points],
        fixed_ap=np.array([fixed(r) for r in roster], dtype=int),
        travel=travel,
        # Per node, once: a replication looks it up for each person sent to the nearest
        # (an argmin over every assembly point per person grew with the town squared).
        nearest_ap=np.argmin(travel[0], axis=0),
        mode_cum=mode_cum,
        availability=avail,
        night=night,
        tree_order=np.array(order, dtype=int),
        tree_position=np.argsort(np.array(order, dtype=int)) if order else np.zeros(0, int),
        curve_t=np.arange(0.0, math.floor(p.horizon_min) + 1.0),
        fixed_home=fixed_home,
        brought_in_at=brought_in,
        story=Storyline.build(model, network, ap_ids),
        roles=np.array([r.role for r in roster]),
        grids=np.array([r.grid for r in roster]),
    )


def ranges(inp: MusterInputs) -> dict[str, tuple[float, float]]:
    """Counts of people cannot exceed the roster (reinforcements included), nor a role's count
    its members: a mean near the whole roster has its interval cut there."""
    whole = (0.0, float(len(inp.roster)))
    out = {m: whole for m in ("mustered_15min", "mustered_30min", "mustered_60min",
                              "unavailable", "not_reached", "en_route_at_end", "mustered_at_end")}
    for role in ROLES:
        members = int((inp.roles == role).sum())
        if members:
            out[f"mustered_60min[role={role}]"] = (0.0, float(members))
    for ap in inp.ap_ids:
        out[f"mustered_60min[ap={ap}]"] = whole
    return out
