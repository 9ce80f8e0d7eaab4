"""What the written reports call things, on the bundled scenarios' real outputs: the Chinese
after-action report carries its own glyphs, figures have plain captions (never file names),
and injects, staff groups, incident types, roles and reasons are named as a planner names
them, in English and in 中文."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.helpers import cli_here as cli

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a code name such as mustered_60min_by_ap


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small comparison of two plans of each bundled kind (muster, evacuation, festival)."""
    base = tmp_path_factory.mktemp("outputs")
    out = {}
    for name, scenario, plans in (
            ("muster", "muster_youchegang.yaml", "baseline,night,app_outage_drill"),
            ("evacuation", "rainstorm_duhu.yaml", "baseline,exercise"),
            ("festival", "tide_yanguan.yaml", "reported,drill")):
        folder = base / name
        r = cli("compare", str(ROOT / "scenarios" / scenario), "--plans", plans, "--reps", "2",
                "--no-store", "--xlsx", "--out", str(folder))
        assert r.returncode == 0, r.stderr
        out[name] = folder
    return out


def _report(folder: Path, lang: str, tmp_path: Path) -> str:
    path = tmp_path / f"{folder.name}-{lang}.html"
    r = cli("--lang", lang, "report", str(folder), "--out", str(path))
    assert r.returncode == 0, r.stderr
    return path.read_text(encoding="utf-8")


def test_chinese_after_action_report_carries_the_glyphs_it_uses(outputs, tmp_path):
    """On a computer without Chinese fonts the report still shows its Chinese: the page embeds
    a subset of the shipped font covering every CJK character it uses; English embeds none."""
    from fontTools.ttLib import TTFont

    html = _report(outputs["muster"], "zh", tmp_path)
    face = re.search(r'@font-face\{font-family:"gridmuster-cjk";src:url\(data:font/ttf;base64,'
                     r'([A-Za-z0-9+/=]+)\)', html)
    assert face is not None
    assert re.search(r'body\{font-family:[^}]*"gridmuster-cjk",\s*sans-serif', html)
    assert "system-ui" not in html  # Chromium then skipped the embedded font for some text
    cmap = TTFont(io.BytesIO(base64.b64decode(face.group(1)))).getBestCmap()
    text = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    cjk = {c for c in text if ord(c) >= 0x2E80}
    assert "集" in cjk and not [c for c in cjk if ord(c) not in cmap]
    assert len(face.group(1)) < 200_000  # a subset, not the 1.3 MB font
    assert "@font-face" not in _report(outputs["muster"], "en", tmp_path)


def _gbt(folder: Path, lang: str, tmp_path: Path, *extra: str) -> tuple[str, list[str]]:
    """The GB/T report's HTML and the Word document's paragraphs and table cells."""
    import docx

    target = tmp_path / f"{folder.name}-{lang}-gbt.docx"
    r = cli("--lang", lang, "report", str(folder), "--format", "gbt46792", "--out", str(target),
            *extra)
    assert r.returncode == 0, r.stderr
    d = docx.Document(str(target))
    texts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for row in t.rows
                                               for c in row.cells]
    return target.with_suffix(".html").read_text(encoding="utf-8"), texts


