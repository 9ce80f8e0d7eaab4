"""The command line's tables lead with the metric's plain phrase in every language, and never
cut off a number or a plan name, however narrow the console."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from sim.cli import common
from sim.present.i18n import use_lang


def summaries(plans: list[str]) -> list[dict]:
    def m(mean: float, lo: float, hi: float) -> dict:
        return {"mean": mean, "p5": lo, "p95": hi, "n": 40}

    return [{"scenario": "Town", "replications": 40, "seed": 1, "plan": p,
             "plan_zh": ZH.get(p, ""),
             "metrics": {"at_risk": m(102_869.0, 101_950.0, 103_781.0),
                         "frac_evacuated_60min": m(0.286, 0.282, 0.291)}} for p in plans]


PLANS = ["baseline", "chixi_reinforcement", "extra_militia", "county_team", "exercise"]
# Duhu's plans' Chinese names (as its scenario file names them), the last one left unnamed.
ZH = {"baseline": "突击队全部留守", "chixi_reinforcement": "抽调 20 人增援赤溪（报道）",
      "extra_militia": "沿河村增派民兵分队", "county_team": "增援赤溪，县救援队驰援"}


def rendered(width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(common.out_console, "width", width)
    table = common.summary_table(summaries(PLANS), ["at_risk", "frac_evacuated_60min"])
    out = Console(file=io.StringIO(), width=width, record=True)
    out.print(table)
    return out.export_text()


@pytest.mark.parametrize("width", [140, 110, 80])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_number_or_plan_name_is_cut_off(width, lang, monkeypatch):
    with use_lang(lang):
        text = rendered(width, monkeypatch)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    for plan in PLANS:  # (a Chinese name is found whole once the table's borders are gone)
        shown = ZH.get(plan, plan) if lang == "zh" else plan
        assert shown in text if lang == "en" else shown.replace(" ", "") in re.sub(
            r"[\s│┃┏┓┗┛━─┡┩]", "", text), (shown, text)
    # Every cell's words whole: mean and range, in every plan's column.
    assert text.count("102,869") == len(PLANS) and text.count("(101,950–103,781)") == len(PLANS)
    assert text.count("(28.2%–29.1%)") == len(PLANS)


def test_the_plain_phrase_leads_in_english_too(monkeypatch):
    text = rendered(140, monkeypatch)
    assert "residents at risk (at_risk)" in text
    with use_lang("zh"):
        assert "受威胁群众人数 (at_risk)" in rendered(140, monkeypatch)


def test_plans_that_do_not_fit_go_to_a_next_table():
    assert common.fitting_groups([10, 10, 10], 20, 80) == [[0, 1, 2]]
    # room = 80 − 20 − 4 = 56: 13 + 13 + 13 + 13 = 52 fit, the fifth does not.
    assert common.fitting_groups([10] * 5, 20, 80) == [[0, 1, 2, 3], [4]]
    assert common.fitting_groups([100, 5], 20, 80) == [[0], [1]]  # too wide alone: on its own


def test_a_long_censored_cell_wraps_at_spaces_within_a_narrow_console(monkeypatch):
    t90 = {"n": 40, "n_reached": 17, "horizon_min": 120.0, "p50": None, "p50_censored": True,
           "p5": 7.5, "p5_censored": False, "p95": None, "p95_censored": True}
    s = [{"scenario": "Town", "replications": 40, "seed": 1, "plan": "baseline",
          "metrics": {"t90_min": t90}}]
    monkeypatch.setattr(common.out_console, "width", 80)
    out = Console(file=io.StringIO(), width=80, record=True)
    out.print(common.summary_table(s, ["t90_min"]))
    text = out.export_text()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    words = " ".join(line.split("│")[2].strip() for line in text.splitlines() if "│" in line)
    assert "median > 120 min (7.5 – > 120 min), reached in 17/40 replications (42.5%)" \
        in " ".join(words.split())
