"""One replication of a rainstorm evacuation (SimPy): door-to-door warning, compliance and a
second knock, self-evacuation, escorts for the frail, travel over flooding roads with re-plans,
shelters that fill up and overflow to the next nearest open one.

A pure function of (inputs, replication, seed); no I/O. Random draws are keyed by household,
warner and squad id (common random numbers across plans).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from heapq import heappop, heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from sim.core.bare_calls import fire
from sim.core.rng import uniforms
from sim.kinds.evacuation.hazard import M_PER_MIN_AT_1KMH
from sim.kinds.evacuation.inputs import EvacuationInputs, Squad
from sim.kinds.evacuation.shelters import Shelters

# Per-household uniforms; appending a slot never changes the existing ones.
H_ESCORT, H_COMPLY, H_COMPLY2, H_SELF, H_SELF_DELAY, H_PREP, H_KNOCK, H_KNOCK2 = range(8)
# Per-responder (warner or squad) uniforms.
R_AVAIL, R_TURNOUT = range(2)

HOME, PREPARING, WAITING_ESCORT, EN_ROUTE, CUT_OFF, NO_SPACE, SHELTERED, REFUSED = (
    "not_warned", "preparing", "waiting_escort", "en_route", "cut_off", "no_shelter_space",
    "sheltered", "refused")
STRANDED_REASONS = (HOME, PREPARING, WAITING_ESCORT, EN_ROUTE, CUT_OFF, NO_SPACE)
Group = list[int]  # [household index, people] moving together

Proc = Generator[simpy.Event, Any, Any]
# Warners and squads: generators of delays (minutes) or of the list to wait in (see ``_step``).
Steps = Generator[Any, Any, Any]



class BareCallEnvironment(simpy.Environment):
    """SimPy's environment that also runs bare calls ``(fn, a, b)`` found on its queue (see
    ``FloodRun.later``), in SimPy's own order: time, priority, sequence number."""

    def step(self) -> None:
        queue = self._queue  # type: ignore[attr-defined]
        if queue and type(queue[0][3]) is tuple:
            self._now, _, _, (fn, a, b) = heappop(queue)
            fn(a, b)
            return
        super().step()

    def run_until(self, until: float) -> int:
        """``run(until=until)`` in one loop (no method call per step); returns the steps run.
        The stop is where SimPy's own would be: an urgent entry at ``until``, after everything
        already on the queue for that moment and priority."""
        queue = self._queue  # type: ignore[attr-defined]
        if not until > self._now:  # type: ignore[has-type]
            raise ValueError(f"until (={until}) must be greater than the current simulation time")
        stop: Any = (float(until), URGENT, next(self._eid), None)  # type: ignore[attr-defined]
        heappush(queue, stop)
        steps = 0
        while True:
            self._now, _, _, ev = heappop(queue)
            if type(ev) is tuple:
                fn, a, b = ev
                fn(a, b)
            elif ev is None:
                return steps
            else:  # a SimPy event: as ``Environment.step``
                fire(ev)
            steps += 1


class _Array:
    """A list a replication keeps (as ``_name``), read as an array once it has run: read and
    written one item at a time at every step, numpy scalars cost more than Python's."""

    def __init__(self, dtype: type) -> None:
        self.dtype = dtype

    def __set_name__(self, owner: type, name: str) -> None:
        self.kept = "_" + name

    def __get__(self, run: Any, owner: type | None = None) -> np.ndarray:
        return np.array(getattr(run, self.kept), dtype=self.dtype)


