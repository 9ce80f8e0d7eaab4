"""The GB/T 46792 drill evaluation report: Annex E structure read back from the .docx with
python-docx, the same content in the HTML, Annex D scores by hand, observed figures beside the
simulated ones, cover fields never invented, and the command's exit codes."""

from __future__ import annotations

import io
import json

import docx
import pytest

from sim.present.i18n import use_lang
from sim.present.report_gbt import (
    COVER_FIELDS,
    RECOMMENDATION_COLUMNS,
    SECTIONS,
    DrillInfo,
    build,
    conclusion,
    rate,
    score,
    to_docx,
    to_html,
)
from tests.helpers import cli, fixed_muster, line_graphml, write_scenario
from tests.helpers import drill_summary as _summary


def test_annex_d_ratings_scores_and_conclusions_by_hand():
    at_least = {"at_least": 100.0}
    at_most = {"at_most": 30.0}
    assert rate(100.0, at_least) == "met" and rate(90.0, at_least) == "partly"
    assert rate(89.9, at_least) == "missed" and rate(float("nan"), at_least) == "none"
    assert rate(30.0, at_most) == "met" and rate(33.0, at_most) == "partly"
    assert rate(33.1, at_most) == "missed" and rate(float("inf"), at_most) == "missed"
    assert score(["met", "partly"]) == 80.0 and score(["met", "missed", "none"]) == 50.0
    assert score(["none"]) is None
    assert [conclusion(x) for x in (100, 90, 89.9, 75, 60, 59.9, None)] == [
        "excellent", "excellent", "good", "good", "pass", "fail", "none"]


def _texts(doc):
    return [p.text for p in doc.paragraphs]


def _table_with_header(doc, first_cell):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_cell)


def test_docx_follows_annex_e_and_html_says_the_same(tmp_path):
    drill = DrillInfo(organiser="Youchegang town emergency office")
    report = build(_summary(), {}, drill)
    d = docx.Document(io.BytesIO(to_docx(report)))
    # Cover: the four fields of Annex E, the one not given left to fill in.
    cover = d.tables[0]
    assert [r.cells[0].text for r in cover.rows] == list(COVER_FIELDS)
    assert [r.cells[1].text for r in cover.rows] == [
        "Town drill", "Youchegang town emergency office", "to be filled in", "to be filled in"]
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{i} {h}" for i, h in enumerate(SECTIONS, start=1)]
    rec = d.tables[-1]
    assert [c.text for c in rec.rows[0].cells] == list(RECOMMENDATION_COLUMNS)
    # Objectives: 1,450 of 1,500 is partly met (within 10 %), 31 min vs 30 min partly met.
    obj = _table_with_header(d, "Objective")
    assert [c.text for c in obj.rows[1].cells][-1] == "partly met"
    assert [c.text for c in obj.rows[2].cells][-1] == "partly met"
    scores = _table_with_header(d, "Plan")
    assert [c.text for c in scores.rows[1].cells][2:] == ["60", "pass"]
    # Participants by role and by grid.
    assert "By role" in _texts(d) and "By grid" in _texts(d)
    html = to_html(report)
    for h in SECTIONS:
        assert h in html
    assert "Youchegang town emergency office" in html and "1,450" in html


def test_observed_figures_sit_beside_simulated_and_are_assessed():
    review = {"plan": "baseline", "scenario": "Town drill", "observed_rows": 1500,
              "replications": 19, "method": "ranks", "verdict": "Consistent with the model.",
              "metrics": {"mustered_60min": {"observed": 1510.0, "sim_p5": 1440.0,
                                             "sim_p95": 1460.0, "flagged": True}}}
    report = build(_summary(), {}, None, review)
    obj = next(b.table for s in report.sections for b in s.blocks
               if b.table is not None and b.table.name == "objectives")
    assert "Observed in the drill" in obj.header
    first = dict(zip(obj.header, obj.rows[0], strict=True))
    assert first["Observed in the drill"] == "1,510" and first["Simulated"] == "1,450"
    assert first["Achievement"] == "met"  # assessed on what the drill did
    second = dict(zip(obj.header, obj.rows[1], strict=True))
    assert second["Observed in the drill"] == "not in the log"
    problems = next(b.table for s in report.sections for b in s.blocks
                    if b.table is not None and b.table.name == "problems")
    assert any("outside what the plan explains" in r[2] for r in problems.rows)


