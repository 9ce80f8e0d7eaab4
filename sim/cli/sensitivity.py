"""``gridmuster sensitivity`` (which assumptions matter) and ``gridmuster robustness`` (where a
plan fails), both over the scenario's declared ``assumptions:``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sim.analysis.robustness import robustness
from sim.analysis.sensitivity import Method, factors, points_for, sensitivity
from sim.cli.common import (
    DaskOpt,
    NoStoreOpt,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    StoreOpt,
    WorkersOpt,
    default_out,
    open_store,
    out_console,
    progress_bar,
    wrote,
)
from sim.core.assumptions import Assumption, parse_vary
from sim.core.errors import Problem, ScenarioError
from sim.core.scenario import Scenario, load_scenario
from sim.present.i18n import N_, _, pick
from sim.present.output import atomic_folder, check_out_folder, save_figure, write_json
from sim.present.plan_names import plan_label, summary_label
from sim.present.sensitivity_plots import robustness_figure, sensitivity_figure
from sim.run.backends import Backend

VaryOpt = Annotated[list[str] | None, typer.Option(
    "--vary", help="PATH=LOW..HIGH (repeatable): vary these instead of the declared "
    "assumptions, e.g. muster.preparation.median=4..15")]
PlanOpt = Annotated[str | None, typer.Option("--plan", help="plan name (default: first)")]


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _vary(texts: list[str] | None) -> list[Assumption]:
    return [parse_vary(t) for t in texts or []]


def _record(store: Path | None, no_store: bool, command: str, s: Scenario, path: Path,
            plans: list[str], seed: int, reps: int, folder: Path, result: dict[str, Any],
            elapsed: float) -> str:
    db = open_store(store, no_store)
    if db is None:
        return ""
    run_id = db.start_run(command, s.name, str(path.resolve()), s.digest, s.kind.name, plans,
                          seed, reps, str(folder.resolve()))
    db.finish_run(run_id, result, elapsed)
    return _("; run {id} in {store}", id=run_id, store=db.path)


def sensitivity_table(result: dict[str, Any]) -> Table:
    """The ranked assumptions in plain words (also used by the dashboard's text export)."""
    morris = result["method"] == "morris"
    unit = f" ({_(result['metric_unit'])})" if result.get("metric_unit") else ""
    table = Table(title=_("{scenario} — {plan}: which assumptions matter for {metric} ({method}, "
                          "{points} design points × {reps} replications, common random "
                          "numbers)", scenario=pick(result["scenario"], result.get("scenario_zh")),
                          plan=summary_label(result),
                          metric=f"{result['metric_phrase']}{unit}",
                          method=result["method"], points=result["points"],
                          reps=result["replications"]))
    cols = [N_("rank"), N_("assumption"), N_("range")]
    cols += ([N_("change across the range μ* [95 % CI]"), "σ", N_("direction")] if morris
             else [N_("alone S1 [95 % CI]"), N_("with interactions ST [95 % CI]")])
    cols.append(N_("source"))
    for c in cols:
        table.add_column(_(c), justify="left" if c in ("assumption", "source", "direction")
                         else "right")
    for r in result["indices"]:
        cells = [str(r["rank"]), escape(r["label"]), f"{_num(r['low'])}–{_num(r['high'])}"]
        if morris:
            lo = max(r["mu_star"] - r["mu_star_conf"], 0.0)
            cells += [f"{_num(r['mu_star'])} [{_num(lo)}, {_num(r['mu_star'] + r['mu_star_conf'])}]",
                      _num(r["sigma"]), _direction(r)]
        else:
            cells += [f"{r['S1']:.2f} [{r['S1'] - r['S1_conf']:.2f}, "
                      f"{r['S1'] + r['S1_conf']:.2f}]",
                      f"{r['ST']:.2f} [{r['ST'] - r['ST_conf']:.2f}, "
                      f"{r['ST'] + r['ST_conf']:.2f}]"]
        cells.append(escape(r["source"]))
        table.add_row(*cells)
    return table


def _direction(r: dict[str, Any]) -> str:
    if r["mu_star"] == 0:
        return _("no effect")
    if abs(r["mu"]) >= 0.9 * r["mu_star"]:
        return _("higher value raises it") if r["mu"] > 0 else _("higher value lowers it")
    return _("either way (depends on others)")


def sensitivity_cmd(
    scenario: ScenarioArg,
    metric: Annotated[str, typer.Option("--metric", help="metric to explain, e.g. "
                                        "mustered_60min")],
    plan: PlanOpt = None,
    method: Annotated[str, typer.Option("--method", help="morris (screening, cheap) or sobol "
                                        "(variance shares, with interactions)")] = "morris",
    n: Annotated[int | None, typer.Option("--n", min=2, help="Morris trajectories (default "
                                          "10) or Sobol' base samples (default 64)")] = None,
    reps: Annotated[int, typer.Option("--reps", min=1, max=10_000,
                                      help="replications per design point")] = 5,
    vary: VaryOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    out: OutOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Which assumptions the plan's result hinges on: ranked table, chart, sensitivity.json."""
    if method not in ("morris", "sobol"):
        raise ScenarioError([Problem("--method", _("must be morris or sobol"), method)])
    s = load_scenario(scenario)
    name = s.plan(plan).plan
    assumptions = _vary(vary)
    k = len(factors(s, assumptions))
    n_eff = n or (10 if method == "morris" else 64)
    folder = out or default_out(scenario.stem, "sensitivity")
    check_out_folder(folder)  # a bad --out fails now, not after every design point
    t0 = time.perf_counter()
    chosen: Method = "morris" if method == "morris" else "sobol"
    with progress_bar(points_for(chosen, n_eff, k) * reps, "sensitivity") as tick:
        result = sensitivity(s, name, metric, chosen, n, reps, seed, assumptions,
                             Backend(workers, dask), tick)
    elapsed = time.perf_counter() - t0
    result["elapsed_s"] = round(elapsed, 2)
    with atomic_folder(folder) as tmp:
        write_json(tmp / "sensitivity.json", result)
        save_figure(sensitivity_figure(result), tmp / "sensitivity.png")
    wrote(folder)
    where = _record(store, no_store, "sensitivity", s, scenario, [name], result["seed"], reps,
                    folder, result, elapsed)
    out_console.print(sensitivity_table(result))
    top = result["indices"][0]
    out_console.print(_("The result hinges most on: {label} ({source}).", label=top["label"],
                        source=top["source"]), markup=False)
    out_console.print(_("wrote {files} to {folder}/ in {seconds} s",
                        files="sensitivity.json, sensitivity.png", folder=folder,
                        seconds=f"{elapsed:.1f}") + where, markup=False)


def robustness_cmd(
    scenario: ScenarioArg,
    plan: PlanOpt = None,
    plans: Annotated[str | None, typer.Option("--plans", help="comma-separated plans to "
                                              "compare on the same samples")] = None,
    n: Annotated[int, typer.Option("--n", min=10, help="samples of the assumption space "
                                   "(Latin hypercube)")] = 100,
    reps: Annotated[int, typer.Option("--reps", min=1, max=10_000,
                                      help="replications per sample")] = 5,
    vary: VaryOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    out: OutOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Where the plan misses its objectives in the assumption space (PRIM boxes), and how
    plans compare on the same samples."""
    s = load_scenario(scenario)
    names = ([p.strip() for p in plans.split(",") if p.strip()] if plans
             else [s.plan(plan).plan])
    for p in names:
        s.plan(p)
    folder = out or default_out(scenario.stem, "robustness")
    check_out_folder(folder)  # a bad --out fails now, not after every sample
    t0 = time.perf_counter()
    with progress_bar(n * reps * len(names), "robustness") as tick:
        result = robustness(s, names, n, reps, seed, _vary(vary), Backend(workers, dask), tick)
    elapsed = time.perf_counter() - t0
    result["elapsed_s"] = round(elapsed, 2)
    with atomic_folder(folder) as tmp:
        write_json(tmp / "robustness.json", result)
        for p in names:
            save_figure(robustness_figure(result, p), tmp / f"robustness-{p}.png")
    wrote(folder)
    where = _record(store, no_store, "robustness", s, scenario, names, result["seed"], reps,
                    folder, result, elapsed)
    out_console.print(_("{scenario}: {n} samples of {k} assumptions, {reps} replications each; "
                        "objectives: {objectives}", scenario=s.display_name(), n=n,
                        k=len(result["assumptions"]), reps=reps,
                        objectives=_("; ").join(result["objectives"])), markup=False)
    for p, r in result["plans"].items():
        out_console.print(_("{plan}: misses an objective in {share} of the assumption space",
                            plan=plan_label(p, r.get("name_zh")),
                            share=f"{r['fail_share']:.0%}"), markup=False)
        for what, share in r["missed_share"].items():
            out_console.print("  " + _("{what}: missed in {share} of the samples", what=what,
                                       share=f"{share:.0%}"), markup=False)
        for b in r["boxes"]:
            out_console.print(f"  - {b['sentence']}", markup=False)
        if r["fail_share"] > 0 and not r["boxes"]:
            out_console.print("  - " + _("the failures are scattered: no simple region "
                                         "describes them"), markup=False)
    for c in result["comparisons"]:
        out_console.print(c["sentence"], markup=False)
    if len(names) == 1:
        said = _("wrote robustness.json and 1 chart to {folder}/ in {seconds} s",
                 folder=folder, seconds=f"{elapsed:.1f}")
    else:
        said = _("wrote robustness.json and {n} charts to {folder}/ in {seconds} s",
                 n=len(names), folder=folder, seconds=f"{elapsed:.1f}")
    out_console.print(said + where, markup=False)
