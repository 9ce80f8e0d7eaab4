"""Replications, summaries and paired comparisons of staffing plans.

Lifecycle (as in desmod): build the plan's inputs once per process → run each replication as a
pure function of (inputs, replication index, seed) → collect. Replication ``i`` always uses
``SeedSequence(seed).spawn(...)[i]``, so results do not depend on the number of workers, and
plans compared on the same seed see the same people, delays and weather (common random
numbers).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import __version__
from sim.core.cache import BoundedCache
from sim.core.catalogue import is_time_to, natural_range
from sim.core.kind import kind_named
from sim.core.results import ReplicationResult, events_frame
from sim.core.scenario import PlanSetup, Scenario, network_for
from sim.present.plan_names import plan_labels
from sim.present.verdicts import verdict
from sim.run.backends import Backend, Job, OnResults, run_jobs, run_tasks
from sim.run.gc_policy import inputs_built
from sim.run.stats import describe, describe_time, paired_difference
from sim.run.store import RunStore

if TYPE_CHECKING:
    import pandas as pd

    from sim.core.config import Objective

Progress = Callable[[int], None]  # called with the number of replications just finished

# A plan's seed-independent inputs, by the scenario's content digest and the plan's name: a
# plan edited in the dashboard is a new scenario text, so a new key; the bound keeps a long
# dashboard session from holding every plan it ever ran.
INPUTS_CACHE_SIZE = 16
INPUTS: BoundedCache[Any] = BoundedCache(INPUTS_CACHE_SIZE)


def within(metric: str, limits: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """The values ``metric`` can take: its natural range cut by the plan's own limits."""
    lo, hi = natural_range(metric)
    plo, phi = limits.get(metric, (lo, hi))
    return max(lo, plo), min(hi, phi)


def plan_inputs(setup: PlanSetup) -> Any:
    """The seed-independent inputs of a plan, built once per process (while cached)."""
    kind = kind_named(setup.model.kind)

    def build() -> Any:
        inputs = kind.build(setup.model, network_for(setup.model, setup.base_dir))
        inputs_built()  # the collector and the inputs: decided per process (gc_policy)
        return inputs

    return INPUTS.get((setup.digest, setup.plan), build)


def run_replications(setup: PlanSetup, replications: Sequence[int], seed: int,
                     keep_events: Sequence[int] = (0,)) -> list[ReplicationResult]:
    """Run the given replication indices in this process."""
    kind = kind_named(setup.model.kind)
    inputs = plan_inputs(setup)
    keep = set(keep_events)
    return [kind.simulate(inputs, r, seed, r in keep) for r in replications]


