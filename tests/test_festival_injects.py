"""Festival injects (lane closures, surges, walkways) with exact oracles, and festival review."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.analysis.review import read_observed, review
from sim.core.errors import ScenarioError
from sim.core.rng import replication_key
from sim.core.scenario import load_scenario, parse_scenario
from sim.kinds.festival.demand import draw_groups
from sim.kinds.festival.present import queue_figure
from sim.kinds.festival.review import sampled_log
from sim.run.experiments import execute, plan_inputs, run_plan
from tests.festival_helpers import small_festival
from tests.helpers import ROOT, build, cli, deep_update, line_graphml, write_scenario

# One lane, one visitor a minute at 0, 1, 2, ..., 0.5 min each (the roster test's set-up).
ONE_LANE = {"modes": {"road": {"arrivals": "regular",
                               "profile": [{"at": "05:00", "per_hour": 60}]}},
            "check_types": {"scan": {"per_person": 0.5}},
            "checkpoints": {"X": {"lanes": 1, "roster": {"all": {"staff": {"volunteer": 1}}}}}}


def with_injects(festival: dict, injects: list[dict]) -> dict:
    return dict(small_festival(festival=festival), injects=injects)


def test_closing_the_only_lane_for_ten_minutes_gives_the_exact_backlog(tmp_path):
    data = with_injects(ONE_LANE, [{"t_min": 60, "type": "checkpoint_lane_closed",
                                    "checkpoint": "X", "lanes": 1, "duration_min": 10}])
    r = execute(build(tmp_path, data).plan(), [0], seed=1)[0]
    expected = np.zeros(181)  # queue at whole minutes 0..180
    expected[60:70] = np.arange(1, 11)  # arrivals 60..t wait
    expected[70:81] = np.arange(10, -1, -1)  # two served per minute, one arrives
    assert np.array_equal(r.series["queue[checkpoint=X]"], expected)
    assert r.metrics["max_queue[checkpoint=X]"] == 10
    # Waits of the visitors arriving at 60+j: 10 - j/2 for j = 0..20; everyone else 0.
    assert r.metrics["wait_mean_min"] == pytest.approx(105 / 180)
    starts = [e.t_min for e in r.events if e.event == "check_start"
              and e.entity_id == "road-000060"]
    assert starts == [70.0]
    inj = [e for e in r.events if e.entity_id == "inject"]
    assert [(e.t_min, e.event, e.location) for e in inj] == [
        (60.0, "checkpoint_lane_closed", "checkpoint=X, lanes=1, duration_min=10.0")]


def test_closing_one_of_two_lanes_equals_the_same_gap_in_the_roster(tmp_path):
    # Two lanes, 1.5 min a visitor, one a minute: one lane alone cannot keep up (a backlog
    # builds from 60 to 70 and clears after). The inject must act exactly like a roster that
    # opens one lane fewer from 06:00 to 06:10.
    fest = deep_update(ONE_LANE, {"check_types": {"scan": {"per_person": 1.5}},
                                  "checkpoints": {"X": {"lanes": 2, "roster": {
                                      "all": {"staff": {"volunteer": 2}}}}}})
    inject = with_injects(fest, [{"t_min": 60, "type": "checkpoint_lane_closed",
                                  "checkpoint": "X", "lanes": 1, "duration_min": 10}])
    roster = small_festival(festival=deep_update(fest, {"checkpoints": {"X": {"roster": {
        "all": {"staff": {"volunteer": 1}},
        "a": {"start": "05:00", "end": "06:00", "staff": {"volunteer": 1}},
        "b": {"start": "06:10", "end": "08:00", "staff": {"volunteer": 1}}}}}}))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    r1 = execute(build(tmp_path / "a", inject).plan(), [0], seed=1)[0]
    r2 = execute(build(tmp_path / "b", roster).plan(), [0], seed=1)[0]
    q = r1.series["queue[checkpoint=X]"]
    assert np.array_equal(q, r2.series["queue[checkpoint=X]"])
    assert q[:61].max() == 0 and q.max() >= 3 and q[-1] == 0
    assert r1.metrics["wait_mean_min"] == r2.metrics["wait_mean_min"]


def _groups(s, seed: int = 5):
    inp = plan_inputs(s.plan())
    return draw_groups(inp.params, replication_key(seed, 0), inp.cp_ids, inp.view_weights,
                       inp.story.surges)


def test_a_regular_surge_multiplies_arrivals_exactly_in_its_window(tmp_path):
    surge = [{"t_min": 30, "type": "visitor_surge", "factor": 3, "duration_min": 20}]
    g = _groups(build(tmp_path, with_injects(ONE_LANE, surge)))
    inside = (g.arrival >= 30) & (g.arrival < 50)
    assert inside.sum() == 60  # 20 a minute × 3
    assert (~inside).sum() == 180 - 20  # one a minute elsewhere
    slow = [{"t_min": 30, "type": "visitor_surge", "factor": 0.5, "duration_min": 20}]
    g = _groups(build(tmp_path, with_injects(ONE_LANE, slow)))
    assert ((g.arrival >= 30) & (g.arrival < 50)).sum() == 10


def test_a_poisson_surge_of_one_mode_keeps_every_other_visitor(tmp_path):
    two = {"modes": {"rail": {"checkpoints": {"X": 1}, "group_size": 1,
                              "profile": [{"at": "05:00", "per_hour": 600}]}}}
    plain = build(tmp_path, small_festival(festival=two))
    surge = [{"t_min": 60, "type": "visitor_surge", "factor": 2, "duration_min": 60,
              "mode": "rail"}]
    surged = build(tmp_path, with_injects(two, surge))
    counts = []
    for seed in range(5):
        a, b = _groups(plain, seed), _groups(surged, seed)
        ids_a = dict(zip(a.ids, a.arrival, strict=True))
        ids_b = dict(zip(b.ids, b.arrival, strict=True))
        assert all(ids_b[i] == t for i, t in ids_a.items())  # everyone else unchanged
        extra = [i for i in ids_b if i not in ids_a]
        assert all(i.startswith("rail-x") and 60 <= ids_b[i] < 120 for i in extra)
        counts.append(sum(1 for i in ids_b if i.startswith("rail") and 60 <= ids_b[i] < 120))
    # Each count is Poisson with mean 2 × 10/min × 60 = 1,200; five sum to Poisson(6,000),
    # s.d. 77: ±300 is about four standard deviations.
    assert abs(sum(counts) - 6000) < 300


def test_walkway_closures_reroute_teams_and_visitors(tmp_path):
    # Triangle A-C 600 m, A-B-C 1,800 m. Checkpoint X at A, viewing points P1 at B, P2 at C.
    g = nx.Graph()
    for n, x in (("A", 0.0), ("B", 450.0), ("C", 600.0)):
        g.add_node(n, x=x, y=0.0, elevation_m=5.0)
    for a, b, m in (("A", "C", 600.0), ("A", "B", 900.0), ("B", "C", 900.0)):
        g.add_edge(a, b, length_m=m, speed_kmh=30)
    nx.write_graphml(g, tmp_path / "line.graphml")
    fest = {"teams": {"medics": {"count": 1, "members": {"medical": 1}, "bases": ["C"],
                                 "speed_kmh": 6}},
            "incidents": {"doc": {"where": "checkpoints", "per_hour": 30, "teams": ["medics"],
                                  "handle": 1}},
            "viewing_points": {"P1": {"weight": 0}}}

    def first_response(injects):
        s = parse_scenario(with_injects(fest, injects), tmp_path)
        ev = s.kind.simulate(plan_inputs(s.plan()), 0, 1, True).events
        t: dict[tuple[str, str], float] = {}
        for e in ev:
            t.setdefault((e.entity_id, e.event), e.t_min)  # the first of each
        walk = {round(t[(e.entity_id, "entered")] - t[(e.entity_id, "check_end")], 6)
                for e in ev if e.event == "entered"}
        return t[("medics-01", "on_scene")] - t[("incident-00000", "reported")], walk

    closed = [{"t_min": 0, "type": "road_closed", "edges": [["A", "C"]]}]
    assert first_response([]) == (pytest.approx(6.0), {10.0})  # 600 m: 6 and 10 min
    assert first_response(closed) == (pytest.approx(18.0), {30.0})  # 1,800 m detour
    # Cut off entirely until minute 40: the incident is answered once the walkway reopens.
    cut = [{"t_min": 0, "type": "road_closed", "edges": [["A", "C"], ["A", "B"]]},
           {"t_min": 40, "type": "road_reopened", "edges": [["A", "C"]]}]
    s = parse_scenario(with_injects(fest, cut), tmp_path)
    ev = s.kind.simulate(plan_inputs(s.plan()), 0, 1, True).events
    on_scene = min(e.t_min for e in ev if e.event == "on_scene")
    assert on_scene == pytest.approx(46.0)


def test_a_cut_off_viewing_point_sends_visitors_to_the_nearest_reachable(tmp_path):
    data = with_injects({"viewing_points": {"P1": {"weight": 0}}},
                        [{"t_min": 0, "type": "road_closed", "edges": [["B", "C"]]}])
    s = build(tmp_path, data)  # line A-B-C: P2 at C is cut off, P1 at B is 10 min away
    ev = s.kind.simulate(plan_inputs(s.plan()), 0, 1, True).events
    assert {e.location for e in ev if e.event == "entered"} == {"P1"}


def test_injects_in_summaries_and_on_the_queue_plot(tmp_path):
    data = with_injects(ONE_LANE, [{"t_min": 90, "type": "checkpoint_lane_closed",
                                    "checkpoint": "X", "lanes": 1, "duration_min": 5,
                                    "note": "lane 1 scanner down"}])
    summary = run_plan(build(tmp_path, data), None, 2).summary()
    assert summary["injects"] == [{"t_min": 90.0, "type": "checkpoint_lane_closed",
                                   "label": "lane 1 scanner down", "note": "lane 1 scanner down",
                                   "fields": {"checkpoint": "X", "lanes": 1,
                                              "duration_min": 5.0}}]
    fig = queue_figure([summary])
    ax = fig.axes[0]
    assert any(list(line.get_xdata()) == [1.5, 1.5] for line in ax.lines)  # hours
    assert [t.get_text() for t in ax.texts] == ["1"]  # numbered on the panel, named below it
    assert any(t.get_text() == "1  lane 1 scanner down" for t in fig.texts)


def test_inject_labels_and_the_legend_of_the_queue_panels_lie_over_no_panel():
    """Yanguan's drill has four injects, their labels as long as half a panel: written beside
    each line they ran over the next panel and the legend over the first; now each panel
    numbers them and the plans' legend and the numbered injects sit below every panel."""
    s = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    summaries = [run_plan(s, p, 1, seed=1).summary() for p in ("reported", "drill")]
    fig = queue_figure(summaries)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 5
    boxes = [ax.get_window_extent(renderer) for ax in panels]
    for ax, box in zip(panels, boxes, strict=True):
        assert {t.get_text() for t in ax.texts} == {"1", "2", "3", "4"}
        for t in ax.texts:
            tb = t.get_window_extent(renderer)
            others = [b for b in boxes if b is not box]
            assert not any(tb.overlaps(b) for b in others), t.get_text()
    lowest = min(b.y0 for b in boxes)
    legend = fig.legends[0].get_window_extent(renderer)
    key = next(t for t in fig.texts if t.get_text().startswith("1  "))
    assert legend.y1 < lowest and key.get_window_extent(renderer).y1 < legend.y0 + 1
    assert key.get_text().count("\n") == 3  # four injects, one line each


