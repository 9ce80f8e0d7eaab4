"""Post-event review: where observed timings fall in the simulated distribution, and
calibration of named parameters to an observed log. What a log looks like is the kind's
``ReviewSpec`` (``sim.analysis.observed``)."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.observed import ObservedLog, ReviewSpec, Sample, read_log
from sim.core.assumptions import drop_assumptions
from sim.core.errors import Problem, ScenarioError
from sim.core.limits import PEOPLE
from sim.core.paths import set_fitted
from sim.core.scenario import Scenario, parse_scenario
from sim.present import review_text
from sim.present.i18n import _
from sim.run.experiments import PlanRun, run_plan
from sim.run.stats import censored_percentile


def spec_of(scenario: Scenario) -> ReviewSpec:
    spec = scenario.kind.review
    if spec is None:
        raise ScenarioError([Problem("kind", "review of observed logs is not available for "
                                     "this kind yet", scenario.kind.name)])
    return spec  # type: ignore[no-any-return]


def read_observed(scenario: Scenario, text: str, source: str = "LOG.csv",
                  skip_bad_rows: bool = False, plan: str | None = None) -> ObservedLog:
    """The log, read within limits: at most ``people`` rows (one person or household per row),
    and no more people than the plan could have where the kind can tell before a run."""
    spec = spec_of(scenario)
    before = spec.capacity_before(scenario.plan(plan).model) if spec.capacity_before else None
    return read_log(text, spec.columns_of(scenario.model), source, skip_bad_rows,
                    max_rows=PEOPLE, max_people=before, people_column=spec.people_column)


def _ks(spec: ReviewSpec, log: ObservedLog, run: PlanRun) -> tuple[float, float]:
    sim = spec.simulated_sample(run)
    obs = spec.observed_sample(log)
    if isinstance(sim, tuple) or isinstance(obs, tuple):
        return weighted_ks(obs, sim)
    if sim.size == 0 or obs.size == 0:
        return math.nan, math.nan
    from scipy import stats as sstats  # deferred: ~1 s to import; only a review needs it

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
    from scipy import stats as sstats  # deferred: ~1 s to import; only a review needs it

    return d, float(sstats.kstwo.sf(d, en))


def _as_rows(observed: float, simulated: np.ndarray) -> np.ndarray:
    """The observed value first, then each replication's; a time never reached (NaN) counts as
    later than any reached one."""
    v = np.concatenate([[observed], np.asarray(simulated, dtype=float)])
    return np.where(np.isnan(v), np.inf, v)


def band(observed: float, simulated: np.ndarray) -> dict[str, Any]:
    """The middle 90 % of the replications and where the observed value falls in them; ``inf``
    (in both) = not reached within the horizon. An unreached replication counts as later than
    every reached one, as in the run's tables: the band is not that of the reached runs only
    (3 of 40 unreached put the 95th percentile past the horizon). A bound past the horizon is
    ``None`` with ``sim_pXX_censored: true`` (written "> 120 min")."""
    sim = np.asarray(simulated, dtype=float)
    reached = int(np.isfinite(sim).sum())
    out: dict[str, Any] = {"reached": reached}
    if not reached:  # no replication reached it: there is no band to place the log in
        return out | {"percentile": None, "inside_band": None}
    pct = {q: censored_percentile(sim, q) for q in (5, 50, 95)}
    for q, v in pct.items():
        out[f"sim_p{q}"] = v if math.isfinite(v) else None
        out[f"sim_p{q}_censored"] = v == math.inf
    # Ties count half: the observed value's mid-rank among the replications (inf == inf).
    share = (np.sum(sim < observed) + 0.5 * np.sum(sim == observed)) / sim.size
    out["percentile"] = float(100.0 * share)
    out["inside_band"] = bool(pct[5] <= observed <= pct[95])
    return out


def abs_z(values: np.ndarray, unreached: float = -math.inf) -> np.ndarray:
    """Each row's distance from the mean of the *other* rows, in their standard deviations
    (leave-one-out: every row is treated alike, and an outlying log does not widen its own
    yardstick; where the others all agree, 0 for the same value and infinite for another). A
    value never reached (NaN) counts as ``unreached`` (the horizon: the earliest it could have
    been), or as the largest reached one if that is later."""
    finite = values[np.isfinite(values)]
    n = values.size
    if finite.size == 0 or n < 3:
        return np.zeros(n)
    v = np.where(np.isfinite(values), values, max(float(finite.max()), unreached))
    total, squares = v.sum(), (v**2).sum()
    mean = (total - v) / (n - 1)
    var = np.maximum((squares - v**2 - (n - 1) * mean**2) / (n - 2), 0.0)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(v - mean) / sd
    same = np.abs(v - mean) <= 1e-9 * (1 + np.abs(mean))
    return np.asarray(np.where(sd > 1e-9 * (1 + np.abs(mean)), z, np.where(same, 0.0, np.inf)))


def two_sided_p(values: np.ndarray) -> np.ndarray:
    """Each row's two-sided Monte-Carlo p-value among all rows (observed and replications):
    2 × the smaller of its ranks from below and from above, over R + 1. Under the model the
    observed row is exchangeable with the others, so P(p ≤ a) ≤ a."""
    le = (values[None, :] <= values[:, None]).sum(axis=1)
    ge = (values[None, :] >= values[:, None]).sum(axis=1)
    return np.asarray(np.minimum(1.0, 2.0 * np.minimum(le, ge) / values.size))


def max_deviation(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The simultaneous curve statistic of each row: the largest standardised distance from the
    mean curve, max_t |c(t) − mean(t)| / sd(t), mean and sd over all rows (observed included,
    which keeps the rows exchangeable). sd is floored at one person so that minutes where
    nearly every replication has the same count do not dominate."""
    mean = curves.mean(axis=0)
    sd = np.maximum(curves.std(axis=0, ddof=1), 1.0)
    return np.max(np.abs(curves - mean) / sd, axis=1), mean, sd


