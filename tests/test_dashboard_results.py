"""The first screen's pure pieces: objectives met/missed, the pair verdict, the tables."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from dashboard.results import (  # noqa: E402
    decision_metrics,
    differences_frame,
    metrics_table,
    objectives_table,
    pair_verdict,
    replications_text,
)


def _stat(mean, lo, hi, p5, p95, n=10):
    return {"mean": mean, "ci95_low": lo, "ci95_high": hi, "p5": p5, "p50": mean, "p95": p95,
            "n": n}


def _data():
    objective = {"description": "1,500 within the hour", "metric": "mustered_60min",
                 "at_least": 1500.0, "statistic": "p50"}
    plans = {
        "a": {"plan": "a", "objectives": [objective], "metrics": {
            "mustered_60min": _stat(1556.4, 1550, 1561, 1540, 1570),
            "stranded": _stat(3.0, -2.0, 8.0, 0.0, 9.0)}},
        "b": {"plan": "b", "objectives": [objective], "metrics": {
            "mustered_60min": _stat(1265.0, 1256, 1274, 1239, 1292),
            "stranded": _stat(3.5, -1.0, 8.0, 0.0, 9.0)}},
    }
    diffs = {"mustered_60min": {"b - a": {"mean": -291.4, "ci95_low": -300, "ci95_high": -283,
                                          "n": 10, "pairs": 10, "significant": True}},
             "stranded": {"b - a": {"mean": 0.5, "ci95_low": -1, "ci95_high": 2, "n": 10,
                                    "pairs": 10, "significant": False}}}
    return {"kind": "muster", "replications": 10, "seed": 1, "plans": plans,
            "differences": diffs}


def test_objectives_met_and_missed_with_statistic_and_band():
    frame = objectives_table(list(_data()["plans"].values()))
    assert list(frame["target"]) == ["people mustered by 60 min (median) ≥ 1,500"]
    assert frame["a"][0] == "met: 1,556 (5–95 %: 1,540 – 1,570)"
    assert frame["b"][0] == "MISSED: 1,265 (5–95 %: 1,239 – 1,292)"


def test_pair_verdict_names_better_worse_and_not_significant():
    text = pair_verdict(_data(), "b - a", ["mustered_60min", "stranded"])
    assert text == ("**b** is worse than a on people mustered by 60 min (−291); no significant "
                    "difference in people stranded in the flood-prone area at the end.")


def test_tables_have_measures_as_rows_and_counts_clipped_at_zero():
    data = _data()
    frame = metrics_table(list(data["plans"].values()), ["mustered_60min", "stranded"])
    assert list(frame.columns) == ["measure", "a", "b", "better when"]
    assert frame["a"][1] == "3 [0 – 8]"  # a count's CI never below 0
    diffs = differences_frame(data, ["mustered_60min", "stranded"])
    assert diffs["b vs a"][0] == "−291 [−300 – −283] · worse"
    assert diffs["b vs a"][1].endswith("· no significant difference")


def test_words():
    assert replications_text(1) == "1 replication"
    assert replications_text(1500) == "1,500 replications"
    assert decision_metrics(_data()) == ("mustered_60min",)


def test_a_figure_is_drawn_again_in_another_language():
    # The figure cache is shared by every session: a chart drawn in 中文 must not be shown on
    # an English page (nor the reverse).
    import matplotlib.pyplot as plt

    from dashboard.results import show_figure
    from sim.present.i18n import current_lang, use_lang

    drawn = []

    def make():
        drawn.append(current_lang())
        return plt.figure(figsize=(1, 1))

    for lang in ("en", "zh", "en", "zh"):
        with use_lang(lang):
            show_figure(("test figure", id(drawn)), make, show=False)
    assert drawn == ["en", "zh"]


def test_a_time_compared_by_order_is_judged_by_who_was_later():
    # Only b reached the time in most pairs, and where both did b was a little later: the
    # order (b earlier in 30 of 40) decides, not the mean over the few pairs (+2 min).
    from sim.run.stats import paired_difference

    inf = float("inf")
    a = [100.0] * 10 + [inf] * 30
    b = [102.0] * 10 + [110.0] * 30
    d = paired_difference(a, b).as_dict()
    data = {"differences": {"t90_min": {"b - a": d}}}
    text = pair_verdict(data, "b - a", ["t90_min"])
    assert text.startswith("**b** is better than a on minutes to muster 90 % of the roster "
                           "(later in 10 of 40, earlier in 30)"), text


def test_a_verdict_from_one_replication_says_it_is_too_few():
    """The first results of an evacuation come from one replication: no interval, so 'b and a
    do not differ significantly' claimed what one replication cannot show."""
    data = _data()
    for m, mean in (("mustered_60min", -291.4), ("stranded", 0.5)):
        data["differences"][m]["b - a"] = {"mean": mean, "ci95_low": None, "ci95_high": None,
                                           "n": 1, "pairs": 1, "significant": False}
    assert pair_verdict(data, "b - a", ["mustered_60min", "stranded"]) == \
        "**b** against a: too few replications to judge yet."
    data = _data()  # one measure judged, the other from too few (the same in 3 pairs)
    data["differences"]["stranded"]["b - a"] = {"mean": 2.0, "ci95_low": None,
                                                "ci95_high": None, "n": 3, "pairs": 3,
                                                "significant": False}
    assert pair_verdict(data, "b - a", ["mustered_60min", "stranded"]) == (
        "**b** is worse than a on people mustered by 60 min (−291); too few replications to "
        "judge people stranded in the flood-prone area at the end.")
