"""What keeps an evacuation worker's memory small (route tables' roads rebuilt on demand,
16-bit node indices, bounded memos shared by a plan's tables, no landmark-bound memo, a
replication freed at its end) against what it replaces: exact equality (records for a fixed
seed must not change)."""

from __future__ import annotations

import gc
import math
import weakref
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.core.config import read_yaml
from sim.core.scenario import parse_scenario
from sim.kinds.evacuation import kind as evacuation_kind
from sim.kinds.evacuation.route_memory import GraphCache, Memo, Memos, RowCache
from sim.kinds.evacuation.routes import Routes, RouteTable, both_ways
from sim.network.graph import RoadNetwork, SyntheticTown, synthetic_town
from sim.run.experiments import plan_inputs

ROOT = Path(__file__).resolve().parents[1]


def _network(seed: int, villages: int = 4) -> RoadNetwork:
    return RoadNetwork(synthetic_town(SyntheticTown(villages=villages, nodes_per_village=25,
                                                    street_m=100.0, seed=seed)))


def _weights(net: RoadNetwork, rng: np.random.Generator, closed: float) -> np.ndarray:
    """Minutes per road in ``_edges`` order, a share of roads closed (inf), with equal
    minutes on many roads (ties) as in a flooded street lattice."""
    w = net.edge_minutes(float(rng.choice([5.0, 30.0])))
    w = w * rng.choice([1.0, 1.0, 2.0], size=w.size)
    w[rng.random(w.size) < closed] = math.inf
    return w


def _open_graph(net: RoadNetwork, w: np.ndarray) -> csr_matrix:
    r, c, _, _ = net._edges
    ok = np.isfinite(w)
    n = len(net.nodes)
    return csr_matrix((w[ok], (r[ok], c[ok])), shape=(n, n))


def test_both_of_is_both_ways_of_the_open_roads_array_for_array():
    # A closed road must be missing, not an inf entry (csgraph steps over inf entries: it
    # would give unreached nodes a next hop); the rebuilt arrays are the ones built before.
    rng = np.random.default_rng(11)
    for seed in range(8):
        net = _network(seed)
        routes = Routes(net, [0])
        for closed in (0.0, 0.05, 0.3, 1.0):
            w = _weights(net, rng, closed)
            want, got = both_ways(_open_graph(net, w)), routes.both_of(w)
            for a in ("data", "indices", "indptr"):
                x, y = getattr(want, a), getattr(got, a)
                assert x.dtype == y.dtype and np.array_equal(x, y), (seed, closed, a)


def test_both_of_with_two_roads_between_the_same_nodes_sums_them_as_before():
    # (No layout then: the matrix of the open roads is built as before, duplicates summed.)
    r, c = np.array([0, 1, 0, 2]), np.array([1, 2, 1, 0])
    net = SimpleNamespace(_edges=(r, c, None, None), nodes=["a", "b", "c"], xy=None)
    routes = Routes(net, [0])  # type: ignore[arg-type]
    for w in (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, math.inf, 3.0, 4.0])):
        ok = np.isfinite(w)
        want = both_ways(csr_matrix((w[ok], (r[ok], c[ok])), shape=(3, 3)))
        got = routes.both_of(w)
        assert routes._layout is None
        assert (want != got).nnz == 0 and np.array_equal(want.indptr, got.indptr)


def test_tables_that_rebuild_their_roads_and_share_small_memos_answer_as_alone():
    # Tables of several states in one plan: roads rebuilt on demand into a cache that keeps
    # one graph, memos shared and tiny (entries dropped and asked again), far rows evicted;
    # every answer equals that of a table keeping its roads and its own memos.
    rng = np.random.default_rng(12)
    asked = 0
    for seed in range(4):
        net = _network(20 + seed, villages=5)
        n = len(net.nodes)
        shelters = sorted(rng.choice(n, size=7, replace=False).tolist())
        routes = Routes(net, shelters, cache=RowCache(30_000), graphs=GraphCache(0),
                        memos=Memos(5, 5, 5))
        weights = [_weights(net, rng, 0.1) for _ in range(3)]
        alone = []
        for w in weights:
            full = dijkstra(_open_graph(net, w), directed=False, indices=shelters)
            finite = full[np.isfinite(full)]
            limit = float(np.quantile(finite, 0.1))
            alone.append(RouteTable(_open_graph(net, w), shelters, limit, RowCache(), net.xy))
        shared = [RouteTable(None, shelters, t.limit, routes.cache, net.xy, routes.dense,
                             routes.both_of(w), rebuild=lambda w=w, r=routes: r.both_of(w),
                             graphs=routes.graphs, memos=routes.memos)
                  for t, w in zip(alone, weights, strict=True)]
        for _ in range(2):
            for node in rng.permutation(n)[:40].tolist():
                for a, b in zip(alone, shared, strict=True):
                    assert a.candidates(node) == b.candidates(node)
                    assert np.array_equal(a.lower_bounds(node), b.lower_bounds(node))
                    for s in range(len(shelters)):
                        assert a.full_at(s, node) == b.full_at(s, node)
                        if a.full_at(s, node) < math.inf:  # (walks go where routes are)
                            budget = float(rng.uniform(0.0, 30.0))
                            assert a.walk(s, node, budget) == b.walk(s, node, budget)
                            asked += 1
        assert routes.graphs.used <= max(g.data.nbytes + g.indices.nbytes + g.indptr.nbytes
                                         for g in (t.graph for t in alone))
    assert asked > 1000