def compare_to_band(spec: ReviewSpec, log: ObservedLog, run: PlanRun, alpha: float = 0.05
                    ) -> dict[str, Any]:
    """Every check of the log against the replications, and one verdict at size ``alpha``.

    Checks: each metric (two-sided Monte-Carlo p-value) and the whole curve (max-standardised
    deviation). They are combined by the Westfall–Young single-step max-T adjustment: each row
    (the log and every replication) gets its largest standardised deviation over all checks,
    and the log is flagged when its own is exceeded by fewer than a share ``alpha`` of all
    rows. Like Bonferroni it bounds the chance of any false flag by ``alpha``; unlike
    Bonferroni it accounts for the checks being correlated (counts at 15, 30 and 60 min say
    nearly the same thing) and needs only 1/alpha replications, not (number of checks)/alpha."""
    R = len(run.results)
    observed = spec.observed_metrics(log, run)
    per_rep = spec.simulated_metrics(log, run)
    names = [n for n in observed if n in per_rep]
    zmat: list[np.ndarray] = []
    metrics: dict[str, Any] = {}
    for name in names:
        value, sim = observed[name], np.asarray(per_rep[name], dtype=float)
        rows_v = _as_rows(value, sim)
        p_rows = two_sided_p(rows_v)
        zmat.append(abs_z(np.where(np.isinf(rows_v), np.nan, rows_v), run.horizon_min))
        m: dict[str, Any] = {"observed": None if math.isnan(value) else value,
                             "p_value": float(p_rows[0]), "replications": R,
                             "horizon_min": run.horizon_min}
        m.update(band(rows_v[0], rows_v[1:]))
        metrics[name] = m
    stat, p = _ks(spec, log, run)
    out: dict[str, Any] = {
        "observed_rows": log.rows_read,
        "skipped_rows": [str(p) for p in log.skipped],
        "encoding": log.encoding,
        "metrics": metrics,
        "ks": {"sample": spec.sample_label, "statistic": stat, "p_value": p,
               "note": "descriptive only: pooled replications are not independent draws; "
                       "not part of the verdict"},
        "outside_band": [],
    }
    if spec.observed_curve is not None and spec.simulated_curves is not None and R:
        t = np.asarray(run.curve_t, dtype=float)
        rows = np.vstack([spec.observed_curve(log, run)[None, :], spec.simulated_curves(run)])
        dev, mean, sd = max_deviation(rows)
        p_curve = (dev[None, :] >= dev[:, None]).sum(axis=1) / dev.size
        zmat.append(dev)
        # The envelope every curve stays inside in all but a share alpha of replications.
        crit = float(np.quantile(dev[1:], 1 - alpha, method="higher"))
        lo, hi = np.maximum(mean - crit * sd, 0.0), mean + crit * sd
        out["curve"] = {"t_min": t.tolist(), "observed": rows[0].tolist(),
                        "mean": mean.tolist(), "low": lo.tolist(), "high": hi.tolist(),
                        "label": spec.curve_label, "max_deviation": float(dev[0]),
                        "critical": crit, "p_value": float(p_curve[0]),
                        "envelope": _("simultaneous {share} envelope",
                                      share=f"{1 - alpha:.0%}")}
        out["outside_band"] = _outside(t, rows[0], lo, hi)
        names = names + ["curve"]
    out.update(_verdict(names, np.vstack(zmat).T if zmat else np.zeros((R + 1, 0)), alpha,
                        spec.event_word))
    for name in metrics:
        metrics[name]["p_adjusted"] = out["adjusted"][name]
        metrics[name]["flagged"] = out["adjusted"][name] <= alpha
    if "curve" in out:
        out["curve"]["p_adjusted"] = out["adjusted"]["curve"]
        out["curve"]["flagged"] = out["adjusted"]["curve"] <= alpha
    return out


