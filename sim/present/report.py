"""After-action report: a self-contained HTML file shaped like an exercise AAR (HSEEP):
overview, objectives met or missed, strengths and areas for improvement with the figures behind
them, the plots, and an improvement plan. Made from a run's or comparison's output folder, or
from a run in the run store."""

from __future__ import annotations

import base64
import functools
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.analysis.findings import findings, objective_met, objective_value, plan_objective
from sim.analysis.robustness import report_section
from sim.core.catalogue import info
from sim.core.errors import Problem, ScenarioError
from sim.core.kind import find_kind

if TYPE_CHECKING:
    import jinja2
from sim.present import formatting
from sim.present.i18n import N_, _, is_zh, pick
from sim.present.inject_words import storyline
from sim.present.output import report_figures
from sim.present.plan_names import summary_labels
from sim.present.plots import figure_caption
from sim.present.verdicts import verdict_of

# The computer's Chinese fonts, then the embedded subset, then its sans-serif (the subset's
# unicode-range leaves Latin text to the others). No "system-ui" nor Latin families before them:
# with those, Chromium on a computer without Chinese fonts drew the title, headings and labels
# as empty boxes although the embedded font has their glyphs (seen in screenshots).
_CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","gridmuster-cjk",
sans-serif;max-width:1000px;margin:2em auto;color:#222;line-height:1.4}
h1{border-bottom:3px solid #a33;padding-bottom:.3em}h2{color:#a33;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0;width:100%}td,th{border:1px solid #ccc;
padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.met{color:#176117;font-weight:600}.missed{color:#a31515;font-weight:600}
img{max-width:100%;border:1px solid #ddd;margin:.5em 0}.small{color:#666;font-size:.9em}
"""


def _is_summary(s: Any) -> bool:
    return (isinstance(s, dict) and isinstance(s.get("kind"), str)
            and isinstance(s.get("plan"), str) and isinstance(s.get("metrics"), dict)
            and "scenario" in s and "replications" in s and "seed" in s)


def is_result(data: Any) -> bool:
    """Whether ``data`` is what ``run`` (one plan's summary) or ``compare`` (plans and their
    differences) writes: what a report or ``runs show`` can read."""
    if not isinstance(data, dict):
        return False
    if "differences" in data:
        plans = data.get("plans")
        return (isinstance(plans, dict) and bool(plans) and isinstance(data["differences"], dict)
                and all(_is_summary(s) for s in plans.values()))
    return _is_summary(data)


def load_result(source: str | Path, store: Any = None) -> tuple[dict[str, Any], Path | None,
                                                                  dict[str, Any]]:
    """(result, folder with its plots, metadata) from an output folder or a run-store id."""
    text = str(source)
    if text.isdigit() and store is not None:
        run = store.run(int(text))
        if run is None or run.result is None:
            raise ScenarioError([Problem("RUN_OR_COMPARISON", _("no finished run with this id "
                                                                "in {store}",
                                                                store=store.path), text)])
        folder = Path(run.out_dir) if run.out_dir else None
        meta = {N_("run id"): run.id, N_("command"): run.command, N_("run on"):
                datetime.fromtimestamp(run.started_at).strftime("%Y-%m-%d %H:%M"),
                N_("scenario file"): run.scenario_path}
        if not is_result(run.result):  # an optimisation, a sensitivity analysis …
            raise ScenarioError([Problem("RUN_OR_COMPARISON", _(
                "run {id} is not a run or comparison of plans but {command}; a report is "
                "written of a run or a comparison (its own results are in {out})", id=run.id,
                command=run.command, out=run.out_dir or "-"), text)])
        return run.result, folder if folder and folder.is_dir() else None, meta
    folder = Path(text)
    for name in ("comparison.json", "summary.json"):
        path = folder / name
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ScenarioError([Problem(str(path), _("not valid JSON: {error}", error=exc))]) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ScenarioError([Problem(str(path), _("cannot read file: {error}",
                                                          error=exc))]) from None
            if not is_result(data):
                raise ScenarioError([Problem(str(path), _(
                    "not a gridmuster summary or comparison (written by run or compare)"))])
            meta = {N_("run on"): datetime.fromtimestamp(path.stat().st_mtime)
                    .strftime("%Y-%m-%d %H:%M")}
            return data, folder, meta
    raise ScenarioError([Problem("RUN_OR_COMPARISON", _("not a run id, nor a folder with "
                                                           "summary.json or comparison.json"),
                                 text)])


# Why a measure has no value (sim.run.experiments.not_applicable_reason, in English there);
# formatting.cell shows ``_(reason)``, so the reasons are marked here for the catalogue.
NOT_APPLICABLE_REASONS = (N_("nobody was at risk of flooding"),
                          N_("nobody evacuated: everyone at risk refused to leave"),
                          N_("nobody is on the roster"), N_("there were no visitors"),
                          N_("nothing to measure in any replication"))


def kind_name(kind: str) -> str:
    """The kind of exercise in words (the kind's ``title``), in the current language."""
    found = find_kind(kind)
    return _(found.title) if found is not None and found.title else _(kind)


@functools.cache
def _environment() -> jinja2.Environment:
    # Autoescaping for every template: plan names, descriptions and labels come from the
    # user's file and are shown as text (a plan called <script> stays text).
    import jinja2  # deferred: ~0.1 s of start-up; only reports need it

    env = jinja2.Environment(loader=jinja2.PackageLoader("sim.present", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=False, keep_trailing_newline=True)
    env.globals["_"] = _
    return env


def render(result: dict[str, Any], folder: Path | None, meta: dict[str, Any]) -> str:
    """The report as one self-contained HTML page, in the current language."""
    comparison = "differences" in result
    summaries = list(result["plans"].values()) if comparison else [result]
    first = summaries[0]
    kind = find_kind(first["kind"])
    headline = list(kind.headline_metrics) if kind else list(first["metrics"])[:8]
    scenario = pick(first["scenario"], first.get("scenario_zh"))

    overview = [(_("Scenario"), scenario), (_("Kind"), kind_name(first["kind"])),
                (_("Replications per plan"), str(first["replications"])),
                (_("Seed"), str(first["seed"])), (_("Version"), str(first["version"])),
                (_("Scenario content digest"), str(first.get("scenario_digest", "")))]
    overview += [(_(k).capitalize(), str(v)) for k, v in meta.items()]
    labels = summary_labels(summaries)
    plans = [{"name": labels[s["plan"]], "description": pick(s.get("description") or "",
                                                     s.get("description_zh"))}
             for s in summaries]

    inject_header, inject_rows = storyline(summaries, first.get("clock_start"))

    objectives = []
    for i, o in enumerate(first.get("objectives", [])):
        cells = []
        for s in summaries:
            value = objective_value(s, o)
            shown = formatting.stat(s["metrics"].get(o["metric"]), o["metric"],
                                    o.get("statistic", "mean"))
            cells.append({"shown": shown, "met": objective_met(value, o),
                          "meeting": formatting.meeting(plan_objective(s, i, o))})
        objectives.append({"text": pick(o.get("description", ""), o.get("description_zh"))
                           or info(o["metric"]).phrase,
                           "target": formatting.objective_target(o),
                           "cells": cells})

    results = [{"metric": m, "phrase": formatting.measure(m),
                "cells": [{"mean_ci": formatting.mean_ci(s["metrics"].get(m), m),
                           "spread": formatting.spread(s["metrics"].get(m), m)}
                          for s in summaries]}
               for m in headline]
    ref = summaries[0]["plan"]
    # (Written anew: a comparison run in English reads in 中文 in a Chinese report.)
    verdicts = [verdict_of(m, pair, d, labels) for m in headline
                for pair, d in result.get("differences", {}).get(m, {}).items()
                if pair.endswith(f" - {ref}") and d["significant"]] if comparison else []

    plan_findings = {labels[s["plan"]]: findings(s) for s in summaries}
    finding_rows = [(plan, [f.text for f in fs if f.strength],
                     [f.text for f in fs if not f.strength])
                    for plan, fs in plan_findings.items()]
    # Drawn anew in the report's language (a run in English, a report in 中文).
    figures = [{"name": figure_caption(f.stem), "alt": f.title or figure_caption(f.stem),
                "data": base64.b64encode(f.png).decode()}
               for f in report_figures(result, folder)]
    plan_rows: list[list[str]] = []
    for plan, fs in plan_findings.items():
        for f in fs:
            if not f.strength:
                plan_rows.append([str(len(plan_rows) + 1), plan, f.text, f.action,
                                  _(f.capability), "", "", _("open")])
    robustness = None
    if folder is not None and (folder / "robustness.json").exists():  # gridmuster robustness
        robustness = report_section(json.loads((folder / "robustness.json")
                                               .read_text(encoding="utf-8")))

    from markupsafe import Markup  # deferred: jinja2 (reports only)

    from sim.present.cjk import css_font_face  # deferred: font subsetting (HTML reports only)

    page = _environment().get_template("report.html")
    context = dict(
        lang_tag="zh-CN" if is_zh() else "en", scenario=scenario,
        version=str(first["version"]), generated=f"{datetime.now():%Y-%m-%d %H:%M}",
        overview=overview, plans=plans, injects=inject_rows, inject_header=inject_header,
        objectives=objectives,
        no_objectives=_("No objectives are set in the scenario (add an {key} list to check "
                        "targets here).").partition("{key}"),
        results=results, comparison=comparison, reference=labels[ref], verdicts=verdicts,
        findings=finding_rows, figures=figures, robustness=robustness, plan_rows=plan_rows)
    # The CSS is ours (never user text), so it is not escaped: quoted font names must stay
    # quotes. The page then carries the Chinese glyphs it uses (a subset of the shipped font,
    # as the GB/T report does), so a computer without Chinese fonts shows no empty boxes;
    # an English page with no CJK characters (plan names included) gets none.
    html = page.render(css=Markup(_CSS), **context)
    return page.render(css=Markup(_CSS + css_font_face(html)), **context)