def test_inject_problems_have_field_paths(tmp_path):
    data = with_injects({}, [
        {"t_min": 5, "type": "channel_outage", "channel": "grid_app", "duration_min": 5},
        {"t_min": 5, "type": "checkpoint_lane_closed", "checkpoint": "Z", "lanes": 1,
         "duration_min": 5}])
    data["plans"] = {"drill": {"injects": [{"t_min": 1, "type": "shelter_full",
                                            "shelter": "S"}]}}
    with pytest.raises(ScenarioError) as exc:
        build(tmp_path, data)
    text = str(exc.value)
    assert "injects[0].type: does not apply to a festival scenario" in text
    assert "plans.drill.injects[0].type: does not apply to a festival scenario" in text
    data = with_injects({}, [
        {"t_min": 5, "type": "visitor_surge", "factor": 2, "duration_min": 5, "mode": "boat"},
        {"t_min": 5, "type": "checkpoint_lane_closed", "checkpoint": "Z", "lanes": 1,
         "duration_min": 5},
        {"t_min": 5, "type": "checkpoint_lane_closed", "checkpoint": "X", "lanes": 4,
         "duration_min": 5},
        {"t_min": 500, "type": "road_closed", "edges": [["A", "C"]]}])
    with pytest.raises(ScenarioError) as exc:
        build(tmp_path, data)
    msgs = [str(p) for p in exc.value.problems]
    assert "injects[0].mode: not a mode (road) (got 'boat')" in msgs
    assert "injects[1].checkpoint: not a checkpoint id (got 'Z')" in msgs
    assert "injects[2].lanes: more than the checkpoint's 3 physical lanes (got 4)" in msgs
    assert "injects[3].edges[0]: no such walkway in the network (got ['A', 'C'])" in msgs
    assert any(m.startswith("injects[3].t_min: after the end of the day") for m in msgs)


