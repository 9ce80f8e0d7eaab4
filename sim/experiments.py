"""Replications, summaries and paired comparisons of staffing plans.

Lifecycle (as in desmod): build the plan's inputs once per process → run each replication as a
pure function of (inputs, replication index, seed) → collect. Replication ``i`` always uses
``SeedSequence(seed).spawn(...)[i]``, so results do not depend on the number of workers, and
plans compared on the same seed see the same people, delays and weather (common random
numbers).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.metrics import verdict
from sim.results import ReplicationResult, events_frame
from sim.scenario import KINDS, PlanSetup, Scenario, network_for
from sim.stats import describe, paired_difference

Progress = Callable[[int], None]  # called with the number of replications just finished

_INPUTS: dict[tuple[str, str], Any] = {}


def plan_inputs(setup: PlanSetup) -> Any:
    """The seed-independent inputs of a plan, built once per process."""
    key = (setup.digest, setup.plan)
    if key not in _INPUTS:
        kind = KINDS[setup.model.kind]
        _INPUTS[key] = kind.build(setup.model, network_for(setup.model, setup.base_dir))
    return _INPUTS[key]


def run_replications(setup: PlanSetup, replications: Sequence[int], seed: int,
                     keep_events: Sequence[int] = (0,)) -> list[ReplicationResult]:
    """Run the given replication indices in this process."""
    kind = KINDS[setup.model.kind]
    inputs = plan_inputs(setup)
    keep = set(keep_events)
    return [kind.simulate(inputs, r, seed, r in keep) for r in replications]


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _pool(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def execute(setup: PlanSetup, replications: Sequence[int], seed: int, workers: int = 1,
            progress: Progress | None = None, keep_events: Sequence[int] = (0,)
            ) -> list[ReplicationResult]:
    """Run replications locally, in ``workers`` processes; results ordered by replication."""
    reps = list(replications)
    if workers <= 1 or len(reps) <= 1:
        out = []
        for r in reps:
            out.extend(run_replications(setup, [r], seed, keep_events))
            if progress:
                progress(1)
        return out
    size = max(1, math.ceil(len(reps) / (workers * 8)))
    results: list[ReplicationResult] = []
    with _pool(workers) as pool:
        futures = [pool.submit(run_replications, setup, c, seed, tuple(keep_events))
                   for c in _chunks(reps, size)]
        for f in as_completed(futures):
            chunk = f.result()
            results.extend(chunk)
            if progress:
                progress(len(chunk))
    return sorted(results, key=lambda r: r.replication)


@dataclass(frozen=True)
class PlanRun:
    """All replications of one plan, with what they were run from."""

    setup: PlanSetup
    seed: int
    results: list[ReplicationResult]
    curve_t: np.ndarray
    elapsed_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def plan(self) -> str:
        return self.setup.plan

    def metric_names(self) -> list[str]:
        names: dict[str, None] = {}
        for r in self.results:
            names.update(dict.fromkeys(r.metrics))
        return list(names)

    def metrics_frame(self) -> pd.DataFrame:
        """One row per replication, one column per metric; rows carry plan and seed."""
        rows = [{"plan": self.plan, "replication": r.replication, "seed": r.seed, **r.metrics}
                for r in self.results]
        return pd.DataFrame(rows)

    def values(self, metric: str) -> np.ndarray:
        return np.array([r.metrics.get(metric, math.nan) for r in self.results], dtype=float)

    def events(self) -> pd.DataFrame:
        return events_frame([e for r in self.results for e in r.events])

    def summary(self) -> dict[str, Any]:
        kind = KINDS[self.setup.model.kind]
        out: dict[str, Any] = {
            "scenario": self.setup.scenario_name,
            "kind": kind.name,
            "plan": self.plan,
            "description": self.setup.description,
            "replications": len(self.results),
            "seed": self.seed,
            "version": __version__,
            "scenario_digest": self.setup.digest,
            "elapsed_s": round(self.elapsed_s, 3),
            "metrics": {m: describe(self.values(m)).as_dict() for m in self.metric_names()},
        }
        curves = [r.curve for r in self.results if r.curve is not None]
        if curves and kind.curve_label:
            c = np.vstack(curves)
            out["curve"] = {
                "label": kind.curve_label,
                "t_min": self.curve_t.tolist(),
                "mean": np.round(c.mean(axis=0), 6).tolist(),
                "p5": np.round(np.percentile(c, 5, axis=0), 6).tolist(),
                "p95": np.round(np.percentile(c, 95, axis=0), 6).tolist(),
            }
        names = list(dict.fromkeys(k for r in self.results for k in r.series))
        if names:
            out["series"] = {}
            for name in names:
                rows = np.vstack([r.series[name] for r in self.results if name in r.series])
                out["series"][name] = {
                    "t_min": self.curve_t.tolist(),
                    "mean": np.round(rows.mean(axis=0), 6).tolist(),
                    "p5": np.round(np.percentile(rows, 5, axis=0), 6).tolist(),
                    "p95": np.round(np.percentile(rows, 95, axis=0), 6).tolist(),
                }
        return out


def run_plan(scenario: Scenario, plan: str | None, replications: int, seed: int | None = None,
             workers: int = 1, progress: Progress | None = None) -> PlanRun:
    setup = scenario.plan(plan)
    seed = scenario.model.seed if seed is None else seed
    t0 = time.perf_counter()
    results = execute(setup, range(replications), seed, workers, progress)
    curve_t = KINDS[setup.model.kind].curve_minutes(plan_inputs(setup))
    return PlanRun(setup, seed, results, np.asarray(curve_t), time.perf_counter() - t0)


@dataclass(frozen=True)
class Comparison:
    runs: list[PlanRun]

    @property
    def plans(self) -> list[str]:
        return [r.plan for r in self.runs]

    def differences(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per metric, per ordered pair ``"B - A"``: the paired mean difference with its CI."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        metrics = self.runs[0].metric_names()
        for m in metrics:
            per_pair = {}
            for a, b in combinations(self.runs, 2):
                d = paired_difference(a.values(m), b.values(m))
                per_pair[f"{b.plan} - {a.plan}"] = {
                    "mean": _none_if_nan(d.mean),
                    "ci95_low": _none_if_nan(d.ci95_low),
                    "ci95_high": _none_if_nan(d.ci95_high),
                    "n": d.n,
                    "significant": d.significant,
                    "verdict": verdict(m, a.plan, b.plan, d),
                }
            out[m] = per_pair
        return out

    def as_dict(self) -> dict[str, Any]:
        first = self.runs[0]
        return {
            "scenario": first.setup.scenario_name,
            "kind": first.setup.model.kind,
            "seed": first.seed,
            "replications": len(first.results),
            "version": __version__,
            "scenario_digest": first.setup.digest,
            "plans": {r.plan: r.summary() for r in self.runs},
            "differences": self.differences(),
        }


def compare(scenario: Scenario, plans: Sequence[str] | None, replications: int,
            seed: int | None = None, workers: int = 1, progress: Progress | None = None
            ) -> Comparison:
    names = list(plans) if plans else scenario.plan_names()
    return Comparison([run_plan(scenario, p, replications, seed, workers, progress)
                       for p in names])


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else x
