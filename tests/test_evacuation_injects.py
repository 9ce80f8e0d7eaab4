"""Evacuation injects on tiny graphs (exact detours, overflow, earlier flooding, held-up and
redirected warners, reinforcements) and the review of evacuation logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.analysis.review import read_observed, review
from sim.core.errors import ScenarioError
from sim.core.rng import replication_key
from sim.core.scenario import Scenario, load_scenario, parse_scenario
from sim.kinds.evacuation.model import FloodRun
from sim.run.experiments import plan_inputs, run_plan
from tests.helpers import YANGNING, cli, deep_update, evac, events_of, graph, one_road, one_run

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "scenarios" / "observed" / "yangning_evacuation_arrivals.csv"


def with_injects(s: Scenario, *injects: dict[str, Any]) -> Scenario:
    return parse_scenario({**s.raw, "injects": list(injects)}, s.base_dir)


def detour(tmp_path: Path) -> Scenario:
    # A —500— D —500— B (shelter) and A —750— C —750— B; walking 100 m/min from A at 0.
    graph(tmp_path / "g.graphml", {"A": 1.0, "D": 1.0, "C": 1.0, "B": 1.0},
          [("A", "D", 500.0), ("D", "B", 500.0), ("A", "C", 750.0), ("C", "B", 750.0)])
    return parse_scenario(evac([{"id": "h1", "node": "A", "members": 1}],
                               [{"id": "S", "node": "B", "capacity": 10}],
                               evacuation={"hazard": {"update_min": 60}}), tmp_path)


def test_road_closed_by_inject_gives_the_exact_detour(tmp_path):
    s = detour(tmp_path)
    assert events_of(one_run(s), "h1")[-1] == (10.0, "sheltered", "S")
    closed = {"t_min": 3, "type": "road_closed", "edges": [["B", "D"]], "note": "bridge out"}
    r = one_run(with_injects(s, closed))
    ev = events_of(r, "h1")
    # At D (t = 5) D–B has been closed since 3: back by A and C, 2,000 m more.
    assert (5.0, "replanned", "D") in ev and ev[-1] == (25.0, "sheltered", "S")
    assert [(e.t_min, e.event, e.location) for e in r.events if e.entity_id == "inject"] == [
        (3.0, "road_closed", "bridge out (edges=[('B', 'D')])")]
    assert [(e.t_min, e.entity_id) for e in r.events if e.role == "hazard"] == [
        (3.0, "road:D-B")]
    summary = run_plan(with_injects(s, closed), None, 2).summary()  # marked on the curve plot
    assert summary["injects"] == [{"t_min": 3.0, "type": "road_closed", "label": "bridge out",
                                   "note": "bridge out", "fields": {"edges": [["B", "D"]]}}]
    # Reopened at 4, before they reach D: no detour. Closed from the start: A–C–B at once.
    reopened = {"t_min": 4, "type": "road_reopened", "edges": [["D", "B"]]}
    assert events_of(one_run(with_injects(s, closed, reopened)), "h1")[-1] == (
        10.0, "sheltered", "S")
    assert events_of(one_run(with_injects(s, dict(closed, t_min=0))), "h1")[-1] == (
        15.0, "sheltered", "S")


def two_shelters(tmp_path: Path) -> dict[str, Any]:
    # X —4,900— A —100— N1 (S1) —1,000— N2 (S2): h1 and h2 reach S1 at 1, h3 at 50.
    graph(tmp_path / "g.graphml", {"X": 1.0, "A": 1.0, "N1": 1.0, "N2": 1.0},
          [("X", "A", 4900.0), ("A", "N1", 100.0), ("N1", "N2", 1000.0)])
    return evac([{"id": "h1", "node": "A", "members": 2}, {"id": "h2", "node": "A", "members": 3},
                 {"id": "h3", "node": "X", "members": 4}],
                [{"id": "S1", "node": "N1", "capacity": 100},
                 {"id": "S2", "node": "N2", "capacity": 100}])


def test_shelter_full_sends_exactly_the_later_arrivals_to_the_next_shelter(tmp_path):
    data = two_shelters(tmp_path)
    data["injects"] = [{"t_min": 40, "type": "shelter_full", "shelter": "S1"}]
    r = one_run(parse_scenario(data, tmp_path))
    assert events_of(r, "h1")[-1] == (1.0, "sheltered", "S1")
    assert events_of(r, "h2")[-1] == (1.0, "sheltered", "S1")
    assert events_of(r, "h3")[-2:] == [(50.0, "turned_away", "S1"), (60.0, "sheltered", "S2")]
    assert r.metrics["sheltered_at_end[shelter=S1]"] == 5
    assert r.metrics["sheltered_at_end[shelter=S2]"] == 4 and r.metrics["turned_away"] == 4


def test_shelter_lost_reroutes_those_on_the_way_and_keeps_those_inside(tmp_path):
    data = two_shelters(tmp_path)
    data["injects"] = [{"t_min": 40, "type": "shelter_lost", "shelter": "S1"}]
    r = one_run(parse_scenario(data, tmp_path))
    # h3 is on X–A at 40 (a 49-minute road): at A (49) it re-plans to S2, 1,100 m on.
    assert events_of(r, "h3")[-2:] == [(49.0, "replanned", "A"), (60.0, "sheltered", "S2")]
    assert r.metrics["sheltered_at_end[shelter=S1]"] == 5
    assert events_of(r, "shelter:S1") == [(40.0, "shelter_lost", "5 people inside stay")]


def test_extra_rainfall_closes_the_road_earlier(tmp_path):
    # 60 mm/h raises the water at A by 1 cm a minute: the road closes at 31 (0.305 m limit).
    # Another 60 mm over the first hour doubles that: 2 cm a minute, closed at 16.
    s = one_road(tmp_path, 100.0)
    def closed(r: Any) -> list[float]:
        return [e.t_min for e in r.events if e.event == "road_closed" and e.entity_id != "inject"]
    assert closed(one_run(s)) == [31.0]
    wet = with_injects(s, {"t_min": 0, "type": "extra_rainfall", "mm": 60, "duration_min": 60})
    assert closed(one_run(wet)) == [16.0]


def warned(tmp_path: Path, injects: list[dict[str, Any]]) -> dict[str, list[tuple]]:
    # One grid head (grid G, centre A) on duty at 5 knocks on h1 at A; grid G2 (centre B) has
    # h2 and nobody to warn it. Knock and preparation take no time; everyone complies.
    graph(tmp_path / "g.graphml", {"A": 1.0, "B": 1.0, "C": 9.0},
          [("A", "B", 1000.0), ("B", "C", 1000.0)])
    data = deep_update(evac([{"id": "h1", "node": "A", "grid": "G"},
                             {"id": "h2", "node": "B", "grid": "G2"}],
                            [{"id": "S", "node": "C", "capacity": 50}]), {
        "forces": {"grid_head": {"per_grid": 1, "grids": ["G"]}},
        "evacuation": {"population": {"self_evacuation_share": 0, "compliance": 1,
                                      "knock": 0, "preparation": 0},
                       "roles": {"grid_head": {"duty": "warn", "availability": 1, "turnout": 5,
                                               "walk_kmh": 6}},
                       "detour_factor": 1.0}})
    data["grids"] = [{"id": "G", "node": "A", "residents": 3},
                     {"id": "G2", "node": "B", "residents": 3}]
    data["injects"] = injects
    r = one_run(parse_scenario(data, tmp_path))
    return {h: [(t, e) for t, e, _ in events_of(r, h) if e == "warned"] for h in ("h1", "h2")}


def test_held_up_redirected_and_reinforcing_warners(tmp_path):
    assert warned(tmp_path, []) == {"h1": [(5.0, "warned")], "h2": []}
    delay = {"t_min": 2, "type": "squad_delayed", "role": "grid_head", "delay_min": 10}
    assert warned(tmp_path, [delay])["h1"] == [(15.0, "warned")]
    assert warned(tmp_path, [dict(delay, t_min=6)])["h1"] == [(5.0, "warned")]  # already out
    assert warned(tmp_path, [dict(delay, grid="G2")])["h1"] == [(5.0, "warned")]
    # Sent to grid G2: from its centre B, knocking h2 there at once (h1 is never warned).
    moved = warned(tmp_path, [{"t_min": 0, "type": "squad_redirected", "role": "grid_head",
                               "to": "G2"}])
    assert moved == {"h1": [], "h2": [(5.0, "warned")]}
    # A grid worker arrives at A at 30 for grid G2: 100 m (straight, doors are 100 m apart)
    # at the default 4.5 km/h (75 m/min) to h2.
    more = warned(tmp_path, [{"t_min": 30, "type": "reinforcement_arrives",
                              "role": "grid_worker_pt", "count": 1, "node": "A", "to": "G2"}])
    assert more["h2"] == [(pytest.approx(30 + 100 / 75), "warned")]


PATHS = [
    ({"t_min": 1, "type": "channel_outage", "channel": "grid_app", "duration_min": 5},
     "injects[0].type: does not apply to an evacuation scenario"),
    ({"t_min": 1, "type": "visitor_surge", "factor": 2, "duration_min": 5},
     "injects[0].type: does not apply to an evacuation scenario"),
    ({"t_min": 1, "type": "shelter_full", "shelter": "S9"},
     "injects[0].shelter: not a shelter id (got 'S9')"),
    ({"t_min": 1, "type": "road_closed", "edges": [["A", "B"], ["A", "Q"]]},
     "injects[0].edges[1]: no such road in the network (got ['A', 'Q'])"),
    ({"t_min": 1, "type": "squad_redirected", "role": "militia", "to": "nowhere"},
     "injects[0].to: not a grid, shelter or node id (got 'nowhere')"),
    ({"t_min": 1, "type": "reinforcement_arrives", "role": "info_officer", "count": 2,
      "node": "Z"}, "injects[0].node: not a node of the road network (got 'Z')"),
    ({"t_min": 1, "type": "reinforcement_arrives", "role": "info_officer", "count": 2,
      "node": "A"}, "injects[0].role: this role has no evacuation duty"),
    ({"t_min": 1, "type": "squad_delayed", "role": "militia", "grid": "G7", "delay_min": 5},
     "injects[0].grid: no grid with this id (got 'G7')"),
]


@pytest.mark.parametrize("inject,expected", PATHS)
def test_inject_problems_have_field_paths(tmp_path, inject, expected):
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0}, [("A", "B", 600.0)])
    data = evac([{"id": "h1", "node": "A"}], [{"id": "S", "node": "B", "capacity": 5}])
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(dict(data, injects=[inject]), tmp_path)
    assert any(expected in str(p) for p in exc.value.problems), exc.value.problems


# -- review of evacuation logs ------------------------------------------------------------

@pytest.fixture(scope="module")
def yangning() -> Scenario:
    return load_scenario(YANGNING)


def log_from_model(s: Scenario, seed: int, shift: float = 0.0) -> str:
    """One row per household arrival at a shelter, from one replication of the model."""
    inp = plan_inputs(s.plan("baseline"))
    run = FloodRun(inp, replication_key(seed, 0), False)
    run.start()
    run.env.run(until=inp.params.horizon_min)
    rows = [f"{t + shift:.2f},{n},{inp.households[h].id},{inp.shelter_ids[k]}"
            for t, k, h, n in sorted(run.arrivals)]
    return "t_min,people,household_id,shelter\n" + "\n".join(rows) + "\n"


def test_a_model_made_log_is_inside_the_band_and_a_late_one_is_flagged(yangning):
    # The bundled log was made by the model (seed 2022): it should look like a replication.
    assert LOG.read_text(encoding="utf-8") == log_from_model(yangning, 2022)
    log = read_observed(yangning, LOG.read_text(encoding="utf-8"), LOG.name)
    out, run = review(yangning, "baseline", log, replications=20)
    m = out["metrics"]
    for name in ("evacuated_30min", "evacuated_60min", "frac_at_risk_sheltered_60min", "arrived50_min",
                 "sheltered_at_end[shelter=village_committee]"):
        assert m[name]["inside_band"], (name, m[name])
    assert out["ks"]["p_value"] > 0.05 and "weighted by people" in out["ks"]["sample"]
    # The weights are people: pooled, they add up to everyone sheltered.
    sim_t, sim_w = yangning.kind.review.simulated_sample(run)
    sheltered = run.values("evacuated_by_forces") + run.values("self_evacuated")
    assert sim_w.sum() == sheltered.sum() and sim_t.size == sim_w.size
    late = read_observed(yangning, log_from_model(yangning, 7, shift=30.0))
    out = review(yangning, "baseline", late, replications=20)[0]
    assert not out["consistent"] and out["ks"]["p_value"] < 1e-6
    assert out["outside_band"] and out["outside_band"][0]["side"] == "below"
    assert not out["metrics"]["evacuated_60min"]["inside_band"]


def test_bad_rows_are_line_numbered_and_skippable(yangning, tmp_path):
    with pytest.raises(ScenarioError, match=r"missing column\(s\) \['people'\]"):
        read_observed(yangning, "t_min,household_id\n3,h1\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("t_min,people\n12,3\nsoon,2\n-4,2\n20,0\n25,2\n")
    r = cli("review", str(YANGNING), "--observed", str(bad), "--reps", "3")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for expected in ("bad.csv: line 3, column t_min: not a number (got 'soon')",
                     "bad.csv: line 4, column t_min: negative time",
                     "bad.csv: line 5, column people: must be a whole number ≥ 1"):
        assert expected in r.stderr, r.stderr
    r = cli("review", str(YANGNING), "--observed", str(bad), "--reps", "3", "--skip-bad-rows",
            "--out", str(tmp_path / "skip"))
    assert r.returncode == 0, r.stderr
    assert "skipped: bad.csv: line 3" in r.stdout and "evacuated_60min" in r.stdout
    assert "Kolmogorov" in r.stdout and (tmp_path / "skip" / "review.png").exists()