# --- review ----------------------------------------------------------------------------------

def model_log(s, seed: int, rows: int = 300, inflate: float = 1.0, add: float = 0.0) -> str:
    """A random sample of the checked groups of one simulated day, as a festival log."""
    return sampled_log(plan_inputs(s.plan()), seed, rows, inflate, add)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build(tmp_path_factory.mktemp("review"), small_festival())


def test_a_log_made_by_the_model_lands_inside_the_band(small):
    # The sample's percentiles are draws from nearly the distribution of the band's (a sample
    # of 300 adds a little noise), so each lands inside 5–95 % with probability ≈ 0.9; the seed
    # is fixed, so the test is deterministic. The KS p-value is not asserted: the waits of one
    # day are correlated (one queue), so a single day can differ from the pooled days by more
    # than iid sampling would (README).
    out, _ = review(small, None, read_observed(small, model_log(small, seed=99)), 20)
    for name in ("wait_p50_min", "wait_p95_min", "wait_p95_min[checkpoint=X]"):
        assert out["metrics"][name]["inside_band"], (name, out["metrics"][name])
    assert 0 < out["metrics"]["wait_p95_min"]["percentile"] < 100


def test_a_log_with_inflated_waits_is_flagged(small):
    log = read_observed(small, model_log(small, seed=99, inflate=1.5, add=1.0))
    out, _ = review(small, None, log, 20)
    assert not out["consistent"] and out["ks"]["p_value"] < 1e-6
    assert not out["metrics"]["wait_p50_min"]["inside_band"]
    assert out["metrics"]["wait_p95_min"]["percentile"] == 100


