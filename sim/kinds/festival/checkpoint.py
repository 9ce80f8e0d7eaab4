"""A checkpoint as a first-come-first-served multi-lane queue whose lanes follow a shift roster.

The queue is computed directly from arrival and service times (the Kiefer–Wolfowitz recursion
for FCFS multi-server queues, with a heap of lane-free times) rather than by an event loop: the
checkpoint's own dynamics do not depend on anything downstream, so each group's start time is
a function of the groups before it. This is exact and about ten times faster than a process per
visitor, which is what makes a festival day of 100,000 visitors cheap.

Lanes are numbered 0..L-1 and lane k is open while the roster opens more than k lanes. A lane
that closes finishes the group it is serving (the handover is not pre-emptive) and then takes
no one until it reopens. A group starts at the earliest time at which a lane is open and free,
in arrival order.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass

import numpy as np

INF = math.inf


@dataclass(frozen=True)
class LaneSchedule:
    """Lanes open as a step function: from ``times[j]`` on, ``counts[j]`` lanes are open."""

    times: tuple[float, ...]  # first is -inf
    counts: tuple[int, ...]

    @classmethod
    def constant(cls, lanes: int) -> LaneSchedule:
        return cls((-INF,), (lanes,))

    @classmethod
    def from_shifts(cls, shifts: list[tuple[float, float, int]], cap: int) -> LaneSchedule:
        """Shifts as (start, end, lanes); overlapping shifts add up, capped at ``cap`` lanes."""
        deltas: dict[float, int] = {}
        for start, end, lanes in shifts:
            deltas[start] = deltas.get(start, 0) + lanes
            deltas[end] = deltas.get(end, 0) - lanes
        times, counts, level = [-INF], [0], 0
        for t in sorted(deltas):
            level += deltas[t]
            c = min(level, cap)
            if c != counts[-1]:
                times.append(t)
                counts.append(c)
        return cls(tuple(times), tuple(counts))

    @property
    def max_lanes(self) -> int:
        return max(self.counts)

    def lanes_at(self, t: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(np.asarray(self.times), t, side="right") - 1
        return np.asarray(self.counts)[idx]

    def open_intervals(self, k: int) -> tuple[list[float], list[float]]:
        """Half-open intervals [open, close) during which lane ``k`` is open."""
        opens: list[float] = []
        closes: list[float] = []
        for j, c in enumerate(self.counts):
            end = self.times[j + 1] if j + 1 < len(self.times) else INF
            if c > k:
                if closes and closes[-1] == self.times[j]:
                    closes[-1] = end
                else:
                    opens.append(self.times[j])
                    closes.append(end)
        return opens, closes

    def open_minutes(self, horizon: float) -> float:
        """Lane-minutes open within [0, horizon]."""
        total = 0.0
        for j, c in enumerate(self.counts):
            lo = max(self.times[j], 0.0)
            hi = min(self.times[j + 1] if j + 1 < len(self.times) else INF, horizon)
            total += c * max(hi - lo, 0.0)
        return total


@dataclass(frozen=True)
class Served:
    """Per group, in input order: start of service (inf: never), lane, turned away."""

    start: np.ndarray
    lane: np.ndarray
    rejected: np.ndarray


def serve(arrivals: np.ndarray, service: np.ndarray, sizes: np.ndarray,
          schedule: LaneSchedule, queue_limit: int | None = None) -> Served:
    """FCFS service of groups arriving at sorted ``arrivals`` with the given service times.

    With ``queue_limit``, a group that would have to wait, and would make more than that many
    people wait, is rejected (turned away or diverted by the caller).
    """
    n = len(arrivals)
    lanes = schedule.max_lanes
    if n == 0 or lanes == 0:
        return Served(np.full(n, INF), np.full(n, -1), np.zeros(n, bool) if queue_limit is None
                      else _reject_all_but(sizes, queue_limit))
    if schedule.counts == (lanes,) and queue_limit is None:
        start = _serve_stationary(arrivals.tolist(), service.tolist(), lanes)
        return Served(np.asarray(start), np.zeros(n, int), np.zeros(n, bool))
    return _serve_general(arrivals.tolist(), service.tolist(), sizes.tolist(), schedule,
                          queue_limit)


def _reject_all_but(sizes: np.ndarray, limit: int) -> np.ndarray:
    # No lane ever opens: everyone waits, so groups are accepted while the queue has room.
    out = np.zeros(len(sizes), bool)
    queued = 0
    for i, g in enumerate(sizes.tolist()):
        if queued + g > limit:
            out[i] = True
        else:
            queued += g
    return out


def _serve_stationary(a: list[float], s: list[float], lanes: int) -> list[float]:
    """All lanes always open, no limit: the tight loop (one heap operation per group)."""
    free = [0.0] * lanes
    start = [0.0] * len(a)
    replace = heapq.heapreplace
    for i, t in enumerate(a):
        f = free[0]
        if f > t:
            t = f
        start[i] = t
        replace(free, t + s[i])
    return start


def _serve_general(a: list[float], s: list[float], g: list[int], schedule: LaneSchedule,
                   limit: int | None) -> Served:
    n = len(a)
    lanes = schedule.max_lanes
    intervals = [schedule.open_intervals(k) for k in range(lanes)]
    always = [iv == ([-INF], [INF]) for iv in intervals]
    opens = [iv[0] for iv in intervals]
    closes = [iv[1] for iv in intervals]
    heap = [(-INF, k) for k in range(lanes)]
    start = [INF] * n
    lane = [-1] * n
    rejected = [False] * n
    waiting: deque[tuple[float, int]] = deque()  # (start, size) of accepted groups, in order
    queued = 0
    replace = heapq.heapreplace
    for i in range(n):
        t_arr = a[i]
        while True:
            f, k = heap[0]
            t = t_arr if t_arr > f else f
            if always[k]:
                break
            j = bisect_right(closes[k], t)
            o = opens[k][j] if j < len(opens[k]) else INF
            if o <= t:
                break
            replace(heap, (o, k))  # lane k cannot start anyone before it reopens
            if o == INF and heap[0][0] == INF:
                t = INF
                break
        if limit is not None:
            while waiting and waiting[0][0] <= t_arr:
                queued -= waiting.popleft()[1]
            if t > t_arr and queued + g[i] > limit:
                rejected[i] = True  # the lanes chosen above stay as they were
                continue
        if t == INF:
            if limit is not None:
                waiting.append((INF, g[i]))
                queued += g[i]
            continue
        start[i] = t
        lane[i] = k
        replace(heap, (t + s[i], k))
        if limit is not None and t > t_arr:
            waiting.append((t, g[i]))
            queued += g[i]
    return Served(np.asarray(start), np.asarray(lane), np.asarray(rejected))


def step_count(times: np.ndarray, weights: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Sum of ``weights`` of the events with time ≤ each of ``at`` (times need not be sorted)."""
    if _whole(weights) and at.size and np.all(at[1:] >= at[:-1]):
        # Whole-number weights (people) and sorted ``at``: each event counts from the first of
        # ``at`` at or after it on; summed per such slot, then cumulated. Sums of whole numbers
        # below 2**53 are exact in any order, so this equals the sorted cumulative sum below
        # without sorting the (many) events.
        slot = np.searchsorted(at, times, side="left")
        per_slot = np.bincount(slot, weights=weights, minlength=at.size + 1)
        return np.cumsum(per_slot[:at.size], dtype=float)
    order = np.argsort(times, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(weights[order], dtype=float)])
    return cum[np.searchsorted(times[order], at, side="right")]


def _whole(weights: np.ndarray) -> bool:
    """Whole numbers, each and in total small enough for exact float sums in any order."""
    w = np.asarray(weights, float)
    return bool(w.size == 0 or (np.all(w == np.floor(w)) and np.abs(w).sum() < 2.0**52))


def max_waiting(arrivals: np.ndarray, start: np.ndarray, sizes: np.ndarray) -> float:
    """Most people waiting at once (the queue only grows at arrivals; evaluated just after)."""
    if arrivals.size == 0:
        return 0.0
    joined = np.cumsum(sizes[np.argsort(arrivals, kind="stable")], dtype=float)
    started = step_count(start, sizes.astype(float), np.sort(arrivals))
    return float(max((joined - started).max(), 0.0))