def _verdict(names: list[str], zmat: np.ndarray, alpha: float, events: str) -> dict[str, Any]:
    """Westfall–Young single-step max-T over the checks (row 0 is the observed log)."""
    n = zmat.shape[0]
    top = zmat.max(axis=1) if zmat.shape[1] else np.zeros(n)
    adjusted = {k: float((top >= zmat[0, i]).sum() / n) for i, k in enumerate(names)}
    p = float((top >= top[0]).sum() / n)
    flagged = p <= alpha
    which = [k for k in names if adjusted[k] <= alpha]
    meaning = review_text.flagged_share(events, f"{alpha:.0%}")
    if flagged:
        text = _("FLAGGED: the log differs from the model (overall p = {p} ≤ {alpha}), on "
                 "{which}. {meaning}", p=f"{p:.3f}", alpha=f"{alpha:g}",
                 which=", ".join(which) or _("the combination of checks"), meaning=meaning)
    else:
        text = _("Consistent with the model (overall p = {p} > {alpha}). {meaning} Not being "
                 "flagged does not prove the model right, only that this log cannot tell.",
                 p=f"{p:.2f}", alpha=f"{alpha:g}", meaning=meaning)
    return {"consistent": not flagged, "p_value": p, "alpha": alpha, "adjusted": adjusted,
            "events": events,
            "method": _("each check's standardised deviation from the replications' mean (per "
                        "metric, and the largest over the minutes for the curve), combined by "
                        "the Westfall–Young max-T adjustment: overall p = share of the log and "
                        "replications whose largest deviation is at least the log's (family-wise "
                        "size alpha); per-metric p-values are two-sided ranks, for reading"),
            "verdict": text}


def _outside(t: np.ndarray, observed: np.ndarray, lo: np.ndarray, hi: np.ndarray
             ) -> list[dict[str, Any]]:
    """Stretches of minutes where the observed curve leaves the envelope, merged."""
    parts: list[dict[str, Any]] = []
    for k, minute in enumerate(t):
        side = "above" if observed[k] > hi[k] else "below" if observed[k] < lo[k] else None
        if side and parts and parts[-1]["side"] == side and parts[-1]["to_min"] == t[k - 1]:
            parts[-1]["to_min"] = float(minute)
        elif side:
            parts.append({"from_min": float(minute), "to_min": float(minute), "side": side})
    return parts


def min_replications(alpha: float) -> int:
    """Fewer replications than this cannot flag any log at size ``alpha`` (smallest p is
    1/(R + 1))."""
    return math.ceil(1 / alpha) - 1


def review(scenario: Scenario, plan: str | None, log: ObservedLog, replications: int,
           seed: int | None = None, workers: int = 1, alpha: float = 0.05,
           source: str = "LOG.csv") -> tuple[dict[str, Any], PlanRun]:
    spec = spec_of(scenario)
    if not 0 < alpha < 1:
        raise ScenarioError([Problem("--alpha", "must be between 0 and 1", alpha)])
    run = run_plan(scenario, plan, replications, seed, workers,
                   keep_events=range(replications) if spec.needs_events else ())
    spec.check_size(log, run, source)
    out = compare_to_band(spec, log, run, alpha)
    out.update({"scenario": scenario.name, "scenario_zh": run.setup.scenario_name_zh,
                "kind": scenario.kind.name, "plan": run.plan,
                "plan_zh": run.setup.name_zh, "replications": replications, "seed": run.seed, "warnings": []})
    if replications < min_replications(alpha):
        out["warnings"].append(_(
            "with {n} replications no log can be flagged at {alpha} (the smallest possible "
            "p-value is 1/{n1}); use --reps {least} or more", n=replications,
            alpha=f"{alpha:.0%}", n1=replications + 1, least=min_replications(alpha)))
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


