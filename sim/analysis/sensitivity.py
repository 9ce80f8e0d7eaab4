"""Which assumptions matter: global sensitivity analysis of a plan over its assumed values.

Each design point is the plan with the assumed values set at their paths (``apply_values``, the
same path setting as calibration), validated like a scenario file, and run on common random
numbers: replication ``r`` of every design point uses the same seed, so two points differ only
by their assumptions, not by luck. Designs and indices come from SALib (Morris elementary
effects with μ*, σ and a bootstrap CI of μ*; Sobol' first and total order with CIs).

Designs are drawn on the unit cube and mapped to each assumption's range by its quantile
function, so the indices read in metric units over the whole plausible range of each
assumption (Morris: the typical change of the metric when an assumption moves across its range).

Design points × replications run on the existing backends (``sim.run.backends``: local processes or
Dask), all at once, so that many cheap points keep every worker busy.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.core.assumptions import Assumption, apply_values, assumption_problems, get_path
from sim.core.cache import BoundedCache
from sim.core.catalogue import info
from sim.core.config import leaf_paths, touches
from sim.core.errors import Problem, ScenarioError
from sim.core.kind import AnyKind, kind_named
from sim.core.planedit import plan_patch, resolved
from sim.core.results import ReplicationResult, base_metric
from sim.core.scenario import Scenario, network_for, parse_scenario
from sim.present.i18n import _
from sim.present.setting_words import named
from sim.run.backends import Backend, run_tasks

Method = Literal["morris", "sobol"]
Progress = Callable[[int], None]
MORRIS_LEVELS = 4
LOCAL = Backend()  # this process


@dataclass(frozen=True)
class Design:
    """Design points of one plan: the scenario mappings to run and the values behind them."""

    base_dir: Path
    plan: str
    raws: tuple[dict[str, Any], ...]
    values: tuple[dict[str, float], ...]
    token: str = ""  # tells designs apart in the per-process cache of built inputs


def factors(scenario: Scenario, vary: Sequence[Assumption] = ()) -> list[Assumption]:
    """The assumptions to vary: ``vary`` if given (checked like declared ones), else the
    scenario's declared ``assumptions:``."""
    chosen = list(vary) or list(scenario.model.assumptions)
    if not chosen:
        raise ScenarioError([Problem("assumptions", "the scenario declares no assumptions; add "
                                     "an assumptions: list or give --vary PATH=LOW..HIGH")])
    if vary:
        problems = assumption_problems(scenario.raw, chosen)
        if problems:
            raise ScenarioError([replace(p, path=p.path.replace("assumptions", "--vary", 1))
                                 for p in problems])
    return chosen


def unit_problem(fs: Sequence[Assumption]) -> dict[str, Any]:
    return {"num_vars": len(fs), "names": [f.path for f in fs], "bounds": [[0.0, 1.0]] * len(fs)}


def to_values(scenario: Scenario, fs: Sequence[Assumption], unit: np.ndarray
              ) -> list[dict[str, float]]:
    centres = [get_path(scenario.raw, f.path) for f in fs]
    return [{f.path: f.sample(float(u), c) for f, u, c in zip(fs, row, centres, strict=True)}
            for row in np.atleast_2d(unit)]


def design(scenario: Scenario, plan: str | None, values: Sequence[dict[str, float]]) -> Design:
    """The plan (resolved, as the only plan) with each set of values applied.

    Assumptions describe the world, not the plan, so they are applied over the plan's own
    settings; the first, lowest and highest points are validated here, so that a range that
    makes the scenario invalid is reported before any run."""
    name = scenario.plan(plan).plan
    base = resolved(scenario.raw, name)
    base["plans"] = {name: {"description": scenario.plan(name).description}}
    base.pop("assumptions", None)  # checked on the scenario; the plan may set those values
    # What the plan itself sets is its decision, not an assumption: it is not varied.
    leaves = leaf_paths(plan_patch(scenario.raw, name), scenario.kind.name)
    raws = tuple(apply_values(base, {k: v for k, v in vals.items() if not touches(k, leaves)})
                 for vals in values)
    for i in sorted({0, len(raws) - 1} | _extremes(values)):
        try:
            parse_scenario(raws[i], scenario.base_dir)
        except ScenarioError as exc:
            raise ScenarioError([replace(p, message=f"{p.message} [with assumptions "
                                         f"{_near(values[i], p.path)}]")
                                 for p in exc.problems]) from None
    return Design(scenario.base_dir, name, raws, tuple(values), uuid.uuid4().hex)