def test_chinese_report_has_chinese_headings_and_cover():
    with use_lang("zh"):
        report = build(_summary(), {}, DrillInfo(evaluation_group="县应急管理局评估组"))
    d = docx.Document(io.BytesIO(to_docx(report)))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、演练概况", "二、评估内容与方法", "三、演练目标达成情况",
                        "四、参演人员表现", "五、存在的问题及原因分析", "六、评估结论",
                        "七、改进建议"]
    assert [r.cells[0].text for r in d.tables[0].rows] == ["演练名称", "组织单位", "评估组",
                                                            "评估日期"]
    assert d.tables[0].rows[2].cells[1].text == "县应急管理局评估组"
    assert [c.text for c in d.tables[-1].rows[0].cells] == ["序号", "存在问题", "改进措施",
                                                             "责任单位", "完成时限"]
    assert d.paragraphs[0].text == "演练评估报告"


def test_cli_gbt_report_from_a_run_with_a_drill_section(tmp_path):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    data = fixed_muster()
    data["objectives"] = [{"metric": "t50_min", "at_most": 60}]
    data["drill"] = {"name": "Flood muster drill 2026", "organiser": "Town emergency office",
                     "date": "2026-07-01", "exercise_type": "live"}
    path = write_scenario(tmp_path, data)
    out = tmp_path / "run"
    r = cli("run", str(path), "--reps", "3", "--out", str(out), "--no-store")
    assert r.returncode == 0, r.stderr
    r = cli("report", str(out), "--format", "gbt46792", "--scenario", str(path),
            "--evaluation-group", "County evaluators")
    assert r.returncode == 0, r.stderr
    d = docx.Document(str(out / "evaluation-report.docx"))
    cover = {row.cells[0].text: row.cells[1].text for row in d.tables[0].rows}
    assert cover == {"Drill name": "Flood muster drill 2026",
                     "Organising unit": "Town emergency office",
                     "Evaluation group": "County evaluators", "Evaluation date": "2026-07-01",
                     "Exercise type": "live"}
    summary = json.loads((out / "summary.json").read_text())
    html = (out / "evaluation-report.html").read_text()
    assert formatting_mean(summary) in html and "<script" not in html
    # Bad inputs: exit 2, one line, no traceback; the HSEEP report stays the default.
    for args, words in [(("--format", "word"), "--format"),
                        (("--format", "gbt46792", "--review", str(tmp_path)), "--review"),
                        (("--format", "gbt46792", "--scenario", str(tmp_path / "no.yaml")),
                         "file not found")]:
        r = cli("report", str(out), *args)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, args
    r = cli("report", str(out))
    assert r.returncode == 0 and (out / "report.html").exists()


def formatting_mean(summary: dict) -> str:
    from sim.present import formatting

    return formatting.stat(summary["metrics"]["t50_min"], "t50_min", "mean", unit=True)


@pytest.mark.parametrize("bad", [{"exercise_type": "drill"}, {"name": 3.5, "date": [1]}])
def test_bad_drill_section_is_a_field_problem(tmp_path, bad):
    line_graphml(tmp_path / "line.graphml", [600.0, 900.0])
    data = fixed_muster()
    data["drill"] = bad
    r = cli("validate", str(write_scenario(tmp_path, data)))
    assert r.returncode == 2 and "drill." in r.stderr and "Traceback" not in r.stderr


