"""The verification cases' own texts in 中文: every case's title, group, source, setup and
tolerance has a translation, and the ``gridmuster verify`` table and its report read Chinese
(standards' and authors' names, formulas and file names aside)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from rich.console import Console

from sim.present.i18n import catalogue, use_lang
from sim.verify.case import broken, run_case
from sim.verify.library import library
from sim.verify.report import render
from sim.verify.runner import Verification, verify
from sim.verify.validation import FieldCase, band, count

# Proper names, formulas and codes that stay as written in a Chinese report.
NAMES = ("IMO", "MSC", "Circ", "RiMEA", "NIST", "NUREG", "Erlang", "SFPE", "HCM", "Fruin",
         "Pregnolato", "SimPy", "numpy", "Hyndman", "Fan", "Westfall", "Young", "max-T",
         "Binomial", "HSEEP", "ASSUMED", "gridmuster", "field-data.md", "parameters.md",
         "scenarios/*.yaml", "Monte", "Carlo", "App", "SCENARIO", "run", "imo", "Little")
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
CHEAP = ("movement.imo-corridor", "routing.assigned-point", "delays.fixed-start-times",
         "flows.fruin-los", "queues.lane-closure-backlog", "statistics.censored-percentiles")


def english(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    text = re.sub(r"`[^`]*`", "", text)  # what a planner types: `{dist: exponential, …}`
    for name in sorted((*NAMES, *allowed), key=len, reverse=True):
        text = text.replace(name, "")
    return WORD.findall(text)


def test_every_case_text_has_a_chinese_translation():
    zh = catalogue("zh")
    cases = library()
    assert len(cases) >= 38
    missing = sorted({f"{c.id}: {t!r}" for c in cases
                      for t in (c.title, c.group, c.source, c.setup, c.tolerance_why)
                      if not zh.get(t)})
    assert not missing, "case texts without 中文 (add them to verify.po):\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def chinese_run() -> Verification:
    cases = [c for c in library() if c.id in CHEAP]
    assert len(cases) == len(CHEAP)
    with use_lang("zh"):
        v = verify(cases, quick=True, with_validation=False)
        runs = np.array([1400.0, 1500.0, 1550.0, 1600.0] * 5)
        field = FieldCase("油车港镇一小时集结演练", "muster_youchegang.yaml", "baseline",
                          "field-data.md", [band(runs, 1500, True, "60 分钟内集结人数", "人"),
                                            count("二级网格", 26, 26)], [], 20)
    return Verification(v.quick, v.results, [field], v.seconds)


def test_the_verify_table_is_chinese(chinese_run):
    from sim.cli.verify import _table

    console = Console(width=200, record=True)
    with use_lang("zh"):
        console.print(_table(chinese_run))
    text = console.export_text()
    assert "一人以 1.0 米/秒走完 40 米道路，用时 40 秒" in text  # a case title
    assert "走完 40 米道路的时间" in text and "40 ± 0.5 秒" in text  # a check, with its unit
    assert "恰为 0 人" in text  # "exactly 0 people"
    ids = tuple(c.id for c in library())
    assert not english(text, ids), english(text, ids)


def test_the_report_is_chinese(chinese_run):
    with use_lang("zh"):
        html = render(chinese_run)
    assert "<html lang='zh-CN'>" in html
    assert "设置。" in html and "容差及理由。" in html and "验证了什么" in html
    assert "来源：IMO MSC.1/Circ.1533 附件 2" in html
    assert "75% 的重复仿真达到至少 1,500 人" in html and "与报告一致" in html
    prose = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)  # figures: checked elsewhere
    prose = re.sub(r"<style>.*?</style>|<[^>]+>", " ", prose, flags=re.S)
    ids = (*(c.id for c in library()), "muster_youchegang.yaml", "baseline")  # file, plan
    assert not english(prose, ids), sorted(set(english(prose, ids)))
    # the same run in English is English (the check above can fail)
    with use_lang("en"):
        en = render(chinese_run)
    assert "What is verified" in en and english(re.sub(r"<[^>]+>", " ", en))


def test_a_broken_case_is_named_in_chinese_too():
    from sim.verify.text import title

    c = next(c for c in library() if c.id == "movement.imo-corridor")
    with use_lang("zh"):
        assert title(broken(c)) == "一人以 1.0 米/秒走完 40 米道路，用时 40 秒（故意设置的错误预期）"
    assert title(broken(c)).endswith(" (deliberately wrong expectation)")


def test_imo_lines_in_chinese():
    from sim.verify.imo import assess

    with use_lang("zh"):
        lines = assess("t90_min", np.linspace(20, 40, 100)).lines()
    assert lines[0].startswith("IMO MSC.1/Circ.1533：100 次重复仿真中 t90_min 的第 95 百分位数")
    assert "每批 50 次后：" in lines[1] and "收敛：未收敛（最后一批使其变化" in lines[2]
    assert not english("\n".join(lines), ("t90_min",))


def test_case_results_in_english_are_unchanged_in_shape():
    c = next(c for c in library() if c.id == "movement.imo-corridor")
    from sim.verify.case import Context

    with use_lang("en"):
        r = run_case(c, Context(quick=True, workdir=__import__("pathlib").Path(".")))
    assert r.checks[0].quantity == "walking time over the 40 m road"
