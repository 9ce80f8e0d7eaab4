"""OpenStreetMap extracts (``.osm`` XML, ``.osm.pbf``) → a road network gridmuster can load.

``import_osm(path, mode)`` reads the highway ways of an extract, keeps those usable in the
mode, cuts every way into one edge per pair of consecutive OSM nodes, keeps the largest
connected component, projects the nodes to metres (``sim.network.geo.Projection``) and sets
``length_m`` (great-circle), ``speed_kmh`` and ``travel_min`` on every edge.

Clipped extracts (a way running out of the file, so that some of its nodes are missing) are
handled by keeping the way's segments whose two ends are in the file: the road inside the
extract survives, the part outside is dropped and counted in the report.

Reading ``.osm.pbf`` needs pyosmium (``pip install 'gridmuster[osm]'``); plain ``.osm`` XML
(also ``.osm.gz``/``.osm.bz2``) is read with the standard library (faster than pyosmium's
Python iteration on a town-sized file, see benchmarks/bench_osm.py; ``reader="osmium"`` forces
pyosmium). Roads are undirected (``oneway`` is ignored): people going to an assembly point or a
shelter on foot or by e-bike are not bound by it, and a drill's cars are few.
"""

from __future__ import annotations

import bz2
import gzip
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, cast

from sim.core.errors import Problem, ScenarioError
from sim.network.geo import Projection, _one_line, haversine_m
from sim.present.i18n import _

if TYPE_CHECKING:
    import networkx as nx

Mode = Literal["drive", "walk", "all"]
MODES: tuple[str, ...] = ("drive", "walk", "all")

# Default speeds by highway class, km/h: typical of Chinese towns (urban roads 30–60, village
# roads 20–30) and of walking on paths. Override with ``speeds={"residential": 25}``.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100, "trunk": 80, "primary": 60, "secondary": 50, "tertiary": 40,
    "motorway_link": 60, "trunk_link": 50, "primary_link": 40, "secondary_link": 35,
    "tertiary_link": 30, "unclassified": 30, "residential": 30, "road": 30,
    "living_street": 10, "service": 20, "track": 15, "busway": 40,
    "pedestrian": 5, "footway": 5, "path": 5, "steps": 2, "cycleway": 15, "bridleway": 5,
    "corridor": 5, "trail": 5,
}
FALLBACK_KMH = 20.0

_NEVER = {"construction", "proposed", "abandoned", "planned", "disused", "platform", "raceway",
          "elevator", "escape", "bus_stop", "rest_area", "services", "crossing", "emergency_bay"}
_DRIVE = {"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link",
          "primary_link", "secondary_link", "tertiary_link", "unclassified", "residential",
          "road", "living_street", "service", "track"}
_NO_WALK = {"motorway", "motorway_link", "trunk", "trunk_link", "busway"}
_NO_ACCESS = {"no", "private"}


@dataclass
class Way:
    id: int
    tags: dict[str, str]
    refs: list[int]


@dataclass
class ImportReport:
    """What an import kept and dropped; printed by ``gridmuster network import``."""

    source: str
    mode: str
    highway_ways: int = 0
    ways_kept: int = 0
    clipped_ways: int = 0
    segments_dropped_clipped: int = 0
    components: int = 0
    nodes_outside_largest: int = 0
    nodes: int = 0
    edges: int = 0
    total_length_m: float = 0.0
    classes: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            _("read {ways} highway ways from {source}; kept {kept} for mode {mode}",
              ways=self.highway_ways, source=self.source, kept=self.ways_kept, mode=self.mode),
            _("clipped ways (running out of the extract): {ways}; {segments} segments outside "
              "the file dropped", ways=self.clipped_ways,
              segments=self.segments_dropped_clipped),
            _("components: {n}; kept the largest, dropping {dropped} nodes", n=self.components,
              dropped=self.nodes_outside_largest),
            _("network: {nodes} nodes, {edges} edges, {km} km of road", nodes=self.nodes,
              edges=self.edges, km=f"{self.total_length_m / 1000:.2f}"),
        ]


def keep_way(tags: dict[str, str], mode: str) -> bool:
    """Whether a highway way is usable in ``mode`` (drive, walk or all)."""
    hw = tags.get("highway")
    if not hw or hw in _NEVER or tags.get("area") == "yes":
        return False
    if mode == "all":
        return tags.get("access") != "no"
    if mode == "drive":
        if hw not in _DRIVE or tags.get("service") in ("parking_aisle", "driveway"):
            return False
        return not ({tags.get("access"), tags.get("motor_vehicle"), tags.get("motorcar")}
                    & _NO_ACCESS)
    # walk
    if hw in _NO_WALK or tags.get("foot") in _NO_ACCESS:
        return False
    if hw == "cycleway":  # many are shared paths; walkable unless tagged otherwise
        return tags.get("foot") != "no"
    return tags.get("access") not in _NO_ACCESS or tags.get("foot") in ("yes", "designated")