def execute(setup: PlanSetup, replications: Sequence[int], seed: int, workers: int = 1,
            progress: Progress | None = None, keep_events: Sequence[int] = (0,),
            dask: str | None = None, on_results: OnResults | None = None
            ) -> list[ReplicationResult]:
    """Run replications on a backend; results ordered by replication index.

    ``on_results`` sees each finished chunk (e.g. to write it to the run store at once).
    """
    results: list[ReplicationResult] = []

    def collect(chunk: list[ReplicationResult]) -> None:
        results.extend(chunk)
        if on_results:
            on_results(chunk)
        if progress:
            progress(len(chunk))

    run_tasks(run_replications, setup, replications, seed, tuple(keep_events),
              Backend(workers, dask), collect)
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

    def inputs(self) -> Any:
        """The plan's seed-independent inputs (what its replications were run from)."""
        return plan_inputs(self.setup)

    def metric_names(self) -> list[str]:
        names: dict[str, None] = {}
        for r in self.results:
            names.update(dict.fromkeys(r.metrics))
        return list(names)

    def metrics_frame(self) -> pd.DataFrame:
        """One row per replication, one column per metric; rows carry plan and seed."""
        import pandas as pd  # deferred: pandas costs ~0.5 s of start-up; only writers need it

        rows = [{"plan": self.plan, "replication": r.replication, "seed": r.seed, **r.metrics}
                for r in self.results]
        return pd.DataFrame(rows)

    def values(self, metric: str) -> np.ndarray:
        return np.array([r.metrics.get(metric, math.nan) for r in self.results], dtype=float)

    def events(self) -> pd.DataFrame:
        return events_frame([e for r in self.results for e in r.events])

    @property
    def horizon_min(self) -> float:
        # The kinds' curves run minute by minute from 0 to the horizon.
        return float(self.curve_t[-1]) if self.curve_t.size else math.nan

    def described(self) -> dict[str, dict[str, Any]]:
        """Every metric's statistics; time-to-X metrics with ``reached`` and censored
        percentiles; a metric with no value in any replication says why it is not applicable."""
        out: dict[str, dict[str, Any]] = {}
        limits = self.limits()
        for m in self.metric_names():
            v = self.values(m)
            d: dict[str, Any] = (describe_time(v, self.horizon_min).as_dict() if is_time_to(m)
                                 else describe(v, within(m, limits)).as_dict())
            if np.isnan(v).all():
                d["not_applicable"] = not_applicable_reason(self)
            out[m] = d
        return out

    def objective(self, o: Objective) -> dict[str, Any]:
        """An objective as written, with how many replications met its target on their own
        (``replications_meeting`` of ``replications_assessed``: those where the measure has a
        value; a time not reached counts as later than any target). The statistic an objective
        names can pass while many replications miss: a median just above 1,500 is met in about
        half of them, and a planner should see that beside "met"."""
        v = self.values(o.metric)
        v = v[~np.isnan(v)]
        if o.at_least is not None:
            meets = v >= o.at_least
        else:
            assert o.at_most is not None  # (``Objective`` has exactly one bound)
            meets = v <= o.at_most
        return {**o.model_dump(exclude_none=True), "replications_meeting": int(meets.sum()),
                "replications_assessed": int(v.size)}

    def limits(self) -> Mapping[str, tuple[float, float]]:
        """The plan's own limits on its metrics (``Kind.metric_ranges``)."""
        kind = kind_named(self.setup.model.kind)
        return kind.metric_ranges(plan_inputs(self.setup)) if kind.metric_ranges else {}

    def summary(self) -> dict[str, Any]:
        kind = kind_named(self.setup.model.kind)
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
            "horizon_min": self.horizon_min,
            "metrics": self.described(),
            "injects": [i.record() for i in self.setup.model.injects],
            "objectives": [self.objective(o) for o in self.setup.model.objectives],
        }
        clock = kind.clock_start(self.setup.model) if kind.clock_start else None
        if clock:  # the clock time of minute 0 ("HH:MM"): the storyline's clock times
            out["clock_start"] = clock
        if self.setup.scenario_name_zh:  # shown by reports and tables in 中文
            out["scenario_zh"] = self.setup.scenario_name_zh
        if self.setup.name_zh:  # the plan's name in 中文 (only when given): ``plan_label``
            out["plan_zh"] = self.setup.name_zh
        if self.setup.description_zh:  # the plan's description in 中文 (only when given)
            out["description_zh"] = self.setup.description_zh
        places_zh = kind.place_names(self.setup.model)
        if places_zh:  # its places' names in 中文 (only those given): ``value_label``
            out["places_zh"] = places_zh
        inputs = plan_inputs(self.setup)
        out["warnings"] = list(getattr(inputs, "warnings", ()))
        if hasattr(inputs, "staffing"):  # festival: staff pool vs posted, per group
            out["staffing"] = inputs.staffing
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
             workers: int = 1, progress: Progress | None = None, *, dask: str | None = None,
             store: RunStore | None = None, resume: bool = False, run_id: int | None = None,
             keep_events: Sequence[int] = (0,)) -> PlanRun:
    """Run replications ``0..replications-1`` of one plan (event records kept for
    ``keep_events``).

    With a ``store``, each finished chunk is written at once; with ``resume`` too, replications
    already in the store (same scenario content, plan, seed and version) are loaded, not rerun.
    """
    setup = scenario.plan(plan)
    seed = scenario.model.seed if seed is None else seed
    curve_t = np.asarray(kind_named(setup.model.kind).curve_minutes(plan_inputs(setup)))
    empty = PlanRun(setup, seed, [], curve_t, extra={"reused": 0, "computed": 0})
    return extend(empty, range(replications), workers, progress, dask=dask, store=store,
                  resume=resume, run_id=run_id, keep_events=keep_events)


