"""Results as an Excel workbook (.xlsx, openpyxl): what a township office pastes into its own
reports. Numbers are stored as numbers with a display format (counts ``#,##0``, shares
``0.0%``, minutes ``0.0``), never as text; headers are in the current language (``_``), and each
measure also carries its metric key so a formula or a script can find it.

Sheets: headline results (one row per plan and measure), paired differences (comparisons),
breakdowns by role, grid and place, and a notes sheet saying what the figures are. Written by
``gridmuster compare --xlsx`` (``results.xlsx`` beside ``comparison.json``) and by
``gridmuster report FOLDER --format xlsx`` for any run or comparison already written; the
dashboard calls :func:`results_xlsx` for its download button.
"""

from __future__ import annotations

import io
import math
from typing import Any

from sim.core.catalogue import key_label, value_label
from sim.core.results import Breakdown
from sim.present.formatting import few, kind_of, measure
from sim.present.i18n import _, pick
from sim.present.plan_names import pair_label, summary_labels
from sim.present.verdicts import verdict_of

_FORMATS = {"count": "#,##0", "share": "0.0%", "minutes": "0.0", "level": "0", "": "0.00"}
_STATS = ("mean", "ci95_low", "ci95_high", "p5", "p50", "p95")


def _stat_headers() -> list[str]:
    return [_("mean"), _("95 % CI low"), _("95 % CI high"), _("5th percentile"),
            _("median"), _("95th percentile")]


def _num(v: Any) -> float | int | None:
    """A number for a cell; None (an empty cell) for what is missing, NaN or infinite."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _fmt(metric: str) -> str:
    return _FORMATS.get(kind_of(metric), "0.00")


def _summaries(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["plans"].values()) if "differences" in result else [result]


def results_xlsx(result: dict[str, Any]) -> bytes:
    """A workbook of a summary.json or comparison.json mapping."""
    from openpyxl import Workbook  # deferred: openpyxl (spreadsheets only)
    from openpyxl.styles import Font  # deferred: openpyxl (spreadsheets only)
    from openpyxl.utils import get_column_letter  # deferred: openpyxl (spreadsheets only)

    wb = Workbook()
    bold = Font(bold=True)
    summaries = _summaries(result)

    def sheet(title: str, header: list[str], widths: list[int]) -> Any:
        ws = wb.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        return ws

    def put(ws: Any, row: list[Any], metric: str, first_number: int) -> None:
        ws.append(row)
        for cell in ws[ws.max_row][first_number:]:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = _fmt(metric)

    wb.remove(wb.active)
    labels = summary_labels(summaries)
    head = sheet(_("Headline results"),
                 [_("Plan"), _("Measure"), _("metric key"), *_stat_headers(),
                  _("replications reaching it")], [14, 44, 26, 12, 12, 12, 12, 12, 12, 14])
    for s in summaries:
        for m, d in s["metrics"].items():
            if Breakdown.parse(m) is not None or not isinstance(d, dict):
                continue
            reached = d.get("n_reached")
            put(head, [labels[s["plan"]], measure(m), m, *[_num(d.get(k)) for k in _STATS],
                       _num(reached)], m, 3)
            if few(m, d):  # a mean of a few (0.5 incidents unanswered): to a tenth, not "1"
                for col in (4, 5, 6):
                    head.cell(head.max_row, col).number_format = "#,##0.0"
            if reached is not None:
                head.cell(head.max_row, 10).number_format = "#,##0"

    if "differences" in result:
        diff = sheet(_("Paired differences"),
                     [_("Measure"), _("metric key"), _("plans compared"),
                      _("mean difference"), _("95 % CI low"), _("95 % CI high"),
                      _("pairs used"), _("significant at 95 %"), _("verdict")],
                     [44, 26, 24, 14, 12, 12, 10, 12, 80])
        points = '#,##0.0 "' + _("percentage points") + '"'
        for m, pairs in result["differences"].items():
            for pair, d in pairs.items():
                share = kind_of(m) == "share"  # (a difference of shares: in points)
                # Where only one plan reached a time in some runs, no mean: the verdict says
                # who was later, pair by pair.
                cells = [None if d.get("by_order") else _num(d.get(k))
                         for k in ("mean", "ci95_low", "ci95_high")]
                cells = [c * 100 if share and c is not None else c for c in cells]
                put(diff, [measure(m), m, pair_label(pair, labels), *cells], m, 3)
                row = diff.max_row
                if few(m, d) or share:  # a few people: to a tenth, as the verdict says
                    for col in (4, 5, 6):
                        diff.cell(row, col).number_format = points if share else "#,##0.0"
                diff.cell(row, 7, _num(d.get("n"))).number_format = "#,##0"
                diff.cell(row, 8, _("yes") if d.get("significant") else _("no"))
                diff.cell(row, 9, verdict_of(m, pair, d, labels))

    parts = sheet(_("Breakdowns"),
                  [_("Plan"), _("by"), _("which"), _("Measure"), _("metric key"),
                   *_stat_headers()], [14, 10, 18, 44, 26, 12, 12, 12, 12, 12, 12])
    for s in summaries:
        for m, d in s["metrics"].items():
            part = Breakdown.parse(m)
            if part is None or not isinstance(d, dict):
                continue
            # What the row is by and which one, as a planner names them (staff group, incident
            # type, reason …; "grid head", "not warned"), never a code or "place" for all.
            put(parts, [labels[s["plan"]], key_label(part.key),
                        value_label(part.key, part.value, s.get("places_zh")),
                        measure(part.metric), m,
                        *[_num(d.get(k)) for k in _STATS]], part.metric, 5)

    notes = sheet(_("Notes"), [_("Item"), _("Content")], [28, 100])
    first = summaries[0]
    for k, v in [(_("Scenario"), pick(first.get("scenario", ""), first.get("scenario_zh"))),
                 (_("Replications per plan"), first.get("replications", "")),
                 (_("Seed"), first.get("seed", "")),
                 (_("gridmuster version"), first.get("version", "")),
                 (_("Scenario content digest"), first.get("scenario_digest", "")),
                 (_("About the figures"), _(
                     "Simulated: mean, its 95 % confidence interval and percentiles over the "
                     "replications. An empty cell is a figure that does not exist (a time not "
                     "reached within the horizon, or nothing to measure)."))]:
        notes.append([k, v])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_xlsx(rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    """One sheet of plain rows (header first), e.g. a roster for ``gridmuster import``."""
    from openpyxl import Workbook  # deferred: openpyxl (spreadsheets only)
    from openpyxl.styles import Font  # deferred: openpyxl (spreadsheets only)

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
