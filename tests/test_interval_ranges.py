"""Intervals never claim the impossible: a mean's 95 % interval is cut to the values its metric
can take (shares 0–100 %, counts and minutes from 0, a checkpoint's queue up to its limit),
which keeps its coverage exactly (the mean always lies in that range)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.core.catalogue import natural_range
from sim.core.scenario import load_scenario
from sim.kinds.festival.metrics import ranges
from sim.run.experiments import Comparison, plan_inputs, run_plan, within
from sim.run.stats import describe

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@given(st.lists(st.floats(0, 1500), min_size=2, max_size=30))
def test_a_cut_interval_stays_in_range_and_holds_what_the_t_interval_held(values):
    raw, cut = describe(values), describe(values, (0.0, 1500.0))
    assert 0.0 <= cut.ci95_low <= cut.mean <= cut.ci95_high <= 1500.0
    for truth in (0.0, 1500.0, float(np.mean(values)), 1499.0, 1.0):
        assert (raw.ci95_low <= truth <= raw.ci95_high) == (cut.ci95_low <= truth <= cut.ci95_high)


def test_coverage_of_a_queue_at_its_limit_is_that_of_the_t_interval():
    """A queue that reaches its limit of 1,500 on 70 % of days, else uniform below it (true mean
    1,275): over 4,000 samples of 10 days, the cut interval covers the mean exactly as often as
    the t interval, and the t interval reached past the limit in many (the case at issue)."""
    rng = np.random.default_rng(11)
    truth, covered_raw, covered_cut, past = 0.7 * 1500 + 0.3 * 750, 0, 0, 0
    for _ in range(4000):
        days = np.where(rng.random(10) < 0.7, 1500.0, rng.uniform(0, 1500, 10))
        raw, cut = describe(days), describe(days, (0.0, 1500.0))
        covered_raw += raw.ci95_low <= truth <= raw.ci95_high
        covered_cut += cut.ci95_low <= truth <= cut.ci95_high
        past += raw.ci95_high > 1500
        assert cut.ci95_high <= 1500
    assert covered_raw == covered_cut
    assert past > 1000, past


def test_natural_ranges():
    assert natural_range("frac_mustered_60min") == (0.0, 1.0)
    assert natural_range("stranded") == (0.0, math.inf)
    assert natural_range("t90_min") == (0.0, math.inf)
    assert natural_range("worst_los") == (1.0, 6.0)
    assert natural_range("nosuch") == (-math.inf, math.inf)


def test_yanguan_longest_queues_stay_within_each_checkpoints_limit():
    """Every plan's longest queue at a checkpoint is at most its queue limit on every day (the
    range claimed), and the interval reported for its mean is too (it reached 1,528 at 1,500)."""
    s = load_scenario(SCENARIOS / "tide_yanguan.yaml")
    for plan in ("reported", "drill"):
        run = run_plan(s, plan, 5, seed=3)
        limits = ranges(plan_inputs(s.plans[plan]))
        assert "max_queue[checkpoint=H1]" in limits  # (R1 has no limit: nor has the longest)
        metrics = run.summary()["metrics"]
        for metric, (low, high) in limits.items():
            assert run.values(metric).max() <= high, (plan, metric)
            d = metrics[metric]
            assert low <= d["ci95_low"] <= d["mean"] <= d["ci95_high"] <= high, (plan, metric, d)


def test_a_muster_near_its_whole_roster_is_not_said_to_muster_more_than_it_has(tmp_path):
    """Six militia at the assembly point, each available with probability 0.95: four to six
    turn up, and the t interval of the mean of 8 replications reaches past six; the roster
    bound is the roster itself (equal to the ``roster`` metric in every replication) and the
    interval stops there."""
    from sim.kinds.muster.inputs import ranges as muster_ranges
    from tests.helpers import build, fixed_muster

    data = fixed_muster(forces={"grid_head": {"per_grid": 0},
                                "militia": {"count": 6, "grids": ["GC"]}},
                        muster={"default_role": {"availability_day": 0.95,
                                                 "availability_night": 0.95},
                                "assembly_points": [{"id": "AP", "node": "C", "desks": 6}]})
    s = build(tmp_path, data)
    run = run_plan(s, None, 8, seed=3)
    limits = muster_ranges(plan_inputs(s.plan()))
    assert limits["mustered_60min"] == (0.0, 6.0) == limits["mustered_60min[role=militia]"]
    assert (run.values("roster") == 6).all()
    raw = describe(run.values("mustered_60min"))
    assert raw.ci95_high > 6, raw  # (the case at issue)
    d = run.summary()["metrics"]["mustered_60min"]
    assert d["ci95_high"] == 6.0 and d["ci95_low"] == raw.ci95_low, d


@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "rainstorm_yangning.yaml",
                                      "rainstorm_duhu.yaml", "tide_yanguan.yaml"])
def test_every_bundled_plan_stays_within_the_ranges_its_kind_declares(scenario):
    """The ranges are claims about the model (a mean outside them is impossible), so they are
    checked against it: every value of every replication lies in its range, for two plans of
    every bundled scenario, and so does every interval of the summary."""
    s = load_scenario(SCENARIOS / scenario)
    runs = []
    for plan in list(s.plans)[:2]:
        run = run_plan(s, plan, 3, seed=9)
        runs.append(run)
        limits = s.kind.metric_ranges(plan_inputs(s.plans[plan]))
        assert limits, scenario
        metrics = run.summary()["metrics"]
        for metric, (low, high) in limits.items():
            v = run.values(metric)
            assert v.size and ((v >= low) & (v <= high)).all(), (plan, metric, v, high)
            d = metrics.get(metric)
            if d and d.get("ci95_low") is not None:
                assert low <= d["ci95_low"] <= d["ci95_high"] <= high, (plan, metric, d)
    # and every paired difference within what b − a can take
    a, b = runs
    ranges_a, ranges_b = a.limits(), b.limits()
    for metric, pairs in Comparison(runs).differences().items():
        d = pairs[f"{b.plan} - {a.plan}"]
        if d.get("ci95_low") is None or d.get("by_order"):
            continue
        (lo_a, hi_a), (lo_b, hi_b) = within(metric, ranges_a), within(metric, ranges_b)
        assert lo_b - hi_a <= d["ci95_low"] <= d["ci95_high"] <= hi_b - lo_a, (metric, d)


def test_a_paired_difference_is_cut_to_what_b_minus_a_can_take():
    """Two shares: b − a lies in −1..1. A plan that shelters everyone against one that
    shelters nearly nobody in 4 pairs had a t interval past +1; cut there, and it still holds
    every truth it held (the property test above covers ``describe``; this is the same cut)."""
    from sim.run.stats import paired_difference

    a, b = [0.0, 0.02, 0.0, 0.4], [1.0, 1.0, 1.0, 1.0]
    raw, cut = paired_difference(a, b), paired_difference(a, b, (-1.0, 1.0))
    assert raw.ci95_high > 1 and cut.ci95_high == 1.0 and cut.ci95_low == raw.ci95_low
    assert cut.mean == raw.mean and cut.significant == raw.significant

