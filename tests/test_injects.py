"""Injects on tiny graphs: exact delays from closures, outages, held-up and redirected squads."""

from __future__ import annotations

import networkx as nx
import pytest

from sim.core.errors import ScenarioError
from sim.core.scenario import parse_scenario
from sim.run.experiments import plan_inputs, run_plan
from tests.helpers import fixed_muster


def triangle(tmp_path, ac: float = 600.0, ab: float = 900.0, bc: float = 900.0) -> None:
    g = nx.Graph()
    for n, x in (("A", 0.0), ("B", 450.0), ("C", 600.0)):
        g.add_node(n, x=x, y=0.0, elevation_m=5.0)
    g.add_edge("A", "C", length_m=ac, speed_kmh=30)
    g.add_edge("A", "B", length_m=ab, speed_kmh=30)
    g.add_edge("B", "C", length_m=bc, speed_kmh=30)
    nx.write_graphml(g, tmp_path / "line.graphml")


def only_a(**muster) -> dict:
    # One grid head in grid GA at node A; assembly point at C; walking 100 m/min;
    # alert 1 + notice 2 + acknowledge 0.5 + preparation 3 = departs at 6.5.
    return fixed_muster(forces={"grid_head": {"per_grid": 1, "grids": ["GA"]}}, muster=muster)


def events(tmp_path, data) -> dict[tuple[str, str], float]:
    s = parse_scenario(data, tmp_path)
    r = s.kind.simulate(plan_inputs(s.plan()), 0, 1, True)
    return {(e.entity_id, e.event): e.t_min for e in r.events}


HEAD = "GA-grid_head-001"


def test_closing_the_direct_road_before_departure_forces_the_detour(tmp_path):
    triangle(tmp_path)
    assert events(tmp_path, only_a())[(HEAD, "arrived")] == pytest.approx(12.5)
    data = only_a()
    data["injects"] = [{"t_min": 5, "type": "road_closed", "edges": [["A", "C"]]}]
    ev = events(tmp_path, data)
    assert ev[(HEAD, "arrived")] == pytest.approx(6.5 + 18.0)  # A-B-C: 1,800 m
    assert ev[("inject", "road_closed")] == 5


def test_a_road_closing_ahead_means_replanning_at_the_next_node(tmp_path):
    # Direct A-C is 3,000 m, so the route is A-B-C (1,800 m). At B (15.5 min) B-C has been
    # closed since minute 10: back to A and along A-C: 900 + 3,000 m = 39 min more.
    triangle(tmp_path, ac=3000.0)
    data = only_a()
    data["injects"] = [{"t_min": 10, "type": "road_closed", "edges": [["B", "C"]]}]
    assert events(tmp_path, data)[(HEAD, "arrived")] == pytest.approx(15.5 + 39.0)
    # Reopened before they reach B: no detour.
    data["injects"].append({"t_min": 12, "type": "road_reopened", "edges": [["C", "B"]]})
    assert events(tmp_path, data)[(HEAD, "arrived")] == pytest.approx(6.5 + 18.0)


def test_a_road_closing_under_someone_lets_them_finish_it(tmp_path):
    triangle(tmp_path)
    data = only_a()
    data["injects"] = [{"t_min": 8, "type": "road_closed", "edges": [["A", "C"]]}]
    assert events(tmp_path, data)[(HEAD, "arrived")] == pytest.approx(12.5)


def test_cut_off_responders_never_arrive(tmp_path):
    triangle(tmp_path)
    data = only_a()
    data["injects"] = [{"t_min": 0, "type": "road_closed", "edges": [["A", "C"], ["A", "B"]]}]
    s = parse_scenario(data, tmp_path)
    m = s.kind.simulate(plan_inputs(s.plan()), 0, 1, False).metrics
    assert m["mustered_at_end"] == 0 and m["en_route_at_end"] == 1


