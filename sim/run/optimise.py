"""Find the cheapest staffing shown (95 % confidence) to meet a target in a share of replications.

A candidate sets integer values on chosen plan paths (``forces.militia.count``); it is
evaluated by running replications on the optimiser's seed (common random numbers, so candidates
differ only by their staffing). A candidate is *feasible* when, with 95 % confidence, the share
of replications in which the metric meets the target is at least the required share: the exact
one-sided lower bound (Clopper–Pearson) of the share measured reaches it.

Why a bound and not the share measured: the cheapest candidate whose measured share passes is
the one most likely to have passed by luck. On a muster whose true shares are known, "90 % of 30
replications" chose a staffing that truly meets the target less often than 90 % in 31 of 40
optimisations. With the bound, a claim is wrong only if the most staffed candidate whose true
share is below the required one passes (with common random numbers and more staff never
worse, any cheaper one that passes makes it pass too), which happens in at most 5 % of
optimisations (``tests/test_optimise.py``, on that muster).

Search, assuming more staff never makes feasibility worse (monotone): one variable is bisected;
for two, a staircase walk along the feasibility boundary (at most n₁ + n₂ evaluations instead of
n₁·n₂); more variables are enumerated except the last two. A local search around the best
point then checks its neighbours in case the metric is not quite monotone.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.assumptions import drop_assumptions
from sim.core.catalogue import is_time_to
from sim.core.config import merge_plan
from sim.core.errors import Problem, ScenarioError
from sim.core.forces import ROLES, build_roster
from sim.core.limits import VARY_VALUES
from sim.core.paths import set_path
from sim.core.scenario import Scenario, parse_scenario
from sim.present.i18n import _
from sim.run.experiments import Progress, run_plan
from sim.run.stats import describe, describe_time

_RANGE = re.compile(r"^(?P<path>[\w.\[\]]+)=(?P<lo>-?\d+)\.\.(?P<hi>-?\d+)(:(?P<step>\d+))?$")
_LIST = re.compile(r"^(?P<path>[\w.\[\]]+)=(?P<vals>-?\d+(,-?\d+)*)$")
_DIGITS = 15  # no count, rate or time in a scenario needs more (see sim.core.limits)


@dataclass(frozen=True)
class Variable:
    path: str
    values: tuple[int, ...]

    @classmethod
    def parse(cls, spec: str) -> Variable:
        """``forces.militia.count=0..200`` (step 1), ``…=0..200:10`` or ``…=0,50,100``.

        Bounded before any list is made: a range of 10¹² values would otherwise hang here,
        and a number of thousands of digits would fail inside ``int``."""
        text = spec.strip()
        if any(len(d) > _DIGITS for d in re.findall(r"\d+", text.partition("=")[2])):
            raise ScenarioError([Problem("--vary", _("number too large"), text[:80])])
        m = _RANGE.match(text)
        if m:
            lo, hi, step = int(m["lo"]), int(m["hi"]), int(m["step"] or 1)
            if hi < lo or step < 1:
                raise ScenarioError([Problem("--vary", "need LOW..HIGH with LOW ≤ HIGH and a "
                                             "positive step", spec)])
            _check_count((hi - lo) // step + 1, spec)
            vals = list(range(lo, hi + 1, step))
            if vals[-1] != hi:
                vals.append(hi)
            return cls(m["path"], tuple(vals))
        m = _LIST.match(text)
        if m:
            given = m["vals"].split(",")
            _check_count(len(given), spec)
            return cls(m["path"], tuple(sorted({int(v) for v in given})))
        raise ScenarioError([Problem("--vary", "expected PATH=LOW..HIGH[:STEP] or PATH=A,B,C",
                                     spec)])


def _check_count(n: int, spec: str) -> None:
    if n > VARY_VALUES:
        raise ScenarioError([Problem("--vary", _(
            "{n} values; at most {limit} (give a step: LOW..HIGH:STEP)", n=f"{n:,}",
            limit=f"{VARY_VALUES:,}"), spec)])


def max_evaluations(sizes: list[int]) -> int:
    """About how many candidates ``Optimiser.search`` evaluates at most for variables of these
    sizes: bisection (one variable), the staircase walk (two), enumeration of the rest (more),
    plus the local search's neighbours."""
    if len(sizes) == 1:
        search = math.ceil(math.log2(max(sizes[0], 1))) + 1
    else:
        search = math.prod(sizes[:-2]) * (sizes[-2] + sizes[-1])
    return search + 2 * len(sizes)


