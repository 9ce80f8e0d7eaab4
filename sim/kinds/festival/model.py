"""The tide-festival model: visitor groups arrive by mode → checkpoint queue (lanes by shift
roster; turned away or diverted over a queue limit) → walk to a viewing point → stewards admit,
hold or redirect them by density → stay until after the tide → leave through the access path at
a flow per metre of width. Incidents at viewing points and checkpoints are answered by the
nearest free team over the walkway network, some after a command-centre decision.

The checkpoints are computed directly (``sim.kinds.festival.checkpoint``), and so are the
viewing points and egress wherever that gives exactly what their SimPy run gives
(:func:`viewing_points`); incidents and teams run in SimPy. The SimPy run of the viewing points
stays: for the event log, the redirect rule, and the rare instants where only SimPy's order of
simultaneous events can tell. ``build`` does what does not depend on the seed; ``simulate`` is
one replication, a pure function of (inputs, replication, seed).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from heapq import heapify, heappop, heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from sim.core.bare_calls import fire
from sim.core.rng import uniforms
from sim.kinds.festival.checkpoint import INF, serve
from sim.kinds.festival.demand import U_AFTER_TIDE, U_MIN_STAY, Groups, draw_groups, service_times
from sim.kinds.festival.inputs import FestivalInputs

# Per (incident type, place) and minute: count, offset in the minute, handle, escalate, decision.
N_INC_SLOTS = 5
_PHI = 0.6180339887498949


@dataclass
class CheckpointResult:
    """Per group: where and when it was checked (inf: not checked within the day)."""

    cp: np.ndarray  # checkpoint that served (or would serve) it; -1: turned away
    arrival: np.ndarray  # at that checkpoint
    start: np.ndarray
    end: np.ndarray
    service: np.ndarray
    diverted: np.ndarray
    turned_away: np.ndarray
    # Per checkpoint: people it refused because its queue was full (turned away or sent on),
    # kept here because a diverted group's ``cp`` no longer says where it was refused.
    refused: np.ndarray


def run_checkpoints(inp: FestivalInputs, g: Groups) -> CheckpointResult:
    p = inp.params
    n = len(g)
    r = CheckpointResult(cp=g.checkpoint.copy(), arrival=g.arrival.copy(), start=np.full(n, INF),
                         end=np.full(n, INF), service=np.zeros(n), diverted=np.zeros(n, bool),
                         turned_away=np.zeros(n, bool), refused=np.zeros(len(inp.cp_ids)))
    for c in inp.cp_order:
        members = np.flatnonzero(r.cp == c)
        members = members[np.argsort(r.arrival[members], kind="stable")]
        ct = p.check_types[inp.cp_check[c]]  # (drawn for these groups only: element by element)
        svc = service_times(ct.per_group, ct.per_person, g.size[members], g.u[members])
        served = serve(r.arrival[members], svc, g.size[members], inp.schedules[c], inp.cp_limit[c])
        rej = members[served.rejected]
        r.refused[c] = float(g.size[rej].sum())
        ok = members[~served.rejected]
        r.start[ok] = served.start[~served.rejected]
        r.service[ok] = svc[~served.rejected]
        r.end[ok] = r.start[ok] + r.service[ok]
        if inp.cp_divert[c] >= 0:
            r.diverted[rej] = True
            r.cp[rej] = inp.cp_divert[c]
            r.arrival[rej] += p.checkpoints[inp.cp_ids[c]].divert_min
        else:
            r.turned_away[rej] = True
            r.cp[rej] = -1
    return r


@dataclass(frozen=True)
class Visits:
    """Per group at the viewing points (inf: not yet / never), and the occupancy log."""

    vp: np.ndarray  # viewing point entered (-1: none)
    t_vp_last: np.ndarray  # arrival at the entrance it entered or is held at
    t_enter: np.ndarray
    t_leave: np.ndarray  # start of egress
    t_exit: np.ndarray
    redirects: np.ndarray
    occupancy: np.ndarray  # rows (time, viewing point, people there after the change)


class Day:
    """The SimPy part of one replication: viewing points, egress, incidents and teams."""

    def __init__(self, inp: FestivalInputs, g: Groups, cr: CheckpointResult, key: int,
                 cp_present: np.ndarray):
        self.inp, self.g, self.cr = inp, g, cr
        p = inp.params
        self.env = simpy.Environment()
        n, nv = len(g), len(inp.vp_ids)
        self.size = g.size.tolist()
        self.occ = [0] * nv
        self.held: list[deque[int]] = [deque() for _ in range(nv)]
        self.exit_free = [0.0] * nv
        self.occ_log: list[tuple[float, int, int]] = []
        # Per group, as lists during the run (fast scalar access); arrays in ``visits`` after.
        self.vp = [-1] * n
        self.t_vp_last = [INF] * n  # arrival at the entrance it finally entered or waits at
        self.t_enter = [INF] * n
        self.t_leave = [INF] * n
        self.t_exit = [INF] * n
        self.redirects = [0] * n
        self.log: list[tuple[float, str, str, str, str, str]] = []
        self.roads = inp.story.walkways
        if self.roads is None:
            self.view, t_walk = g.view, inp.walk_cp_vp[np.maximum(cr.cp, 0), g.view]
        else:  # walkway injects: routes as open when each group leaves its checkpoint
            self.view, t_walk = self.roads.walks(np.maximum(cr.cp, 0), g.view, cr.end)
        self.t_vp_arrival = np.where(cr.cp >= 0, cr.end + t_walk, INF)
        self.min_stay = p.stay.min_stay.sample(g.u[:, U_MIN_STAY]).tolist()
        self.after_tide = (inp.tide + p.stay.after_tide.sample(g.u[:, U_AFTER_TIDE])).tolist()
        self.capacity = inp.vp_capacity.tolist()
        self.controlled = inp.vp_controlled.tolist()
        self.exit_rate = inp.vp_exit_rate.tolist()
        self.nearest = [[w for w in np.argsort(inp.walk_vp_vp[:, v], kind="stable").tolist()
                         if w != v] for v in range(nv)]
        self.visits: Visits | None = None
        # Incidents and teams.
        self.cp_present = cp_present
        nm = int(np.ceil(inp.horizon))
        self.inc_u = uniforms(key, inp.incident_hashes, max(nm, 1) * N_INC_SLOTS) \
            if len(inp.incident_hashes) else np.zeros((0, 0))
        self.team_node = [t.base for t in inp.teams]
        self.team_free = [True] * len(inp.teams)
        self.team_since = [0.0] * len(inp.teams)
        self.team_busy = np.zeros(len(inp.teams))
        self.pending: list[tuple[int, int, simpy.Event]] = []
        self.centre = simpy.Resource(self.env, capacity=p.command_centre.desks)
        self.incidents: list[tuple[str, int, float, float, float]] = []  # type, place, t, resp, done
        self.keep = False
        self.vp_present: np.ndarray | None = None  # (minute, viewing point), if direct

    # --- viewing points in SimPy (see ``run``: when they are not computed directly) ----------
    # Groups arrive, enter, leave and exit through bare calls on SimPy's own queue (see
    # ``later``): no Timeout objects, closures or processes for the ~10⁵ contention-free steps.
    def start_feeder(self) -> None:
        """Groups reach their viewing points in order of arrival (as a SimPy process started
        now would: its first step is urgent)."""
        t = self.t_vp_arrival
        order = np.flatnonzero(t <= self.inp.horizon)
        order = order[np.argsort(t[order], kind="stable")]
        self._feed_order, self._feed_view = order.tolist(), self.view[order].tolist()
        self._feed_t = t[order].tolist()
        env = self.env
        heappush(_queue(env), (env.now, URGENT, next(env._eid), (self.feed, 0, 0)))

    def feed(self, k: int, resumed: int) -> None:
        """Arrivals from the ``k``-th on; ``resumed``: its wait is over, it arrives now."""
        env, order, view, times = self.env, self._feed_order, self._feed_view, self._feed_t
        if resumed:
            self.arrive(order[k], view[k])
            k += 1
        while k < len(order):
            delay = times[k] - env.now
            if delay > 0:
                heappush(_queue(env), (env.now + delay, NORMAL, next(env._eid),
                                      (self.feed, k, 1)))
                return
            self.arrive(order[k], view[k])
            k += 1

    def arrive(self, i: int, v: int) -> None:
        self.t_vp_last[i] = self.env._now  # type: ignore[attr-defined]
        gs, occ, cap = self.size[i], self.occ, self.capacity
        if not self.controlled[v] or (not self.held[v] and occ[v] + gs <= cap[v]):
            self.enter(i, v)
            return
        cc = self.inp.params.crowd_control
        if cc.rule == "redirect" and self.redirects[i] < cc.max_redirects:
            walk = self.inp.walk_vp_vp if self.roads is None else \
                self.roads.walk_vp_vp[self.roads.state_at(self.env.now)]
            for w in self.nearest[v]:
                if occ[w] + gs <= cap[w] and not self.held[w] and walk[w, v] < INF:
                    self.redirects[i] += 1
                    self.t_vp_last[i] = INF  # walking again
                    self.note(i, "redirected", self.inp.vp_ids[w])
                    self.later(float(walk[w, v]), self.arrive, i, w)
                    return
        self.held[v].append(i)
        self.note(i, "held", self.inp.vp_ids[v])

    # (enter, leave and exited run ~10⁵ times a day: SimPy's queue and the records are used
    # inline, exactly as ``later`` and ``note`` do.)
    def enter(self, i: int, v: int) -> None:
        env = self.env
        now = env._now  # type: ignore[attr-defined]
        self.vp[i] = v
        self.t_enter[i] = now
        occ = self.occ[v] = self.occ[v] + self.size[i]
        self.occ_log.append((now, v, occ))
        if self.keep:
            self.note(i, "entered", self.inp.vp_ids[v])
        leave = max(now + self.min_stay[i], self.after_tide[i])
        heappush(_queue(env), (now + (leave - now), NORMAL, next(env._eid),  # type: ignore[attr-defined]
                               (self.leave, i, v)))

    def leave(self, i: int, v: int) -> None:
        env = self.env
        now = env._now  # type: ignore[attr-defined]
        self.t_leave[i] = now
        if self.keep:
            self.note(i, "leaving", self.inp.vp_ids[v])
        free = self.exit_free[v]
        done = self.exit_free[v] = (now if now > free else free) + self.size[i] / self.exit_rate[v]
        heappush(_queue(env), (now + (done - now), NORMAL, next(env._eid),  # type: ignore[attr-defined]
                               (self.exited, i, v)))

    def exited(self, i: int, v: int) -> None:
        now = self.env._now  # type: ignore[attr-defined]
        self.t_exit[i] = now
        occ = self.occ[v] = self.occ[v] - self.size[i]
        self.occ_log.append((now, v, occ))
        if self.keep:
            self.note(i, "exited", self.inp.vp_ids[v])
        held = self.held[v]
        if held:
            cap = self.capacity[v]
            while held and self.occ[v] + self.size[held[0]] <= cap:
                self.enter(held.popleft(), v)

    def later(self, delay: float, fn: Callable[[int, int], None], i: int, v: int) -> None:
        """Call ``fn(i, v)`` after ``delay`` minutes: an entry on SimPy's queue exactly where a
        ``Timeout`` would be (same time, priority and sequence number), run by ``_run``."""
        env = self.env
        heappush(_queue(env), (env.now + delay, NORMAL, next(env._eid), (fn, i, v)))

    def note(self, i: int, event: str, where: str) -> None:
        if self.keep:
            self.log.append((self.env.now, self.g.ids[i], "", "", event, where))

    # --- incidents and teams ---------------------------------------------------------------
    def incident_counts(self, vp_present: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """Incidents starting in each of ``minutes`` (rows) per (type, place) (columns), given
        the people at each viewing point then (``vp_present``: minutes × viewing points).
        Element by element the same arithmetic for one minute or for all of them at once."""
        inp, p = self.inp, self.inp.params
        types = list(p.incidents.values())
        nv, nplaces = len(inp.vp_ids), len(inp.place_nodes)
        base = np.array([t.per_hour for t in types])[:, None] / 60.0
        per_1000 = np.array([t.per_1000_per_hour for t in types])[:, None] / 60_000.0
        above = np.array([t.above_ppm2 for t in types])[:, None]
        at_vp = np.array([t.where == "viewing_points" for t in types])[:, None]
        is_vp = np.arange(nplaces) < nv
        present = np.concatenate([vp_present, self.cp_present[:, minutes].T], axis=1)
        density = np.concatenate([present[:, :nv] / inp.vp_area,
                                  np.full((minutes.size, nplaces - nv), INF)], axis=1)
        rate = (base + per_1000 * present[:, None, :]) * (density[:, None, :] > above)
        rate = np.where(at_vp == is_vp[None, :], rate, 0.0).reshape(minutes.size, -1)
        q = self.inc_u[:, minutes * N_INC_SLOTS].T
        counts = np.zeros(rate.shape, int)
        some = rate.any(axis=1)  # (a Poisson count at rate 0 is 0)
        if some.any():
            counts[some] = poisson_ppf(q[some], rate[some]).astype(int)
        return counts

    def incident_source(self) -> Generator[simpy.Event, Any, None]:
        inp = self.inp
        names = list(inp.params.incidents)
        nplaces = len(inp.place_nodes)
        nm = int(np.ceil(inp.horizon))
        # Viewing points computed directly: their occupancy at each minute is known already.
        counts = None if self.vp_present is None else \
            self.incident_counts(self.vp_present[:nm], np.arange(nm))
        for m in range(nm):
            now = self.incident_counts(np.array([self.occ], float), np.array([m]))[0] \
                if counts is None else counts[m]
            u = self.inc_u[:, m * N_INC_SLOTS:(m + 1) * N_INC_SLOTS]
            for row in np.flatnonzero(now):
                ti, place = divmod(int(row), nplaces)
                for k in range(int(now[row])):
                    uu = (u[row] + k * _PHI) % 1.0
                    self.env.process(self.incident(names[ti], ti, place, m + float(uu[1]), uu))
            yield self.env.timeout(1.0)

    def incident(self, name: str, ti: int, place: int, t0: float, u: np.ndarray
                 ) -> Generator[simpy.Event, Any, None]:
        env, inp = self.env, self.inp
        inc = inp.params.incidents[name]
        yield env.timeout(max(t0 - env.now, 0.0))
        where = (inp.vp_ids + inp.cp_ids)[place]
        iid = f"incident-{len(self.incidents):05d}"
        slot = len(self.incidents)
        self.incidents.append((name, place, t0, INF, INF))
        if self.keep:
            self.log.append((env.now, iid, name, "", "reported", where))
        assigned = env.event()
        self.dispatch(ti, place, assigned)
        k = yield assigned
        team = inp.teams[k]
        if self.keep:
            self.log.append((env.now, team.id, team.group, "", "dispatched", where))
        yield env.timeout(self.travel(team.group)[place, self.team_node[k]])
        self.team_node[k] = inp.place_nodes[place]
        response = env.now - t0
        if self.keep:
            self.log.append((env.now, team.id, team.group, "", "on_scene", where))
        yield env.timeout(float(inc.handle.sample(np.array([u[2]]))[0]))
        if u[3] < inc.escalate:
            if self.keep:
                self.log.append((env.now, team.id, team.group, "", "escalated", "command_centre"))
            with self.centre.request() as req:
                yield req
                decision = inp.params.command_centre.decision.sample(np.array([u[4]]))[0]
                yield env.timeout(float(decision))
        self.incidents[slot] = (name, place, t0, response, env.now)
        if self.keep:
            self.log.append((env.now, team.id, team.group, "", "cleared", where))
        self.release(k)

    def travel(self, group: str) -> np.ndarray:
        """(place, node) minutes of a team group, with the walkways open now."""
        if self.roads is None:
            return self.inp.team_travel[group]
        return self.roads.team_travel[self.roads.state_at(self.env.now)][group]

    def walkway_changes(self) -> Generator[simpy.Event, Any, None]:
        """At each walkway inject, incidents no free team could reach are dispatched again."""
        assert self.roads is not None
        for t in self.roads.starts[1:]:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            pending, self.pending = self.pending, []
            for ti, place, ev in pending:
                self.dispatch(ti, place, ev)

    def dispatch(self, ti: int, place: int, assigned: simpy.Event) -> None:
        inp = self.inp
        allowed = list(inp.params.incidents.values())[ti].teams
        best, best_t = -1, INF
        for k, team in enumerate(inp.teams):
            if self.team_free[k] and team.group in allowed:
                t = self.travel(team.group)[place, self.team_node[k]]
                if t < best_t:
                    best, best_t = k, t
        if best < 0:
            self.pending.append((ti, place, assigned))
            return
        self.team_free[best] = False
        self.team_since[best] = self.env.now
        assigned.succeed(best)

    def release(self, k: int) -> None:
        self.team_busy[k] += self.env.now - self.team_since[k]
        self.team_free[k] = True
        group = self.inp.teams[k].group
        types = list(self.inp.params.incidents.values())
        for j, (ti, place, ev) in enumerate(self.pending):
            if group in types[ti].teams:
                del self.pending[j]
                self.dispatch(ti, place, ev)
                return

    def run(self, keep: bool, direct: bool = True) -> None:
        """The day: viewing points computed directly where that is exact (see
        :func:`viewing_points`; ``direct=False``: never, for comparisons), else in SimPy; then
        incidents and teams in SimPy. The event log (``keep``) is written by the SimPy run."""
        self.keep = keep
        computed = viewing_points(self) if direct and not keep else None
        if computed is None:
            self.start_feeder()
        else:
            self.visits, self.vp_present = computed
        if self.inp.params.incidents and self.inp.teams:
            self.env.process(self.incident_source())
            if self.roads is not None:
                self.env.process(self.walkway_changes())
        _run(self.env, self.inp.horizon)
        for k, free in enumerate(self.team_free):
            if not free:
                self.team_busy[k] += self.inp.horizon - self.team_since[k]
        if computed is None:
            self.visits = Visits(np.array(self.vp, int), np.array(self.t_vp_last),
                                 np.array(self.t_enter), np.array(self.t_leave),
                                 np.array(self.t_exit), np.array(self.redirects, int),
                                 np.array(self.occ_log).reshape(-1, 3))


def _queue(env: simpy.Environment) -> list[Any]:
    return env._queue  # type: ignore[attr-defined,no-any-return]


def _run(env: simpy.Environment, until: float) -> None:
    """``env.run(until=until)`` that also runs the bare calls ``(fn, i, v)`` of ``Day.later``.

    Same order as SimPy (time, priority, sequence number); like ``env.run(until=...)`` it
    processes every event before ``until`` and none at it, and leaves the clock at ``until``."""
    queue = env._queue  # type: ignore[attr-defined]
    while queue and queue[0][0] < until:
        env._now, _, _, event = heappop(queue)  # type: ignore[attr-defined]
        if type(event) is tuple:
            fn, i, v = event
            fn(i, v)
            continue
        fire(event)
    env._now = max(env.now, until)  # type: ignore[attr-defined]


def poisson_ppf(q: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``scipy.stats.poisson.ppf(q, mu)`` for 1-d arrays, the same arithmetic (scipy.special's
    pdtrik/pdtr) without the generic wrapper, which costs ~0.3 ms a call, once a minute."""
    out = np.full(q.shape, np.nan)
    ok = mu >= 0
    out[ok & (q == 0)] = -1.0
    out[ok & (q == 1)] = np.inf
    c = ok & (q > 0) & (q < 1)
    if c.any():
        from scipy.special import pdtr, pdtrik  # deferred: scipy.special is ~0.2 s of start-up

        qq, mm = q[c], mu[c]
        # Where P(0) >= q the answer is 0, and scipy's formula below gives 0 there too (its
        # root ``pdtrik`` is at most 1, so it tries vals1 = 0, which passes; checked against
        # scipy.stats on 12 million draws and at the boundary, tests/test_festival_direct.py).
        # Incident rates per minute are small: this skips the root finding nearly everywhere.
        vals1 = np.zeros(qq.shape)
        hard = pdtr(vals1, mm) < qq
        if hard.any():
            qh, mh = qq[hard], mm[hard]
            vals = np.ceil(pdtrik(qh, mh))
            low = np.maximum(vals - 1, 0)
            vals1[hard] = np.where(pdtr(low, mh) >= qh, low, vals)
        out[c] = vals1
    return out


