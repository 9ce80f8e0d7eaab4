"""The review's verdict has the size it states, and power against known shifts.

Every log here is drawn from the model itself (other seeds than the reference replications), so
under the model it is exchangeable with them and the Monte-Carlo test flags it with probability
at most alpha = 5 %. The reference replications are shared by all logs of a kind (that is what
keeps these tests fast); the logs' flags are then slightly correlated, so the binomial
tolerances below are a guide, and the seeds are fixed so that the tests cannot flake.

Tolerances (exact binomial tails at the nominal 5 %):
- 60 logs: P(Binom(60, 0.05) ≥ 8) ≈ 0.010, so at most 7 flagged;
- 40 logs: P(Binom(40, 0.05) ≥ 6) ≈ 0.014, so at most 5 flagged.
Power: a shift is flagged in at least 18 of 20 logs (≥ 90 %).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sstats

from sim.analysis.observed import ObservedLog
from sim.analysis.review import compare_to_band, read_observed, spec_of
from sim.core.scenario import load_scenario, parse_scenario
from sim.kinds.evacuation.review import rep_arrivals
from sim.kinds.festival.review import sampled_log
from sim.run.experiments import plan_inputs, run_plan
from tests.festival_helpers import small_festival
from tests.helpers import ROOT, build
from tests.review_helpers import muster_logs, small_town

R = 99  # reference replications: p-values in steps of 1/100
ALPHA = 0.05


def flagged(spec, logs, reference) -> int:
    return sum(not compare_to_band(spec, log, reference, ALPHA)["consistent"] for log in logs)


def test_the_binomial_tolerances_stated_above():
    assert sstats.binom.sf(7, 60, ALPHA) < 0.02 and sstats.binom.sf(5, 40, ALPHA) < 0.02


@pytest.fixture(scope="module")
def town():
    s = small_town()
    reference = run_plan(s, None, R, seed=1, keep_events=range(R))
    logs = run_plan(s, None, 60, seed=2, keep_events=range(60))
    return s, reference, logs


def test_muster_false_alarms_at_most_the_stated_size(town):
    s, reference, logs = town
    assert flagged(spec_of(s), muster_logs(logs), reference) <= 7  # of 60, see above


def test_muster_a_drill_10_minutes_late_is_flagged(town):
    # Ten more minutes of preparation for everyone: every check-in 10 minutes later.
    s, reference, logs = town
    late = muster_logs(logs, shift=10.0)[:20]
    assert flagged(spec_of(s), late, reference) >= 18


@pytest.fixture(scope="module")
def yangning():
    s = load_scenario(ROOT / "scenarios" / "rainstorm_yangning.yaml")
    reference = run_plan(s, "baseline", R, seed=1, keep_events=range(R))
    return s, reference


def evacuation_logs(run) -> list[ObservedLog]:
    """Each replication's arrivals as a log: one row per arrival record, with its people."""
    out = []
    for t, n, where in rep_arrivals(run):
        rows = [{"t_min": float(a), "people": int(b), "shelter": str(c)}
                for a, b, c in zip(t, n, where, strict=True)]
        out.append(ObservedLog(rows, len(rows)))
    return out


def test_evacuation_false_alarms_at_most_the_stated_size(yangning):
    s, reference = yangning
    logs = run_plan(s, "baseline", 40, seed=2, keep_events=range(40))
    assert flagged(spec_of(s), evacuation_logs(logs), reference) <= 5  # of 40, see above


def test_evacuation_fewer_leaving_is_flagged_and_no_share_exceeds_100_percent(yangning):
    s, reference = yangning
    raw = dict(s.raw)
    raw["evacuation"] = dict(raw["evacuation"])
    pop = dict(raw["evacuation"]["population"])
    # Residents 0.2 less willing at each knock (first 0.75 → 0.55, second 0.5 → 0.3).
    pop["compliance"] = pop["compliance"] - 0.2
    pop["second_knock_compliance"] = pop["second_knock_compliance"] - 0.2
    raw["evacuation"]["population"] = pop
    fewer = run_plan(parse_scenario(raw, s.base_dir), "baseline", 20, seed=3,
                     keep_events=range(20))
    spec = spec_of(s)
    logs = evacuation_logs(fewer)
    assert flagged(spec, logs, reference) >= 18
    for log in logs[:5]:
        m = compare_to_band(spec, log, reference, ALPHA)["metrics"]
        assert 0 <= m["frac_at_risk_sheltered_by_peak"]["observed"] <= 1
        assert 0 <= m["frac_at_risk_sheltered_60min"]["observed"] <= 1
        assert m["frac_at_risk_sheltered_by_peak"]["sim_p95"] <= 1


@pytest.fixture(scope="module")
def festival(tmp_path_factory):
    s = build(tmp_path_factory.mktemp("size"), small_festival())
    return s, run_plan(s, None, R, seed=1, keep_events=())


def festival_logs(s, seeds, add: float = 0.0) -> list[ObservedLog]:
    inp = plan_inputs(s.plan())
    return [read_observed(s, sampled_log(inp, k, 150, add=add)) for k in seeds]


def test_festival_false_alarms_at_most_the_stated_size(festival):
    s, reference = festival
    logs = festival_logs(s, range(1000, 1040))
    assert flagged(spec_of(s), logs, reference) <= 5  # of 40, see above


def test_festival_waits_a_minute_longer_are_flagged(festival):
    s, reference = festival
    logs = festival_logs(s, range(2000, 2020), add=1.0)
    assert flagged(spec_of(s), logs, reference) >= 18


def test_a_flagged_verdict_says_what_it_means(town):
    s, reference, logs = town
    out = compare_to_band(spec_of(s), muster_logs(logs, shift=30.0)[0], reference, ALPHA)
    assert not out["consistent"] and out["p_value"] == pytest.approx(1 / (R + 1))
    assert "would be flagged in 5% of drills that went exactly as modelled" in out["verdict"]
    assert out["outside_band"] and out["outside_band"][0]["side"] == "below"
    assert np.all(np.asarray(out["curve"]["low"]) <= np.asarray(out["curve"]["high"]))


def test_leave_one_out_deviation_by_hand():
    from sim.analysis.review import abs_z

    z = abs_z(np.array([0.0, 0.0, 0.0, 1.0]))
    # rows 0-2: the others are {0, 0, 1}, mean 1/3, sd sqrt(1/3); row 3: the others all agree
    assert z[:3] == pytest.approx([(1 / 3) / np.sqrt(1 / 3)] * 3) and z[3] == np.inf
    assert np.all(abs_z(np.full(5, 7.0)) == 0)
