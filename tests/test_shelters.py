"""The shelters of one replication (``sim.kinds.evacuation.shelters``) under any sequence of
admissions and clock ticks: the nearest open shelter with room is always the full route
table's masked argmin, whatever the kept answers remember, and places are conserved."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from sim.kinds.evacuation.route_memory import RowCache
from sim.kinds.evacuation.routes import RouteTable
from sim.kinds.evacuation.shelters import Shelters
from tests.helpers import lattice_town

N_SHELTERS = 6

# One step: admit up to ``people`` at ``shelter``, then, if ``tick``, let a minute pass (a
# shelter an inject declares full from that minute stops taking people), then ask.
step = st.tuples(st.integers(0, N_SHELTERS - 1), st.integers(0, 3), st.booleans())


def _masked_argmin(dist: np.ndarray, scale: float, is_open: np.ndarray, room: np.ndarray
                   ) -> tuple[int, float]:
    d = dist * scale
    d[~(is_open & (room > 0))] = np.inf
    s = int(np.argmin(d))  # (the first index among equals)
    return (s, float(d[s])) if d[s] < np.inf else (-1, math.inf)


@settings(max_examples=40)
@given(town=st.integers(0, 30), limit_share=st.sampled_from([0.02, 0.1, 1.0]),
       steps=st.lists(step, max_size=25), declared=st.lists(
           st.sampled_from([1.0, 2.0, 3.0, math.inf]), min_size=N_SHELTERS,
           max_size=N_SHELTERS))
def test_the_nearest_with_room_is_the_full_tables_argmin_through_any_admissions(
        town: int, limit_share: float, steps: list[tuple[int, int, bool]],
        declared: list[float]) -> None:
    graph, nodes, xy = lattice_town(town, 0.08, villages=3, shelters=N_SHELTERS)
    full = dijkstra(graph, directed=False, indices=nodes)
    finite = full[np.isfinite(full)]
    # A limit of 2 % or 10 % of the distances leaves most nodes to the fallback; 100 %: none.
    table = RouteTable(graph, nodes, float(np.quantile(finite, limit_share)), RowCache(), xy)
    env = simpy.Environment()
    capacity = [3] * N_SHELTERS
    shelters = Shelters(env, capacity, declared, list(nodes), SimpleNamespace(seconds=0.0))
    rng = np.random.default_rng(town)
    state = SimpleNamespace(index=0, shelter_open=rng.random(N_SHELTERS) < 0.85)
    admitted = 0
    for s, people, tick in [(0, 0, False), *steps]:
        took = shelters.take(s, people)
        assert 0 <= took <= people
        admitted += took
        if tick:
            env.run(until=env.now + 1.0)
        room = np.where(env.now < np.array(declared), shelters.space, 0)
        for node in range(0, graph.shape[0], 3):
            for scale in (1.0, 1 / 4.5):
                got = shelters.nearest(table, state, node, scale)  # type: ignore[arg-type]
                assert got == _masked_argmin(full[:, node].copy(), scale,
                                             state.shelter_open, room)
        assert shelters.any_room() == bool((room > 0).any())
    assert sum(capacity) - sum(shelters.space) == admitted  # no place made or lost