def _near(values: dict[str, float], path: str) -> str:
    """The values behind a problem: those at or around its path, else all of them."""
    near = {k: v for k, v in values.items() if touches(k, [path])} or values
    return ", ".join(f"{k} = {v:.4g}" for k, v in near.items())


def _extremes(values: Sequence[dict[str, float]]) -> set[int]:
    out: set[int] = set()
    if not values:
        return out
    for key in values[0]:
        col = [v[key] for v in values]
        out |= {int(np.argmin(col)), int(np.argmax(col))}
    return out


# The inputs of the design point being run: codes come in order, so one point's inputs are
# built once per process. Keyed by the design's token (a digest of its scenario and values).
_BUILT: BoundedCache[tuple[AnyKind, Any]] = BoundedCache(1)


def _point_inputs(d: Design, point: int) -> tuple[AnyKind, Any]:
    s = parse_scenario(d.raws[point], d.base_dir)
    setup = s.plan(d.plan)
    # Most assumptions leave the road network alone: ``network_for`` caches it by content.
    kind = kind_named(setup.model.kind)
    return kind, kind.build(setup.model, network_for(setup.model, d.base_dir))


def run_points(d: Design, chunk: list[int], seed: int, keep_events: tuple[int, ...] = ()
               ) -> list[ReplicationResult]:
    """Run codes ``point * reps + rep`` (``reps`` in ``keep_events[0]``): replication ``rep``
    of design point ``point``, on the same seed for every point (common random numbers)."""
    reps = keep_events[0]
    out = []
    for code in chunk:
        point, rep = divmod(code, reps)
        kind, inputs = _BUILT.get((d.token, point), partial(_point_inputs, d, point))
        r = kind.simulate(inputs, rep, seed, False)
        out.append(replace(r, replication=code, events=[], final_states={}, series={},
                           curve=None))
    return out


def evaluate(d: Design, reps: int, seed: int, backend: Backend = LOCAL,
             progress: Progress | None = None) -> list[list[dict[str, float]]]:
    """Metrics of every replication of every design point: ``[point][rep] -> {metric: value}``."""
    results: dict[int, dict[str, float]] = {}

    def collect(chunk: list[ReplicationResult]) -> None:
        results.update({r.replication: r.metrics for r in chunk})
        if progress:
            progress(len(chunk))

    run_tasks(run_points, d, range(len(d.raws) * reps), seed, (reps,), backend, collect)
    return [[results[p * reps + r] for r in range(reps)] for p in range(len(d.raws))]


