"""中文 output: the command line, validation messages, the report (autoescaped) and figures whose
Chinese glyphs come from the font shipped with the project."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings

import pytest

from sim.present.i18n import normalise, use_lang
from tests.helpers import BUNDLED, ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "GRIDMUSTER_LANG"} | (env or {})
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env=environ)


def test_language_names_are_normalised():
    assert [normalise(x) for x in ("zh_CN", "zh-Hans", "ZH", "en_GB", "fr", None, "")] == \
        ["zh", "zh", "zh", "en", "en", "en", "en"]


def test_validation_keeps_the_field_path_and_translates_the_phrase(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BUNDLED.read_text(encoding="utf-8").replace(
        "forces:\n", "forces:\n  militia: {count: 1000000000000}\n", 1), encoding="utf-8")
    r = cli("--lang", "zh", "validate", str(bad))
    assert r.returncode == 2, r.stdout
    assert "forces.militia.count：至多 1,000,000（实际 1000000000000）" in r.stderr
    r = cli("validate", str(bad), env={"GRIDMUSTER_LANG": "zh_CN"})
    assert "forces.militia.count：至多 1,000,000" in r.stderr
    r = cli("--lang", "en", "validate", str(bad), env={"GRIDMUSTER_LANG": "zh"})
    assert "forces.militia.count: at most 1,000,000 (got 1000000000000)" in r.stderr
    r = cli("--lang", "xx", "validate", str(bad))
    assert r.returncode == 2 and "--lang" in r.stderr


def test_compare_in_chinese_names_metrics_and_verdicts_in_chinese(tmp_path):
    r = cli("--lang", "zh", "compare", str(BUNDLED), "--plans", "baseline,night", "--reps", "3",
            "--no-store", "--out", str(tmp_path / "cmp"))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "60 分钟内集结人数 (mustered_60min)" in out  # the phrase, code name beside it
    # (the plans by their Chinese names: baseline 白天集结（报道的演练）, night 夜间集结)
    assert "与“白天集结（报道的演练）”的配对差异" in out
    assert "“夜间集结”的 60 分钟内集结人数比“白天集结（报道的演练）”少 " in out
    assert "baseline" not in out and "night" not in out
    assert "油车港" in out  # the scenario's name_zh
    for english in ("replications, seed", "Paired differences", "people mustered",
                    "has ", "fewer", "wrote "):
        assert english not in out, english


def test_report_in_chinese_and_plan_names_are_escaped(tmp_path):
    text = BUNDLED.read_text(encoding="utf-8")
    assert "\n  night:\n" in text
    hostile = tmp_path / "hostile.yaml"
    # A plan cannot be named so (plan names are checked when a scenario is read) ...
    hostile.write_text(text.replace("\n  night:\n", "\n  '<script>alert(1)</script>':\n", 1),
                       encoding="utf-8")
    r = cli("validate", str(hostile))
    assert r.returncode == 2 and 'plans["<script>alert(1)</script>"]' in r.stderr, r.stderr
    # ... but a description may hold anything: the report escapes it.
    hostile.write_text(text.replace(
        "description_zh: 同样的集结指令于凌晨 02:30 发出，此时人员多在睡眠中。",
        "description_zh: '<script>alert(1)</script>'", 1), encoding="utf-8")
    out = tmp_path / "cmp"
    r = cli("compare", str(hostile), "--reps", "2", "--no-store", "--out", str(out),
            "--plans", "baseline,night")
    assert r.returncode == 0, r.stderr
    r = cli("--lang", "zh", "report", str(out), "--out", str(tmp_path / "zh.html"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "zh.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<html lang="zh-CN">' in html
    for heading in ("演练总结报告：", "一、概况", "二、演练目标", "三、结果", "六、整改计划"):
        assert heading in html, heading
    assert "60 分钟内集结人数" in html and "Improvement plan" not in html


@pytest.fixture
def zh_figure_warnings():
    import matplotlib.pyplot as plt

    from sim.present import plots

    summary = {"scenario": "油车港集结演练", "plan": "夜间", "injects": [
        {"t_min": 10, "type": "bridge_closed", "label": "bridge closed"}],
        "curve": {"t_min": [0, 30, 60], "mean": [0, .5, .9], "p5": [0, .4, .8],
                  "p95": [0, .6, 1], "label": "fraction of roster mustered"}}
    with use_lang("zh"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.curve_figure([summary])
        fig.canvas.draw()
        texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
        fonts = {t.get_fontproperties().get_file() for t in fig.findobj(
            lambda o: hasattr(o, "get_fontproperties") and HAN.search(getattr(o, "get_text",
                                                                              str)() or ""))}
        plt.close(fig)
    return caught, texts, fonts


def test_a_chinese_figure_has_every_glyph_from_the_shipped_font(zh_figure_warnings):
    from matplotlib import font_manager

    from sim.present.cjk import FAMILY, FONT_FILE

    caught, texts, _fonts = zh_figure_warnings
    assert not [w for w in caught if "missing from" in str(w.message)], \
        [str(w.message) for w in caught]
    assert "警报发出后分钟数" in texts and "花名册人员集结比例" in texts
    assert "40%" in texts and "0.4" not in texts  # (a share's axis in per cent)
    assert any(HAN.search(t) for t in texts)
    # The CJK fallback is the project's own file, not whatever the machine has installed.
    found = font_manager.findfont(font_manager.FontProperties(family=FAMILY),
                                  fallback_to_default=False)
    assert found == str(FONT_FILE)
    with use_lang("zh"):
        from matplotlib.font_manager import get_font
        font = get_font(str(FONT_FILE))
        assert all(font.get_char_index(ord(c)) for c in "集结疏散转移安置检查点网格长专职民兵")


def test_the_shipped_font_draws_every_gbk_character_as_place_names_need():
    """Village and shelter names use characters beyond GB2312's 6,763 (垟 in Wenzhou's 垟头,
    溇 in Huzhou's 溇港, 堃, 喆, 塱): the shipped font holds every 汉字 of GBK (20,902 of them
    in the basic block, checked here), so a figure never draws a place's name as □."""
    from matplotlib.font_manager import get_font

    from sim.present.cjk import FONT_FILE

    font = get_font(str(FONT_FILE))
    gbk = set()
    for hi in range(0x81, 0xFF):
        for lo in range(0x40, 0xFF):
            try:
                c = bytes([hi, lo]).decode("gbk")
            except UnicodeDecodeError:
                continue
            if HAN.match(c):
                gbk.add(c)
    assert len(gbk) == 20_902
    missing = [c for c in sorted(gbk) if not font.get_char_index(ord(c))]
    assert not missing, f"{len(missing)} missing, e.g. {''.join(missing[:20])}"


def test_a_figure_with_a_rare_place_name_has_every_glyph(tmp_path):
    import matplotlib.pyplot as plt

    from sim.present import plots

    summary = {"scenario": "垟头村暴雨转移", "plan": "溇港方案", "injects": [],
               "curve": {"t_min": [0, 30, 60], "mean": [0, .5, .9], "p5": [0, .4, .8],
                         "p95": [0, .6, 1], "label": "fraction of roster mustered"}}
    with use_lang("zh"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.curve_figure([summary])
        fig.savefig(tmp_path / "f.png")
        texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
        plt.close(fig)
    assert any("垟头村" in t for t in texts) or any("溇港" in t for t in texts), texts
    assert not [w for w in caught if "missing from" in str(w.message)], \
        [str(w.message) for w in caught]
