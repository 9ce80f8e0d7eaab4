"""The evacuation warning walk (``_order``): each household warned next is the nearest one not
yet warned to the last (the first in the list on a tie), and every household is warned once."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kinds.evacuation.inputs import _order


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 30), st.integers(0, 60), st.booleans())
def test_nearest_neighbour_walk(seed: int, n_nodes: int, n_households: int, grid: bool) -> None:
    rng = np.random.default_rng(seed)
    # On a lattice many distances tie; otherwise none do.
    xy = (rng.integers(0, 4, (n_nodes, 2)) * 100.0 if grid
          else rng.normal(0.0, 500.0, (n_nodes, 2)))
    nodes = rng.integers(0, n_nodes, n_households)
    members = np.sort(rng.choice(10 * n_households + 1, n_households, replace=False))
    start = int(rng.integers(0, n_nodes))
    got = _order(SimpleNamespace(warning_order="nearest"), xy, np.zeros(n_nodes), start,  # type: ignore[arg-type]
                 members, nodes)
    assert sorted(got.tolist()) == members.tolist()
    pos = {int(m): k for k, m in enumerate(members)}
    left = list(range(n_households))
    here = xy[start]
    for m in got:
        dist = [float(np.hypot(*(xy[nodes[k]] - here))) for k in left]
        best = min(dist)
        assert left[dist.index(best)] == pos[int(m)]
        left.remove(pos[int(m)])
        here = xy[nodes[pos[int(m)]]]
