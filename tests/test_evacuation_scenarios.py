"""The bundled rainstorm scenarios: the Yangning calibration check and both files end to end
through the generic CLI (few replications)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.core.scenario import load_scenario
from sim.kinds.evacuation.present import flood_map
from sim.run.experiments import plan_inputs, run_plan
from tests.helpers import ROOT, YANGNING, cli

DUHU = ROOT / "scenarios" / "rainstorm_duhu.yaml"
REQUIRED = ("evacuated_60min", "frac_evacuated_60min", "ete50_min", "ete90_min", "ete100_min",
            "stranded")


def test_yangning_reported_150_within_one_hour_is_inside_the_baseline_band():
    run = run_plan(load_scenario(YANGNING), "baseline", 100)
    m = run.summary()["metrics"]["evacuated_60min"]
    assert m["p5"] <= 150 <= m["p95"], m


@pytest.mark.parametrize("path", [YANGNING, DUHU])
def test_bundled_rainstorms_validate(path):
    r = cli("validate", str(path))
    assert r.returncode == 0, r.stderr
    assert "kind evacuation" in r.stdout


def test_yangning_runs_through_the_cli(tmp_path):
    r = cli("run", str(YANGNING), "--reps", "3", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["kind"] == "evacuation" and s["replications"] == 3
    assert all(k in s["metrics"] for k in REQUIRED)
    assert set(s["curve"]) >= {"t_min", "mean", "p5", "p95"}
    assert "occupancy[shelter=village_committee]" in s["series"]
    ev = pd.read_csv(tmp_path / "events.csv")
    assert {"warned", "knock", "sheltered", "on_duty"} <= set(ev["event"])
    assert len(pd.read_csv(tmp_path / "replications.csv")) == 3
    assert (tmp_path / "curve.png").exists() and (tmp_path / "shelter_occupancy.png").exists()


def test_duhu_compares_keeping_the_town_squad_home_with_reinforcing_chixi(tmp_path):
    r = cli("compare", str(DUHU), "--plans", "baseline,chixi_reinforcement", "--reps", "2",
            "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    c = json.loads((tmp_path / "comparison.json").read_text())
    assert set(c["plans"]) == {"baseline", "chixi_reinforcement"}
    assert "chixi_reinforcement - baseline" in c["differences"]["stranded"]
    assert "Traceback" not in r.stderr


def test_duhu_is_at_the_reported_scale_and_the_map_shows_flooded_roads():
    s = load_scenario(DUHU)
    inp = plan_inputs(s.plan("baseline"))
    roles = pd.Series([r.role for r in inp.warners]).value_counts()
    assert roles["grid_worker_pt"] == 1192 and roles["grid_worker_ft"] == 35
    assert roles["grid_head"] == 26 and len(s.model.grids) == 26
    sizes = {q.role: 0 for q in inp.squads}
    for q in inp.squads:
        sizes[q.role] += q.size
    assert sizes["emergency_squad"] == 55 and sizes["militia"] == 94
    chixi = plan_inputs(s.plan("chixi_reinforcement"))
    assert sum(q.size for q in chixi.squads if q.role == "emergency_squad") == 35
    assert not np.isfinite(inp.timeline.state_at(200.0).walk_units).all()  # flooded roads
    fig = flood_map(s.network(), inp, 200.0, s.places())
    assert fig.axes
