"""The one formatter: never "nan"/"None"/"inf", counts whole with separators, CIs of counts
never negative, censored and not-applicable statistics in words."""

from __future__ import annotations

import math
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sim.present import formatting

METRICS = ["mustered_60min", "frac_mustered_60min", "t90_min", "ete90_min", "stranded",
           "wait_p95_min", "max_density_ppm2", "worst_los", "roster[role=cadre]", "nosuch"]
ANY_VALUE = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                      st.integers(-10**12, 10**12))
BAD = re.compile(r"nan|none|inf\b|^-?inf", re.IGNORECASE)


def _clean(text: str) -> None:
    assert not BAD.search(text), text
    assert text.strip() and "—" not in text, text


@given(ANY_VALUE, st.sampled_from(METRICS))
def test_a_value_is_never_nan_none_or_inf(v, metric):
    _clean(formatting.value(v, metric))
    _clean(formatting.signed(v, metric))


@given(st.integers(-10**12, 10**12))
def test_counts_are_whole_with_thousands_separators(n):
    text = formatting.count(n)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*", text), text
    assert int(text.replace(",", "")) == n


@given(st.floats(-1e9, 1e9))
def test_a_mean_count_is_rounded_to_a_whole_person(x):
    text = formatting.value(x, "stranded")
    assert "." not in text and int(text.replace(",", "")) == round(x)


@given(st.dictionaries(st.sampled_from(["mean", "ci95_low", "ci95_high", "p5", "p50", "p95",
                                        "n", "n_reached", "horizon_min", "p95_censored",
                                        "not_applicable"]), ANY_VALUE),
       st.sampled_from(METRICS))
def test_any_summary_entry_formats_cleanly(d, metric):
    for f in (formatting.cell, formatting.mean_ci, formatting.spread, formatting.difference):
        _clean(f(d, metric))


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_count_intervals_are_clipped_at_zero(mean, half):
    d = {"mean": mean, "ci95_low": mean - half, "ci95_high": mean + half, "p5": 0, "p95": 1,
         "n": 10}
    text = formatting.mean_ci(d, "stranded")
    assert "[-" not in text and "– -" not in text, text


def test_share_intervals_stay_within_0_and_100_percent():
    # Yangning's share sheltered by the highest water: mean 99.2 %, t interval to 100.7 %.
    d = {"mean": 0.992, "ci95_low": 0.977, "ci95_high": 1.007, "p5": 0.97, "p95": 1.0, "n": 5}
    assert formatting.mean_ci(d, "frac_evacuated_by_peak") == "99.2% [97.7% – 100.0%]"


def test_minutes_shares_and_censored_times():
    assert formatting.value(42.26, "t90_min") == "42.3"
    assert formatting.minutes(42.26) == "42.3 min"
    assert formatting.value(0.8812, "frac_mustered_60min") == "88.1%"
    assert formatting.value(1618.0, "responders_on_duty") == "1,618"
    assert formatting.later_than(240.0) == "> 240 min"
    assert formatting.not_reached(0, 100) == "not reached (0/100)"
    assert formatting.value(math.nan, "ete90_min") == "not applicable"
    censored = {"n": 100, "n_reached": 2, "reached": 0.02, "horizon_min": 240.0,
                "mean": None, "p5": None, "p5_censored": True, "p50": None,
                "p50_censored": True, "p95": None, "p95_censored": True}
    assert formatting.cell(censored, "ete90_min") == (
        "median > 240 min, reached in 2/100 replications (2.0%)")
    assert formatting.signed(-20.0, "responders_on_duty") == "−20"


def test_a_difference_of_a_few_people_is_written_to_a_tenth():
    """Rounded to whole people, this read "1 fewer people ... (95 % CI -1 to 0)": an interval
    that seems to hold no difference, for a difference that is significant."""
    from sim.present.verdicts import verdict
    from sim.run.stats import PairedDifference

    few = verdict("stranded", "baseline", "more_workers",
                  PairedDifference(-0.6, -1.4, -0.2, 60, 60))
    assert "0.6 fewer" in few and "95 % CI −1.4 to −0.2" in few, few
    many = verdict("stranded", "baseline", "late", PairedDifference(287.4, 250.6, 324.2, 60, 60))
    assert "287 more" in many and "95 % CI 251 to 324" in many, many
    whole = verdict("stranded", "a", "b", PairedDifference(2.0, 1.0, 3.0, 60, 60))
    assert "2 more" in whole and "95 % CI 1 to 3" in whole, whole  # (whole numbers stay so)
    none = verdict("stranded", "a", "b", PairedDifference(-0.04, -0.3, 0.2, 60, 60))
    assert "mean difference 0.0, 95 % CI −0.3 to 0.2" in none, none  # (never "-0.0")