def _outline(d) -> list[tuple[str, list[str]]]:
    """(heading, [first row of each table under it]) in document order; "" = the cover."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[tuple[str, list[str]]] = [("", [])]
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p" and Paragraph(el, d).style.name == "Heading 1":
            out.append((Paragraph(el, d).text, []))
        elif tag == "tbl":
            out[-1][1].append(" | ".join(c.text for c in Table(el, d).rows[0].cells))
    return out


def test_chinese_docx_tables_sit_under_their_annex_e_sections():
    """Annex E.4 body, section by section, with the tables each section must carry."""
    with use_lang("zh"):
        report = build(_summary(), {}, None)
    outline = _outline(docx.Document(io.BytesIO(to_docx(report))))
    roles = next(b.table for sec in report.sections for b in sec.blocks
                 if b.table is not None and b.table.name == "breakdown-role")
    assert [r[0] for r in roles.rows] == ["网格长"]  # the role's name, never its code
    assert outline == [
        ("", ["演练名称 | Town drill"]),
        ("一、演练概况", ["项目 | 内容"]),
        ("二、评估内容与方法", []),
        ("三、演练目标达成情况", ["演练目标 | 方案 | 目标值 | 仿真结果 | 仿真区间（第 5 至第 95 百分位） | "
                                 "达成情况", "指标 | 基准方案"]),
        ("四、参演人员表现", ["角色 | 60 分钟内集结人数（人）", "网格 | 60 分钟内集结人数（人）"]),
        ("五、存在的问题及原因分析", ["序号 | 方案 | 存在问题 | 原因（能力要素）"]),
        ("六、评估结论", ["方案 | 目标达成情况统计 | 得分（0–100） | 评估等级"]),
        ("七、改进建议", ["序号 | 存在问题 | 改进措施 | 责任单位 | 完成时限"])]


def test_docx_asks_for_chinese_fonts_with_a_declared_fallback():
    """宋体 body and 黑体 headings as East Asian fonts (no theme font overriding them, no
    Japanese theme fonts), Chinese language for East Asian text, and both fonts declared in the
    font table with their English names and the GB2312 charset so a machine without them
    substitutes a Chinese font."""
    from lxml import etree

    with use_lang("zh"):
        report = build(_summary(), {}, None)
    d = docx.Document(io.BytesIO(to_docx(report)))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    styles = d.styles.element
    assert "eastAsiaTheme" not in etree.tostring(styles.find(f"{w}docDefaults")).decode()
    expected = {"Normal": "宋体", "Title": "黑体", "Heading 1": "黑体", "Heading 2": "黑体"}
    for name, font in expected.items():
        rfonts = d.styles[name].element.rPr.find(f"{w}rFonts")
        assert rfonts.get(f"{w}eastAsia") == font, name
        assert rfonts.get(f"{w}eastAsiaTheme") is None and rfonts.get(f"{w}asciiTheme") is None
        assert rfonts.get(f"{w}ascii") == "Times New Roman"
    assert d.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0, 0, 0)
    assert d.styles["Normal"].font.size.pt == 12 and d.styles["Heading 1"].font.size.pt == 16
    lang = styles.find(f"{w}docDefaults").find(f"{w}rPrDefault").find(f"{w}rPr").find(f"{w}lang")
    assert lang.get(f"{w}eastAsia") == "zh-CN" and lang.get(f"{w}val") == "zh-CN"
    table = next(p for p in d.part.package.iter_parts()
                 if str(p.partname) == "/word/fontTable.xml")
    fonts = {f.get(f"{w}name"): {c.tag.removeprefix(w): c.get(f"{w}val") for c in f}
             for f in etree.fromstring(table.blob)}
    assert fonts["宋体"]["altName"] == "SimSun" and fonts["宋体"]["charset"] == "86"
    assert fonts["黑体"]["altName"] == "SimHei" and fonts["黑体"]["charset"] == "86"
    assert d.paragraphs[0].style.name == "Title" and d.paragraphs[0].text == "演练评估报告"


def test_chinese_html_carries_the_glyphs_it_uses():
    """The HTML shows its Chinese on a computer without Chinese fonts: an embedded subset of
    the shipped font covers every CJK character of the page, and stays small."""
    import base64
    import re

    from fontTools.ttLib import TTFont

    with use_lang("zh"):
        html = to_html(build(_summary(), {}, DrillInfo(organiser="油车港镇应急办")))
    face = re.search(r'@font-face\{font-family:"gridmuster-cjk";src:url\(data:font/ttf;base64,'
                     r'([A-Za-z0-9+/=]+)\)', html)
    assert face is not None
    cmap = TTFont(io.BytesIO(base64.b64decode(face.group(1)))).getBestCmap()
    text = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    cjk = {c for c in text if ord(c) >= 0x2E80}
    assert "镇" in cjk and not [c for c in cjk if ord(c) not in cmap]
    assert len(face.group(1)) < 200_000  # a subset, not the 1.3 MB font
    with use_lang("en"):
        assert "@font-face" not in to_html(build(_summary(), {}, None))
