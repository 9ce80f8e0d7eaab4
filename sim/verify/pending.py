"""Interfaces the lead connects after merging (other branches are rewriting them now).

Each raises :class:`~sim.verify.case.Pending`, so its case is reported as *pending*, never as
a pass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.run.stats import censored_percentile as censored_percentile_of
from sim.verify.case import Pending


def review_false_alarm_rate(reviews: int, size: float, seed: int) -> float:
    """Share of ``reviews`` post-event reviews of logs simulated from the model itself that
    the review flags as unusual at significance ``size``.

    TODO(lead): connect to the review statistics of the false-alarm branch (sim.analysis.review): draw
    an observed log from replication k of a small muster scenario, review it against the
    others, return the share flagged.
    """
    raise Pending("waiting for the review's false-alarm statistics (another branch)")


def censored_percentile(times: Sequence[float], q: float, horizon: float) -> float:
    """The q-th percentile (q a fraction) of completion times, inf where it falls among the
    people not done by ``horizon`` (right-censored): the function every summary uses."""
    t = [x if x <= horizon else math.inf for x in times]
    return censored_percentile_of(np.asarray(t, dtype=float), 100.0 * q)