def test_a_difference_table_entry_of_a_few_people_is_written_to_a_tenth():
    """The tables, reports and dashboard write the same difference the same way as the
    verdict: "−0.6 [−1.2 – −0.1]", not "−1 [−1 – 0]"."""
    small = {"mean": -0.6, "ci95_low": -1.2, "ci95_high": -0.1, "n": 60, "pairs": 60}
    assert formatting.difference(small, "stranded") == "−0.6 [−1.2 – −0.1]"
    large = {"mean": 287.4, "ci95_low": 250.6, "ci95_high": 324.2, "n": 60, "pairs": 60}
    assert formatting.difference(large, "stranded") == "+287 [+251 – +324]"
    share = {"mean": 0.004, "ci95_low": 0.001, "ci95_high": 0.007, "n": 60, "pairs": 60}
    assert not formatting.few("frac_mustered_60min", share)  # (shares keep their percent)
    assert not formatting.few("stranded", {"mean": None, "ci95_low": 0, "ci95_high": 1})
    assert formatting.signed(-0.04, "stranded", tenths=True) == "0.0"


def test_the_excel_differences_of_a_few_people_show_tenths_too():
    """The workbook's paired-difference cells keep full values; their number format shows the
    tenth where the verdict beside them does (a whole-number format would show -1, 0)."""
    import io

    from openpyxl import load_workbook

    from sim.core.scenario import load_scenario
    from sim.present.excel import results_xlsx
    from sim.run.experiments import compare

    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "rainstorm_yangning.yaml")
    result = compare(s, ["baseline", "more_workers"], 30, seed=1).as_dict()
    ws = load_workbook(io.BytesIO(results_xlsx(result)))["Paired differences"]
    rows = {(r[1].value, r[2].value): r for r in ws.iter_rows(min_row=2)}
    seen = 0
    for (metric, pair), row in rows.items():
        d = result["differences"][metric][pair]
        want = "#,##0.0" if formatting.few(metric, d) else None
        if want:
            seen += 1
            assert [c.number_format for c in row[3:6]] == [want] * 3, (metric, d)
        else:
            assert row[3].number_format != "#,##0.0", (metric, d)
    assert seen, "no difference of a few people in this comparison"  # (the case at issue)


def test_a_mean_of_a_few_people_is_written_to_a_tenth():
    # Yangning: 0.4 people stranded on average was "0 (0–3)" in the table and "0.4 on
    # average" in the findings beside it.
    d = {"mean": 0.4, "ci95_low": -0.1, "ci95_high": 0.9, "p5": 0, "p95": 3, "n": 40}
    assert formatting.cell(d, "stranded") == "0.4 (0–3)"
    assert formatting.mean_ci(d, "stranded") == "0.4 [0.0 – 0.9]"
    whole = {**d, "mean": 2.0, "ci95_low": 1.0, "ci95_high": 3.0}
    assert formatting.mean_ci(whole, "stranded") == "2 [1 – 3]"
    many = {**d, "mean": 1556.4, "ci95_low": 1550.2, "ci95_high": 1561.7}
    assert formatting.mean_ci(many, "mustered_60min") == "1,556 [1,550 – 1,562]"
    assert formatting.mean_ci({**d, "mean": 0.4}, "frac_mustered_60min").startswith("40.0%")


def test_one_rule_for_a_few_people_in_means_and_differences():
    """``few`` decides for a summary and for a difference alike: a whole mean of 2 whose
    interval runs 1.2 to 2.8 is written to a tenth (not "2 [1 – 3]"), and a mean without an
    interval (one replication) by itself."""
    d = {"mean": 2.0, "ci95_low": 1.2, "ci95_high": 2.8, "p5": 1, "p95": 3, "n": 40}
    assert formatting.mean_ci(d, "stranded") == "2.0 [1.2 – 2.8]"
    alone = {"mean": 0.4, "p5": 0, "p95": 1, "n": 1}
    assert formatting.cell(alone, "stranded") == "0.4 (0–1)"
    assert formatting.few("stranded", d) and formatting.few("stranded", alone)
    assert not formatting.few("stranded", {**d, "mean": 12.0, "ci95_low": 10.5, "ci95_high": 13.5})
    assert not formatting.few("t90_min", d)  # (minutes have their tenth anyway)
    # Yanguan: 267 people turned away, interval cut at 0, read "267.2 [0.0 – 828.8]".
    cut = {"mean": 267.2, "ci95_low": 0.0, "ci95_high": 828.8, "p5": 0, "p95": 1003, "n": 4}
    assert formatting.mean_ci(cut, "turned_away") == "267 [0 – 829]"
    # A significant difference whose bound would round to 0 keeps its tenth.
    near = {"mean": 12.4, "ci95_low": 0.3, "ci95_high": 24.5, "n": 40, "pairs": 40}
    assert formatting.difference(near, "stranded") == "+12.4 [+0.3 – +24.5]"


