"""Paired differences of a time that only one plan reached in some replications: the order of
each pair decides, by the exact sign test (``sim.run.stats.PairedDifference``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom, binomtest

from sim.core.scenario import load_scenario
from sim.present import formatting
from sim.present.i18n import use_lang
from sim.present.verdicts import verdict, verdict_of
from sim.run.experiments import compare
from sim.run.stats import PairedDifference, paired_difference, sign_test
from tests.helpers import BUNDLED

INF = math.inf


@pytest.mark.parametrize(("k", "m"), [(0, 1), (1, 1), (0, 10), (3, 10), (5, 10), (17, 40),
                                      (2, 57), (250, 500)])
def test_sign_test_is_the_exact_binomial_test(k, m):
    assert sign_test(k, m) == pytest.approx(binomtest(k, m, 0.5).pvalue, rel=1e-12)


def _size(m: int) -> float:
    """The exact chance that the two-sided sign test at 5 % rejects among m untied pairs when
    either plan is as likely to be later (the discrete test stays under 5 %)."""
    return float(sum(binom.pmf(k, m, 0.5) for k in range(m + 1) if sign_test(k, m) < 0.05))


def test_false_alarms_match_the_tests_exact_size_on_censored_times_from_one_law():
    # Two plans with the same law of times (exponential, mean 90 min, horizon 120 min: about
    # 26 % unreached), 40 pairs, 4,000 comparisons. Ties are both unreached. The rate of
    # "significant" must be the test's exact size for the untied counts met (at most 5 %),
    # within 4 binomial standard deviations of 4,000 draws (about ±1.3 points).
    rng = np.random.default_rng(20261206)
    draws, pairs, horizon = 4000, 40, 120.0
    alarms, expected = 0, 0.0
    for _ in range(draws):
        a, b = rng.exponential(90, pairs), rng.exponential(90, pairs)
        a[a > horizon], b[b > horizon] = INF, INF
        d = paired_difference(a, b)
        if not d.by_order:  # (every pair reached by both: the t interval decides, not this)
            continue
        alarms += d.significant
        expected += _size(d.later + d.earlier)
    rate, p = alarms / draws, expected / draws
    tolerance = 4 * math.sqrt(p * (1 - p) / draws)
    assert p <= 0.05
    assert abs(rate - p) <= tolerance, (rate, p, tolerance)
    assert rate > 0.02  # (not a test that never fires)


def test_a_plan_that_rarely_reaches_is_later_and_worse():
    # b reaches in 3 of 40, a in 21: b is later in every pair where a reached.
    a = np.array([100.0] * 21 + [INF] * 19)
    b = np.array([130.0] * 2 + [INF] * 19 + [INF] * 18 + [150.0])
    d = paired_difference(a, b)
    assert d.by_order and d.significant and d.direction == 1
    assert (d.later, d.earlier, d.reached_a, d.reached_b) == (21, 1, 21, 3)
    text = verdict("ete100_min", "baseline", "late", d)
    assert text.startswith("minutes to shelter all evacuating residents: late is later than "
                           "baseline (late later in 21 of 40 replications, earlier in 1")
    assert "reached in 3 of 40 against 21" in text and text.endswith("; worse)")
    assert "no significant" not in text


def test_stored_differences_read_back_and_are_written_in_the_readers_language():
    d = paired_difference([10.0, 20.0, INF, 30.0], [12.0, INF, INF, 31.0])
    stored = d.as_dict()
    assert PairedDifference.from_dict(stored) == d
    assert stored["by_order"] and stored["direction"] == 1 and stored["significant"] is False
    with use_lang("zh"):
        zh = verdict_of("t90_min", "night - baseline", stored)
    assert "符号检验" in zh and "night" in zh and "baseline" in zh
    # An older file, without the order fields: the mean and its interval, as before.
    old = {"mean": -0.6, "ci95_low": -1.2, "ci95_high": -0.1, "n": 40, "pairs": 40}
    assert verdict_of("refused", "b - a", old).startswith("b has 0.6 fewer people who refused")


def test_differences_of_shares_are_in_percentage_points():
    d = paired_difference([0.427] * 5 + [0.43] * 5, [0.115] * 5 + [0.12] * 5)
    text = verdict("frac_evacuated_60min", "baseline", "late", d)
    assert text.startswith("late has 31.1 percentage points lower share")
    assert "%" not in text.replace("95 %", "")
    assert formatting.difference(d.as_dict(), "frac_evacuated_60min").startswith(
        "−31.1 percentage points [−")
    with use_lang("zh"):
        assert "个百分点" in verdict("frac_evacuated_60min", "baseline", "late", d)


def test_times_read_longer_or_shorter_not_higher_minutes():
    d = paired_difference([40.0, 41.0, 42.0, 43.0], [55.0, 57.0, 56.0, 58.0])
    text = verdict("t50_min", "baseline", "night", d)
    assert text.startswith("minutes to muster half the roster: night is 15.0 min longer than "
                           "baseline (95 % CI")
    assert "higher minutes" not in text


def test_yangning_late_warning_is_worse_at_sheltering_everyone():
    # The audit's case: late warning sheltered everyone in a few of 40 runs, the baseline in
    # about half; the old verdict said "no significant difference" from the few pairs where
    # both did.
    s = load_scenario(BUNDLED.parent / "rainstorm_yangning.yaml")
    comp = compare(s, ["baseline", "late_warning"], 40, seed=7)
    d = comp.as_dict()["differences"]["ete100_min"]["late_warning - baseline"]
    assert d["reached_b"] < d["reached_a"] - 5
    assert d["by_order"] and d["significant"] and d["direction"] == 1
    assert "late_warning is later than baseline" in d["verdict"]
    assert d["verdict"].endswith("; worse)")


def test_demand_is_reported_but_not_judged():
    # More visitors (extra trains) is a different day, not a better plan.
    d = paired_difference([100_000.0, 100_100.0, 100_050.0], [103_300.0, 103_350.0, 103_400.0])
    assert d.significant
    text = verdict("visitors", "reported", "drill", d)
    assert text == "drill has 3,300 more visitors than reported (95 % CI 3,176 to 3,424)"
    pytest.importorskip("streamlit")
    from dashboard.results import pair_verdict

    data = {"differences": {"visitors": {"drill - reported": d.as_dict()}}}
    summary = pair_verdict(data, "drill - reported", ["visitors"])
    assert "is better" not in summary and "is worse" not in summary
    assert "different, but neither better nor worse (not the plan's choice): visitors (+3,300)" in summary


def test_the_same_difference_in_a_few_pairs_is_not_called_certain():
    """Two replications whose counts differ by the same +147 (it happens: counts are whole
    numbers) gave [+147 – +147] and 'worse'. Below 6 pairs no interval and no verdict; from 6
    on the exact sign test (p = 2^(1-n) < 0.05) carries the difference and its interval."""
    for n in (2, 5):
        d = paired_difference([1400.0] * n, [1547.0] * n)
        assert d.mean == 147 and math.isnan(d.ci95_low) and not d.significant
        with use_lang("en"):
            assert formatting.difference(d.as_dict(), "exposed") == \
                f"+147 in each of {n} replications, too few to judge"
        with use_lang("zh"):
            assert formatting.difference(d.as_dict(), "exposed") == \
                f"+147（{n} 次重复均为此差值，次数太少，无法判断）"
    with use_lang("en"):  # (the verdict said "95 % CI not applicable to not applicable")
        assert verdict("exposed", "baseline", "chixi", d).endswith(
            "(mean difference +147, the same in each of 5 replications, too few to judge)")
        assert verdict("exposed", "baseline", "chixi", paired_difference([1.0], [2.0])
                       ).endswith("(mean difference +1, one replication, too few for a 95 % CI)")
    one = paired_difference([1400.0], [1547.0]).as_dict()
    with use_lang("zh"):  # (the dashboard's first results of an evacuation: one replication)
        assert formatting.difference(one, "exposed") == "+147（仅 1 次重复，无法判断）"
    d = paired_difference([1400.0] * 6, [1547.0] * 6)
    assert (d.ci95_low, d.ci95_high) == (147, 147) and d.significant and d.direction == 1
    # (a difference of 0 in every pair is the plans' not changing it, as before)
    assert formatting.same_in_every_pair(paired_difference([5.0, 5.0], [5.0, 5.0]).as_dict())


def test_false_alarms_on_whole_number_differences_stay_under_five_percent():
    """Differences of whole numbers symmetric about 0 (−1, 0 or +1 people, equally likely):
    at 2 pairs the t interval called 2 of 9 samples (both +1, both −1) significant, 22 % false
    alarms. Now the rate at each n from 2 to 5 is at most 5 % plus 4 binomial standard
    deviations of 4,000 draws (about 1.4 points). (From 6 pairs on, an interval of no width
    is the sign test's, whose size is 2^(1-n) ≤ 3.1 %; the t interval's own size on
    differences this coarse is not this fix's: 7 % at 7 and 8 pairs, 4–5 % from 9 on.)"""
    rng = np.random.default_rng(20261208)
    draws = 4000
    for n in range(2, 6):
        a = rng.integers(0, 2, size=(draws, n)).astype(float)
        b = a + rng.integers(-1, 2, size=(draws, n))
        rate = sum(paired_difference(a[i], b[i]).significant for i in range(draws)) / draws
        assert rate <= 0.05 + 4 * math.sqrt(0.05 * 0.95 / draws), (n, rate)
