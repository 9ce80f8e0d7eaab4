"""The ``patrol`` section of a scenario, its plan patch, and its sense checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from sim.core.config import PlanPatch, ScenarioBase, StrictModel
from sim.core.distributions import Dist, Fixed
from sim.core.errors import Problem
from sim.core.forces import roster_size


class PatrolParams(StrictModel):
    route: list[str] = Field(min_length=2, description="road nodes, walked in this order")
    speed_kmh: float = Field(default=4.5, gt=0, le=50)
    start_delay: Dist = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0),
                              description="minutes from the order to setting off")
    check_in_min: float = Field(default=1.0, ge=0, le=60, description="minutes at each stop")
    horizon_min: float = Field(default=120.0, gt=0, le=1440)


class PatrolPlan(PlanPatch):
    patrol: dict[str, Any] | None = None


class PatrolScenario(ScenarioBase):
    kind: Literal["patrol"]
    plans: Mapping[str, PatrolPlan] = Field(default_factory=dict)
    patrol: PatrolParams


def sense_errors(model: PatrolScenario) -> list[Problem]:
    if roster_size(dict(model.forces), list(model.grids)) == 0:
        return [Problem("forces", "nobody patrols (every role has 0 members)")]
    return []