def test_amounts_and_signed_differences_carry_their_unit_once():
    assert formatting.signed(15.54, "t90_min") == "+15.5 min"
    assert formatting.signed(-15.54, "t90_min", unit=False) == "−15.5"
    assert formatting.signed(0.5, "stranded", tenths=True) == "+0.5"  # (not taken for a zero)
    assert formatting.signed(0.0, "stranded") == "0"
    assert formatting.amount(-0.168, "frac_mustered_60min") == "−16.8 percentage points"
    assert formatting.amount(0.168, "frac_mustered_60min", unit=False) == "16.8"
    assert formatting.signed(0.0004, "frac_mustered_60min") == "0.0 percentage points"
    assert formatting.amount(1234.4, "mustered_60min") == "1,234"


def test_a_verdict_writes_its_interval_with_the_unit_once():
    from sim.present.verdicts import verdict
    from sim.run.stats import PairedDifference

    late = verdict("t90_min", "baseline", "night", PairedDifference(15.5, 12.0, 19.0, 40, 40))
    assert "night is 15.5 min longer than baseline (95 % CI 12.0 to 19.0 min" in late, late
    share = verdict("frac_mustered_60min", "baseline", "night",
                    PairedDifference(-0.168, -0.2, -0.136, 40, 40))
    assert "16.8 percentage points" in share and "CI −20.0 to −13.6 percentage points" in share


def test_a_measure_the_same_in_every_replication_is_said_to_be_the_same():
    """Residents at risk are the storm's, not the plan's: "no significant difference (mean
    difference 0, 95 % CI 0 to 0)" read as if it had been tested and might differ."""
    from sim.present.verdicts import verdict
    from sim.run.stats import PairedDifference

    same = verdict("at_risk", "baseline", "more_workers", PairedDifference(0.0, 0.0, 0.0, 40, 40))
    assert same == "residents at risk: the same in more_workers as in baseline in every " \
                   "replication (40 of 40)", same
    close = verdict("at_risk", "baseline", "more_workers", PairedDifference(0.0, -0.5, 0.5, 40, 40))
    assert close.startswith("no significant difference"), close


def test_a_difference_the_same_in_every_pair_reads_so_in_tables_and_verdict_lists():
    """The paired table read "0 [0 – 0] · no significant difference" for residents at risk; a
    sum of every pair being equal is not a test that might have failed."""
    from dashboard.results import differences_frame, pair_verdict
    from sim.run.stats import PairedDifference

    same = PairedDifference(0.0, 0.0, 0.0, 40, 40).as_dict()
    moved = PairedDifference(-2.5, -4.9, -0.1, 40, 40).as_dict()
    data = {"differences": {"at_risk": {"more_workers - baseline": same},
                            "stranded": {"more_workers - baseline": moved}}}
    assert formatting.difference(same, "at_risk") == "the same in every replication (40 of 40)"
    frame = differences_frame(data, ["at_risk", "stranded"])
    cells = frame["more_workers vs baseline"].tolist()
    assert cells[0] == "the same in every replication (40 of 40)", cells
    assert cells[1].endswith(" · better"), cells
    said = pair_verdict(data, "more_workers - baseline", ["at_risk", "stranded"])
    assert "the same in every replication: residents at risk" in said, said
    assert "no significant difference" not in said, said


def test_pairs_counted_in_words_not_statistical_shorthand():
    d = {"mean": -9.7, "ci95_low": -13.1, "ci95_high": -6.4, "n": 37,
                "pairs": 40}
    text = formatting.difference(d, "ete50_min")
    assert text.endswith(", both reached in 37 of 40 replications"), text
    assert "n =" not in formatting.difference(d, "stranded") and \
        formatting.difference(d, "stranded").endswith("both apply in 37 of 40 replications")


def test_measures_no_plan_changes_are_neither_better_nor_worse():
    from dashboard.results import metrics_table
    from sim.core.catalogue import info

    assert all(info(m).neutral for m in ("at_risk", "at_risk_households", "vulnerable",
                                         "water_peak_min"))
    summaries = [{"plan": p, "metrics": {"at_risk": {"mean": 374, "ci95_low": 374,
                                                     "ci95_high": 374, "n": 10},
                                         "stranded": {"mean": 2.5, "ci95_low": 0.1,
                                                      "ci95_high": 4.9, "n": 10}}}
                 for p in ("baseline", "more_workers")]
    table = metrics_table(summaries, ["at_risk", "stranded"])
    assert table["better when"].tolist() == ["neither (not the plan's choice)", "lower"]


def test_a_measure_equal_in_every_replication_is_written_once_in_words():
    every = {"mean": 374.0, "std": 0.0, "ci95_low": 374.0, "ci95_high": 374.0, "n": 10}
    assert formatting.mean_ci(every, "at_risk") == "374 (the same in every replication)"
    one = {**every, "n": 1, "ci95_low": None, "ci95_high": None}
    assert formatting.mean_ci(one, "at_risk") == "374"
    varied = {**every, "std": 3.0, "ci95_low": 372.0, "ci95_high": 376.0}
    assert formatting.mean_ci(varied, "at_risk") == "374 [372 – 376]"
