"""演练评估报告: a drill evaluation report laid out as GB/T 46792-2025 Annex E describes, as a
Word document (python-docx) and the same content as HTML (a Jinja2 template, autoescaped).

The content is built once (:func:`build`, a :class:`Report` of sections and blocks) and then
written by :func:`to_docx` and :func:`to_html`, so the two files cannot say different things.

Layout (Annex E): a cover (drill name, organising unit, evaluation group, date) and a body:
1 drill overview; 2 evaluation content and methods; 3 achievement of each objective with the
simulated band (and, when an observed drill log was reviewed, the observed figure beside it);
4 participants' performance by role, grid and place; 5 problems found and their causes;
6 conclusions, with scores (Annex D.1) and a rated conclusion (Annex D.2); 7 improvement
recommendations with responsible-unit and deadline columns left blank for the office to fill.

Scores and ratings (the project's choice: Annex D is informative and leaves the scale open):
each objective is **met** (100 points) when its assessed value meets the target, **partly
met** (60 points) when it misses by no more than 10 % of the target, **missed** (0 points)
otherwise; objectives that cannot be assessed are left out. The assessed value is the observed
drill figure when a reviewed log has it, else the simulated statistic the objective names. The
score is the mean of the points (0–100); the rated conclusion is 优秀 excellent (≥ 90), 良好
good (≥ 75), 合格 pass (≥ 60), 不合格 fail (< 60). See :data:`POINTS` and :data:`BANDS`.

Cover fields come from the command's options or the scenario's optional ``drill:`` section;
what neither gives is printed as "to be filled in", never invented.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.analysis.findings import findings, objective_value
from sim.core.catalogue import info, key_label, value_label
from sim.core.kind import find_kind
from sim.core.results import Breakdown
from sim.present import formatting, review_text
from sim.present.i18n import _, current_lang, pick
from sim.present.inject_words import storyline
from sim.present.plan_names import summary_label, summary_labels
from sim.present.plots import figure_caption
from sim.present.report import kind_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sim.present.output import ReportFigure

# Annex D.1 (project's choice): points per objective rating.
POINTS: dict[str, int] = {"met": 100, "partly": 60, "missed": 0}
# A miss by at most this share of the target is "partly met".
PARTLY_TOLERANCE = 0.10
# Annex D.2 (project's choice): lowest score of each rated conclusion, best first.
BANDS: tuple[tuple[float, str], ...] = ((90.0, "excellent"), (75.0, "good"), (60.0, "pass"),
                                        (0.0, "fail"))

# The headings of the body, in the order Annex E lays them out (tests check this order).
SECTIONS: tuple[str, ...] = (
    "Drill overview",
    "Evaluation content and methods",
    "Achievement of the drill objectives",
    "Performance of participants",
    "Problems found and their causes",
    "Evaluation conclusions",
    "Improvement recommendations",
)
COVER_FIELDS: tuple[str, ...] = ("Drill name", "Organising unit", "Evaluation group",
                                 "Evaluation date")
RECOMMENDATION_COLUMNS: tuple[str, ...] = ("No.", "Problem", "Recommended improvement",
                                           "Responsible unit", "Deadline")
TO_FILL = "to be filled in"


def _labels() -> dict[str, str]:
    """Translated words used in several places (looked up when building, in its language)."""
    return {
        "met": _("met"), "partly": _("partly met"), "missed": _("missed"),
        "none": _("not assessable"),
        "excellent": _("excellent"), "good": _("good"), "pass": _("pass"), "fail": _("fail"),
    }


@dataclass(frozen=True)
class DrillInfo:
    """What the cover says about the drill; empty strings are printed as to be filled in."""

    name: str = ""
    organiser: str = ""
    evaluation_group: str = ""
    date: str = ""
    place: str = ""
    exercise_type: str = ""  # live (实战演练) or tabletop (桌面演练), Annexes A and B

    def merged(self, other: DrillInfo) -> DrillInfo:
        """``other``'s non-empty fields over this one's (options over the scenario)."""
        return DrillInfo(**{k: getattr(other, k) or getattr(self, k)
                            for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    name: str = ""  # a stable key for tests and styling (e.g. "recommendations")


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "h3", "ul", "table", "figure"
    text: str = ""
    items: list[str] = field(default_factory=list)
    table: Table | None = None
    image: bytes = b""
    alt: str = ""  # a figure's own title (its alt text), in the report's language


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: list[Block]
    number: str = ""  # "1" / "一、", set by build

    @property
    def title(self) -> str:
        return f"{self.number}{self.heading}"


@dataclass(frozen=True)
class Report:
    lang: str
    title: str
    cover: list[tuple[str, str]]
    sections: list[Section]
    footer: str


@dataclass(frozen=True)
class Rating:
    objective: str
    plan: str
    target: str
    simulated: str
    band: str
    observed: str
    rating: str  # key of POINTS, or "none"

    @property
    def points(self) -> int | None:
        return POINTS.get(self.rating)


# --- scoring (Annex D) --------------------------------------------------------------------

def rate(value: float, objective: dict[str, Any]) -> str:
    """``met`` / ``partly`` / ``missed`` for a value against an objective; ``none`` if NaN."""
    if value is None or math.isnan(value):
        return "none"
    if objective.get("at_least") is not None:
        target = float(objective["at_least"])
        if value >= target:
            return "met"
        return "partly" if value >= target - PARTLY_TOLERANCE * abs(target) else "missed"
    target = float(objective["at_most"])
    if value <= target:
        return "met"
    return "partly" if value <= target + PARTLY_TOLERANCE * abs(target) else "missed"


def score(ratings: list[str]) -> float | None:
    """Mean points over the assessable ratings (0–100); None when none can be assessed."""
    pts = [POINTS[r] for r in ratings if r in POINTS]
    return sum(pts) / len(pts) if pts else None


def conclusion(points: float | None) -> str:
    """The rated conclusion (a key of the labels) of a score; ``none`` without a score."""
    if points is None:
        return "none"
    return next(name for low, name in BANDS if points >= low)


# --- building the content -----------------------------------------------------------------

def _summaries(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["plans"].values()) if "differences" in result else [result]


def _phrase(metric: str) -> str:
    return _(info(metric).phrase)


def _observed_for(review: dict[str, Any] | None, plan: str) -> dict[str, Any]:
    """The reviewed log's metrics, if the review was of this plan."""
    if not review or review.get("plan") != plan:
        return {}
    return dict(review.get("metrics") or {})