def _with(scenario: Scenario, plan: str | None, values: dict[str, float]) -> Scenario:
    raw = copy.deepcopy(scenario.raw)
    name = scenario.plan(plan).plan
    patch = (raw.get("plans") or {}).get(name)
    for path, v in values.items():
        set_fitted(raw, path, v)
    drop_assumptions(raw, set(values))  # (a draw from the fit's prior, not the declared range)
    raw["plans"] = {name: patch} if isinstance(patch, dict) else {}
    return parse_scenario(raw, scenario.base_dir)


QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _weighted_quantiles(sample: Sample) -> list[float]:
    x, w = _values_weights(sample)
    if x.size == 0 or w.sum() <= 0:
        return [math.nan] * len(QUANTILES)
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order]) / w.sum()
    return [float(x[order][min(int(np.searchsorted(cw, q - 1e-12)), x.size - 1)])
            for q in QUANTILES]


def summaries(spec: ReviewSpec, log: ObservedLog, run: PlanRun) -> tuple[list[str], np.ndarray]:
    """Summary statistics of the observed log (row 0) and of each replication of ``run`` (the
    rows after): the kind's metrics (counts: *how many* arrived, and times to a share) and the
    quantiles of the arrival times or waits (the timing shape). A time never reached is
    ``1.5 ×`` the horizon, the same for every row."""
    observed = spec.observed_metrics(log, run)
    per_rep = spec.simulated_metrics(log, run)
    names = [n for n in observed if n in per_rep]
    cols = [_as_rows(observed[n], per_rep[n]) for n in names]
    obs_q = _weighted_quantiles(spec.observed_sample(log))
    rep_q = [_weighted_quantiles(spec.simulated_sample(_one(run, k)))
             for k in range(len(run.results))]
    for i, q in enumerate(QUANTILES):
        names.append(f"quantile {q:g}")
        cols.append(np.array([obs_q[i]] + [r[i] for r in rep_q], dtype=float))
    table = np.vstack(cols).T
    cap = 1.5 * float(run.curve_t[-1]) if len(run.curve_t) else 1e6
    return names, np.where(np.isfinite(table), table, cap)


def _one(run: PlanRun, k: int) -> PlanRun:
    return PlanRun(run.setup, run.seed, [run.results[k]], run.curve_t)


@dataclass(frozen=True)
class ReferenceTable:
    """Parameter values drawn from the uniform prior, each with one simulated replication (a
    log's worth of people): shared by every log reviewed against the same scenario."""

    params: list[FitParameter]
    theta: np.ndarray  # draws × parameters
    runs: list[PlanRun]


def reference_table(scenario: Scenario, plan: str | None, params: list[FitParameter],
                    draws: int = 300, seed: int | None = None, workers: int = 1
                    ) -> ReferenceTable:
    theta, runs = _prior_runs(scenario, plan, params, draws, seed, workers)
    return ReferenceTable(params, theta, list(runs))


def _prior_runs(scenario: Scenario, plan: str | None, params: list[FitParameter], draws: int,
                seed: int | None, workers: int) -> tuple[np.ndarray, Iterator[PlanRun]]:
    """The draws from the uniform prior, and one replication at each, made as they are asked
    for (a caller that keeps only each run's summaries holds no more than one run at a time:
    20,000 kept runs with their event records were tens of GB)."""
    spec = spec_of(scenario)
    base = scenario.model.seed if seed is None else seed
    rng = np.random.default_rng([base, 4242])
    lo = np.array([p.low for p in params])
    hi = np.array([p.high for p in params])
    theta = lo + (hi - lo) * rng.random((draws, len(params)))

    def runs() -> Iterator[PlanRun]:
        for k, row in enumerate(theta):
            values = {p.path: float(v) for p, v in zip(params, row, strict=True)}
            yield run_plan(_with(scenario, plan, values), None, 1, base + 1 + k, workers,
                           keep_events=(0,) if spec.needs_events else ())

    return theta, runs()


def table_summaries(spec: ReviewSpec, log: ObservedLog, table: ReferenceTable
                    ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, observed summary, one row per draw)."""
    return runs_summaries(spec, log, table.runs)


def runs_summaries(spec: ReviewSpec, log: ObservedLog, runs: Iterable[PlanRun]
                   ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, observed summary, one row per run); ``runs`` may be made as they are read,
    each let go once summarised."""
    rows: list[np.ndarray] = []
    names: list[str] = []
    obs = np.zeros(0)
    for run in runs:
        names, s = summaries(spec, log, run)
        obs = s[0]
        rows.append(s[1])
    return names, obs, np.vstack(rows)


