"""Post-event review and calibration against observed muster logs."""

from __future__ import annotations

import json

import pytest
import yaml

from sim.analysis.review import read_observed, review
from sim.core.errors import ScenarioError
from sim.core.scenario import load_scenario
from sim.run.experiments import plan_inputs
from tests.helpers import BUNDLED, ROOT
from tests.helpers import cli_here as cli
from tests.review_helpers import small_town

LOG = ROOT / "scenarios" / "observed" / "youchegang_drill_checkins.csv"


@pytest.fixture(scope="module")
def town():
    return load_scenario(BUNDLED)


def log_from_model(s, seed: int, shift: float = 0.0, plan: str | None = "baseline") -> str:
    r = s.kind.simulate(plan_inputs(s.plan(plan)), 0, seed, True)
    rows = [f"{e.t_min + shift:.2f},{e.role}" for e in r.events if e.event == "mustered"]
    return "t_min,role\n" + "\n".join(rows) + "\n"


def test_a_log_made_by_the_model_lands_inside_the_band(town):
    log = read_observed(town, log_from_model(town, seed=99))
    out, _ = review(town, "baseline", log, replications=20)
    m = out["metrics"]
    for name in ("mustered_15min", "mustered_30min", "mustered_60min", "t50_min"):
        assert m[name]["inside_band"], (name, m[name])
    assert out["ks"]["p_value"] > 0.05
    assert 0 < m["mustered_60min"]["percentile"] < 100


def test_a_log_shifted_by_30_minutes_is_flagged(town):
    log = read_observed(town, log_from_model(town, seed=99, shift=30.0))
    out, _ = review(town, "baseline", log, replications=20)
    assert not out["consistent"] and out["p_value"] <= 1 / 21
    assert "would be flagged in 5% of drills that went exactly as modelled" in out["verdict"]
    assert out["ks"]["p_value"] < 1e-6
    assert out["outside_band"] and out["outside_band"][0]["side"] == "below"
    assert not out["metrics"]["mustered_30min"]["inside_band"]
    assert out["metrics"]["t50_min"]["percentile"] == 100


def test_calibration_cli_reports_a_credible_interval(tmp_path):
    s = small_town()
    path = tmp_path / "town.yaml"
    path.write_text(yaml.safe_dump(s.raw, allow_unicode=True), encoding="utf-8")
    log = tmp_path / "drill.csv"
    log.write_text(log_from_model(s, seed=123, plan=None), encoding="utf-8")
    r = cli("review", str(path), "--observed", str(log), "--reps", "19", "--out",
            str(tmp_path / "out"), "--fit", "muster.preparation.median=4..16", "--fit-draws", "60")
    assert r.returncode == 0, r.stderr
    assert "90% credible interval" in r.stdout and "ABC rejection" in r.stdout
    cal = json.loads((tmp_path / "out" / "review.json").read_text())["calibration"]
    p = cal["parameters"]["muster.preparation.median"]
    assert 4 <= p["low"] <= p["value"] <= p["high"] <= 16 and cal["draws"] == 60
    assert (tmp_path / "out" / "town-calibrated.yaml").exists()


def test_bad_rows_are_reported_with_line_and_column(town):
    text = "t_min,role\n5,cadre\nsoon,cadre\n-3,militia\n7,wizard\n9,grid_head\n"
    with pytest.raises(ScenarioError) as exc:
        read_observed(town, text, "drill.csv")
    msgs = [str(p) for p in exc.value.problems]
    assert "drill.csv: line 3, column t_min: not a number (got 'soon')" in msgs
    assert any(m.startswith("drill.csv: line 4, column t_min: negative time") for m in msgs)
    assert any(m.startswith("drill.csv: line 5, column role: unknown value") for m in msgs)
    log = read_observed(town, text, "drill.csv", skip_bad_rows=True)
    assert list(log.column("t_min")) == [5.0, 9.0] and len(log.skipped) == 3
    with pytest.raises(ScenarioError, match="missing column"):
        read_observed(town, "time,role\n1,cadre\n")


def test_review_cli(tmp_path):
    r = cli("review", str(BUNDLED), "--observed", str(LOG), "--reps", "10", "--out",
            str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "mustered_60min" in r.stdout and "Kolmogorov" in r.stdout
    assert "would be flagged in 5% of drills that went exactly as modelled" in r.stdout
    assert (tmp_path / "review.json").exists() and (tmp_path / "review.png").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("t_min,role\n3,cadre\nx,cadre\n")
    r = cli("review", str(BUNDLED), "--observed", str(bad), "--reps", "3")
    assert r.returncode == 2 and "line 3, column t_min" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli("review", str(BUNDLED), "--observed", str(bad), "--reps", "3", "--skip-bad-rows",
            "--out", str(tmp_path / "skip"))
    assert r.returncode == 0, r.stderr
    assert "skipped: bad.csv: line 3" in r.stdout
