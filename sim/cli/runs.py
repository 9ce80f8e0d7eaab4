"""``gridmuster runs …`` (the run store) and ``gridmuster optimise``."""

from __future__ import annotations

import math
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sim.cli.common import (
    BudgetOpt,
    DaskOpt,
    MemoryBudgetOpt,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    StoreOpt,
    WorkersOpt,
    budget_from,
    check_metric,
    default_out,
    fmt,
    open_store,
    out_console,
    progress_bar,
    safe,
    summary_table,
    visible,
    wrote,
)
from sim.core.budget import Budget, estimate, over_budget
from sim.core.catalogue import info
from sim.core.errors import Problem, ScenarioError
from sim.core.kind import find_kind
from sim.core.scenario import load_scenario
from sim.present import formatting
from sim.present.i18n import _, is_zh
from sim.present.output import check_out_folder, write_json
from sim.present.plan_names import summary_label, summary_labels
from sim.present.report import is_result
from sim.present.run_names import command_words, plans_named, scenario_name, status_words
from sim.present.verdicts import verdict_of
from sim.run.optimise import (
    Evaluation,
    Optimiser,
    Target,
    Variable,
    candidate_text,
    max_evaluations,
    replications_to_show,
)
from sim.run.store import INT64_MAX, RunStore, StoredRun, check_int64

runs_app = typer.Typer(help="Runs and comparisons recorded in the run store.",
                       no_args_is_help=True)

IdArg = Annotated[int, typer.Argument(help="run id (see `gridmuster runs list`)", min=1,
                                       max=INT64_MAX, metavar="ID")]


def _said(words: str, code: str) -> str:
    """In 中文 the words; in English the code the store records (what `runs` always printed)."""
    return words if is_zh() else code


def _store(path: Path | None) -> RunStore:
    db = open_store(path, read_only=True)  # runs list/show/diff never rewrite the store
    assert db is not None
    return db


def _get(db: RunStore, run_id: int) -> StoredRun:
    run = db.run(run_id)
    if run is None:
        raise ScenarioError([Problem("ID", _("no run with this id in {store}", store=db.path), run_id)])
    return run


def _plan_results(run: StoredRun) -> None:
    """Refuse a finished run whose result has no plan summaries (an optimisation)."""
    if run.result and run.command not in ("sensitivity", "robustness") \
            and not is_result(run.result):
        raise ScenarioError([Problem("ID", _(
            "run {id} is not a run or comparison of plans but {command}; runs show and runs "
            "diff take a run or a comparison (its own results are in {out})", id=run.id,
            command=run.command, out=run.out_dir or "-"), run.id)])


def _summaries(run: StoredRun) -> list[dict[str, Any]]:
    if not run.result or run.command in ("sensitivity", "robustness"):  # no plan summaries
        return []
    if "plans" in run.result and "differences" in run.result:
        return list(run.result["plans"].values())
    return [run.result]


