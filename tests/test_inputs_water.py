"""The true water peak: computed over the whole storm, not cut at the horizon; a run that ends
before it warns at `validate` and `run` and leaves the share sheltered by the peak blank."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.core.scenario import load_scenario
from sim.kinds.evacuation.config import Hazard
from sim.kinds.evacuation.hazard import water_peak
from sim.run.experiments import plan_inputs
from tests.helpers import cli, evac, graph, write_scenario

ROOT = Path(__file__).resolve().parents[1]

# Rain 60, 60, 0 mm in storm hours 0-2, drainage 30 mm/h: the bucket gains 0.5 mm a minute for
# 120 minutes (60 mm), then loses 0.5 mm a minute. t = 0 is storm hour 0.5 (minute 30), so the
# peak is at t = 120 − 30 = 90 min, 0.01 m/mm × 60 mm = 0.60 m above the base level.
STORM = {"rain": {"hourly_mm": [60, 60, 0]}, "drainage_mm_per_h": 30, "start_hour": 0.5,
         "rise_m_per_mm": 0.01, "base_level_m": 0.0, "update_min": 10}


def test_peak_of_a_tiny_hyetograph_and_bucket_is_the_hand_computed_one():
    peak = water_peak(Hazard.model_validate(STORM), horizon_min=60)
    assert peak.minute == 90 and peak.level_m == pytest.approx(0.60)
    assert not peak.observed
    assert peak.warning() is not None and "peak at minute 90, horizon 60" in peak.warning()
    assert water_peak(Hazard.model_validate(STORM), horizon_min=90).observed
    # No drainage: the water stays at its highest once the rain stops; the peak is its start.
    flat = water_peak(Hazard.model_validate({**STORM, "drainage_mm_per_h": 0}), 500)
    assert flat.minute == 120 - 30 and flat.level_m == pytest.approx(1.2)


def _scenario(tmp_path: Path, horizon: float) -> Path:
    # A at 0 m floods (0.6 m at the peak); the household leaves at once and walks to B.
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0}, [("A", "B", 600.0)])
    data = evac([{"id": "h1", "node": "A", "members": 2}],
                [{"id": "S", "node": "B", "capacity": 10}],
                evacuation={"horizon_min": horizon, "hazard": STORM})
    return write_scenario(tmp_path, data)


def test_horizon_before_the_peak_warns_and_leaves_the_share_by_the_peak_blank(tmp_path):
    path = _scenario(tmp_path, 60)
    v = cli("validate", str(path))
    assert v.returncode == 0, v.stderr
    want = ("the water is still rising at the end of the run (peak at minute 90, horizon 60): "
            "extend horizon_min")
    assert want in v.stdout and "Traceback" not in v.stdout + v.stderr
    r = cli("run", str(path), "--reps", "2", "--no-store", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert want in r.stdout + r.stderr and "Traceback" not in r.stdout + r.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["metrics"]["water_peak_min"]["mean"] == 90  # the true peak, not 60
    by_peak = summary["metrics"]["frac_evacuated_by_peak"]
    assert by_peak["n"] == 0 and (by_peak["mean"] is None or math.isnan(by_peak["mean"]))
    assert any(want in w for w in summary["warnings"])


def test_horizon_covering_the_peak_measures_the_share_by_the_peak(tmp_path):
    s = load_scenario(_scenario(tmp_path, 120))
    inp = plan_inputs(s.plan(None))
    assert inp.warnings == [] and inp.timeline.peak_min == 90
    m = s.kind.simulate(inp, 0, 1, False).metrics
    # Leaves at 0, 600 m at 100 m/min slowed by shallow water: sheltered long before 90.
    assert m["water_peak_min"] == 90 and m["frac_evacuated_by_peak"] == 1.0


@pytest.mark.parametrize("name", ["rainstorm_duhu.yaml", "rainstorm_yangning.yaml"])
def test_bundled_storms_run_until_the_water_stops_rising(name):
    s = load_scenario(ROOT / "scenarios" / name)
    for plan in s.plan_names():
        inp = plan_inputs(s.plan(plan))
        assert inp.warnings == [], (plan, inp.warnings)
        assert inp.timeline.peak_min <= inp.params.horizon_min
