"""Calibration by ABC rejection: the 90 % credible interval covers the truth in about 90 % of
synthetic logs whose parameter values are drawn from the prior, and compliance (which changes
*how many* people move) is identified through the counts.

The synthetic logs are entries of the reference table itself, each left out of the table
while it plays the observed log: a draw from the prior and a replication at it, exactly the
situation the coverage is claimed for. Tolerances (exact binomial at 90 %):
P(Binom(40, 0.9) ≤ 31) ≈ 0.015, so at least 32 of 40 covered; P(Binom(30, 0.9) ≤ 23) ≈ 0.026,
so at least 24 of 30 (and an interval that always covers, because it is the whole prior, is
caught by the width checks)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sstats

from sim.analysis.observed import ObservedLog
from sim.analysis.review import (
    FitParameter,
    abc_posterior,
    calibrate,
    read_observed,
    reference_table,
    spec_of,
    table_summaries,
)
from sim.core.scenario import load_scenario
from tests.helpers import ROOT
from tests.review_helpers import muster_logs, small_town

PREP = FitParameter.parse("muster.preparation.median=4..16")
COMPLIANCE = FitParameter.parse("evacuation.population.compliance=0.4..0.95")


def loo_coverage(theta, sims, params, n):
    covered, widths = 0, []
    for j in range(n):
        keep = np.arange(theta.shape[0]) != j
        post = abc_posterior(theta[keep], sims[keep], sims[j], params)[params[0].path]
        covered += post["low"] <= theta[j, 0] <= post["high"]
        widths.append(post["high"] - post["low"])
    return covered, float(np.mean(widths))


def test_the_binomial_bounds_stated_above():
    assert sstats.binom.cdf(31, 40, 0.9) < 0.02 and sstats.binom.cdf(23, 30, 0.9) < 0.03


@pytest.fixture(scope="module")
def town_table():
    s = small_town()
    table = reference_table(s, None, [PREP], draws=240, seed=5)
    log = ObservedLog([{"t_min": 1.0, "role": "cadre"}], 1)  # muster summaries need no columns
    _, _, sims = table_summaries(spec_of(s), log, table)
    return s, table, sims


def test_preparation_interval_covers_the_truth_at_its_stated_rate(town_table):
    s, table, sims = town_table
    covered, width = loo_coverage(table.theta, sims, [PREP], 40)
    assert covered >= 32, covered  # of 40, see above
    assert width < 0.5 * 0.9 * (PREP.high - PREP.low)  # the log does narrow the prior


def test_calibrating_a_log_reports_an_interval_and_its_method(town_table, tmp_path):
    s, table, _ = town_table
    from sim.run.experiments import run_plan

    log = muster_logs(run_plan(s, None, 1, seed=777, keep_events=(0,)))[0]
    text = "t_min,role\n" + "".join(f"{r['t_min']:.2f},{r['role']}\n" for r in log.rows)
    out = calibrate(s, None, read_observed(s, text), [PREP], table=table)
    p = out["parameters"][PREP.path]
    assert p["low"] <= 8 <= p["high"] and p["identifiable"]  # the scenario's median is 8
    assert "ABC rejection" in out["method"] and p["level"] == 0.9


def test_calibrating_without_a_table_keeps_no_runs_and_gives_the_same_answer(town_table):
    """Each draw is reduced to its summaries as it is made (20,000 draws kept whole with their
    event records grew past 20 GB): the same draws and the same answer as from a table."""
    s, _, _ = town_table
    from sim.run.experiments import run_plan

    log = muster_logs(run_plan(s, None, 1, seed=778, keep_events=(0,)))[0]
    text = "t_min,role\n" + "".join(f"{r['t_min']:.2f},{r['role']}\n" for r in log.rows)
    observed = read_observed(s, text)
    table = reference_table(s, None, [PREP], draws=60, seed=9)
    assert calibrate(s, None, observed, [PREP], draws=60, seed=9) == \
        calibrate(s, None, observed, [PREP], table=table)


@pytest.fixture(scope="module")
def yangning_table():
    s = load_scenario(ROOT / "scenarios" / "rainstorm_yangning.yaml")
    table = reference_table(s, "baseline", [COMPLIANCE], draws=150, seed=5)
    log = ObservedLog([{"t_min": 1.0, "people": 1}], 1)
    _, _, sims = table_summaries(spec_of(s), log, table)
    return s, table, sims


def test_compliance_is_identified_through_the_counts(yangning_table):
    _, table, sims = yangning_table
    covered, width = loo_coverage(table.theta, sims, [COMPLIANCE], 30)
    assert covered >= 24, covered  # of 30, see above
    assert width < 0.75 * 0.9 * (COMPLIANCE.high - COMPLIANCE.low)


def test_a_parameter_the_log_cannot_see_is_reported_as_not_identifiable(yangning_table):
    # Summaries that carry no information (all equal): the posterior is the prior.
    _, table, sims = yangning_table
    flat = np.zeros_like(sims)
    post = abc_posterior(table.theta, flat, flat[0], [COMPLIANCE])[COMPLIANCE.path]
    assert not post["identifiable"]


def test_a_fit_wider_than_the_declared_range_runs_and_its_calibrated_file_is_valid():
    """Youchegang declares its preparation median as 4..15 for sensitivity; a calibration that
    searches 4..16 drew 15.4 and stopped with "range 4..15 must contain the scenario's value".
    The draws are the fit's own; the calibrated file's range is the credible interval."""
    from sim.analysis.review import calibrated_raw
    from sim.core.scenario import parse_scenario

    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    wide = FitParameter.parse("muster.preparation.median=4..16")
    text = (ROOT / "scenarios" / "observed" / "youchegang_drill_checkins.csv").read_text()
    cal = calibrate(s, None, read_observed(s, text), [wide], draws=50, seed=3)
    fit = cal["parameters"][wide.path]
    raw = calibrated_raw(s, cal["parameters"], "drill.csv")
    again = parse_scenario(raw, s.base_dir)  # (valid: raises otherwise)
    declared = next(a for a in again.model.assumptions if a.path == wide.path)
    assert declared.low <= fit["value"] <= declared.high
    assert (declared.low, declared.high) == (min(fit["low"], fit["value"]),
                                             max(fit["high"], fit["value"]))
    assert "credible interval" in declared.source
