"""The viewing points and their exits computed directly, without SimPy, wherever that gives
exactly what the day's SimPy run (``model.Day``) gives.

Unless the rule is "redirect", a viewing point's groups only meet each other: arrivals (fixed
by the checkpoints and walks), the entrance (held first come, first served while the next
group would take it over capacity), the stay and a first-come-first-served exit flow. So each
viewing point is computed alone in a loop of its own, on its own small heap of departures,
with nothing else (incidents, teams) in between: about three steps per group instead of three
entries on SimPy's queue plus the calls around them. The loop repeats the SimPy run's float
arithmetic (``now + (t - now)`` for every scheduled time) and order, so the results are the
same. Where the order of two steps at the very same instant could matter and is not known
without SimPy's sequence numbers, the direct computation gives up and the day is run in SimPy.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.kinds.festival.checkpoint import INF

if TYPE_CHECKING:
    from sim.kinds.festival.model import Day


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
