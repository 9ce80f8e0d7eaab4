"""How an evacuation scenario's injects change it (an exercise's master scenario events list).

- ``road_closed`` / ``road_reopened``: closures of the flood timeline's network states (with the
  configured ``hazard.closures``); a reopening ends any closure of that road from its minute
  (the water still closes it when deep). Routes are recomputed once per change of state and
  people under way re-plan at the next node they reach.
- ``extra_rainfall``: ``mm`` spread evenly over ``duration_min`` added to the rain series.
- ``shelter_full``: from that minute the shelter admits nobody more (as if its capacity were
  reached): arrivals are turned away to the next nearest open shelter with room.
- ``shelter_lost``: the shelter closes (as with ``closed_from_min``): it drops out of the routes
  at that minute and people heading there re-plan at the next node. People already inside
  stay and count as sheltered (they are out of the flood-prone area; moving a whole shelter
  is a separate operation the model does not play); a record gives how many were inside.
- ``squad_delayed``: warners and escort teams of the role (of ``grid`` if given) who are not yet
  on duty at that minute come on duty ``delay_min`` later.
- ``squad_redirected``: warners and escort teams of the role not yet on duty at that minute
  go to ``to``: a grid id (they work in that grid, starting at its centre; escort teams serve
  only its households), or a shelter id or node (they start from there, same area as before).
- ``reinforcement_arrives``: ``count`` extra members of the role, on duty at ``node`` at that
  minute: warners knock in grid ``to`` (default: the grid owning the node); escort teams of the
  role's ``team_size`` serve grid ``to`` (default: the whole town).

Everything is precomputed once per plan; a replication only looks up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.errors import Problem, join_path
from sim.core.injects import (
    ExtraRainfall,
    ReinforcementArrives,
    RoadClosed,
    RoadReopened,
    ShelterFull,
    ShelterLost,
    SquadDelayed,
    SquadRedirected,
    describe,
    unknown_roads,
)
from sim.kinds.evacuation.config import EvacuationScenario
from sim.network.graph import RoadNetwork

EVACUATION_INJECTS = frozenset({"road_closed", "road_reopened", "extra_rainfall", "shelter_full",
                                "shelter_lost", "squad_delayed", "squad_redirected",
                                "reinforcement_arrives"})


def check_injects(model: EvacuationScenario, network: RoadNetwork) -> list[Problem]:
    p = model.evacuation
    shelters = {s.id for s in p.shelters}
    grids = set(model.grid_ids())
    problems: list[Problem] = []
    for i, inj in enumerate(model.injects):
        where = join_path("injects", i)
        if isinstance(inj, RoadClosed | RoadReopened):
            problems += unknown_roads(inj, where, network.graph.has_edge)
        elif isinstance(inj, ShelterFull | ShelterLost) and inj.shelter not in shelters:
            problems.append(Problem(join_path(where, "shelter"), "not a shelter id",
                                    inj.shelter))
        elif isinstance(inj, SquadDelayed) and inj.grid is not None and inj.grid not in grids:
            problems.append(Problem(join_path(where, "grid"), "no grid with this id", inj.grid))
        elif isinstance(inj, SquadRedirected) and not (
                inj.to in grids or inj.to in shelters or inj.to in network.index):
            problems.append(Problem(join_path(where, "to"), "not a grid, shelter or node id",
                                    inj.to))
        elif isinstance(inj, ReinforcementArrives):
            if inj.node not in network.index:
                problems.append(Problem(join_path(where, "node"),
                                        "not a node of the road network", inj.node))
            if inj.to is not None and inj.to not in grids:
                problems.append(Problem(join_path(where, "to"), "not a grid id", inj.to))
            if p.role(inj.role).duty == "none":
                problems.append(Problem(join_path(where, "role"), "this role has no "
                                        "evacuation duty (duty: none)", inj.role))
    return problems


def closures(model: EvacuationScenario) -> list[tuple[str, str, float, float]]:
    """Configured closures and road injects as (node, node, from, until) intervals."""
    out: list[list[Any]] = [[*sorted(c.road), c.from_min,
                        c.until_min if c.until_min is not None else math.inf]
                       for c in model.evacuation.hazard.closures]
    for inj in sorted(model.injects, key=lambda x: x.t_min):
        for a, b in inj.edges if isinstance(inj, RoadClosed | RoadReopened) else []:
            road = sorted((a, b))
            if isinstance(inj, RoadClosed):
                out.append([*road, inj.t_min, math.inf])
                continue
            for c in out:
                if c[:2] == road and c[2] <= inj.t_min < c[3]:
                    c[3] = inj.t_min
    return [(a, b, t0, t1) for a, b, t0, t1 in out if t1 > t0]


def extra_rain(model: EvacuationScenario) -> list[tuple[float, float, float]]:
    """(start minute, duration, mm) of each ``extra_rainfall`` inject."""
    return [(i.t_min, i.duration_min, i.mm) for i in model.injects
            if isinstance(i, ExtraRainfall)]


def shelter_closed_from(model: EvacuationScenario) -> list[float | None]:
    out: list[float | None] = []
    for s in model.evacuation.shelters:
        times = [i.t_min for i in model.injects
                 if isinstance(i, ShelterLost) and i.shelter == s.id]
        if s.closed_from_min is not None:
            times.append(s.closed_from_min)
        out.append(min(times) if times else None)
    return out


@dataclass(frozen=True)
class Redirect:
    grid: int  # grid index to work in, or -1 (keep their area)
    node: int  # where they start


@dataclass(frozen=True)
class Storyline:
    full_from: np.ndarray  # per shelter: minute from which it admits nobody (inf: never)
    lost: list[tuple[float, int]] = field(default_factory=list)  # (minute, shelter) losses
    # In time order: (t, role, grid or None, delay) or (t, role, Redirect).
    changes: list[tuple[float, str, str | None, float | Redirect]] = field(default_factory=list)
    records: list[tuple[float, str, str]] = field(default_factory=list)  # (t, type, detail)

    @classmethod
    def build(cls, model: EvacuationScenario, network: RoadNetwork, centres: list[int]
              ) -> Storyline:
        p = model.evacuation
        shelter_ids = [s.id for s in p.shelters]
        grid_ids = model.grid_ids()
        full = np.full(len(shelter_ids), np.inf)
        lost: list[tuple[float, int]] = []
        changes: list[tuple[float, str, str | None, float | Redirect]] = []
        for inj in sorted(model.injects, key=lambda x: x.t_min):
            if isinstance(inj, ShelterFull):
                s = shelter_ids.index(inj.shelter)
                full[s] = min(full[s], inj.t_min)
            elif isinstance(inj, ShelterLost):
                lost.append((inj.t_min, shelter_ids.index(inj.shelter)))
            elif isinstance(inj, SquadDelayed):
                changes.append((inj.t_min, str(inj.role), inj.grid, inj.delay_min))
            elif isinstance(inj, SquadRedirected):
                if inj.to in grid_ids:
                    g = grid_ids.index(inj.to)
                    target = Redirect(g, centres[g])
                else:
                    node = (p.shelters[shelter_ids.index(inj.to)].node if inj.to in shelter_ids
                            else inj.to)
                    target = Redirect(-1, network.index[node])
                changes.append((inj.t_min, str(inj.role), None, target))
        records = sorted((inj.t_min, str(inj.type), describe(inj)) for inj in model.injects)
        return cls(full, lost, changes, records)

    def on_duty(self, ready: float, role: str, grid: str, grid_ids: list[str]
                ) -> tuple[float, Redirect | None]:
        """When a responder comes on duty and where, after the holds and redirections of the
        injects that happen before that (in time order)."""
        where = None
        for t, r, g, change in self.changes:
            if r != role or ready < t:
                continue
            if isinstance(change, Redirect):
                where = change
                if change.grid >= 0:
                    grid = grid_ids[change.grid]
            elif g is None or g == grid:
                ready += change
        return ready, where