_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def parse_maxspeed(value: str | None) -> float | None:
    """``"50"`` → 50, ``"30 mph"`` → 48.3; anything else (``"CN:urban"``, ``"none"``) → None."""
    if not value:
        return None
    m = _MAXSPEED.match(value.split(";")[0])
    if not m:
        return None
    v = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
    return v if v > 0 else None


def way_speed(tags: dict[str, str], speeds: dict[str, float], use_maxspeed: bool) -> float:
    if use_maxspeed:
        v = parse_maxspeed(tags.get("maxspeed"))
        if v is not None:
            return v
    return float(speeds.get(tags.get("highway", ""), FALLBACK_KMH))


# ---------------------------------------------------------------------------------- reading

def _open_text(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if name.endswith(".bz2"):
        return cast(IO[bytes], bz2.open(path, "rb"))
    return open(path, "rb")


def _read_xml_stdlib(path: Path) -> tuple[list[Way], dict[int, tuple[float, float]]]:
    ways: list[Way] = []
    nodes: dict[int, tuple[float, float]] = {}
    with _open_text(path) as fh:
        root_seen = False
        for _event, el in ET.iterparse(fh, events=("end",)):
            if el.tag == "node":
                nodes[int(el.get("id", "0"))] = (float(el.get("lon", "nan")),
                                                 float(el.get("lat", "nan")))
                el.clear()
            elif el.tag == "way":
                tags = {t.get("k", ""): t.get("v", "") for t in el.iter("tag")}
                if "highway" in tags:
                    ways.append(Way(int(el.get("id", "0")), tags,
                                    [int(n.get("ref", "0")) for n in el.iter("nd")]))
                el.clear()
            elif el.tag == "relation":
                el.clear()
            elif el.tag == "osm":
                root_seen = True
        if not root_seen:
            raise ValueError("no <osm> root element")
    return ways, nodes


def _read_osmium(path: Path) -> tuple[list[Way], dict[int, tuple[float, float]]]:
    import osmium  # deferred: osmium (optional, .pbf import only)

    ways: list[Way] = []
    for w in osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("highway")):
        if isinstance(w, osmium.osm.Way):
            ways.append(Way(w.id, dict(w.tags), [n.ref for n in w.nodes]))
    need = {r for w in ways for r in w.refs}
    nodes: dict[int, tuple[float, float]] = {}
    # Membership in Python: pyosmium's IdFilter is ~15x slower here (bench_osm.py), and keeping
    # only the nodes that highways use keeps memory small on large extracts.
    for n in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if n.id in need and isinstance(n, osmium.osm.Node) and n.location.valid():
            nodes[n.id] = (n.location.lon, n.location.lat)
    return ways, nodes


def _has_osmium() -> bool:
    try:
        import osmium  # noqa: F401  deferred: osmium (optional, .pbf import only)
    except ImportError:
        return False
    return True


def is_pbf(path: Path) -> bool:
    return path.name.lower().endswith(".pbf")


def read_osm(path: Path, reader: str = "auto") -> tuple[list[Way], dict[int, tuple[float, float]]]:
    """Highway ways and the locations of the nodes they use (lon, lat).

    ``reader``: ``auto`` (pyosmium for .pbf, the standard library for XML), ``osmium`` or
    ``stdlib``. Raises ScenarioError naming the file for anything unreadable.
    """
    name = str(path)
    if not path.exists():
        raise ScenarioError([Problem(name, _("file not found"))])
    if path.is_dir():
        raise ScenarioError([Problem(name, _("is a folder, not an OpenStreetMap extract"))])
    use_osmium = reader == "osmium" or (reader == "auto" and is_pbf(path))
    if use_osmium and not _has_osmium():
        raise ScenarioError([Problem(name, _("reading .osm.pbf needs pyosmium: pip install "
                                       "'gridmuster[osm]' (or convert the file to .osm XML)"))])
    try:
        ways, nodes = _read_osmium(path) if use_osmium else _read_xml_stdlib(path)
    except Exception as exc:  # osmium: RuntimeError; XML: ParseError; numbers: ValueError
        raise ScenarioError([Problem(name, _("not a readable OpenStreetMap extract (.osm XML or "
                                       ".osm.pbf): {why}", why=_one_line(exc)[:200]))]) from None
    if not ways:
        raise ScenarioError([Problem(name, _("no highway ways in this file: is it an "
                                       "OpenStreetMap extract of a road network?"))])
    return ways, nodes


# ---------------------------------------------------------------------------------- building

