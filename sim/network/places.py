"""Places given by coordinates, snapped to the nearest road node, with a report of far snaps.

Anywhere a scenario names a road node (``node: "123"``: assembly points, shelters,
checkpoints…) it may instead give ``xy: [x, y]`` in the network's metres or ``lonlat: [lon,
lat]`` (WGS84 by default, for networks made by ``gridmuster network import``; ``crs: gcj02`` or
``crs: bd09`` beside ``lonlat`` says the point was read off an Amap/Tencent or Baidu web map, and
it is converted to WGS84 first, see ``sim.network.coords``). Before validation each such
mapping gets the ``node`` nearest to the point (straight-line distance). Grids may likewise give
``lonlat`` instead of ``centre``. Every snap is recorded (field path, node, distance), and
``gridmuster validate`` lists those farther than ``--snap-limit`` metres as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.core.errors import Problem, ScenarioError, join_path
from sim.network.coords import CRS, to_wgs84
from sim.network.geo import Projection
from sim.network.graph import NetworkSpec, RoadNetwork
from sim.present.i18n import _

DEFAULT_SNAP_LIMIT_M = 250.0
_COORD_KEYS = ("xy", "lonlat")


@dataclass(frozen=True)
class Snap:
    path: str  # field path of the place, e.g. muster.assembly_points[2]
    node: str
    distance_m: float

    def warning(self, limit_m: float) -> str:
        return (f"warning: {self.path}: snapped to road node {self.node} "
                f"{self.distance_m:.0f} m away (limit {limit_m:g} m)")


def far_snaps(snaps: list[Snap], limit_m: float) -> list[Snap]:
    return [s for s in snaps if s.distance_m > limit_m]


def _has_coords(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in value for k in _COORD_KEYS) or any(_has_coords(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_coords(v) for v in value)
    return False


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return float(value[0]), float(value[1])
    return None


def resolve_places(raw: dict[str, Any], base_dir: Path,
                   load: Any) -> tuple[dict[str, Any], list[Snap]]:
    """The scenario mapping with ``xy``/``lonlat`` replaced by nodes, and the snaps made.

    ``load(spec, base_dir) -> RoadNetwork`` loads the network (cached by the caller). The network
    is loaded only if some place gives coordinates; if its spec is invalid, nothing is resolved
    (validation then reports the spec).
    """
    if not any(_has_coords(v) for k, v in raw.items() if k != "network"):
        return raw, []
    try:
        spec = NetworkSpec.model_validate(raw.get("network"))
    except ValidationError:
        return raw, []
    network: RoadNetwork = load(spec, base_dir)
    proj = Projection.from_graph_attrs(network.graph.graph)
    snaps: list[Snap] = []
    problems: list[Problem] = []

    def point(d: dict[str, Any], path: str) -> tuple[float, float] | None:
        if "xy" in d:
            p = _pair(d["xy"])
            if p is None:
                problems.append(Problem(join_path(path, "xy"), "must be [x, y] in metres",
                                        d["xy"]))
            return p
        p = _pair(d["lonlat"])
        if p is None:
            problems.append(Problem(join_path(path, "lonlat"), "must be [lon, lat] in degrees",
                                    d["lonlat"]))
            return None
        crs = d.get("crs", "wgs84")
        if crs not in CRS:
            problems.append(Problem(join_path(path, "crs"),
                                    _("must be one of {values}", values=", ".join(CRS)), crs))
            return None
        p = to_wgs84(p[0], p[1], str(crs))
        if proj is None:
            problems.append(Problem(join_path(path, "lonlat"), "this network has no lon/lat "
                                    "reference (import it with `gridmuster network import`); "
                                    "give `xy: [x, y]` in metres"))
            return None
        x, y = proj.forward(*p)
        return float(x), float(y)

    def walk(value: Any, path: str, in_grids: bool) -> Any:
        if isinstance(value, list):
            return [walk(v, join_path(path, i), in_grids) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        out = {k: walk(v, join_path(path, k), in_grids) for k, v in value.items()}
        given = [k for k in _COORD_KEYS if k in value]
        if not given:
            return out
        if "crs" in value and given != ["lonlat"]:
            problems.append(Problem(join_path(path, "crs"), "only goes with lonlat"))
            return out
        if len(given) > 1:
            problems.append(Problem(path, "give one of xy or lonlat"))
            return out
        if in_grids and given == ["xy"]:
            problems.append(Problem(join_path(path, "xy"), "a grid's point is `centre: [x, y]`"))
            return out
        if "node" in value or (in_grids and "centre" in value):
            problems.append(Problem(path, _("give either {key} or {given}, not both",
                                            key="centre" if in_grids else "node",
                                            given=given[0])))
            return out
        p = point(value, path)
        if p is None:
            return out
        for k in (*given, "crs"):
            out.pop(k, None)
        if in_grids:  # a grid keeps its centre; it is snapped (and recorded) when built
            out["centre"] = [round(p[0], 2), round(p[1], 2)]
        else:
            node, dist = network.snap(*p)
            out["node"] = node
            snaps.append(Snap(path, node, dist))
        return out

    resolved = {k: (v if k == "network" else walk(v, k, k == "grids")) for k, v in raw.items()}
    if problems:
        raise ScenarioError(problems)
    return resolved, snaps


def grid_snaps(grids: list[Any], network: RoadNetwork) -> list[Snap]:
    """Distances from grid centres (given as points) to the road nodes they are snapped to."""
    out = []
    for i, g in enumerate(grids):
        if g.node is None and g.centre is not None:
            node, dist = network.snap(*g.centre)
            out.append(Snap(join_path("grids", i), node, dist))
    return out
