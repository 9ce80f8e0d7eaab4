"""``gridmuster report --format gbt46792``: the GB/T 46792-2025 drill evaluation report
(.docx and the same content as .html) of a run or comparison, optionally beside a reviewed
observed drill log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.core.config import Drill, problems_from, read_yaml
from sim.core.errors import Problem, ScenarioError
from sim.present.i18n import _, current_lang, use_lang
from sim.present.output import atomic_file, report_figures
from sim.present.report_gbt import DrillInfo, build, to_docx, to_html


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a temporary file beside it, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)


def drill_from_scenario(path: Path) -> DrillInfo:
    """The scenario's ``drill:`` section (only that section is read and checked)."""
    raw = read_yaml(path)
    try:
        d = Drill.model_validate(raw.get("drill") or {})
    except ValidationError as exc:
        raise ScenarioError(problems_from(exc, ("drill",))) from None
    return DrillInfo(d.name, d.organiser, d.evaluation_group, d.date, d.place, d.exercise_type)


def read_review(path: Path) -> dict[str, Any]:
    """A review.json written by ``gridmuster review`` (or the folder holding it)."""
    file = path / "review.json" if path.is_dir() else path
    if not file.is_file():
        raise ScenarioError([Problem("--review", "no review.json here (write one with "
                                     "`gridmuster review … --out DIR`)", str(path))])
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem("--review", _("not valid JSON: {why}", why=exc),
                                     str(file))]) from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ScenarioError([Problem("--review", "not a review.json of gridmuster review",
                                     str(file))])
    return data


def write_gbt(result: dict[str, Any], folder: Path | None, meta: dict[str, Any],
              out: Path | None, lang: str | None, scenario: Path | None, review: Path | None,
              given: DrillInfo) -> list[Path]:
    """Write the .docx and .html; returns their paths."""
    scenario_file = scenario
    if scenario_file is None and meta.get("scenario file"):  # a run from the store knows it
        candidate = Path(str(meta["scenario file"]))
        scenario_file = candidate if candidate.is_file() else None
    drill = drill_from_scenario(scenario_file) if scenario_file else DrillInfo()
    drill = drill.merged(given)
    rev = read_review(review) if review is not None else None
    if rev is None and folder is not None and (folder / "review.json").is_file():
        rev = read_review(folder / "review.json")
    plans = set(result["plans"]) if "differences" in result else {result["plan"]}
    if rev is not None and rev.get("plan") not in plans:
        raise ScenarioError([Problem("--review", _(
            "reviews plan {plan}, which this result does not have ({plans})",
            plan=repr(rev.get("plan")), plans=", ".join(sorted(plans))))])
    if rev is not None and rev.get("scenario") != _scenario_name(result):
        raise ScenarioError([Problem("--review", "reviews another scenario",
                                     rev.get("scenario"))])
    target = out or ((folder or Path(".")) / "evaluation-report.docx")
    if target.suffix.lower() != ".docx":
        target = target.with_suffix(".docx")
    with use_lang(lang or current_lang()):  # else the global --lang / GRIDMUSTER_LANG
        figures = report_figures(result, folder)  # drawn in the report's language
        report = build(result, meta, drill, rev, figures)
        html = to_html(report)
        docx = to_docx(report)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, docx)
    html_path = target.with_suffix(".html")
    write_atomic(html_path, html.encode("utf-8"))
    return [target, html_path]


def _scenario_name(result: dict[str, Any]) -> Any:
    return result.get("scenario")
