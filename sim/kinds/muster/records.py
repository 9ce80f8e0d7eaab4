"""Muster event records: one row per responder per stage reached (alert received … mustered),
phone-tree calls not answered, the alert and the storyline's injects."""

from __future__ import annotations

import numpy as np

from sim.core.results import EventRecord
from sim.kinds.muster.inputs import MusterInputs
from sim.kinds.muster.model import Draws, Timeline

_STAGES = ("alert_received", "noticed", "unavailable", "acknowledged", "departed", "arrived",
           "checkin_start", "mustered")


def event_records(inp: MusterInputs, d: Draws, tl: Timeline, start: np.ndarray, done: np.ndarray,
             replication: int, horizon: float) -> list[EventRecord]:
    roster = inp.roster
    homes = [inp.node_names[h] for h in d.home]
    aps = [inp.ap_ids[a] for a in tl.ap]
    columns = (tl.received, tl.noticed, tl.unavailable, tl.acknowledged, tl.departed, tl.arrived,
               start, done)
    rows: list[tuple[float, int, int, str]] = []
    for rank, (name, times) in enumerate(zip(_STAGES, columns, strict=True)):
        for i in np.flatnonzero(times <= horizon):
            loc = (str(tl.channel[i]) if name == "alert_received"
                   else aps[i] if rank >= 5 else homes[i])
            rows.append((float(times[i]), int(i), rank, loc))
    rows.extend((t, i, -1, "") for t, i in tl.unanswered if t <= horizon)
    injects = [EventRecord(replication, t, "inject", "", "", kind, detail)
               for t, kind, detail in inp.story.records if t <= horizon]
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    out = [EventRecord(replication, 0.0, "command", "command", "", "alert_sent",
                       ",".join(inp.params.channels))]
    out.extend(injects)
    out.extend(
        EventRecord(replication, t, roster[i].id, roster[i].role, roster[i].grid,
                    "call_unanswered" if rank < 0 else _STAGES[rank], loc)
        for t, i, rank, loc in rows
    )
    out.sort(key=lambda e: e.t_min)  # stable: same-time events keep their order
    return out
