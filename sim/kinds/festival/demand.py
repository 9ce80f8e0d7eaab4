"""Visitor demand: groups arriving by mode as non-homogeneous Poisson processes.

Rates are piecewise constant (a profile of visitors per hour, or counts per interval), times
the pre-tide surge factor. Within a piece of constant rate, a Poisson process is a Poisson
number of groups placed uniformly: exact and vectorised. Each mode has its own random stream
(``sim.core.rng.stream_generator``), so plans compared on one seed see the same visitors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.core.distributions import Dist
from sim.core.rng import pick, stream_generator
from sim.kinds.festival.config import FestivalParams, Mode
from sim.kinds.festival.storyline import SurgeWindow, surge_factor

MAX_GROUP = 12  # groups are capped at this size (a minibus); per-person draws need a slot each
# Columns of each group's uniforms; appending a slot never changes the existing ones.
U_SIZE, U_CHECKPOINT, U_VIEW, U_GROUP_CHECK, U_AFTER_TIDE, U_MIN_STAY = range(6)
U_PERSON = 6  # first of MAX_GROUP per-person check slots
N_UNIFORMS = U_PERSON + MAX_GROUP


def group_sizes(dist: Dist, u: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(dist.sample(u)), 1, MAX_GROUP).astype(int)


def mean_group_size(dist: Dist) -> float:
    """Mean of the rounded group size (by the inverse CDF on a fine grid of uniforms)."""
    u = (np.arange(20_000) + 0.5) / 20_000
    return float(group_sizes(dist, u).mean())


def rate_steps(p: FestivalParams, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints ``t`` (model minutes, from 0 to the horizon) and visitors/min in each piece."""
    h = p.horizon
    if mode.profile:
        starts = [p.t(s.at) for s in mode.profile]
        rates = [s.per_hour / 60.0 for s in mode.profile]
        if starts[0] > 0:
            starts, rates = [0.0, *starts], [0.0, *rates]
    else:
        starts = [k * mode.interval_min for k in range(len(mode.counts))]
        rates = [c / mode.interval_min for c in mode.counts]
        starts.append(len(mode.counts) * mode.interval_min)
        rates.append(0.0)
    cuts = {0.0, h, *starts}
    tide = p.t(p.tide_time)
    surge_from = tide - p.surge.before_tide_min
    if mode.surge and p.surge.before_tide_min > 0:
        cuts |= {surge_from, tide}
    t = np.array(sorted(c for c in cuts if 0 <= c <= h))
    mid = (t[:-1] + t[1:]) / 2
    idx = np.searchsorted(np.array(starts), mid, side="right") - 1
    r = np.where(idx >= 0, np.array(rates)[np.maximum(idx, 0)], 0.0)
    if mode.surge:
        r = np.where((mid >= surge_from) & (mid < tide), r * p.surge.factor, r)
    return t, r


def expected_visitors(p: FestivalParams) -> float:
    total = 0.0
    for mode in p.modes.values():
        t, r = rate_steps(p, mode)
        total += float((np.diff(t) * r).sum())
    return total


@dataclass(frozen=True)
class Groups:
    """Every visitor group of one replication, sorted by arrival time."""

    mode: np.ndarray
    arrival: np.ndarray
    size: np.ndarray
    checkpoint: np.ndarray  # first checkpoint (index in the festival's checkpoint order)
    view: np.ndarray  # preferred viewing point (index)
    u: np.ndarray  # (groups, N_UNIFORMS)
    # What a group's id is made of: its mode's name, and its number among the mode's
    # arrivals (``serial``), or among a surge's extra arrivals (``extra``).
    mode_names: tuple[str, ...]
    serial: np.ndarray
    extra: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.size)

    @cached_property
    def ids(self) -> list[str]:
        """``<mode>-000123`` (``<mode>-x000001`` for a surge's extra group), made only when
        asked (event records): tens of thousands of strings a day are not free."""
        names = self.mode_names
        return [f"{names[m]}-{'x' if x else ''}{j:06d}" for m, j, x in
                zip(self.mode.tolist(), self.serial.tolist(), self.extra.tolist(), strict=True)]


def arrival_times(rng: np.random.Generator, t: np.ndarray, group_rate: np.ndarray,
                  regular: bool) -> np.ndarray:
    out = []
    for lo, hi, r in zip(t[:-1], t[1:], group_rate, strict=True):
        if r <= 0 or hi <= lo:
            continue
        if regular:
            out.append(lo + np.arange(int(np.ceil((hi - lo) * r - 1e-9))) / r)
        else:
            k = rng.poisson(r * (hi - lo))
            out.append(np.sort(rng.uniform(lo, hi, k)))
    return np.concatenate(out) if out else np.zeros(0)


