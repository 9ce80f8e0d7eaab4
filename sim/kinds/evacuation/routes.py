"""Shortest routes to the shelters over the open roads of each flood state (``hazard``), per
mode: the shelters nearest a node (from which ``shelters`` picks the nearest open one with
room), the route there a hop at a time, and the minutes from a squad's base. Built on first
use of a state and shared by every replication of a plan in a process (what they compute on
demand is kept in ``route_memory``'s bounded caches)."""

from __future__ import annotations

import hashlib
import math
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.kinds.evacuation.hazard import FloodState
from sim.kinds.evacuation.route_memory import (
    BASE_ROWS_BYTES,
    DENSE_ROWS_BYTES,
    FAR_ROWS_BYTES,
    GRAPH_BYTES,
    GraphCache,
    Memos,
    RowCache,
)
from sim.network.graph import RoadNetwork

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

CHUNK_ENTRIES = 2_000_000  # (shelter, node) pairs searched at once when building a table
NO_HOP_16 = 2**16 - 1  # a table's next hop of none, where node indices fit in 16 bits
FULL_TABLE_ENTRIES = 1_000_000  # (shelter, node) pairs up to which tables have no limit (~12 MB)


def dijkstra(graph: csr_matrix, **kwargs: Any) -> Any:
    """scipy's csgraph Dijkstra, imported on first use so that ``gridmuster validate`` and
    ``--help`` (which import this module through the verification library) need no scipy."""
    from scipy.sparse.csgraph import dijkstra as run  # deferred: scipy.sparse is ~0.3 s of start-up

    return run(graph, **kwargs)


def both_ways(graph: csr_matrix) -> csr_matrix:
    """The undirected ``graph`` as a directed one listing, at each node, its own row's roads
    and then the transpose's, in the order in which csgraph's undirected Dijkstra scans them:
    a directed search of it is the undirected search of ``graph``, bit for bit (distances and
    next hops, ties included; ``tests/test_model_fast_paths``), without csgraph transposing
    the graph on every call (most of a small limited search's cost)."""
    from scipy.sparse import csr_matrix  # deferred: scipy.sparse is ~0.3 s of start-up

    n = graph.shape[0]
    gt = graph.T.tocsr()
    own, other = np.diff(graph.indptr), np.diff(gt.indptr)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(own + other, out=indptr[1:])
    # Each row: its own roads first, then the transpose's, each in their order (no sort).
    at_own = np.arange(graph.indices.size) + np.repeat(indptr[:-1] - graph.indptr[:-1], own)
    at_other = np.arange(gt.indices.size) + np.repeat(indptr[:-1] + own - gt.indptr[:-1], other)
    data = np.empty(indptr[-1])
    indices = np.empty(indptr[-1], dtype=graph.indices.dtype)
    data[at_own], data[at_other] = graph.data, gt.data
    indices[at_own], indices[at_other] = graph.indices, gt.indices
    return csr_matrix((data, indices, indptr), shape=(n, n))


def _find(at: np.ndarray, node: int) -> int:
    """Where ``node`` is or would be in ascending node indices ``at`` (16 or 32 bits). The
    node is passed in the array's own type: a Python int would have numpy convert the whole
    array to 64 bits first (~7 µs for 30,000 nodes instead of ~1 µs)."""
    return int(at.searchsorted(at.dtype.type(node)))


