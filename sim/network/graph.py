"""Road network: a synthetic town generator, GraphML loading, and travel-time tables.

Shortest paths are computed once per network state, from every destination to all nodes at
once (scipy's csgraph Dijkstra), never one search per agent.

A synthetic town is held in a ``RoadGraph`` (plain dicts with the part of networkx's ``Graph``
interface the project uses), so that loading and validating it does not import networkx
(~0.15 s of every command's start-up); GraphML is read with networkx.
"""

from __future__ import annotations

import bz2
import gzip
import io
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.parsers import expat

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from sim.core.errors import Problem, ScenarioError
from sim.core.forces import Grid
from sim.core.limits import DATA_FILE_BYTES, NETWORK_EDGES, NETWORK_NODES, BoundaryModel, confine
from sim.network.geo import Projection
from sim.present.i18n import _

if TYPE_CHECKING:
    import networkx as nx
    from scipy.sparse import csr_matrix

MAIN_ROAD_KMH = 60.0
STREET_KMH = 30.0


class SyntheticTown(BoundaryModel):
    """Villages as small street lattices, joined by main roads between neighbouring villages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    villages: int = Field(ge=1, le=400)
    nodes_per_village: int = Field(default=9, ge=1, le=400)
    village_spacing_m: float = Field(default=1500.0, gt=0)
    street_m: float = Field(default=150.0, gt=0)
    seed: int = 0
    low_side_elevation_m: float = Field(default=2.0, description="elevation at the river side")
    high_side_elevation_m: float = Field(default=12.0, description="elevation at the far side")


class NetworkSpec(BoundaryModel):
    """Exactly one of ``synthetic`` or ``graphml`` (a path relative to the scenario file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    synthetic: SyntheticTown | None = None
    graphml: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> NetworkSpec:
        if (self.synthetic is None) == (self.graphml is None):
            raise ValueError("give exactly one of 'synthetic' or 'graphml'")
        return self


class _NodeView:
    """``graph.nodes``: iterate the ids, ``nodes[n]`` the attributes, ``nodes(data=True)``."""

    def __init__(self, node: dict[str, dict[str, Any]]) -> None:
        self._node = node

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __contains__(self, n: object) -> bool:
        return n in self._node

    def __getitem__(self, n: str) -> dict[str, Any]:
        return self._node[n]

    def __call__(self, data: bool = False) -> Iterator[Any]:
        return iter(self._node.items()) if data else iter(self._node)


class _EdgeView:
    """``graph.edges``: each undirected edge once, in networkx's order (by first node, then by
    neighbour as added); ``edges[a, b]`` the attributes, ``edges(data=True)``."""

    def __init__(self, adj: dict[str, dict[str, dict[str, Any]]]) -> None:
        self._adj = adj

    def __call__(self, data: bool = False) -> Iterator[Any]:
        seen: set[str] = set()
        for n, nbrs in self._adj.items():
            for nbr, d in nbrs.items():
                if nbr not in seen:
                    yield (n, nbr, d) if data else (n, nbr)
            seen.add(n)

    def __iter__(self) -> Iterator[Any]:
        return self()

    def __len__(self) -> int:
        return sum(1 for _ in self())

    def __getitem__(self, ab: tuple[str, str]) -> dict[str, Any]:
        return self._adj[ab[0]][ab[1]]


class RoadGraph:
    """An undirected road graph in plain dicts, with the part of networkx's ``Graph``
    interface the project uses (``add_node``, ``add_edge``, ``has_edge``, ``nodes``, ``edges``,
    ``graph`` attributes) and the same order of nodes and edges, so that code written for
    either reads both; ``to_networkx`` gives the real thing for graph algorithms."""

    def __init__(self) -> None:
        self.graph: dict[str, Any] = {}
        self._node: dict[str, dict[str, Any]] = {}
        self._adj: dict[str, dict[str, dict[str, Any]]] = {}

    def add_node(self, n: str, **attr: Any) -> None:
        if n not in self._node:
            self._node[n], self._adj[n] = {}, {}
        self._node[n].update(attr)

    def add_edge(self, a: str, b: str, **attr: Any) -> None:
        for n in (a, b):
            if n not in self._node:
                self.add_node(n)
        d = self._adj[a].get(b, {})
        d.update(attr)
        self._adj[a][b] = self._adj[b][a] = d  # one attribute dict, as networkx keeps it

    def has_edge(self, a: str, b: str) -> bool:
        return a in self._adj and b in self._adj[a]

    @property
    def nodes(self) -> _NodeView:
        return _NodeView(self._node)

    @property
    def edges(self) -> _EdgeView:
        return _EdgeView(self._adj)

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return len(self.edges)

    def __len__(self) -> int:
        return len(self._node)

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __contains__(self, n: object) -> bool:
        return n in self._node

    def to_networkx(self) -> nx.Graph:
        import networkx as nx  # deferred: networkx is ~0.15 s of start-up (algorithms only)

        g = nx.Graph()
        g.graph.update(self.graph)
        g.add_nodes_from((n, dict(d)) for n, d in self._node.items())
        g.add_edges_from((a, b, dict(d)) for a, b, d in self.edges(data=True))
        return g


def components(g: nx.Graph | RoadGraph) -> list[set[str]]:
    """Connected components, each found from its first node in node order (as networkx's
    ``connected_components``)."""
    adj: dict[str, list[str]] = {n: [] for n in g.nodes}
    for a, b in g.edges():
        adj[a].append(b)
        adj[b].append(a)
    seen: set[str] = set()
    out = []
    for n in g.nodes:
        if n in seen:
            continue
        comp, stack = {n}, [n]
        while stack:
            for m in adj[stack.pop()]:
                if m not in comp:
                    comp.add(m)
                    stack.append(m)
        seen |= comp
        out.append(comp)
    return out


def village_node(v: int, k: int = 0) -> str:
    """Node id in a synthetic town: ``V3`` is village 3's centre, ``V3-5`` another node of it."""
    return f"V{v}" if k == 0 else f"V{v}-{k}"


def synthetic_town(spec: SyntheticTown) -> RoadGraph:
    rng = np.random.default_rng(spec.seed)
    g = RoadGraph()
    cols = math.ceil(math.sqrt(spec.villages))
    side = math.ceil(math.sqrt(spec.nodes_per_village))
    span_x = max(cols - 1, 1) * spec.village_spacing_m
    for v in range(1, spec.villages + 1):
        row, col = divmod(v - 1, cols)
        jitter = rng.uniform(-0.15, 0.15, 2) * spec.village_spacing_m
        cx = col * spec.village_spacing_m + jitter[0]
        cy = row * spec.village_spacing_m + jitter[1]
        # Lattice cells around the centre, centre first so that k=0 is the village centre.
        cells = sorted(
            ((i - side // 2, j - side // 2) for i in range(side) for j in range(side)),
            key=lambda c: (abs(c[0]) + abs(c[1]), c),
        )[: spec.nodes_per_village]
        ids = {}
        for k, (i, j) in enumerate(cells):
            x = cx + i * spec.street_m
            y = cy + j * spec.street_m
            # Ground falls towards the river at x = 0; a little noise makes low spots.
            elev = spec.low_side_elevation_m + (
                spec.high_side_elevation_m - spec.low_side_elevation_m
            ) * (x / span_x if span_x else 0.5)
            elev = float(max(elev + rng.normal(0, 0.5), 0.0))
            ids[(i, j)] = village_node(v, k)
            g.add_node(ids[(i, j)], x=float(x), y=float(y), elevation_m=elev, village=v)
        for (i, j), a in ids.items():
            for di, dj in ((1, 0), (0, 1)):
                b = ids.get((i + di, j + dj))
                if b is not None:
                    g.add_edge(a, b, length_m=float(spec.street_m), speed_kmh=STREET_KMH)
    for v in range(1, spec.villages + 1):
        row, col = divmod(v - 1, cols)
        for nb in (v + 1 if col + 1 < cols else None, v + cols):
            if nb is None or nb > spec.villages:
                continue
            a, b = village_node(v), village_node(nb)
            d = math.dist(_xy(g, a), _xy(g, b)) * 1.15  # roads wind a little
            g.add_edge(a, b, length_m=float(d), speed_kmh=MAIN_ROAD_KMH)
    return g


def _xy(g: nx.Graph | RoadGraph, n: str) -> tuple[float, float]:
    return (g.nodes[n]["x"], g.nodes[n]["y"])


def _open_graphml(path: Path) -> IO[bytes] | gzip.GzipFile | bz2.BZ2File:
    """The file's bytes, decompressed by its suffix as networkx does (``.gz``, ``.bz2``)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def graphml_bytes(path: Path, field_path: str = "network.graphml") -> bytes:
    """The (decompressed) GraphML text of a file, checked against the input limits while it
    streams: refused as soon as it passes ``data_file_bytes`` once decompressed (a 4 MB
    ``.gz`` can expand to gigabytes), or holds more than ``network_nodes`` nodes or
    ``network_edges`` edges, before any graph is built. Elements are counted by expat as the
    bytes arrive, so time and memory stay bounded whatever the file holds."""

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(field_path, message, str(path))])

    counts = {"node": 0, "edge": 0}

    def start(name: str, _attrs: Any) -> None:
        local = name.rpartition(":")[2]
        if local in counts:
            counts[local] += 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    chunks: list[bytes] = []
    total = 0
    try:
        with _open_graphml(path) as fh:
            while chunk := fh.read(1 << 20):
                total += len(chunk)
                if total > DATA_FILE_BYTES:
                    raise refuse(_("expands to more than {n} bytes (the data_file_bytes limit)",
                                   n=f"{DATA_FILE_BYTES:,}"))
                parser.Parse(chunk, False)
                if counts["node"] > NETWORK_NODES:
                    raise refuse(_("more than {n} nodes (the network_nodes limit)",
                                   n=f"{NETWORK_NODES:,}"))
                if counts["edge"] > NETWORK_EDGES:
                    raise refuse(_("more than {n} edges (the network_edges limit)",
                                   n=f"{NETWORK_EDGES:,}"))
                chunks.append(chunk)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise refuse(_("not a readable GraphML file: {why}", why=str(exc))) from None
    except (OSError, EOFError, zlib.error) as exc:  # a broken .gz/.bz2, or a read error
        raise refuse(_("not a readable GraphML file: {why}", why=str(exc) or type(exc).__name__)
                     ) from None
    return b"".join(chunks)


def read_raw_graphml(path: Path, field_path: str = "network.graphml") -> nx.Graph:
    """A GraphML file as networkx reads it (every attribute kept), within the input limits
    (:func:`graphml_bytes`)."""
    import networkx as nx  # deferred: networkx is ~0.15 s of start-up (--help needs none)

    data = graphml_bytes(path, field_path)
    try:
        return nx.read_graphml(io.BytesIO(data))
    except MemoryError:
        raise  # not a broken file: the top level says what ran out
    except Exception as exc:  # networkx raises several types for corrupt files
        raise ScenarioError(
            [Problem(field_path, _("not a readable GraphML file: {why}",
                                   why=str(exc) or type(exc).__name__), str(path))]
        ) from None


def load_graphml(path: Path, field_path: str = "network.graphml") -> nx.Graph:
    """Read a GraphML road network (``.graphml``, or ``.graphml.gz``); accept osmnx names
    (``length``, ``speed_kph``)."""
    if not path.exists():
        raise ScenarioError([Problem(field_path, "file not found", str(path))])
    import networkx as nx  # deferred: networkx is ~0.15 s of start-up (--help needs none)

    raw = read_raw_graphml(path, field_path)
    g = nx.Graph()
    # Graph attributes, e.g. the projection of an imported OpenStreetMap network.
    g.graph.update({k: v for k, v in raw.graph.items() if k not in ("node_default", "edge_default")})
    problems: list[Problem] = []
    for n, d in raw.nodes(data=True):
        try:
            x, y = float(d.get("x", 0.0)), float(d.get("y", 0.0))
            elev = d.get("elevation_m", d.get("elevation"))
            attrs = {} if elev is None else {"elevation_m": float(elev)}
        except (TypeError, ValueError):
            problems.append(Problem(field_path, _("node {n} has a non-numeric x/y/elevation",
                                                  n=repr(n))))
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            problems.append(Problem(field_path, _("node {n} has no usable coordinates (x/y "
                                                  "must be finite numbers)", n=repr(n)),
                                    (d.get("x"), d.get("y"))))
            continue
        if "elevation_m" in attrs and not math.isfinite(attrs["elevation_m"]):
            problems.append(Problem(field_path, _("node {n} has a non-finite elevation",
                                                  n=repr(n)), elev))
            continue
        g.add_node(str(n), x=x, y=y, **attrs)
    if not problems and looks_lonlat(g):
        project_lonlat(g)
    for a, b, d in raw.edges(data=True):
        length = d.get("length_m", d.get("length"))
        speed = d.get("speed_kmh", d.get("speed_kph", STREET_KMH))
        try:
            length, speed = float(length), float(speed)
        except (TypeError, ValueError):
            problems.append(Problem(field_path, _("edge {a}-{b} needs numeric length_m",
                                                  a=repr(a), b=repr(b)), length))
            continue
        if not (length > 0 and math.isfinite(length)) or not (speed > 0 and math.isfinite(speed)):
            problems.append(
                Problem(field_path, _("edge {a}-{b} needs positive length and speed",
                                      a=repr(a), b=repr(b)), (length, speed))
            )
            continue
        a, b = str(a), str(b)
        if g.has_edge(a, b) and g.edges[a, b]["length_m"] <= length:
            continue  # parallel edges: keep the shortest
        g.add_edge(a, b, length_m=length, speed_kmh=speed)
    if problems:
        raise ScenarioError(problems)
    return g


LONLAT_CRS = ("epsg:4326", "wgs84", "wgs 84", "+proj=longlat", "+proj=lonlat", "crs84")
LONLAT_NOTE = ("coordinates look like longitude/latitude; projected to metres (local tangent "
               "plane about the network's centre)")


def looks_lonlat(g: nx.Graph | RoadGraph) -> bool:
    """Whether node x/y are degrees: a ``crs`` saying so (as osmnx writes an unprojected graph),
    or, with no projection stated, every x in [-180, 180] and y in [-90, 90] with an extent of
    at most 1° (a town measured in metres is never under a metre across)."""
    crs = str(g.graph.get("crs", "")).lower().replace("_", " ")
    if any(c in crs for c in LONLAT_CRS):
        return True
    if crs or "lon0" in g.graph or len(g) < 2:
        return False  # a stated projection (osmnx UTM, our import) is metres
    xy = np.array([(d["x"], d["y"]) for _, d in g.nodes(data=True)], dtype=float)
    span = float((xy.max(axis=0) - xy.min(axis=0)).max())
    return bool((np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
                and 0 < span <= 1.0)


def project_lonlat(g: nx.Graph | RoadGraph) -> None:
    """Project lon/lat nodes to metres in place (a local tangent plane about the centre,
    ``sim.network.geo.Projection``); the degrees are kept as ``lon``/``lat`` and the note says so."""
    lon = np.array([d["x"] for _, d in g.nodes(data=True)], dtype=float)
    lat = np.array([d["y"] for _, d in g.nodes(data=True)], dtype=float)
    proj = Projection(round(float(lon.min() + lon.max()) / 2, 7),
                      round(float(lat.min() + lat.max()) / 2, 7))
    x, y = proj.forward(lon, lat)
    for (_node, d), xi, yi, lo, la in zip(g.nodes(data=True), x, y, lon, lat, strict=True):
        d.update(x=float(xi), y=float(yi), lon=float(lo), lat=float(la))
    g.graph.update(proj.attrs())
    g.graph["note"] = LONLAT_NOTE


@dataclass
class RoadNetwork:
    """A validated road graph with index arrays for fast travel-time tables. The graph is a
    networkx ``Graph`` or a ``RoadGraph`` (the same interface, as far as the project uses it)."""

    graph: nx.Graph | RoadGraph
    nodes: list[str] = field(init=False)
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = list(self.graph.nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self._tables: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._nearest: dict[tuple[str, ...], np.ndarray] = {}

    @classmethod
    def from_spec(cls, spec: NetworkSpec, base_dir: Path) -> RoadNetwork:
        if spec.synthetic is not None:
            return cls(synthetic_town(spec.synthetic))
        assert spec.graphml is not None
        # Confined again here (the loader checked it too): the one place a GraphML is opened,
        # and where the data folder ($GRIDMUSTER_DATA_DIR) is looked in.
        return cls(load_graphml(confine(base_dir, spec.graphml, "network.graphml")))

    @property
    def notes(self) -> list[str]:
        """What was done to the input on reading it (e.g. lon/lat projected to metres)."""
        note = self.graph.graph.get("note")
        return [str(note)] if note else []

    def problems(self, field_path: str = "network") -> list[Problem]:
        g = self.graph
        if g.number_of_nodes() == 0:
            return [Problem(field_path, "road network has no nodes")]
        comps = components(g)
        if len(comps) > 1:
            comps.sort(key=len, reverse=True)
            stray = sorted(comps[1])[:3]
            return [
                Problem(
                    field_path,
                    f"road network is not connected: {len(comps)} components; e.g. nodes "
                    f"{stray} cannot reach the main network",
                )
            ]
        return []

    @cached_property
    def xy(self) -> np.ndarray:
        return np.array([_xy(self.graph, n) for n in self.nodes], dtype=float)

    @cached_property
    def _edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows, cols, length, speed = [], [], [], []
        for a, b, d in self.graph.edges(data=True):
            rows.append(self.index[a])
            cols.append(self.index[b])
            length.append(d["length_m"])
            speed.append(d["speed_kmh"])
        return (np.array(rows, int), np.array(cols, int), np.array(length), np.array(speed))

    def _csr(self, weights: np.ndarray) -> csr_matrix:
        from scipy.sparse import (
            csr_matrix,  # deferred: scipy.sparse is ~0.3 s of start-up (--help needs none)
        )

        r, c, _, _ = self._edges
        n = len(self.nodes)
        return csr_matrix((weights, (r, c)), shape=(n, n))

    def length_matrix(self) -> csr_matrix:
        return self._csr(self._edges[2])

    def edge_minutes(self, speed_kmh: float) -> np.ndarray:
        """Minutes to drive/walk each edge (in ``_edges`` order) at a speed capped by the road."""
        _, _, length, road = self._edges
        return length / (np.minimum(road, speed_kmh) * 1000.0 / 60.0)

    def travel_minutes(self, destinations: list[str], speed_kmh: float) -> np.ndarray:
        """Minutes from every node to each destination, at ``speed_kmh`` capped by road speeds.

        Returns an array ``(len(destinations), n_nodes)``; computed once and cached.
        """
        return self.travel_tables(destinations, speed_kmh)[0]

    def travel_tables(self, destinations: list[str], speed_kmh: float,
                      closed: frozenset[tuple[str, str]] = frozenset()
                      ) -> tuple[np.ndarray, np.ndarray]:
        """(minutes, next hop) from every node to each destination, with some roads closed.

        ``next_hop[d, u]`` is the node after ``u`` on a shortest route from ``u`` to
        destination ``d`` (-9999 where there is none): a Dijkstra rooted at the destination
        gives every node's way there at once, since roads are two-way.
        """
        dest = tuple(self.index[d] for d in destinations)
        key = (speed_kmh, dest, closed)
        if key not in self._tables:
            from scipy.sparse import (
                csr_matrix,  # deferred: scipy.sparse is ~0.3 s of start-up (--help needs none)
            )
            from scipy.sparse.csgraph import (
                dijkstra,  # deferred: scipy.sparse is ~0.3 s of start-up (--help needs none)
            )

            r, c, _, _ = self._edges
            minutes = self.edge_minutes(speed_kmh)
            keep = np.ones(len(r), dtype=bool)
            if closed:
                shut = {frozenset((self.index[a], self.index[b])) for a, b in closed}
                keep = np.array([frozenset((a, b)) not in shut for a, b in zip(r, c, strict=True)],
                                dtype=bool)
            n = len(self.nodes)
            graph = csr_matrix((minutes[keep], (r[keep], c[keep])), shape=(n, n))
            self._tables[key] = dijkstra(graph, directed=False, indices=list(dest),
                                         return_predecessors=True)
        return self._tables[key]

    def edge_lookup(self, speed_kmh: float) -> dict[tuple[int, int], float]:
        """Minutes per edge by (node index, node index), both directions."""
        r, c, _, _ = self._edges
        minutes = self.edge_minutes(speed_kmh)
        out = {}
        for a, b, m in zip(r, c, minutes, strict=True):
            out[(int(a), int(b))] = out[(int(b), int(a))] = float(m)
        return out

    def nearest_of(self, sources: list[str]) -> np.ndarray:
        """For each node, the position in ``sources`` of the nearest source by road length
        (kept: every plan of a scenario asks again with the same grid centres)."""
        key = tuple(sources)
        if key not in self._nearest:
            from scipy.sparse.csgraph import (
                dijkstra,  # deferred: scipy.sparse is ~0.3 s of start-up (--help needs none)
            )

            _, _, owner = dijkstra(
                self.length_matrix(), directed=False, indices=[self.index[s] for s in sources],
                min_only=True, return_predecessors=True,
            )
            pos = {self.index[s]: k for k, s in enumerate(sources)}
            if len(self._nearest) >= 8:  # bounded: grids edited in the dashboard make new keys
                self._nearest.clear()
            self._nearest[key] = np.array([pos[int(o)] for o in owner], dtype=int)
        return self._nearest[key].copy()

    def snap(self, x: float, y: float) -> tuple[str, float]:
        """Nearest node to a point and the straight-line distance to it in metres."""
        d = np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)
        i = int(np.argmin(d))
        return self.nodes[i], float(d[i])


def grid_nodes(grids: list[Grid], network: RoadNetwork) -> list[str]:
    """Each grid's centre node: its ``node``, or the nearest node to its ``centre``."""
    out = []
    for g in grids:
        if g.node is not None:
            out.append(g.node)
        else:
            assert g.centre is not None
            out.append(network.snap(*g.centre)[0])
    return out
