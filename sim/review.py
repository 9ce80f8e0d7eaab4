"""Post-event review: where observed timings fall in the simulated distribution, and
calibration of named parameters to an observed log. What a log looks like is the kind's
``ReviewSpec`` (``sim.observed``)."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sstats

from sim.errors import Problem, ScenarioError
from sim.experiments import PlanRun, run_plan
from sim.observed import ObservedLog, ReviewSpec, Sample, read_log
from sim.optimise import set_path
from sim.scenario import Scenario, parse_scenario


def spec_of(scenario: Scenario) -> ReviewSpec:
    spec = scenario.kind.review
    if spec is None:
        raise ScenarioError([Problem("kind", "review of observed logs is not available for "
                                     "this kind yet", scenario.kind.name)])
    return spec  # type: ignore[no-any-return]


def read_observed(scenario: Scenario, text: str, source: str = "LOG.csv",
                  skip_bad_rows: bool = False) -> ObservedLog:
    return read_log(text, spec_of(scenario).columns_of(scenario.model), source, skip_bad_rows)


def _ks(spec: ReviewSpec, log: ObservedLog, run: PlanRun) -> tuple[float, float]:
    sim = spec.simulated_sample(run)
    obs = spec.observed_sample(log)
    if isinstance(sim, tuple) or isinstance(obs, tuple):
        return weighted_ks(obs, sim)
    if sim.size == 0 or obs.size == 0:
        return math.nan, math.nan
    ks = sstats.ks_2samp(obs, sim)
    return float(ks.statistic), float(ks.pvalue)


def _values_weights(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(sample, tuple):
        return np.asarray(sample[0], dtype=float), np.asarray(sample[1], dtype=float)
    x = np.asarray(sample, dtype=float)
    return x, np.ones(x.size)


def weighted_ks(a: Sample, b: Sample) -> tuple[float, float]:
    """Two-sample KS distance between weighted samples (the largest gap between the weighted
    empirical CDFs). Weights are e.g. the people of a group arriving together, who are not
    independent draws: the p-value is the asymptotic one with Kish effective sample sizes
    (Σw)² / Σw² (the number of groups when they are of equal size)."""
    (xa, wa), (xb, wb) = _values_weights(a), _values_weights(b)
    if xa.size == 0 or xb.size == 0 or wa.sum() <= 0 or wb.sum() <= 0:
        return math.nan, math.nan
    grid = np.union1d(xa, xb)

    def ecdf(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        order = np.argsort(x, kind="stable")
        cw = np.cumsum(w[order]) / w.sum()
        k = np.searchsorted(x[order], grid, side="right")
        return np.where(k > 0, cw[np.maximum(k - 1, 0)], 0.0)

    d = float(np.max(np.abs(ecdf(xa, wa) - ecdf(xb, wb))))
    na, nb = wa.sum() ** 2 / (wa**2).sum(), wb.sum() ** 2 / (wb**2).sum()
    en = max(round(na * nb / (na + nb)), 1)
    return d, float(sstats.kstwo.sf(d, en))


def compare_to_band(spec: ReviewSpec, log: ObservedLog, run: PlanRun) -> dict[str, Any]:
    metrics = {}
    per_rep = spec.simulated_metrics(log, run) if spec.simulated_metrics is not None else {}
    for name, value in spec.observed_metrics(log, run).items():
        sim = per_rep[name] if name in per_rep else run.values(name)
        sim = sim[np.isfinite(sim)]
        if sim.size == 0 or math.isnan(value):
            metrics[name] = {"observed": None if math.isnan(value) else value,
                             "percentile": None, "inside_band": None}
            continue
        p5, p50, p95 = np.percentile(sim, [5, 50, 95])
        # Mid-rank percentile: where the observed value sits among the replications.
        pct = 100.0 * (np.sum(sim < value) + 0.5 * np.sum(sim == value)) / sim.size
        metrics[name] = {"observed": value, "sim_p5": float(p5), "sim_p50": float(p50),
                         "sim_p95": float(p95), "percentile": float(pct),
                         "inside_band": bool(p5 <= value <= p95)}
    stat, p = _ks(spec, log, run)
    out: dict[str, Any] = {
        "observed_rows": log.rows_read,
        "skipped_rows": [str(p) for p in log.skipped],
        "metrics": metrics,
        "ks": {"sample": spec.sample_label, "statistic": stat, "p_value": p},
        "outside_band": [],
    }
    curves = [r.curve for r in run.results if r.curve is not None]
    if spec.observed_curve is not None and curves:
        t = run.curve_t
        c = np.vstack(curves)
        lo, hi = np.percentile(c, 5, axis=0), np.percentile(c, 95, axis=0)
        observed = spec.observed_curve(log, run)
        out["curve"] = {"t_min": t.tolist(), "observed": observed.tolist(), "p5": lo.tolist(),
                        "p95": hi.tolist()}
        out["outside_band"] = _outside(t, observed, lo, hi)
    out["consistent"] = bool((math.isnan(p) or p >= 0.05) and not out["outside_band"])
    return out


def _outside(t: np.ndarray, observed: np.ndarray, lo: np.ndarray, hi: np.ndarray
             ) -> list[dict[str, Any]]:
    """Stretches of minutes where the observed curve leaves the band, merged."""
    parts: list[dict[str, Any]] = []
    for k, minute in enumerate(t):
        side = "above" if observed[k] > hi[k] else "below" if observed[k] < lo[k] else None
        if side and parts and parts[-1]["side"] == side and parts[-1]["to_min"] == t[k - 1]:
            parts[-1]["to_min"] = float(minute)
        elif side:
            parts.append({"from_min": float(minute), "to_min": float(minute), "side": side})
    return parts


def review(scenario: Scenario, plan: str | None, log: ObservedLog, replications: int,
           seed: int | None = None, workers: int = 1) -> tuple[dict[str, Any], PlanRun]:
    spec = spec_of(scenario)
    run = run_plan(scenario, plan, replications, seed, workers,
                   keep_events=range(replications) if spec.needs_events else ())
    out = compare_to_band(spec, log, run)
    out.update({"scenario": scenario.name, "kind": scenario.kind.name, "plan": run.plan,
                "replications": replications, "seed": run.seed})
    return out, run


@dataclass(frozen=True)
class FitParameter:
    path: str  # a dotted path in the scenario, e.g. muster.preparation.median
    low: float
    high: float

    @classmethod
    def parse(cls, spec: str) -> FitParameter:
        path, sep, rng = spec.partition("=")
        lo, dots, hi = rng.partition("..")
        try:
            if not sep or not dots:
                raise ValueError
            low, high = float(lo), float(hi)
            if not low < high:
                raise ValueError
        except ValueError:
            raise ScenarioError([Problem("--fit", "expected PATH=LOW..HIGH with LOW < HIGH",
                                         spec)]) from None
        return cls(path.strip(), low, high)


def set_fitted(raw: dict[str, Any], path: str, value: float) -> None:
    """Set a fitted value. Fitting a lognormal's ``median`` keeps its spread: the p90 moves in
    proportion, so that the fit changes the scale of a delay, not its shape."""
    parts = path.split(".")
    node: Any = raw
    for p in parts[:-1]:
        node = node.get(p) if isinstance(node, dict) else None
    if (parts[-1] == "median" and isinstance(node, dict) and node.get("dist") == "lognormal"
            and node.get("median")):
        node["p90"] = float(node["p90"]) * value / float(node["median"])
    set_path(raw, path, value)


def _with(scenario: Scenario, plan: str | None, values: dict[str, float]) -> Scenario:
    raw = copy.deepcopy(scenario.raw)
    name = scenario.plan(plan).plan
    patch = (raw.get("plans") or {}).get(name)
    for path, v in values.items():
        set_fitted(raw, path, v)
    raw["plans"] = {name: patch} if isinstance(patch, dict) else {}
    return parse_scenario(raw, scenario.base_dir)


def calibrate(scenario: Scenario, plan: str | None, log: ObservedLog,
              params: list[FitParameter], replications: int = 20, seed: int | None = None,
              points: int = 13, workers: int = 1) -> dict[str, Any]:
    """Fit each parameter on a grid by the Kolmogorov–Smirnov distance between the observed and
    simulated samples (coordinate-wise, two passes for several parameters).

    The reported uncertainty is the range of grid values the KS test does not reject at 5 %
    (with the other parameters at their fitted values).
    """
    spec = spec_of(scenario)
    fitted = {p.path: (p.low + p.high) / 2 for p in params}
    table: dict[str, list[dict[str, float]]] = {}
    for _ in range(2 if len(params) > 1 else 1):
        for p in params:
            rows = []
            for v in np.linspace(p.low, p.high, points):
                s = _with(scenario, plan, fitted | {p.path: float(v)})
                run = run_plan(s, None, replications, seed, workers,
                               keep_events=range(replications) if spec.needs_events else ())
                stat, pval = _ks(spec, log, run)
                rows.append({"value": float(v), "ks": stat, "p_value": pval})
            best = min(rows, key=lambda r: (math.inf if math.isnan(r["ks"]) else r["ks"]))
            fitted[p.path] = best["value"]
            table[p.path] = rows
    result = {}
    for p in params:
        ok = [r["value"] for r in table[p.path] if r["p_value"] >= 0.05]
        result[p.path] = {"value": fitted[p.path],
                          "low": min(ok) if ok else None, "high": max(ok) if ok else None,
                          "grid": table[p.path]}
    return {"parameters": result, "replications": replications}


def calibrated_raw(scenario: Scenario, fitted: dict[str, float]) -> dict[str, Any]:
    raw = copy.deepcopy(scenario.raw)
    for path, v in fitted.items():
        set_fitted(raw, path, v)
    return raw