def _minutes_of(at: np.ndarray, dist: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The minutes of each of ``nodes`` in a sparse row (``at`` ascending, ``dist``); inf
    where the row does not hold one, as in a dense row. (The nodes in the row's own integer
    type, as in ``_find``.)"""
    if not at.size:
        return np.full(len(nodes), math.inf)
    k = np.minimum(at.searchsorted(np.asarray(nodes).astype(at.dtype)), at.size - 1)
    return np.where(at[k] == nodes, dist[k], math.inf)


class RouteTable:
    """Shortest paths of one mode in one state from each shelter, kept only within ``limit``
    minutes of the shelter (walk: at 1 km/h), in compact arrays.

    A planner's question at a node is "the nearest open shelter with room": the few shelters
    within the limit answer it; when none of them does (all full, closed, or tied at the
    limit), the full rows of the shelters that could still take them decide (``full``), so the
    answer is always the one of the full table. Distances within the limit are the full
    table's, bit for bit (Dijkstra settles nodes in order of distance, so the nodes within the
    limit are settled as without it), and so are the next hops (``tests/test_model_fast_paths``
    compares them on lattice towns, where equal routes abound).
    """

    def __init__(self, graph: csr_matrix | None, shelters: Sequence[int],
                 limit: float = math.inf, cache: RowCache | None = None,
                 xy: np.ndarray | None = None, dense: RowCache | None = None,
                 both: csr_matrix | None = None,
                 rebuild: Callable[[], csr_matrix] | None = None,
                 graphs: GraphCache | None = None, memos: Memos | None = None):
        # The open roads, both ways (see ``both_ways``; the undirected one is not kept). With
        # ``rebuild``, not kept either: rebuilt on demand into the shared ``graphs`` (a
        # county's sixty tables would otherwise hold sixty copies of its roads).
        if both is None:
            assert graph is not None
            both = both_ways(graph)
        self._rebuild = rebuild
        self._graphs = graphs if graphs is not None else GraphCache()
        self._both: csr_matrix | None = None if rebuild is not None else both
        if rebuild is not None:
            self._graphs.put(id(self), both)
        self.shelters = list(shelters)
        self.xy = xy
        self._per_metre: float | None = None
        self.cache = cache if cache is not None else RowCache()
        # Dense rows for walking routes: a few dozen at a time (trips that re-plan at one
        # change of the network head for the same few shelters), apart from the far rows so
        # that walking never evicts a search.
        self.dense = dense if dense is not None else RowCache(DENSE_ROWS_BYTES)
        self.version = 0
        self._memos = memos if memos is not None else Memos()
        self._cand_memo, self._path_memo = self._memos.candidates, self._memos.paths
        self._far_limit: dict[int, float] = {}  # per shelter: the limit of its far row
        self._total: float | None = None
        self._parts: np.ndarray | None = None  # (``parts``)
        self._compute(limit)

    @classmethod
    def from_dense(cls, dist: np.ndarray, pred: np.ndarray) -> RouteTable:
        """A table from full (shelters, nodes) arrays (tests: hand-made distances)."""
        self = cls.__new__(cls)
        self.shelters, self._both, self._rebuild, self._graphs = [], None, None, GraphCache()
        self.xy, self._per_metre = None, 0.0
        self.cache, self.version, self._memos = RowCache(), 0, Memos()
        self._cand_memo, self._path_memo = self._memos.candidates, self._memos.paths
        self._far_limit, self._total, self._parts = {}, None, None
        self.dense = RowCache(DENSE_ROWS_BYTES)
        dist = np.asarray(dist, dtype=float)
        sh, nodes = np.nonzero(np.isfinite(dist))
        self._store(dist.shape[0], dist.shape[1], [(sh, nodes.astype(np.int32), dist[sh, nodes],
                                                    np.asarray(pred)[sh, nodes].astype(np.int32))],
                    math.inf)
        return self

    @property
    def graph(self) -> csr_matrix:
        """The open roads, both ways (see ``both_ways``): kept, or rebuilt on demand."""
        if self._both is not None:
            return self._both
        assert self._rebuild is not None, "a table from dense arrays has no roads"
        got = self._graphs.get(id(self))
        if got is None:
            got = self._rebuild()
            self._graphs.put(id(self), got)
        return got

    def search(self, **kwargs: Any) -> Any:
        """csgraph's undirected Dijkstra over the open roads (see ``both_ways``)."""
        return dijkstra(self.graph, directed=True, **kwargs)

    def parts(self) -> np.ndarray:
        """Each node's part of the open roads (nodes of one part reach each other, and no
        other): a search that cannot reach any of its targets is not made at all. (Without
        it, a squad whose waiting households were all cut off by water doubled its search
        thirteen times, to the whole town, at every request: 10 s of a replication at 300
        grids.)"""
        if self._parts is None:
            from scipy.sparse.csgraph import connected_components  # deferred: as ``dijkstra``

            _, labels = connected_components(self.graph, directed=False)
            self._parts = labels.astype(np.int32)
        return self._parts

    def _compute(self, limit: float) -> None:
        # Searched in chunks of shelters, keeping only what is within the limit: each source is
        # searched on its own (the same as at once), and the dense (shelters, nodes) arrays of
        # a county never exist at once (~33 MB a table at 300 grids: the worker's peak).
        n = self.graph.shape[0]
        step = max(CHUNK_ENTRIES // max(n, 1), 1)
        parts = []
        for a in range(0, len(self.shelters), step):
            dist, pred = self.search(indices=self.shelters[a:a + step],
                                  return_predecessors=True, limit=limit)
            flat = np.flatnonzero(np.isfinite(dist))  # by shelter, then node
            sh, nodes = np.divmod(flat, n)
            parts.append((sh + a, nodes.astype(np.int32), dist.ravel()[flat],
                          pred.ravel()[flat].astype(np.int32)))
        self._store(len(self.shelters), n, parts, limit)

    def _store(self, n_shelters: int, n_nodes: int,
               parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
               limit: float) -> None:
        """Keeps (shelter, node, minutes, next hop) entries, ordered by shelter then node,
        and an index ordering each node's entries nearest first (equals by shelter index)."""
        self.limit = limit
        self.n_shelters, self.n_nodes = n_shelters, n_nodes
        # Memo keys: node (candidates) or shelter × nodes + node (paths, columns) from here.
        self._key0 = self._memos.first_key(max(n_shelters, 1) * n_nodes)
        sh = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        nodes = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        d = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
        pred = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, np.int32)
        self._sh_ptr = np.searchsorted(sh, np.arange(self.n_shelters + 1))
        # Node indices in 16 bits where they fit (a town's tables: 16 of 20 bytes an entry
        # instead; a next hop of none, at the shelter itself, is then NO_HOP_16).
        small = n_nodes <= NO_HOP_16
        self._sh_nodes = nodes.astype(np.uint16 if small else np.int32)
        self._sh_dist = d
        self._sh_pred = np.where(pred < 0, NO_HOP_16, pred).astype(np.uint16) if small \
            else pred.astype(np.int32)
        by_node = np.lexsort((sh, d, nodes))  # per node: nearest first, equals by index
        self._nd_ptr = np.zeros(self.n_nodes + 1, dtype=np.int32 if d.size < 2**31 else np.int64)
        np.cumsum(np.bincount(nodes, minlength=self.n_nodes), out=self._nd_ptr[1:])
        self._nd_idx = by_node.astype(np.int32)  # (into the shelter-ordered entries)
        self.version += 1

    def candidates(self, node: int) -> tuple[list[int], list[float]]:
        """Shelters within the limit of ``node``, nearest first (equals by index), and their
        distances."""
        key, memo = self._key0 + node, self._cand_memo
        got: tuple[list[int], list[float]] | None = memo.young.get(key) or memo.get(key)
        if got is None:
            idx = self._nd_idx[self._nd_ptr[node]:self._nd_ptr[node + 1]]
            sh = np.searchsorted(self._sh_ptr, idx, side="right") - 1
            got = (sh.tolist(), self._sh_dist[idx].tolist())
            memo.put(key, got)
        return got

    def order(self, node: int) -> list[int]:
        return self.candidates(node)[0]

    def row(self, s: int) -> tuple[np.ndarray, np.ndarray]:
        """(minutes, next hop) from every node to shelter ``s``: exact within the limit (every
        node of a shortest route to a shelter within the limit is within it too), inf and
        -9999 beyond."""
        def make() -> tuple[np.ndarray, ...]:
            a, b = self._sh_ptr[s], self._sh_ptr[s + 1]
            dist = np.full(self.n_nodes, math.inf)
            hop = np.full(self.n_nodes, -9999, dtype=np.int32)
            nodes, pred = self._sh_nodes[a:b], self._sh_pred[a:b].astype(np.int32)
            dist[nodes] = self._sh_dist[a:b]
            hop[nodes] = np.where(pred >= self.n_nodes, -9999, pred)  # (NO_HOP_16)
            return dist, hop

        dist, hop = self.dense.get((id(self), self.version, s, "row"), make)
        return dist, hop

    def full_row(self, s: int) -> np.ndarray:
        """Minutes from shelter ``s`` to every node, without limit."""
        if self.limit == math.inf:
            return self.row(s)[0]

        def make() -> tuple[np.ndarray, ...]:
            return (self.search(indices=self.shelters[s]),)

        return self.cache.get((id(self), self.version, s, "dist"), make)[0]

    def full_at(self, s: int, node: int) -> float:
        """Minutes from ``node`` to shelter ``s`` without limit (remembered per node: the
        nodes where trips find their near shelters full ask again and again)."""
        return self.full_within(s, node, math.inf)

    def full_within(self, s: int, node: int, bound: float) -> float:
        """``full_at(s, node)`` where it is at most ``bound``, else inf: a far row is searched
        only as far as the bound (a limited search holds every node within its limit, so a
        row that does not hold the node says it is farther). A fallback asks this of the
        shelters that could tie with the nearest: most are farther, and their full minutes
        took searches over a far wider area. Exact minutes are remembered; an inf is only
        where no search from ``s`` reaches the node, found without a bound."""
        key = self._key0 + s * self.n_nodes + node
        got: float | None = self._memos.columns.get(key)
        if got is None:
            got = _entry(self._reaching(s, node, enough=bound), node)[0]
            if got < math.inf or bound == math.inf:
                self._memos.columns.put(key, got)
        return got if got <= bound else math.inf

    def _sparse(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The table's own row of shelter ``s``: nodes within the limit (ascending), their
        minutes and next hops (views of the compact arrays: no copy)."""
        a, b = self._sh_ptr[s], self._sh_ptr[s + 1]
        return self._sh_nodes[a:b], self._sh_dist[a:b], self._sh_pred[a:b]

    def _reaching(self, s: int, node: int, enough: float = math.inf
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A sparse row of shelter ``s`` (nodes ascending, minutes, next hops) that holds
        ``node`` if any search from ``s`` reaches it: the table's own row if it does, else a
        search from ``s`` with a limit grown by doubling until it does (a limited search is
        the full one within its limit, bit for bit, next hops included: see ``RouteTable``).
        Kept in the shared byte-bounded cache: a far row costs memory in proportion to the
        area it covers, not to the town, which is what keeps a county's worker small. With
        ``enough``: a row whose limit exceeds it is enough, holding the node or not."""
        if s in self.candidates(node)[0]:  # (the shelters whose own rows hold the node)
            return self._sparse(s)
        parts = self.parts()
        if parts[node] != parts[self.shelters[s]]:  # no search reaches it: an empty row
            return np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(0, dtype=np.int32)
        limit = self._far_limit.get(s, 2.0 * self.limit)
        while True:
            lim = limit

            def make(lim: float = lim) -> tuple[np.ndarray, ...]:
                d, p = self.search(indices=self.shelters[s], return_predecessors=True,
                                   limit=lim)
                at = np.flatnonzero(np.isfinite(d)).astype(np.int32)
                return at, d[at], p[at].astype(np.int32)

            nodes, dist, pred = self.cache.get((id(self), self.version, s, f"far{lim!r}"), make)
            k = _find(nodes, node)
            # (Past ``enough`` without the node: the node is farther than ``enough``.)
            if (k < nodes.size and nodes[k] == node) or lim == math.inf or lim > enough:
                self._far_limit[s] = lim
                return nodes, dist, pred
            self.cache.drop((id(self), self.version, s, f"far{lim!r}"))  # (outgrown)
            limit = self.grown(lim, nodes.size)

    def grown(self, limit: float, reached: int) -> float:
        """The next limit of a search grown by doubling (far rows, squads' bases): twice
        ``limit``; no limit (the full search: an unreachable node stays unreached) once that
        would pass the whole town, or when ``limit`` is 0 (a table whose limit is 0: twice 0
        would never grow, and the search would repeat for ever)."""
        if limit > 0.0 and reached < self.n_nodes and 2.0 * limit < self._span():
            return 2.0 * limit
        return math.inf

    def _span(self) -> float:
        """More than any finite distance in the graph (the sum of its finite weights)."""
        if self._total is None:
            w = self.graph.data
            self._total = float(w[np.isfinite(w)].sum()) + 1.0
        return self._total

    def walk(self, s: int, node: int, budget: float) -> tuple[int, float]:
        """From ``node`` along the shortest route to shelter ``s``: the first node reached
        after ``budget`` table minutes, and the table minutes to it. The same as walking the
        full table's row (``_hops``). The route walked so far from each node is remembered
        (trips from the same node re-plan there in every replication), as arrays of node
        indices and minutes (about half the memory of lists of Python numbers)."""
        key, memo = self._key0 + s * self.n_nodes + node, self._path_memo
        path: tuple[array[int], array[float]] | None = memo.young.get(key) or memo.get(key)
        entry: Callable[[int], tuple[float, int]] | None = None
        if path is None:
            entry = self._hops(s, node)
            path = (array("i", (node,)), array("d", (entry(node)[0],)))
            memo.put(key, path)
        nodes, dists = path
        start, i = dists[0], 0
        hop = -1  # the next hop of the route's last known node, once read
        while start - dists[i] < budget:
            if i + 1 == len(nodes):  # the route is known this far: one hop further
                if entry is None:
                    entry = self._hops(s, node)
                if hop == -1:
                    hop = entry(nodes[i])[1]
                if hop < 0:  # at the shelter (only by rounding): stop there
                    break
                minutes, nxt_hop = entry(hop)
                nodes.append(hop)
                dists.append(minutes)
                hop = nxt_hop
            i += 1
        return nodes[i], start - dists[i]

    def _hops(self, s: int, node: int) -> Callable[[int], tuple[float, int]]:
        """(Minutes, next hop) towards ``s`` of any node on the route from ``node``: a town's
        full table reads its dense row (few, small and kept); a county's reads the sparse row
        that holds ``node`` (``_reaching``: the table's own within the limit, else a far one;
        the whole route is in it, being nearer ``s``) a hop at a time, as a dense row costs
        more to make than a route's look-ups and a county's would not stay kept."""
        if self.limit == math.inf:
            dist, hop = self.row(s)
            return lambda v: (float(dist[v]), int(hop[v]))
        row = self._reaching(s, node)
        return lambda v: _entry(row, v)

    def lower_bounds(self, node: int) -> np.ndarray:
        """For each shelter, a lower bound of its minutes from ``node``: the straight line at
        the fewest minutes per metre of any open road, and the triangle inequality through
        four landmarks (the nodes farthest out: |d(l, s) − d(l, node)|), each a little under
        (sums of rounded minutes, landmark distances kept as float32). Zero without
        coordinates. Not remembered: a few vector operations on the shelters (~10 µs) cost
        less than a county's memo of a row per node asked."""
        if self.xy is None:
            return np.zeros(len(self.shelters))
        if self._per_metre is None:
            coo = self.graph.tocoo()
            metres = np.hypot(*(self.xy[coo.row] - self.xy[coo.col]).T)
            ok = metres > 0
            rate = coo.data[ok] / metres[ok]
            self._per_metre = float(rate.min()) * (1.0 - 1e-9) if rate.size else 0.0
            x, y = self.xy[:, 0], self.xy[:, 1]
            marks = sorted({int(np.argmin(x + y)), int(np.argmax(x + y)),
                            int(np.argmin(x - y)), int(np.argmax(x - y))})
            # float32 (half the memory of a county's tables' landmarks): its rounding,
            # under 1e-7 of a value, is well inside the 1e-6 taken off below. Unreached is
            # NaN, not inf: NaN arithmetic raises no floating-point warning (inf − inf does),
            # so no ``np.errstate`` is needed per call (it cost more than the bound).
            d = self.search(indices=marks)
            d[~np.isfinite(d)] = np.nan
            self._marks = d.astype(np.float32)
            d_s = self._marks[:, self.shelters].astype(float)
            # |d_s − d_n| − 1e-6 (d_s + d_n) = max(d_s (1 − 1e-6) − d_n (1 + 1e-6),
            # d_n (1 − 1e-6) − d_s (1 + 1e-6)): the shelters' factors taken once here, so a
            # call is a few vector operations (a county's fallbacks ask ~16,000 times a
            # replication, each at a different node).
            self._marks_lo, self._marks_hi = d_s * (1.0 - 1e-6), d_s * (1.0 + 1e-6)
            self._sh_x, self._sh_y = x[self.shelters], y[self.shelters]
        lb = np.hypot(self._sh_x - self.xy[node, 0], self._sh_y - self.xy[node, 1])
        lb *= self._per_metre
        d_n = self._marks[:, node:node + 1].astype(float)
        # NaN where a landmark misses one; fmax passes NaN over: such a landmark bounds
        # nothing, as 0 did.
        tri = np.maximum(self._marks_lo - d_n * (1.0 + 1e-6), d_n * (1.0 - 1e-6) - self._marks_hi)
        return np.fmax(lb, np.fmax.reduce(tri, axis=0), out=lb)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self._sh_ptr, self._sh_nodes, self._sh_dist,
                                      self._sh_pred, self._nd_ptr, self._nd_idx))



