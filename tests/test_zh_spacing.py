"""Chinese text around filled-in values: a space where a Chinese character meets a Latin letter
or digit, none added between Chinese characters, and plan names in running prose set off by
quotation marks instead of spaces (a translator cannot know whether a plan's name is a key
such as ``more_workers`` or Chinese such as 网格员增至 30 人)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sim.present.i18n import spaced, use_lang
from sim.present.verdicts import verdict
from sim.run.stats import PairedDifference

HAN = "\u4e00-\u9fff"
han = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=6)
latin = st.text(st.sampled_from("abcXYZ0123456789_"), min_size=1, max_size=6)


def test_a_space_where_a_character_meets_a_digit_and_none_between_characters():
    template = "{b}的{phrase}比{a}{more}{amount}"
    got = spaced(template, {"b": "甲", "phrase": "60 分钟内集结人数", "a": "乙", "more": "多",
                            "amount": "287 人"})
    assert got == "甲的 60 分钟内集结人数比乙多 287 人"
    got = spaced(template, {"b": "night", "phrase": "集结人数", "a": "baseline", "more": "少",
                            "amount": "3"})
    assert got == "night 的集结人数比 baseline 少 3"


def test_the_templates_own_spaces_formats_and_braces_are_kept():
    assert spaced("共 {n} 人，{x:.1f}个{{单位}}", {"n": 3, "x": 2.25}) == "共 3 人，2.2 个{单位}"
    assert spaced("{v!r}项", {"v": "a"}) == "'a'项"  # (the quote, not a letter, meets 项)


def test_a_path_is_left_as_it_is():
    assert spaced("已写入{path}", {"path": "报告1/report.html"}) == "已写入报告1/report.html"
    assert spaced("文件{path}已存在", {"path": "C:\\数据\\x1"}) == "文件C:\\数据\\x1已存在"


@given(st.lists(st.one_of(han, latin), min_size=1, max_size=4),
       st.lists(st.one_of(han, latin, st.just("，")), min_size=2, max_size=5))
def test_only_spaces_are_added_and_only_between_a_character_and_a_letter(values, literals):
    template = "".join(f"{lit}{{v{k}}}" for k, lit in enumerate(literals[:len(values)]))
    template += literals[-1]
    params = {f"v{k}": v for k, v in enumerate(values)}
    got, plain = spaced(template, params), template.format(**params)
    assert got.replace(" ", "") == plain.replace(" ", "")
    for m in re.finditer(" ", got):
        if " " not in plain:  # every space in the result was added
            a, b = got[m.start() - 1], got[m.end()]
            assert bool(re.match(f"[{HAN}]", a)) != bool(re.match(f"[{HAN}]", b))
    assert not re.search(f"[{HAN}][A-Za-z0-9]|[A-Za-z0-9][{HAN}]", got)


def test_a_verdict_in_chinese_quotes_the_plans_and_spaces_the_numbers():
    d = PairedDifference(mean=28.0, ci95_low=23.0, ci95_high=32.0, n=20, pairs=20)
    with use_lang("zh"):
        text = verdict("evacuated_60min", "按报道处置", "网格员增至 30 人", d)
    assert text.startswith("“网格员增至 30 人”的 60 分钟内"), text
    assert "比“按报道处置”多 28" in text, text
    with use_lang("en"):
        assert verdict("evacuated_60min", "baseline", "more_workers", d).startswith(
            "more_workers has 28 more")


def test_a_measure_and_its_unit_read_as_one_bracket_in_chinese():
    """The dashboard's measure names: a phrase that already ends in brackets takes its unit
    inside them (检查点排队等候时间（第 95 百分位，分钟）, not …（第 95 百分位）（分钟）), and a unit the
    phrase already names is not said twice (在岗处置人员（人）)."""
    from dashboard.results import measure
    from sim.core.kind import kind_named

    bundled = [m for kind in ("muster", "evacuation", "festival")  # (not a test's own kind)
               for m in kind_named(kind).metrics]
    with use_lang("zh"):
        names = {m: measure(m) for m in bundled}
    assert names["wait_p95_min"] == "检查点排队等候时间（第 95 百分位，分钟）"
    assert names["mustered_60min"] == "60 分钟内集结人数（人）"
    assert not [n for n in names.values() if "）（" in n or ") (" in n or "人，人" in n], names
    assert not [n for n in names.values() if re.search(r"[A-Za-z]{3,}", n.replace(
        "Fruin", ""))], names
    with use_lang("en"):
        assert measure("wait_p95_min") == "95th-percentile checkpoint wait (minutes)"
