"""Rain → flood depth → road speeds and closures, once per network state.

The hazard is deterministic within a scenario (the storm is the scenario; what varies between
replications is people), so the flood timeline is built once per plan and shared by every
replication run in a process; the routes over each of its states are in ``routes``.

Model (a documented bucket/threshold model, not hydraulics):
- rain r(t) (mm/h, hourly steps) fills a bucket S (mm) that drains at ``drainage_mm_per_h``:
  dS/dt = r − drainage, S ≥ 0, integrated minute by minute from the storm's start;
- the flood water level is ``base_level_m + rise_m_per_mm · S``; a node's depth is the level
  above its elevation, so the lowest ground floods first; a road's depth is its deeper end;
- people walk at a share of their dry speed given by the wading curve; vehicles drive at
  min(road speed, ``vehicle_kmh``, depth–speed curve); a road closes to people above
  ``walk_limit_m`` and to vehicles above ``vehicle_limit_m`` (and both ways during closures);
- the network state is re-evaluated every ``update_min`` (and at each closure time): road
  depths rounded to ``depth_step_m`` set speeds, exact depths set closures. When it changed,
  shortest paths from every shelter and squad base are recomputed once (csgraph Dijkstra) for
  everyone; agents under way re-plan at their next node.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.kinds.evacuation.config import Hazard, Rainfall
from sim.network.graph import RoadNetwork

M_PER_MIN_AT_1KMH = 1000.0 / 60.0


def hourly_rain(rain: Rainfall) -> np.ndarray:
    """Rain in mm for each hour of the storm."""
    if rain.hourly_mm is not None:
        return np.asarray(rain.hourly_mm, dtype=float)
    ds = rain.design_storm
    assert ds is not None
    edges = np.arange(ds.duration_h + 1, dtype=float)
    from scipy.special import ndtr  # deferred: scipy.special is ~0.2 s of start-up

    weights = np.diff(ndtr((edges - ds.peak_hour) / ds.width_h))
    if weights.sum() <= 0:  # peak far outside the storm: spread evenly
        weights = np.ones(ds.duration_h)
    return weights / weights.sum() * ds.total_mm


def pregnolato_kmh(depth_mm: np.ndarray) -> np.ndarray:
    """Pregnolato et al. 2017: v = 0.0009 w² − 0.5529 w + 86.9448 km/h (w in mm, ≤ 300)."""
    w = np.clip(depth_mm, 0.0, 300.0)
    return np.maximum(0.0009 * w**2 - 0.5529 * w + 86.9448, 0.0)


def vehicle_kmh_at(h: Hazard, depth_m: np.ndarray) -> np.ndarray:
    mm = np.asarray(depth_m) * 1000.0
    if h.vehicle_curve is None:
        return pregnolato_kmh(mm)
    xs, ys = zip(*h.vehicle_curve, strict=True)
    return np.interp(mm, xs, ys)


def wading_factor(h: Hazard, depth_m: np.ndarray) -> np.ndarray:
    xs, ys = zip(*h.wading, strict=True)
    return np.interp(depth_m, xs, ys)


def water_level_per_minute(h: Hazard, horizon_min: float,
                           extra: Sequence[tuple[float, float, float]] = ()) -> np.ndarray:
    """Water level (m) at each whole minute t = 0 … horizon (t = 0 is storm hour start_hour).
    ``extra``: (start minute, duration, mm) of extra rain, spread evenly over its duration."""
    rain = hourly_rain(h.rain)
    start = int(round(h.start_hour * 60))
    n = start + int(math.ceil(horizon_min)) + 1
    hour = np.arange(n) // 60
    rate = np.where(hour < rain.size, rain[np.minimum(hour, rain.size - 1)], 0.0) / 60.0
    minute = np.arange(n, dtype=float) - start  # minute [m, m + 1) after t = 0
    for t0, dur, mm in extra:
        rate = rate + mm / dur * np.clip(np.minimum(minute + 1, t0 + dur)
                                         - np.maximum(minute, t0), 0.0, None)
    net = rate - h.drainage_mm_per_h / 60.0
    stored = np.empty(n)
    s = 0.0
    for i in range(n):  # a clamped running sum: a short loop, once per plan
        stored[i] = s
        s = max(s + net[i], 0.0)
    return h.base_level_m + h.rise_m_per_mm * stored[start:]


@dataclass(frozen=True)
class WaterPeak:
    """The highest water over the whole storm (not only the run): when and how high."""

    minute: float  # first whole minute after t = 0 at the highest level
    level_m: float
    horizon_min: float

    @property
    def observed(self) -> bool:
        """Whether the run lasts until the water stops rising."""
        return self.minute <= self.horizon_min

    def warning(self) -> str | None:
        if self.observed:
            return None
        return (f"the water is still rising at the end of the run (peak at minute "
                f"{self.minute:g}, horizon {self.horizon_min:g}): extend horizon_min; the share "
                "sheltered by the peak is not observed and left blank")


def storm_minutes(h: Hazard, extra: Sequence[tuple[float, float, float]] = ()) -> float:
    """Minutes after t = 0 until the last rain stops; after it the water can only fall."""
    rain_end = hourly_rain(h.rain).size * 60 - h.start_hour * 60
    return max([rain_end, 0.0, *(t0 + dur for t0, dur, _ in extra)])


def water_peak(h: Hazard, horizon_min: float,
               extra: Sequence[tuple[float, float, float]] = ()) -> WaterPeak:
    """The peak of the water level over the whole storm, from t = 0: the bucket rises only
    while it rains faster than it drains, so the peak is within the storm (first minute of
    a plateau if the bucket never drains)."""
    level = water_level_per_minute(h, max(storm_minutes(h, extra), horizon_min) + 1.0, extra)
    k = int(np.argmax(level))
    return WaterPeak(float(k), float(level[k]), float(horizon_min))


@dataclass(frozen=True)
class FloodState:
    """The road network in one state: per-edge minutes (inf = closed) and open shelters."""

    index: int
    t_min: float
    walk_units: np.ndarray  # minutes to walk each edge at 1 km/h (÷ speed in km/h)
    vehicle_min: np.ndarray
    shelter_open: np.ndarray


@dataclass
class FloodTimeline:
    level: np.ndarray  # water level at each whole minute
    elevation: np.ndarray  # per node
    step_times: np.ndarray  # when the network state is re-evaluated
    step_state: np.ndarray  # state index in force from each step time
    states: list[FloodState]
    closed_walk_at: list[tuple[float, np.ndarray, np.ndarray]]  # (t, closed, reopened) edges
    peak: WaterPeak  # over the whole storm, possibly after the horizon

    @property
    def peak_min(self) -> float:
        return self.peak.minute

    def __post_init__(self) -> None:
        # For each step: when the state in force changes next (inf: never).
        nxt = np.full(self.step_times.size, math.inf)
        for k in range(self.step_times.size - 2, -1, -1):
            changes = self.step_state[k + 1] != self.step_state[k]
            nxt[k] = self.step_times[k + 1] if changes else nxt[k + 1]
        self._next = nxt.tolist()
        self._state_of = [self.states[int(i)] for i in self.step_state]
        self._times = self.step_times.tolist()
        self._level = self.level.tolist()  # (Python floats: read one at a time)
        self._elevation = self.elevation.tolist()

    def now(self, t: float) -> tuple[FloodState, float]:
        """The state in force at ``t`` and the time it next changes (inf: never)."""
        k = max(bisect_right(self._times, t) - 1, 0)
        return self._state_of[k], self._next[k]

    def state_at(self, t: float) -> FloodState:
        return self.now(t)[0]

    def next_change(self, t: float) -> float:
        """The first time after ``t`` at which the network state changes (inf: never)."""
        return self.now(t)[1]

    def depth(self, nodes: np.ndarray | int, t: float) -> np.ndarray:
        lv = self.level[min(int(t), self.level.size - 1)]
        return np.maximum(lv - self.elevation[nodes], 0.0)

    def depth_at(self, node: int, t: float) -> float:
        level = self._level
        return max(level[min(int(t), len(level) - 1)] - self._elevation[node], 0.0)

    def first_above(self, nodes: np.ndarray, depth_m: float) -> np.ndarray:
        """First whole minute at which each node is deeper than ``depth_m`` (inf: never)."""
        rising = np.maximum.accumulate(self.level)
        k = np.searchsorted(rising, self.elevation[nodes] + depth_m, side="right")
        return np.where(k < rising.size, k.astype(float), np.inf)


def flood_timeline(h: Hazard, network: RoadNetwork, shelter_nodes: list[int],
                   shelter_closed_from: list[float | None], horizon_min: float,
                   vehicle_kmh: float,
                   closed: Sequence[tuple[str, str, float, float]] | None = None,
                   extra_rain: Sequence[tuple[float, float, float]] = (),
                   ground_m: float = 0.0) -> FloodTimeline:
    """``closed``: (node, node, from, until) closures, default ``h.closures`` (injects add
    theirs); ``extra_rain``: see ``water_level_per_minute``; ``ground_m``: the elevation of
    nodes without one (the scenario's explicit assumption; ``check`` refuses it otherwise)."""
    rows, cols, length, road_kmh = network._edges
    elev = np.array([network.graph.nodes[n].get("elevation_m", ground_m)
                     for n in network.nodes], dtype=float)
    level = water_level_per_minute(h, horizon_min, extra_rain)
    edge_of = {(min(a, b), max(a, b)): e for e, (a, b) in enumerate(zip(rows, cols, strict=True))}
    def edge(a: str, b: str) -> int:
        i, j = network.index[a], network.index[b]
        return edge_of[(min(i, j), max(i, j))]

    if closed is None:
        closed = [(*c.road, c.from_min, c.until_min if c.until_min is not None else math.inf)
                  for c in h.closures]
    closures = [(edge(a, b), t0, t1) for a, b, t0, t1 in closed]
    times = set(np.arange(0.0, horizon_min, h.update_min).tolist())
    times |= {t for _, a, b in closures for t in (a, b) if t < horizon_min}
    times |= {t for t in shelter_closed_from if t is not None and t < horizon_min}
    step_times = np.array(sorted(times))
    states: list[FloodState] = []
    step_state = np.zeros(step_times.size, dtype=int)
    events = []
    prev_closed = np.zeros(length.size, dtype=bool)
    sh = np.asarray(shelter_nodes, dtype=int)
    for k, t in enumerate(step_times):
        node_depth = np.maximum(level[int(t)] - elev, 0.0)
        depth = np.maximum(node_depth[rows], node_depth[cols])
        rounded = np.round(depth / h.depth_step_m) * h.depth_step_m
        shut = np.zeros(length.size, dtype=bool)
        for e, a, b in closures:
            shut[e] |= a <= t < b
        walk_closed = shut | (depth > h.walk_limit_m)
        veh_closed = shut | (depth > h.vehicle_limit_m)
        factor = np.maximum(wading_factor(h, rounded), 1e-9)
        walk = np.where(walk_closed, np.inf, length / M_PER_MIN_AT_1KMH / factor)
        kmh = np.minimum(np.minimum(road_kmh, vehicle_kmh),
                         np.maximum(vehicle_kmh_at(h, rounded), 1e-9))
        veh = np.where(veh_closed, np.inf, length / (kmh * M_PER_MIN_AT_1KMH))
        open_ = (node_depth[sh] <= h.walk_limit_m) & np.array(
            [c is None or t < c for c in shelter_closed_from], dtype=bool)
        last = states[-1] if states else None
        if last is not None and np.array_equal(last.walk_units, walk) and np.array_equal(
                last.vehicle_min, veh) and np.array_equal(last.shelter_open, open_):
            step_state[k] = last.index
        else:
            states.append(FloodState(len(states), float(t), walk, veh, open_))
            step_state[k] = len(states) - 1
        if (walk_closed != prev_closed).any():
            events.append((float(t), np.flatnonzero(walk_closed & ~prev_closed),
                           np.flatnonzero(~walk_closed & prev_closed)))
        prev_closed = walk_closed
    return FloodTimeline(level, elev, step_times, step_state, states, events,
                         water_peak(h, horizon_min, extra_rain))
