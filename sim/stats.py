"""Summary statistics and paired differences over replications (NaN-aware)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import stdtrit


@dataclass(frozen=True)
class Described:
    mean: float
    std: float
    ci95_low: float
    ci95_high: float
    p5: float
    p50: float
    p95: float
    n: int  # replications with a value (a time to 90 % is missing where 90 % was never reached)

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(self).items()}


def _t95(n: int) -> float:
    # Student t quantile; scipy.special avoids importing all of scipy.stats (~1 s).
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


@dataclass(frozen=True)
class PairedDifference:
    """Mean of (b - a) over replications run on the same seeds, with its 95 % CI."""

    mean: float
    ci95_low: float
    ci95_high: float
    n: int

    @property
    def significant(self) -> bool:
        return (self.n > 1 and not math.isnan(self.ci95_low)
                and (self.ci95_low > 0 or self.ci95_high < 0))


def paired_difference(a: np.ndarray | list[float], b: np.ndarray | list[float]
                      ) -> PairedDifference:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    d = b[ok] - a[ok]
    n = int(d.size)
    if n == 0:
        return PairedDifference(math.nan, math.nan, math.nan, 0)
    mean = float(d.mean())
    if n == 1:
        return PairedDifference(mean, math.nan, math.nan, 1)
    half = _t95(n) * float(d.std(ddof=1)) / math.sqrt(n)
    return PairedDifference(mean, mean - half, mean + half, n)
