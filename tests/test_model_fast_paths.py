"""The models' fast paths against the straightforward computations they replace (exact equality)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import simpy
from scipy.stats import poisson

from sim.kinds.evacuation.hazard import RouteTable
from sim.kinds.evacuation.model import FloodRun
from sim.kinds.festival.model import _run, poisson_ppf


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
        table = RouteTable(d, np.zeros((n_sh, n_nodes), np.int32), None)  # type: ignore[arg-type]
        run = FloodRun.__new__(FloodRun)
        run.env = simpy.Environment(initial_time=float(rng.integers(0, 3)))
        run._space = rng.integers(0, 3, n_sh).tolist()
        run._full_from = rng.choice([0.0, 1.0, math.inf], n_sh).tolist()
        run._open, run._full_prefix = {}, {}
        state = SimpleNamespace(index=trial, shelter_open=rng.random(n_sh) < 0.7)
        room = np.where(run.env.now < np.array(run._full_from), run._space, 0)
        for node in range(n_nodes):
            for scale in (1.0, 1 / 4.5, 1 / 3.0):
                got = run.nearest_shelter(table, state, node, scale)  # type: ignore[arg-type]
                assert got == _argmin_shelter(d[:, node], scale, state.shelter_open, room)


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
