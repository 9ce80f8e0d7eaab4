"""The patrol model: each responder sets off after a random delay and walks the route,
spending ``check_in_min`` at every stop. Arithmetic, no SimPy: a patrol has no queues."""

from __future__ import annotations

import numpy as np

from sim.core.rng import uniforms
from tests.kinds.patrol.inputs import PatrolInputs


def check_in_times(inp: PatrolInputs, key: int) -> np.ndarray:
    """Array (responder, stop): the minute each responder checks in at each stop."""
    u = uniforms(key, inp.hashes, 1)
    start = inp.params.start_delay.sample(u[:, 0])
    offsets = np.concatenate([[0.0], np.cumsum(inp.legs + inp.params.check_in_min)])
    return start[:, None] + offsets[None, :]
