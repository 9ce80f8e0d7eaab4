"""How a festival scenario's injects change a replication: visitor surges, checkpoint lanes
closed, and walkways that close and reopen.

Inject times ``t_min`` are minutes after ``day_start``. Everything is precomputed once per plan
(``Storyline.build``); a replication only looks up:

- ``visitor_surge``: arrival rates × ``factor`` for ``duration_min`` (one ``mode`` or all).
  Overlapping surges multiply. The extra arrivals come from a stream of their own and a
  slow-down (factor < 1) thins the usual ones, so everyone outside the window, and everyone
  kept inside it, is the same visitor as in a plan without the inject.
- ``checkpoint_lane_closed``: ``lanes`` fewer lanes open for ``duration_min``, on top of the
  roster (the highest-numbered open lanes close; like a shift change, a lane finishes the group
  it is checking).
- ``road_closed`` / ``road_reopened``: walkway edges. Routes are chosen when someone sets off
  with the walkways open at that moment (teams when dispatched, visitors when they leave the
  checkpoint or are redirected); a closure does not stop someone already on the way. A visitor
  cut off from their preferred viewing point goes to the nearest one they can reach; an
  incident no free team can reach waits until a walkway reopens or another team is free.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from sim.core.errors import Problem, join_path
from sim.core.injects import (
    CheckpointLaneClosed,
    RoadClosed,
    RoadReopened,
    VisitorSurge,
    describe,
    unknown_roads,
)
from sim.kinds.festival.checkpoint import INF, LaneSchedule
from sim.kinds.festival.config import FestivalScenario
from sim.network.graph import RoadNetwork
from sim.present.i18n import _

FESTIVAL_INJECTS = frozenset({"visitor_surge", "checkpoint_lane_closed", "road_closed",
                              "road_reopened"})


def check_injects(model: FestivalScenario, network: RoadNetwork) -> list[Problem]:
    p = model.festival
    problems = []
    for i, inj in enumerate(model.injects):
        where = join_path("injects", i)
        if inj.t_min > p.horizon:
            problems.append(Problem(join_path(where, "t_min"), _(
                "after the end of the day ({minutes} min after day_start {start})",
                minutes=f"{p.horizon:g}", start=p.day_start), inj.t_min))
        if isinstance(inj, VisitorSurge) and inj.mode is not None and inj.mode not in p.modes:
            problems.append(Problem(join_path(where, "mode"),
                                    _("not a mode ({modes})", modes=", ".join(p.modes)),
                                    inj.mode))
        elif isinstance(inj, CheckpointLaneClosed):
            cp = p.checkpoints.get(inj.checkpoint)
            if cp is None:
                problems.append(Problem(join_path(where, "checkpoint"), "not a checkpoint id",
                                        inj.checkpoint))
            elif inj.lanes > cp.lanes:
                problems.append(Problem(join_path(where, "lanes"), _(
                    "more than the checkpoint's {n} physical lanes", n=cp.lanes), inj.lanes))
        elif isinstance(inj, RoadClosed | RoadReopened):
            problems += unknown_roads(inj, where, network.graph.has_edge, "walkway")
    return problems


@dataclass(frozen=True)
class SurgeWindow:
    t0: float
    t1: float
    factor: float
    mode: str | None  # None: every mode


def surge_factor(windows: list[SurgeWindow], t: np.ndarray) -> np.ndarray:
    """The product of the factors of the windows ``[t0, t1)`` containing each time."""
    f = np.ones(np.shape(t))
    for w in windows:
        f = np.where((t >= w.t0) & (t < w.t1), f * w.factor, f)
    return f


def close_lanes(schedule: LaneSchedule, t0: float, t1: float, lanes: int) -> LaneSchedule:
    """``lanes`` fewer lanes open during ``[t0, t1)`` (never fewer than none)."""
    times = sorted({*schedule.times, t0, t1})
    counts = schedule.lanes_at(np.array(times))
    counts = np.where((np.array(times) >= t0) & (np.array(times) < t1),
                      np.maximum(counts - lanes, 0), counts)
    out_t, out_c = [times[0]], [int(counts[0])]
    for t, c in zip(times[1:], counts[1:].tolist(), strict=True):
        if c != out_c[-1]:
            out_t.append(t)
            out_c.append(int(c))
    return LaneSchedule(tuple(out_t), tuple(out_c))


@dataclass(frozen=True)
class Walkways:
    """Walking and team travel times between walkway changes: state ``s`` holds from
    ``starts[s]``."""

    starts: list[float]
    walk_cp_vp: list[np.ndarray]  # per state: (checkpoint, viewing point) minutes
    walk_vp_vp: list[np.ndarray]  # per state: (from viewing point, to viewing point) minutes
    team_travel: list[dict[str, np.ndarray]]  # per state: team group -> (place, node) minutes

    def state_at(self, t: float) -> int:
        return bisect.bisect_right(self.starts, t) - 1

    def walks(self, cp: np.ndarray, view: np.ndarray, depart: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """(viewing point, walking minutes) of groups leaving checkpoints ``cp`` at ``depart``:
        the preferred one if it can be reached, else the nearest that can (inf: none)."""
        view, minutes = view.copy(), np.full(view.size, INF)
        state = np.searchsorted(np.array(self.starts), depart, side="right") - 1
        for s in np.unique(state):
            rows = np.flatnonzero(state == s)
            table = self.walk_cp_vp[max(int(s), 0)][cp[rows]]
            w = table[np.arange(rows.size), view[rows]]
            cut = ~np.isfinite(w)
            if cut.any():
                view[rows[cut]] = np.argmin(table[cut], axis=1)
                w[cut] = table[cut, view[rows[cut]]]
            minutes[rows] = w
        return view, minutes


@dataclass(frozen=True)
class Storyline:
    surges: list[SurgeWindow] = field(default_factory=list)
    walkways: Walkways | None = None
    records: list[tuple[float, str, str]] = field(default_factory=list)  # (t, type, detail)

    @classmethod
    def build(cls, model: FestivalScenario, network: RoadNetwork, cp_nodes: list[str],
              vp_nodes: list[str], place_nodes: list[str]) -> Storyline:
        p = model.festival
        surges = [SurgeWindow(i.t_min, i.t_min + i.duration_min, i.factor, i.mode)
                  for i in model.injects if isinstance(i, VisitorSurge)]
        changes = sorted((i for i in model.injects if isinstance(i, RoadClosed | RoadReopened)),
                         key=lambda x: x.t_min)
        walkways = None
        if changes:
            closed: set[tuple[str, str]] = set()
            starts, states = [0.0], [frozenset[tuple[str, str]]()]
            for inj in changes:
                edges = {(min(a, b), max(a, b)) for a, b in inj.edges}
                closed = closed | edges if isinstance(inj, RoadClosed) else closed - edges
                starts.append(inj.t_min)
                states.append(frozenset(closed))
            idx = network.index
            cps, vps = [idx[n] for n in cp_nodes], [idx[n] for n in vp_nodes]
            walk = [network.travel_tables(vp_nodes, p.walk_kmh, st)[0] for st in states]
            walkways = Walkways(
                starts,
                [w[:, cps].T for w in walk],
                [w[:, vps] for w in walk],
                [{t: network.travel_tables(place_nodes, tg.speed_kmh, st)[0]
                  for t, tg in p.teams.items()} for st in states])
        records = sorted((i.t_min, str(i.type), describe(i)) for i in model.injects)
        return cls(surges, walkways, records)


def lane_schedules(model: FestivalScenario, schedules: list[LaneSchedule]) -> list[LaneSchedule]:
    """The roster's lane schedules with the lane-closure injects applied."""
    ids = list(model.festival.checkpoints)
    out = list(schedules)
    for inj in model.injects:
        if isinstance(inj, CheckpointLaneClosed):
            c = ids.index(inj.checkpoint)
            out[c] = close_lanes(out[c], inj.t_min, inj.t_min + inj.duration_min, inj.lanes)
    return out
