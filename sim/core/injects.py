"""Injects: the timed events of an exercise's master scenario events list (as in HSEEP).

A scenario's ``injects:`` list is the facilitator's storyline: a road closes at minute 20, the
grid app goes down for 20 minutes, a squad is held up... Each kind applies the types that make
sense for it (``Kind.inject_types``); the others are reported as errors with their field path.
Every inject also appears in the event records (entity ``inject``) and on the plots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from sim.core.errors import Problem, join_path
from sim.core.forces import Role
from sim.core.limits import BoundaryModel
from sim.present.i18n import _


class _Inject(BoundaryModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              coerce_numbers_to_str=True)
    t_min: float = Field(ge=0, description="minutes after the start (the alert)")
    note: str = Field(default="", description="what the facilitator tells the players")

    def label(self) -> str:
        return self.note or self.type.replace("_", " ")  # type: ignore[attr-defined]

    def record(self) -> dict[str, Any]:
        """The inject as summaries keep it: its minute, type, label, note and own fields
        (from which reports write what it makes the model do)."""
        return {"t_min": self.t_min, "type": self.type,  # type: ignore[attr-defined]
                "label": self.label(), "note": self.note,
                "fields": self.model_dump(mode="json", exclude={"t_min", "type", "note"})}


class RoadClosed(_Inject):
    type: Literal["road_closed"]
    edges: list[tuple[str, str]] = Field(min_length=1, description="[[node, node], ...]")


class RoadReopened(_Inject):
    type: Literal["road_reopened"]
    edges: list[tuple[str, str]] = Field(min_length=1)


class ChannelOutage(_Inject):
    type: Literal["channel_outage"]
    channel: Literal["grid_app", "group_chat", "phone_tree"]
    duration_min: float = Field(gt=0)


class SquadDelayed(_Inject):
    """Members of a role (optionally of one grid) who have not left yet leave later."""

    type: Literal["squad_delayed"]
    role: Role
    grid: str | None = None
    delay_min: float = Field(gt=0)


class SquadRedirected(_Inject):
    """Members of a role who have not left yet go to another assembly point or shelter."""

    type: Literal["squad_redirected"]
    role: Role
    to: str


class ReinforcementArrives(_Inject):
    type: Literal["reinforcement_arrives"]
    role: Role
    count: int = Field(ge=1)
    node: str = Field(description="where they arrive, e.g. the road from the next town")
    to: str | None = Field(default=None, description="assembly point or shelter (default nearest)")


class ShelterFull(_Inject):
    type: Literal["shelter_full"]
    shelter: str


class ShelterLost(_Inject):
    type: Literal["shelter_lost"]
    shelter: str


class VisitorSurge(_Inject):
    type: Literal["visitor_surge"]
    factor: float = Field(gt=0, description="arrival rates multiplied by this")
    duration_min: float = Field(gt=0)
    mode: str | None = None


class CheckpointLaneClosed(_Inject):
    type: Literal["checkpoint_lane_closed"]
    checkpoint: str
    lanes: int = Field(ge=1)
    duration_min: float = Field(gt=0)


class ExtraRainfall(_Inject):
    type: Literal["extra_rainfall"]
    mm: float = Field(ge=0)
    duration_min: float = Field(gt=0)


Inject = Annotated[
    RoadClosed | RoadReopened | ChannelOutage | SquadDelayed | SquadRedirected
    | ReinforcementArrives | ShelterFull | ShelterLost | VisitorSurge | CheckpointLaneClosed
    | ExtraRainfall,
    Field(discriminator="type"),
]
INJECT_TYPES = ("road_closed", "road_reopened", "channel_outage", "squad_delayed",
                "squad_redirected", "reinforcement_arrives", "shelter_full", "shelter_lost",
                "visitor_surge", "checkpoint_lane_closed", "extra_rainfall")


def road_states(injects: Sequence[object]) -> int:
    """How many road networks a storyline's road closures and reopenings make (0 when it has
    none): each is routed over anew, so each has its own travel tables."""
    changes = sum(isinstance(i, RoadClosed | RoadReopened) for i in injects)
    return changes + 1 if changes else 0


def describe(inj: _Inject) -> str:
    """One line for event records and plot labels."""
    fields = inj.model_dump(exclude={"t_min", "type", "note"}, exclude_none=True)
    detail = ", ".join(f"{k}={v}" for k, v in fields.items())
    return f"{inj.note} ({detail})" if inj.note else detail


def unknown_roads(inj: RoadClosed | RoadReopened, where: str, has_edge: Callable[[str, str], bool],
                  noun: str = "road") -> list[Problem]:
    """A problem for each edge of a road inject that the network does not have."""
    message = (_("no such walkway in the network") if noun == "walkway"
               else _("no such road in the network"))
    return [Problem(join_path(where, "edges", j), message, [a, b])
            for j, (a, b) in enumerate(inj.edges) if not has_edge(a, b)]