class FloodRun:
    """The processes and the state of one replication."""

    # Read by the metrics at the end (each household's state; places left in each shelter;
    # kilometres each warner, then each squad, walked; doors each warner came to).
    status, warned_at, left_at = _Array(object), _Array(float), _Array(float)
    sheltered, went_alone = _Array(int), _Array(bool)
    escorted, exposed = _Array(bool), _Array(bool)
    km, visits = _Array(float), _Array(int)
    needs_escort, hh_grid = _Array(bool), _Array(int)

    @property
    def space(self) -> np.ndarray:
        """Places left in each shelter."""
        return np.array(self.shelters.space, dtype=int)

    def __init__(self, inp: EvacuationInputs, key: int, keep_events: bool):
        self.inp, p = inp, inp.params
        self.pop, self.hz = p.population, p.hazard
        self.env = BareCallEnvironment()
        self._queue: list[Any] = self.env._queue  # type: ignore[attr-defined]
        self._eid = self.env._eid  # type: ignore[attr-defined]
        n = len(inp.households)
        u = uniforms(key, inp.hh_hashes, 8)
        fixed = np.array([-1 if h.needs_escort is None else int(h.needs_escort)
                          for h in inp.households], dtype=int)
        needs_escort = np.where(fixed >= 0, fixed == 1, u[:, H_ESCORT] < self.pop.needs_escort_share)
        self.self_evac = (u[:, H_SELF] < self.pop.self_evacuation_share) & ~needs_escort
        self.self_delay = self.pop.self_evacuation_delay.sample(u[:, H_SELF_DELAY])
        # Each household's draws and state as Python lists: read and written one household at
        # a time at every step (numpy scalars cost more there); arrays at the end (below).
        self._comply: list[list[bool]] = [(u[:, H_COMPLY] < self.pop.compliance).tolist(),
                                          (u[:, H_COMPLY2] < self.pop.second_knock_compliance
                                           ).tolist()]  # (first knock, second)
        self._needs_escort: list[bool] = needs_escort.tolist()
        self._prep: list[float] = self.pop.preparation.sample(u[:, H_PREP]).tolist()
        self._knock: list[list[float]] = [self.pop.knock.sample(u[:, H_KNOCK]).tolist(),
                                          self.pop.knock.sample(u[:, H_KNOCK2]).tolist()]
        self._hh_grid: list[int] = [h.grid_index for h in inp.households]
        self._members: list[int] = inp.hh_members.astype(int).tolist()
        self._first_exposed: list[float] = np.asarray(inp.hh_first_exposed, dtype=float).tolist()
        self._shelter_node: list[int] = inp.shelter_nodes.astype(int).tolist()
        self._status: list[str] = [HOME] * n
        self._warned_at: list[float] = [math.inf] * n
        self._left_at: list[float] = [math.inf] * n
        self._ready_at: list[float] = [math.inf] * n
        self._sheltered: list[int] = [0] * n
        self._waiting: list[int] = [0] * n  # members waiting for an escort
        self._went_alone: list[bool] = [False] * n  # self-evacuated before any warning
        self._escorted: list[bool] = [False] * n
        self._exposed: list[bool] = [False] * n
        self.shelters = Shelters(self.env, inp.shelter_capacity.astype(int).tolist(),
                                 np.asarray(inp.story.full_from, dtype=float).tolist(),
                                 self._shelter_node, inp.routes)
        self.arrivals: list[tuple[float, int, int, int]] = []  # (t, shelter, household, people)
        self.turned_away = 0
        # Households waiting for an escort, in request order (a dict: ordered, O(1) removal),
        # town-wide and by grid, so that a pickup scans only the households it may take.
        self.pending: dict[int, None] = {}
        self.pending_by_grid: list[dict[int, None]] = [{} for _ in inp.grid_order]
        # Squads waiting for the next escort request, by grid (-1: town-wide), in the order
        # they began to wait (as an event's callbacks).
        self.requests: dict[int, list[Steps]] = {}
        self.queues = [deque(int(h) for h in o) for o in inp.grid_order]
        self.second: list[deque[tuple[int, float]]] = [deque() for _ in inp.grid_order]
        self._visits: list[int] = [0] * len(inp.warners)
        self._km: list[float] = [0.0] * (len(inp.warners) + len(inp.squads))
        self.on_duty = np.zeros(len(inp.warners) + len(inp.squads), dtype=bool)
        self.trips = 0
        self.keep = keep_events
        self.log: list[tuple[float, str, str, str, str, str]] = []
        self.rw = uniforms(key, inp.warner_hashes, 2)
        self.rs = uniforms(key, inp.squad_hashes, 2)
        xs, ys = zip(*self.hz.wading, strict=True)  # the wading curve, as hazard.wading_factor
        self._wading_x, self._wading_y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        self._wading: dict[float, float] = {}  # by depth (np.interp, once per depth met)
        # Python floats and ints for the warners' walks (numpy scalars cost more one by one).
        self._x, self._y = inp.xy[:, 0].tolist(), inp.xy[:, 1].tolist()
        self._hh_node: list[int] = inp.hh_node.tolist()

    # -- records -----------------------------------------------------------------------------
    def event(self, who: str, role: str, grid: str, what: str, where: str = "") -> None:
        if self.keep:
            self.log.append((self.env._now, who, role, grid, what, where))

    def hh_event(self, h: int, what: str, where: str = "") -> None:
        if self.keep:
            hh = self.inp.households[h]
            self.log.append((self.env._now, hh.id, "household", hh.grid, what, where))

    def node(self, i: int) -> str:
        return self.inp.node_names[i]

    def start(self) -> None:
        env, inp = self.env, self.inp
        for w in range(len(inp.warners)):  # (as processes: an Initialize each, urgent)
            self.later(0.0, self._step, self.warner(w), priority=URGENT)
        for q, sq in enumerate(inp.squads):
            self.later(0.0, self._step, self.squad(q, sq), priority=URGENT)
        env.process(self.road_watch())
        for t, s in inp.story.lost:
            env.process(self.shelter_lost(t, s))
        # Households that leave before any warning: their step at their delay is scheduled
        # after every first step above, where their processes would schedule it at t = 0
        # (as processes they started first, but only to wait: the same order of everything).
        for h in np.flatnonzero(self.self_evac):
            self.later(self.self_delay[h], self._self_go, int(h))

    def road_watch(self) -> Proc:
        """Records of roads closing and reopening to people on foot (as a dispatcher sees)."""
        rows, cols, _, _ = self.inp.routes.network._edges
        for t, shut, reopened in self.inp.timeline.closed_walk_at:
            if t > self.env._now:
                yield self.env.timeout(t - self.env._now)
            if not self.keep:  # (the waits stay: they hold their places in SimPy's order)
                continue
            for e, what in [(e, "road_closed") for e in shut] + [(e, "road_reopened")
                                                                 for e in reopened]:
                self.event(f"road:{self.node(rows[e])}-{self.node(cols[e])}", "hazard", "", what)

    def shelter_lost(self, t: float, s: int) -> Proc:
        """A record of how many people were inside a shelter lost by an inject (they stay)."""
        yield self.env.timeout(t)
        inside = int(self.inp.shelter_capacity[s] - self.shelters.space[s])
        self.event(f"shelter:{self.inp.shelter_ids[s]}", "shelter", "", "shelter_lost",
                   f"{inside} people inside stay")

    # -- households ----------------------------------------------------------------------------
    # Households that walk out on their own (after a warning, or before any) need no SimPy
    # process: their steps are bare calls on SimPy's queue (``later``) at the times the
    # process's Timeouts would end, in SimPy's order (time, priority, sequence number).
    # Two steps are merged where nothing happens between them: a household that complies
    # starts preparing at the knock (not in a zero-delay step after it), and a warner's walk
    # to a door and knock there are one step at the same sum of minutes. Such a step takes
    # its sequence number a little earlier than the second step of the pair would have, so
    # it could only run in another order than before against a step ending at the very same
    # float minute: with the bundled scenarios' continuous times, never (the full records of
    # every bundled plan and of the benchmark towns are unchanged).
    def later(self, delay: float, fn: Callable[[Any, int], None], a: Any, b: int = 0,
              priority: int = NORMAL) -> None:
        heappush(self._queue, (self.env._now + delay, priority, next(self._eid), (fn, a, b)))

    def _self_go(self, h: int, _: int = 0) -> None:
        if self._status[h] == HOME and not math.isfinite(self._warned_at[h]):
            self._went_alone[h] = True
            if self.keep:
                self.hh_event(h, "self_evacuating", self.node(self._hh_node[h]))
            self._advance(self.trip([[h, self._members[h]]],
                                    self._hh_node[h], "walk", self.pop.walk_kmh))

    def _walk_go(self, h: int, _: int = 0) -> None:
        self._advance(self.trip([[h, self._members[h]]], self._hh_node[h],
                                "walk", self.pop.walk_kmh))

    def _step(self, steps: Steps, _: int = 0) -> None:
        """The next step of a warner or a squad (bare calls, as for trips): a delay is a
        Timeout's place on the queue; a list is the squads waiting for an escort request
        (``_wake`` resumes them, where the request event's callbacks would run)."""
        try:
            got = next(steps)
        except StopIteration:
            return
        if type(got) is list:
            got.append(steps)
        elif type(got) is tuple:  # an absolute time
            heappush(self._queue, (got[0], NORMAL, next(self._eid), (self._step, steps, 0)))
        else:
            self.later(got, self._step, steps)

    def _wake(self, waiting: list[Steps], _: int = 0) -> None:
        for steps in waiting:
            self._step(steps)

    def _advance(self, steps: Generator[float, None, int], _: int = 0) -> None:
        """The next step of a trip, and a bare call for the one after."""
        try:
            delay = next(steps)
        except StopIteration:
            return
        self.later(delay, self._advance, steps)

    def leave_home(self, h: int) -> None:
        if not math.isfinite(self._left_at[h]):
            self._left_at[h] = self.env._now
            if not self._went_alone[h]:  # (a self-evacuation is recorded as it starts)
                self.hh_event(h, "departed", self.node(self._hh_node[h]))
            if self._first_exposed[h] < self.env._now:
                self._exposed[h] = True

    def trip(self, groups: list[Group], node: int, mode: str, kmh: float) -> Generator[
            float, None, int]:
        """Move groups to the nearest open shelter with space, re-planning at the next node
        after each change of the network; surplus at a full shelter goes on to the next one.
        Yields the minutes to wait before each next step; returns the node where it ended."""
        env, inp, tl, keep = self.env, self.inp, self.inp.timeline, self.keep
        for h, _ in groups:
            self.leave_home(h)
            if self._waiting[h] == 0:
                self._status[h] = EN_ROUTE
        scale = 1.0 / kmh if mode == "walk" else 1.0
        horizon = inp.params.horizon_min
        while groups and env._now < horizon:
            state, change = tl.now(env._now)
            table = inp.routes.table(state, mode)
            s, minutes = self.shelters.nearest(table, state, node, scale)
            if s < 0:
                why = CUT_OFF if self.shelters.any_room() else NO_SPACE
                for h, _ in groups:
                    if self._status[h] != why:
                        self._status[h] = why
                        if keep:
                            self.hh_event(h, why, self.node(node))
                if not math.isfinite(change):
                    return node
                if not keep and change < horizon:
                    change = self._next_hope(node, mode, change, horizon)
                yield change - env._now
                for h, _ in groups:
                    self._status[h] = EN_ROUTE if self._waiting[h] == 0 else WAITING_ESCORT
                continue
            if env._now + minutes <= change:
                yield minutes
                node = self._shelter_node[s]
                self.admit(groups, s)
                continue
            # The network changes on the way: go on to the first node reached after the change.
            node, raw = table.walk(s, node, (change - env._now) / scale)
            yield raw * scale
            if tl.depth_at(node, env._now) > self.hz.exposure_depth_m:
                for h, _ in groups:
                    self._exposed[h] = True
            if keep:
                for h, _ in groups:
                    self.hh_event(h, "replanned", self.node(node))
        return node

    def _next_hope(self, node: int, mode: str, change: float, horizon: float) -> float:
        """When stranded groups at ``node`` next look for a shelter: the first change of the
        network from ``change`` on at which ``node`` is joined by open roads to an open
        shelter that has room now, else the last change before ``horizon``.

        At the changes skipped a look could only find none (room only shrinks), and it would
        change nothing but their state, which is set again at the look kept: the last before
        the horizon at the latest. So the run is the same with fewer steps: at 300 grids
        about 78,000 of a replication's 115,000 looks for a shelter were stranded groups
        looking again. (A household split between two groups has its state set by both;
        the last to set it still does so at the same moment. Only where no record of each
        look is kept: each look is a record.)"""
        tl, routes = self.inp.timeline, self.inp.routes
        t = change
        while True:
            state, nxt = tl.now(t)
            if not nxt < horizon or self.shelters.may_reach(routes.table(state, mode), state, node):
                return t
            t = nxt

    def admit(self, groups: list[Group], s: int) -> None:
        """Admit as many as the shelter has room for; the rest are turned away (in place)."""
        sid = self.inp.shelter_ids[s]
        for g in list(groups):
            h, n = g
            take = self.shelters.take(s, n)
            if take:
                self._sheltered[h] += take
                self.arrivals.append((self.env._now, s, h, take))
                self.hh_event(h, "sheltered", sid)
            if self._sheltered[h] >= self._members[h]:
                self._status[h] = SHELTERED
            if take == n:
                groups.remove(g)
            else:
                g[1] = n - take
                self.turned_away += n - take
                self.hh_event(h, "turned_away", sid)

    # -- warners -------------------------------------------------------------------------------
    def warner(self, w: int) -> Steps:
        env, inp = self.env, self.inp
        r = inp.warners[w]
        duty = inp.params.role(r.role)
        arrive = float(inp.warner_arrive[w])
        if math.isnan(arrive) and self.rw[w, R_AVAIL] >= duty.availability:
            return
        ready = arrive if not math.isnan(arrive) else inp.params.warning_start_min + float(
            duty.turnout.sample(self.rw[w, R_TURNOUT]))
        ready, to = inp.story.on_duty(ready, r.role, r.grid, inp.grid_ids)
        yield ready
        self.on_duty[w] = True
        here = int(inp.warner_start[w]) if to is None else to.node
        grid = r.grid_index if to is None or to.grid < 0 else to.grid
        self.event(r.id, r.role, r.grid, "on_duty", self.node(here))
        queue, second = self.queues[grid], self.second[grid]
        while env._now < inp.params.horizon_min:
            if queue:
                h, knock = queue.popleft(), 0
            elif second:
                h, ready = second.popleft()
                knock = 1
                if ready > env._now:
                    yield ready - env._now
            else:
                return
            if self._status[h] not in (HOME, REFUSED):
                continue  # already gone: the neighbours say so
            target = self._hh_node[h]
            depth = inp.timeline.depth_at(target, env._now)
            if depth > self.hz.walk_limit_m:
                self.hh_event(h, "unreachable", self.node(target))
                continue
            # (np.hypot of the same two differences as of the coordinate rows: the same float)
            metres = float(np.hypot(self._x[target] - self._x[here],
                                    self._y[target] - self._y[here])) * inp.params.detour_factor
            factor = self._wading.get(depth)
            if factor is None:
                factor = self._wading[depth] = float(
                    np.interp(depth, self._wading_x, self._wading_y))
            speed = duty.walk_kmh * factor
            # At the door, then the knock: one step at the time the two would end (the same
            # sums); the walk counts if it ends within the run, as a step there would.
            at_door = env._now + metres / (max(speed, 1e-9) * M_PER_MIN_AT_1KMH)
            if at_door < inp.params.horizon_min:
                self._km[w] += metres / 1000.0
            yield (at_door + self._knock[knock][h],)
            here = target
            self._visits[w] += 1
            if self._status[h] not in (HOME, REFUSED):
                continue
            self.knocked(h, knock, w, here, duty.escorts_found)
            if self._status[h] == WAITING_ESCORT and duty.escorts_found:
                yield max(self._ready_at[h] - env._now, 0.0)
                self._escorted[h] = True
                self._waiting[h] = 0
                t0 = env._now
                here = yield from self.trip([[h, self._members[h]]], here, "walk",
                                              self.pop.escorted_kmh)
                self._km[w] += (env._now - t0) * self.pop.escorted_kmh / 60.0

    def knocked(self, h: int, knock: int, w: int, here: int, escorts: bool) -> None:
        env, r = self.env, self.inp.warners[w]
        if knock == 0:
            self._warned_at[h] = env._now
        if self.keep:
            self.event(r.id, r.role, r.grid, "knock", self.inp.households[h].id)
            self.hh_event(h, "warned" if knock == 0 else "second_knock", self.node(here))
        if self._comply[knock][h]:
            self.hh_event(h, "complied")
            self._ready_at[h] = env._now + self._prep[h]
            if self._needs_escort[h]:
                self._status[h] = WAITING_ESCORT
                if not escorts:  # the warner walks them out; else squads are called
                    self._waiting[h] = self._members[h]
                    self.pending[h] = None
                    self.pending_by_grid[self._hh_grid[h]][h] = None
                    self.hh_event(h, "escort_requested")
                    for key in (-1, self._hh_grid[h]):
                        waiting = self.requests.pop(key, None)
                        if waiting:  # (where the request event would be scheduled)
                            self.later(0.0, self._wake, waiting)
            else:
                self._status[h] = PREPARING  # (then walks out: ``_walk_go`` when ready)
                self.later(self._prep[h], self._walk_go, h)
        else:
            self._status[h] = REFUSED
            self.hh_event(h, "refused")
            if knock == 0 and self.pop.second_knock:
                self.second[self._hh_grid[h]].append(
                    (h, env._now + self.pop.second_knock_after_min))

    # -- escort squads -------------------------------------------------------------------------
    def squad(self, q: int, sq: Squad) -> Steps:
        env, inp = self.env, self.inp
        k = len(inp.warners) + q
        if sq.arrive_min is None and self.rs[q, R_AVAIL] >= sq.duty.availability:
            return
        ready = sq.arrive_min if sq.arrive_min is not None else (
            inp.params.warning_start_min + float(sq.duty.turnout.sample(self.rs[q, R_TURNOUT])))
        ready, to = inp.story.on_duty(ready, sq.role, sq.grid, inp.grid_ids)
        yield ready
        base = sq.base if to is None else to.node
        if sq.arrive_min is not None:
            self.event(sq.id, sq.role, sq.grid, "arrived", self.node(base))
        self.on_duty[k] = True
        self.event(sq.id, sq.role, sq.grid, "on_duty", self.node(base))
        mode = sq.duty.mode
        here, shelter = base, -1  # at a base until the first trip ends at a shelter
        scale = 1.0 / sq.duty.walk_kmh if mode == "walk" else 1.0
        own_grid = inp.grid_ids.index(sq.grid) if sq.duty.scope == "grid" and sq.grid else -1
        if to is not None and to.grid >= 0:
            own_grid = to.grid
        while env._now < inp.params.horizon_min:
            waiting = self.pending_by_grid[own_grid] if own_grid >= 0 else self.pending
            cand = np.fromiter(waiting, dtype=int, count=len(waiting))
            if cand.size == 0:
                yield self.requests.setdefault(own_grid, [])
                continue
            state = inp.timeline.state_at(env._now)
            # (From a shelter: the full table's row, one search kept per state like a base's.)
            d = inp.routes.from_base(state, mode, self._shelter_node[shelter]
                                     if shelter >= 0 else base, inp.hh_node[cand]) * scale
            if not np.isfinite(d).any():
                change = inp.timeline.next_change(env._now)
                if not math.isfinite(change):
                    return
                yield change - env._now
                continue
            j = int(np.argmin(d))
            h = int(cand[j])
            seats = sq.duty.seats if mode == "vehicle" else 10**9
            take = min(seats, int(self._waiting[h]))
            self._waiting[h] -= take
            if self._waiting[h] == 0:
                self.unpend(h)
            yield float(d[j])
            if mode == "walk":
                self._km[k] += float(d[j]) * sq.duty.walk_kmh / 60.0
            yield max(self._ready_at[h] - env._now, 0.0)
            here = self._hh_node[h]
            self._escorted[h] = True
            self.trips += 1
            if self.keep:
                self.event(sq.id, sq.role, sq.grid, "escort_pickup", inp.households[h].id)
            groups = [[h, take]]
            if mode == "vehicle":
                yield from self.fill_seats(groups, seats - take, h)
            t0 = env._now
            kmh = self.pop.escorted_kmh if mode == "walk" else inp.params.vehicle_kmh
            here = yield from self.trip(groups, here, mode, kmh)
            if mode == "walk":
                self._km[k] += (env._now - t0) * kmh / 60.0
            at = np.flatnonzero(inp.shelter_nodes == here)
            if at.size == 0:
                return  # cut off with nowhere to go
            shelter = int(at[0])

    def unpend(self, h: int) -> None:
        del self.pending[h]
        del self.pending_by_grid[self._hh_grid[h]][h]

    def fill_seats(self, groups: list[Group], seats: int, first: int) -> Steps:
        """Pick up more waiting households of the same grid, nearest first, while seats last."""
        env, inp = self.env, self.inp
        grid = inp.households[first].grid_index
        here = self._hh_node[first]
        while seats > 0:
            near = [h for h in self.pending_by_grid[grid] if self._waiting[h] <= seats
                    and inp.timeline.depth_at(self._hh_node[h], env._now) <= self.hz.vehicle_limit_m]
            if not near:
                return
            pts = inp.xy[inp.hh_node[near]]
            d = np.hypot(pts[:, 0] - inp.xy[here, 0], pts[:, 1] - inp.xy[here, 1])
            h = near[int(np.argmin(d))]
            metres = float(d.min()) * inp.params.detour_factor
            take = self._waiting[h]  # claimed before driving there
            self._waiting[h] = 0
            self.unpend(h)
            yield metres / (inp.params.vehicle_kmh * M_PER_MIN_AT_1KMH)
            yield max(self._ready_at[h] - env._now, 0.0)
            self._escorted[h] = True
            self.leave_home(h)
            seats -= take
            here = self._hh_node[h]
            groups.append([h, take])
