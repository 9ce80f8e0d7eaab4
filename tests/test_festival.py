"""Festival kind: conservation, crowd control, bad input, the bundled scenario, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.errors import ScenarioError
from sim.core.rng import replication_key
from sim.core.scenario import load_scenario, parse_scenario
from sim.kinds.festival.demand import draw_groups
from sim.kinds.festival.metrics import PLACES, los_grade, occupancy_steps, place_intervals, weighted_quantile
from sim.kinds.festival.model import Day, run_checkpoints
from sim.run.experiments import execute, plan_inputs
from tests.festival_helpers import crowded, small_festival
from tests.helpers import ROOT, build, cli, line_graphml, write_scenario

BUNDLED = ROOT / "scenarios" / "tide_yanguan.yaml"


def run_day(tmp_path: Path, data: dict, seed: int = 1):
    setup = build(tmp_path, data).plan()
    inp = plan_inputs(setup)
    key = replication_key(seed, 0)
    g = draw_groups(inp.params, key, inp.cp_ids, inp.view_weights)
    cr = run_checkpoints(inp, g)
    from sim.kinds.festival.metrics import checkpoint_present

    day = Day(inp, g, cr, key, checkpoint_present(inp, g, cr))
    day.run(True)
    return inp, g, cr, day


@pytest.mark.parametrize("rule", ["hold", "redirect", "none"])
def test_every_visitor_is_in_exactly_one_place_at_every_recorded_time(tmp_path, rule):
    data = crowded(rule)
    data["festival"]["checkpoints"]["X"].update(queue_limit=300)  # some are turned away
    inp, g, cr, day = run_day(tmp_path, data)
    vs = day.visits
    intervals = place_intervals(g, cr, vs)
    assert set(intervals) == set(PLACES)
    t = inp.record_t
    # Each group's places follow each other without gaps or overlaps...
    bounds = [intervals[p] for p in ("diverting", "queue", "check", "walking", "held",
                                     "viewing_point")]
    served = ~cr.turned_away
    for (_, until), (start, _) in zip(bounds, bounds[1:], strict=False):
        assert np.array_equal(until[served], start[served])
    # ... so at each recorded time each arrived group is in exactly one place.
    inside = np.zeros((len(g.ids), t.size), int)
    for a, b in intervals.values():
        inside += (a[:, None] <= t[None, :]) & (t[None, :] < b[:, None])
    arrived = g.arrival[:, None] <= t[None, :]
    assert np.array_equal(inside, arrived.astype(int))
    assert cr.turned_away.any()
    # The live occupancy kept by the SimPy run agrees with the group timestamps.
    r = execute(build(tmp_path, data).plan(), [0], seed=1)[0]
    at_vp = sum(r.series[f"density[viewing_point={v}]"] * inp.vp_area[k]
                for k, v in enumerate(inp.vp_ids))
    assert np.allclose(at_vp, r.series["visitors[place=viewing_point]"])
    total = sum(r.series[f"visitors[place={p}]"] for p in PLACES)
    assert np.array_equal(total, [g.size[g.arrival <= x].sum() for x in t])


@pytest.mark.parametrize("rule", ["hold", "redirect"])
def test_density_never_exceeds_the_hold_limit_when_stewards_hold(tmp_path, rule):
    inp, g, cr, day = run_day(tmp_path, crowded(rule, trigger=3.0))
    assert day.visits is not None
    for v in range(len(inp.vp_ids)):
        _, occ = occupancy_steps(day.visits, v)
        assert occ.max() / inp.vp_area[v] <= 3.0 + 1e-12
    assert day.visits.t_enter[np.isfinite(day.visits.t_enter)].size < len(g.ids)  # some held


def test_without_control_the_same_crowd_goes_over_the_danger_limit(tmp_path):
    setup = build(tmp_path, crowded("none")).plan()
    m = execute(setup, [0], seed=1)[0].metrics
    assert m["max_density_ppm2"] > 4.0 and m["minutes_density_over_limit"] > 0
    assert m["worst_los"] == 6 and m["held"] == 0
    held = execute(build(tmp_path, crowded("hold", 3.0)).plan(), [0], seed=1)[0].metrics
    assert held["max_density_ppm2"] <= 3.0 and held["minutes_density_over_limit"] == 0
    assert held["held"] > 0 and held["held_wait_p95_min"] > 0
    # Teams answered incidents; some document problems went to the command centre.
    assert held["incidents"] > 0 and held["incident_response_p95_min"] > 0
    r = execute(build(tmp_path, crowded("hold", 3.0)).plan(), [0], seed=1)[0]
    events = {e.event for e in r.events}
    assert {"dispatched", "on_scene", "escalated", "cleared", "held", "entered"} <= events


BAD = {
    "negative rate": (
        {"festival": {"modes": {"road": {"profile": [{"at": "05:00", "per_hour": -5}]}}}},
        "festival.modes.road.profile[0].per_hour: must be ≥ 0 (got -5)"),
    "shift ends before it starts": (
        {"festival": {"checkpoints": {"X": {"roster": {"all": {"start": "09:00",
                                                               "end": "07:30"}}}}}},
        "festival.checkpoints.X.roster.all.end: the shift ends before it starts (09:00) "
        "(got '07:30')"),
    "zero-area viewing point": (
        {"festival": {"viewing_points": {"P2": {"area_m2": 0}}}},
        "festival.viewing_points.P2.area_m2: must be > 0 (got 0)"),
    "lanes > staff": (
        {"festival": {"checkpoints": {"X": {"roster": {"all": {"lanes": 3, "staff":
                                                               {"volunteer": 2}}}}}}},
        "festival.checkpoints.X.roster.all.lanes: more lanes than the shift's 2 staff can man"),
    "unknown checkpoint": (
        {"festival": {"modes": {"road": {"checkpoints": {"Y": 1}}}}},
        "festival.modes.road.checkpoints.Y: no checkpoint with this id (got 'Y')"),
    "node off the network": (
        {"festival": {"viewing_points": {"P1": {"node": "Z"}}}},
        "festival.viewing_points.P1.node: not a node of the walkway network (got 'Z')"),
    "pool too small": (
        {"festival": {"staff": {"volunteer": 5}}},
        "festival.staff.volunteer: the plan posts 7 people of this group but the pool has 5"),
    "diversion loop": (
        {"festival": {"checkpoints": {"X": {"queue_limit": 5, "over_limit": "divert",
                                            "divert_to": "X"}}}},
        "festival.checkpoints.X.divert_to: needs another checkpoint's id (got 'X')"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_its_field(tmp_path, case):
    patch, expected = BAD[case]
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(small_festival(**patch), tmp_path)
    found = [str(p) for p in exc.value.problems]
    assert any(expected in p for p in found), found


def test_bad_input_through_the_cli_exits_2_without_a_traceback(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    data = small_festival(festival={
        "modes": {"road": {"profile": [{"at": "05:00", "per_hour": -5}]}},
        "viewing_points": {"P2": {"area_m2": 0}},
    })
    r = cli("validate", str(write_scenario(tmp_path, data)))
    assert r.returncode == 2 and "Traceback" not in r.stderr + r.stdout
    assert "festival.modes.road.profile[0].per_hour: must be ≥ 0" in r.stderr
    assert "festival.viewing_points.P2.area_m2: must be > 0" in r.stderr
    # Cross-field problems (found once the fields themselves are valid), in a plan too.
    data = small_festival(festival={"checkpoints": {"X": {"roster": {"all": {
        "start": "09:00", "end": "07:30", "lanes": 9}}}}}, plans={"p": {"festival": {
            "checkpoints": {"X": {"roster": {"all": {"staff": {"volunteer": 1}}}}}}}})
    r = cli("run", str(write_scenario(tmp_path, data)), "--reps", "1")
    assert r.returncode == 2 and "Traceback" not in r.stderr + r.stdout
    for expected in ("festival.checkpoints.X.roster.all.end: the shift ends before it starts",
                     "festival.checkpoints.X.roster.all.lanes: more lanes than the shift's 3",
                     "festival.checkpoints.X.roster.all.lanes: more than the checkpoint's 3",
                     "plans.p.festival.checkpoints.X.roster.all.lanes: more lanes than the "
                     "shift's 1 staff"):
        assert expected in r.stderr, r.stderr


def test_same_seed_same_records_and_plans_share_their_visitors(tmp_path):
    data = crowded("hold")
    data["plans"] = {"hold": {}, "redirect": {"festival": {"crowd_control": {"rule": "redirect"}}}}
    s = build(tmp_path, data)
    a = execute(s.plan("hold"), [0, 1], seed=4)
    b = execute(s.plan("hold"), [0, 1], seed=4)
    c = execute(s.plan("hold"), [0, 1], seed=5)
    assert a[0].events == b[0].events and a[1].metrics == b[1].metrics
    assert a[0].events != c[0].events
    assert all(np.array_equal(a[0].series[k], b[0].series[k]) for k in a[0].series)
    # Common random numbers: the other plan sees the same groups arrive at the same times.
    red = execute(s.plan("redirect"), [0], seed=4)[0]
    arrivals = {(e.entity_id, e.t_min) for e in a[0].events if e.event == "arrived"}
    assert arrivals == {(e.entity_id, e.t_min) for e in red.events if e.event == "arrived"}
    assert red.metrics["redirected"] > 0 and red.metrics["visitors"] == a[0].metrics["visitors"]


def test_bundled_scenario_end_to_end_through_the_cli(tmp_path):
    r = cli("validate", str(BUNDLED))
    assert r.returncode == 0, r.stderr
    assert "reported" in r.stdout and "fewer_volunteers" in r.stdout
    out = tmp_path / "run"
    r = cli("run", str(BUNDLED), "--reps", "1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "festival" and summary["replications"] == 1
    for name in ("wait_p50_min", "wait_p95_min", "max_queue", "max_density_ppm2",
                 "minutes_density_over_limit", "incident_response_p95_min",
                 "wait_p95_min[checkpoint=H1]", "max_density_ppm2[viewing_point=P5]",
                 "utilisation[group=volunteer]"):
        assert summary["metrics"][name]["n"] == 1, name
    assert 90_000 < summary["metrics"]["visitors"]["mean"] < 110_000
    assert "queue[checkpoint=H1]" in summary["series"]
    assert "los[viewing_point=P1]" in summary["series"]
    from matplotlib.image import imread

    for png in ("queues.png", "density_strip.png"):  # real images with something drawn
        pixels = imread(out / png)
        assert pixels.ndim == 3 and min(pixels.shape[:2]) > 100, png
        assert float(pixels[..., :3].std()) > 0.05, png
    ev = pd.read_csv(out / "events.csv")
    assert {"arrived", "check_start", "entered", "exited"} <= set(ev.event)
    cmp_out = tmp_path / "cmp"
    r = cli("compare", str(BUNDLED), "--plans", "reported,fewer_volunteers", "--reps", "2",
            "--out", str(cmp_out))
    assert r.returncode == 0, r.stderr
    comp = json.loads((cmp_out / "comparison.json").read_text())
    assert set(comp["plans"]) == {"reported", "fewer_volunteers"}
    assert "fewer_volunteers - reported" in comp["differences"]["wait_p95_min"]


def test_bundled_plans_change_what_they_say(tmp_path):
    s = load_scenario(BUNDLED)
    # Lane-minutes open in the day at the highway exit H1 and the rail station R1.
    lanes = {name: [sch.open_minutes(16 * 60) for sch in plan_inputs(s.plan(name)).schedules]
             for name in s.plan_names()}
    h1, r1 = 0, 1
    assert lanes["fewer_volunteers"][h1] < lanes["reported"][h1]
    assert lanes["rail_to_highway"][r1] < lanes["reported"][r1]
    assert lanes["rail_to_highway"][h1] > lanes["reported"][h1]
    assert lanes["next50_highway"][h1] > lanes["reported"][h1]


def test_los_and_weighted_quantile():
    # Fruin standing LOS: 0.5 p/m² = 2 m²/p is A; 4 p/m² = 0.25 m²/p is E; 6 p/m² is F.
    assert list(los_grade(np.array([0.0, 0.5, 1.0, 1.5, 3.0, 4.0, 6.0]))) == [1, 1, 2, 3, 4, 5, 6]
    v, w = np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 2.0])
    assert weighted_quantile(v, w, 0.5) == 2.0 and weighted_quantile(v, w, 0.95) == 10.0
