"""The festival's viewing points computed directly (``viewing.viewing_points``) against the SimPy
run they replace: the same visits, occupancy, incidents and metrics, exactly."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import poisson

import sim.kinds.festival.model as festival_model
from sim.core.rng import replication_key
from sim.core.scenario import load_scenario
from sim.kinds.festival.checkpoint import INF, step_count
from sim.kinds.festival.metrics import checkpoint_present, collect, occupancy_steps
from sim.kinds.festival.model import Day, checked_groups, poisson_ppf
from sim.kinds.festival.viewing import (
    _Resume,
    _unheld,
    _viewing_point,
    feed_times,
    viewing_points,
)
from sim.run.experiments import plan_inputs
from tests.festival_helpers import crowded, small_festival
from tests.helpers import ROOT, build, deep_update


def _day(inp: Any, rep: int, seed: int) -> Day:
    key = replication_key(seed, rep)
    g, cr = checked_groups(inp, key)
    return Day(inp, g, cr, key, checkpoint_present(inp, g, cr))


def _both(inp: Any, rep: int, seed: int) -> tuple[Day, Day, bool]:
    """The day run directly (keep=False) and in SimPy (keep=True: the reference path), and
    whether the direct computation was used."""
    direct, simpy_day = _day(inp, rep, seed), _day(inp, rep, seed)
    used = viewing_points(_day(inp, rep, seed)) is not None
    direct.run(False)
    simpy_day.run(True)
    return direct, simpy_day, used


def _assert_same(inp: Any, a: Day, b: Day) -> None:
    va, vb = a.visits, b.visits
    assert va is not None and vb is not None
    for name in ("vp", "t_vp_last", "t_enter", "t_leave", "t_exit", "redirects"):
        assert np.array_equal(getattr(va, name), getattr(vb, name)), name
    for v in range(len(inp.vp_ids)):  # rows of one viewing point in the same order
        for x, y in zip(occupancy_steps(va, v), occupancy_steps(vb, v), strict=True):
            assert np.array_equal(x, y)
    assert a.incidents == b.incidents
    assert np.array_equal(a.team_busy, b.team_busy)
    ra = collect(inp, a.g, a.cr, a, 0, 0, False)
    rb = collect(inp, b.g, b.cr, b, 0, 0, False)
    assert ra.metrics.keys() == rb.metrics.keys()
    for k, x in ra.metrics.items():
        assert x == rb.metrics[k] or (math.isnan(x) and math.isnan(rb.metrics[k])), k
    for k, x in ra.series.items():
        assert np.array_equal(x, rb.series[k], equal_nan=True), k


@pytest.mark.parametrize("plan", ["reported", "drill"])
def test_bundled_festival_direct_equals_simpy(plan):
    s = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    inp = plan_inputs(s.plan(plan))
    a, b, used = _both(inp, 1, 7)
    assert used  # the bundled day is computed directly...
    held = np.isfinite(b.visits.t_vp_last) & (b.visits.t_enter > b.visits.t_vp_last)
    assert held.sum() > 100  # ...including viewing points where visitors are held
    assert len(a.incidents) > 20
    _assert_same(inp, a, b)


@pytest.mark.parametrize(("rule", "trigger", "seed"), [
    ("hold", 3.0, 1), ("hold", 1.5, 2), ("hold", 6.0, 3), ("none", 3.0, 4), ("redirect", 3.0, 5),
    ("redirect", 50.0, 6)])
def test_small_festivals_direct_equal_simpy(tmp_path: Path, rule, trigger, seed):
    inp = plan_inputs(build(tmp_path, crowded(rule, trigger)).plan())
    a, b, used = _both(inp, 0, seed)
    held = np.isfinite(b.visits.t_vp_last) & (b.visits.t_enter > b.visits.t_vp_last)
    redirected = b.visits.redirects.sum() > 0
    # Direct unless groups are redirected (the redirect rule is left to SimPy).
    assert used == (not redirected)
    if rule == "hold":
        assert held.any() == (trigger < 50)
    _assert_same(inp, a, b)


@pytest.mark.parametrize("crowd", [False, True])
def test_fixed_stays_many_leave_at_one_instant(tmp_path: Path, crowd):
    # Fixed stays: every group present at the tide leaves at the same instant; they exit in
    # the order they entered, as SimPy orders events of one instant by when they were made.
    data = deep_update(crowded("hold"), {"festival": {"stay": {"after_tide": 10,
                                                                "min_stay": 20}}}) \
        if crowd else small_festival()
    inp = plan_inputs(build(tmp_path, data).plan())
    a, b, used = _both(inp, 0, 3)
    assert used
    leave = b.visits.t_leave[np.isfinite(b.visits.t_leave)]
    assert (leave == inp.tide + 10).sum() > 100
    held = np.isfinite(b.visits.t_vp_last) & (b.visits.t_enter > b.visits.t_vp_last)
    assert held.any() == crowd
    _assert_same(inp, a, b)


def _inputs(n: int, rng: np.random.Generator, horizon: float) -> dict[str, Any]:
    arrivals = np.sort(rng.uniform(0, horizon, n))  # (the feeder stops at the horizon)
    return {"arrivals": arrivals, "who": np.arange(n), "size": rng.integers(1, 6, n),
            "min_stay": rng.exponential(20, n), "after_tide": 50 + rng.exponential(5, n)}


def test_unheld_equals_the_step_by_step_loop():
    rng = np.random.default_rng(4)
    resumed = 0
    for trial in range(200):
        rate, horizon = float(rng.choice([0.3, 2, 20])), float(rng.uniform(30, 150))
        d = _inputs(int(rng.integers(0, 300)), rng, horizon)
        n = d["arrivals"].size
        loop = [np.full(n, INF) for _ in range(3)]
        rows = _viewing_point(d["arrivals"].tolist(), d["who"].tolist(), d["size"].tolist(),
                              d["min_stay"].tolist(), d["after_tide"].tolist(), INF, False, True,
                              rate, horizon, *loop)
        vec = [np.full(n, INF) for _ in range(3)]
        got = _unheld(d["arrivals"], d["who"], d["size"], d["min_stay"], d["after_tide"], INF,
                      rate, horizon, *vec)
        assert rows is not None and got is not None
        assert np.array_equal(got[0], rows[0]) and np.array_equal(got[1], rows[1])
        for x, y in zip(vec, loop, strict=True):
            assert np.array_equal(x, y)
        # With a capacity: the vectorised form hands over to the loop exactly when someone is
        # held, and the loop going on from there gives what the loop alone gives.
        cap = float(rng.choice([rng.uniform(5, 60), rng.uniform(100, 400)]))
        alone = [np.full(n, INF) for _ in range(3)]
        args = (d["arrivals"].tolist(), d["who"].tolist(), d["size"].tolist(),
                d["min_stay"].tolist(), d["after_tide"].tolist(), cap, True, True, rate, horizon)
        rows = _viewing_point(*args, *alone)
        someone_held = bool(np.any(alone[0][:n] > d["arrivals"]))
        handed = [np.full(n, INF) for _ in range(3)]
        got = _unheld(d["arrivals"], d["who"], d["size"], d["min_stay"], d["after_tide"],
                      cap, rate, horizon, *handed)
        assert isinstance(got, _Resume) == someone_held, trial
        if isinstance(got, _Resume):
            assert got.k > 0 or got.occ == 0
            got = _viewing_point(*args, *handed, got)
        assert got is not None and rows is not None
        assert np.array_equal(got[0], rows[0]) and np.array_equal(got[1], rows[1])
        for x, y in zip(handed, alone, strict=True):
            assert np.array_equal(x, y)
        resumed += isinstance(got, tuple) and someone_held
    assert resumed > 50


def test_an_exit_and_an_arrival_at_one_instant_are_left_to_simpy():
    # Group 0 enters at 1, leaves at 2 and exits at 2 + 2/2 = 3, the instant group 1 arrives:
    # whether group 1 is held depends on SimPy's order of the two, so both forms decline.
    args = ([1.0, 3.0], [0, 1], [2, 1], [1.0, 1.0], [0.0, 0.0])
    assert _viewing_point(*args, 2.0, True, True, 2.0, 10.0,
                          *[np.full(2, INF) for _ in range(3)]) is None
    assert _unheld(*(np.array(a) for a in args), 2.0, 2.0, 10.0,
                   *[np.full(2, INF) for _ in range(3)]) is None
    # A moment later the loop can tell: group 1 finds group 0 gone and enters.
    out = [np.full(2, INF) for _ in range(3)]
    assert _viewing_point([1.0, 3.5], [0, 1], [2, 1], [1.0, 1.0], [0.0, 0.0], 2.0, True, True,
                          2.0, 10.0, *out) is not None
    assert out[0].tolist() == [1.0, 3.5]


def test_a_change_on_the_minute_is_left_to_simpy(tmp_path: Path, monkeypatch):
    # The incident source wakes on whole minutes; a viewing point changing at that very
    # instant would count or not by SimPy's sequence numbers, so the day goes to SimPy.
    inp = plan_inputs(build(tmp_path, crowded("hold")).plan())
    day = _day(inp, 0, 1)
    first = int(np.argmin(day.t_vp_arrival))
    day.t_vp_arrival[first] = np.floor(day.t_vp_arrival[first])
    assert viewing_points(day) is None
    monkeypatch.setattr(festival_model, "viewing_points", lambda d: None)
    a, b = _day(inp, 0, 1), _day(inp, 0, 1)
    a.run(False)  # (now through SimPy too)
    b.run(True)
    _assert_same(inp, a, b)


def test_feed_times_follow_the_feeders_float_steps():
    rng = np.random.default_rng(9)
    for _ in range(50):
        t = np.sort(rng.uniform(0, 1000, 500)) * rng.choice([1e-9, 1.0, 1e9])
        t[::17] = t[::17]  # (duplicates below)
        t = np.sort(np.concatenate([t, t[::23]]))
        now, want = 0.0, []
        for x in t.tolist():  # Day.feed: wake at now + (t - now) unless t - now <= 0
            delay = x - now
            if delay > 0:
                now = now + delay
            want.append(now)
        assert feed_times(t).tolist() == want


def test_poisson_ppf_zero_shortcut_at_the_boundary():
    # q just below, at and above P(0) = pdtr(0, mu): the shortcut and scipy's formula agree.
    from scipy.special import pdtr

    rng = np.random.default_rng(11)
    mu = np.exp(rng.uniform(np.log(1e-12), np.log(100), 50_000))
    p0 = pdtr(0.0, mu)
    for q in (p0, np.nextafter(p0, 0), np.nextafter(p0, 1), p0 * (1 - 1e-9)):
        q = np.clip(q, 1e-300, np.nextafter(1.0, 0))
        assert np.array_equal(poisson.ppf(q, mu), poisson_ppf(q, mu))


def test_step_count_of_people_equals_the_sorted_cumulative_sum():
    # Whole-number weights are summed per recording slot (no sort); exactly the old result.
    def sorted_sum(times, weights, at):
        order = np.argsort(times, kind="stable")
        cum = np.concatenate([[0.0], np.cumsum(weights[order], dtype=float)])
        return cum[np.searchsorted(times[order], at, side="right")]

    rng = np.random.default_rng(12)
    for _ in range(2000):
        n = int(rng.integers(0, 300))
        times = [rng.uniform(-5, 50, n), np.round(rng.uniform(-5, 50, n)),
                 np.where(rng.random(n) < 0.2, INF, rng.uniform(0, 50, n)),
                 np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 50, n))][int(rng.integers(4))]
        weights = [rng.integers(0, 13, n).astype(float), rng.integers(0, 13, n),
                   rng.uniform(0, 5, n)][int(rng.integers(3))]  # (the last: the sorted path)
        at = [np.sort(np.concatenate([rng.uniform(-10, 60, int(rng.integers(1, 40))),
                                      [INF] * int(rng.integers(0, 2))])),
              np.arange(0.0, 50.0), rng.uniform(0, 50, 5)][int(rng.integers(3))]
        assert np.array_equal(step_count(times, weights, at), sorted_sum(times, weights, at))


@pytest.mark.parametrize("person", [{"dist": "lognormal", "median": 0.07, "p90": 0.15},
                                    {"dist": "exponential", "mean": 0.03},
                                    {"dist": "triangular", "low": 0.0, "mode": 0.1, "high": 0.3},
                                    {"dist": "empirical", "values": [0.05, 0.1, 0.4]}])
def test_service_times_of_members_only_equal_drawing_every_slot(person):
    # Before: every one of the MAX_GROUP person slots drawn, non-members then set to 0.
    from pydantic import TypeAdapter

    from sim.core.distributions import Dist
    from sim.kinds.festival.demand import MAX_GROUP, N_UNIFORMS, U_GROUP_CHECK, U_PERSON, service_times

    dist = TypeAdapter(Dist).validate_python(person)
    group = TypeAdapter(Dist).validate_python({"dist": "lognormal", "median": 0.12, "p90": 0.25})
    rng = np.random.default_rng(13)
    u = rng.random((5000, N_UNIFORMS))
    size = rng.integers(1, MAX_GROUP + 1, 5000)
    every = dist.sample(u[:, U_PERSON:U_PERSON + MAX_GROUP])
    every[np.arange(MAX_GROUP)[None, :] >= size[:, None]] = 0.0
    before = group.sample(u[:, U_GROUP_CHECK]) + every.sum(axis=1)
    assert np.array_equal(service_times(group, dist, size, u), before)
    half = slice(0, 2500)  # drawn for some groups only: the same values for them
    assert np.array_equal(service_times(group, dist, size[half], u[half]), before[half])
