"""Small scenarios built in code, for oracle and property tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from sim.core.scenario import Scenario, parse_scenario


def line_graphml(path: Path, lengths: list[float], speed_kmh: float = 30.0) -> Path:
    """A path graph A-B-C-... with the given edge lengths in metres."""
    g = nx.Graph()
    names = [chr(ord("A") + i) for i in range(len(lengths) + 1)]
    x = 0.0
    for i, n in enumerate(names):
        g.add_node(n, x=x, y=0.0, elevation_m=5.0)
        if i < len(lengths):
            x += lengths[i]
    for i, length in enumerate(lengths):
        g.add_edge(names[i], names[i + 1], length_m=length, speed_kmh=speed_kmh)
    nx.write_graphml(g, path)
    return path


def fixed_muster(graphml: str = "line.graphml", **overrides: Any) -> dict[str, Any]:
    """A muster scenario with every delay fixed: results are computable by hand."""
    data: dict[str, Any] = {
        "name": "oracle",
        "kind": "muster",
        "seed": 1,
        "network": {"graphml": graphml},
        "grids": [
            {"id": "GA", "node": "A", "residents": 100},
            {"id": "GB", "node": "B", "residents": 100},
            {"id": "GC", "node": "C", "residents": 100},
        ],
        "forces": {"grid_head": {"per_grid": 1}},
        "muster": {
            "alert_time": "10:00",
            "horizon_min": 120,
            "channels": ["grid_app"],
            "grid_app": {"delivery": 1, "reliability": 1.0},
            "group_chat": {"delivery": 1},
            "phone_tree": {"fan_out": 2, "call": 1, "answer_day": 1.0, "answer_night": 1.0},
            "notice_day": 2,
            "notice_night": 10,
            "acknowledge": 0.5,
            "preparation": 3,
            "speeds_kmh": {"walk": 6.0, "ebike": 15.0, "car": 30.0},
            "checkin": 1,
            "assembly_points": [{"id": "AP", "node": "C", "desks": 1}],
            "default_role": {"availability_day": 1.0, "availability_night": 1.0,
                             "modes": {"walk": 1.0}},
        },
    }
    return deep_update(data, overrides)


def deep_update(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_update(out[k], v)
        else:
            out[k] = v
    return out


def build(tmp_path: Path, data: dict[str, Any], lengths: list[float] | None = None) -> Scenario:
    line_graphml(tmp_path / "line.graphml", lengths or [600.0, 900.0])
    return parse_scenario(data, tmp_path)


def write_scenario(tmp_path: Path, data: dict[str, Any], name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