# --- viewing points computed directly ------------------------------------------------------
# Unless the rule is "redirect", a viewing point's groups only meet each other: arrivals (fixed
# by the checkpoints and walks), the entrance (held first come, first served while the next
# group would take it over capacity), the stay and a first-come-first-served exit flow. So each
# viewing point is computed alone in a loop of its own, on its own small heap of departures,
# with nothing else (incidents, teams) in between: about three steps per group instead of three
# entries on SimPy's queue plus the calls around them. The loop repeats the SimPy run's float
# arithmetic (``now + (t - now)`` for every scheduled time) and order, so the results are the
# same. Where the order of two steps at the very same instant could matter and is not known
# without SimPy's sequence numbers, the direct computation gives up and the day is run in SimPy.


def feed_times(t: np.ndarray) -> np.ndarray:
    """When the feeder processes arrivals at sorted times ``t``: it wakes at ``now + (t - now)``
    after the arrival before (``Day.feed``), which is ``t`` itself unless rounding says
    otherwise (checked, and then followed step by step)."""
    prev = np.concatenate([[0.0], t[:-1]])
    woken = np.where(t - prev > 0, prev + (t - prev), prev)
    if np.array_equal(woken, t):
        return t
    out, now = [], 0.0
    for x in t.tolist():
        delay = x - now
        if delay > 0:
            now = now + delay
        out.append(now)
    return np.array(out)