def build_graph(ways: list[Way], nodes: dict[int, tuple[float, float]], mode: str = "all",
                speeds: dict[str, float] | None = None, use_maxspeed: bool = True,
                source: str = "") -> tuple[nx.Graph, ImportReport]:
    """The largest connected road component, in metres, with length, speed and travel time."""
    if mode not in MODES:
        raise ScenarioError([Problem("--mode", _("must be one of {values}", values=", ".join(MODES)),
                                     mode)])
    import networkx as nx  # deferred: networkx is ~0.15 s of start-up (--help needs none)

    table = {**DEFAULT_SPEEDS_KMH, **(speeds or {})}
    rep = ImportReport(source=source, mode=mode, highway_ways=len(ways))
    g = nx.Graph()
    classes: Counter[str] = Counter()
    for w in ways:
        if not keep_way(w.tags, mode):
            continue
        rep.ways_kept += 1
        classes[w.tags["highway"]] += 1
        if any(r not in nodes for r in w.refs):
            rep.clipped_ways += 1
        speed = way_speed(w.tags, table, use_maxspeed)
        for a, b in zip(w.refs, w.refs[1:], strict=False):
            if a not in nodes or b not in nodes:
                rep.segments_dropped_clipped += 1
                continue
            if a == b:
                continue
            length = haversine_m(*nodes[a], *nodes[b])
            if not length > 0:  # two OSM nodes at one spot: merge-free, just skip
                continue
            sa, sb = str(a), str(b)
            if g.has_edge(sa, sb) and g.edges[sa, sb]["length_m"] <= length:
                continue
            attrs: dict[str, Any] = {"length_m": length, "speed_kmh": speed,
                                     "highway": w.tags["highway"], "osmid": w.id}
            if w.tags.get("name"):
                attrs["name"] = w.tags["name"]
            g.add_edge(sa, sb, **attrs)
    rep.classes = dict(classes.most_common())
    if g.number_of_nodes() == 0:
        raise ScenarioError([Problem(source or "(file)", _("no usable roads for mode {mode}",
                                                                 mode=mode))])
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    rep.components = len(comps)
    rep.nodes_outside_largest = g.number_of_nodes() - len(comps[0])
    g = nx.Graph(g.subgraph(comps[0]))

    lons = [nodes[int(n)][0] for n in g.nodes]
    lats = [nodes[int(n)][1] for n in g.nodes]
    proj = Projection(round((min(lons) + max(lons)) / 2, 7), round((min(lats) + max(lats)) / 2, 7))
    out = nx.Graph()
    out.graph.update(proj.attrs())
    out.graph.update({"source": Path(source).name, "mode": mode,
                      "attribution": "© OpenStreetMap contributors, ODbL 1.0"})
    for n in sorted(g.nodes, key=int):  # a stable order, whatever order the file had
        lon, lat = nodes[int(n)]
        x, y = proj.forward(lon, lat)
        # No elevation_m: OSM has none, and an evacuation must not take it as 0 m.
        out.add_node(n, x=round(float(x), 2), y=round(float(y), 2), lon=lon, lat=lat)
    for a, b, d in sorted(g.edges(data=True), key=lambda e: (int(e[0]), int(e[1]))):
        length = round(d["length_m"], 3)
        d = {**d, "length_m": length,
             "travel_min": round(length / (d["speed_kmh"] * 1000 / 60), 6)}
        out.add_edge(a, b, **d)
    rep.nodes, rep.edges = out.number_of_nodes(), out.number_of_edges()
    rep.total_length_m = float(sum(d["length_m"] for _, _, d in out.edges(data=True)))
    return out, rep


def import_osm(path: Path, mode: str = "all", speeds: dict[str, float] | None = None,
               use_maxspeed: bool = True, reader: str = "auto") -> tuple[nx.Graph, ImportReport]:
    ways, nodes = read_osm(path, reader)
    return build_graph(ways, nodes, mode, speeds, use_maxspeed, str(path))


def parse_speed_overrides(items: list[str]) -> dict[str, float]:
    """``["residential=25", "service=10"]`` → {...}; ScenarioError naming ``--speed``."""
    out: dict[str, float] = {}
    problems = []
    for item in items:
        key, sep, val = item.partition("=")
        try:
            v = float(val)
        except ValueError:
            v = float("nan")
        if not sep or not key.strip() or not (v > 0 and math.isfinite(v)):
            problems.append(Problem("--speed", _("expected CLASS=KMH with KMH > 0, e.g. "
                                      "residential=25"), item))
            continue
        out[key.strip()] = v
    if problems:
        raise ScenarioError(problems)
    return out


def write_graphml(g: nx.Graph, path: Path) -> None:
    import networkx as nx  # deferred: networkx is ~0.15 s of start-up (--help needs none)

    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(g, path)