def ratings(result: dict[str, Any], review: dict[str, Any] | None = None) -> list[Rating]:
    """Every objective of every plan, rated (the observed value is assessed when there)."""
    out = []
    for s in _summaries(result):
        observed = _observed_for(review, s["plan"])
        for o in s.get("objectives", []):
            d = s["metrics"].get(o["metric"])
            stat = o.get("statistic", "mean")
            obs = observed.get(o["metric"], {}).get("observed")
            value = float(obs) if isinstance(obs, int | float) else objective_value(s, o)
            out.append(Rating(
                objective=pick(o.get("description", ""), o.get("description_zh"))
                or _phrase(o["metric"]),
                plan=s["plan"],
                target=formatting.objective_target(o),
                simulated=_("; ").join(x for x in (
                    formatting.stat(d, o["metric"], stat, unit=True), formatting.meeting(o))
                    if x),
                band=formatting.spread(d, o["metric"]),
                observed=formatting.value(obs, o["metric"], unit=True)
                if isinstance(obs, int | float) else "",
                rating=rate(value, o)))
    return out


def _breakdowns(summary: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """``{key: [(value, metric, cell)]}`` from metrics named ``metric[key=value]``."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for name, d in summary["metrics"].items():
        part = Breakdown.parse(name)
        if part is not None:
            out.setdefault(part.key, []).append((part.value, part.metric,
                                                 formatting.cell(d, name)))
    return out


def _breakdown_tables(summary: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    parts = _breakdowns(summary)
    # Role and grid first (what Annex E asks about participants), then places.
    order = sorted(parts, key=lambda k: ({"role": 0, "grid": 1}.get(k, 2), k))
    for key in order:
        rows_by_value: dict[str, dict[str, str]] = {}
        metrics: list[str] = []
        for val, base, text in parts[key]:
            rows_by_value.setdefault(val, {})[base] = text
            if base not in metrics:
                metrics.append(base)
        # Each table is headed by what it is by (staff group, incident type, reason …), never
        # "place" for everything that is not a role or a grid.
        header = [key_label(key), *[formatting.measure(m) for m in metrics]]
        rows = [[value_label(key, v, summary.get("places_zh")), *[cells.get(m, "") for m in metrics]]
                for v, cells in rows_by_value.items()]
        blocks.append(Block("h3", _("By {key}", key=key_label(key))))
        blocks.append(Block("table", table=Table(header, rows, f"breakdown-{key}")))
    return blocks


def _plans_evaluated(summaries: list[dict[str, Any]]) -> str:
    """``baseline — the reported drill; night — …``: descriptions are sentences, so their own
    full stop is dropped before the separator (no ".;" nor "。; ")."""
    names = summary_labels(summaries)
    items = [names[s["plan"]] + (f" — {pick(s['description'], s.get('description_zh')).rstrip('.。 ')}"
                          if s.get("description") else "") for s in summaries]
    return ("；" if current_lang() == "zh" else "; ").join(items)


def _cover(first: dict[str, Any], drill: DrillInfo) -> list[tuple[str, str]]:
    fill = _(TO_FILL)
    cover = [(_("Drill name"), drill.name or pick(first["scenario"], first.get("scenario_zh"))),
             (_("Organising unit"), drill.organiser or fill),
             (_("Evaluation group"), drill.evaluation_group or fill),
             (_("Evaluation date"), drill.date or fill)]
    if drill.place:
        cover.append((_("Drill place"), drill.place))
    if drill.exercise_type:
        cover.append((_("Exercise type"), _(drill.exercise_type)))
    return cover


def build(result: dict[str, Any], meta: dict[str, Any], drill: DrillInfo | None = None,
          review: dict[str, Any] | None = None,
          figures: Sequence[ReportFigure] | None = None) -> Report:
    """The report's content in the current language (:func:`sim.present.i18n.use_lang`)."""
    drill = drill or DrillInfo()
    labels = _labels()
    summaries = _summaries(result)
    names = summary_labels(summaries)  # the plans as a planner reads them
    # (the reviewed log's plan: by the comparison's label, else by the review's own name)
    reviewed_name = names.get(review["plan"], summary_label(review)) if review else ""
    first = summaries[0]
    kind = find_kind(first["kind"])
    headline = list(kind.headline_metrics) if kind else list(first["metrics"])[:8]
    sections: list[Section] = []

    # 1 Drill overview
    overview = [[_("Scenario"), pick(first["scenario"], first.get("scenario_zh"))],
                [_("Scenario kind"), kind_name(first["kind"])],
                [_("Plans evaluated"), _plans_evaluated(summaries)],
                [_("Replications per plan"), formatting.count(first["replications"])],
                [_("Seed"), str(first["seed"])],
                [_("gridmuster version"), str(first["version"])],
                [_("Scenario content digest"), str(first.get("scenario_digest", ""))]]
    overview += [[_(str(k).capitalize()), str(v)] for k, v in meta.items()]
    blocks = [Block("table", table=Table([_("Item"), _("Content")], overview, "overview"))]
    header, injects = storyline(summaries, first.get("clock_start"))
    if injects:
        blocks.append(Block("h3", _("Drill storyline (injects)")))
        blocks.append(Block("table", table=Table(header, injects, "injects")))
    sections.append(Section(_(SECTIONS[0]), blocks))

    # 2 Evaluation content and methods
    method = _("The drill was evaluated against its objectives with the gridmuster simulator: "
               "each plan was run {n} times on common random numbers, and each figure is "
               "given as the mean or the statistic the objective names, with the simulated "
               "band (5th–95th percentile of the replications).",
        n=formatting.count(first["replications"]))
    blocks = [Block("p", method),
              Block("p", _("Scores and the rated conclusion follow GB/T 46792-2025 Annex D as "
                           "this project applies it: an objective met scores 100 points, partly "
                           "met (missed by at most 10 % of the target) 60, missed 0; the score "
                           "is the mean over the objectives that can be assessed; 90 or more is "
                           "excellent, 75 or more good, 60 or more pass, below 60 fail. The "
                           "standard leaves the scale open; this mapping is the project's "
                           "choice."))]
    if review:
        blocks.append(Block("p", _("An observed drill log ({rows} rows) was reviewed against "
                                   "{reps} replications of plan {plan}: where the log gives a "
                                   "figure, the objective is assessed on the observed figure "
                                   "and the simulated band is shown beside it.",
            rows=formatting.count(review.get("observed_rows")),
            reps=formatting.count(review.get("replications")),
            plan=reviewed_name)))
        blocks.append(Block("p", _("Review method: {method}.",
            method=review.get("method", ""))))
    sections.append(Section(_(SECTIONS[1]), blocks))

    # 3 Objectives, with the simulated band and the observed figure
    rated = ratings(result, review)
    blocks = []
    if rated:
        header = [_("Objective"), _("Plan"), _("Target"), _("Simulated"),
                  _("Simulated band (5th–95th percentile)")]
        if review:
            header.append(_("Observed in the drill"))
        header.append(_("Achievement"))
        rows = []
        reviewed = review.get("plan") if review else None
        for r in rated:
            row = [r.objective, names.get(r.plan, r.plan), r.target, r.simulated, r.band]
            if review:
                # The log is of one plan: against another plan it says nothing (a dash with a
                # note), and "not in the log" only where that plan's log lacks the figure.
                row.append((r.observed or _("not in the log")) if r.plan == reviewed
                           else "—")
            row.append(labels[r.rating])
            rows.append(row)
        blocks.append(Block("table", table=Table(header, rows, "objectives")))
        if review and any(r.plan != reviewed for r in rated):
            blocks.append(Block("p", _("—: the drill log is of plan {plan}; it has no figures "
                                       "of the other plans.", plan=reviewed_name)))
    else:
        blocks.append(Block("p", _("The scenario sets no objectives (add an objectives: list "
                                   "to assess targets here).")))
    blocks.append(Block("h3", _("Headline results")))
    header = [_("Measure"), *[names[s["plan"]] for s in summaries]]
    observed = _observed_for(review, first["plan"]) if review else {}
    if observed:
        header.append(_("Observed in the drill ({plan})", plan=names[first["plan"]]))
    rows = []
    for m in headline:
        row = [formatting.measure(m), *[formatting.cell(s["metrics"].get(m), m) for s in summaries]]
        if observed:
            obs = observed.get(m, {}).get("observed")
            row.append(formatting.value(obs, m, unit=True) if isinstance(obs, int | float)
                       else _("not in the log"))
        rows.append(row)
    blocks.append(Block("table", table=Table(header, rows, "results")))
    blocks.append(Block("p", _("Each cell: mean (5th–95th percentile) over the replications.")))
    sections.append(Section(_(SECTIONS[2]), blocks))

    # 4 Participants by role, grid and place
    blocks = []
    for s in summaries:
        if len(summaries) > 1:
            blocks.append(Block("h3", _("Plan {plan}", plan=names[s["plan"]])))
        tables = _breakdown_tables(s)
        blocks.extend(tables or [Block("p", _("This run has no breakdown by role or grid."))])
    sections.append(Section(_(SECTIONS[3]), blocks))

    # 5 Problems and causes
    problems: list[tuple[str, str, str, str]] = []  # plan, problem, cause, action
    for s in summaries:
        for f in findings(s):
            if not f.strength:
                problems.append((names[s["plan"]], f.text, _(f.capability or "planning"),
                                 f.action))
    if review:
        for name, m in (review.get("metrics") or {}).items():
            if m.get("flagged"):
                problems.append((reviewed_name, _(
                    "The drill's {what} ({observed}) lies outside what the plan explains "
                    "(simulated band {band}).",
                    what=_phrase(name), observed=formatting.value(m.get("observed"), name),
                    band=review_text.band(m, name)),
                    _("execution differed from the plan"),
                    _("Find out on site why the drill departed from the plan.")))
    if problems:
        blocks = [Block("table", table=Table(
            [_("No."), _("Plan"), _("Problem"), _("Cause (capability element)")],
            [[str(i + 1), p, text, cause] for i, (p, text, cause, _a) in enumerate(problems)],
            "problems"))]
    else:
        blocks = [Block("p", _("No problems were found."))]
    sections.append(Section(_(SECTIONS[4]), blocks))

    # 6 Conclusions: scores (D.1) and rated conclusions (D.2)
    blocks = []
    rows = []
    for s in summaries:
        plan_ratings = [r.rating for r in rated if r.plan == s["plan"]]
        pts = score(plan_ratings)
        concl = conclusion(pts)
        counts = ", ".join(f"{labels[k]} {plan_ratings.count(k)}" for k in POINTS)
        rows.append([names[s["plan"]], counts, "" if pts is None else f"{pts:.0f}",
                     labels[concl] if concl != "none" else _("not rated (no objectives)")])
    blocks.append(Block("table", table=Table(
        [_("Plan"), _("Objectives by achievement"), _("Score (0–100)"), _("Rated conclusion")],
        rows, "scores")))
    strengths = [f"{names[s['plan']]}: {f.text}" if len(summaries) > 1 else f.text
                 for s in summaries for f in findings(s) if f.strength]
    if strengths:
        blocks.append(Block("h3", _("What went well")))
        blocks.append(Block("ul", items=strengths))
    if review:
        blocks.append(Block("p", _("Observed drill log: {verdict}",
            verdict=review.get("verdict", ""))))
    sections.append(Section(_(SECTIONS[5]), blocks))

    # 7 Recommendations: responsible unit and deadline left for the office to fill in
    rows = [[str(i + 1), text, action, "", ""]
            for i, (_p, text, _c, action) in enumerate(problems)]
    sections.append(Section(_(SECTIONS[6]), [Block("table", table=Table(
        [_(c) for c in RECOMMENDATION_COLUMNS], rows, "recommendations"))]))

    for fig in figures or []:  # (``sim.present.output.report_figures``: in this language)
        sections[-1].blocks.append(Block("figure", figure_caption(fig.stem), image=fig.png,
                                         alt=fig.title))

    sections = [Section(sec.heading, sec.blocks, _numbered(i, current_lang()))
                for i, sec in enumerate(sections, start=1)]
    title = _("Drill evaluation report")
    footer = _("Prepared with gridmuster {version} on {day}, laid out after GB/T 46792-2025 "
               "Annex E. Figures are simulated unless marked observed.",
        version=first["version"], day=date.today().isoformat())
    return Report(current_lang(), title, _cover(first, drill), sections, footer)


_CN_NUMERALS = "一二三四五六七八九十"


def _numbered(i: int, lang: str) -> str:
    """Section numbers as each language's reports write them: ``一、`` or ``1 ``."""
    return f"{_CN_NUMERALS[i - 1]}、" if lang == "zh" and i <= 10 else f"{i} "


# --- writers ------------------------------------------------------------------------------

def to_html(report: Report) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape  # deferred: jinja2 (reports only)
    from markupsafe import Markup  # deferred: jinja2 (reports only)

    from sim.present.cjk import css_font_face  # deferred: font subsetting (HTML reports only)

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode()
    page = env.get_template("gbt46792.html.j2")
    html = page.render(report=report, html_lang="zh-CN" if report.lang == "zh" else "en",
                       font_face="")
    # The page carries the glyphs it uses (a subset of the shipped font) as a last fallback.
    return page.render(report=report, html_lang="zh-CN" if report.lang == "zh" else "en",
                       font_face=Markup(css_font_face(html)))


# Fonts of the Word document. Chinese text takes the East Asian font (``w:eastAsia``), Latin
# text and digits the Latin one; both set on the document defaults and on every style used,
# with the template's theme-font references removed (a theme reference wins over a named font,
# and python-docx's template maps East Asian theme fonts to Japanese MS Mincho / MS Gothic).
# Body 宋体 (SimSun) 小四 12 pt; title and headings 黑体 (SimHei) 二号 22 pt / 三号 16 pt /
# 四号 14 pt, black; Latin Times New Roman. Fallback where a font is missing: the font table
# declares 宋体 and 黑体 with their English names as altName, the GB2312 charset (86) and their
# PANOSE class, so Word, WPS and LibreOffice substitute an installed Chinese serif for 宋体
# (macOS: Songti SC; Linux: Noto Serif CJK SC / Source Han Serif SC, then any CJK font) and a
# Chinese sans for 黑体 (Heiti SC / PingFang SC; Noto Sans CJK SC, WenQuanYi Micro Hei) instead
# of a Latin font without Chinese glyphs.
LATIN_FONT = "Times New Roman"
BODY_FONT = ("宋体", "SimSun", "02010600030101010101", "auto", "variable")
HEADING_FONT = ("黑体", "SimHei", "02010609060101010101", "modern", "fixed")
_STYLE_FONTS = (("Normal", BODY_FONT, 12.0), ("Title", HEADING_FONT, 22.0),
                ("Heading 1", HEADING_FONT, 16.0), ("Heading 2", HEADING_FONT, 14.0))


def _chinese_fonts(doc: Any, lang: str) -> None:
    from docx.oxml import OxmlElement  # deferred: python-docx (Word reports only)
    from docx.oxml.ns import qn  # deferred: python-docx (Word reports only)
    from docx.shared import Pt, RGBColor  # deferred: python-docx (Word reports only)

    def fonts(rpr: Any, east_asian: str) -> None:
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), LATIN_FONT)
        rfonts.set(qn("w:eastAsia"), east_asian)

    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr"))
    fonts(defaults, BODY_FONT[0])
    lang_el = defaults.find(qn("w:lang"))
    lang_el.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-US")
    lang_el.set(qn("w:eastAsia"), "zh-CN")  # CJK punctuation and quotes take the Chinese font
    for name, font, size in _STYLE_FONTS:
        style = doc.styles[name]
        style.font.size = Pt(size)
        fonts(style.element.get_or_add_rPr(), font[0])
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)  # official reports: black headings
            color = style.element.rPr.find(qn("w:color"))
            for attr in ("w:themeColor", "w:themeShade"):
                color.attrib.pop(qn(attr), None)
    _declare_fonts(doc)