CAPTIONS = {
    "en": {"muster": ["People mustered by 60 min, by assembly point",
                      "People mustered by 60 min, by role"],
           "evacuation": ["People in a shelter by 60 min, by grid",
                          "People stranded in the flood-prone area at the end, by reason",
                          "People in each shelter over time"],
           "festival": ["Queues at the checkpoints over the day"]},
    "zh": {"muster": ["60 分钟内集结人数（按集结点）", "60 分钟内集结人数（按角色）"],
           "evacuation": ["60 分钟内转移至安置点人数（按网格）", "结束时滞留易涝区人数（按原因）",
                          "各安置点人数随时间的变化"],
           "festival": ["全天各检查点排队情况"]},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_are_captioned_in_words_not_file_names(outputs, tmp_path, lang):
    for name, folder in outputs.items():
        stems = {p.stem for p in folder.glob("*.png")}
        assert stems, name
        captions = re.findall(r"<figcaption class=small>(.*?)</figcaption>",
                              _report(folder, lang, tmp_path))
        assert len(captions) == len(stems), name
        for caption in captions:
            assert caption not in stems and not CODE.search(caption), (name, caption)
        for caption in CAPTIONS[lang][name]:
            assert caption in captions, (name, caption)
        if lang == "zh":
            assert all(re.search(r"[\u4e00-\u9fff]", c) for c in captions), captions
    html, texts = _gbt(outputs["evacuation"], lang, tmp_path)
    for caption in CAPTIONS[lang]["evacuation"]:
        assert caption in texts and caption in html
    assert not {p.stem for p in outputs["evacuation"].glob("*.png")} & set(texts)


def test_bar_chart_titles_name_what_the_bars_are_by():
    """Every breakdown key of the bundled kinds has a plain name (no "by ap" / "按ap分列")."""
    from sim.core.catalogue import BREAKDOWN_KEYS, key_label
    from sim.present.i18n import use_lang

    for key in ("ap", "group", "team", "type", "reason", "role", "grid"):
        assert key in BREAKDOWN_KEYS
    with use_lang("zh"):
        assert [key_label(k) for k in ("ap", "group", "team", "type", "reason")] == [
            "集结点", "人员组", "队伍", "事件类型", "原因"]
    with use_lang("en"):
        assert key_label("ap") == "assembly point" and key_label("type") == "incident type"


def test_bar_chart_title_of_a_real_breakdown(outputs):
    import json

    import matplotlib.pyplot as plt

    from sim.present.i18n import use_lang
    from sim.present.plots import breakdown_figure

    comparison = json.loads((outputs["muster"] / "comparison.json").read_text(encoding="utf-8"))
    summaries = list(comparison["plans"].values())
    for lang, title in (("en", "people mustered by 60 min by assembly point"),
                        ("zh", "按集结点分列的 60 分钟内集结人数")):
        with use_lang(lang):
            fig = breakdown_figure(summaries, "mustered_60min", "ap")
        assert fig is not None
        assert fig.axes[0].get_title() == title
        plt.close(fig)


def test_injects_and_the_kind_are_named_in_words(outputs, tmp_path):
    """The storyline names each inject as a planner does, in both reports and both languages;
    the facilitator's note is translated in the GB/T report as in the after-action report."""
    # What the model does is written from the inject's own fields (which channel, how long,
    # which road), beside the facilitator's note.
    en = _report(outputs["muster"], "en", tmp_path)
    assert ("<td>alert channel down</td><td>grid app down for 20 min</td>"
            "<td>grid app down</td>") in en
    assert "<td>road closed</td><td>closed: the road V1–V2</td><td>bridge closed</td>" in en
    assert "<th>what the model does</th><th>the facilitator&#39;s note</th>" in en
    assert "mustering of response forces at assembly points" in en
    for code in ("channel_outage", "road_closed", "grid_app", "<td>muster</td>"):
        assert code not in en
    zh = _report(outputs["muster"], "zh", tmp_path)
    assert ("<td>通知渠道中断</td><td>网格通知 App 中断 20 分钟</td><td>网格 App 故障</td>" in zh
            and "应急力量到集结点集结" in zh)
    html, texts = _gbt(outputs["muster"], "zh", tmp_path)
    for text in ("网格 App 故障", "桥梁封闭", "通知渠道中断", "道路封闭", "封闭道路：V1–V2",
                 "模拟中的变化", "导调说明"):
        assert text in texts and text in html, text
    for english in ("grid app down", "bridge closed", "channel_outage", "road_closed",
                    "grid_app"):
        assert english not in html and not [t for t in texts if english in t], english
    _html, texts = _gbt(outputs["festival"], "en", tmp_path)
    assert "visitor surge" in texts and "extra trains from Hangzhou" in texts
    assert "arrivals by rail × 2 for 60 min" in texts
    assert "4 lanes of checkpoint H1 closed for 45 min" in texts
    assert "390 (11:30)" in texts  # the minute at its clock time (the day starts at 05:00)
    assert "crowd safety at a festival" in texts and "visitor_surge" not in texts
    en = _report(outputs["evacuation"], "en", tmp_path)
    for text in ("reserve force members who have not left yet set off 30 min later",
                 "shelter VC01 takes nobody more", "40 mm more rain over 60 min",
                 "reinforcements reach V3-1: emergency squad, 10 in all"):
        assert text in en, text
    zh = _report(outputs["evacuation"], "zh", tmp_path)
    for text in ("尚未出发的后备力量人员推迟 30 分钟出发", "60 分钟内追加降雨 40 毫米",
                 "增援抵达 V3-1：应急突击队，共 10 人"):
        assert text in zh, text


def test_festival_groups_and_incidents_are_named_not_coded(outputs, tmp_path):
    html, texts = _gbt(outputs["festival"], "zh", tmp_path)
    for heading in ("按人员组", "按事件类型", "按队伍"):
        assert heading in texts, heading
    for name in ("游客秩序", "服务保障", "安保", "走失人员", "证件问题", "网格队伍"):
        assert name in texts, name
    joined = "\n".join(texts)
    for code in ("tourist_order", "service_support", "lost_person", "crush_risk", "按 group",
                 "nothing to measure", "in any replication"):
        assert code not in joined and code not in html, code
    for cell in re.findall(r"不适用（?\s?\(([^)]*)\)", joined):
        assert re.search(r"[\u4e00-\u9fff]", cell), cell  # the reason in Chinese
    _html, texts = _gbt(outputs["festival"], "en", tmp_path)
    assert {"By staff group", "By incident type", "tourist order", "lost person"} <= set(texts)


def _workbook(folder: Path, lang: str) -> dict[str, list[tuple]]:
    import json

    from openpyxl import load_workbook

    from sim.present.excel import results_xlsx
    from sim.present.i18n import use_lang

    result = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    with use_lang(lang):
        wb = load_workbook(io.BytesIO(results_xlsx(result)))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_workbook_breakdowns_say_what_each_row_is(outputs, lang):
    words = {"en": {"muster": ("role", "grid head", "assembly point"),
                    "evacuation": ("reason", "not warned", "grid"),
                    "festival": ("staff group", "tourist order", "incident type")},
             "zh": {"muster": ("角色", "网格长", "集结点"),
                    "evacuation": ("原因", "未收到通知", "网格"),
                    "festival": ("人员组", "游客秩序", "事件类型")}}[lang]
    names = {"muster": ("Youchegang", "油车港"), "evacuation": ("Duhu", "都斛"),
             "festival": ("Yanguan", "盐官")}
    for kind, folder in outputs.items():
        sheets = _workbook(folder, lang)
        rows = next(v for k, v in sheets.items() if k in ("Breakdowns", "分项结果"))[1:]
        by, which = {r[1] for r in rows}, {r[2] for r in rows}
        key, value, other_key = words[kind]
        assert key in by and value in which and other_key in by, (kind, by)
        for code in ("grid_head", "not_warned", "waiting_escort", "cut_off", "tourist_order",
                     "lost_person", "crush_risk", "security_teams"):
            assert code not in which, (kind, code)
        if kind != "muster":  # nothing here is a place: groups, teams, incidents, reasons
            assert ("place" if lang == "en" else "地点") not in by, (kind, by)
        notes = next(v for k, v in sheets.items() if k in ("Notes", "说明"))
        scenario = dict(r[:2] for r in notes)["Scenario" if lang == "en" else "情景"]
        assert names[kind][0 if lang == "en" else 1] in scenario, scenario
        if lang == "zh":
            assert names[kind][0] not in scenario


def test_review_figure_is_titled_with_the_scenario_name_it_is_given():
    import matplotlib.pyplot as plt

    from sim.present.i18n import use_lang
    from sim.present.plots import review_figure

    review = {"scenario": "Youchegang one-hour mustering drill", "plan": "baseline",
              "consistent": True, "p_value": 0.4, "alpha": 0.05,
              "curve": {"t_min": [0, 30, 60], "low": [0, .3, .8], "high": [0, .5, .95],
                        "mean": [0, .4, .9], "observed": [0, .42, .88],
                        "envelope": "simulated band", "label": "fraction of roster mustered"}}
    with use_lang("zh"):
        fig = review_figure(review, "油车港一小时集结演练")
    title = fig.axes[0].get_title()
    plt.close(fig)
    assert title.startswith("油车港一小时集结演练") and "Youchegang" not in title


def test_improvement_actions_name_roles_in_words(outputs, tmp_path):
    """The bundled muster's weakest role is the micro-grid heads: the action names them."""
    from sim.core.catalogue import ROLE_NAMES, ROLE_PLURALS

    assert set(ROLE_PLURALS) == set(ROLE_NAMES)
    en = _report(outputs["muster"], "en", tmp_path)
    assert "Review how micro-grid heads are alerted and how they travel." in en
    assert "micro_grid_head" not in en
    zh = _report(outputs["muster"], "zh", tmp_path)
    assert "检查微网格长的通知方式和出行方式。" in zh and "micro" not in zh


def test_observed_figures_stand_only_against_the_reviewed_plan(outputs, tmp_path):
    """A drill log of baseline says nothing about the other plans: a dash and a note there,
    never "not in the log" (which would say the log lacks the figure)."""
    import docx

    r = cli("review", str(ROOT / "scenarios" / "muster_youchegang.yaml"), "--observed",
            str(ROOT / "scenarios" / "observed" / "youchegang_drill_checkins.csv"), "--plan",
            "baseline", "--reps", "3", "--out", str(tmp_path / "review"))
    assert r.returncode == 0, r.stderr
    # (the plans by their names in the report's language: in 中文 the scenario's name_zh)
    zh_names = {"baseline": "白天集结（报道的演练）", "night": "夜间集结",
                "app_outage_drill": "演练：网格App中断、桥路封闭"}
    for lang, not_in_log, note, named in (
            ("zh", "记录中无此项", "—：演练记录属于方案“白天集结（报道的演练）”，不含其他方案的数据。",
             zh_names),
            ("en", "not in the log",
             "—: the drill log is of plan baseline; it has no figures of the other plans.",
             {k: k for k in zh_names})):
        target = tmp_path / f"rev-{lang}.docx"
        r = cli("--lang", lang, "report", str(outputs["muster"]), "--format", "gbt46792",
                "--review", str(tmp_path / "review" / "review.json"), "--out", str(target))
        assert r.returncode == 0, r.stderr
        d = docx.Document(str(target))
        table = next(t for t in d.tables if len(t.rows[0].cells) == 7)
        observed = {}
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            observed.setdefault(cells[1], []).append(cells[5])
        assert set(observed) == set(named.values())
        assert all(re.match(r"^[\d,.]+", v) for v in observed[named["baseline"]]), observed
        assert set(observed[named["night"]]) == set(observed[named["app_outage_drill"]]) \
            == {"—"}
        assert note in [p.text for p in d.paragraphs]
        assert not_in_log not in target.with_suffix(".html").read_text(encoding="utf-8")


def test_workbook_headline_means_of_a_few_show_a_tenth(outputs):
    """0.5 incidents unanswered is shown as 0.5, not 1 (the paired differences' rule, few)."""
    import json

    from openpyxl import load_workbook

    from sim.present.excel import results_xlsx
    from sim.present.formatting import few

    small = 0
    for folder in outputs.values():
        result = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        ws = load_workbook(io.BytesIO(results_xlsx(result)))["Headline results"]
        for row in list(ws.iter_rows())[1:]:
            plan, metric = row[0].value, row[2].value
            d = result["plans"][plan]["metrics"][metric]
            if few(metric, d):
                small += 1
                assert [c.number_format for c in row[3:6]] == ["#,##0.0"] * 3, metric
                assert f"{row[3].value:.1f}" == f"{d['mean']:.1f}"
            elif metric in ("mustered_60min", "visitors", "at_risk"):
                assert row[3].number_format == "#,##0", metric
    assert small  # the bundled runs have some (incidents unanswered, people en route)


def test_gbt_headings_say_the_unit_once_and_plans_are_listed_cleanly(outputs, tmp_path):
    _html, texts = _gbt(outputs["evacuation"], "en", tmp_path)
    assert "minutes to shelter half the evacuating residents" in texts
    assert not [t for t in texts if t.startswith("minutes") and t.endswith("(minutes)")]
    plans = texts[texts.index("Plans evaluated") + 1]
    assert plans.startswith("baseline — ") and "; exercise — " in plans
    assert ".;" not in plans
    _html, texts = _gbt(outputs["evacuation"], "zh", tmp_path)
    plans = texts[texts.index("评估的方案") + 1]
    assert plans.startswith("突击队全部留守 — ") and "；汛期训练（断路、满员、分队受阻、增援） — " in plans
    assert "。；" not in plans and "; " not in plans


def test_recommendations_say_in_words_what_to_do(outputs, tmp_path):
    """A formal evaluation report asks for the staffing optimiser in words: no command line, no
    metric key (the bundled muster's night plan misses its mustering objective)."""
    for lang, words in (("zh", "使用“优化人员配置”功能，找出能达成本目标（60 分钟内集结人数）"),
                        ("en", "Use the staffing optimiser to find the staffing that meets this "
                               "objective (people mustered by 60 min).")):
        html, texts = _gbt(outputs["muster"], lang, tmp_path)
        assert words in "\n".join(texts) and words in html
        for command in ("gridmuster optimise", "--metric", "mustered_60min"):
            assert command not in html and not [t for t in texts if command in t], command


def test_review_and_sensitivity_figures_name_the_scenario_in_chinese_from_what_they_record():
    """The What matters page's figure was titled 'Yangning village rainstorm evacuation ——
    按报道处置：哪些假设影响大…' in 中文: the result's own scenario_zh is the title now, as a
    review's (which did not record one) when no name is passed."""
    import matplotlib.pyplot as plt

    from sim.present.i18n import use_lang
    from sim.present.plots import review_figure
    from sim.present.sensitivity_plots import sensitivity_figure

    review = {"scenario": "Youchegang one-hour mustering drill", "scenario_zh": "油车港镇集结演练",
              "plan": "baseline", "consistent": True, "p_value": 0.4, "alpha": 0.05,
              "curve": {"t_min": [0, 30, 60], "low": [0, .3, .8], "high": [0, .5, .95],
                        "mean": [0, .4, .9], "observed": [0, .42, .88],
                        "envelope": "simulated band", "label": "fraction of roster mustered"}}
    result = {"scenario": "Yangning village rainstorm evacuation", "scenario_zh": "阳宁村暴雨转移安置",
              "plan": "baseline", "plan_zh": "按报道处置", "method": "morris", "points": 20,
              "replications": 3, "metric": "stranded", "metric_phrase": "people stranded",
              "indices": [{"label": "drainage (mm/h)", "mu_star": 148.0, "mu_star_conf": 20.0,
                           "sigma": 30.0, "path": "a"}]}
    titles = {}
    for lang in ("zh", "en"):
        with use_lang(lang):
            fig = review_figure(review)
            titles[lang, "review"] = fig.axes[0].get_title()
            plt.close(fig)
            fig = sensitivity_figure(result)
            titles[lang, "sensitivity"] = fig._suptitle.get_text()
            plt.close(fig)
    assert titles["zh", "review"].startswith("油车港镇集结演练 —— ")
    assert titles["zh", "sensitivity"].startswith("阳宁村暴雨转移安置 —— 按报道处置")
    assert titles["en", "sensitivity"].startswith("Yangning village rainstorm evacuation — ")


@pytest.mark.parametrize("lang, rows", [
    ("zh", ["半数应转移群众转移安置用时（分钟）", "结束时滞留易涝区人数（人）",
            "60 分钟内转移安置人数占应转移人数比例（%）"]),
    ("en", ["minutes to shelter half the evacuating residents",  # (its unit in its words)
            "share of the evacuating residents sheltered by 60 min (%)"])])
def test_the_after_action_report_gives_each_measure_its_unit(outputs, tmp_path, lang, rows):
    """Its results table read 半数应转移群众转移安置用时 | 133.1 [107.2 – 159.0]: minutes or people?
    Each measure is named with its unit, as on the dashboard (``formatting.measure``)."""
    html = _report(outputs["evacuation"], lang, tmp_path)
    found = re.findall(r"<tr><td>([^<]*)</td>", html)
    assert all(r in found for r in rows), found


def test_the_workbook_names_each_measure_with_its_unit(outputs):
    """The workbook's 指标 column read 半数应转移群众转移安置用时 beside 133.1: each sheet's measure
    now carries its unit as the dashboard and the report do."""
    sheets = _workbook(outputs["evacuation"], "zh")
    head = {r[1] for r in sheets["主要结果"][1:]}
    diff = {r[0] for r in sheets["配对差异"][1:]}
    parts = {r[3] for r in sheets["分项结果"][1:]}
    assert "半数应转移群众转移安置用时（分钟）" in head and "结束时滞留易涝区人数（人）" in head
    assert "半数应转移群众转移安置用时（分钟）" in diff and "结束时滞留易涝区人数（人）" in parts
