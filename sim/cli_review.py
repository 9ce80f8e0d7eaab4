"""``gridmuster review``: an observed log against the simulated distribution (and calibration)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from sim.cli_common import OutOpt, ScenarioArg, SeedOpt, WorkersOpt, fmt, out_console
from sim.errors import Problem, ScenarioError
from sim.output import save_figure, write_json
from sim.review import FitParameter, calibrate, calibrated_raw, read_observed, review
from sim.scenario import load_scenario


def review_cmd(
    scenario: ScenarioArg,
    observed: Annotated[Path, typer.Option("--observed", help="CSV: t_min, role[, ...]")],
    plan: Annotated[str | None, typer.Option("--plan")] = None,
    reps: Annotated[int, typer.Option("--reps", min=2, max=5000)] = 50,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    out: OutOpt = None,
    skip_bad_rows: Annotated[bool, typer.Option(
        "--skip-bad-rows", help="use the valid rows and list the bad ones")] = False,
    fit: Annotated[list[str] | None, typer.Option(
        "--fit", help="PATH=LOW..HIGH, e.g. muster.preparation.median=2..20")] = None,
    fit_reps: Annotated[int, typer.Option("--fit-reps", min=2)] = 20,
) -> None:
    """Post-event review: where observed timings fall in the simulated distribution."""
    s = load_scenario(scenario)
    if not observed.exists():
        raise ScenarioError([Problem("--observed", "file not found", str(observed))])
    log = read_observed(s, observed.read_text(encoding="utf-8"), observed.name, skip_bad_rows)
    params = [FitParameter.parse(f) for f in fit or []]
    folder = out or Path("out") / f"{scenario.stem}-review"
    result, _ = review(s, plan, log, reps, seed, workers)
    if params:
        cal = calibrate(s, plan, log, params, fit_reps, seed, workers=workers)
        result["calibration"] = cal
        fitted = {k: v["value"] for k, v in cal["parameters"].items()}
        calibrated = folder / f"{scenario.stem}-calibrated.yaml"
        folder.mkdir(parents=True, exist_ok=True)
        header = "".join(f"# calibrated: {k} = {v:.4g} (from {observed.name})\n"
                         for k, v in fitted.items())
        calibrated.write_text(header + yaml.safe_dump(calibrated_raw(s, fitted),
                                                      sort_keys=False, allow_unicode=True),
                              encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "review.json", result)
    from sim.plots import review_figure

    if "curve" in result:
        save_figure(review_figure(result), folder / "review.png")

    for p in log.skipped:
        out_console.print(f"skipped: {p}", markup=False)
    table = Table(title=f"{s.name} — {result['plan']}: observed log vs {reps} replications")
    for col in ("metric", "observed", "simulated 5–95 %", "percentile", "inside band"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name, m in result["metrics"].items():
        band = f"{fmt(m.get('sim_p5'), name)}–{fmt(m.get('sim_p95'), name)}" \
            if m.get("sim_p5") is not None else "—"
        inside = {True: "yes", False: "NO", None: "—"}[m["inside_band"]]
        pct = f"{m['percentile']:.0f}" if m["percentile"] is not None else "—"
        table.add_row(escape(name), fmt(m["observed"], name), band, pct, inside)
    out_console.print(table)
    ks = result["ks"]
    out_console.print(f"Kolmogorov–Smirnov distance of {ks['sample']}: {ks['statistic']:.3f} "
                      f"(p = {ks['p_value']:.3g})")
    if result["outside_band"]:
        parts = ", ".join(f"{o['from_min']:.0f}–{o['to_min']:.0f} min ({o['side']})"
                          for o in result["outside_band"])
        out_console.print(f"observed curve outside the simulated band: {parts}")
    elif "curve" in result:
        out_console.print("observed curve inside the simulated band throughout")
    for path, c in result.get("calibration", {}).get("parameters", {}).items():
        rng = f"{c['low']:.3g}–{c['high']:.3g}" if c["low"] is not None else "none consistent"
        out_console.print(f"fitted {path} = {c['value']:.3g} (values consistent with the log: "
                          f"{rng})")
    out_console.print(f"wrote {folder}/review.json" + (", review.png" if "curve" in result else "")
                      + (f", {scenario.stem}-calibrated.yaml" if params else ""))


def report_cmd(
    run_or_comparison: Annotated[str, typer.Argument(
        help="an output folder (with summary.json or comparison.json) or a run-store id")],
    out: Annotated[Path | None, typer.Option("--out", help="HTML file to write "
                                             "[default: report.html in the folder]")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="run store for a run id")] = None,
) -> None:
    """Write a self-contained HTML after-action report of a run or comparison."""
    from sim.cli_common import open_store
    from sim.report import load_result, render

    db = open_store(store) if run_or_comparison.isdigit() else None
    result, folder, meta = load_result(run_or_comparison, db)
    target = out or ((folder or Path(".")) / "report.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(result, folder, meta), encoding="utf-8")
    out_console.print(f"wrote {target}")
