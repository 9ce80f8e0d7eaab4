"""Festival event records: each visitor group's arrival, diversion, checks, viewing point and
departure, the teams' incident responses, and the storyline's injects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.results import EventRecord

if TYPE_CHECKING:
    from sim.kinds.festival.demand import Groups
    from sim.kinds.festival.inputs import FestivalInputs
    from sim.kinds.festival.model import CheckpointResult, Day


def event_records(inp: FestivalInputs, g: Groups, cr: CheckpointResult, day: Day, rep: int
            ) -> list[EventRecord]:
    p = inp.params
    grid = {cid: c.grid for cid, c in p.checkpoints.items()}
    grid.update({vid: v.grid for vid, v in p.viewing_points.items()})
    modes = list(p.modes)
    first = np.asarray(g.checkpoint)
    rows: list[tuple[float, str, str, str, str, str]] = [
        (t, "inject", "", "", kind, detail) for t, kind, detail in inp.story.records
        if t <= inp.horizon]
    for i, gid in enumerate(g.ids):
        mode = modes[g.mode[i]]
        cp0 = inp.cp_ids[first[i]]
        rows.append((g.arrival[i], gid, mode, grid[cp0], "arrived", cp0))
        if cr.diverted[i]:
            to = inp.cp_ids[cr.cp[i]] if cr.cp[i] >= 0 else ""
            rows.append((g.arrival[i], gid, mode, grid[cp0], "diverted", to))
        if cr.turned_away[i]:
            rows.append((cr.arrival[i], gid, mode, "", "turned_away", ""))
            continue
        cp = inp.cp_ids[cr.cp[i]]
        if cr.diverted[i]:
            rows.append((cr.arrival[i], gid, mode, grid[cp], "arrived", cp))
        for t, ev in ((cr.start[i], "check_start"), (cr.end[i], "check_end")):
            if t <= inp.horizon:
                rows.append((t, gid, mode, grid[cp], ev, cp))
    for t, eid, role, _, ev, where in day.log:
        role = role or eid.rsplit("-", 1)[0]
        rows.append((t, eid, role, grid.get(where, ""), ev, where))
    rows.sort(key=lambda r: r[0])
    return [EventRecord(rep, float(t), e, r, gr, ev, loc) for t, e, r, gr, ev, loc in rows]
