"""Grids, the forces a town can call on, and the roster of individual responders.

Role names follow field-data.md. Forces are sized per role with exactly one rule: a town-wide
``count`` (shared among grids by residents), ``per_grid`` members in every grid, one member
``per_residents`` residents (the 30:1 reserve rule is ``per_residents: 30``), or ``by_grid``:
members counted grid by grid, as a roster (花名册) imported from a spreadsheet gives them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from sim.core.limits import (
    ID_CHARS,
    PEOPLE,
    RESIDENTS,
    ROLE_MEMBERS,
    TEXT_CHARS,
    BoundaryModel,
    PlaceNameZh,
)

Role = Literal[
    "grid_head",
    "grid_worker_ft",
    "grid_worker_pt",
    "micro_grid_head",
    "info_officer",
    "militia",
    "cadre",
    "volunteer",
    "veteran",
    "emergency_squad",
    "reserve",
]
ROLES: tuple[str, ...] = get_args(Role)
# How a role's members are counted: exactly one of these per role.
RULES: tuple[str, ...] = ("count", "per_grid", "per_residents", "by_grid")



class Grid(BoundaryModel):
    """A grid: about 1,000 residents, located by a road-network node or by x/y metres."""

    # Numbers are accepted where text is expected: an unquoted node id `123` is an id.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              coerce_numbers_to_str=True)
    id: str = Field(min_length=1, max_length=ID_CHARS)
    name_zh: PlaceNameZh = ""
    residents: int = Field(ge=0, le=RESIDENTS)
    households: int = Field(default=0, ge=0, le=RESIDENTS)
    node: str | None = Field(default=None, max_length=ID_CHARS)
    centre: tuple[float, float] | None = Field(
        default=None, description="x, y in metres (finite)")
    village: str = Field(default="", max_length=TEXT_CHARS)

    @model_validator(mode="after")
    def _located(self) -> Grid:
        if self.node is None and self.centre is None:
            raise ValueError("give a 'node' of the road network or a 'centre' [x, y] in metres")
        return self


class RoleForce(BoundaryModel):
    """How many members of one role there are."""

    count: int | None = Field(default=None, ge=0, le=ROLE_MEMBERS,
                              description="town-wide, shared by residents")
    per_grid: int | None = Field(default=None, ge=0, le=ROLE_MEMBERS,
                                 description="members in every grid")
    # At least 1 resident per member: 1e-9 would mean a billion members per resident.
    per_residents: float | None = Field(
        default=None, ge=1, le=RESIDENTS,
        description="one member per this many residents (30 = 30:1 rule)"
    )
    by_grid: dict[str, Annotated[int, Field(ge=0, le=ROLE_MEMBERS)]] | None = Field(
        default=None, description="members in each named grid (e.g. from `gridmuster import "
        "roster`); grids not named have none")
    grids: list[str] | None = Field(default=None, description="only these grids (default all)")

    @model_validator(mode="after")
    def _one_rule(self) -> RoleForce:
        given = [k for k in RULES if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(RULES)} (given: {given or 'none'})"
            )
        if self.by_grid is not None and self.grids is not None:
            raise ValueError("by_grid names its grids; leave out grids")
        return self


@dataclass(frozen=True)
class Responder:
    """One person on the roster. ``id`` is stable across plans: it keys their random draws."""

    id: str
    role: str
    grid: str
    grid_index: int


def allocate(total: int, weights: list[float]) -> list[int]:
    """Share ``total`` seats by weight with the Sainte-Laguë divisor method.

    A divisor method is house-monotone: adding one member never takes a seat from any grid,
    so the other responders keep their ids (and their random draws) when a plan grows.
    """
    seats = [0] * len(weights)
    if total <= 0 or not weights or sum(weights) <= 0:
        return seats
    heap = [(-w, i) for i, w in enumerate(weights)]
    heapq.heapify(heap)
    for _ in range(total):
        _, i = heapq.heappop(heap)
        seats[i] += 1
        heapq.heappush(heap, (-weights[i] / (2 * seats[i] + 1), i))
    return seats


def role_counts(force: RoleForce, grids: list[Grid]) -> list[int]:
    """Members of one role in each grid."""
    if force.by_grid is not None:
        return [force.by_grid.get(g.id, 0) for g in grids]
    active = [force.grids is None or g.id in force.grids for g in grids]
    if force.per_grid is not None:
        return [force.per_grid if a else 0 for a in active]
    if force.per_residents is not None:
        # Round up: a grid of 1,000 at 30:1 gets 34, so every resident is covered.
        return [math.ceil(g.residents / force.per_residents) if a else 0
                for g, a in zip(grids, active, strict=True)]
    assert force.count is not None
    return allocate(force.count, [g.residents if a else 0.0 for g, a in zip(grids, active, strict=True)])


def roster_size(forces: Mapping[Any, RoleForce], grids: list[Grid]) -> int:
    """Responders a roster would have, computed without building it (or the allocation)."""
    total = 0
    for force in forces.values():
        if force.by_grid is not None:
            ids = {g.id for g in grids}
            total += sum(n for gid, n in force.by_grid.items() if gid in ids)
            continue
        active = [g for g in grids if force.grids is None or g.id in force.grids]
        if force.per_grid is not None:
            total += force.per_grid * len(active)
        elif force.per_residents is not None:
            total += sum(math.ceil(g.residents / force.per_residents) for g in active)
        elif force.count is not None and any(g.residents for g in active):
            total += force.count
    return total


def roster_problems(forces: Mapping[Any, RoleForce], grids: list[Grid]) -> list[str]:
    """Why a roster cannot be built (too many people), as plain messages."""
    n = roster_size(forces, grids)
    if n > PEOPLE:
        return [f"the forces add up to {n:,} responders; at most {PEOPLE:,}"]
    return []


def build_roster(forces: dict[str, RoleForce], grids: list[Grid]) -> list[Responder]:
    """Every responder, in a fixed order: by grid, then role (vocabulary order), then number."""
    counts = {role: role_counts(forces[role], grids) for role in ROLES if role in forces}
    roster: list[Responder] = []
    for gi, grid in enumerate(grids):
        for role, per_grid in counts.items():
            roster.extend(
                Responder(f"{grid.id}-{role}-{k:03d}", role, grid.id, gi)
                for k in range(1, per_grid[gi] + 1)
            )
    return roster
