"""Evacuation event records: the warning, each household's and responder's steps (warned,
departed, sheltered, stranded...), and the storyline's injects, in time order."""

from __future__ import annotations

from sim.core.results import EventRecord
from sim.kinds.evacuation.inputs import EvacuationInputs
from sim.kinds.evacuation.model import FloodRun


def event_records(inp: EvacuationInputs, run: FloodRun, replication: int) -> list[EventRecord]:
    events = [EventRecord(replication, inp.params.warning_start_min, "command", "command", "",
                          "warning_started", "")]
    events.extend(EventRecord(replication, float(t), who, role, grid, what, where)
                  for t, who, role, grid, what, where in run.log)
    events.extend(EventRecord(replication, t, "inject", "", "", what, detail)
                  for t, what, detail in inp.story.records
                  if t <= inp.params.horizon_min)
    events.sort(key=lambda e: e.t_min)
    return events
