"""Patrol inputs (built once per plan): the roster, minutes of each leg of the route."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.errors import Problem, join_path
from sim.core.forces import Responder, build_roster
from sim.core.rng import entity_hashes
from sim.network.graph import RoadNetwork
from tests.kinds.patrol.config import PatrolParams, PatrolScenario


@dataclass(frozen=True)
class PatrolInputs:
    params: PatrolParams
    roster: list[Responder]
    hashes: np.ndarray
    legs: np.ndarray  # minutes from stop k to stop k + 1
    curve_t: np.ndarray


def check(model: PatrolScenario, network: RoadNetwork) -> list[Problem]:
    return [Problem(join_path("patrol", "route", i), "not a node of the road network", node)
            for i, node in enumerate(model.patrol.route) if node not in network.index]


def build(model: PatrolScenario, network: RoadNetwork) -> PatrolInputs:
    p = model.patrol
    roster = build_roster({str(k): v for k, v in model.forces.items()}, list(model.grids))
    table = network.travel_minutes(p.route[1:], p.speed_kmh)
    legs = np.array([table[k, network.index[p.route[k]]] for k in range(len(p.route) - 1)])
    return PatrolInputs(p, roster, entity_hashes(r.id for r in roster), legs,
                        np.arange(0.0, math.floor(p.horizon_min) + 1.0))
