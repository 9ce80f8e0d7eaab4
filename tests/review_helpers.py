"""Small scenarios and model-made logs for the review tests."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from sim.analysis.observed import ObservedLog
from sim.core.scenario import Scenario, parse_scenario
from sim.run.experiments import PlanRun
from tests.helpers import BUNDLED


def small_town() -> Scenario:
    """Youchegang cut to three villages (six grids, two squads, 216 on the roster): the same
    delays and modes, fast enough to simulate hundreds of drills in a test."""
    raw: dict[str, Any] = copy.deepcopy(yaml.safe_load(BUNDLED.read_text(encoding="utf-8")))
    raw["grids"] = raw["grids"][:6]
    raw.pop("assumptions", None)  # ranges declared for the whole town, not this cut
    raw["forces"]["cadre"] = {"count": 30}
    raw["muster"]["assembly_points"] = raw["muster"]["assembly_points"][:2]
    raw.pop("plans", None)
    raw.pop("objectives", None)
    return parse_scenario(raw, BUNDLED.parent)


def muster_logs(run: PlanRun, shift: float = 0.0) -> list[ObservedLog]:
    """Each replication of ``run`` as the log its drill would have written (check-in times
    optionally ``shift`` minutes later)."""
    out = []
    for r in run.results:
        rows = [{"t_min": e.t_min + shift, "role": e.role} for e in r.events
                if e.event == "mustered"]
        out.append(ObservedLog(rows, len(rows)))
    return out