def viewing_points(day: Day) -> tuple[Visits, np.ndarray] | None:
    """The viewing points of ``day`` as its SimPy run would give them: the visits and the
    people at each viewing point at each whole minute (as the incident source reads them); or
    None where only the SimPy run can tell (see above)."""
    inp = day.inp
    n, nv, h = len(day.size), len(inp.vp_ids), inp.horizon
    redirect = inp.params.crowd_control.rule == "redirect"
    t = day.t_vp_arrival
    order = np.flatnonzero(t <= h)
    order = order[np.argsort(t[order], kind="stable")]
    arrived = feed_times(t[order])
    keep = arrived < h
    order, arrived = order[keep], arrived[keep]
    t_vp_last = np.full(n, INF)
    t_vp_last[order] = arrived
    t_enter, t_leave, t_exit = np.full(n, INF), np.full(n, INF), np.full(n, INF)
    view = day.view[order]
    times, occupancy, places = [], [], []
    size = np.asarray(day.g.size)
    min_stay, after_tide = np.asarray(day.min_stay), np.asarray(day.after_tide)
    for v in range(nv):
        mine = view == v
        rows: Any = _unheld(arrived[mine], order[mine], size, min_stay, after_tide,
                            day.capacity[v] if day.controlled[v] else INF, day.exit_rate[v], h,
                            t_enter, t_leave, t_exit)
        if not isinstance(rows, tuple):  # someone is held here (or a tie): step by step
            rows = _viewing_point(arrived[mine].tolist(), order[mine].tolist(), day.size,
                                  day.min_stay, day.after_tide, day.capacity[v],
                                  day.controlled[v], not redirect, day.exit_rate[v], h,
                                  t_enter, t_leave, t_exit, rows)
        if rows is None:
            return None
        times.append(np.asarray(rows[0], float))
        occupancy.append(np.asarray(rows[1], float))
        places.append(np.full(len(rows[0]), v))
    when = np.concatenate(times) if times else np.zeros(0)
    # Minutes at which something changes at a viewing point: the incident source, waking on
    # the minute, would see it or not depending on SimPy's sequence numbers.
    if inp.params.incidents and inp.teams and np.any(when == np.floor(when)):
        return None
    order_t = np.argsort(when, kind="stable")  # (rows of one viewing point stay in order)
    occ_log = np.column_stack([when, np.concatenate(places) if places else np.zeros(0),
                               np.concatenate(occupancy) if occupancy else np.zeros(0)])
    occ_log = occ_log[order_t]
    minutes = np.arange(int(np.ceil(h)) + 1, dtype=float)
    present = np.zeros((minutes.size, nv))
    for v in range(nv):
        k = np.searchsorted(times[v], minutes, side="left")  # changes strictly before it
        present[:, v] = np.where(k > 0, occupancy[v][np.maximum(k - 1, 0)], 0.0)
    visits = Visits(np.where(np.isfinite(t_enter), day.view, -1), t_vp_last, t_enter,
                    t_leave, t_exit, np.zeros(n, int), occ_log)
    return visits, present