def _declare_fonts(doc: Any) -> None:
    """Add 宋体 and 黑体 to the font table (altName, GB2312 charset, PANOSE) for substitution."""
    from lxml import etree  # deferred: lxml (Word reports only)

    part = next(p for p in doc.part.package.iter_parts()
                if str(p.partname) == "/word/fontTable.xml")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    for name, alt, panose, family, pitch in (BODY_FONT, HEADING_FONT):
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        for tag, val in (("altName", alt), ("panose1", panose), ("charset", "86"),
                         ("family", family), ("pitch", pitch)):
            etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": val})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


def to_docx(report: Report) -> bytes:
    from docx import Document  # deferred: python-docx (Word reports only)
    from docx.enum.section import WD_SECTION  # deferred: python-docx (Word reports only)
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # deferred: python-docx (Word reports only)
    from docx.oxml.ns import qn  # deferred: python-docx (Word reports only)
    from docx.shared import Cm  # deferred: python-docx (Word reports only)

    doc = Document()
    _chinese_fonts(doc, report.lang)
    # Cover page: title (黑体 22 pt, the Title style without the template's rule), then the
    # cover fields as a two-column table.
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ppr = doc.styles["Title"].element.pPr
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    if border is not None:
        ppr.remove(border)
    title.add_run(report.title).bold = True
    doc.add_paragraph()
    cover = doc.add_table(rows=0, cols=2)
    cover.style = "Table Grid"
    for label, value in report.cover:
        cells = cover.add_row().cells
        cells[0].text = label
        cells[1].text = value
    doc.add_section(WD_SECTION.NEW_PAGE)
    for sec in report.sections:
        doc.add_heading(sec.title, level=1)
        for b in sec.blocks:
            if b.kind == "p":
                doc.add_paragraph(b.text)
            elif b.kind == "h3":
                doc.add_heading(b.text, level=2)
            elif b.kind == "ul":
                for item in b.items:
                    doc.add_paragraph(item, style="List Bullet")
            elif b.kind == "table" and b.table is not None:
                t = doc.add_table(rows=1, cols=len(b.table.header))
                t.style = "Table Grid"
                for cell, text in zip(t.rows[0].cells, b.table.header, strict=True):
                    cell.text = text
                    for p in cell.paragraphs:
                        for r in p.runs:
                            r.bold = True
                for row in b.table.rows:
                    for cell, text in zip(t.add_row().cells, row, strict=True):
                        cell.text = text
            elif b.kind == "figure":
                picture = doc.add_picture(io.BytesIO(b.image), width=Cm(15))
                picture._inline.docPr.set("descr", b.alt or b.text)  # Word's alt text
                doc.add_paragraph(b.text)
    doc.add_paragraph(report.footer)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