@dataclass(frozen=True)
class Target:
    metric: str
    threshold: float
    at_least: bool = True  # False: the metric must be at most the threshold
    confidence: float = 0.9

    def met(self, values: np.ndarray) -> np.ndarray:
        ok = np.isfinite(values)
        return ok & (values >= self.threshold if self.at_least else values <= self.threshold)


def share_lower_bound(met: int, n: int, confidence: float = 0.95) -> float:
    """The exact (Clopper–Pearson) one-sided lower confidence bound of a share from ``met`` of
    ``n`` independent replications: the true share is below it in at most ``1 − confidence``
    of samples, whatever the share."""
    if n <= 0 or met <= 0:
        return 0.0
    from scipy.special import betaincinv  # deferred: scipy.special is ~0.2 s of start-up

    return float(betaincinv(met, n - met + 1, 1.0 - confidence))


def replications_to_show(share: float) -> int | None:
    """The fewest replications that can show a share of at least ``share`` with 95 %
    confidence (when every one meets the target); None when no number can (100 %)."""
    if share <= 0:
        return 1
    if share >= 1:
        return None
    return math.ceil(math.log(0.05) / math.log(share) - 1e-9)


@dataclass(frozen=True)
class Evaluation:
    values: tuple[int, ...]
    cost: float
    share_meeting: float
    mean: float
    feasible: bool
    lower_bound: float = 0.0  # of the share meeting the target, one-sided 95 %
    # The metric over the replications as every table has it (``sim.run.stats``): a time not
    # reached in some has its median and the share reached, and no mean.
    statistics: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class OptimiseResult:
    variables: list[Variable]
    target: Target
    best: Evaluation | None
    evaluations: list[Evaluation] = field(default_factory=list)

    @property
    def grid_size(self) -> int:
        return int(np.prod([len(v.values) for v in self.variables]))

    def as_dict(self) -> dict[str, Any]:
        paths = [v.path for v in self.variables]
        return {
            "target": {"metric": self.target.metric, "threshold": self.target.threshold,
                       "direction": "at least" if self.target.at_least else "at most",
                       "confidence": self.target.confidence},
            "variables": {v.path: list(v.values) for v in self.variables},
            "best": (dict(zip(paths, self.best.values, strict=True)) | {
                "cost": self.best.cost, "share_meeting": self.best.share_meeting,
                "share_lower_bound_95": self.best.lower_bound,
                "mean": self.best.mean, "statistics": self.best.statistics}
                     if self.best else None),
            "evaluations": len(self.evaluations),
            "full_grid": self.grid_size,
            "frontier": [dict(zip(paths, e.values, strict=True)) | {
                "cost": e.cost, "share_meeting": e.share_meeting,
                "share_lower_bound_95": e.lower_bound, "mean": e.mean,
                "feasible": e.feasible} for e in sorted(self.evaluations, key=lambda e: e.cost)],
        }


def candidate_text(variables: list[Variable], values: tuple[int, ...]) -> str:
    """``forces.cadre.count = 450, forces.militia.count = 80``: a candidate for a planner."""
    return ", ".join(f"{v.path} = {val:g}" for v, val in zip(variables, values, strict=True))


