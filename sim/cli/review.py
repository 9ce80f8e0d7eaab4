"""``gridmuster review``: an observed log against the simulated distribution (and calibration)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

import typer
import yaml
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from sim.analysis.observed import decode_log
from sim.analysis.review import FitParameter, calibrate, calibrated_raw, read_observed, review
from sim.cli.common import (
    LABEL_MIN,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    WorkersOpt,
    default_out,
    fmt,
    open_store,
    out_console,
    wrote,
)
from sim.cli.gbt import write_atomic, write_gbt
from sim.core.catalogue import phrase
from sim.core.errors import Problem, ScenarioError
from sim.core.scenario import load_scenario
from sim.present import review_text
from sim.present.excel import results_xlsx
from sim.present.i18n import _, current_lang, use_lang
from sim.present.output import (
    atomic_folder,
    check_out_file,
    check_out_folder,
    save_figure,
    write_json,
)
from sim.present.plots import review_figure
from sim.present.report import load_result, render
from sim.present.report_gbt import DrillInfo


def review_cmd(
    scenario: ScenarioArg,
    observed: Annotated[Path, typer.Option("--observed", help="CSV: t_min, role[, ...]")],
    plan: Annotated[str | None, typer.Option("--plan", help="plan name (default: first)")] = None,
    reps: Annotated[int, typer.Option(
        "--reps", min=2, max=5000, help="replications of the plan the log is compared with")] = 99,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    out: OutOpt = None,
    alpha: Annotated[float, typer.Option(
        "--alpha", help="size of the review: the share of logs from drills that went exactly "
        "as modelled that are flagged anyway")] = 0.05,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="the log's encoding [default: UTF-8 (with or without BOM), else "
        "GB18030/GBK]")] = None,
    skip_bad_rows: Annotated[bool, typer.Option(
        "--skip-bad-rows", help="use the valid rows and list the bad ones")] = False,
    fit: Annotated[list[str] | None, typer.Option(
        "--fit", help="PATH=LOW..HIGH, e.g. muster.preparation.median=2..20")] = None,
    fit_draws: Annotated[int, typer.Option(
        "--fit-draws", min=50, max=20000, help="draws from the prior for calibration")] = 300,
) -> None:
    """Post-event review: is an observed log consistent with the model, at a stated size."""
    s = load_scenario(scenario)
    if not 0 < alpha < 1:
        raise ScenarioError([Problem("--alpha", _("must be between 0 and 1"), alpha)])
    if not observed.is_file():
        raise ScenarioError([Problem("--observed", _("file not found"), str(observed))])
    if observed.stat().st_size > MAX_LOG_BYTES:
        raise ScenarioError([Problem("--observed", _("larger than {n} MB",
                                                       n=MAX_LOG_BYTES // 10**6),
                                     str(observed))])
    text, used = decode_log(observed.read_bytes(), observed.name, encoding)
    log = read_observed(s, text, observed.name, skip_bad_rows, plan)
    log = replace(log, encoding=used)
    params = [FitParameter.parse(f) for f in fit or []]
    folder = out or default_out(scenario.stem, "review")
    check_out_folder(folder)  # a bad --out fails now, not after every replication
    result, _runs = review(s, plan, log, reps, seed, workers, alpha, observed.name)
    calibrated_text = None
    if params:
        cal = calibrate(s, plan, log, params, fit_draws, seed, workers=workers)
        result["calibration"] = cal
        fitted = {k: v["value"] for k, v in cal["parameters"].items()}
        header = "".join(f"# calibrated: {k} = {v:.4g} (posterior median from {observed.name})\n"
                         for k, v in fitted.items())
        calibrated_text = header + yaml.safe_dump(
            calibrated_raw(s, cal["parameters"], observed.name), sort_keys=False,
            allow_unicode=True)
    # All files at once, when everything is computed: a Ctrl-C leaves none or all of them.
    with atomic_folder(folder) as tmp:
        if calibrated_text is not None:
            (tmp / f"{scenario.stem}-calibrated.yaml").write_text(calibrated_text,
                                                                  encoding="utf-8")
        write_json(tmp / "review.json", result)
        if "curve" in result:
            save_figure(review_figure(result, s.display_name()), tmp / "review.png")
    wrote(folder)

    for p in log.skipped:
        out_console.print(_("skipped: {problem}", problem=p), markup=False)
    if used != "utf-8":
        out_console.print(_("read {file} as {encoding}", file=observed.name, encoding=used),
                          markup=False)
    table = Table(title=_("{scenario} — {plan}: observed log vs {n} replications",
                          scenario=escape(s.display_name()),
                          plan=escape(s.plan_labels()[result["plan"]]), n=reps))
    # The metric's phrase folds onto more lines; a number is never cut off (see summary_table).
    table.add_column(_("metric"), overflow="fold", min_width=LABEL_MIN)
    rows = list(result["metrics"].items())
    bands = [review_text.band(m, name) for name, m in rows]
    # The band on one line where the console has room for it (two fifths of it at most).
    band_width = min(max((cell_len(b) for b in bands), default=0), out_console.width * 2 // 5)
    for col in (_("observed"), _("middle 90 % of replications"), _("p-value"), _("adjusted p"),
                _("flags the log")):
        table.add_column(col, justify="right", overflow="fold",
                         min_width=band_width if col == _("middle 90 % of replications") else None)
    places = s.kind.place_names(s.plan(result["plan"]).model)
    for (name, m), band in zip(rows, bands, strict=True):
        observed_v = fmt(m["observed"], name) if m["observed"] is not None else _("not reached")
        shown = f"{phrase(name, places)} ({name})"  # the name a planner reads, the key to type
        table.add_row(escape(shown), observed_v, band, f"{m['p_value']:.2f}",
                      f"{m['p_adjusted']:.2f}", _("YES") if m["flagged"] else _("no"))
    if "curve" in result:
        c = result["curve"]
        table.add_row(_("whole curve ({label})", label=escape(_(c["label"]))),
                      _("{n} sd", n=f"{c['max_deviation']:.2f}"),
                      _("up to {n} sd", n=f"{c['critical']:.2f}"),
                      f"{c['p_value']:.2f}", f"{c['p_adjusted']:.2f}",
                      _("YES") if c["flagged"] else _("no"))
    out_console.print(table)
    out_console.print(result["verdict"], markup=False)
    for w in result["warnings"]:
        out_console.print(_("warning: {warning}", warning=w), markup=False)
    out_console.print(_("Method: {method}.", method=result["method"]), markup=False, style="dim")
    if result["outside_band"]:
        parts = ", ".join(f"{o['from_min']:.0f}–{o['to_min']:.0f} min ({o['side']})"
                          for o in result["outside_band"])
        out_console.print(_("observed curve outside the simultaneous {share} envelope: {parts}",
                            share=f"{1 - alpha:.0%}", parts=parts))
    elif "curve" in result:
        out_console.print(_("observed curve inside the simultaneous {share} envelope "
                            "throughout", share=f"{1 - alpha:.0%}"))
    ks = result["ks"]
    if ks["statistic"] == ks["statistic"]:  # not NaN
        out_console.print(_("Kolmogorov–Smirnov distance of {sample}: {d} (descriptive; not part "
                            "of the verdict)", sample=_(ks["sample"]), d=f"{ks['statistic']:.3f}"))
    fit_out = result.get("calibration")
    for path, f in (fit_out or {}).get("parameters", {}).items():
        note = "" if f["identifiable"] else _(" — not identifiable from this log (the interval "
                                              "is nearly as wide as the range searched)")
        out_console.print(_("calibrated {path} = {value}, {level} credible interval {low}–{high} "
                            "(searched {lo}–{hi}){note}", path=escape(path),
                            value=f"{f['value']:.3g}", level=f"{f['level']:.0%}",
                            low=f"{f['low']:.3g}", high=f"{f['high']:.3g}",
                            lo=f"{f['prior'][0]:g}", hi=f"{f['prior'][1]:g}", note=note))
    if fit_out:
        out_console.print(_("Calibration: {method}.", method=fit_out["method"]), markup=False,
                          style="dim")
    out_console.print(_("wrote {path}", path=f"{folder}/review.json"
                        + (", review.png" if "curve" in result else "")
                        + (f", {scenario.stem}-calibrated.yaml" if params else "")))


# A drill log of a county is a few thousand rows; this is far above any real one.
MAX_LOG_BYTES = 50 * 10**6


ReportFormat = Literal["hseep", "gbt46792", "xlsx"]


def report_cmd(
    run_or_comparison: Annotated[str, typer.Argument(
        help="an output folder (with summary.json or comparison.json) or a run-store id",
        metavar="RUN_OR_COMPARISON")],
    out: Annotated[Path | None, typer.Option("--out", help="file to write [default: "
                                             "report.html, or evaluation-report.docx and "
                                             ".html for gbt46792, in the folder]")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="run store for a run id")] = None,
    format: Annotated[ReportFormat, typer.Option(
        "--format", help="hseep: after-action report (HTML); gbt46792: drill evaluation "
        "report after GB/T 46792-2025 (Word .docx and the same as .html); xlsx: the results "
        "as a workbook")] = "hseep",
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en [default: "
                                             "$GRIDMUSTER_LANG, else en]")] = None,
    scenario: Annotated[Path | None, typer.Option(
        "--scenario", help="gbt46792: the scenario file, for its drill: section")] = None,
    review: Annotated[Path | None, typer.Option(
        "--review", help="gbt46792: review.json (or its folder) of an observed drill log, "
        "shown beside the simulated figures")] = None,
    drill_name: Annotated[str, typer.Option("--drill-name", help="gbt46792 cover")] = "",
    organiser: Annotated[str, typer.Option("--organiser", help="gbt46792 cover")] = "",
    evaluation_group: Annotated[str, typer.Option("--evaluation-group",
                                                  help="gbt46792 cover")] = "",
    date: Annotated[str, typer.Option("--date", help="gbt46792 cover")] = "",
) -> None:
    """Write a report of a run or comparison: an HTML after-action report (default) or a
    GB/T 46792 drill evaluation report."""
    db = open_store(store, read_only=True) if run_or_comparison.isdigit() else None
    if out is not None:  # before anything is rendered
        check_out_file(out)
    result, folder, meta = load_result(run_or_comparison, db)
    if format == "xlsx":
        target = out or ((folder or Path(".")) / "results.xlsx")
        with use_lang(lang or current_lang()):  # the global --lang when not given here
            write_atomic(target.with_suffix(".xlsx"), results_xlsx(result))
        wrote(target.with_suffix(".xlsx"))
        out_console.print(_("wrote {path}", path=target.with_suffix(".xlsx")), markup=False)
        return
    if format == "gbt46792":
        files = write_gbt(result, folder, meta, out, lang, scenario, review,
                          DrillInfo(drill_name, organiser, evaluation_group, date))
        wrote(*files)
        out_console.print(_("wrote {path}", path=", ".join(str(f) for f in files)), markup=False)
        return
    target = out or ((folder or Path(".")) / "report.html")
    write_atomic(target, render(result, folder, meta).encode("utf-8"))
    wrote(target)
    out_console.print(_("wrote {path}", path=target), markup=False, highlight=False)

