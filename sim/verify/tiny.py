"""Tiny scenarios built in memory for the verification cases: a road graph written to a
scratch folder, a scenario dict with every delay fixed, parsed like a file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sim.core.results import ReplicationResult
from sim.core.scenario import Scenario, parse_scenario
from sim.run.experiments import plan_inputs

Edge = tuple[str, str, float]  # node, node, length in metres


def write_graph(folder: Path, edges: list[Edge], speed_kmh: float = 30.0,
                elevation_m: dict[str, float] | None = None) -> None:
    """Nodes laid out along x in first-seen order (positions do not affect travel times)."""
    import networkx as nx  # deferred: networkx is ~0.15 s of the CLI's start-up

    g = nx.Graph()
    for k, n in enumerate(dict.fromkeys([e[0] for e in edges] + [e[1] for e in edges])):
        g.add_node(n, x=100.0 * k, y=0.0, elevation_m=(elevation_m or {}).get(n, 5.0))
    for a, b, length in edges:
        g.add_edge(a, b, length_m=length, speed_kmh=speed_kmh)
    nx.write_graphml(g, folder / "roads.graphml")


def deep_update(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in patch.items():
        out[k] = deep_update(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) \
            else v
    return out


def muster(grids: dict[str, str], aps: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """A muster with one grid head per grid (``{grid: node}``) and every delay fixed:
    delivery 1 + notice 2 + acknowledge 0.5 + preparation 3 = departure at 6.5 min, walking
    at 6 km/h (100 m/min), check-in 1 min, ten desks per assembly point (``{id: node}``)."""
    data: dict[str, Any] = {
        "name": "verification", "kind": "muster", "seed": 1,
        "network": {"graphml": "roads.graphml"},
        "grids": [{"id": g, "node": n, "residents": 100} for g, n in grids.items()],
        "forces": {"grid_head": {"per_grid": 1}},
        "muster": {
            "alert_time": "10:00", "horizon_min": 240, "channels": ["grid_app"],
            "grid_app": {"delivery": 1, "reliability": 1.0}, "group_chat": {"delivery": 1},
            "phone_tree": {"fan_out": 2, "call": 1, "answer_day": 1.0, "answer_night": 1.0},
            "notice_day": 2, "notice_night": 10, "acknowledge": 0.5, "preparation": 3,
            "speeds_kmh": {"walk": 6.0, "ebike": 15.0, "car": 30.0}, "checkin": 1,
            "assembly_points": [{"id": a, "node": n, "desks": 10} for a, n in aps.items()],
            "default_role": {"availability_day": 1.0, "availability_night": 1.0,
                             "modes": {"walk": 1.0}},
        },
    }
    return deep_update(data, overrides)


def festival(**overrides: Any) -> dict[str, Any]:
    """One checkpoint X at A, one viewing point P at B (roads A–B–C); no incidents."""
    data: dict[str, Any] = {
        "name": "verification festival", "kind": "festival", "seed": 3,
        "network": {"graphml": "roads.graphml"},
        "grids": [{"id": "G1", "node": "B", "residents": 1000}],
        "festival": {
            "day_start": "05:00", "day_end": "08:00", "tide_time": "06:30",
            "record_every_min": 1,
            "modes": {"road": {"checkpoints": {"X": 1}, "group_size": 1,
                               "profile": [{"at": "05:00", "per_hour": 600}]}},
            "check_types": {"scan": {"per_person": {"dist": "exponential", "mean": 0.25}}},
            "checkpoints": {"X": {"node": "A", "check": "scan", "lanes": 3, "staff_per_lane": 1,
                                  "roster": {"all": {"start": "05:00", "end": "08:00",
                                                     "staff": {"volunteer": 3}}}}},
            "viewing_points": {"P": {"node": "B", "area_m2": 100000,
                                     "stewards": {"volunteer": 2}}},
            "stay": {"after_tide": 10, "min_stay": 20},
            "staff": {"volunteer": 100, "medical": 10, "security": 10},
        },
    }
    return deep_update(data, overrides)


def scenario(folder: Path, data: dict[str, Any], edges: list[Edge], speed_kmh: float = 30.0,
             elevation_m: dict[str, float] | None = None) -> Scenario:
    write_graph(folder, edges, speed_kmh, elevation_m)
    return parse_scenario(data, folder)


def replicate(s: Scenario, replication: int = 0, plan: str | None = None, seed: int = 1,
              events: bool = True) -> ReplicationResult:
    return s.kind.simulate(plan_inputs(s.plan(plan)), replication, seed, events)


def event_times(result: ReplicationResult) -> dict[tuple[str, str], float]:
    """(entity, event) -> time of its first occurrence."""
    out: dict[tuple[str, str], float] = {}
    for e in result.events:
        out.setdefault((e.entity_id, e.event), e.t_min)
    return out


def event_places(result: ReplicationResult, event: str) -> dict[str, str]:
    return {e.entity_id: e.location for e in result.events if e.event == event}
