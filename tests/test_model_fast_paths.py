"""The models' fast paths against the straightforward computations they replace (exact equality)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import simpy
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.stats import poisson

from sim.kinds.evacuation.route_memory import RowCache
from sim.kinds.evacuation.routes import RouteTable
from sim.kinds.evacuation.shelters import Shelters
from sim.kinds.festival.model import _run, poisson_ppf
from tests.helpers import lattice_town


def test_poisson_ppf_equals_scipy_stats_including_the_edges():
    rng = np.random.default_rng(1)
    for _ in range(200):
        q = rng.random(60)
        q[::7], q[::11], q[::13] = 0.0, 1.0, 1 - 1e-12
        mu = rng.exponential(rng.choice([1e-4, 0.01, 1.0, 30.0]), 60)
        mu[::5], mu[::17] = 0.0, -1.0
        assert np.array_equal(poisson.ppf(q, mu), poisson_ppf(q, mu), equal_nan=True)


def _argmin_shelter(dist_row, scale, is_open, room):
    # What FloodRun.travel computed before: mask, then argmin (first index among equals).
    dist = dist_row * scale
    dist[~(is_open & (room > 0))] = np.inf
    s = int(np.argmin(dist))
    return (s, float(dist[s])) if dist[s] < np.inf else (-1, math.inf)


def test_nearest_shelter_equals_the_masked_argmin():
    rng = np.random.default_rng(2)
    for trial in range(300):
        n_nodes, n_sh = 5, int(rng.integers(1, 9))
        # Few distinct values (ties), some unreachable; a scale that can merge close values.
        d = rng.choice([1.0, 2.0, 2.0 + 1e-15, 3.5, np.inf], size=(n_sh, n_nodes))
        table = RouteTable.from_dense(d, np.zeros((n_sh, n_nodes), np.int32))
        env = simpy.Environment(initial_time=float(rng.integers(0, 3)))
        space = rng.integers(0, 3, n_sh).tolist()
        full_from = rng.choice([0.0, 1.0, math.inf], n_sh).tolist()
        shelters = Shelters(env, space, full_from, list(range(n_sh)), _no_clock())
        state = SimpleNamespace(index=trial, shelter_open=rng.random(n_sh) < 0.7)
        room = np.where(env.now < np.array(full_from), space, 0)
        for node in range(n_nodes):
            for scale in (1.0, 1 / 4.5, 1 / 3.0):
                got = shelters.nearest(table, state, node, scale)  # type: ignore[arg-type]
                assert got == _argmin_shelter(d[:, node], scale, state.shelter_open, room)


def _no_clock() -> SimpleNamespace:
    return SimpleNamespace(seconds=0.0)  # (where ``Routes`` adds up its searches' CPU time)


def _lattice_table(seed: int, closed_share: float) -> tuple[csr_matrix, list[int], np.ndarray]:
    return lattice_town(seed, closed_share, villages=6, shelters=7)


def test_limited_route_table_is_the_full_table_within_its_limit():
    # Distances and next hops within the limit are the full search's, bit for bit, including
    # where equal routes tie; beyond it the table says nothing (inf, -9999).
    for seed in range(8):
        graph, shelters, _ = _lattice_table(seed, 0.1 * (seed % 3))
        full_d, full_p = dijkstra(graph, directed=False, indices=shelters,
                                  return_predecessors=True)
        finite = full_d[np.isfinite(full_d)]
        for limit in (float(np.quantile(finite, 0.1)), float(np.median(finite)), math.inf):
            table = RouteTable(graph, shelters, limit, RowCache())
            for s in range(len(shelters)):
                d, hop = table.row(s)
                within = full_d[s] <= limit
                assert np.array_equal(d[within], full_d[s][within])
                assert np.array_equal(hop[within], full_p[s][within])
                assert np.isinf(d[~within]).all() and (hop[~within] == -9999).all()
                assert np.array_equal(table.full_row(s), full_d[s])


def test_nearest_shelter_with_a_limited_table_equals_the_full_table():
    # The scan within the limit, with full rows where it cannot tell, gives the masked argmin
    # over the full table while shelters fill (``take``), close and are declared full by an
    # inject as the clock passes their minute: what is kept between asks must notice each.
    rng = np.random.default_rng(5)
    fell_back = stranded_again = 0
    for trial in range(12):
        graph, shelter_nodes, xy = _lattice_table(100 + trial, 0.05 * (trial % 4))
        full_d = dijkstra(graph, directed=False, indices=shelter_nodes)
        finite = full_d[np.isfinite(full_d)]
        # With coordinates, straight-line bounds leave few shelters to compare; without, all.
        table = RouteTable(graph, shelter_nodes, float(np.quantile(finite, 0.05)), RowCache(),
                           xy if trial % 2 else None)
        n_sh = len(shelter_nodes)
        # Each shelter declared full at one of the steps' minutes with odds 0.15 a step, or never.
        declared = rng.random((6, n_sh)) < 0.15
        full_from = np.where(declared.any(axis=0), 1.0 + declared.argmax(axis=0), math.inf)
        env = simpy.Environment(initial_time=1.0)
        shelters = Shelters(env, [2] * n_sh, full_from.tolist(), list(shelter_nodes), _no_clock())
        state = None
        for step in range(6):  # places only ever fill; a shelter declared full stays full
            if step:
                env.run(until=1.0 + step)
            target = np.minimum(shelters.space, rng.integers(0, 3, n_sh)) * (step < 5)
            for s in range(n_sh):
                shelters.take(s, shelters.space[s] - int(target[s]))
            if step % 2 == 0:  # a new state every other step: shelters also fill within one
                state = SimpleNamespace(index=step, shelter_open=rng.random(n_sh) < 0.8)
            room = np.where(env.now < full_from, shelters.space, 0)
            for node in range(graph.shape[0]):
                for scale in (1.0, 1 / 4.5):
                    searched = (id(table), state.index) in shelters._least_memo
                    got = shelters.nearest(table, state, node, scale)  # type: ignore[arg-type]
                    assert got == _argmin_shelter(full_d[:, node].copy(), scale,
                                                  state.shelter_open, room)
                    stranded_again += searched and got[0] < 0
        fell_back += bool(shelters._least_memo)
    assert fell_back >= 6  # the fallback was exercised
    assert stranded_again >= 100  # and nodes cut off from every shelter with room asked again


def test_bare_calls_run_in_simpy_order_and_stop_before_until():
    # Bare calls on SimPy's queue interleave with Timeouts exactly as Timeouts would.
    def trace(use_bare: bool) -> list[tuple[float, str]]:
        env, seen = simpy.Environment(), []

        def proc():
            for k in range(4):
                yield env.timeout(0.5)
                seen.append((env.now, f"p{k}"))

        env.process(proc())
        for k, t in enumerate([0.5, 1.0, 1.0, 2.0, 3.0]):
            if use_bare:
                import heapq

                heapq.heappush(env._queue, (t, 1, next(env._eid),
                                            (lambda i, v: seen.append((env.now, f"b{i}")), k, 0)))
            else:
                env.timeout(t).callbacks.append(lambda _e, k=k: seen.append((env.now, f"b{k}")))
        if use_bare:
            _run(env, 2.0)
        else:
            env.run(until=2.0)
        assert env.now == 2.0
        return seen

    assert trace(True) == trace(False)
    assert (2.0, "b3") not in trace(True)  # an event at `until` is not run
