"""Checks against the road network, and everything a replication needs that does not depend on
the seed: households at risk, warners, escort squads, shelters, flood timeline, routes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.distributions import Fixed
from sim.core.errors import Problem, join_path, names_apart
from sim.core.forces import Responder, build_roster
from sim.core.injects import ReinforcementArrives
from sim.core.rng import entity_hashes, uniforms
from sim.kinds.evacuation.config import EvacuationParams, EvacuationScenario, RoleDuty
from sim.kinds.evacuation.hazard import FloodTimeline, flood_timeline
from sim.kinds.evacuation.routes import FULL_TABLE_ENTRIES, NO_HOP_16, Routes
from sim.kinds.evacuation.storyline import (
    Storyline,
    check_injects,
    closures,
    extra_rain,
    shelter_closed_from,
)
from sim.network.graph import RoadNetwork, grid_nodes
from sim.present.i18n import _

PEOPLE_PER_HOUSEHOLD = 2.8  # ASSUMED when a grid gives residents but no households


@dataclass(frozen=True)
class Household:
    id: str
    node: int
    members: int
    grid: str
    grid_index: int
    needs_escort: bool | None  # None: drawn per replication with needs_escort_share


@dataclass(frozen=True)
class Squad:
    """An escort team: local members of one role and grid, or a reinforcement from outside."""

    id: str
    role: str
    grid: str
    size: int
    duty: RoleDuty
    base: int  # node index
    arrive_min: float | None  # reinforcements: arrival time (always available)


@dataclass(frozen=True)
class EvacuationInputs:
    params: EvacuationParams
    node_names: list[str]
    xy: np.ndarray
    timeline: FloodTimeline
    routes: Routes
    households: list[Household]
    hh_node: np.ndarray
    hh_members: np.ndarray
    hh_hashes: np.ndarray
    hh_first_exposed: np.ndarray  # minute the water at home first exceeds the exposure depth
    grid_ids: list[str]
    grid_centre: list[int]
    grid_order: list[np.ndarray]  # household indices of each grid in warning order
    warners: list[Responder]
    warner_hashes: np.ndarray
    warner_start: np.ndarray  # node where each warner starts (their grid centre)
    warner_arrive: np.ndarray  # reinforcements by inject: minute on duty (nan: turnout)
    squads: list[Squad]
    squad_hashes: np.ndarray
    shelter_ids: list[str]
    shelter_nodes: np.ndarray
    shelter_capacity: np.ndarray
    curve_t: np.ndarray
    story: Storyline

    @property
    def warnings(self) -> list[str]:
        """Plain-words warnings for `validate` and `run` (the numbers stay usable)."""
        w = self.timeline.peak.warning()
        return [w] if w else []

    @property
    def roster(self) -> list[Responder]:  # one entry per warner and per escort team
        return self.warners + [Responder(s.id, s.role, s.grid, -1) for s in self.squads]

    @property
    def responder_sizes(self) -> np.ndarray:
        """People in each roster entry: 1 per warner, the team size per escort team."""
        return np.array([1] * len(self.warners) + [s.size for s in self.squads], dtype=float)

    @property
    def responder_people(self) -> int:  # the CLI's `validate` prints it
        return len(self.warners) + sum(s.size for s in self.squads)

    @property
    def responder_teams(self) -> int:
        return len(self.squads)


def check(model: EvacuationScenario, network: RoadNetwork) -> list[Problem]:
    p = model.evacuation
    problems: list[Problem] = []

    def node_ok(node: str, *path: object) -> None:
        if node not in network.index:
            problems.append(Problem(join_path("evacuation", *path), "not a node of the road "
                                    "network", node))

    problems += _elevation_problems(p, network)
    ids = [s.id for s in p.shelters]
    for i, s in enumerate(p.shelters):
        node_ok(s.node, "shelters", i, "node")
        if s.id in ids[:i]:
            problems.append(Problem(join_path("evacuation", "shelters", i, "id"),
                                    "duplicate shelter id", s.id))
    problems += names_apart(((i, s.id, s.name_zh) for i, s in enumerate(p.shelters)),
                            "evacuation", "shelters")
    grid_ids = set(model.grid_ids())
    hh_ids: set[str] = set()
    for i, h in enumerate(p.population.households or []):
        node_ok(h.node, "population", "households", i, "node")
        if h.grid is not None and h.grid not in grid_ids:
            problems.append(Problem(join_path("evacuation", "population", "households", i,
                                              "grid"), "no grid with this id", h.grid))
        if h.id in hh_ids:
            problems.append(Problem(join_path("evacuation", "population", "households", i,
                                              "id"), "duplicate household id", h.id))
        hh_ids.add(h.id)
    for role, node in p.squad_bases.items():
        node_ok(node, "squad_bases", role)
    for i, r in enumerate(p.reinforcements):
        node_ok(r.node, "reinforcements", i, "node")
    for i, c in enumerate(p.hazard.closures):
        a, b = c.road
        if a in network.index and b in network.index and not network.graph.has_edge(a, b):
            problems.append(Problem(join_path("evacuation", "hazard", "closures", i, "road"),
                                    "no road between these nodes", [a, b]))
        for j, n in enumerate(c.road):
            node_ok(n, "hazard", "closures", i, "road", j)
        if c.until_min is not None and c.until_min <= c.from_min:
            problems.append(Problem(join_path("evacuation", "hazard", "closures", i,
                                              "until_min"), "must be after from_min",
                                    c.until_min))
    return problems + check_injects(model, network)


def _elevation_problems(p: EvacuationParams, network: RoadNetwork) -> list[Problem]:
    """Flood depths need ground levels: a node without one is an error, not 0 m, unless the
    scenario says what to assume."""
    if p.assume_ground_elevation_m is not None:
        return []
    missing = [n for n in network.nodes if "elevation_m" not in network.graph.nodes[n]]
    if not missing:
        return []
    what = (_("the road network has no elevation") if len(missing) == len(network.nodes) else
            _("{n} of {total} road nodes have no elevation (e.g. {nodes})",
              n=f"{len(missing):,}", total=f"{len(network.nodes):,}",
              nodes=", ".join(missing[:3])))
    return [Problem("network", _("{what}: an evacuation needs ground levels; set them with "
                                 "`gridmuster network elevation FILE.graphml --csv|--xyz|"
                                 "--constant …`, or say what to assume with "
                                 "evacuation.assume_ground_elevation_m", what=what))]


def _generated(model: EvacuationScenario, owner: np.ndarray, centres: list[str],
               network: RoadNetwork) -> list[Household]:
    """Households of each grid spread over its territory (the same in every replication)."""
    out: list[Household] = []
    for g, grid in enumerate(model.grids):
        territory = np.flatnonzero(owner == g)
        if territory.size == 0:
            territory = np.array([network.index[centres[g]]])
        n = grid.households or math.ceil(grid.residents / PEOPLE_PER_HOUSEHOLD)
        if n == 0 or grid.residents == 0:
            continue
        n = min(n, grid.residents)
        ids = [f"{grid.id}-h{k:05d}" for k in range(1, n + 1)]
        u = uniforms(0, entity_hashes(ids), 1)[:, 0]
        nodes = territory[np.minimum((u * territory.size).astype(int), territory.size - 1)]
        base, extra = divmod(grid.residents, n)
        out.extend(Household(hid, int(node), base + (k < extra), grid.id, g, None)
                   for k, (hid, node) in enumerate(zip(ids, nodes, strict=True)))
    return out


def _order(p: EvacuationParams, xy: np.ndarray, elev: np.ndarray, start: int,
           members: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Warning order: a nearest-neighbour walk from the grid centre, or lowest ground first."""
    if p.warning_order == "lowest_first":
        return members[np.lexsort((members, elev[nodes]))]
    # Households already warned are masked with inf rather than dropped from a list: the same
    # distances and the same first-index tie-break, without a fancy index built every step.
    px, py = xy[nodes, 0], xy[nodes, 1]
    hx, hy = xy[start]
    taken = np.zeros(members.size, dtype=bool)
    out = np.empty(members.size, dtype=int)
    for i in range(members.size):
        d = np.hypot(px - hx, py - hy)
        d[taken] = np.inf
        k = int(np.argmin(d))
        taken[k] = True
        out[i] = members[k]
        hx, hy = px[k], py[k]
    return out