@runs_app.command("list")
def runs_list(store: StoreOpt = None,
              limit: Annotated[int, typer.Option(
                  "--limit", min=1, max=100_000, help="how many runs to list")] = 30) -> None:
    """The most recent runs, newest first."""
    db = _store(store)
    table = Table(title=_("runs in {store}", store=db.path))
    for col in (_("id"), _("when"), _("command"), _("scenario"), _("plans"), _("reps"),
                _("seed"), _("status"), _("out")):
        table.add_column(col)
    for r in db.runs(limit):
        when = datetime.fromtimestamp(r.started_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(str(r.id), when, _said(command_words(r.command), r.command),
                      safe(scenario_name(r.scenario, r.scenario_path, r.result)),
                      safe(_(", ").join(plans_named(r.plans, r.result))), str(r.replications), str(r.seed),
                      _said(status_words(r.status), r.status),
                      safe(r.out_dir or ""))
    out_console.print(table)


@runs_app.command("show")
def runs_show(run_id: IdArg, store: StoreOpt = None) -> None:
    """One run: what it was run from and its headline results."""
    db = _store(store)
    r = _get(db, run_id)
    _plan_results(r)
    summaries = _summaries(r)
    names = summary_labels(summaries)
    line = _("run {id}: {command} of {scenario} ({kind}), plans {plans}, seed {seed}, "
             "{n} replications, version {version}, status {status}",
             id=r.id, command=_said(command_words(r.command), r.command),
             scenario=scenario_name(r.scenario, r.scenario_path, r.result),
             kind=_(r.kind), plans=_(", ").join(plans_named(r.plans, r.result)), seed=r.seed,
             n=r.replications, version=r.version,
             status=_said(status_words(r.status), r.status))
    out_console.print(visible(line), markup=False, highlight=False, emoji=False)
    out_console.print(visible(_("scenario file {path} (content digest {digest}); output {out}; "
                                "elapsed {s} s", path=r.scenario_path, digest=r.scenario_digest,
                                out=r.out_dir, s=fmt(r.elapsed_s))),
                      markup=False, highlight=False, emoji=False)
    if summaries:
        kind = find_kind(r.kind)
        metrics = kind.headline_metrics if kind is not None else \
            tuple(summaries[0]["metrics"])[:6]
        out_console.print(summary_table(summaries, metrics))
    if r.result and "differences" in r.result:
        ref = r.plans[0]
        kind = find_kind(r.kind)
        for m in (kind.headline_metrics if kind is not None else ()):
            for pair, d in r.result["differences"].get(m, {}).items():
                if pair.endswith(f" - {ref}"):
                    out_console.print(("* " if d["significant"] else "  ")
                                      + visible(verdict_of(m, pair, d, names)),
                                      markup=False, highlight=False, emoji=False)


@runs_app.command("diff")
def runs_diff(a: IdArg, b: IdArg, store: StoreOpt = None) -> None:
    """Metric means of two runs side by side (e.g. before and after a scenario change)."""
    db = _store(store)
    ra, rb = _get(db, a), _get(db, b)
    _plan_results(ra)
    _plan_results(rb)
    sa = {s["plan"]: s for s in _summaries(ra)}
    sb = {s["plan"]: s for s in _summaries(rb)}
    if ra.scenario_digest != rb.scenario_digest:
        out_console.print(_("note: the scenario content differs ({a} vs {b})",
                            a=ra.scenario_digest, b=rb.scenario_digest))
    table = Table(title=_("run {a} vs run {b}: mean of each metric", a=a, b=b))
    for k, col in enumerate((_("plan"), _("metric"), _("run {id}", id=a), _("run {id}", id=b),
                             _("b − a"))):
        table.add_column(col, justify="right" if k >= 2 else "left")
    for plan in [p for p in sa if p in sb] or []:
        ma, mb = sa[plan]["metrics"], sb[plan]["metrics"]
        for m in [k for k in ma if k in mb and "[" not in k]:
            x, y = ma[m].get("mean"), mb[m].get("mean")
            # A time not reached in every run has no mean: its median and the share reached
            # (two runs on their own seeds: no paired difference either).
            partly = formatting.partly_reached(ma[m]) or formatting.partly_reached(mb[m])
            d = "" if partly or x is None or y is None else formatting.signed(y - x, m)
            table.add_row(safe(summary_label(sb[plan])), f"{info(m).phrase} ({m})",
                          formatting.mean_ci(ma[m], m), formatting.mean_ci(mb[m], m), d)
    if not set(sa) & set(sb):
        out_console.print(visible(_("no plan in common: {a} vs {b}", a=sorted(sa), b=sorted(sb))),
                          markup=False, highlight=False)
    out_console.print(table)


def _parse_costs(costs: list[str]) -> dict[str, float]:
    out = {}
    for c in costs:
        role, sep, weight = c.partition("=")
        try:
            if not sep:
                raise ValueError
            value = float(weight)
        except ValueError:
            raise ScenarioError([Problem("--cost", _("expected ROLE=WEIGHT"), c)]) from None
        # The search assumes more staff never costs less: a negative weight breaks it.
        if not math.isfinite(value) or value < 0:
            raise ScenarioError([Problem("--cost", _("the weight must be a finite number ≥ 0"),
                                         c)])
        out[role.strip()] = value
    return out


def _check_budget(opt: Optimiser, variables: list[Variable], reps: int, workers: int,
                  limit: Budget) -> None:
    """The run/compare budget, for the search: every candidate it may evaluate costed as the
    most staffed one (the work grows with the people simulated)."""
    evaluations = max_evaluations([len(v.values) for v in variables])
    message = over_budget([estimate(opt.largest.plan())], evaluations * reps, limit, workers)
    if message:
        raise ScenarioError([Problem("--vary", _(
            "up to {n} candidates of {reps} replications each: {message}",
            n=f"{evaluations:,}", reps=reps, message=message), ", ".join(
                f"{v.path}={v.values[0]}..{v.values[-1]}" for v in variables))])


def optimise(
    scenario: ScenarioArg,
    metric: Annotated[str, typer.Option("--metric", help="metric to hold to the target")],
    vary: Annotated[list[str], typer.Option(
        "--vary", help="PATH=LOW..HIGH[:STEP] or PATH=A,B,C, e.g. forces.militia.count=0..200:10"
    )],
    at_least: Annotated[float | None, typer.Option(
        "--at-least", help="the target: the metric at least this (in its own unit)")] = None,
    at_most: Annotated[float | None, typer.Option(
        "--at-most", help="the target: the metric at most this (in its own unit)")] = None,
    confidence: Annotated[float, typer.Option(
        "--confidence", min=0, max=1,
        help="share of replications that must meet the target (shown with 95 % confidence)")
    ] = 0.9,
    cost: Annotated[list[str] | None, typer.Option(
        "--cost", help="ROLE=WEIGHT, cost of one member (default 1 for every role)")] = None,
    plan: Annotated[str | None, typer.Option("--plan", help="plan to start from")] = None,
    reps: Annotated[int, typer.Option("--reps", min=2, max=100_000,
                                      help="replications per candidate")] = 50,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    out: OutOpt = None,
    store: StoreOpt = None,
    budget: BudgetOpt = None,
    memory_budget: MemoryBudgetOpt = None,
) -> None:
    """Find the cheapest staffing shown (95 % confidence) to meet a target in a share of replications."""
    if (at_least is None) == (at_most is None):
        raise ScenarioError([Problem("--at-least/--at-most", _("give exactly one of them"))])
    s = load_scenario(scenario)
    check_metric(metric, s)  # an unknown metric would never be met: every candidate would run
    threshold = at_least if at_least is not None else at_most
    if threshold is None or not math.isfinite(threshold):
        raise ScenarioError([Problem("--at-least" if at_least is not None else "--at-most",
                                     _("must be a finite number"), threshold)])
    assert threshold is not None
    target = Target(metric, threshold, at_least is not None, confidence)
    seed = s.model.seed if seed is None else seed
    folder = out or default_out(scenario.stem, "optimise")
    check_out_folder(folder)  # before the search, not after it
    db = open_store(store)
    assert db is not None
    check_int64("--seed", seed)
    variables = [Variable.parse(v) for v in vary]
    limit = budget_from(budget, memory_budget)
    t0 = time.perf_counter()
    with progress_bar(0, "optimise") as tick:
        def shown(ev: Evaluation) -> None:
            tick(0)
            out_console.print(_("  tried {values}: cost {cost}, meets target in {share} of "
                                "replications (with 95 % confidence at least {bound})",
                                values=candidate_text(variables, ev.values),
                                cost=f"{ev.cost:,.0f}", share=f"{ev.share_meeting:.0%}",
                                bound=f"{ev.lower_bound:.1%}") + (" ✓" if ev.feasible else ""))

        opt = Optimiser(s, plan, variables, target, _parse_costs(cost or []), reps, seed,
                        workers, None, dask, on_evaluation=shown)
        needed = replications_to_show(confidence)
        if needed is None or reps < needed:  # (the search would run for a claim it cannot make)
            raise ScenarioError([Problem("--confidence", _(
                "a share of {share} of replications cannot be shown with 95 % confidence from "
                "{reps} replications, even if all meet the target; give --reps {needed} or more",
                share=f"{confidence:.0%}", reps=reps, needed=needed) if needed else _(
                "a share of 100 % of replications can never be shown from a sample of them; ask "
                "for less, such as 0.95"), confidence)])
        _check_budget(opt, variables, reps, workers, limit)
        if metric not in s.kind.headline_metrics and metric not in s.kind.required_metrics:
            out_console.print(_("note: {metric} is not a headline metric of {kind}",
                                metric=metric, kind=s.kind.name))
        result = opt.search()
    data = result.as_dict() | {"scenario": s.name, "seed": seed, "replications": reps}
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "optimise.json", data)
    wrote(folder / "optimise.json")
    run_id = db.start_run("optimise", s.name, str(scenario.resolve()), s.digest, s.kind.name,
                          [s.plan(plan).plan], seed, reps, str(folder.resolve()))
    db.finish_run(run_id, data, time.perf_counter() - t0)
    direction = "≥" if target.at_least else "≤"
    out_console.print(_("target: {metric} {direction} {threshold} ({phrase}) in at least "
                        "{confidence} of replications, shown with 95 % confidence",
                        metric=metric, direction=direction,
                        threshold=fmt(threshold, metric), phrase=info(metric).phrase,
                        confidence=f"{confidence:.0%}"))
    if result.best is None:
        top = max(result.evaluations, key=lambda e: (e.cost, e.values), default=None)
        out_console.print(_("no staffing in the given ranges is shown to meet the target"))
        if top is not None:  # (how far off the most staffed one is, and what would help)
            out_console.print(_("the most staffed tried ({values}) met it in {share} of {reps} "
                                "replications, with 95 % confidence at least {bound}: widen the "
                                "ranges, or run more replications if that share is close",
                                values=candidate_text(variables, top.values),
                                share=f"{top.share_meeting:.0%}", reps=reps,
                                bound=f"{top.lower_bound:.1%}"))
    else:
        best = candidate_text(variables, result.best.values)
        out_console.print(_("cheapest: {best}, cost {cost}, meets the target in {share} of "
                            "{reps} replications, so with 95 % confidence in at least {bound} "
                            "({metric}: {typical})", best=best, cost=f"{result.best.cost:,.0f}",
                            share=f"{result.best.share_meeting:.0%}", reps=reps,
                            bound=f"{result.best.lower_bound:.1%}", metric=info(metric).phrase,
                            typical=formatting.cell(result.best.statistics, metric)))
    n, where = len(result.evaluations), folder / "optimise.json"
    if n == 1:
        said = _("1 candidate evaluated (full grid: {grid}); wrote {path}; run {id}",
                 grid=result.grid_size, path=where, id=run_id)
    else:
        said = _("{n} candidates evaluated (full grid: {grid}); wrote {path}; run {id}", n=n,
                 grid=result.grid_size, path=where, id=run_id)
    out_console.print(said)
