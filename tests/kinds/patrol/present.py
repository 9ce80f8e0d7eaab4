"""How a patrol is shown: its places, replay states and dashboard defaults."""

from __future__ import annotations

from sim.analysis.replay_spec import AT, ReplaySpec
from sim.core.kind import DashboardDefaults
from tests.kinds.patrol.config import PatrolScenario


def places(model: PatrolScenario) -> dict[str, list[tuple[str, str]]]:
    return {"checkpoint": [(n, f"stop {k + 1}") for k, n in enumerate(model.patrol.route)]}


REPLAY = ReplaySpec(before_first="not started", states={"checked_in": ("patrolling", AT)},
                    colors={"patrolling": "tab:blue"})
DASHBOARD = DashboardDefaults(first_reps=5, decision_metrics=("frac_completed",),
                              replay_dot="patroller")
