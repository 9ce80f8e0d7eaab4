"""Road networks made outside the project are checked, not guessed: longitude/latitude are
detected and projected to metres (and `network show` says so), NaN coordinates and a missing
elevation in an evacuation are errors naming the node or the fix, numeric node ids are ids."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from sim.core.errors import ScenarioError
from sim.core.scenario import load_scenario, parse_scenario
from sim.network.geo import haversine_m
from sim.network.graph import LONLAT_NOTE, RoadNetwork, load_graphml
from sim.run.experiments import plan_inputs
from tests.helpers import LONLAT, cli, evac, osmnx_like, write_scenario


# Three nodes of a town near Haining (lon 120.6, lat 30.4): about 959 m east, 1,110 m north.
@pytest.mark.parametrize("crs", ["epsg:4326", None])
def test_lonlat_graph_is_projected_to_metres(tmp_path, crs):
    g = load_graphml(osmnx_like(tmp_path / "town.graphml", crs))
    net = RoadNetwork(g)
    assert net.notes == [LONLAT_NOTE]
    # Straight lines in the projection equal the great-circle distances (within 0.1 %).
    for a, b in (("1001", "1002"), ("1002", "1003"), ("1001", "1003")):
        xa, ya = g.nodes[a]["x"], g.nodes[a]["y"]
        xb, yb = g.nodes[b]["x"], g.nodes[b]["y"]
        want = haversine_m(*LONLAT[a], *LONLAT[b])
        assert math.hypot(xb - xa, yb - ya) == pytest.approx(want, rel=1e-3)
    assert g.nodes["1001"]["lon"] == 120.6  # the degrees are kept for `--csv lon,lat`


def test_metres_graph_is_left_alone(tmp_path):
    g = nx.Graph()
    g.add_node("a", x=0.0, y=0.0, elevation_m=1.0)
    g.add_node("b", x=150.0, y=40.0, elevation_m=1.0)  # in [-180, 180] but 150 m across
    g.add_edge("a", "b", length_m=160.0)
    nx.write_graphml(g, tmp_path / "m.graphml")
    out = load_graphml(tmp_path / "m.graphml")
    assert out.nodes["b"]["x"] == 150.0 and RoadNetwork(out).notes == []


def test_nan_coordinates_are_an_error_naming_the_node(tmp_path):
    g = nx.Graph()
    g.add_node("a", x=0.0, y=0.0)
    g.add_node("b7", x=float("nan"), y=10.0)
    g.add_edge("a", "b7", length_m=10.0)
    nx.write_graphml(g, tmp_path / "nan.graphml")
    with pytest.raises(ScenarioError) as exc:
        load_graphml(tmp_path / "nan.graphml")
    assert "'b7'" in str(exc.value) and "coordinates" in str(exc.value)


def test_network_show_on_lonlat_says_so_and_prints_a_real_extent(tmp_path):
    path = osmnx_like(tmp_path / "town.graphml")
    r = cli("network", "show", str(path), "--out", str(tmp_path / "map.png"))
    assert r.returncode == 0, r.stderr
    assert "coordinates look like longitude/latitude; projected to metres" in r.stdout
    assert "extent: 959 m × 1112 m" in r.stdout, r.stdout
    assert "elevation: none" in r.stdout and "Traceback" not in r.stdout + r.stderr


def _no_elevation_scenario(tmp_path: Path, **evacuation: object) -> Path:
    osmnx_like(tmp_path / "g.graphml")
    # Unquoted numeric OSM ids where a node id is expected: YAML reads them as integers.
    data = evac([{"id": "h1", "node": 1001, "members": 2}],
                [{"id": "S", "node": 1003, "capacity": 10}], evacuation=evacuation)
    data["grids"] = [{"id": "G", "node": 1001, "residents": 10}]
    return write_scenario(tmp_path, data)


def test_evacuation_without_elevation_is_an_error_naming_the_fix(tmp_path):
    path = _no_elevation_scenario(tmp_path)
    assert "node: 1001" in path.read_text(encoding="utf-8")  # unquoted in the file
    r = cli("validate", str(path))
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "the road network has no elevation" in out
    assert "gridmuster network elevation" in out and "assume_ground_elevation_m" in out
    assert "valid string" not in out and "Traceback" not in out


def test_numeric_ids_and_an_explicit_ground_level_are_accepted(tmp_path):
    s = load_scenario(_no_elevation_scenario(tmp_path, assume_ground_elevation_m=0.0))
    assert s.model.evacuation.shelters[0].node == "1003"
    inp = plan_inputs(s.plan(None))
    assert inp.timeline.elevation.tolist() == [0.0, 0.0, 0.0]
    assert s.network().notes == [LONLAT_NOTE]


def test_some_nodes_without_elevation_are_named(tmp_path):
    g = nx.Graph()
    g.add_node("A", x=0.0, y=0.0, elevation_m=0.0)
    g.add_node("B", x=600.0, y=0.0)
    g.add_edge("A", "B", length_m=600.0)
    nx.write_graphml(g, tmp_path / "g.graphml")
    data = evac([{"id": "h1", "node": "A"}], [{"id": "S", "node": "B", "capacity": 10}])
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    assert "1 of 2 road nodes have no elevation (e.g. B)" in str(exc.value)