def test_bad_rows_are_reported_with_line_and_column(small):
    text = ("t_min,checkpoint,wait_min\n5,X,0.5\nsoon,X,1\n7,X,-2\n8,Q,1\n9,X,0\n")
    with pytest.raises(ScenarioError) as exc:
        read_observed(small, text, "day.csv")
    msgs = [str(p) for p in exc.value.problems]
    assert "day.csv: line 3, column t_min: not a number (got 'soon')" in msgs
    assert any(m.startswith("day.csv: line 4, column wait_min: negative") for m in msgs)
    assert any(m.startswith("day.csv: line 5, column checkpoint: unknown value; expected "
                            "one of ['X']") for m in msgs)
    log = read_observed(small, text, "day.csv", skip_bad_rows=True)
    assert list(log.column("wait_min")) == [0.5, 0.0] and len(log.skipped) == 3
    with pytest.raises(ScenarioError, match="missing column"):
        read_observed(small, "t_min,checkpoint\n1,X\n")


def test_review_cli(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    path = write_scenario(tmp_path, small_festival())
    bad = tmp_path / "bad.csv"
    bad.write_text("t_min,checkpoint,wait_min\n3,X,0.2\nx,X,1\n4,X,-1\n5,X,0.4\n")
    r = cli("review", str(path), "--observed", str(bad), "--reps", "2")
    assert r.returncode == 2 and "line 3, column t_min" in r.stderr
    assert "line 4, column wait_min" in r.stderr and "Traceback" not in r.stderr
    r = cli("review", str(path), "--observed", str(bad), "--reps", "3", "--skip-bad-rows",
            "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert "skipped: bad.csv: line 3" in r.stdout and "wait_p95_min" in r.stdout
    assert "checkpoint wait" in " ".join(r.stdout.split())  # the metric's name, not only its key
    assert "Kolmogorov" in r.stdout and (tmp_path / "out" / "review.json").exists()


def test_bundled_drill_plan_and_synthetic_log_load():
    s = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    assert [i.type for i in s.plan("drill").model.injects] == [
        "visitor_surge", "checkpoint_lane_closed", "road_closed", "road_reopened"]
    assert s.plan("reported").model.injects == []
    log = read_observed(s, (ROOT / "scenarios" / "observed" / "yanguan_checkpoint_waits.csv")
                        .read_text(encoding="utf-8"))
    assert log.rows_read == 400 and not log.skipped
    assert set(log.column("checkpoint")) == {"H1", "R1", "V1", "V2", "V3"}
