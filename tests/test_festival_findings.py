"""The festival's planner-facing findings, labels and warnings, on the bundled Yanguan plans
(the audit: "none found" for plans that turn thousands away, ``visitors`` judged better, a
shelter in a festival's label, extra volunteers at full checkpoints counted silently)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.analysis.findings import findings
from sim.core.catalogue import info
from sim.core.scenario import load_scenario
from sim.kinds.festival.config import idle_at_checkpoints, staffing_warnings
from sim.kinds.festival.review import findings as festival_findings
from sim.present.i18n import use_lang
from sim.run.experiments import run_plan

TIDE = Path(__file__).resolve().parents[1] / "scenarios" / "tide_yanguan.yaml"
REPS = 3


@pytest.fixture(scope="module")
def yanguan() -> Any:
    return load_scenario(TIDE)


@pytest.fixture(scope="module")
def summaries(yanguan: Any) -> dict[str, dict[str, Any]]:
    return {p: run_plan(yanguan, p, REPS).summary() for p in ("reported", "fewer_volunteers")}


def _texts(summary: dict[str, Any]) -> tuple[list[str], list[str]]:
    fs = findings(summary)
    return [f.text for f in fs if f.strength], [f.text for f in fs if not f.strength]


def test_fewer_volunteers_has_its_problems_found(summaries):
    s = summaries["fewer_volunteers"]
    m = s["metrics"]
    assert m["visitors_turned_away"]["mean"] > 1000  # the plan turns thousands away
    strengths, areas = _texts(s)
    away = f"{m['visitors_turned_away']['mean']:,.0f}"
    assert (f"Visitors were turned away at checkpoints on {REPS} of {REPS} simulated days "
            f"(100%): {away} on average per day.") in areas
    assert any(a.startswith(f"Checkpoint H1: the queue reached its queue limit on {REPS} of "
                            f"{REPS} simulated days (longest queue 1,500 people") for a in areas)
    held = m["held_wait_p95_min"]["mean"]
    assert held > 15
    assert (f"Visitors held at full viewing points: 95th-percentile wait at the entrances "
            f"{held:.0f} min (more than 15 min).") in areas
    every = findings(s)
    assert all(f.action for f in every if not f.strength)  # each with an improvement action


def test_unanswered_incidents_are_found_and_no_response_strength_claimed(summaries):
    for s in summaries.values():
        unanswered = s["metrics"]["incidents_unanswered"]["mean"]
        strengths, areas = _texts(s)
        if unanswered > 0:
            assert any(a.startswith("Incidents no team reached by the end of the day: ")
                       for a in areas)
            assert not any(t.startswith("Incidents reached within") for t in strengths)


def test_density_strength_only_when_no_day_went_over(summaries):
    s = summaries["reported"]
    assert s["metrics"]["minutes_density_over_limit"]["mean"] == 0
    assert "No viewing point went over the danger density." in _texts(s)[0]
    # One viewing point over the limit on one day of three: an area, never the strength.
    bad = {**s, "metrics": dict(s["metrics"])}
    name = "minutes_density_over_limit[viewing_point=P5]"
    bad["metrics"][name] = {**s["metrics"][name], "mean": 2.0 / 3}
    strengths, areas = _texts(bad)
    assert "No viewing point went over the danger density." not in strengths
    assert "Viewing point P5 was over the danger density for 0.7 min." in areas


def test_findings_in_chinese(summaries):
    with use_lang("zh"):
        areas = [f.text for f in festival_findings(summaries["fewer_volunteers"])
                 if not f.strength]
    assert any(a.startswith(f"在 {REPS} 个模拟日中有 {REPS} 个（100%）出现检查点劝返游客")
               for a in areas)
    assert any(a.startswith("检查点 高速出口：") for a in areas)  # (H1's name in 中文)


def test_visitors_are_demand_not_judged_and_turned_away_has_a_festival_label():
    assert info("visitors").neutral and info("visitors[checkpoint=H1]").neutral
    assert info("visitors").judge(3286.0) is None
    assert info("visitors_turned_away").judge(2206.0) is False  # more turned away: worse
    assert info("visitors_turned_away").phrase == "visitors turned away at checkpoints"
    assert info("turned_away").phrase == "people turned away (full shelter or checkpoint)"
    with use_lang("zh"):
        assert info("visitors_turned_away").phrase == "检查点劝返游客人数"


def test_staff_beyond_the_lanes_warned_per_checkpoint_and_shift(yanguan):
    reported = yanguan.plan("reported").model.festival
    highway = yanguan.plan("next50_highway").model.festival
    assert idle_at_checkpoints(reported) == [("H1", "day", 30, 28)]
    assert idle_at_checkpoints(highway) == [("H1", "night", 39, 28), ("H1", "day", 42, 28),
                                            ("H1", "evening", 42, 28)]
    assert ("checkpoint H1 (Highway exit), day shift: 42 staff posted but its lanes can use "
            "only 28 (14 lanes × 2 per lane); the other 14 check nobody and do not change the "
            "results") in staffing_warnings(highway)
    villages = yanguan.plan("next50_villages").model.festival
    assert {(c, s) for c, s, _, _ in idle_at_checkpoints(villages)} >= {
        ("V1", "early"), ("V2", "early"), ("V3", "early")}
    with use_lang("zh"):
        assert ("检查点 H1（高速出口），夜班：部署 39 人，但其通道最多只能用 28 人（14 条"
                "通道 × 每条 2 人）；其余 11 人不参与查验，不影响结果") in staffing_warnings(highway)