def network_bytes(model: EvacuationScenario, network: RoadNetwork) -> float:
    """Bytes of the road states and route tables a run makes (``sim.core.budget``), before it
    makes them. A road state is made at each re-evaluation of the water (at most one per
    ``update_min``, closure and inject) and holds both modes' minutes per road (16); each
    state and mode routes over its own table: every shelter's whole row in a town
    (``FULL_TABLE_ENTRIES``), else a few shelters per node (3.6 measured at 300 grids, 4
    taken), at 16 bytes an entry (20 where node indices need 32 bits). Measured at 100 and
    300 grids: 258 and 91 MB of tables against 295 and 93 estimated."""
    p = model.evacuation
    nodes, roads = len(network.nodes), network.graph.number_of_edges()
    states = math.ceil(p.horizon_min / p.hazard.update_min) + 2 * len(p.hazard.closures) \
        + len(model.injects)
    pairs = len(p.shelters) * nodes
    entries = pairs if pairs <= FULL_TABLE_ENTRIES else 4 * nodes
    per_entry = 16 if nodes <= NO_HOP_16 else 20
    return float(states * (16 * roads + 2 * entries * per_entry))


def build(model: EvacuationScenario, network: RoadNetwork) -> EvacuationInputs:
    p = model.evacuation
    idx = network.index
    centres = grid_nodes(list(model.grids), network)
    owner = network.nearest_of(centres)
    grid_pos = {g.id: i for i, g in enumerate(model.grids)}
    shelter_nodes = [idx[s.node] for s in p.shelters]
    roster = build_roster({str(k): v for k, v in model.forces.items()}, list(model.grids))
    duties = {r.role: p.role(r.role) for r in roster}
    warners = [r for r in roster if duties[r.role].duty == "warn"]

    # Escort teams: members of one role in one grid, in roster order, team_size at a time.
    teams: list[tuple[str, str, str, int, RoleDuty, int, float | None]] = []
    members: dict[tuple[str, str], int] = {}
    for r in roster:  # town-wide teams (scope town) are formed from the whole pool of a role
        d = duties[r.role]
        if d.duty == "escort":
            key = (r.grid if d.scope == "grid" else "", r.role)
            members[key] = members.get(key, 0) + 1
    for (grid, role), count in members.items():
        d = duties[role]
        base = idx[p.squad_bases[role] if role in p.squad_bases
                   else centres[grid_pos[grid]] if grid else centres[0]]
        for k in range(math.ceil(count / d.team_size)):
            size = min(d.team_size, count - k * d.team_size)
            teams.append((f"{grid or 'town'}-{role}-T{k + 1:02d}", role, grid, size, d, base,
                          None))
    for rf in p.reinforcements:
        d = RoleDuty(duty="escort", availability=1.0, turnout=Fixed(value=0.0), mode=rf.mode,
                     team_size=rf.team_size, seats=rf.seats, scope="town")
        for k in range(math.ceil(rf.members / rf.team_size)):
            size = min(rf.team_size, rf.members - k * rf.team_size)
            teams.append((f"{rf.id}-T{k + 1:02d}", rf.role, "", size, d, idx[rf.node],
                          rf.arrive_min))
    # Reinforcements brought in by injects: warners knock in a grid, escort teams serve one.
    centre_idx = [idx[c] for c in centres]
    warner_start = [centre_idx[r.grid_index] for r in warners]
    warner_arrive = [math.nan] * len(warners)
    for k, inj in enumerate(model.injects):
        if not isinstance(inj, ReinforcementArrives):
            continue
        d, g = p.role(inj.role), grid_pos.get(inj.to or "", -1)
        name = f"reinforcement{k + 1}-{inj.role}"
        if d.duty == "warn":
            g = g if g >= 0 else int(owner[idx[inj.node]])
            for i in range(1, inj.count + 1):
                warners.append(Responder(f"{name}-{i:03d}", inj.role, model.grids[g].id, g))
                warner_start.append(idx[inj.node])
                warner_arrive.append(inj.t_min)
        elif d.duty == "escort":
            d = d.model_copy(update={"availability": 1.0, "turnout": Fixed(value=0.0),
                                     "scope": "grid" if g >= 0 else "town"})
            for j in range(math.ceil(inj.count / d.team_size)):
                size = min(d.team_size, inj.count - j * d.team_size)
                teams.append((f"{name}-T{j + 1:02d}", inj.role, inj.to or "", size, d,
                              idx[inj.node], inj.t_min))
    squads = [Squad(i, r, g, s, d, b, a) for i, r, g, s, d, b, a in teams]

    timeline = flood_timeline(p.hazard, network, shelter_nodes, shelter_closed_from(model),
                              p.horizon_min, p.vehicle_kmh, closures(model), extra_rain(model),
                              ground_m=p.assume_ground_elevation_m or 0.0)
    elev = timeline.elevation
    if p.population.households is not None:
        households = [Household(h.id, idx[h.node], h.members,
                                h.grid or model.grids[int(owner[idx[h.node]])].id,
                                grid_pos[h.grid] if h.grid else int(owner[idx[h.node]]),
                                h.needs_escort) for h in p.population.households]
    else:
        households = _generated(model, owner, centres, network)
    peak = float(timeline.level.max())
    limit = p.population.at_risk_below_m
    households = [h for h in households
                  if (elev[h.node] < limit if limit is not None else elev[h.node] < peak)]
    hh_node = np.array([h.node for h in households], dtype=int)
    hh_grid = np.array([h.grid_index for h in households], dtype=int)
    xy = network.xy
    order = [_order(p, xy, elev, idx[c], np.flatnonzero(hh_grid == g), hh_node[hh_grid == g])
             for g, c in enumerate(centres)]
    return EvacuationInputs(
        params=p,
        node_names=network.nodes,
        xy=xy,
        timeline=timeline,
        routes=Routes(network, shelter_nodes),
        households=households,
        hh_node=hh_node,
        hh_members=np.array([h.members for h in households], dtype=int),
        hh_hashes=entity_hashes(h.id for h in households),
        hh_first_exposed=timeline.first_above(hh_node, p.hazard.exposure_depth_m),
        grid_ids=model.grid_ids(),
        grid_centre=[idx[c] for c in centres],
        grid_order=order,
        warners=warners,
        warner_hashes=entity_hashes(r.id for r in warners),
        warner_start=np.array(warner_start, dtype=int),
        warner_arrive=np.array(warner_arrive, dtype=float),
        squads=squads,
        squad_hashes=entity_hashes(s.id for s in squads),
        shelter_ids=[s.id for s in p.shelters],
        shelter_nodes=np.array(shelter_nodes, dtype=int),
        shelter_capacity=np.array([s.capacity for s in p.shelters], dtype=int),
        curve_t=np.arange(0.0, math.floor(p.horizon_min) + 1.0),
        story=Storyline.build(model, network, centre_idx),
    )
