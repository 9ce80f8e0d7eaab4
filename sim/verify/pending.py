"""Model functions the verification cases call through a thin wrapper (all connected now; a
case whose function is not connected raises :class:`~sim.verify.case.Pending` and is reported
as *pending*, never as a pass)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.run.stats import censored_percentile as censored_percentile_of


def censored_percentile(times: Sequence[float], q: float, horizon: float) -> float:
    """The q-th percentile (q a fraction) of completion times, inf where it falls among the
    people not done by ``horizon`` (right-censored): the function every summary uses."""
    t = [x if x <= horizon else math.inf for x in times]
    return censored_percentile_of(np.asarray(t, dtype=float), 100.0 * q)
