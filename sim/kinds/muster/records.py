"""Muster event records: one row per responder per stage reached (alert received … mustered),
phone-tree calls not answered, the alert and the storyline's injects."""

from __future__ import annotations

from functools import partial

import numpy as np

from sim.core.results import EventRecord
from sim.kinds.muster.inputs import MusterInputs
from sim.kinds.muster.model import Draws, Timeline

_STAGES = ("alert_received", "noticed", "unavailable", "acknowledged", "departed", "arrived",
           "checkin_start", "mustered")
_NAMES = np.array(_STAGES + ("call_unanswered",), dtype=object)  # index -1: an unanswered call
_record = partial(tuple.__new__, EventRecord)  # EventRecord(*row) without a Python call per row


def event_records(inp: MusterInputs, d: Draws, tl: Timeline, start: np.ndarray, done: np.ndarray,
                  replication: int, horizon: float) -> list[EventRecord]:
    """Rows in order of (time, stage, roster index), the alert and injects first among equal
    times. Built column by column with numpy (a town's muster has ~6 rows per responder, and
    a Python sort of row tuples grew faster than the roster); the order and the values are
    those of a row-by-row build (tests/test_muster_exact.py compares the two)."""
    homes = np.array(inp.node_names, dtype=object)[d.home]
    aps = np.array(inp.ap_ids, dtype=object)[tl.ap]
    channel = np.asarray(tl.channel).astype(object)  # numpy str → Python str
    columns = (tl.received, tl.noticed, tl.unavailable, tl.acknowledged, tl.departed, tl.arrived,
               start, done)
    ts, who, ranks, locs = [], [], [], []
    for stage, times in enumerate(columns):
        reached = np.flatnonzero(times <= horizon)
        ts.append(times[reached])
        who.append(reached)
        ranks.append(np.full(reached.size, stage))
        locs.append(channel[reached] if stage == 0 else aps[reached] if stage >= 5
                    else homes[reached])
    calls = [(t, i) for t, i in tl.unanswered if t <= horizon]
    ts.append(np.array([t for t, _ in calls], dtype=float))
    who.append(np.array([i for _, i in calls], dtype=int))
    ranks.append(np.full(len(calls), -1))
    locs.append(np.full(len(calls), "", dtype=object))
    t, i, rank, loc = (np.concatenate(c) for c in (ts, who, ranks, locs))
    order = np.lexsort((i, rank, t))  # stable, like sorting the rows by (t, rank, i)
    t, i, rank, loc = t[order], i[order], rank[order], loc[order]
    ids = np.array([r.id for r in inp.roster], dtype=object)
    roles = np.array([r.role for r in inp.roster], dtype=object)
    grids = np.array([r.grid for r in inp.roster], dtype=object)
    rows = list(map(_record, zip([replication] * t.size, t.tolist(), ids[i].tolist(),
                                 roles[i].tolist(), grids[i].tolist(), _NAMES[rank].tolist(),
                                 loc.tolist(), strict=True)))
    head = [EventRecord(replication, 0.0, "command", "command", "", "alert_sent",
                        ",".join(inp.params.channels))]
    head.extend(EventRecord(replication, t, "inject", "", "", kind, detail)
                for t, kind, detail in inp.story.records if t <= horizon)
    out = head + rows
    when = np.array([e.t_min for e in head] + t.tolist())
    if (np.diff(when) < 0).any():  # injects (or anything) out of time order: a stable sort
        out = [out[k] for k in np.argsort(when, kind="stable").tolist()]
    return out
