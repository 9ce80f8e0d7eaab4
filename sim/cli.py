"""The ``gridmuster`` command line (also ``python -m sim``): the edge where files are written.

Every problem with the input is printed as ``field.path: message (got value)`` with exit code 2;
nothing the user typed should produce a traceback.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from sim import __version__
from sim.errors import ScenarioError
from sim.experiments import Comparison, compare, run_plan
from sim.output import write_comparison, write_run
from sim.scenario import KINDS, Scenario, load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate emergency mobilisation in grid-governed towns and compare staffing plans.",
)
out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]
RepsOpt = Annotated[int, typer.Option("--reps", min=1, max=100_000, help="replications per plan")]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0,
                                             help="root seed (default: the scenario's)")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, max=256, help="local processes")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="output folder")]


@contextmanager
def _progress(total: int, label: str) -> Iterator[Any]:
    # Shown on a terminal only, and only for runs longer than a second.
    with tqdm(total=total, desc=label, unit="rep", delay=1.0, file=sys.stderr,
              disable=None, leave=False) as bar:
        yield bar.update


def _load(path: Path) -> Scenario:
    return load_scenario(path)


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file; print every problem with its field path (exit 2 if any)."""
    s = _load(scenario)
    kind = s.kind
    sizes = []
    for name in s.plan_names():
        from sim.experiments import plan_inputs

        inputs = plan_inputs(s.plan(name))
        roster = getattr(inputs, "roster", None)
        sizes.append(f"{name} ({len(roster)} responders)" if roster is not None else name)
    out_console.print(f"ok: {s.name} — kind {kind.name}, {len(s.model.grids)} grids, "
                      f"plans: {', '.join(sizes)}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    models = tuple(k.scenario_model for k in KINDS.values())
    union: Any = models[0] if len(models) == 1 else Annotated[
        models[0] | models[1] if len(models) == 2 else models, "kind"]  # pragma: no cover
    sch = TypeAdapter(union).json_schema()
    sch["title"] = "gridmuster scenario"
    print(json.dumps(sch, indent=2, ensure_ascii=False))


def _fmt(v: float | None, metric: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if metric.startswith("frac_"):
        return f"{v:.1%}"
    return f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}"


def _summary_table(summaries: list[dict[str, Any]], metrics: tuple[str, ...]) -> Table:
    first = summaries[0]
    table = Table(title=f"{first['scenario']}: {first['replications']} replications, "
                        f"seed {first['seed']} — mean (5th–95th percentile)")
    table.add_column("metric")
    for s in summaries:
        table.add_column(s["plan"], justify="right")
    for m in metrics:
        row = [m]
        for s in summaries:
            d = s["metrics"].get(m) or {}
            row.append(f"{_fmt(d.get('mean'), m)} ({_fmt(d.get('p5'), m)}–{_fmt(d.get('p95'), m)})")
        table.add_row(*row)
    return table


def _default_out(scenario: Path, suffix: str) -> Path:
    return Path("out") / f"{scenario.stem}-{suffix}"


@app.command()
def run(
    scenario: ScenarioArg,
    plan: Annotated[str | None, typer.Option("--plan", help="plan name (default: first)")] = None,
    reps: RepsOpt = 100,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    out: OutOpt = None,
) -> None:
    """Run one plan many times; write summary.json, replications.csv, events.csv and plots."""
    s = _load(scenario)
    setup = s.plan(plan)
    with _progress(reps, setup.plan) as tick:
        result = run_plan(s, setup.plan, reps, seed, workers, tick)
    folder = out or _default_out(scenario, setup.plan)
    files = write_run(result, folder)
    out_console.print(_summary_table([result.summary()], s.kind.headline_metrics))
    out_console.print(f"wrote {len(files)} files to {folder}/ in {result.elapsed_s:.1f} s")


def _print_verdicts(comp: Comparison, metrics: tuple[str, ...]) -> None:
    diffs = comp.differences()
    ref = comp.plans[0]
    for m in metrics:
        for pair, d in diffs.get(m, {}).items():
            if pair.endswith(f" - {ref}"):
                mark = "[bold]*[/bold]" if d["significant"] else " "
                out_console.print(f"{mark} {d['verdict']}")


@app.command(name="compare")
def compare_cmd(
    scenario: ScenarioArg,
    plans: Annotated[str | None, typer.Option("--plans", help="comma-separated plan names "
                                              "(default: all)")] = None,
    reps: RepsOpt = 100,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    out: OutOpt = None,
) -> None:
    """Run plans on the same seeds and report paired differences with 95 % CIs."""
    s = _load(scenario)
    names = [p.strip() for p in plans.split(",") if p.strip()] if plans else s.plan_names()
    for n in names:
        s.plan(n)  # unknown plan names fail before any work is done
    with _progress(reps * len(names), "compare") as tick:
        comp = compare(s, names, reps, seed, workers, tick)
    folder = out or _default_out(scenario, "compare")
    files = write_comparison(comp, folder)
    summaries = [r.summary() for r in comp.runs]
    out_console.print(_summary_table(summaries, s.kind.headline_metrics))
    out_console.print(f"Paired differences against {comp.plans[0]} (* = significant at 95 %):")
    _print_verdicts(comp, s.kind.headline_metrics)
    out_console.print(f"wrote {len(files)} files to {folder}/")


@app.command()
def version() -> None:
    """Print the gridmuster version."""
    print(__version__)


def main() -> None:
    try:
        app()
    except ScenarioError as exc:
        for p in exc.problems:
            err_console.print(str(p), markup=False, highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so briefly
        if os.environ.get("GRIDMUSTER_DEBUG"):
            raise
        err_console.print(f"gridmuster: internal error: {type(exc).__name__}: {exc} "
                          "(set GRIDMUSTER_DEBUG=1 for details)", markup=False)
        sys.exit(1)