@dataclass
class _Resume:
    """A viewing point just before its arrival number ``k``: where the step-by-step loop
    takes over from :func:`_unheld` (everything before is as if no one were ever held)."""

    k: int
    occ: int
    free: float  # when the exit flow is next free
    leaves: list[tuple[float, int, int]]  # heap: (time, order of entering, group)
    exits: deque[tuple[float, int]]
    last_exit: float
    log_t: list[float]
    log_occ: list[int]


def _unheld(arrivals: np.ndarray, who: np.ndarray, size: np.ndarray, min_stay: np.ndarray,
            after_tide: np.ndarray, cap: float, rate: float, horizon: float,
            t_enter: np.ndarray, t_leave: np.ndarray, t_exit: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray] | _Resume | None:
    """:func:`_viewing_point` for a viewing point where no one is held: everyone enters on
    arrival, leaves when their stay is over and exits first come, first served. Vectorised
    except for the exit flow (its recursion is kept step by step, for the same float sums).
    If someone would be held (occupancy over ``cap``; INF: not controlled), the state just
    before the first such arrival, for the loop to go on from; None if the order of an exit
    and an arrival at one instant would decide something (the loop starts from scratch).
    ``arrivals`` (sorted, as the feeder processes them) are all before the horizon."""
    gs = size[who]
    leave = np.maximum(arrivals + min_stay[who], after_tide[who])
    leave = arrivals + (leave - arrivals)  # as scheduled: now + (t - now)
    by_leave = np.argsort(leave, kind="stable")  # ties: in order of entering
    n_left = int(np.searchsorted(leave[by_leave], horizon, side="left"))
    left = by_leave[:n_left]
    exits, done = _exit_flow(leave[left].tolist(), (gs[left] / rate).tolist())
    if exits.size > 1 and np.any(np.diff(exits) < 0):
        return None  # (rounding put an exit before the one ahead of it)
    n_out = int(np.searchsorted(exits, horizon, side="left"))
    out = left[:n_out]
    when = np.concatenate([arrivals, exits[:n_out]])
    step = np.argsort(when, kind="stable")  # ties: arrivals in order, then exits in order
    when = when[step]
    is_exit = step >= arrivals.size
    if np.any((when[1:] == when[:-1]) & (is_exit[1:] != is_exit[:-1])):
        return None
    occ = np.cumsum(np.concatenate([gs, -gs[out]])[step])
    over = np.flatnonzero(~is_exit & (occ > cap))
    if over.size:
        return _held_from(int(over[0]), step, when, occ, arrivals, who, leave, by_leave,
                          exits, done, t_enter, t_leave, t_exit)
    t_enter[who] = arrivals
    t_leave[who[left]] = leave[left]
    t_exit[who[out]] = exits[:n_out]
    return when, occ


