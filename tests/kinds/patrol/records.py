"""Patrol event records: one ``checked_in`` per responder per stop reached."""

from __future__ import annotations

import numpy as np

from sim.core.results import EventRecord
from tests.kinds.patrol.inputs import PatrolInputs


def event_records(inp: PatrolInputs, times: np.ndarray, replication: int) -> list[EventRecord]:
    route, horizon = inp.params.route, inp.params.horizon_min
    out = [EventRecord(replication, float(times[i, k]), r.id, r.role, r.grid, "checked_in",
                       route[k])
           for i, r in enumerate(inp.roster) for k in np.flatnonzero(times[i] <= horizon)]
    out.sort(key=lambda e: e.t_min)
    return out
