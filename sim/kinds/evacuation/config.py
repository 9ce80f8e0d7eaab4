"""The ``evacuation:`` section of a scenario file (times in minutes after t = 0, the command's
decision to evacuate; depths in metres unless a name says ``_mm``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.core.config import PlanName, PlanPatch, ScenarioBase, StrictModel
from sim.core.distributions import Dist, Fixed
from sim.core.errors import Problem
from sim.core.forces import Role
from sim.core.limits import ID_CHARS, MINUTES, PEOPLE, RESOLUTION, ROLE_MEMBERS, PlaceNameZh
from sim.present.i18n import _

Prob = Annotated[float, Field(ge=0, le=1)]
NonNeg = Annotated[float, Field(ge=0, le=1e6)]
Minutes = Annotated[float, Field(ge=0, le=MINUTES)]
Kmh = Annotated[float, Field(gt=0, le=300)]
Duty = Literal["warn", "escort", "none"]
Mode = Literal["walk", "vehicle"]

# Wading: from dry ground to 0.35 m speed falls by about 39 % (men) and 45 % (women)
# (parameters.md); 0.58 is the mean of both. Beyond 0.35 m the fall continues (ASSUMED).
DEFAULT_WADING = ((0.0, 1.0), (0.35, 0.58), (0.6, 0.3))


def _curve_problem(points: list[tuple[float, float]], x: str, y: str, unit: str) -> str | None:
    """A depth–speed curve must have rising depths and speeds that never rise with depth."""
    if len(points) < 2:
        return "needs at least 2 [depth, speed] points"
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d1 <= d0:
            return f"{x} must increase from point to point ({d0} then {d1})"
        if v1 > v0:
            return (f"not monotone: {y} must not increase with depth "
                    f"({v0} {unit} at {d0} then {v1} {unit} at {d1})")
    if any(v < 0 for _, v in points):
        return f"{y} must be ≥ 0"
    return None


class DesignStorm(StrictModel):
    """A bell-shaped hyetograph (Gaussian in time, mean ``peak_hour``, spread ``width_h``),
    truncated to ``duration_h`` and scaled so that the hourly totals sum to ``total_mm``."""

    total_mm: float = Field(gt=0, le=10_000, description="rain over the whole storm, e.g. 338.4 in 24 h")
    duration_h: int = Field(default=24, ge=1, le=96)
    peak_hour: float = Field(default=12.0, ge=0, le=96)
    width_h: float = Field(default=3.0, gt=0, le=96, description="standard deviation of the bell")


class Rainfall(StrictModel):
    """Exactly one of ``hourly_mm`` (observed or forecast mm per hour) or ``design_storm``."""

    hourly_mm: list[NonNeg] | None = Field(default=None, min_length=1, max_length=24 * 30)
    design_storm: DesignStorm | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Rainfall:
        if (self.hourly_mm is None) == (self.design_storm is None):
            raise ValueError("give exactly one of 'hourly_mm' or 'design_storm'")
        return self


class Closure(StrictModel):
    """An inject: a road closed (landslide, bridge, police) from ``from_min`` to ``until_min``."""

    road: tuple[str, str]
    from_min: float = Field(default=0.0, ge=0, le=MINUTES)
    until_min: float | None = Field(default=None, gt=0, le=MINUTES)


class Hazard(StrictModel):
    """Bucket model: stored excess rain S (mm) grows at rain − drainage (never below 0); the
    flood water level is ``base_level_m + rise_m_per_mm · S``; a node's depth is the level
    above its elevation (lowest ground floods first); a road's depth is its deeper end."""

    rain: Rainfall
    start_hour: float = Field(default=0.0, ge=0, le=24 * 30, description="storm hour at t = 0")
    drainage_mm_per_h: NonNeg = 30.0
    base_level_m: float = Field(default=0.0, ge=-1e4, le=1e4)
    rise_m_per_mm: NonNeg = 0.01
    update_min: float = Field(default=10.0, ge=RESOLUTION, le=MINUTES,
                              description="how often the network state is re-evaluated; "
                              "routes are recomputed only when it changed")
    depth_step_m: float = Field(default=0.05, ge=0.001, le=10,
                                description="depth resolution of speeds")
    vehicle_curve: list[tuple[NonNeg, NonNeg]] | None = Field(
        default=None, description="[depth_mm, km/h] points; default Pregnolato et al. 2017")
    vehicle_limit_m: float = Field(default=0.3, gt=0, description="roads close to cars above")
    wading: list[tuple[NonNeg, NonNeg]] = Field(
        default=list(DEFAULT_WADING),
        description="[depth_m, factor of dry walking speed] points")
    walk_limit_m: float = Field(default=0.5, gt=0, description="roads close to people above")
    exposure_depth_m: float = Field(default=0.3, gt=0)
    closures: list[Closure] = Field(default_factory=list)

    @field_validator("vehicle_curve")
    @classmethod
    def _vehicle_monotone(cls, v: list[tuple[float, float]] | None
                          ) -> list[tuple[float, float]] | None:
        problem = v is not None and _curve_problem(v, "depth_mm", "speed", "km/h")
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("wading")
    @classmethod
    def _wading_monotone(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        problem = _curve_problem(v, "depth_m", "speed factor", "×")
        if problem:
            raise ValueError(problem)
        return v


class Shelter(StrictModel):
    id: str = Field(min_length=1, max_length=ID_CHARS)
    name_zh: PlaceNameZh = ""
    node: str = Field(max_length=ID_CHARS)
    capacity: int = Field(ge=1, le=PEOPLE, description="people")
    closed_from_min: float | None = Field(default=None, ge=0, le=MINUTES)


class HouseholdSpec(StrictModel):
    """A household given by hand (otherwise households are generated from the grids)."""

    id: str = Field(min_length=1, max_length=ID_CHARS)
    node: str = Field(max_length=ID_CHARS)
    members: int = Field(default=3, ge=1, le=1000)
    needs_escort: bool = False
    grid: str | None = Field(default=None, description="default: the grid owning the node")


class Population(StrictModel):
    at_risk_below_m: float | None = Field(
        default=None, description="households on lower nodes are at risk; default: nodes the "
        "water reaches within the horizon")
    households: list[HouseholdSpec] | None = Field(default=None, max_length=PEOPLE)
    needs_escort_share: Prob = 0.15
    compliance: Prob = 0.7
    second_knock: bool = True
    second_knock_after_min: Minutes = 20.0
    second_knock_compliance: Prob = 0.5
    self_evacuation_share: Prob = 0.05
    self_evacuation_delay: Dist = Field(default=Fixed(value=30.0), description="minutes after t = 0")
    preparation: Dist = Fixed(value=10.0)
    knock: Dist = Fixed(value=2.0)
    walk_kmh: Kmh = 4.0
    escorted_kmh: Kmh = Field(default=2.0, description="walking with the frail")


class RoleDuty(StrictModel):
    duty: Duty
    availability: Prob = 0.9
    turnout: Dist = Field(default=Fixed(value=10.0), description="minutes from the warning start to duty")
    walk_kmh: Kmh = 4.5
    mode: Mode = "walk"
    team_size: int = Field(default=2, ge=1, le=1000)
    seats: int = Field(default=4, ge=1, le=1000, description="people a vehicle carries (vehicle teams)")
    escorts_found: bool = Field(default=False, description="a warner escorts the frail found")
    scope: Literal["grid", "town"] = Field(default="grid", description="escort teams serve "
                                           "their own grid, or the whole town")


class Reinforcement(StrictModel):
    """A squad from outside (e.g. a neighbouring town) arriving at a set time."""

    id: str = Field(min_length=1, max_length=ID_CHARS)
    role: Role = "emergency_squad"
    members: int = Field(ge=0, le=ROLE_MEMBERS)
    team_size: int = Field(default=4, ge=1, le=1000)
    mode: Mode = "vehicle"
    seats: int = Field(default=6, ge=1, le=1000)
    node: str = Field(max_length=ID_CHARS)
    arrive_min: Minutes = 0.0


def default_roles() -> dict[str, RoleDuty]:
    warn = {"duty": "warn"}
    escort = {"duty": "escort", "team_size": 2}
    return {r: RoleDuty.model_validate(d) for r, d in (
        ("grid_head", {**warn, "availability": 0.97, "turnout": 5}),
        ("grid_worker_ft", {**warn, "availability": 0.95}),
        ("grid_worker_pt", warn), ("micro_grid_head", warn),
        ("militia", escort),
        ("emergency_squad", {**escort, "mode": "vehicle", "team_size": 4, "scope": "town"}),
        ("reserve", {**escort, "turnout": 30}), ("cadre", escort), ("volunteer", escort),
        ("veteran", escort), ("info_officer", {"duty": "none"}))}


class EvacuationParams(StrictModel):
    horizon_min: float = Field(default=240.0, gt=0, le=48 * 60, description="minutes after "
                               "t = 0 the run lasts; cover the water's peak (validate warns)")
    assume_ground_elevation_m: float | None = Field(
        default=None, description="ground level (m) assumed for road nodes without an "
        "elevation_m; without it such a network is an error (set elevations with "
        "`gridmuster network elevation`)")
    warning_start_min: Minutes = 0.0
    hazard: Hazard
    shelters: list[Shelter] = Field(min_length=1, max_length=10_000)
    population: Population = Field(default_factory=Population)
    roles: dict[Role, RoleDuty] = Field(default_factory=dict, description="overrides by role")
    squad_bases: dict[Role, str] = Field(default_factory=dict,
                                         description="node where a role's teams start")
    vehicle_kmh: Kmh = Field(default=30.0, description="vehicle speed on dry roads")
    detour_factor: float = Field(default=1.3, ge=1, le=10, description="door-to-door walk / straight")
    warning_order: Literal["route", "lowest_first"] = "route"
    reinforcements: list[Reinforcement] = Field(default_factory=list, max_length=1000)

    def role(self, role: str) -> RoleDuty:
        return self.roles.get(role) or default_roles()[role]  # type: ignore[call-overload]


class EvacuationPlan(PlanPatch):
    """A evacuation plan: roles replaced whole, keys of the ``evacuation`` section overridden."""

    evacuation: dict[str, Any] | None = None


class EvacuationScenario(ScenarioBase):
    kind: Literal["evacuation"]
    plans: Mapping[PlanName, EvacuationPlan] = Field(default_factory=dict)
    evacuation: EvacuationParams

# --- sense checks (``sim.core.sense``): plans that validate but cannot mean what was meant ---

def sense_errors(model: EvacuationScenario) -> list[Problem]:
    p = model.evacuation
    out = []
    if p.warning_start_min >= p.horizon_min:
        out.append(Problem("evacuation.warning_start_min", _(
            "the warning starts after the horizon ({horizon} min): nobody is warned",
            horizon=f"{p.horizon_min:g}"),
                           p.warning_start_min))
    if p.population.households is not None and not p.population.households:
        out.append(Problem("evacuation.population.households", _(
            "an empty list: nobody lives in the town (leave it out to generate households from "
            "the grids)")))
    return out


def sense_warnings(model: EvacuationScenario) -> list[Problem]:
    """Likely mistakes that still give a run (printed by ``validate``)."""
    if not model.evacuation.population.households \
            and sum(g.residents for g in model.grids) == 0:
        return [Problem("grids", _("no grid has residents: nobody to evacuate"))]
    return []
