"""The ``gridmuster`` command line (also ``python -m sim``): the edge where files are written.

Every problem with the input is printed as ``field.path: message (got value)`` with exit code 2;
nothing the user typed should produce a traceback.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter

from sim import __version__
from sim.cli.common import (
    BudgetOpt,
    DaskOpt,
    MemoryBudgetOpt,
    NoStoreOpt,
    OutOpt,
    RepsOpt,
    ResumeOpt,
    ScenarioArg,
    SeedOpt,
    StoreOpt,
    WorkersOpt,
    catch_ctrl_c,
    check_metric,
    default_out,
    err_console,
    interrupt_handled,
    open_store,
    out_console,
    progress_bar,
    safe,
    say_interrupted,
    summary_table,
)
from sim.cli.common import budget_from as _budget
from sim.cli.imports import import_app
from sim.cli.localise import LocalisedGroup
from sim.cli.network import SnapLimitOpt, network_app
from sim.cli.review import report_cmd, review_cmd
from sim.cli.runs import optimise, runs_app
from sim.cli.sensitivity import robustness_cmd, sensitivity_cmd
from sim.cli.verify import verify_cmd, write_imo
from sim.core import sense
from sim.core.budget import Budget, enforce, estimate, over_budget
from sim.core.errors import Problem, ScenarioError
from sim.core.kind import all_kinds
from sim.core.limits import schema_limits
from sim.core.scenario import Scenario, load_scenario
from sim.network.places import DEFAULT_SNAP_LIMIT_M, far_snaps
from sim.present.i18n import LANGS, _, set_lang
from sim.present.output import check_out_folder, write_comparison, write_run, write_xlsx
from sim.present.plan_names import with_key
from sim.run.experiments import Comparison, Stopping, compare, compare_until, plan_inputs
from sim.run.gc_policy import own_process
from sim.run.store import RunStore
from sim.verify.imo import imo_replications

app = typer.Typer(
    cls=LocalisedGroup,  # --help in the language of --lang / GRIDMUSTER_LANG
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate emergency mobilisation in grid-governed towns and compare staffing plans.",
)
LangOpt = Annotated[str | None, typer.Option(
    "--lang", help="language of tables, messages, reports and figures: zh (简体中文) or en "
    "[default: $GRIDMUSTER_LANG or en]", show_default=False)]


@app.callback()
def _global(lang: LangOpt = None) -> None:
    """Simulate emergency mobilisation in grid-governed towns and compare staffing plans."""
    if lang is not None:
        if lang.strip().lower().replace("-", "_").split("_")[0] not in LANGS:
            raise ScenarioError([Problem("--lang", _("must be zh or en"), lang)])
        set_lang(lang)


app.add_typer(runs_app, name="runs")
app.add_typer(network_app, name="network")
app.add_typer(import_app, name="import")
app.command()(optimise)
app.command(name="review")(review_cmd)
app.command(name="report")(report_cmd)
app.command(name="verify")(verify_cmd)
app.command(name="sensitivity")(sensitivity_cmd)
app.command(name="robustness")(robustness_cmd)

UntilOpt = Annotated[float | None, typer.Option(
    "--until-halfwidth", min=0, help="adaptive: add batches until the 95 % CI half-width of "
    "--metric is at most this (then --reps is ignored and --max-reps caps the count)")]
MetricOpt = Annotated[str | None, typer.Option("--metric", help="metric for --until-halfwidth")]
MaxRepsOpt = Annotated[int, typer.Option("--max-reps", min=1, help="adaptive: cap")]
BatchOpt = Annotated[int, typer.Option("--batch", min=1, help="adaptive: replications per batch")]
ImoOpt = Annotated[bool, typer.Option("--imo", help="IMO MSC.1/Circ.1533 practice: at least 50 "
                                      "replications in batches of 50, the 95th percentile of "
                                      "the time (--metric) and a convergence check")]
@app.command()
def validate(scenario: ScenarioArg, snap_limit: SnapLimitOpt = DEFAULT_SNAP_LIMIT_M) -> None:
    """Check a scenario file; print every problem with its field path (exit 2 if any)."""
    s = load_scenario(scenario)
    # Values from the file are printed literally: no rich markup or :emoji: codes.
    def plain(text: str) -> None:
        out_console.print(text, markup=False, highlight=False, emoji=False)

    sizes = []
    warnings: dict[str, list[str]] = {}
    too_big: list[str] = []
    built: dict[str, Any] = {}
    limit = _budget(None, None)
    works = {name: estimate(s.plan(name)) for name in s.plan_names()}
    # Plans as the planner named them, with the key the file and the command line use.
    shown = {name: with_key(name, label) for name, label in s.plan_labels().items()}
    for name, work in works.items():
        # A plan whose inputs would not fit in memory is not built to check it (a 10,000-grid
        # town's travel tables are gigabytes): its run would be refused; say so instead.
        if work.memory_mb > limit.memory_mb:
            sizes.append(shown[name])
            too_big.append(_("warning: plan {plan} was not built to check it: {message}",
                             plan=shown[name], message=over_budget([work], 1, limit)))
            continue
        inputs = built[name] = plan_inputs(s.plan(name))
        roster = getattr(inputs, "roster", None)
        people = getattr(inputs, "responder_people", None)
        if people is not None:  # evacuation: escort teams count as their members
            teams = getattr(inputs, "responder_teams", 0)
            sizes.append(_("{name} ({people} responders, of them {teams} escort teams)",
                           name=shown[name], people=f"{people:,}", teams=f"{teams:,}"))
        elif roster is not None:
            sizes.append(_("{name} ({people} responders)", name=shown[name],
                           people=f"{len(roster):,}"))
        else:
            sizes.append(shown[name])
        for w in getattr(inputs, "warnings", ()):
            warnings.setdefault(w, []).append(name)
    if len(s.model.grids) == 1:
        plain(_("ok: {scenario} — kind {kind}, 1 grid, plans: {plans}",
                scenario=s.display_name(), kind=_(s.kind.name), plans=_(", ").join(sizes)))
    else:
        plain(_("ok: {scenario} — kind {kind}, {grids} grids, plans: {plans}",
                scenario=s.display_name(), kind=_(s.kind.name), grids=len(s.model.grids),
                plans=_(", ").join(sizes)))
    first: list[str] | None = None
    for name in built:  # festival: each staff group's pool and posts
        lines = list(getattr(built[name], "staffing_lines", ()))
        new = lines if first is None else [x for x in lines if x not in first]
        if new:
            head = _("staff by group (plan {plan}):", plan=shown[name]) if first is None \
                else _("differs (plan {plan}):", plan=shown[name])
            out_console.print(head, markup=False, highlight=False)
        for line in new:
            out_console.print(f"  {line}", markup=False, highlight=False)
        first = lines if first is None else first
    for note in s.network().notes:
        out_console.print(_("note: {note}", note=_(note)), markup=False, highlight=False)
    for w, names in warnings.items():  # e.g. the water still rising, staff not posted
        which = "" if len(names) == len(s.plan_names()) \
            else _(" (plans {plans})", plans=_(", ").join(shown[n] for n in names))
        out_console.print(_("warning: {warning}", warning=_(w)) + which, markup=False,
                          highlight=False)
    plain(_("work estimate (rough, one process):"))
    for name, work in works.items():
        plain("  " + work.line(shown[name]))
    for line in too_big:
        plain(line)
    seen = {str(w) for w in sense.warnings(s.model)}
    for w in sense.warnings(s.model):
        plain(_("warning: {warning}", warning=w))
    for name in s.plan_names():
        for w in sense.warnings(s.plan(name).model):
            if str(w) not in seen:
                seen.add(str(w))
                plain(_("warning: plan {plan}: {warning}", plan=shown[name], warning=w))
    for snap in far_snaps(s.snaps, snap_limit):  # places given by coordinates, far from roads
        plain(snap.warning(snap_limit))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    models = [k.scenario_model for k in all_kinds()]
    sch: dict[str, Any] = {
        "title": "gridmuster scenario",
        "oneOf": [TypeAdapter(m).json_schema() for m in models],
    } if len(models) > 1 else TypeAdapter(models[0]).json_schema()
    sch["x-gridmuster-limits"] = schema_limits()  # file-level limits no field schema can say
    print(json.dumps(sch, indent=2, ensure_ascii=False))


def _default_out(scenario: Path, suffix: str) -> Path:
    return default_out(scenario.stem, suffix)


def _stopping(until: float | None, metric: str | None, max_reps: int, batch: int,
              s: Scenario) -> Stopping | None:
    if until is None:
        return None
    if metric is None:
        raise ScenarioError([Problem("--metric", _("needed with --until-halfwidth; e.g. "
                                                   "{example}",
                                                   example=s.kind.required_metrics[0]))])
    check_metric(metric, s)
    return Stopping(metric, until, batch, max_reps)


def _record_start(store: RunStore | None, command: str, s: Scenario, path: Path,
                  plans: list[str], seed: int, reps: int, out: Path) -> int | None:
    if store is None:
        return None
    return store.start_run(command, s.name, str(path.resolve()), s.digest, s.kind.name, plans,
                           seed, reps, str(out.resolve()))


@app.command()
def run(
    scenario: ScenarioArg,
    plan: Annotated[str | None, typer.Option("--plan", help="plan name (default: first)")] = None,
    reps: RepsOpt = 100,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    out: OutOpt = None,
    dask: DaskOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    resume: ResumeOpt = False,
    until_halfwidth: UntilOpt = None,
    metric: MetricOpt = None,
    max_reps: MaxRepsOpt = 500,
    batch: BatchOpt = 50,
    imo: ImoOpt = False,
    budget: BudgetOpt = None,
    memory_budget: MemoryBudgetOpt = None,
) -> None:
    """Run one plan many times; write summary.json, replications.csv, events.csv and plots."""
    s = load_scenario(scenario)
    name = s.plan(plan).plan
    folder = out or _default_out(scenario, name)
    if imo:
        reps = imo_replications(reps)
    comp, finish = _sweep(s, scenario, [name], "run", folder, reps, seed, workers, dask, store,
                          no_store, resume, until_halfwidth, metric, max_reps, batch,
                          _budget(budget, memory_budget))
    result = comp.runs[0]
    for w in getattr(plan_inputs(result.setup), "warnings", ()):
        err_console.print(_("warning: {warning}", warning=_(w)), markup=False,
                          highlight=False)
    files = write_run(result, folder)
    summary = result.summary()
    where = finish(summary)
    out_console.print(summary_table([summary], s.kind.headline_metrics))
    _print_reuse([result.extra])
    if imo:
        files.append(write_imo(result, metric, folder))
    out_console.print(_("wrote {n} files to {folder}/ in {seconds} s", n=len(files),
                        folder=folder, seconds=f"{result.elapsed_s:.1f}") + where,
                      markup=False, highlight=False)


def _sweep(s: Scenario, path: Path, names: list[str], command: str, folder: Path, reps: int,
           seed: int | None, workers: int, dask: str | None, store: Path | None,
           no_store: bool, resume: bool, until_halfwidth: float | None, metric: str | None,
           max_reps: int, batch: int, budget: Budget
           ) -> tuple[Comparison, Callable[[dict[str, Any]], str]]:
    """Run plans (fixed or adaptive count) with a progress bar, recorded in the run store.

    Returns the comparison and a function that records the finished result and says where."""
    stop = _stopping(until_halfwidth, metric, max_reps, batch, s)
    check_out_folder(folder)  # a bad --out fails now, not after every replication
    seed = s.model.seed if seed is None else seed
    total = stop.max_replications if stop else reps
    enforce([s.plan(n) for n in names], total, workers, budget)
    db = open_store(store, no_store)
    run_id = _record_start(db, command, s, path, names, seed, total, folder)
    t0 = time.perf_counter()
    try:
        with progress_bar(total * len(names), command) as tick:
            if stop:
                comp, info = compare_until(s, names, stop, seed, workers, tick, dask=dask,
                                           store=db, resume=resume, run_id=run_id)
                out_console.print(_stopping_line(info))
            else:
                comp = compare(s, names, reps, seed, workers, tick, dask=dask, store=db,
                               resume=resume, run_id=run_id)
    except KeyboardInterrupt:  # Ctrl-C: say what was kept and how to go on
        _interrupted(db, run_id)
        raise typer.Exit(130) from None
    except BaseException:
        if db is not None and run_id is not None:
            db.mark(run_id, "interrupted")
        raise

    def finish(result: dict[str, Any]) -> str:
        if db is None or run_id is None:
            return ""
        db.finish_run(run_id, result, time.perf_counter() - t0)
        return _("; run {id} in {store}", id=run_id, store=db.path)

    return comp, finish


def _interrupted(db: RunStore | None, run_id: int | None) -> None:
    """After Ctrl-C: mark the run, and say how many replications are kept and how to go on
    (typer turns a KeyboardInterrupt into exit 130 before ``main`` could say anything)."""
    interrupt_handled()
    if db is None or run_id is None:
        err_console.print(_("interrupted: nothing was kept (--no-store); rerun the command to "
                            "start again"), markup=False, highlight=False)
        return
    db.mark(run_id, "interrupted")
    try:
        kept = db.count_replications(run_id)
    except Exception:  # the store is not what matters now; the message is
        kept = None
    err_console.print(_("interrupted: {n} finished replications are kept in {store} (run {id}); "
                        "rerun the same command with --resume to compute only the rest",
                        n="?" if kept is None else f"{kept:,}", store=db.path, id=run_id),
                      markup=False, highlight=False)


def _stopping_line(info: dict[str, Any]) -> str:
    hw = info["half_width"]
    state = _("reached") if info["met"] else _("NOT reached (cap hit)")
    return _("adaptive: {n} replications; 95 % CI half-width of {metric} = {hw} (target "
             "{target}: {state})", n=info["replications"], metric=info["metric"],
             hw=hw if hw is None else round(hw, 4), target=info["target_half_width"],
             state=state)


def _print_reuse(extras: list[dict[str, Any]]) -> None:
    reused = sum(e.get("reused", 0) for e in extras)
    computed = sum(e.get("computed", 0) for e in extras)
    if reused:
        out_console.print(_("resumed: {reused} replications reused from the store, "
                            "{computed} computed", reused=reused, computed=computed))


def _print_verdicts(comp: Comparison, metrics: tuple[str, ...]) -> None:
    diffs = comp.differences()
    ref = comp.plans[0]
    for m in metrics:
        for pair, d in diffs.get(m, {}).items():
            if pair.endswith(f" - {ref}"):
                mark = "[bold]*[/bold]" if d["significant"] else " "
                out_console.print(f"{mark} {safe(d['verdict'])}")


@app.command(name="compare")
def compare_cmd(
    scenario: ScenarioArg,
    plans: Annotated[str | None, typer.Option("--plans", help="comma-separated plan names "
                                              "(default: all)")] = None,
    reps: RepsOpt = 100,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    out: OutOpt = None,
    dask: DaskOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    resume: ResumeOpt = False,
    until_halfwidth: UntilOpt = None,
    metric: MetricOpt = None,
    max_reps: MaxRepsOpt = 500,
    batch: BatchOpt = 50,
    budget: BudgetOpt = None,
    memory_budget: MemoryBudgetOpt = None,
    xlsx: Annotated[bool, typer.Option("--xlsx", help="also write results.xlsx (headline, "
                                       "paired differences, breakdowns)")] = False,
) -> None:
    """Run plans on the same seeds and report paired differences with 95 % CIs."""
    s = load_scenario(scenario)
    names = [p.strip() for p in plans.split(",") if p.strip()] if plans is not None \
        else s.plan_names()
    if not names:
        raise ScenarioError([Problem("--plans", _(
            "names no plan; give plan names separated by commas, e.g. {example}",
            example=",".join(s.plan_names()[:2])), plans)])
    for n in names:
        s.plan(n)  # unknown plan names fail before any work is done
    folder = out or _default_out(scenario, "compare")
    comp, finish = _sweep(s, scenario, names, "compare", folder, reps, seed, workers, dask,
                          store, no_store, resume, until_halfwidth, metric, max_reps, batch,
                          _budget(budget, memory_budget))
    files = write_comparison(comp, folder)
    data = comp.as_dict()
    if xlsx:
        files.append(write_xlsx(data, folder / "results.xlsx"))
    where = finish(data)
    out_console.print(summary_table(list(data["plans"].values()), s.kind.headline_metrics))
    _print_reuse([r.extra for r in comp.runs])
    out_console.print(_("Paired differences against {plan} (* = significant at 95 %):",
                        plan=s.plan_labels()[comp.plans[0]]), markup=False, highlight=False)
    _print_verdicts(comp, s.kind.headline_metrics)
    out_console.print(_("wrote {n} files to {folder}/", n=len(files), folder=folder) + where,
                      markup=False, highlight=False)


@app.command()
def version() -> None:
    """Print the gridmuster version."""
    print(__version__)


def main() -> None:
    own_process()  # the command owns its process: it may freeze built inputs (gc_policy)
    catch_ctrl_c()  # and its Ctrl-C is never lost (see catch_ctrl_c)
    try:
        app()
    except ScenarioError as exc:
        for p in exc.problems:
            err_console.print(str(p), markup=False, highlight=False, emoji=False)
        sys.exit(2)
    except KeyboardInterrupt:  # outside a command (its own handler speaks for it)
        say_interrupted()
        sys.exit(130)
    except MemoryError as exc:  # too big for this machine: say so plainly, no traceback
        if os.environ.get("GRIDMUSTER_DEBUG"):
            raise
        err_console.print(_(
            "gridmuster: out of memory ({what}). Nothing already finished was lost: written "
            "files and stored replications are kept. Lower --reps or --workers, or give "
            "--memory-budget (MB) so that a run this big is refused before it starts.",
            what=str(exc) or _("the process could not allocate more")),
            markup=False, highlight=False, emoji=False)
        sys.exit(2)
    except Exception as exc:  # a bug, not bad input: say so briefly
        if os.environ.get("GRIDMUSTER_DEBUG"):
            raise
        err_console.print(_("gridmuster: error: {error} (set GRIDMUSTER_DEBUG=1 for details)",
                            error=f"{type(exc).__name__}: {exc}"), markup=False, emoji=False)
        sys.exit(1)