def _held_from(row: int, step: np.ndarray, when: np.ndarray, occ: np.ndarray,
               arrivals: np.ndarray, who: np.ndarray, leave: np.ndarray, by_leave: np.ndarray,
               exits: np.ndarray, done: list[float], t_enter: np.ndarray, t_leave: np.ndarray,
               t_exit: np.ndarray) -> _Resume:
    """The state before the first arrival that would be held (occupancy change ``row``):
    up to then nothing differs from no one being held. Exits at that very instant were
    ruled out, and departures then are left to the loop (their order with an arrival does
    not change anything)."""
    k = int(step[row])
    t1 = float(arrivals[k])
    n_gone = int(np.searchsorted(leave[by_leave], t1, side="left"))  # started to leave
    gone = by_leave[:n_gone]  # (all entered before arrival k: a stay ends after its start)
    n_out = int(np.searchsorted(exits[:n_gone], t1, side="left"))
    inside = np.flatnonzero(leave[:k] >= t1)
    leaves = list(zip(leave[inside].tolist(), inside.tolist(), who[inside].tolist(),
                      strict=True))
    heapify(leaves)
    t_enter[who[:k]] = arrivals[:k]
    t_leave[who[gone]] = leave[gone]
    t_exit[who[gone[:n_out]]] = exits[:n_out]
    return _Resume(k, int(occ[row - 1]) if row else 0, done[n_gone - 1] if n_gone else 0.0,
                   leaves, deque(zip(exits[n_out:n_gone].tolist(),
                                     who[gone[n_out:]].tolist(), strict=True)),
                   float(exits[n_gone - 1]) if n_gone else 0.0, when[:row].tolist(),
                   occ[:row].tolist())