def test_a_memo_holds_two_generations_at_most_and_keeps_what_is_asked_again():
    memo = Memo(3)
    for k in range(10):
        memo.put(k, k)
        assert len(memo) <= 6
    assert memo.get(0) is None and memo.get(6) == 6 and memo.get(9) == 9
    memo = Memo(3)
    for k in range(3):
        memo.put(k, k)
    memo.put(3, 3)  # the young generation is full: it becomes the old one
    assert memo.get(0) == 0  # asked again: back in the young one
    for k in (4, 5):
        memo.put(k, k)  # the young one fills (3, 0, 4); 5 starts a new one
    assert memo.get(0) == 0 and memo.get(1) is None  # 1 was never asked again


def _ladder(n: int) -> tuple[csr_matrix, np.ndarray]:
    """Two parallel roads of n/2 nodes with rungs: a long town with two routes everywhere."""
    half = n // 2
    a = np.arange(half - 1)
    rows = np.concatenate([a, a + half, np.arange(0, half, 97)])
    cols = np.concatenate([a + 1, a + half + 1, np.arange(0, half, 97) + half])
    w = 1.0 + (np.arange(rows.size) % 3) * 0.5
    xy = np.stack([np.r_[np.arange(half), np.arange(half)] * 50.0,
                   np.r_[np.zeros(half), np.full(half, 40.0)]], axis=1)
    return csr_matrix((w, (rows, cols)), shape=(n, n)), xy


def test_tables_keep_node_indices_in_16_bits_only_where_they_fit():
    for n, dtype in ((2 * 30_000, np.uint16), (2 * 33_000, np.int32)):
        graph, xy = _ladder(n)
        shelters = [5, n // 2 + 20_000, n - 3]
        full_d, full_p = dijkstra(graph, directed=False, indices=shelters,
                                  return_predecessors=True)
        table = RouteTable(graph, shelters, 300.0, RowCache(), xy)
        assert table._sh_nodes.dtype == dtype and table._sh_pred.dtype == dtype
        for s in range(len(shelters)):
            dist, hop = table.row(s)  # (dense rows: -9999 where none, the shelter's own too)
            near = np.isfinite(dist)
            assert np.array_equal(dist[near], full_d[s][near])
            assert np.array_equal(hop[near], full_p[s][near])
            assert hop[shelters[s]] == -9999
        rng = np.random.default_rng(13)
        for node in rng.choice(n, 30).tolist() + shelters:
            for s in range(len(shelters)):
                assert table.full_at(s, node) == float(full_d[s, node])
                budget = float(rng.uniform(0.0, min(2.0 * full_d[s, node] + 1.0, 400.0)))
                got_node, got_minutes = table.walk(s, node, budget)
                v, start = node, float(full_d[s, node])  # the walk along the full row
                while start - full_d[s, v] < budget and full_p[s, v] >= 0:
                    v = int(full_p[s, v])
                assert (got_node, got_minutes) == (v, start - float(full_d[s, v]))


def test_lower_bounds_are_never_above_the_full_minutes():
    # (A bound above the true minutes would drop the nearest shelter from the fallback.)
    rng = np.random.default_rng(14)
    for seed in range(6):
        net = _network(40 + seed)
        n = len(net.nodes)
        w = _weights(net, rng, 0.15)
        shelters = sorted(rng.choice(n, size=6, replace=False).tolist())
        graph = _open_graph(net, w)
        full = dijkstra(graph, directed=False, indices=shelters)
        table = RouteTable(graph, shelters, 1.0, RowCache(), net.xy)
        bounds = np.array([table.lower_bounds(v) for v in range(n)]).T
        assert (bounds <= full).all()
        assert (bounds[np.isfinite(full)] > 0).mean() > 0.5  # (and not trivially zero)


def test_a_replication_is_freed_at_its_end_without_the_collector():
    # A worker must not hold a replication's leftovers (tens of MB at 300 grids) while it
    # runs the next one: its run is a web of cycles, broken by ``simulate``.
    # (Cut short at minute 40: trips, warners and squads are still under way at the end,
    # each a generator whose frame holds the run.)
    raw = read_yaml(ROOT / "scenarios" / "rainstorm_yangning.yaml")
    raw["evacuation"]["horizon_min"] = 40
    raw.pop("assumptions", None)  # (their ranges hold the bundled horizon)
    inp = plan_inputs(parse_scenario(raw, ROOT / "scenarios").plan())
    runs: list[weakref.ref[object]] = []

    class Watched(evacuation_kind.FloodRun):  # type: ignore[misc,name-defined]
        def __init__(self, *args: object) -> None:
            super().__init__(*args)
            runs.append(weakref.ref(self))

    original = evacuation_kind.FloodRun  # type: ignore[attr-defined]
    evacuation_kind.FloodRun = Watched  # type: ignore[attr-defined]
    was = gc.isenabled()
    gc.disable()
    try:
        first = evacuation_kind.simulate(inp, 0, 7, True)
        assert len(runs) == 1 and runs[0]() is None
    finally:
        evacuation_kind.FloodRun = original  # type: ignore[attr-defined]
        if was:
            gc.enable()
    again = evacuation_kind.simulate(inp, 0, 7, True)
    assert first.events and first.events == again.events
    assert first.final_states == again.final_states
