"""Replay helpers for the evacuation and festival kinds, on tiny cases computable by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.replay import build_replay
from sim.analysis.replay_kinds import (
    CLOSED_ON_FOOT,
    SLOW,
    crowd_at,
    replay_of_run,
    road_colors,
    series_at,
)
from sim.core.scenario import Scenario, parse_scenario
from sim.kinds.festival.present import density_lines_figure
from sim.present.tables import fmt
from sim.run.experiments import run_plan
from tests.helpers import evac, graph


def one_road(tmp_path: Path, leave_at: float) -> Scenario:
    # A (0 m) —600 m— B (10 m, shelter S); the water at A rises 1 cm a minute: the road is wet
    # from minute 1 and closes on foot above 0.305 m (minute 31). Nodes drawn 100 m apart.
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0}, [("A", "B", 600.0)])
    data = evac([{"id": "h1", "node": "A", "members": 2}],
                [{"id": "S", "node": "B", "capacity": 10}],
                evacuation={"hazard": {"rain": {"hourly_mm": [60] * 5}, "walk_limit_m": 0.305,
                                       "vehicle_limit_m": 0.5},
                            "population": {"self_evacuation_delay": leave_at}})
    return parse_scenario(data, tmp_path)


def replay(s: Scenario):
    return replay_of_run(run_plan(s, None, 1), s.network(), s.places())


def where(rp, minute: float) -> tuple[str, int]:
    row = rp.people.at(minute).set_index("entity_id").loc["h1"]
    return row["state"], int(row["node"])


def test_evacuation_household_moves_to_the_shelter_at_the_known_times(tmp_path):
    rp = replay(one_road(tmp_path, 10.0))
    a, b = (rp.network.index[n] for n in "AB")
    # Leaves at 10, walks 600 m at 0.88 × 100 m/min: sheltered at 16.8.
    assert where(rp, 5) == ("not warned", a)
    assert where(rp, 12) == ("moving", a)  # 2/6.8 of the way: nearer A
    assert where(rp, 16) == ("moving", b)  # 6/6.8 of the way: nearer B
    assert where(rp, 20) == ("sheltered", b)
    counts = rp.people.counts(20).set_index("state")
    assert counts.loc["sheltered", "number"] == 1 and counts.loc["sheltered", "who"] == "households"
    assert rp.end_min == 120


def test_evacuation_roads_at_a_minute(tmp_path):
    rp = replay(one_road(tmp_path, 10.0))
    assert rp.roads(0).empty  # dry at the start
    wet = rp.roads(20)
    assert list(wet["state"]) == [SLOW]  # 0.2 m: open, wading
    shut = rp.roads(40)
    assert list(shut["state"]) == [CLOSED_ON_FOOT]  # 0.4 m > 0.305 m
    assert set(road_colors(shut)) == {tuple(shut[["a", "b"]].iloc[0])}


def test_evacuation_household_cut_off_is_stranded_where_it_is(tmp_path):
    rp = replay(one_road(tmp_path, 35.0))  # leaves after the road closed at 31
    a = rp.network.index["A"]
    assert where(rp, 20) == ("not warned", a)
    assert where(rp, 40) == ("stranded", a)


def test_entities_without_events_are_counted_at_their_node(tmp_path):
    s = one_road(tmp_path, 10.0)
    ev = pd.DataFrame({"replication": [0], "t_min": [5.0], "entity_id": ["h1"],
                       "role": ["household"], "grid": ["G"], "event": ["warned"],
                       "location": ["A"]})
    quiet = pd.DataFrame({"entity_id": ["h2"], "role": ["household"], "grid": ["G"],
                          "node": ["B"]})
    rp = build_replay(ev, "evacuation", s.network(), s.places(), entities=quiet)
    now = rp.at(10).set_index("entity_id")
    assert now.loc["h1", "state"] == "warned"
    assert now.loc["h2", "state"] == "not warned"
    assert now.loc["h2", "node"] == s.network().index["B"]
    assert now.loc["h2", "role"] == "household"


def test_a_replanned_move_starts_from_where_it_replanned(tmp_path):
    graph(tmp_path / "g.graphml", dict.fromkeys("ABCD", 1.0),
          [("A", "B", 100.0), ("B", "C", 100.0), ("C", "D", 100.0)])
    s = parse_scenario(evac([{"id": "h1", "node": "A", "members": 1}],
                            [{"id": "S", "node": "D", "capacity": 10}]), tmp_path)
    ev = pd.DataFrame({"replication": 0, "t_min": [0.0, 6.0, 10.0], "entity_id": "h1",
                       "role": "household", "grid": "G",
                       "event": ["departed", "replanned", "sheltered"],
                       "location": ["A", "B", "S"]})
    rp = build_replay(ev, "evacuation", s.network(), s.places())
    idx = s.network().index
    node = lambda m: int(rp.at(m).set_index("entity_id").loc["h1", "node"])  # noqa: E731
    assert node(3) == idx["B"]  # x = 0 + 300 × 3/10 = 90 m
    assert node(8) == idx["C"]  # from B at 6: x = 100 + 200 × 2/4 = 200 m
    assert node(11) == idx["D"]


def test_series_at_takes_the_last_record_at_or_before_the_minute():
    series = {"a": [1.0, 2.0, 3.0]}
    assert series_at(series, [0, 5, 10], 7) == {"a": 2.0}
    assert series_at(series, [0, 5, 10], 10) == {"a": 3.0}
    assert series_at(series, [0, 5, 10], 99) == {"a": 3.0}
    assert series_at(series, [0, 5, 10], -1) == {"a": 1.0}


def test_crowd_at_a_minute():
    t = [0.0, 5.0, 10.0]
    series = {"queue[checkpoint=H1]": [0, 10, 20], "density[viewing_point=P1]": [1.0, 5.0, 2.0],
              "los[viewing_point=P1]": [1, 6, 4], "density_limit_ppm2": [4.0, 4.0, 4.0]}
    crowd = crowd_at(series, t, 7, {"P1": 100.0}).set_index("place")
    assert crowd.loc["H1", "people"] == 10 and crowd.loc["H1", "type"] == "checkpoint"
    assert crowd.loc["P1", "people"] == 500 and crowd.loc["P1", "density_ppm2"] == 5.0
    assert crowd.loc["P1", "los"] == "F" and bool(crowd.loc["P1", "over_limit"])
    later = crowd_at(series, t, 10).set_index("place")
    assert later.loc["P1", "los"] == "D" and not later.loc["P1", "over_limit"]
    assert math.isnan(later.loc["P1", "people"])  # no areas given


def _summary(plan: str, metrics: dict[str, float], series=None) -> dict:
    return {"plan": plan, "scenario": "s", "series": series or {},
            "metrics": {m: {"mean": v} for m, v in metrics.items()}}


def test_level_of_service_reads_as_its_letter():
    assert fmt(6.0, "worst_los") == "F" and fmt(4.2, "worst_los") == "D"
    assert fmt(1.0, "worst_los") == "A"


def test_density_lines_draw_the_danger_limit():
    t = [0.0, 60.0, 120.0]
    band = {"t_min": t, "mean": [1.0, 3.0, 2.0], "p5": [0.5, 2.0, 1.0], "p95": [2.0, 4.5, 3.0]}
    s = _summary("A", {}, {"density[viewing_point=P1]": band,
                           "density_limit_ppm2": {"t_min": t, "mean": [3.5] * 3}})
    fig = density_lines_figure([s])
    assert fig is not None
    ys = [np.asarray(line.get_ydata()) for line in fig.axes[0].get_lines()]
    assert any(np.allclose(y, 3.5) for y in ys)
    assert density_lines_figure([_summary("A", {})]) is None


@pytest.mark.parametrize("minute", [0, 30])
def test_muster_replay_of_run_has_no_roads_or_crowd(tmp_path, minute):
    from tests.helpers import build, fixed_muster

    s = build(tmp_path, fixed_muster())
    rp = replay_of_run(run_plan(s, None, 1), s.network(), s.places())
    assert rp.roads(minute).empty and rp.crowd(minute).empty
    assert rp.people.counts(minute)["people"].sum() > 0
