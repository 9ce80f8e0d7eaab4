"""The Plans page draws each random delay of the plan (and group sizes): the curve is the
delay's own inverse CDF, so its median and 90th percentile are the numbers the scenario gives
(analytic oracles below), and every delay of every bundled plan is named in words."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.core.kind import kind_named
from sim.core.planedit import resolved
from sim.core.scenario import load_scenario
from sim.present.delay_plots import delays_figure, random_delays
from sim.present.i18n import use_lang
from tests.helpers import ROOT, opened

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _delays(path: Path, plan: str | None = None) -> list:
    s = load_scenario(path)
    return random_delays(s.kind, resolved(s.raw, plan or s.plan_names()[0]).get(s.kind.name)
                         or {})


def _triangular_quantile(low: float, mode: float, high: float, q: float) -> float:
    # The inverse of the triangular CDF, written out from its definition.
    c = (mode - low) / (high - low)
    if q < c:
        return low + math.sqrt(q * (high - low) * (mode - low))
    return high - math.sqrt((1 - q) * (high - low) * (high - mode))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_each_delay_shows_the_median_and_90th_percentile_the_scenario_gives(path: Path):
    delays = _delays(path)
    for d in delays:
        median, p90 = d.quantiles([0.5, 0.9])
        spec = d.spec
        if spec.dist == "lognormal":  # given by its median and 90th percentile
            assert median == pytest.approx(spec.median, rel=1e-12)
            assert p90 == pytest.approx(spec.p90, rel=1e-12)
        elif spec.dist == "triangular":
            for q, got in ((0.5, median), (0.9, p90)):
                assert got == pytest.approx(
                    _triangular_quantile(spec.low, spec.mode, spec.high, q), rel=1e-12)
        elif spec.dist == "exponential":
            assert median == pytest.approx(spec.mean_min * math.log(2), rel=1e-12)
            assert p90 == pytest.approx(spec.mean_min * math.log(10), rel=1e-12)
        elif spec.dist == "empirical":  # n values, each drawn with chance 1/n, in order
            values = sorted(spec.values)
            for q, got in ((0.5, median), (0.9, p90)):
                below = sum(v < got for v in values) / len(values)
                at_most = sum(v <= got for v in values) / len(values)
                assert below <= q <= at_most  # the q-quantile of the n values
        assert d.spec.dist != "fixed"  # nothing to draw: its value is in the table
        assert d.where and d.what and not d.what.startswith(("dist", "median"))


def test_every_bundled_plan_has_its_delays_named_in_both_languages():
    for path in SCENARIOS:
        s = load_scenario(path)
        for plan in s.plan_names():
            for lang in ("en", "zh"):
                with use_lang(lang):
                    for d in _delays(path, plan):
                        said = f"{d.where} {d.what}"
                        assert "_" not in said, (path.name, plan, said)  # no code names
                        if lang == "zh":
                            assert any("\u4e00" <= c <= "\u9fff" for c in said), said


def test_the_drawn_curve_crosses_half_at_the_median():
    d = next(x for x in _delays(ROOT / "scenarios" / "muster_youchegang.yaml")
             if x.path == ("preparation",))
    assert (d.spec.median, d.spec.p90) == (8, 20)
    fig = delays_figure([d])
    x, y = (np.asarray(v, dtype=float) for v in fig.axes[0].lines[0].get_data())
    assert np.all(np.diff(y) >= 0) and np.all(np.diff(x) >= 0)  # a distribution function
    assert np.interp(0.5, y, x) == pytest.approx(8, rel=2e-3)
    assert np.interp(0.9, y, x) == pytest.approx(20, rel=2e-3)
    dashed = sorted(float(line.get_xdata()[0]) for line in fig.axes[0].lines[1:])
    assert dashed == pytest.approx([8, 20], rel=1e-12)
    assert "half within 8 min; 9 in 10 within 20 min" in fig.axes[0].get_title()


def test_the_plans_page_draws_the_spreads_only_while_open():
    """Closed, the section draws nothing (a festival's charts took ~5 s, at every edit of the
    Plans page); opened, the words and the charts; the same picture again from the cache."""
    at = opened("rainstorm_duhu.yaml", "Plans")
    shown = [e for e in at.expander if e.label.startswith("How the random settings of")]
    assert [e.label for e in shown] == ["How the random settings of baseline are spread (8)"]
    assert not shown[0].children  # closed: nothing drawn
    at.session_state["spreads::baseline"] = True  # as a click on the section's title does
    at.run()
    shown = [e for e in at.expander if e.label.startswith("How the random settings of")]
    kinds = [type(c).__name__ for c in shown[0].children.values()]
    assert kinds == ["Caption", "Image"], kinds  # the words, then the drawn charts
    first = shown[0].children[1].proto.imgs[0].url
    at.run()
    again = [e for e in at.expander if e.label.startswith("How the random settings of")]
    assert again[0].children[1].proto.imgs[0].url == first


def test_observed_values_in_any_order_are_drawn_in_ascending_order():
    kind = kind_named("festival")
    section = {"modes": {"rail": {"group_size": {"dist": "empirical",
                                                 "values": [5, 1, 3, 1, 2]}}}}
    (d,) = random_delays(kind, section)
    assert list(d.quantiles([0.1, 0.3, 0.5, 0.7, 0.9])) == [1, 1, 2, 3, 5]
    x, y = delays_figure([d]).axes[0].lines[0].get_data()
    assert np.all(np.diff(np.asarray(x, dtype=float)) >= 0)