def statistic(rows: list[dict[str, float]], metric: str, stat: str = "mean") -> float:
    x = np.array([r.get(metric, math.nan) for r in rows], dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan
    if stat == "mean":
        return float(x.mean())
    return float(np.percentile(x, {"p5": 5, "p50": 50, "p95": 95}[stat]))


def _check_metric(scenario: Scenario, metric: str, plan: str | None) -> None:
    known = scenario.kind.required_metrics
    base = base_metric(metric)
    if base not in known and base not in scenario.kind.headline_metrics:
        raise ScenarioError([Problem("--metric", _("unknown metric for a {kind} scenario; one "
                                                   "of {metrics}", kind=_(scenario.kind.name),
                                                   metrics=", ".join(known)), metric)])


def analyse(fs: Sequence[Assumption], method: Method, n: int, seed: int,
            evaluate_unit: Callable[[np.ndarray], np.ndarray]) -> dict[str, Any]:
    """SALib design, ``evaluate_unit`` (unit-cube rows → metric values), SALib indices.

    Returns ``{"points", "indices": [...ranked, most influential first]}``."""
    problem = unit_problem(fs)
    if method == "morris":
        from SALib.analyze import morris as morris_analyze  # deferred: SALib (sensitivity methods only)
        from SALib.sample import morris as morris_sample  # deferred: SALib (sensitivity methods only)

        x = morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        from SALib.analyze import sobol as sobol_analyze  # deferred: SALib (sensitivity methods only)
        from SALib.sample import sobol as sobol_sample  # deferred: SALib (sensitivity methods only)

        x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.asarray(evaluate_unit(x), dtype=float)
    bad = int(np.sum(~np.isfinite(y)))
    if bad:
        raise ScenarioError([Problem("--metric", _("the metric is undefined at {bad} of {n} "
                                                   "design points (e.g. never reached); pick "
                                                   "another metric", bad=bad, n=y.size))])
    rows: list[dict[str, Any]] = []
    if method == "morris":
        si = morris_analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, conf_level=0.95,
                                    num_resamples=1000, seed=seed)
        for i, f in enumerate(fs):
            rows.append({"path": f.path, "label": f.name, "low": f.low, "high": f.high,
                         "source": f.source, "mu_star": float(si["mu_star"][i]),
                         "mu_star_conf": float(si["mu_star_conf"][i]),
                         "sigma": float(si["sigma"][i]), "mu": float(si["mu"][i])})
        rows.sort(key=lambda r: -float(r["mu_star"]))
    else:
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95,
                                   num_resamples=1000, seed=seed)
        for i, f in enumerate(fs):
            rows.append({"path": f.path, "label": f.name, "low": f.low, "high": f.high,
                         "source": f.source, "S1": _finite(si["S1"][i]),
                         "S1_conf": _finite(si["S1_conf"][i]), "ST": _finite(si["ST"][i]),
                         "ST_conf": _finite(si["ST_conf"][i])})
        rows.sort(key=lambda r: -float(r["ST"]))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    return {"points": int(len(x)), "y_mean": float(np.mean(y)), "y_sd": float(np.std(y)),
            "indices": rows}


def _finite(v: Any) -> float:
    v = float(v)
    return v if math.isfinite(v) else 0.0


def sensitivity(scenario: Scenario, plan: str | None, metric: str, method: Method = "morris",
                n: int | None = None, reps: int = 5, seed: int | None = None,
                vary: Sequence[Assumption] = (), backend: Backend = LOCAL,
                progress: Progress | None = None) -> dict[str, Any]:
    """A global sensitivity analysis of ``metric`` (its mean over ``reps`` replications) over
    the declared assumptions (or ``vary``).

    ``n``: Morris trajectories (default 10; points = n × (k + 1)) or Sobol' base samples
    (default 64, a power of two; points = n × (k + 2))."""
    _check_metric(scenario, metric, plan)
    fs = named(scenario.kind, scenario.raw, factors(scenario, vary))
    name = scenario.plan(plan).plan
    seed = scenario.model.seed if seed is None else seed
    n = n or (10 if method == "morris" else 64)
    if method == "sobol" and n & (n - 1):
        raise ScenarioError([Problem("--n", "Sobol' needs a power of two (e.g. 64, 128)", n)])

    def run(unit: np.ndarray) -> np.ndarray:
        d = design(scenario, name, to_values(scenario, fs, unit))
        rows = evaluate(d, reps, seed, backend, progress)
        return np.array([statistic(r, metric) for r in rows])

    result = analyse(fs, method, n, seed, run)
    m = info(metric)
    return {"scenario": scenario.name, "scenario_zh": getattr(scenario.model, "name_zh", None) or "",
            "kind": scenario.kind.name, "plan": name, "plan_zh": scenario.plan(name).name_zh,
            "metric": metric,
            "metric_phrase": m.phrase, "metric_unit": m.unit,
            "method": method, "n": n, "replications": reps, "seed": seed,
            "common_random_numbers": True, **result}


def points_for(method: Method, n: int, k: int) -> int:
    return n * (k + 1) if method == "morris" else n * (k + 2)
