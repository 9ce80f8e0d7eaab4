"""Hand-computed oracles on a 3-node road A—600 m—B—900 m—C, all delays fixed."""

from __future__ import annotations

import math

import pytest

from sim.core.scenario import Scenario
from sim.run.experiments import plan_inputs
from tests.helpers import build, fixed_muster


def _events(s: Scenario, plan: str | None = None) -> list[tuple[str, str, float]]:
    setup = s.plan(plan)
    result = s.kind.simulate(plan_inputs(setup), 0, 1, True)
    return [(e.entity_id, e.event, round(e.t_min, 9)) for e in result.events]


def test_each_check_in_time_equals_the_hand_computation(tmp_path):
    # Walking at 6 km/h = 100 m/min: A→C 15 min, B→C 9 min, C→C 0 min.
    # Before leaving: delivery 1 + notice 2 + acknowledge 0.5 + preparation 3 = 6.5 min.
    s = build(tmp_path, fixed_muster())
    ev = _events(s)
    per = {}
    for who, name, t in ev:
        per.setdefault(who, []).append((name, t))
    assert per["GA-grid_head-001"] == [
        ("alert_received", 1.0), ("noticed", 3.0), ("acknowledged", 3.5), ("departed", 6.5),
        ("arrived", 21.5), ("checkin_start", 21.5), ("mustered", 22.5),
    ]
    assert per["GB-grid_head-001"][-3:] == [
        ("arrived", 15.5), ("checkin_start", 15.5), ("mustered", 16.5)]
    assert per["GC-grid_head-001"][-3:] == [
        ("arrived", 6.5), ("checkin_start", 6.5), ("mustered", 7.5)]
    assert ev[0] == ("command", "alert_sent", 0.0)


def test_road_speed_caps_the_car(tmp_path):
    # A car at 30 km/h on 15 km/h roads covers 250 m/min: A→C (1,500 m) in 6 min.
    data = fixed_muster(muster={"default_role": {"availability_day": 1.0,
                                                 "availability_night": 1.0,
                                                 "modes": {"car": 1.0}}})
    from sim.core.scenario import parse_scenario
    from tests.helpers import line_graphml

    line_graphml(tmp_path / "line.graphml", [600.0, 900.0], speed_kmh=15.0)
    s = parse_scenario(data, tmp_path)
    ev = dict(((w, n), t) for w, n, t in _events(s))
    assert ev[("GA-grid_head-001", "arrived")] == pytest.approx(6.5 + 6.0)


def test_single_desk_queue_is_exact(tmp_path):
    # Three people arrive together at C at 6.5 min; one desk, 1 min each: 7.5, 8.5, 9.5.
    data = fixed_muster(forces={"grid_head": {"per_grid": 3, "grids": ["GC"]}})
    s = build(tmp_path, data)
    ev = _events(s)
    starts = sorted(t for _, n, t in ev if n == "checkin_start")
    done = sorted(t for _, n, t in ev if n == "mustered")
    assert starts == [6.5, 7.5, 8.5]
    assert done == [7.5, 8.5, 9.5]
    m = s.kind.simulate(plan_inputs(s.plan()), 0, 1, False).metrics
    assert m["checkin_wait_max_min[ap=AP]"] == pytest.approx(2.0)
    assert m["mustered_15min"] == 3
    assert m["t50_min"] == pytest.approx(8.5)


def test_two_desks_halve_the_queue(tmp_path):
    data = fixed_muster(forces={"grid_head": {"per_grid": 4, "grids": ["GC"]}})
    data["muster"]["assembly_points"][0]["desks"] = 2
    s = build(tmp_path, data)
    done = sorted(t for _, n, t in _events(s) if n == "mustered")
    assert done == [7.5, 7.5, 8.5, 8.5]


def test_night_alert_uses_night_notice_time(tmp_path):
    data = fixed_muster(muster={"alert_time": "23:30"})
    s = build(tmp_path, data)
    ev = dict(((w, n), t) for w, n, t in _events(s))
    assert ev[("GC-grid_head-001", "noticed")] == 1 + 10


def test_phone_tree_timing(tmp_path):
    # Tree order: the three grid heads by grid. The command calls GA then GB (fan-out 2),
    # 1 min each; GA (position 0) then calls position 2 = GC.
    data = fixed_muster(muster={"channels": ["phone_tree"]})
    s = build(tmp_path, data)
    ev = dict(((w, n), t) for w, n, t in _events(s))
    assert ev[("GA-grid_head-001", "alert_received")] == 1.0
    assert ev[("GB-grid_head-001", "alert_received")] == 2.0
    assert ev[("GC-grid_head-001", "alert_received")] == 2.0
    # A phone call is noticed at once: GC departs at 2 + 0.5 + 3.
    assert ev[("GC-grid_head-001", "departed")] == 5.5


def test_unanswered_call_passes_the_list_to_the_caller(tmp_path):
    data = fixed_muster(muster={"channels": ["phone_tree"],
                                "phone_tree": {"fan_out": 1, "call": 1, "answer_day": 0.0}})
    s = build(tmp_path, data)
    ev = _events(s)
    unanswered = [(w, t) for w, n, t in ev if n == "call_unanswered"]
    # Fan-out 1: command → GA (no answer) → command calls GB → ... → GC: 1, 2, 3 min.
    assert [t for _, t in unanswered] == [1.0, 2.0, 3.0]
    m = s.kind.simulate(plan_inputs(s.plan()), 0, 1, False).metrics
    assert m["not_reached"] == 3 and m["t50_min"] == math.inf  # not reached by the horizon


def test_unavailable_people_never_muster(tmp_path):
    data = fixed_muster(muster={"default_role": {"availability_day": 0.0,
                                                 "availability_night": 0.0}})
    s = build(tmp_path, data)
    m = s.kind.simulate(plan_inputs(s.plan()), 0, 1, False).metrics
    assert m["unavailable"] == 3 and m["mustered_60min"] == 0