def extend(run: PlanRun, replications: Sequence[int], workers: int = 1,
           progress: Progress | None = None, *, dask: str | None = None,
           store: RunStore | None = None, resume: bool = False, run_id: int | None = None,
           keep_events: Sequence[int] = (0,)) -> PlanRun:
    """The same plan run with more replications added."""
    return extend_all([run], replications, workers, progress, dask=dask, store=store,
                      resume=resume, run_id=run_id, keep_events=keep_events)[0]


def extend_all(runs: Sequence[PlanRun], replications: Sequence[int], workers: int = 1,
               progress: Progress | None = None, *, dask: str | None = None,
               store: RunStore | None = None, resume: bool = False, run_id: int | None = None,
               keep_events: Sequence[int] = (0,)) -> list[PlanRun]:
    """Each plan run with the same replications added, all plans on the backend at once (a
    worker done with one plan goes on with the next). The runs must share one seed: common
    random numbers."""
    seeds = {r.seed for r in runs}
    if len(seeds) > 1:
        raise ValueError(f"plans compared on different seeds: {sorted(seeds)}")
    t0 = time.perf_counter()
    reused: list[dict[int, ReplicationResult]] = []
    computed: list[list[ReplicationResult]] = []
    finished = [t0] * len(runs)  # each plan's own time: until its last chunk came back
    jobs: list[Job] = []
    for run in runs:
        setup = run.setup
        have = (store.load_replications(setup.digest, setup.plan, run.seed, replications)
                if store is not None and resume else {})
        if progress and have:
            progress(len(have))
        reused.append(have)
        done: list[ReplicationResult] = []
        computed.append(done)
        jobs.append(Job(setup, [r for r in replications if r not in have],
                        _collector(setup, done, store, run_id, progress, finished, len(jobs))))
    if jobs:
        run_jobs(run_replications, jobs, runs[0].seed, tuple(keep_events),
                 Backend(workers, dask))
    out = []
    for run, have, done, end in zip(runs, reused, computed, finished, strict=True):
        results = sorted([*run.results, *have.values(), *done], key=lambda r: r.replication)
        extra = {"reused": run.extra.get("reused", 0) + len(have),
                 "computed": run.extra.get("computed", 0) + len(done)}
        out.append(PlanRun(run.setup, run.seed, results, run.curve_t,
                           run.elapsed_s + end - t0, extra))
    return out