def test_app_outage_delays_exactly_those_alerted_through_the_app(tmp_path):
    # Half the app messages get through; the group chat reaches some people at minute 3.
    base = fixed_muster(
        forces={"grid_head": {"per_grid": 6}},
        muster={"channels": ["grid_app", "group_chat"],
                "grid_app": {"delivery": 1, "reliability": 0.5},
                "group_chat": {"delivery": 3, "reliability": 0.5}},
    )
    from tests.helpers import line_graphml

    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    s0 = parse_scenario(base, tmp_path)
    r0 = s0.kind.simulate(plan_inputs(s0.plan()), 0, 1, True)
    data = dict(base, injects=[{"t_min": 0, "type": "channel_outage", "channel": "grid_app",
                                "duration_min": 20}])
    s1 = parse_scenario(data, tmp_path)
    r1 = s1.kind.simulate(plan_inputs(s1.plan()), 0, 1, True)

    def received(r):
        return {e.entity_id: (e.t_min, e.location) for e in r.events
                if e.event == "alert_received"}

    before, after = received(r0), received(r1)
    assert set(before) == set(after)
    chat_too = {e.entity_id for e in r1.events
                if e.event == "alert_received" and e.location == "group_chat"}
    changed = 0
    for who, (t, channel) in before.items():
        if channel == "group_chat":
            assert after[who] == (t, channel)
        elif who in chat_too:
            assert after[who] == (3.0, "group_chat")
            changed += 1
        else:
            assert after[who] == (20.0, "grid_app")
            changed += 1
    assert changed > 0 and any(ch == "group_chat" for _, ch in before.values())


def test_squad_held_up_and_redirected(tmp_path):
    triangle(tmp_path)
    data = only_a()
    data["muster"]["assembly_points"].append({"id": "AP2", "node": "B", "desks": 1})
    data["injects"] = [{"t_min": 4, "type": "squad_delayed", "role": "grid_head",
                        "delay_min": 10}]
    ev = events(tmp_path, data)
    assert ev[(HEAD, "departed")] == pytest.approx(16.5)
    assert ev[(HEAD, "arrived")] == pytest.approx(22.5)
    data["injects"] = [{"t_min": 4, "type": "squad_redirected", "role": "grid_head",
                        "to": "AP2"}]
    ev = events(tmp_path, data)
    assert ev[(HEAD, "arrived")] == pytest.approx(6.5 + 9.0)  # A-B 900 m


def test_reinforcements_arrive_ready_and_are_counted(tmp_path):
    triangle(tmp_path)
    data = only_a()
    data["injects"] = [{"t_min": 30, "type": "reinforcement_arrives", "role": "militia",
                        "count": 2, "node": "B", "to": "AP", "note": "Chixi squad"}]
    ev = events(tmp_path, data)
    assert ev[("reinforcement1-militia-001", "departed")] == 30
    assert ev[("reinforcement1-militia-001", "arrived")] == pytest.approx(39.0)
    s = parse_scenario(data, tmp_path)
    run = run_plan(s, None, 2)
    summary = run.summary()
    assert summary["metrics"]["roster"]["mean"] == 3
    assert summary["injects"] == [{"t_min": 30.0, "type": "reinforcement_arrives",
                                   "label": "Chixi squad", "note": "Chixi squad",
                                   "fields": {"role": "militia", "count": 2, "node": "B",
                                              "to": "AP"}}]


def test_inject_problems_have_field_paths(tmp_path):
    triangle(tmp_path)
    data = only_a()
    data["injects"] = [
        {"t_min": 5, "type": "visitor_surge", "factor": 2, "duration_min": 10},
        {"t_min": 5, "type": "road_closed", "edges": [["A", "Z"]]},
        {"t_min": -1, "type": "channel_outage", "channel": "grid_app", "duration_min": 5},
    ]
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    text = str(exc.value)
    assert "injects[2].t_min: must be ≥ 0 (got -1)" in text
    data["injects"] = data["injects"][:2]
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    text = str(exc.value)
    assert "injects[0].type: does not apply to a muster scenario" in text
    data["injects"] = data["injects"][1:]
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data, tmp_path)
    assert "injects[0].edges[0]: no such road in the network (got ['A', 'Z'])" in str(exc.value)
