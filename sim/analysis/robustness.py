"""Where a plan fails: sample the assumption space, check the scenario's objectives in each
sample, and describe the failing region as boxes a planner can read.

Samples are a Latin hypercube over the declared assumptions (SALib), the same samples and the
same replication seeds for every plan (common random numbers), so "plan B fails in 4 % of the
assumption space, plan A in 19 %" compares plans on identical worlds.

Failure regions come from PRIM (Friedman & Fisher 1999, "Bump hunting in high-dimensional
data"), written here in a few dozen lines: peel the box a quantile at a time along the side
whose removal raises the share of failures inside most, pick the densest box that still holds
most failures, paste back what does not dilute it, and drop restrictions that do not matter, so
the box reads as a short sentence. (The EMA Workbench has PRIM, but pulls in scikit-learn,
statsmodels, seaborn and platypus.) Each box has its *coverage* (the share of all failing
samples inside it) and *density* (the share of samples inside it that fail).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.findings import objective_met
from sim.analysis.sensitivity import (
    LOCAL,
    Progress,
    design,
    evaluate,
    factors,
    statistic,
    to_values,
    unit_problem,
)
from sim.core.assumptions import Assumption
from sim.core.errors import Problem, ScenarioError
from sim.core.scenario import Scenario
from sim.present import formatting
from sim.present.i18n import _ as tr
from sim.present.i18n import pick
from sim.present.plan_names import plan_label
from sim.present.setting_words import named
from sim.run.backends import Backend


@dataclass(frozen=True)
class Box:
    """A region of the assumption space: ``bounds[i] = (low, high)`` per dimension."""

    bounds: tuple[tuple[float, float], ...]
    coverage: float
    density: float
    mass: float  # share of all samples inside

    def restricted(self, full: Sequence[tuple[float, float]]) -> list[int]:
        return [i for i, (b, f) in enumerate(zip(self.bounds, full, strict=True)) if b != f]


def _inside(x: np.ndarray, bounds: Sequence[tuple[float, float]]) -> np.ndarray:
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    return np.all((x >= lo) & (x <= hi), axis=1)


def _stats(x: np.ndarray, y: np.ndarray, bounds: Sequence[tuple[float, float]], total: float
           ) -> tuple[float, float, float]:
    inside = _inside(x, bounds)
    n_in = inside.sum()
    hits = y[inside].sum()
    return (hits / total if total else 0.0, hits / n_in if n_in else 0.0, n_in / len(y))


def prim_box(x: np.ndarray, y: np.ndarray, full: Sequence[tuple[float, float]] | None = None,
             alpha: float = 0.05, min_mass: float = 0.05, min_coverage: float = 0.5,
             prune_tolerance: float = 0.02) -> Box | None:
    """One PRIM box for the samples ``x`` (n × k) with outcome ``y`` (1: the plan fails).

    Peeling: remove the ``alpha`` share of the box's points from the side (any dimension, low
    or high) that leaves the highest density, until the box holds ``min_mass`` of the samples.
    Choice: the densest box on that trajectory with coverage ≥ ``min_coverage``. Pasting: widen
    a side back while the density does not drop. Pruning: drop a restriction when the density
    without it is within ``prune_tolerance`` or one standard error of the box's density.
    ``full``: the whole space (default: the samples' range)."""
    y = np.asarray(y, dtype=float)
    total = y.sum()
    if total == 0:
        return None
    full = list(full) if full is not None else _span(x)
    bounds = list(full)
    trajectory = [list(bounds)]
    while True:
        inside = _inside(x, bounds)
        if inside.sum() / len(y) <= min_mass:
            break
        best: tuple[float, int, int, float] | None = None
        xin, yin = x[inside], y[inside]
        for j in range(x.shape[1]):
            for side in (0, 1):
                q = np.quantile(xin[:, j], alpha if side == 0 else 1 - alpha)
                keep = xin[:, j] > q if side == 0 else xin[:, j] < q
                if keep.sum() == 0 or keep.all():
                    continue
                density = yin[keep].mean()
                if best is None or density > best[0]:
                    cut = float(xin[keep, j].min() if side == 0 else xin[keep, j].max())
                    best = (density, j, side, cut)
        if best is None:
            break
        _, j, side, cut = best
        bounds[j] = (cut, bounds[j][1]) if side == 0 else (bounds[j][0], cut)
        trajectory.append(list(bounds))
    scored = [(b, *_stats(x, y, b, total)) for b in trajectory]
    eligible = [s for s in scored if s[1] >= min_coverage] or scored[:1]
    bounds = list(max(eligible, key=lambda s: (round(s[2], 9), s[1]))[0])
    bounds = _paste(x, y, bounds, full, alpha, total)
    bounds = _prune(x, y, bounds, full, total, prune_tolerance)
    cov, den, mass = _stats(x, y, bounds, total)
    return Box(tuple(bounds), float(cov), float(den), float(mass))


def _span(x: np.ndarray) -> list[tuple[float, float]]:
    return [(float(x[:, j].min()), float(x[:, j].max())) for j in range(x.shape[1])]


def _paste(x: np.ndarray, y: np.ndarray, bounds: list[tuple[float, float]],
           full: list[tuple[float, float]], alpha: float, total: float
           ) -> list[tuple[float, float]]:
    improved = True
    while improved:
        improved = False
        _, den, _ = _stats(x, y, bounds, total)
        for j in range(len(bounds)):
            for side in (0, 1):
                if bounds[j][side] == full[j][side]:
                    continue
                step = alpha * (full[j][1] - full[j][0])
                trial = list(bounds)
                trial[j] = ((max(full[j][0], bounds[j][0] - step), bounds[j][1]) if side == 0
                            else (bounds[j][0], min(full[j][1], bounds[j][1] + step)))
                _, d2, _ = _stats(x, y, trial, total)
                if d2 >= den and _inside(x, trial).sum() > _inside(x, bounds).sum():
                    bounds, den, improved = trial, d2, True
    return bounds


def _prune(x: np.ndarray, y: np.ndarray, bounds: list[tuple[float, float]],
           full: list[tuple[float, float]], total: float, tolerance: float
           ) -> list[tuple[float, float]]:
    while True:
        _, den, mass = _stats(x, y, bounds, total)
        # A restriction stays only if it raises the density by more than its sampling error.
        margin = max(tolerance, math.sqrt(den * (1 - den) / max(mass * len(y), 1)))
        best: tuple[float, int] | None = None
        for j in range(len(bounds)):
            if bounds[j] == full[j]:
                continue
            trial = list(bounds)
            trial[j] = full[j]
            _, d2, _ = _stats(x, y, trial, total)
            if d2 >= den - margin and (best is None or d2 > best[0]):
                best = (d2, j)
        if best is None:
            return bounds
        bounds[best[1]] = full[best[1]]


def prim(x: np.ndarray, y: np.ndarray, full: Sequence[tuple[float, float]] | None = None,
         max_boxes: int = 2, min_failures: int = 5, **kwargs: Any) -> list[Box]:
    """Up to ``max_boxes`` boxes (covering: the samples of each box are set aside before the
    next is sought; a later box's figures are of the samples left, its coverage of all
    failures). A later box is kept only if most of its samples fail."""
    y = np.asarray(y, dtype=float)
    total = y.sum()
    full = list(full) if full is not None else _span(x)
    left = np.ones(len(y), dtype=bool)
    boxes: list[Box] = []
    for _ in range(max_boxes):
        if y[left].sum() < min_failures:
            break
        box = prim_box(x[left], y[left], full, **kwargs)
        if box is None or not box.restricted(full):
            break
        inside = left & _inside(x, box.bounds)
        density = float(y[inside].mean())
        if boxes and density < 0.5:
            break
        boxes.append(Box(box.bounds, float(y[inside].sum() / total), density,
                         float(inside.mean())))
        left &= ~inside
    return boxes


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def describe_box(box: Box, fs: Sequence[Assumption]) -> str:
    """The box's restrictions in plain words: "preparation time median ≥ 11 and …" (bounds
    are the extreme samples kept, so inclusive)."""
    parts = []
    for j in box.restricted([(f.low, f.high) for f in fs]):
        lo, hi = box.bounds[j]
        f = fs[j]
        if f.whole and round(lo) == round(hi):
            parts.append(f"{f.name} = {_num(lo)}")
        elif lo > f.low and hi < f.high:
            parts.append(tr("{name} between {low} and {high}", name=f.name, low=_num(lo),
                            high=_num(hi)))
        elif lo > f.low:
            parts.append(f"{f.name} ≥ {_num(lo)}")
        else:
            parts.append(f"{f.name} ≤ {_num(hi)}")
    return _joined(parts)


def _joined(parts: Sequence[str]) -> str:
    """``a and b and c`` in the current language."""
    out = parts[0] if parts else ""
    for p in parts[1:]:
        out = tr("{a} and {b}", a=out, b=p)
    return out


def _objective_text(o: dict[str, Any]) -> str:
    """An objective as the planner wrote it, in the current language (its ``description_zh``
    in 中文), else its target in words (``60 分钟内集结人数（中位数）≥ 1,500``), as reports show it."""
    return pick(o.get("description", ""), o.get("description_zh")) or \
        formatting.objective_target(o)


def robustness(scenario: Scenario, plans: Sequence[str], n: int = 100, reps: int = 5,
               seed: int | None = None, vary: Sequence[Assumption] = (),
               backend: Backend = LOCAL, progress: Progress | None = None
               ) -> dict[str, Any]:
    """Each plan on the same ``n`` Latin-hypercube samples of the assumptions; per plan the
    share of samples where an objective is missed and the PRIM boxes of those samples."""
    from SALib.sample import latin  # deferred: SALib (sensitivity methods only)

    objectives = [o.model_dump(exclude_none=True) for o in scenario.model.objectives]
    if not objectives:
        raise ScenarioError([Problem("objectives", "robustness checks the scenario's "
                                     "objectives; add an objectives: list")])
    fs = named(scenario.kind, scenario.raw, factors(scenario, vary))
    seed = scenario.model.seed if seed is None else seed
    unit = latin.sample(unit_problem(fs), n, seed=seed)
    values = to_values(scenario, fs, unit)
    x = np.array([[v[f.path] for f in fs] for v in values])
    out_plans: dict[str, Any] = {}
    label = scenario.plan_labels()  # (the sentences name plans as a planner reads them)
    for plan in plans:
        rows = evaluate(design(scenario, plan, values), reps, seed, backend, progress)
        missed = np.array([[objective_met(statistic(r, o["metric"], o.get("statistic", "mean")),
                                          o) is not True for o in objectives] for r in rows])
        fails = missed.any(axis=1)
        boxes = []
        for box in prim(x, fails.astype(float), [(f.low, f.high) for f in fs]):
            inside = _inside(x, box.bounds)
            which = [_objective_text(o) for i, o in enumerate(objectives)
                     if missed[inside, i].mean() >= 0.5]
            where = describe_box(box, fs)
            boxes.append({
                "bounds": {f.path: list(b) for f, b in zip(fs, box.bounds, strict=True)
                           if b != (f.low, f.high)},
                "coverage": box.coverage, "density": box.density, "mass": box.mass,
                "misses": which, "when": where,
                "sentence": tr("{plan} misses {what} when {where} (holds {coverage} of the "
                               "failing samples; {density} of the samples in it fail)",
                               plan=label[plan], what=_joined(which) or tr("an objective"),
                               where=where, coverage=f"{box.coverage:.0%}",
                               density=f"{box.density:.0%}")})
        out_plans[plan] = {
            "name_zh": scenario.plan(plan).name_zh,
            "fail_share": float(fails.mean()),
            "missed_share": {_objective_text(o): float(missed[:, i].mean())
                             for i, o in enumerate(objectives)},
            "fails": fails.astype(int).tolist(), "boxes": boxes}
    comparisons = []
    names = list(out_plans)
    for a in names:
        for b in names[names.index(a) + 1:]:
            fa, fb = (np.array(out_plans[p]["fails"], dtype=bool) for p in (a, b))
            comparisons.append({
                "plans": [a, b], "only_a": float((fa & ~fb).mean()),
                "only_b": float((fb & ~fa).mean()), "both": float((fa & fb).mean()),
                "sentence": tr("{b} fails in {share_b} of the assumption space, {a} in "
                               "{share_a} (on the same {n} samples: only {a} fails in "
                               "{only_a} of them, only {b} in {only_b})", a=label[a],
                               b=label[b],
                               share_b=f"{fb.mean():.0%}", share_a=f"{fa.mean():.0%}", n=n,
                               only_a=f"{(fa & ~fb).mean():.0%}",
                               only_b=f"{(fb & ~fa).mean():.0%}")})
    return {"scenario": scenario.name, "kind": scenario.kind.name, "n": n,
            "replications": reps, "seed": seed, "common_random_numbers": True,
            "objectives": [_objective_text(o) for o in objectives],
            "assumptions": [{"path": f.path, "label": f.name, "low": f.low, "high": f.high,
                             "source": f.source, "whole": f.whole} for f in fs],
            "samples": [[float(v) for v in row] for row in x],
            "plans": out_plans, "comparisons": comparisons}


def report_section(result: dict[str, Any]) -> dict[str, Any]:
    """What the after-action report shows of a robustness result: one row per plan (share of
    the assumption space where it fails) and the sentences of its failure regions."""
    rows = [[plan_label(plan, p.get("name_zh")), f"{p['fail_share']:.0%}",
             tr("; ").join(b["sentence"] for b in p["boxes"]) or
             (tr("no failing region found") if p["fail_share"] == 0 else
              tr("failures scattered, no simple region"))]
            for plan, p in result["plans"].items()]
    return {"title": tr("Robustness: where the plan fails"),
            "intro": tr("{n} samples of {k} assumptions (Latin hypercube), {reps} replications "
                       "each, the same samples and seeds for every plan. Objectives: "
                       "{objectives}.", n=result["n"], k=len(result["assumptions"]),
                       reps=result["replications"],
                       objectives=tr("; ").join(result["objectives"])),
            "header": [tr("plan"), tr("share of the assumption space where an objective is "
                                    "missed"), tr("where it fails")],
            "rows": rows,
            "comparisons": [c["sentence"] for c in result["comparisons"]]}