def _collector(setup: PlanSetup, into: list[ReplicationResult], store: RunStore | None,
               run_id: int | None, progress: Progress | None, finished: list[float], i: int
               ) -> OnResults:
    """Where a plan's finished chunks go: its results, the run store (at once, so a stopped
    run keeps them), the progress count and the time its latest chunk came back."""
    def collect(chunk: list[ReplicationResult]) -> None:
        finished[i] = time.perf_counter()
        into.extend(chunk)
        if store is not None:
            store.save_replications(setup.digest, setup.plan, chunk, run_id)
        if progress:
            progress(len(chunk))

    return collect


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
        limits = {r.plan: r.limits() for r in self.runs}
        # (the verdicts name the plans as a planner reads them: ``sim.present.plan_names``)
        label = plan_labels((r.plan, r.setup.name_zh) for r in self.runs)
        for m in metrics:
            per_pair = {}
            for a, b in combinations(self.runs, 2):
                # (b − a lies between b's lowest less a's highest and b's highest less a's lowest)
                (lo_a, hi_a), (lo_b, hi_b) = within(m, limits[a.plan]), within(m, limits[b.plan])
                d = paired_difference(a.values(m), b.values(m), (lo_b - hi_a, hi_b - lo_a))
                per_pair[f"{b.plan} - {a.plan}"] = {
                    **d.as_dict(), "verdict": verdict(m, label[a.plan], label[b.plan], d)}
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
            seed: int | None = None, workers: int = 1, progress: Progress | None = None, *,
            dask: str | None = None, store: RunStore | None = None, resume: bool = False,
            run_id: int | None = None) -> Comparison:
    """Every plan on the same replication seeds (common random numbers)."""
    names = list(plans) if plans else scenario.plan_names()
    empty = [run_plan(scenario, p, 0, seed) for p in names]
    return Comparison(extend_all(empty, range(replications), workers, progress, dask=dask,
                                 store=store, resume=resume, run_id=run_id))


@dataclass(frozen=True)
class Stopping:
    """Adaptive replication: add batches until the 95 % CI half-width of ``metric`` (of each
    plan's mean, and of each paired difference with the first plan) is at most ``target``."""

    metric: str
    target: float
    batch: int = 50
    max_replications: int = 500


def half_width(comp: Comparison, metric: str) -> float:
    """The widest 95 % CI half-width of a metric over plans and paired differences."""
    widths = []
    for run in comp.runs:
        d = describe(run.values(metric))
        widths.append((d.ci95_high - d.ci95_low) / 2)
    first = comp.runs[0]
    for other in comp.runs[1:]:
        p = paired_difference(first.values(metric), other.values(metric))
        widths.append((p.ci95_high - p.ci95_low) / 2)
    return max((w if not math.isnan(w) else math.inf) for w in widths) if widths else math.inf


def compare_until(scenario: Scenario, plans: Sequence[str] | None, stopping: Stopping,
                  seed: int | None = None, workers: int = 1, progress: Progress | None = None,
                  *, dask: str | None = None, store: RunStore | None = None,
                  resume: bool = False, run_id: int | None = None
                  ) -> tuple[Comparison, dict[str, Any]]:
    """Run batches of replications until the stopping rule holds or the cap is reached."""
    names = list(plans) if plans else scenario.plan_names()
    comp = compare(scenario, names, min(stopping.batch, stopping.max_replications), seed,
                   workers, progress, dask=dask, store=store, resume=resume, run_id=run_id)
    while True:
        n = len(comp.runs[0].results)
        width = half_width(comp, stopping.metric)
        if width <= stopping.target or n >= stopping.max_replications:
            break
        more = range(n, min(n + stopping.batch, stopping.max_replications))
        comp = Comparison(extend_all(comp.runs, more, workers, progress, dask=dask,
                                     store=store, resume=resume, run_id=run_id))
    info = {"metric": stopping.metric, "target_half_width": stopping.target,
            "half_width": None if math.isinf(width) else width, "replications": n,
            "met": width <= stopping.target}
    return comp, info


def not_applicable_reason(run: PlanRun) -> str:
    """Why a metric has no value in any replication, in a planner's words."""
    def total(metric: str) -> float:
        v = run.values(metric)
        return float(np.nansum(v)) if np.isfinite(v).any() else math.nan

    at_risk, refused = total("at_risk"), total("refused")
    if at_risk == 0:
        return "nobody was at risk of flooding"
    if at_risk > 0 and at_risk == refused:
        return "nobody evacuated: everyone at risk refused to leave"
    if total("roster") == 0:
        return "nobody is on the roster"
    if total("visitors") == 0:
        return "there were no visitors"
    return "nothing to measure in any replication"

