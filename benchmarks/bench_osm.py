"""Real towns: import time of the largest shipped OSM extract, all-destinations travel times,
and shortest-path tables with networkx versus scipy.sparse.csgraph on the same graph.

Prints figures; asserts nothing. Run: `.venv/bin/python benchmarks/bench_osm.py [--sources N]`.
Figures depend on what else the machine is doing: both sides of each ratio run in this process.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

from sim.network.graph import RoadNetwork
from sim.network.osm import build_graph, import_osm, read_osm

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "data" / "osm" / "helsinki_roads.osm.pbf"  # the largest shipped extract


def best_of(fn, rounds: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=300,
                    help="sources for the networkx/scipy comparison")
    args = ap.parse_args()
    print(f"extract: {EXTRACT.relative_to(ROOT)} ({EXTRACT.stat().st_size / 1024:.0f} KB)")

    for mode in ("drive", "walk", "all"):
        t, res = best_of(lambda m=mode: import_osm(EXTRACT, m))
        g, rep = res  # type: ignore[misc]
        print(f"import --mode {mode:5s}: {t:6.2f} s  ({rep.nodes} nodes, {rep.edges} edges, "
              f"{rep.total_length_m / 1000:.1f} km, {rep.clipped_ways} clipped ways)")
    t_read, _ = best_of(lambda: read_osm(EXTRACT, "osmium"))
    with tempfile.TemporaryDirectory() as tmp:
        import osmium

        xml = Path(tmp) / "extract.osm"
        w = osmium.SimpleWriter(str(xml))
        for o in osmium.FileProcessor(str(EXTRACT)):
            if o.is_node():
                w.add_node(o)
            elif o.is_way():
                w.add_way(o)
        w.close()
        t_xml_osmium, _ = best_of(lambda: read_osm(xml, "osmium"))
        t_xml_stdlib, _ = best_of(lambda: read_osm(xml, "stdlib"))
        print(f"reading only: pbf (osmium) {t_read:.2f} s; same data as .osm XML "
              f"({xml.stat().st_size / 1e6:.1f} MB): osmium {t_xml_osmium:.2f} s, "
              f"standard library {t_xml_stdlib:.2f} s")
    ways, nodes = read_osm(EXTRACT)
    t_build, res = best_of(lambda: build_graph(ways, nodes, "all"))
    print(f"graph building (mode all, from parsed ways): {t_build:.2f} s")

    g = res[0]  # type: ignore[index]
    net = RoadNetwork(g)
    n = len(net.nodes)
    t0 = time.perf_counter()
    table = net.travel_minutes(list(net.nodes), 4.5)  # every node to every node, walking
    t_all = time.perf_counter() - t0
    print(f"all-destinations travel times (scipy csgraph, {n} x {n}, walking): {t_all:.2f} s, "
          f"max {np.nanmax(table):.1f} min, table {table.nbytes / 1e6:.0f} MB")
    del table

    # Shortest-path tables from the same sources, both libraries, same weights.
    rng = np.random.default_rng(0)
    sources = [net.nodes[i] for i in rng.choice(n, size=min(args.sources, n), replace=False)]
    for a, b, d in g.edges(data=True):
        g.edges[a, b]["w"] = d["length_m"] / (min(d["speed_kmh"], 4.5) * 1000 / 60)

    def with_networkx() -> np.ndarray:
        out = np.full((len(sources), n), np.inf)
        for k, s in enumerate(sources):
            for node, v in nx.single_source_dijkstra_path_length(g, s, weight="w").items():
                out[k, net.index[node]] = v
        return out

    def with_scipy() -> np.ndarray:
        net._tables.clear()  # no cache: time the computation
        return net.travel_minutes(sources, 4.5)

    t_nx, a_nx = best_of(with_networkx, rounds=1)
    t_sp, a_sp = best_of(with_scipy, rounds=3)
    same = np.allclose(a_nx, a_sp, rtol=1e-9)  # type: ignore[arg-type]
    print(f"shortest-path table, {len(sources)} sources x {n} nodes: networkx {t_nx:.2f} s, "
          f"scipy csgraph {t_sp:.3f} s -> scipy {t_nx / t_sp:.0f}x faster "
          f"(identical tables: {same}); gridmuster uses scipy csgraph")
    print(f"extrapolated to all {n} sources: networkx {t_nx / len(sources) * n:.0f} s, "
          f"scipy {t_sp / len(sources) * n:.1f} s (measured above: {t_all:.1f} s)")


if __name__ == "__main__":
    main()