def _exit_flow(leaving: list[float], service: list[float]) -> tuple[np.ndarray, list[float]]:
    """Exit times of groups that start to leave at ``leaving`` (in order), as ``Day.leave``
    schedules them, and when the exit flow is free after each."""
    free, out, done = 0.0, [], []
    for now, s in zip(leaving, service, strict=True):
        free = (now if now > free else free) + s
        out.append(now + (free - now))
        done.append(free)
    return np.array(out), done


def _viewing_point(arrivals: list[float], who: list[int], size: list[int],
                   min_stay: list[float], after_tide: list[float], cap: float, controlled: bool,
                   held_here: bool, rate: float, horizon: float, t_enter: np.ndarray,
                   t_leave: np.ndarray, t_exit: np.ndarray, start: _Resume | None = None
                   ) -> tuple[list[float], list[int]] | None:
    """One viewing point's day, step by step as ``Day.arrive/enter/leave/exited`` take it.

    ``controlled``: the entrance is held over capacity; ``held_here`` false: a group that
    would be held goes elsewhere instead (the redirect rule), which this loop does not model,
    so it gives up (None). Fills ``t_enter``, ``t_leave`` and ``t_exit`` of the groups and
    returns the times of the occupancy changes and the occupancy after each. ``start``: go
    on from there (the arrivals before it have entered)."""
    held: deque[int] = deque()
    if start is None:
        start = _Resume(0, 0, 0.0, [], deque(), 0.0, [], [])
    k, occ, free = start.k, start.occ, start.free
    seq = k  # everyone before arrival k has entered
    leaves = start.leaves  # heap: (time, order of entering, group)
    exits = start.exits  # first come, first served: in time order
    last_exit, log_t, log_occ = start.last_exit, start.log_t, start.log_occ
    n = len(arrivals)
    ta = arrivals[k] if k < n else INF
    while True:
        tl = leaves[0][0] if leaves else INF
        te = exits[0][0] if exits else INF
        if te <= tl and te <= ta:  # an exit (before a departure at the same instant: either
            now = te               # order gives the same state)
            if now >= horizon:
                break
            if now == ta:
                return None  # who exits first decides whether the arrival is held
            i = exits.popleft()[1]
            t_exit[i] = now
            occ -= size[i]
            log_t.append(now)
            log_occ.append(occ)
            while held and occ + size[held[0]] <= cap:
                i = held.popleft()
                occ += size[i]
                t_enter[i] = now
                log_t.append(now)
                log_occ.append(occ)
                leave = max(now + min_stay[i], after_tide[i])
                heappush(leaves, (now + (leave - now), seq, i))
                seq += 1
        elif tl <= ta:  # a group starts to leave: it joins the exit flow
            now = tl
            if now >= horizon:
                break
            i = heappop(leaves)[2]
            t_leave[i] = now
            done = free = (now if now > free else free) + size[i] / rate
            t = now + (done - now)
            if t < last_exit:
                return None  # (rounding put an exit before the one ahead of it)
            last_exit = t
            exits.append((t, i))
        else:  # an arrival at the entrance
            now = ta
            if now >= horizon:
                break
            i = who[k]
            k += 1
            ta = arrivals[k] if k < n else INF
            if controlled and (held or occ + size[i] > cap):
                if not held_here:
                    return None
                held.append(i)
                continue
            occ += size[i]
            t_enter[i] = now
            log_t.append(now)
            log_occ.append(occ)
            leave = max(now + min_stay[i], after_tide[i])
            heappush(leaves, (now + (leave - now), seq, i))
            seq += 1
    return log_t, log_occ


def checked_groups(inp: FestivalInputs, key: int) -> tuple[Groups, CheckpointResult]:
    """A replication's visitor groups and their checkpoints (the part before SimPy)."""
    groups = draw_groups(inp.params, key, inp.cp_ids, inp.view_weights, inp.story.surges)
    return groups, run_checkpoints(inp, groups)