def _entry(row: tuple[np.ndarray, np.ndarray, np.ndarray], node: int) -> tuple[float, int]:
    """(Minutes, next hop) of ``node`` in a sparse row (nodes ascending, minutes, next hops);
    (inf, -9999) where the row does not reach it, as in a dense row."""
    at, dist, pred = row
    k = _find(at, node)
    if k < at.size and at[k] == node:
        hop = int(pred[k])  # (a table's own row in 16 bits says none with NO_HOP_16)
        return float(dist[k]), -9999 if hop == NO_HOP_16 and pred.dtype == np.uint16 else hop
    return math.inf, -9999


@dataclass
class Routes:
    """Routing tables per (state, mode), computed on first use and kept for every replication."""

    network: RoadNetwork
    shelters: list[int]
    tables: dict[tuple[int, str], RouteTable] = field(default_factory=dict)
    seconds: float = 0.0
    computed: int = 0
    # Tables by their road weights: states often differ in one mode only (vehicles slowed,
    # walking unchanged) or in the shelters open, and then share the other mode's table.
    _by_weights: dict[bytes, RouteTable] = field(default_factory=dict)
    cache: RowCache = field(default_factory=lambda: RowCache(FAR_ROWS_BYTES))
    dense: RowCache = field(default_factory=lambda: RowCache(DENSE_ROWS_BYTES))
    bases: RowCache = field(default_factory=lambda: RowCache(BASE_ROWS_BYTES))  # (from_base)
    graphs: GraphCache = field(default_factory=lambda: GraphCache(GRAPH_BYTES))
    memos: Memos = field(default_factory=Memos)
    # Every road both ways, as ``both_ways`` lays them out (road of each entry, columns,
    # row starts), or None where two roads join the same nodes (see ``both_of``).
    _layout: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    _layout_done: bool = False
    _first_at: dict[int, int] = field(default_factory=dict)  # (``_shelter_at``)

    def table(self, state: FloodState, mode: str) -> RouteTable:
        key = (state.index, mode)
        got = self.tables.get(key)
        if got is None:
            weights = state.walk_units if mode == "walk" else state.vehicle_min
            same = hashlib.blake2b(weights.tobytes(), digest_size=16).digest()
            got = self._by_weights.get(same)
            if got is None:
                t0 = time.process_time()
                got = self._by_weights[same] = self._compute(weights)
                self.seconds += time.process_time() - t0
                self.computed += 1
            self.tables[key] = got
        return got

    def from_base(self, state: FloodState, mode: str, base: int, nodes: np.ndarray
                  ) -> np.ndarray:
        """Minutes from a squad base to each of ``nodes``, exact for the nearest of them and
        any that tie with it; others may read inf (beyond the search's limit, so farther).
        A search from the base with a limit, doubled until it reaches one of ``nodes`` (a
        limited search is the full one within its limit, bit for bit): a squad wants the
        nearest waiting household, which is near, and the sparse row kept per state, mode
        and base costs memory in proportion to the area searched, not to the town."""
        table = self.table(state, mode)
        at_shelter = self._shelter_at().get(base)
        if at_shelter is not None:  # the table's own row from there is that search, limited
            at, dist, _ = table._sparse(at_shelter)
            d = _minutes_of(at, dist, nodes)
            # (the nearest within the limit, with every tie: below it, nothing is missed)
            if at.size and (table.limit == math.inf or d.min() < table.limit):
                return d
        key = (id(table), table.version, base, "base")
        got = self.bases.peek(key)
        checked = False
        while True:
            if got is None:
                lim = 2.0 * table.limit if table.limit < math.inf else math.inf
            else:
                at, dist, lims = got
                lim = float(lims[0])
                d = _minutes_of(at, dist, nodes)
                if np.isfinite(d).any() or lim == math.inf:  # (a row holds finite minutes)
                    return d
                lim = table.grown(lim, at.size)
            t0 = time.process_time()
            if not checked:  # none of ``nodes`` reachable: no search would find one
                checked, parts = True, table.parts()
                if not (parts[nodes] == parts[base]).any():
                    self.seconds += time.process_time() - t0
                    return np.full(len(nodes), math.inf)
            d = table.search(indices=base, limit=lim)
            at = np.flatnonzero(np.isfinite(d)).astype(np.int32)
            got = (at, d[at], np.array([lim]))
            self.bases.put(key, got)
            self.seconds += time.process_time() - t0

    def _shelter_at(self) -> dict[int, int]:
        """The first shelter at each shelter node."""
        if not self._first_at and self.shelters:
            for s, n in enumerate(self.shelters):
                self._first_at.setdefault(int(n), s)
        return self._first_at

    def both_of(self, weights: np.ndarray) -> csr_matrix:
        """The open roads (finite ``weights``, per road in ``_edges`` order) both ways: the
        same arrays as ``both_ways`` of their undirected matrix, entry for entry, taken from
        the layout of every road (a closed road is left out, not given an infinite weight:
        csgraph would step over it). Without duplicate roads the undirected matrix of the
        open roads is that of all roads without the closed entries (rows sorted by column,
        nothing summed), so its both-ways layout is the full one without them too."""
        from scipy.sparse import csr_matrix  # deferred: scipy.sparse is ~0.3 s of start-up

        rows, cols, _, _ = self.network._edges
        n = len(self.network.nodes)
        ok = np.isfinite(weights)
        if not self._layout_done:
            self._layout_done = True
            if np.unique(rows * n + cols).size == rows.size:  # (no two roads alike)
                full = both_ways(csr_matrix((np.arange(1.0, rows.size + 1.0), (rows, cols)),
                                            shape=(n, n)))
                self._layout = (full.data.astype(np.int64) - 1, full.indices, full.indptr)
        if self._layout is None:
            return both_ways(csr_matrix((weights[ok], (rows[ok], cols[ok])), shape=(n, n)))
        road, indices, indptr = self._layout
        keep = ok[road]
        kept = np.zeros(road.size + 1, dtype=np.int64)  # (open entries before each entry)
        np.cumsum(keep, out=kept[1:])
        return csr_matrix((weights[road[keep]], indices[keep], kept[indptr]), shape=(n, n))

    def _compute(self, weights: np.ndarray) -> RouteTable:
        both = self.both_of(weights)
        return RouteTable(None, self.shelters, _first_limit(both, self.shelters), self.cache,
                          self.network.xy, self.dense, both,
                          rebuild=partial(self.both_of, weights), graphs=self.graphs,
                          memos=self.memos)


