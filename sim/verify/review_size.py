"""The review's false-alarm rate and power, measured on logs the model itself writes.

A log drawn from the model is, under the model, exchangeable with the reference replications,
so the review (``sim.analysis.review.compare_to_band``) must flag it in at most its stated
share ``alpha`` of drills. Logs are reviewed in groups, each group against its own independent
reference replications, so that the flags are independent between groups (within a group they
share a reference and are only weakly correlated).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import yaml

from sim.analysis.observed import ObservedLog
from sim.analysis.review import compare_to_band, spec_of
from sim.core.scenario import Scenario, parse_scenario
from sim.run.experiments import PlanRun, run_plan
from sim.verify.bundled import SCENARIO_DIR

TOWN = SCENARIO_DIR / "muster_youchegang.yaml"
REFERENCE = 39  # replications per reference: p-values in steps of 1/40, enough for 5 %


def small_town() -> Scenario:
    """Youchegang cut to three villages (six grids, 216 on the roster): the bundled delays and
    modes, fast enough for hundreds of drills."""
    raw: dict[str, Any] = copy.deepcopy(yaml.safe_load(TOWN.read_text(encoding="utf-8")))
    raw["grids"] = raw["grids"][:6]
    raw.pop("assumptions", None)  # ranges declared for the whole town, not this cut
    raw["forces"]["cadre"] = {"count": 30}
    raw["muster"]["assembly_points"] = raw["muster"]["assembly_points"][:2]
    raw.pop("plans", None)
    raw.pop("objectives", None)
    return parse_scenario(raw, TOWN.parent)


def drill_logs(run: PlanRun, shift: float = 0.0) -> list[ObservedLog]:
    """Each replication as the check-in log its drill would have written (times optionally
    ``shift`` minutes later)."""
    out = []
    for r in run.results:
        rows = [{"t_min": e.t_min + shift, "role": e.role} for e in r.events
                if e.event == "mustered"]
        out.append(ObservedLog(rows, len(rows)))
    return out


@dataclass(frozen=True)
class Flags:
    reviews: int
    flagged: int  # logs drawn from the model as it is
    late_flagged: int  # the same logs, every check-in 10 minutes later

    @property
    def rate(self) -> float:
        return self.flagged / self.reviews

    @property
    def power(self) -> float:
        return self.late_flagged / self.reviews


def review_flags(groups: int, per_group: int, alpha: float, seed: int,
                 late_min: float = 10.0) -> Flags:
    """Review ``groups × per_group`` model-made logs at size ``alpha``; count the flags, and
    the flags of the same logs ``late_min`` minutes late (the power against a late drill)."""
    s = small_town()
    spec = spec_of(s)
    flagged = late = 0
    for g in range(groups):
        reference = run_plan(s, None, REFERENCE, seed=seed + 2 * g,
                             keep_events=range(REFERENCE))
        drawn = run_plan(s, None, per_group, seed=seed + 2 * g + 1,
                         keep_events=range(per_group))
        for log in drill_logs(drawn):
            flagged += not compare_to_band(spec, log, reference, alpha)["consistent"]
        for log in drill_logs(drawn, shift=late_min):
            late += not compare_to_band(spec, log, reference, alpha)["consistent"]
    return Flags(groups * per_group, flagged, late)