def abc_posterior(theta: np.ndarray, sims: np.ndarray, observed: np.ndarray,
                  params: list[FitParameter], accept: float = 0.1, level: float = 0.9
                  ) -> dict[str, Any]:
    """ABC rejection: the draws whose summaries are nearest the observed ones (Euclidean
    distance after scaling each summary by its median absolute deviation over the table) form
    the posterior sample; its median and central ``level`` interval are reported."""
    mad = np.median(np.abs(sims - np.median(sims, axis=0)), axis=0) * 1.4826
    scale = np.where(mad > 0, mad, sims.std(axis=0))
    use = scale > 0
    d = np.sqrt((((sims[:, use] - observed[use]) / scale[use]) ** 2).sum(axis=1))
    n = max(int(round(accept * theta.shape[0])), min(20, theta.shape[0]))
    kept = theta[np.argsort(d, kind="stable")[:n]]
    tail = (1 - level) / 2
    out = {}
    for i, p in enumerate(params):
        lo, med, hi = np.quantile(kept[:, i], [tail, 0.5, 1 - tail])
        prior_width = level * (p.high - p.low)
        identifiable = bool(hi - lo < IDENTIFIABLE * prior_width)
        out[p.path] = {"value": float(med), "low": float(lo), "high": float(hi),
                       "level": level, "identifiable": identifiable,
                       "prior": [p.low, p.high], "accepted": n}
    return out


# A parameter is "not identifiable from this log" when its credible interval is at least this
# share of the prior's central interval of the same level: the log barely narrowed it.
IDENTIFIABLE = 0.75


def calibrate(scenario: Scenario, plan: str | None, log: ObservedLog,
              params: list[FitParameter], draws: int = 300, seed: int | None = None,
              accept: float = 0.1, workers: int = 1, level: float = 0.9,
              table: ReferenceTable | None = None) -> dict[str, Any]:
    """Approximate Bayesian computation by rejection on a reference table: ``draws`` parameter
    values from a uniform prior on each LOW..HIGH, one simulated replication each, the nearest
    ``accept`` share kept. Reports the posterior median and the central 90 % credible
    interval of each parameter, and whether the log narrows the prior at all."""
    spec = spec_of(scenario)
    if table is not None:
        theta = table.theta
        names, obs, sims = table_summaries(spec, log, table)
    else:  # (each run reduced to its summaries as it is made, then let go)
        theta, runs = _prior_runs(scenario, plan, params, draws, seed, workers)
        names, obs, sims = runs_summaries(spec, log, runs)
    post = abc_posterior(theta, sims, obs, params, accept, level)
    return {"parameters": post, "draws": len(theta), "summaries": names,
            "method": _("ABC rejection: {draws} draws from a uniform prior, one replication "
                        "each; the nearest {accept} by the scaled distance between summaries "
                        "(counts and arrival-time quantiles); {level} credible interval = "
                        "central quantiles of those kept; 'not identifiable' when that "
                        "interval is ≥ {identifiable} as wide as the prior's",
                        draws=len(theta), accept=f"{accept:.0%}", level=f"{level:.0%}",
                        identifiable=f"{IDENTIFIABLE:.0%}")}


def calibrated_raw(scenario: Scenario, parameters: dict[str, dict[str, Any]], source: str
                   ) -> dict[str, Any]:
    """The scenario with each fitted value set to its posterior median, and the declared range
    of a fitted value (for sensitivity) replaced by its credible interval: the median may lie
    outside the range declared before the drill, which the calibrated file must still pass."""
    raw = copy.deepcopy(scenario.raw)
    for path, p in parameters.items():
        set_fitted(raw, path, p["value"])
    for a in raw.get("assumptions") or []:
        fit = parameters.get(str(a.get("path"))) if isinstance(a, dict) else None
        if fit is None:
            continue
        low, high = min(fit["low"], fit["value"]), max(fit["high"], fit["value"])
        if a.get("whole"):
            low, high = math.floor(low), math.ceil(high)
        a.update(low=float(low), high=float(high), dist="uniform",
                 source=f"calibrated on {source}: {fit['level']:.0%} credible interval")
        a.pop("mode", None)
    drop_assumptions(raw, {a["path"] for a in raw.get("assumptions") or []
                           if isinstance(a, dict) and a.get("path") in parameters
                           and not a["low"] < a["high"]})
    return raw
