"""The review's band counts replications that never reached a time as later than the horizon,
and says how many reached it (as compare does), in review.json, the terminal and the GB/T
report's problems."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.review import abs_z, band
from sim.present import review_text
from sim.present.i18n import use_lang

INF = math.inf


def test_three_unreached_of_forty_put_the_upper_end_past_the_horizon():
    # 37 runs reached the time at minutes 1..37, 3 never did.
    sim = np.array([*range(1, 38), INF, INF, INF], dtype=float)
    b = band(93.9, sim)
    assert b["reached"] == 37
    # 5th percentile (numpy's linear rule over all 40): position 1.95 → 2 + 0.95 × (3 − 2).
    assert b["sim_p5"] == pytest.approx(2.95) and not b["sim_p5_censored"]
    # 95th: position 37.05 needs the 38th and 39th runs, which never reached it.
    assert b["sim_p95"] is None and b["sim_p95_censored"]
    # Of the reached only it would have been 35.2, and 93.9 would have lain outside.
    assert np.percentile(np.arange(1, 38), 95) == pytest.approx(35.2)
    assert b["inside_band"] and b["percentile"] == pytest.approx(100 * 37 / 40)


def test_all_reached_is_the_ordinary_band_and_none_reached_has_no_band():
    b = band(5.0, np.arange(1.0, 11.0))
    assert b["sim_p5"] == pytest.approx(np.percentile(np.arange(1.0, 11.0), 5))
    assert not b["sim_p95_censored"] and b["inside_band"] and b["reached"] == 10
    none = band(INF, np.full(10, INF))
    assert none["reached"] == 0 and none["inside_band"] is None and "sim_p5" not in none
    # An unreached log against runs that all reached it lies outside.
    assert not band(INF, np.arange(1.0, 11.0))["inside_band"]


def test_an_unreached_run_counts_as_the_horizon_in_the_deviations():
    z_horizon = abs_z(np.array([10.0, 11.0, 12.0, np.nan]), 100.0)
    z_largest = abs_z(np.array([10.0, 11.0, 12.0, 12.0]))
    assert z_horizon[3] > z_largest[3]  # later than every reached one, not tied with the last
    np.testing.assert_allclose(abs_z(np.array([10.0, 11.0, 12.0, np.nan]), 100.0),
                               abs_z(np.array([10.0, 11.0, 12.0, 100.0])))


def m(**over):
    return {"replications": 40, "reached": 37, "horizon_min": 120.0, "sim_p5": 54.86,
            "sim_p5_censored": False, "sim_p95": None, "sim_p95_censored": True} | over


def test_the_band_is_written_with_the_share_reached():
    assert review_text.band(m(), "t90_min") == \
        "54.9 – > 120 min, reached in 37/40 replications (92.5%)"
    with use_lang("zh"):
        assert review_text.band(m(), "t90_min") == "54.9 – > 120 分钟，40 次中 37 次达到（92.5%）"
    full = m(reached=40, sim_p95=85.91, sim_p95_censored=False)
    assert review_text.band(full, "t90_min") == "54.9–85.9"
    assert review_text.band({"replications": 40, "reached": 0}, "t90_min") == \
        "not reached (0/40)"


def test_the_evacuation_reviews_shares_are_of_the_residents_at_risk_and_say_so():
    from sim.core.catalogue import info
    from sim.kinds.evacuation.review import _metrics

    # 10 people at risk; 3 sheltered at minute 10, 2 at minute 70; nobody's refusal is logged.
    arrivals = (np.array([10.0, 70.0]), np.array([3.0, 2.0]), np.array(["a", "a"]))
    m = _metrics(arrivals, at_risk=10.0, peak=80.0, horizon=120.0, shelters=[])
    assert m["frac_at_risk_sheltered_60min"] == pytest.approx(0.3)
    assert m["frac_at_risk_sheltered_by_peak"] == pytest.approx(0.5)
    assert m["arrived50_min"] == pytest.approx(10.0)  # 2.5 of the 5 who arrived: at minute 10
    # The run's measures of the same names divide by those evacuating: not computed here.
    assert not {"frac_evacuated_60min", "frac_evacuated_by_peak", "ete50_min"} & set(m)
    assert info("frac_at_risk_sheltered_60min").phrase == \
        "share of the residents at risk sheltered by 60 min"
    with use_lang("zh"):
        assert info("frac_at_risk_sheltered_60min").phrase == "60 分钟内转移安置人数占受威胁人数比例"
        assert info("frac_evacuated_60min").phrase != info("frac_at_risk_sheltered_60min").phrase


@pytest.mark.parametrize(("events", "zh"), [
    ("drills", "即使演练完全按模型进行，也有 5% 的演练记录会被判为存疑。"),
    ("evacuations", "即使转移安置完全按模型进行，也有 5% 的转移记录会被判为存疑。"),
])
def test_the_size_of_the_review_is_one_whole_sentence_in_chinese(events, zh):
    assert review_text.flagged_share(events, "5%") == \
        f"A log like this would be flagged in 5% of {events} that went exactly as modelled."
    with use_lang("zh"):
        text = review_text.flagged_share(events, "5%")
    assert text == zh and "的次" not in text


def test_the_calibration_method_is_in_chinese():
    from sim.analysis.review import FitParameter, calibrate, read_observed, reference_table
    from tests.review_helpers import small_town

    s = small_town()
    p = FitParameter("muster.preparation.median", 4.0, 16.0)
    table = reference_table(s, None, [p], draws=20, seed=1)
    log = read_observed(s, "t_min,role\n5,cadre\n9,cadre\n12,militia\n")
    with use_lang("zh"):
        method = calibrate(s, None, log, [p], table=table)["method"]
    assert method.startswith("近似贝叶斯计算（ABC）拒绝抽样：在搜索范围内均匀抽取 20 组参数值")
    assert "draws" not in method and "prior" not in method
