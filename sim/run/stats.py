"""Summary statistics and paired differences over replications.

Two kinds of missing value, kept apart on purpose:
- ``inf``: a time-to-X metric whose X did not happen within the horizon (censored: the time is
  later than the horizon). It is counted in ``reached`` and in the percentiles.
- ``nan``: not applicable (nothing to time or share, e.g. nobody had to evacuate). It is left
  out of everything.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

PERCENTILES = (5, 50, 95)


@dataclass(frozen=True)
class Described:
    mean: float
    std: float
    ci95_low: float
    ci95_high: float
    p5: float
    p50: float
    p95: float
    n: int  # replications with a value

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(self).items()}


def _t95(n: int) -> float:
    # Student t quantile; scipy.special avoids importing all of scipy.stats (~1 s).
    from scipy.special import stdtrit  # deferred: scipy.special is ~0.2 s of start-up

    return float(stdtrit(n - 1, 0.975)) if n > 1 else math.nan


def describe(values: np.ndarray | list[float]) -> Described:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return Described(*(math.nan,) * 7, n=0)
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else 0.0
    half = _t95(n) * std / math.sqrt(n) if n > 1 else math.nan
    p5, p50, p95 = (float(x) for x in np.percentile(v, [5, 50, 95]))
    return Described(mean, std, mean - half, mean + half, p5, p50, p95, n)


def censored_percentile(values: np.ndarray, q: float) -> float:
    """The q-th percentile (numpy's default linear interpolation) of values where ``inf`` means
    "later than the horizon"; ``inf`` when the interpolation needs an unreached replication."""
    v = np.sort(np.asarray(values, dtype=float))
    if v.size == 0:
        return math.nan
    h = (v.size - 1) * q / 100.0
    lo, hi = math.floor(h), math.ceil(h)
    if not math.isfinite(v[hi]):
        return math.inf
    return float(v[lo] + (h - lo) * (v[hi] - v[lo]))


@dataclass(frozen=True)
class TimeDescribed:
    """A time-to-X metric over replications, with the share that reached X within the horizon.

    Percentiles count unreached replications as later than the horizon (``inf`` here: ``null``
    with ``pXX_censored: true`` in JSON). The mean, its std and CI are over reached replications
    only (``mean_reached`` …); ``mean`` itself is given only when every replication reached X.
    """

    n: int  # replications where the metric applies
    n_reached: int
    horizon_min: float
    reached_only: Described  # over reached replications
    percentiles: tuple[float, ...]  # PERCENTILES, inf where censored

    @property
    def reached(self) -> float:
        return self.n_reached / self.n if self.n else math.nan

    def as_dict(self) -> dict[str, float | int | bool | None]:
        r = self.reached_only.as_dict()
        complete = self.n > 0 and self.n_reached == self.n
        out: dict[str, float | int | bool | None] = {
            "reached": None if math.isnan(self.reached) else self.reached,
            "n_reached": self.n_reached,
            "n": self.n,
            "horizon_min": self.horizon_min,
            "mean": r["mean"] if complete else None,
            "std": r["std"] if complete else None,
            "ci95_low": r["ci95_low"] if complete else None,
            "ci95_high": r["ci95_high"] if complete else None,
            "mean_reached": r["mean"],
            "std_reached": r["std"],
            "ci95_low_reached": r["ci95_low"],
            "ci95_high_reached": r["ci95_high"],
        }
        for q, v in zip(PERCENTILES, self.percentiles, strict=True):
            out[f"p{q}"] = v if math.isfinite(v) else None
            out[f"p{q}_censored"] = v == math.inf
        return out


def describe_time(values: np.ndarray | list[float], horizon_min: float) -> TimeDescribed:
    """``values``: one per replication; ``inf`` = not reached by the horizon, ``nan`` = not
    applicable (left out)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    reached = v[np.isfinite(v)]
    pct = tuple(censored_percentile(v, q) for q in PERCENTILES)
    return TimeDescribed(int(v.size), int(reached.size), float(horizon_min), describe(reached),
                         pct)


@dataclass(frozen=True)
class PairedDifference:
    """Mean of (b - a) over replications run on the same seeds, with its 95 % CI.

    Only pairs where both values exist enter (for a time-to-X metric: where both plans reached
    X); ``n`` of ``pairs`` says how many.
    """

    mean: float
    ci95_low: float
    ci95_high: float
    n: int
    pairs: int = 0  # replications compared (n of them had both values)

    @property
    def significant(self) -> bool:
        return (self.n > 1 and not math.isnan(self.ci95_low)
                and (self.ci95_low > 0 or self.ci95_high < 0))


def paired_difference(a: np.ndarray | list[float], b: np.ndarray | list[float]
                      ) -> PairedDifference:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    pairs = int(min(a.size, b.size))
    a, b = a[:pairs], b[:pairs]
    ok = np.isfinite(a) & np.isfinite(b)
    d = b[ok] - a[ok]
    n = int(d.size)
    if n == 0:
        return PairedDifference(math.nan, math.nan, math.nan, 0, pairs)
    mean = float(d.mean())
    if n == 1:
        return PairedDifference(mean, math.nan, math.nan, 1, pairs)
    half = _t95(n) * float(d.std(ddof=1)) / math.sqrt(n)
    return PairedDifference(mean, mean - half, mean + half, n, pairs)
