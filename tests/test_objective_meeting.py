"""An objective's statistic can pass while many replications miss it (a median just above the
target is met in about half of them): every summary counts the replications that met the
target on their own, and the dashboard, findings and reports show the count beside "met"."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import yaml

from dashboard.results import objectives_table
from sim.analysis.findings import findings
from sim.core.scenario import parse_scenario
from sim.present.report_gbt import ratings
from sim.run.experiments import compare

ROOT = Path(__file__).resolve().parents[1]
REPS = 30


def _youchegang_with_a_close_target() -> tuple[object, float]:
    """Youchegang with a second objective whose target is the median of its own baseline
    replications, so that about half of them meet it."""
    raw = yaml.safe_load((ROOT / "scenarios" / "muster_youchegang.yaml").read_text())
    s = parse_scenario(copy.deepcopy(raw), ROOT / "scenarios")
    first = compare(s, ["baseline"], REPS, seed=11).runs[0]
    target = float(np.median(first.values("mustered_30min")))
    raw["objectives"] = [{"description": "Close call", "metric": "mustered_30min",
                          "at_least": target, "statistic": "p50"},
                         {"description": "Never", "metric": "t90_min", "at_most": 1.0}]
    return parse_scenario(raw, ROOT / "scenarios"), target


def test_each_summary_counts_the_replications_that_met_each_objective():
    s, target = _youchegang_with_a_close_target()
    result = compare(s, ["baseline", "night"], REPS, seed=11)
    for run in result.runs:
        close, never = run.summary()["objectives"]
        values = run.values("mustered_30min")
        assert close["replications_meeting"] == int((values >= target).sum())
        assert close["replications_assessed"] == REPS
        # A time never reached counts as later than any target: not met.
        times = run.values("t90_min")
        assert never["replications_meeting"] == int((times <= 1.0).sum()) == 0
    base = result.runs[0].summary()
    k = base["objectives"][0]["replications_meeting"]
    assert 0 < k < REPS  # (the target is the median of these very replications)
    said = " ".join(f.text for f in findings(base))
    assert f"met in {k} of {REPS} replications" in said, said
    assert "target ≤ 1.0 min)" in said, said  # the bound with its unit, as the dashboard's
    table = objectives_table([r.summary() for r in result.runs])
    assert f"met in {k} of {REPS} replications" in table.loc[0, "baseline"]
    rated = ratings(result.as_dict())
    assert any(f"met in {k} of {REPS} replications" in r.simulated for r in rated)


def test_a_summary_without_the_count_is_shown_as_before():
    from sim.present import formatting

    assert formatting.meeting({"metric": "t90_min", "at_most": 60}) == ""
    assert formatting.meeting({"replications_meeting": 3, "replications_assessed": 0}) == ""
    assert formatting.meeting({"replications_meeting": 1234, "replications_assessed": 2000}) \
        == "met in 1,234 of 2,000 replications"
