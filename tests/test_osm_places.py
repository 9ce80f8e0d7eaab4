"""Real towns: places by coordinates and snapping, elevation, grids from GeoJSON, the example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import yaml

from sim.core.errors import ScenarioError
from sim.core.scenario import load_scenario, parse_scenario
from sim.network import elevation
from sim.network.geo import Projection
from tests.helpers import fixed_muster, line_graphml, write_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "muster_osm_example.yaml"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_places_by_coordinates_snap_and_far_ones_are_reported(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])  # A(0,0) B(600,0) C(1500,0)
    data = fixed_muster()
    data["grids"][2] = {"id": "GC", "centre": [1450.0, 700.0], "residents": 100}
    data["muster"]["assembly_points"] = [{"id": "AP", "xy": [1400.0, 30.0], "desks": 1}]
    data["plans"] = {"near": {}, "far": {"muster": {"assembly_points": [
        {"id": "AP", "xy": [-2000.0, 0.0], "desks": 1}]}}}
    s = parse_scenario(data, tmp_path)
    assert s.plan("near").model.muster.assembly_points[0].node == "C"
    assert s.plan("far").model.muster.assembly_points[0].node == "A"
    snaps = {sn.path: (sn.node, round(sn.distance_m)) for sn in s.snaps}
    assert snaps == {"muster.assembly_points[0]": ("C", 104),
                     "plans.far.muster.assembly_points[0]": ("A", 2000),
                     "grids[2]": ("C", 702)}
    r = cli("validate", str(write_scenario(tmp_path, data)), "--snap-limit", "500")
    assert r.returncode == 0, r.stderr
    warnings = [ln for ln in r.stdout.splitlines() if ln.startswith("warning:")]
    assert warnings == [
        "warning: plans.far.muster.assembly_points[0]: snapped to road node A 2000 m away "
        "(limit 500 m)",
        "warning: grids[2]: snapped to road node C 702 m away (limit 500 m)"]


def test_bad_coordinates_are_field_path_problems(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    data = fixed_muster()
    data["muster"]["assembly_points"] = [
        {"id": "P1", "xy": [1, "north"], "desks": 1},
        {"id": "P2", "node": "A", "xy": [0, 0], "desks": 1},
        {"id": "P3", "lonlat": [120.0, 30.0], "desks": 1}]
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    msgs = [str(p) for p in exc.value.problems]
    assert msgs[0].startswith("muster.assembly_points[0].xy: must be [x, y] in metres")
    assert msgs[1].startswith("muster.assembly_points[1]: give either node or xy")
    assert msgs[2].startswith("muster.assembly_points[2].lonlat: this network has no lon/lat")


@pytest.mark.parametrize("content, words", [
    (None, "network.graphml: file not found"),
    ("<graphml><graph><node id='A'", "network.graphml: not a readable GraphML file"),
])
def test_missing_or_corrupt_graphml_is_a_field_error_exit_2(tmp_path, content, words):
    if content is not None:
        (tmp_path / "line.graphml").write_text(content, encoding="utf-8")
    data = fixed_muster()
    data["muster"]["assembly_points"][0] = {"id": "AP", "xy": [0, 0], "desks": 1}
    r = cli("validate", str(write_scenario(tmp_path, data)))
    assert r.returncode == 2, r.stdout
    assert r.stderr.startswith(words) and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def _square_graph(tmp_path: Path) -> nx.Graph:
    """Four nodes 1 km apart about (120°E, 30°N), with the projection an import would set."""
    proj = Projection(120.0, 30.0)
    g = nx.Graph()
    g.graph.update(proj.attrs())
    for n, (x, y) in {"a": (0, 0), "b": (1000, 0), "c": (1000, 1000), "d": (0, 1000)}.items():
        g.add_node(n, x=float(x), y=float(y), elevation_m=0.0)
    for a, b in ("ab", "bc", "cd", "da"):
        g.add_edge(a, b, length_m=1000.0, speed_kmh=30.0)
    return g


def test_elevation_from_csv_xyz_constant_and_zones(tmp_path):
    g = _square_graph(tmp_path)
    proj = Projection.from_graph_attrs(g.graph)
    assert proj is not None
    (tmp_path / "ids.csv").write_text("node,elevation_m\na,1.5\nc,7\n", encoding="utf-8")
    rep = elevation.from_csv(g, tmp_path / "ids.csv")
    assert rep.assigned == 2 and rep.outside == 2 and g.nodes["c"]["elevation_m"] == 7
    lon, lat = proj.inverse([10, 990], [10, 600])
    (tmp_path / "pts.csv").write_text(f"lon,lat,elevation_m\n{lon[0]},{lat[0]},2\n"
                                      f"{lon[1]},{lat[1]},9\n", encoding="utf-8")
    elevation.from_csv(g, tmp_path / "pts.csv")
    assert [g.nodes[n]["elevation_m"] for n in "abcd"] == [2, 9, 9, 2]  # nearest point
    # A 3 × 3 raster on x, y ∈ {-500, 500, 1500}: z = x / 100 + y / 1000, bilinear is exact.
    rows = [f"{x} {y} {x / 100 + y / 1000}" for y in (-500, 500, 1500) for x in (-500, 500, 1500)]
    (tmp_path / "dem.xyz").write_text("X Y Z\n" + "\n".join(rows) + "\n", encoding="utf-8")
    rep = elevation.from_xyz(g, tmp_path / "dem.xyz")
    assert [g.nodes[n]["elevation_m"] for n in "abcd"] == [0, 10, 11, 1] and rep.outside == 0
    elevation.constant(g, 8.0)
    lo, la = proj.inverse([-100, 100, 100, -100], [-100, -100, 100, 100])
    zone = {"type": "Feature", "properties": {"elevation_m": 1.2}, "geometry": {
        "type": "Polygon", "coordinates": [[[float(a), float(b)] for a, b in zip(lo, la, strict=True)]]}}
    other = {**zone, "properties": {}, "geometry": {**zone["geometry"], "coordinates": [
        [[float(a) + 0.0103, float(b)] for a, b in zip(lo, la, strict=True)]]}}  # about b (1 km east)
    (tmp_path / "zones.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [zone, other]}), encoding="utf-8")
    rep = elevation.apply_zones(g, tmp_path / "zones.geojson", elevation.constant(g, 8.0), 0.5)
    assert [g.nodes[n]["elevation_m"] for n in "abcd"] == [1.2, 0.5, 8, 8] and rep.in_zones == 2
    (tmp_path / "gappy.xyz").write_text("0 0 1\n1000 0 2\n0 1000 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a regular grid"):
        elevation.from_xyz(g, tmp_path / "gappy.xyz")


def test_cli_grids_from_geojson_and_elevation(tmp_path):
    g = _square_graph(tmp_path)
    nx.write_graphml(g, tmp_path / "sq.graphml")
    proj = Projection(120.0, 30.0)

    def poly(x0: float, y0: float, x1: float, y1: float) -> list[list[list[float]]]:
        lo, la = proj.inverse([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])
        return [[[float(a), float(b)] for a, b in zip(lo, la, strict=True)]]

    lo, la = proj.inverse(5000, 5000)
    feats = [
        {"type": "Feature", "properties": {"id": "W", "residents": 800, "households": 300,
                                           "name_zh": "西片网格"},
         "geometry": {"type": "Polygon", "coordinates": poly(-100, -100, 400, 1100)}},
        {"type": "Feature", "properties": {"id": "far", "residents": 50},
         "geometry": {"type": "Point", "coordinates": [float(lo), float(la)]}}]
    (tmp_path / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                        "features": feats}), encoding="utf-8")
    r = cli("network", "grids", "grids.geojson", "--network", "sq.graphml", "--out", "g.yaml",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    grids = yaml.safe_load((tmp_path / "g.yaml").read_text(encoding="utf-8"))["grids"]
    assert grids[0]["id"] == "W" and grids[0]["residents"] == 800
    assert grids[0]["name_zh"] == "西片网格" and "name_zh" not in grids[1]
    np.testing.assert_allclose(grids[0]["centre"], [150, 500], atol=0.2)
    np.testing.assert_allclose(grids[1]["centre"], [5000, 5000], atol=0.2)
    assert "grids[1] (far): snapped to road node c 5657 m away" in r.stderr
    r = cli("network", "elevation", "sq.graphml", "--constant", "6", "--out", "e.graphml",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {d["elevation_m"] for _, d in nx.read_graphml(tmp_path / "e.graphml").nodes(data=True)
            } == {6.0}
    assert nx.read_graphml(tmp_path / "e.graphml").graph["lon0"] == 120.0
    # A grid id or village name with a control character (an ESC sequence reaches the
    # terminal and the scenario) is refused by feature, escaped; nothing is written.
    feats[0]["properties"] |= {"id": "\x1b[2JW", "village": "ok"}
    feats[1]["properties"]["village"] = "far\x07"
    (tmp_path / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                        "features": feats}), encoding="utf-8")
    r = cli("network", "grids", "grids.geojson", "--network", "sq.graphml", "--out", "bad.yaml",
            cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "\x1b[2J" not in r.stderr
    assert "features[0].properties.id: must not contain control characters" in r.stderr
    assert "(got '\\x1b[2JW')" in r.stderr, r.stderr
    assert "features[1].properties.village: must not contain control characters" in r.stderr
    assert not (tmp_path / "bad.yaml").exists()
    # Two grids given one Chinese name: refused by feature, naming the other grid.
    feats[0]["properties"] |= {"id": "W"}
    feats[1]["properties"] |= {"village": "far", "name_zh": "西片网格"}
    (tmp_path / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                        "features": feats}), encoding="utf-8")
    r = cli("--lang", "zh", "network", "grids", "grids.geojson", "--network", "sq.graphml",
            "--out", "bad.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "features[1].properties.name_zh：与 W 同名" in r.stderr, r.stderr
    assert not (tmp_path / "bad.yaml").exists()


def test_bundled_osm_example_validates_and_runs(tmp_path):
    s = load_scenario(EXAMPLE)
    net = s.network()
    assert len(net.nodes) == 1503 and net.problems() == []
    assert net.graph.graph["mode"] == "all"
    assert all(sn.distance_m < 250 for sn in s.snaps) and len(s.snaps) == 10
    r = cli("run", str(EXAMPLE), "--reps", "3", "--no-store", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == 3
    assert 0.5 < summary["metrics"]["frac_mustered_60min"]["mean"] <= 1.0
