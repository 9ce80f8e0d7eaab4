"""The robustness chart shows every sample: on whole-number assumptions many samples share a
point, and one colour drawn over the other would hide how many met the objectives there."""

from __future__ import annotations

from sim.present.sensitivity_plots import _points, robustness_figure


def result(samples, fails, whole=True):
    fs = [{"path": f"forces.{r}.per_grid", "label": r, "low": 1, "high": 3, "whole": whole}
          for r in ("a", "b")]
    return {"assumptions": fs, "samples": samples,
            "plans": {"baseline": {"fails": fails, "fail_share": sum(fails) / len(fails),
                                   "boxes": []}}}


# 6 samples on 2 points: (1, 2) three times, 1 met; (2, 3) three times, all met.
SAMPLES = [[1, 2], [1, 2], [1, 2], [2, 3], [2, 3], [2, 3]]
FAILS = [1, 0, 1, 0, 0, 0]


def test_samples_on_one_point_are_counted_with_how_many_met():
    assert _points(SAMPLES, FAILS, 0, 1) == {(1, 2): (3, 1), (2, 3): (3, 3)}


def test_shared_points_are_labelled_met_of_samples_with_whole_ticks():
    fig = robustness_figure(result(SAMPLES, FAILS), "baseline")
    ax = fig.axes[0]
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == ["1/3", "3/3"]
    for ticks in (ax.get_xticks(), ax.get_yticks()):
        assert all(float(t).is_integer() for t in ticks), ticks
    assert len(fig.axes) == 2  # the colour bar of the share met


def test_distinct_samples_keep_the_two_colour_scatter():
    fig = robustness_figure(result([[1.1, 2.2], [1.5, 2.9]], [0, 1], whole=False), "baseline")
    ax = fig.axes[0]
    assert not ax.texts and len(fig.axes) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["objectives met", "missed"]