class Optimiser:
    def __init__(self, scenario: Scenario, plan: str | None, variables: list[Variable],
                 target: Target, costs: dict[str, float], replications: int, seed: int,
                 workers: int = 1, progress: Progress | None = None, dask: str | None = None,
                 on_evaluation: Callable[[Evaluation], None] | None = None):
        self.scenario, self.variables, self.target = scenario, variables, target
        self.costs, self.replications, self.seed = costs, replications, seed
        self.workers, self.progress, self.dask = workers, progress, dask
        self.on_evaluation = on_evaluation
        patch = (scenario.raw.get("plans") or {}).get(scenario.plan(plan).plan) or {}
        self.base = merge_plan(scenario.raw, patch if isinstance(patch, dict) else {},
                               scenario.model.kind)
        self.cache: dict[tuple[int, ...], Evaluation] = {}
        for r in costs:
            if r not in ROLES:
                raise ScenarioError([Problem("--cost", _("unknown role; roles are {roles}",
                                                         roles=", ".join(ROLES)), r)])
        # Bad paths, and values out of a field's bounds at either end of a range, fail before
        # any run; the most staffed candidate is the one the work estimate is made on.
        self.candidate(tuple(v.values[0] for v in variables))
        self.largest = self.candidate(tuple(v.values[-1] for v in variables))

    def candidate(self, values: tuple[int, ...]) -> Scenario:
        raw = copy.deepcopy(self.base)
        for var, val in zip(self.variables, values, strict=True):
            set_path(raw, var.path, val)
        raw["plans"] = {}
        drop_assumptions(raw, {v.path for v in self.variables})
        try:
            return parse_scenario(raw, self.scenario.base_dir)
        except ScenarioError as exc:
            where = candidate_text(self.variables, values)
            raise ScenarioError([Problem(p.path, _("{problem} (for the candidate with {values})",
                                                   problem=p.message, values=where), p.value)
                                 for p in exc.problems]) from None

    def cost(self, s: Scenario) -> float:
        roster = build_roster({str(k): v for k, v in s.model.forces.items()}, list(s.model.grids))
        return float(sum(self.costs.get(r.role, 1.0) for r in roster))

    def evaluate(self, idx: tuple[int, ...]) -> Evaluation:
        values = tuple(v.values[i] for v, i in zip(self.variables, idx, strict=True))
        if values not in self.cache:
            s = self.candidate(values)
            run = run_plan(s, None, self.replications, self.seed, self.workers, self.progress,
                           dask=self.dask)
            v = run.values(self.target.metric)
            met = int(self.target.met(v).sum())
            bound = share_lower_bound(met, v.size)
            stats = (describe_time(v, run.horizon_min).as_dict()
                     if is_time_to(self.target.metric) else describe(v).as_dict())
            mean = stats.get("mean")
            ev = Evaluation(values, self.cost(s), met / v.size if v.size else math.nan,
                            math.nan if mean is None else float(mean),
                            bound >= self.target.confidence, bound, stats)
            self.cache[values] = ev
            if self.on_evaluation:
                self.on_evaluation(ev)
        return self.cache[values]

    def feasible(self, idx: tuple[int, ...]) -> bool:
        return self.evaluate(idx).feasible

    def _bisect(self, fixed: tuple[int, ...], n: int) -> None:
        lo, hi = 0, n - 1
        if not self.feasible((*fixed, hi)):
            return
        while lo < hi:
            mid = (lo + hi) // 2
            if self.feasible((*fixed, mid)):
                hi = mid
            else:
                lo = mid + 1

    def _staircase(self, fixed: tuple[int, ...], na: int, nb: int) -> None:
        i, j = 0, nb - 1
        while i < na and j >= 0:
            if self.feasible((*fixed, i, j)):
                j -= 1
            else:
                i += 1

    def _local_search(self) -> None:
        improved = True
        while improved:
            best = self._best()
            if best is None:
                return
            improved = False
            idx = tuple(v.values.index(x) for v, x in zip(self.variables, best.values, strict=True))
            for d, var in enumerate(self.variables):
                for step in (-1, 1):
                    n = list(idx)
                    n[d] += step
                    if 0 <= n[d] < len(var.values):
                        ev = self.evaluate(tuple(n))
                        if ev.feasible and ev.cost < best.cost:
                            improved = True

    def _best(self) -> Evaluation | None:
        feasible = [e for e in self.cache.values() if e.feasible]
        return min(feasible, key=lambda e: (e.cost, e.values)) if feasible else None

    def search(self) -> OptimiseResult:
        sizes = [len(v.values) for v in self.variables]
        if len(sizes) == 1:
            self._bisect((), sizes[0])
        else:
            for fixed in itertools.product(*(range(n) for n in sizes[:-2])):
                self._staircase(tuple(fixed), sizes[-2], sizes[-1])
        self._local_search()
        return OptimiseResult(self.variables, self.target, self._best(),
                              list(self.cache.values()))
