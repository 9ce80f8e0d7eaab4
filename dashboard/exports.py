"""Downloads from Run & compare: the comparison as a table (CSV, Excel) and the HTML
after-action report (the same report as ``gridmuster report``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.core.catalogue import info, phrase
from sim.present import formatting
from sim.present.i18n import N_, _
from sim.present.plan_names import plan_labels


def export_frame(data: dict[str, Any]) -> pd.DataFrame:
    """One row per measure and plan: plain name, unit, mean, 95 % CI (clipped at 0 for counts),
    5th–95th percentiles, and the same numbers as text for reading; the plan by its name in
    the planner's language, and its key and the measure's code last (what a script reading
    the file matches on)."""
    rows = []
    names = plan_labels((p, s.get("plan_zh")) for p, s in data["plans"].items())
    for plan, summary in data["plans"].items():
        for metric, d in summary["metrics"].items():
            if not isinstance(d, dict):
                continue
            kind = formatting.kind_of(metric)
            lo, hi = d.get("ci95_low"), d.get("ci95_high")
            if kind in ("count", "share") and lo is not None and hi is not None:
                lo, hi = max(float(lo), 0.0), max(float(hi), 0.0)
            unit = "%" if kind == "share" else info(metric).unit
            rows.append({  # headers in the planner's language (the file goes to a spreadsheet)
                _("plan"): names[plan],
                _("measure"): phrase(metric, summary.get("places_zh")),
                _("unit"): _(unit) if unit and unit != "%" else unit,
                _("mean"): d.get("mean"), _("95% CI low"): lo, _("95% CI high"): hi,
                _("5th percentile"): d.get("p5"), _("95th percentile"): d.get("p95"),
                _("as written"): formatting.cell(d, metric, ci=True),
                _("metric id"): metric,
                _("plan id"): plan,
            })
    return pd.DataFrame(rows)


def report_html(data: dict[str, Any]) -> str:
    from sim.present.report import render

    try:
        return render(data, None, {N_("made in"): _("the gridmuster dashboard")})
    except Exception:  # the page still offers the CSV
        return ""


def gbt_files(data: dict[str, Any], drill: Any = None) -> tuple[bytes, str]:
    """The GB/T 46792-2025 drill evaluation report (演练评估报告) of a comparison, in the current
    language: (.docx bytes, the same content as HTML); the same builder as ``gridmuster report
    --format gbt46792``. ``drill`` is a :class:`sim.present.report_gbt.DrillInfo` (the cover)."""
    from sim.present.report_gbt import DrillInfo, build, to_docx, to_html

    report = build(data, {}, drill or DrillInfo())
    return to_docx(report), to_html(report)
