"""What a kind tells the replay (``sim.analysis.replay``): how its event records become states
at a minute, and what else its replay shows. Plain data, so that a kind can state it without
importing pandas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# How a state places an entity: at home, at the location of its last event, or moving.
HOME, AT, MOVING = "home", "at", "moving"


@dataclass(frozen=True)
class ReplaySpec:
    """How one kind's events become states at a minute."""

    before_first: str  # state of an entity before its first event
    states: Mapping[str, tuple[str, str]]  # event → (state, HOME | AT | MOVING)
    home_events: tuple[str, ...] = ()  # events whose location is the entity's home node
    arrival_events: tuple[str, ...] = ()  # events that end a MOVING state
    colors: Mapping[str, str] = field(default_factory=dict)  # state → colour
    queue_state: str | None = None  # the state counted as a queue at its location
    ignore_entities: tuple[str, ...] = ("command",)
    ignore_roles: tuple[str, ...] = ()  # e.g. the records of roads closing
    hidden_states: tuple[str, ...] = ()  # counted but not drawn (not arrived yet, gone home)
    who: Mapping[str, str] = field(default_factory=dict)  # state → who is in it (a column)
    who_default: str = ""  # who is in the other states
    unit: str = "people"  # what the counts count
    # What the map draws: at most five classes of states, class → (colour, states), so that a
    # map never needs more than five dot colours (the counts table keeps every state).
    groups: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplayExtras:
    """What a kind's replay needs from a plan's inputs besides the event records."""

    end_min: float = 0.0  # the replay runs at least this long (the horizon)
    # Those who may have no events at all (households never warned): (id, role, grid, node id).
    entities: Sequence[tuple[str, str, str, str]] = ()
    locations: Mapping[str, str] = field(default_factory=dict)  # more place names → node id
    timeline: Any = None  # roads that change over the run: has ``state_at(minute)``
    crowd: bool = False  # the replication's series record crowds at places (queues, density)
    areas: Mapping[str, float] = field(default_factory=dict)  # place → m² (crowd density)
    danger_ppm2: float = 4.0
    focus_min: float = 30.0  # a minute worth showing first