def draw_groups(p: FestivalParams, key: int, checkpoint_ids: list[str],
                view_weights: np.ndarray, surges: Sequence[SurgeWindow] = ()) -> Groups:
    parts = []
    for m, (name, mode) in enumerate(p.modes.items()):
        rng = stream_generator(key, f"arrivals:{name}")
        t, r = rate_steps(p, mode)
        rate = r / mean_group_size(mode.group_size)
        regular = mode.arrivals == "regular"
        times = arrival_times(rng, t, rate, regular)
        u = rng.random((times.size, N_UNIFORMS))
        serial, extra = np.arange(times.size), np.zeros(times.size, dtype=bool)
        mine = [w for w in surges if w.mode in (None, name)]
        if mine:
            times, u, serial, extra = _surged(stream_generator(key, f"surge:{name}"), mine, t,
                                              rate, regular, times, u)
        cps = list(mode.checkpoints)
        shares = np.array([mode.checkpoints[c] for c in cps])
        cp = np.array([checkpoint_ids.index(c) for c in cps])[pick(u[:, U_CHECKPOINT], shares.tolist())]
        parts.append((serial, m, times, group_sizes(mode.group_size, u[:, U_SIZE]), cp, u,
                      extra))
    arrival = np.concatenate([x[2] for x in parts])
    order = np.argsort(arrival, kind="stable")
    u = np.vstack([x[5] for x in parts])[order]
    return Groups(
        mode=np.concatenate([np.full(x[2].size, x[1]) for x in parts])[order],
        arrival=arrival[order],
        size=np.concatenate([x[3] for x in parts])[order],
        checkpoint=np.concatenate([x[4] for x in parts])[order],
        view=pick(u[:, U_VIEW], view_weights.tolist()),
        u=u,
        mode_names=tuple(p.modes),
        serial=np.concatenate([x[0] for x in parts])[order],
        extra=np.concatenate([x[6] for x in parts])[order],
    )


def _surged(rng: np.random.Generator, windows: list[SurgeWindow], t: np.ndarray,
            rate: np.ndarray, regular: bool, times: np.ndarray, u: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A mode's arrivals with surge injects: the usual groups thinned where the factor is below
    1, plus extra groups (ids ``<mode>-x000001``…) at (factor - 1) × the rate where above.
    Returns the times, uniforms, and the groups' numbers and extra flags (see ``Groups``)."""
    f = surge_factor(windows, times)
    keep_u = rng.random(times.size)  # drawn for every group, so that the stream stays aligned
    if regular:  # evenly thinned: keep a group whenever the running sum of factors passes 1
        acc = np.floor(np.cumsum(np.where(f < 1, f, 0.0)) + 1e-9)
        keep = (f >= 1) | (np.diff(acc, prepend=0.0) > 0)
    else:
        keep = keep_u < f
    cuts = np.unique(np.clip([*t, *(c for w in windows for c in (w.t0, w.t1))], t[0], t[-1]))
    mid = (cuts[:-1] + cuts[1:]) / 2
    base = rate[np.clip(np.searchsorted(t, mid, side="right") - 1, 0, rate.size - 1)]
    extra = arrival_times(rng, cuts, base * np.clip(surge_factor(windows, mid) - 1, 0, None),
                          regular)
    extra_u = rng.random((extra.size, N_UNIFORMS))
    return (np.concatenate([times[keep], extra]), np.vstack([u[keep], extra_u]),
            np.concatenate([np.flatnonzero(keep), np.arange(extra.size)]),
            np.concatenate([np.zeros(int(keep.sum()), dtype=bool),
                            np.ones(extra.size, dtype=bool)]))


def service_times(per_group: Dist, per_person: Dist, size: np.ndarray, u: np.ndarray
                  ) -> np.ndarray:
    """Per group check plus the sum of one per-person check for each member."""
    out = per_group.sample(u[:, U_GROUP_CHECK])
    if not (per_person.dist == "fixed" and per_person.mean() == 0):
        # Only the slots of actual members are drawn (sampling is element by element, so the
        # values are those of drawing every slot; the others are 0, as before).
        slots = u[:, U_PERSON:U_PERSON + MAX_GROUP]
        member = np.arange(MAX_GROUP)[None, :] < size[:, None]
        persons = np.zeros(slots.shape)
        persons[member] = per_person.sample(slots[member])
        out = out + persons.sum(axis=1)
    return out

