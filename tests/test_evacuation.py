"""Evacuation kind: hand-computed oracles on tiny road graphs, conservation, common random
numbers, and bad input reported by field path (exit 2 through the CLI, no traceback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.core.errors import ScenarioError
from sim.core.scenario import Scenario, load_scenario, parse_scenario
from sim.kinds.evacuation.hazard import pregnolato_kmh
from sim.run.experiments import execute
from tests.helpers import (
    YANGNING,
    cli,
    deep_update,
    evac,
    events_of,
    graph,
    one_road,
    one_run,
    write_scenario,
)

# -- oracles ---------------------------------------------------------------------------------

def test_one_road_village_floods_at_the_known_time(tmp_path):
    r = one_run(one_road(tmp_path, 10.0))
    closed = [e for e in r.events if e.event == "road_closed"]
    assert [(e.t_min, e.entity_id) for e in closed] == [(31.0, "road:A-B")]
    # Leaving at 10: 0.10 m of water → walking at 1 − 0.42·0.10/0.35 = 0.88 of 100 m/min.
    assert events_of(r, "h1")[-1] == (pytest.approx(10 + 600 / 88.0), "sheltered", "S")
    assert r.metrics["self_evacuated"] == 2 and r.metrics["stranded"] == 0


def test_leaving_after_the_road_floods_strands_the_household(tmp_path):
    r = one_run(one_road(tmp_path, 35.0))
    assert ("cut_off" in [e for _, e, _ in events_of(r, "h1")])
    assert r.metrics["stranded"] == 2 and r.metrics["stranded[reason=cut_off]"] == 2
    assert r.final_states == {"h1": "cut_off"}
    assert r.metrics["exposed"] == 2  # still at home when the water passed 0.3 m


def detour(tmp_path: Path, from_min: float) -> Scenario:
    # A —500— D —500— B (shelter) and A —750— C —750— B; D–B closes at `from_min`.
    graph(tmp_path / "g.graphml", {"A": 1.0, "D": 1.0, "C": 1.0, "B": 1.0},
          [("A", "D", 500.0), ("D", "B", 500.0), ("A", "C", 750.0), ("C", "B", 750.0)])
    data = evac([{"id": "h1", "node": "A", "members": 1}],
                [{"id": "S", "node": "B", "capacity": 10}],
                evacuation={"hazard": {"update_min": 60,
                                       "closures": [{"road": ["D", "B"], "from_min": from_min}]}})
    return parse_scenario(data, tmp_path)


def test_closure_from_the_start_forces_the_known_detour(tmp_path):
    r = one_run(detour(tmp_path, 0.0))
    assert events_of(r, "h1")[-1] == (15.0, "sheltered", "S")  # 1,500 m at 100 m/min


def test_closure_on_the_way_replans_at_the_next_node(tmp_path):
    # Leaves at 0 by D (10 min); D–B closes at 3; at D (t = 5) the way on is D–A–C–B, 2,000 m.
    ev = events_of(one_run(detour(tmp_path, 3.0)), "h1")
    assert (5.0, "replanned", "D") in ev
    assert ev[-1] == (25.0, "sheltered", "S")


def test_full_shelter_sends_exactly_the_surplus_to_the_next_one(tmp_path):
    # A —100— S1 (room for 3) —1,000— S2: five people arrive at S1 at 1 min, two go on to S2.
    graph(tmp_path / "g.graphml", {"A": 1.0, "N1": 1.0, "N2": 1.0},
          [("A", "N1", 100.0), ("N1", "N2", 1000.0)])
    data = evac([{"id": "h1", "node": "A", "members": 5}],
                [{"id": "S1", "node": "N1", "capacity": 3}, {"id": "S2", "node": "N2",
                                                              "capacity": 10}])
    r = one_run(parse_scenario(data, tmp_path))
    assert events_of(r, "h1") == [(0.0, "self_evacuating", "A"), (1.0, "sheltered", "S1"),
                                  (1.0, "turned_away", "S1"), (11.0, "sheltered", "S2")]
    assert r.metrics["sheltered_at_end[shelter=S1]"] == 3
    assert r.metrics["sheltered_at_end[shelter=S2]"] == 2
    assert r.metrics["turned_away"] == 2
    assert r.series["occupancy[shelter=S2]"][10:12].tolist() == [0, 2]


def test_pregnolato_curve_values():
    assert pregnolato_kmh(np.array([0.0]))[0] == pytest.approx(86.9448)
    assert pregnolato_kmh(np.array([300.0]))[0] == pytest.approx(0.0009 * 9e4 - 0.5529 * 300
                                                                  + 86.9448)


# -- conservation and common random numbers --------------------------------------------------

@pytest.fixture(scope="module")
def yangning() -> Scenario:
    return load_scenario(YANGNING)


def test_every_resident_at_risk_ends_in_exactly_one_category(yangning):
    for plan in yangning.plan_names():
        for r in execute(yangning.plan(plan), range(8), seed=4):
            m = r.metrics
            assert m["at_risk"] == (m["evacuated_by_forces"] + m["self_evacuated"]
                                    + m["refused"] + m["stranded"])
            sheltered = sum(v for k, v in m.items() if k.startswith("sheltered_at_end["))
            assert sheltered == m["evacuated_by_forces"] + m["self_evacuated"]
            assert m["stranded"] == sum(v for k, v in m.items()
                                        if k.startswith("stranded[reason="))
            assert r.curve is not None and np.all(np.diff(r.curve) >= 0)


def test_more_responders_never_make_the_mean_ete_worse(yangning):
    raw = dict(yangning.raw)
    plans = {"few": {"forces": {"grid_worker_pt": {"per_grid": 10}}},
             "more": {"forces": {"grid_worker_pt": {"per_grid": 20}}},
             "most": {"forces": {"grid_worker_pt": {"per_grid": 30}}}}
    s = parse_scenario({**raw, "plans": plans}, yangning.base_dir)
    means = []
    for plan in plans:
        res = execute(s.plan(plan), range(24), seed=11)
        ete = np.array([r.metrics["ete50_min"] for r in res])
        assert np.isfinite(ete).all()
        means.append(ete.mean())
    assert means[0] >= means[1] >= means[2], means


def test_same_seed_same_records(yangning):
    a = execute(yangning.plan(), [0, 1], seed=5)
    b = execute(yangning.plan(), [0, 1], seed=5)
    assert a[0].events == b[0].events and a[1].metrics == b[1].metrics


# -- bad input ------------------------------------------------------------------------------

def _problems(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0}, [("A", "B", 600.0)])
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    return [str(p) for p in exc.value.problems]


BAD = {
    "negative rainfall": ({"evacuation": {"hazard": {"rain": {"hourly_mm": [10, -5]}}}},
                          "evacuation.hazard.rain.hourly_mm[1]: must be ≥ 0 (got -5)"),
    "shelter capacity 0": ({"evacuation": {"shelters": [{"id": "S", "node": "B",
                                                        "capacity": 0}]}},
                           "evacuation.shelters[0].capacity: must be ≥ 1 (got 0)"),
    "household on no node": ({"evacuation": {"population": {"households": [
        {"id": "h1", "node": "Z"}]}}},
        "evacuation.population.households[0].node: not a node of the road network (got 'Z')"),
    "non-monotone vehicle curve": (
        {"evacuation": {"hazard": {"vehicle_curve": [[0, 50], [100, 60], [300, 0]]}}},
        "evacuation.hazard.vehicle_curve: not monotone: speed must not increase with depth"),
    "non-monotone wading curve": (
        {"evacuation": {"hazard": {"wading": [[0, 1.0], [0.3, 1.2]]}}},
        "evacuation.hazard.wading: not monotone"),
    "plan: unknown shelter node": (
        {"plans": {"p": {"evacuation": {"squad_bases": {"militia": "Q"}}}}},
        "plans.p.evacuation.squad_bases.militia: not a node of the road network (got 'Q')"),
    "road closure on no road": (
        {"evacuation": {"hazard": {"closures": [{"road": ["A", "A"]}]}}},
        "evacuation.hazard.closures[0].road: no road between these nodes"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_its_field(tmp_path, case):
    patch, expected = BAD[case]
    base = evac([{"id": "h1", "node": "A"}], [{"id": "S", "node": "B", "capacity": 5}])
    found = _problems(tmp_path, deep_update(base, patch))
    assert any(expected in p for p in found), found


def test_bad_input_through_the_cli_exits_2_without_traceback(tmp_path):
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0}, [("A", "B", 600.0)])
    base = evac([{"id": "h1", "node": "A"}], [{"id": "S", "node": "B", "capacity": 5}])
    bad = deep_update(base, {"evacuation": {
        "hazard": {"rain": {"hourly_mm": [-1]}, "vehicle_curve": [[0, 10], [50, 20]]},
        "shelters": [{"id": "S", "node": "B", "capacity": 0}]}})
    r = cli("validate", str(write_scenario(tmp_path, bad)))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for expected in ("evacuation.hazard.rain.hourly_mm[0]: must be ≥ 0 (got -1)",
                     "evacuation.shelters[0].capacity: must be ≥ 1 (got 0)",
                     "evacuation.hazard.vehicle_curve: not monotone"):
        assert expected in r.stderr, r.stderr
    nowhere = deep_update(base, {"evacuation": {"population": {"households": [
        {"id": "h1", "node": "Z"}]}}})
    r = cli("run", str(write_scenario(tmp_path, nowhere)), "--reps", "1")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "evacuation.population.households[0].node: not a node" in r.stderr
