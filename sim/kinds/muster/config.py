"""The ``muster:`` section of a scenario file (all times in minutes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.core.config import PlanName, PlanPatch, ScenarioBase, StrictModel
from sim.core.distributions import Dist
from sim.core.errors import Problem, join_path
from sim.core.forces import Role, roster_size
from sim.core.limits import ID_CHARS, PlaceNameZh
from sim.core.sense import share_sum
from sim.present.i18n import _

Channel = Literal["grid_app", "group_chat", "phone_tree"]
Mode = Literal["walk", "ebike", "car"]
Prob = float
ClockTime = str

_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"
MODES: tuple[Mode, ...] = ("walk", "ebike", "car")


def _walk_only() -> dict[Mode, float]:
    return {"walk": 1.0}


def _app_only() -> list[Channel]:
    return ["grid_app"]


def _default_speeds() -> dict[Mode, float]:
    return {"walk": 4.5, "ebike": 15.0, "car": 40.0}


class MessageChannel(StrictModel):
    """A push channel (grid app, group chat): delay from send to the phone, and reach."""

    delivery: Dist
    reliability: Prob = Field(default=1.0, ge=0, le=1, description="share ever delivered")


class PhoneTree(StrictModel):
    """Person-to-person calling: the command centre calls ``fan_out`` people, each of whom
    calls ``fan_out`` more; an unanswered call passes that person's list to the caller."""

    fan_out: int = Field(default=5, ge=1, le=1000)
    call: Dist = Field(description="minutes per call attempt")
    answer_day: Prob = Field(default=0.9, ge=0, le=1)
    answer_night: Prob = Field(default=0.7, ge=0, le=1)


class RoleBehaviour(StrictModel):
    availability_day: Prob = Field(ge=0, le=1)
    availability_night: Prob = Field(ge=0, le=1)
    modes: dict[Mode, float] = Field(default_factory=_walk_only)

    @model_validator(mode="after")
    def _shares(self) -> RoleBehaviour:
        if any(v < 0 for v in self.modes.values()) or sum(self.modes.values()) <= 0:
            raise ValueError(f"mode shares must be ≥ 0 and not all 0, got {dict(self.modes)}")
        return self


class AssemblyPoint(StrictModel):
    id: str = Field(min_length=1, max_length=ID_CHARS)
    name_zh: PlaceNameZh = ""
    node: str = Field(max_length=ID_CHARS)
    desks: int = Field(default=1, ge=1, le=10_000, description="check-in desks staffed")
    task: str = ""


class Assignment(StrictModel):
    """Who goes where: by role, by grid, else ``default`` (an assembly point id or nearest)."""

    default: str = "nearest"
    roles: dict[Role, str] = Field(default_factory=dict)
    grids: dict[str, str] = Field(default_factory=dict)


class MusterParams(StrictModel):
    alert_time: ClockTime = Field(default="09:00", pattern=_CLOCK)
    night_from: ClockTime = Field(default="22:00", pattern=_CLOCK)
    night_until: ClockTime = Field(default="06:00", pattern=_CLOCK)
    horizon_min: float = Field(default=120.0, gt=0, le=24 * 60)
    channels: list[Channel] = Field(default_factory=_app_only, min_length=1)
    grid_app: MessageChannel
    group_chat: MessageChannel
    phone_tree: PhoneTree
    notice_day: Dist
    notice_night: Dist
    acknowledge: Dist
    preparation: Dist
    night_preparation_factor: float = Field(default=1.0, ge=1, le=100)
    speeds_kmh: dict[Mode, Annotated[float, Field(le=300)]] = Field(
        default_factory=_default_speeds, description="km/h by mode (at most 300)")
    checkin: Dist = Field(description="service time at a check-in desk")
    assembly_points: list[AssemblyPoint] = Field(min_length=1, max_length=10_000)
    assignment: Assignment = Field(default_factory=Assignment)
    default_role: RoleBehaviour
    roles: dict[Role, RoleBehaviour] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _speeds_positive(self) -> MusterParams:
        bad = {m: v for m, v in self.speeds_kmh.items() if not v > 0}
        if bad:
            raise ValueError(f"speeds must be > 0, got {bad}")
        return self

    def is_night(self) -> bool:
        start, end, t = self.night_from, self.night_until, self.alert_time
        return (start <= t or t < end) if start > end else (start <= t < end)

    def behaviour(self, role: str) -> RoleBehaviour:
        return self.roles.get(role, self.default_role)  # type: ignore[call-overload]


class MusterPlan(PlanPatch):
    """A muster plan: roles replaced whole, keys of the ``muster`` section overridden."""

    muster: dict[str, Any] | None = None


class MusterScenario(ScenarioBase):
    kind: Literal["muster"]
    plans: Mapping[PlanName, MusterPlan] = Field(default_factory=dict)
    muster: MusterParams

# --- sense checks (``sim.core.sense``): plans that validate but cannot mean what was meant ---

def sense_errors(model: MusterScenario) -> list[Problem]:
    p = model.muster
    out = []
    behaviours = [(("muster", "default_role"), p.default_role)] + [
        (("muster", "roles", r), b) for r, b in p.roles.items()]
    for where, b in behaviours:
        for mode, share in b.modes.items():
            if share > 0 and mode not in p.speeds_kmh:
                out.append(Problem(join_path(*where, "modes", mode),
                                   _("this mode is used but muster.speeds_kmh has no speed "
                                     "for it (given: {given})",
                                     given=", ".join(p.speeds_kmh) or _("none")), share))
    reach = [getattr(p, c).reliability for c in p.channels if c != "phone_tree"]
    if reach and "phone_tree" not in p.channels and max(reach) == 0:
        out.append(Problem("muster.channels", _("every channel has reliability 0: the alert "
                                               "reaches nobody"), list(p.channels)))
    return out


def sense_warnings(model: MusterScenario) -> list[Problem]:
    """Likely mistakes that still give a run (printed by ``validate``)."""
    p = model.muster
    out: list[Problem] = []
    # A warning, not an error: an empty base plan is how `optimise` starts its search.
    if roster_size(dict(model.forces), list(model.grids)) == 0 and not model.injects:
        out.append(Problem("forces", _("nobody is on the roster (every role has 0 "
                                       "members)")))
    out += share_sum(("muster", "default_role", "modes"), dict(p.default_role.modes))
    for r, b in p.roles.items():
        out += share_sum(("muster", "roles", r, "modes"), dict(b.modes))
    for name in ("notice_day", "notice_night", "acknowledge", "preparation", "checkin"):
        mean = getattr(p, name).mean()
        if mean >= p.horizon_min:
            out.append(Problem(join_path("muster", name), _(
                "takes {mean} min on average, longer than the horizon ({horizon} min): few "
                "or none will muster", mean=f"{mean:,.0f}", horizon=f"{p.horizon_min:g}")))
    return out
