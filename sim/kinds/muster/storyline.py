"""How a muster scenario's injects change a replication: channel outages, held-up and
redirected squads, reinforcements, and roads that close and reopen.

Everything is precomputed once per plan (``Storyline.build``); a replication only looks up.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from sim.core.errors import Problem, join_path
from sim.core.forces import Responder
from sim.core.injects import (
    ChannelOutage,
    ReinforcementArrives,
    RoadClosed,
    RoadReopened,
    SquadDelayed,
    SquadRedirected,
    describe,
    unknown_roads,
)
from sim.kinds.muster.config import MODES, MusterScenario
from sim.network.graph import RoadNetwork

MUSTER_INJECTS = frozenset({"road_closed", "road_reopened", "channel_outage", "squad_delayed",
                            "squad_redirected", "reinforcement_arrives"})


def check_injects(model: MusterScenario, network: RoadNetwork) -> list[Problem]:
    problems = []
    ap_ids = {a.id for a in model.muster.assembly_points}
    grids = set(model.grid_ids())
    for i, inj in enumerate(model.injects):
        where = join_path("injects", i)
        if isinstance(inj, RoadClosed | RoadReopened):
            problems += unknown_roads(inj, where, network.graph.has_edge)
        elif isinstance(inj, SquadRedirected) and inj.to not in ap_ids:
            problems.append(Problem(join_path(where, "to"), "not an assembly point id", inj.to))
        elif isinstance(inj, SquadDelayed) and inj.grid is not None and inj.grid not in grids:
            problems.append(Problem(join_path(where, "grid"), "no grid with this id", inj.grid))
        elif isinstance(inj, ReinforcementArrives):
            if inj.node not in network.index:
                problems.append(Problem(join_path(where, "node"),
                                        "not a node of the road network", inj.node))
            if inj.to is not None and inj.to not in ap_ids:
                problems.append(Problem(join_path(where, "to"), "not an assembly point id",
                                        inj.to))
    return problems


def reinforcements(model: MusterScenario) -> list[tuple[Responder, ReinforcementArrives]]:
    """Extra responders brought in by injects, with stable ids (they key random draws)."""
    out: list[tuple[Responder, ReinforcementArrives]] = []
    for k, inj in enumerate(model.injects):
        if isinstance(inj, ReinforcementArrives):
            out.extend((Responder(f"reinforcement{k + 1}-{inj.role}-{i:03d}", inj.role,
                                  "external", -1), inj) for i in range(1, inj.count + 1))
    return out


@dataclass(frozen=True)
class RoadStates:
    """The network between road injects: state ``s`` holds from ``starts[s]``."""

    starts: list[float]
    dist: list[np.ndarray]  # per state: (mode, assembly point, node) minutes
    next_hop: list[np.ndarray]  # per state: (mode, assembly point, node) next node
    edge_minutes: list[dict[tuple[int, int], float]]  # per mode
    ap_nodes: np.ndarray

    def state_at(self, t: float) -> int:
        return bisect.bisect_right(self.starts, t) - 1

    def arrival(self, mode: int, ap: int, home: int, depart: float) -> float:
        """Arrival time walking node by node, re-planning at each node with the roads open at
        that moment; a road that closes while someone is on it lets them finish it."""
        s = self.state_at(depart)
        direct = depart + self.dist[s][mode, ap, home]
        nxt_change = self.starts[s + 1] if s + 1 < len(self.starts) else np.inf
        if direct <= nxt_change:
            return float(direct)
        u, t, target = home, depart, int(self.ap_nodes[ap])
        while u != target:
            hop = int(self.next_hop[self.state_at(t)][mode, ap, u])
            if hop < 0:
                return np.inf  # cut off: no open road to the assembly point
            t += self.edge_minutes[mode][(u, hop)]
            u = hop
        return float(t)


@dataclass(frozen=True)
class Storyline:
    outages: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    delays: list[tuple[float, str, str | None, float]] = field(default_factory=list)
    redirects: list[tuple[float, str, int]] = field(default_factory=list)
    roads: RoadStates | None = None
    records: list[tuple[float, str, str]] = field(default_factory=list)  # (t, type, detail)

    @classmethod
    def build(cls, model: MusterScenario, network: RoadNetwork, ap_ids: list[str]) -> Storyline:
        p = model.muster
        outages: dict[str, list[tuple[float, float]]] = {}
        delays: list[tuple[float, str, str | None, float]] = []
        redirects: list[tuple[float, str, int]] = []
        changes: list[RoadClosed | RoadReopened] = []
        for inj in sorted(model.injects, key=lambda x: x.t_min):
            if isinstance(inj, ChannelOutage):
                outages.setdefault(inj.channel, []).append((inj.t_min,
                                                            inj.t_min + inj.duration_min))
            elif isinstance(inj, SquadDelayed):
                delays.append((inj.t_min, str(inj.role), inj.grid, inj.delay_min))
            elif isinstance(inj, SquadRedirected):
                redirects.append((inj.t_min, str(inj.role), ap_ids.index(inj.to)))
            elif isinstance(inj, RoadClosed | RoadReopened):
                changes.append(inj)
        roads = None
        if changes:
            ap_nodes = [a.node for a in p.assembly_points]
            closed: set[tuple[str, str]] = set()
            starts: list[float] = [0.0]
            dist: list[np.ndarray] = []
            hops: list[np.ndarray] = []
            states: list[frozenset[tuple[str, str]]] = [frozenset()]
            for inj in changes:
                edges = {(min(a, b), max(a, b)) for a, b in inj.edges}
                closed = closed | edges if isinstance(inj, RoadClosed) else closed - edges
                starts.append(inj.t_min)
                states.append(frozenset(closed))
            for state in states:
                tables = [network.travel_tables(ap_nodes, p.speeds_kmh.get(m, 1e-9), state)
                          for m in MODES]
                dist.append(np.stack([t[0] for t in tables]))
                hops.append(np.stack([t[1] for t in tables]))
            roads = RoadStates(starts, dist, hops,
                               [network.edge_lookup(p.speeds_kmh.get(m, 1e-9)) for m in MODES],
                               np.array([network.index[n] for n in ap_nodes]))
        records = [(inj.t_min, inj.type, describe(inj)) for inj in model.injects]
        return cls(outages, delays, redirects, roads, sorted(records))

    def after_outage(self, channel: str, t: np.ndarray) -> np.ndarray:
        """A message due during an outage of its channel arrives when the outage ends."""
        for t0, t1 in self.outages.get(channel, []):
            t = np.where((t >= t0) & (t < t1), t1, t)
        return t

    def call_time(self, t: float) -> float:
        """A phone call that would start while the phone network is down waits for it."""
        for t0, t1 in self.outages.get("phone_tree", []):
            if t0 <= t < t1:
                t = t1
        return t
