"""Post-event review: where observed timings fall in the simulated distribution, and
calibration of named parameters to an observed log.

An observed muster log is a CSV with one row per person who checked in: ``t_min`` (minutes after
the alert) and ``role``, optionally ``responder_id`` and ``assembly_point``.
"""

from __future__ import annotations

import copy
import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as sstats

from sim.errors import Problem, ScenarioError
from sim.experiments import PlanRun, run_plan
from sim.forces import ROLES
from sim.optimise import set_path
from sim.scenario import Scenario, parse_scenario

REQUIRED = ("t_min", "role")


@dataclass(frozen=True)
class ObservedLog:
    times: np.ndarray  # minutes after the alert, one per check-in
    roles: list[str]
    rows_read: int
    skipped: list[Problem] = field(default_factory=list)


def read_observed(text: str, source: str = "LOG.csv", skip_bad_rows: bool = False
                  ) -> ObservedLog:
    """Parse an observed log; every bad row is reported with its line, column and value.

    With ``skip_bad_rows`` the valid rows are used and the bad ones listed as skipped;
    otherwise any bad row is an error (nothing is half-used silently).
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScenarioError([Problem(f"{source}: header", f"missing column(s) {missing}; "
                                     f"expected at least {list(REQUIRED)}", header)])
    times, roles, bad = [], [], []
    n = 0
    for line, row in enumerate(reader, start=2):
        n += 1
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        raw_t, role = row.get("t_min", ""), row.get("role", "")
        try:
            t = float(raw_t)
            if not math.isfinite(t):
                raise ValueError
        except ValueError:
            bad.append(Problem(f"{source}: line {line}, column t_min", "not a number", raw_t))
            continue
        if t < 0:
            bad.append(Problem(f"{source}: line {line}, column t_min",
                               "negative time (minutes after the alert)", t))
            continue
        if role not in ROLES:
            bad.append(Problem(f"{source}: line {line}, column role", "unknown role", role))
            continue
        times.append(t)
        roles.append(role)
    if bad and not skip_bad_rows:
        raise ScenarioError(bad + [Problem(source, f"{len(bad)} bad row(s) of {n}; fix them "
                                           "or use --skip-bad-rows to use the valid rows")])
    if not times:
        raise ScenarioError(bad + [Problem(source, "no valid rows")])
    return ObservedLog(np.array(times), roles, n, bad)


def observed_metrics(log: ObservedLog, roster: float) -> dict[str, float]:
    t = np.sort(log.times)

    def time_to(frac: float) -> float:
        k = math.ceil(frac * roster)
        return float(t[k - 1]) if 0 < k <= t.size else math.nan

    return {
        "mustered_15min": float((t <= 15).sum()),
        "mustered_30min": float((t <= 30).sum()),
        "mustered_60min": float((t <= 60).sum()),
        "frac_mustered_60min": float((t <= 60).sum() / roster),
        "t50_min": time_to(0.5),
        "t90_min": time_to(0.9),
    }


def simulated_times(run: PlanRun) -> np.ndarray:
    """Check-in times pooled over replications (from the kept event records)."""
    return np.array([e.t_min for r in run.results for e in r.events if e.event == "mustered"])


def compare_to_band(log: ObservedLog, run: PlanRun) -> dict[str, Any]:
    roster = float(np.nanmean(run.values("roster")))
    obs = observed_metrics(log, roster)
    metrics = {}
    for name, value in obs.items():
        sim = run.values(name)
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
    ks = sstats.ks_2samp(log.times, simulated_times(run))
    t = run.curve_t
    curves = np.vstack([r.curve for r in run.results if r.curve is not None])
    lo, hi = np.percentile(curves, 5, axis=0), np.percentile(curves, 95, axis=0)
    observed_curve = np.searchsorted(np.sort(log.times), t, side="right") / roster
    outside: list[dict[str, Any]] = []
    for k, minute in enumerate(t):
        side = "above" if observed_curve[k] > hi[k] else "below" if observed_curve[k] < lo[k] \
            else None
        if side and outside and outside[-1]["side"] == side and outside[-1]["to_min"] == t[k - 1]:
            outside[-1]["to_min"] = float(minute)
        elif side:
            outside.append({"from_min": float(minute), "to_min": float(minute), "side": side})
    return {
        "observed_rows": log.rows_read,
        "skipped_rows": [str(p) for p in log.skipped],
        "metrics": metrics,
        "ks": {"statistic": float(ks.statistic), "p_value": float(ks.pvalue)},
        "curve": {"t_min": t.tolist(), "observed": observed_curve.tolist(), "p5": lo.tolist(),
                  "p95": hi.tolist()},
        "outside_band": outside,
        "consistent": bool(ks.pvalue >= 0.05 and not outside),
    }


def review(scenario: Scenario, plan: str | None, log: ObservedLog, replications: int,
           seed: int | None = None, workers: int = 1) -> tuple[dict[str, Any], PlanRun]:
    if scenario.kind.name != "muster":
        raise ScenarioError([Problem("kind", "review of observed logs is available for muster "
                                     "scenarios", scenario.kind.name)])
    run = run_plan(scenario, plan, replications, seed, workers, keep_events=range(replications))
    out = compare_to_band(log, run)
    out.update({"scenario": scenario.name, "plan": run.plan, "replications": replications,
                "seed": run.seed})
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
    """Fit each parameter on a grid by the Kolmogorov–Smirnov distance between observed and
    simulated check-in times (coordinate-wise, two passes for several parameters).

    The reported uncertainty is the range of grid values the KS test does not reject at 5 %
    (with the other parameters at their fitted values).
    """
    fitted = {p.path: (p.low + p.high) / 2 for p in params}
    table: dict[str, list[dict[str, float]]] = {}
    for _ in range(2 if len(params) > 1 else 1):
        for p in params:
            rows = []
            for v in np.linspace(p.low, p.high, points):
                s = _with(scenario, plan, fitted | {p.path: float(v)})
                run = run_plan(s, None, replications, seed, workers,
                               keep_events=range(replications))
                ks = sstats.ks_2samp(log.times, simulated_times(run))
                rows.append({"value": float(v), "ks": float(ks.statistic),
                             "p_value": float(ks.pvalue)})
            best = min(rows, key=lambda r: r["ks"])
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