def renearest(graph: csr_matrix, dist: np.ndarray, src: np.ndarray, room: np.ndarray) -> None:
    """Updates, in place, a multi-source search's minutes and sources (``dist``, ``src``, as
    csgraph's ``min_only`` search of ``graph``, a ``both_ways`` graph, gives them) after some
    sources lost their room: ``room`` marks the nodes still sources. Only the nodes whose
    source left are searched again: any route to one of them from a source still in enters
    their area from a node outside it, whose minutes still stand (its source is in, and
    fewer sources only lengthen the least). So each entry node starts at its least over
    such neighbours, and a search of the area alone gives the new least: the same floats as a
    search of the whole town from the sources still in (a sum is folded hop by hop from the
    source, so a route through a neighbour gives that neighbour's minutes plus the roads
    after: its least, ``RouteTable``). Among equals the source named may differ from the whole
    town's search; callers break ties by shelter index. (A search of the whole town for each
    shelter that fills made 100 searches of 24,300 nodes a replication at 300 grids.)"""
    from scipy.sparse import csr_matrix  # deferred: scipy.sparse is ~0.3 s of start-up

    reached = np.isfinite(dist)
    stale = reached & ~room[np.maximum(src, 0)]
    area = np.flatnonzero(stale)
    if not area.size:
        return
    n = dist.size
    local = np.full(n, -1, dtype=np.int64)
    local[area] = np.arange(area.size)
    # The roads at each node of the area: its row of the both-ways graph (all its roads).
    starts, ends = graph.indptr[area], graph.indptr[area + 1]
    counts = ends - starts
    at = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    row = np.repeat(np.arange(area.size), counts)
    to, w = graph.indices[at], graph.data[at]
    inside = local[to] >= 0
    # Each node's best way in from outside the area (a reached neighbour outside it: its
    # minutes stand).
    out = ~inside & reached[to]
    entry = np.full(area.size, math.inf)
    via = np.full(area.size, -1, dtype=np.int64)
    if out.any():
        cand = dist[to[out]] + w[out]  # (the neighbour's minutes, then the road: as folded)
        order = np.lexsort((cand, row[out]))
        r_sorted = row[out][order]
        first = np.ones(r_sorted.size, dtype=bool)
        first[1:] = r_sorted[1:] != r_sorted[:-1]
        entry[r_sorted[first]] = cand[order][first]
        via[r_sorted[first]] = to[out][order][first]
    dist[area], src[area] = math.inf, -9999
    starts_at = np.flatnonzero(np.isfinite(entry))
    if not starts_at.size:
        return
    # The area's roads, and a start node for each entry node joined to it by its entry
    # minutes (its minutes from the start: 0 + entry, the same float).
    # (Laid out as CSR directly: the rows are already in order, and a pair of roads joining
    # the same two nodes stays two roads, as in the town's graph, not one summed road.)
    k, m = area.size, starts_at.size
    indptr = np.zeros(k + m + 1, dtype=np.int64)
    np.cumsum(np.concatenate([np.bincount(row[inside], minlength=k), np.ones(m, np.int64)]),
              out=indptr[1:])
    sub = csr_matrix((np.concatenate([w[inside], entry[starts_at]]),
                      np.concatenate([local[to[inside]], starts_at]), indptr),
                     shape=(k + m, k + m))
    d, _, source = dijkstra(sub, directed=True, indices=np.arange(k, k + m), min_only=True,
                            return_predecessors=True)
    got = np.isfinite(d[:k])
    dist[area[got]] = d[:k][got]
    src[area[got]] = src[via[starts_at[source[:k][got] - k]]]


def _first_limit(both: csr_matrix, shelters: list[int]) -> float:
    """A first limit for a route table: the farthest any node is from its nearest shelter (one
    multi-source search), so that every node sees at least one and most see several; where
    they are full, ``Shelters.nearest`` falls back on searches over the others."""
    if not shelters or len(shelters) * both.shape[0] <= FULL_TABLE_ENTRIES:
        return math.inf  # a town's full table is small, and its scan needs no fallback
    near = dijkstra(both, directed=True, indices=shelters, min_only=True)  # (``both_ways``)
    finite = near[np.isfinite(near)]
    return float(finite.max()) if finite.size and finite.max() > 0 else math.inf
