"""Summary statistics and paired differences over replications.

Two kinds of missing value, kept apart on purpose:
- ``inf``: a time-to-X metric whose X did not happen within the horizon (censored: the time is
  later than the horizon). It is counted in ``reached`` and in the percentiles.
- ``nan``: not applicable (nothing to time or share, e.g. nobody had to evacuate). It is left
  out of everything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

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


def describe(values: np.ndarray | list[float],
             within: tuple[float, float] = (-math.inf, math.inf)) -> Described:
    """Mean, std, the mean's 95 % t interval and percentiles of the finite ``values``.

    ``within``: the values the metric can take (a share 0–1, a checkpoint queue up to its
    limit). The interval is cut to it: the mean lies in it, so the cut interval holds the mean
    exactly when the t interval did (same coverage), and never claims the impossible, such
    as a longest queue of 1,528 people at a checkpoint that turns visitors away at 1,500."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return Described(*(math.nan,) * 7, n=0)
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else 0.0
    half = _t95(n) * std / math.sqrt(n) if n > 1 else math.nan
    p5, p50, p95 = (float(x) for x in np.percentile(v, [5, 50, 95]))
    lo, hi = within
    return Described(mean, std, _cut(mean - half, lo, hi), _cut(mean + half, lo, hi),
                     p5, p50, p95, n)


def _cut(x: float, lo: float, hi: float) -> float:
    return x if math.isnan(x) else min(max(x, lo), hi)


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
    return TimeDescribed(int(v.size), int(reached.size), float(horizon_min),
                         describe(reached, (0.0, math.inf)), pct)  # (no time is negative)


@dataclass(frozen=True)
class PairedDifference:
    """Mean of (b - a) over replications run on the same seeds, with its 95 % CI.

    Only pairs where both values exist enter the mean (for a time-to-X metric: where both plans
    reached X); ``n`` of ``pairs`` says how many.

    For a time-to-X metric, a pair where only one plan reached X has no difference, but its
    order is known: the other plan was later (an unreached X is later than the horizon). Where
    such pairs exist (``by_order``), the mean over pairs that both reached is biased towards the
    plan that reaches less often, so the verdict is the exact two-sided sign test over every pair
    whose order is known (``later``: b later than a; ``earlier``; ties left out).

    Where every pair differs by the same amount, the t interval has no width: below 6 pairs
    (where the sign test cannot pass) there is no interval and no significance.
    """

    mean: float
    ci95_low: float
    ci95_high: float
    n: int
    pairs: int = 0  # replications compared (n of them had both values)
    later: int = 0  # pairs where b is higher (for a time: later) than a
    earlier: int = 0  # pairs where b is lower than a
    one_reached: int = 0  # pairs where only one of the two reached X
    reached_a: int = 0  # pairs (of those that apply) where a reached X
    reached_b: int = 0
    sign_p: float = math.nan  # exact two-sided sign test over later vs earlier

    @property
    def by_order(self) -> bool:
        """Whether the order of the pairs, not the mean difference, decides (see above)."""
        return self.one_reached > 0

    @property
    def significant(self) -> bool:
        if self.by_order:
            return self.sign_p < 0.05
        return (self.n > 1 and not math.isnan(self.ci95_low)
                and (self.ci95_low > 0 or self.ci95_high < 0))

    @property
    def direction(self) -> int:
        """+1 where b is higher (later) than a, -1 lower, 0 none or unknown."""
        x = (self.later - self.earlier) if self.by_order else self.mean
        return 0 if math.isnan(x) or x == 0 else (1 if x > 0 else -1)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (nan → None), with ``significant``, ``by_order`` and ``direction``."""
        out: dict[str, Any] = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                               for k, v in asdict(self).items()}
        out.update(significant=self.significant, by_order=self.by_order,
                   direction=self.direction)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PairedDifference:
        """The inverse of ``as_dict`` (also of older files, without the order fields)."""
        def num(key: str) -> float:
            v = d.get(key)
            return math.nan if v is None else float(v)

        return cls(num("mean"), num("ci95_low"), num("ci95_high"), int(d.get("n") or 0),
                   int(d.get("pairs") or 0), int(d.get("later") or 0),
                   int(d.get("earlier") or 0), int(d.get("one_reached") or 0),
                   int(d.get("reached_a") or 0), int(d.get("reached_b") or 0), num("sign_p"))


def sign_test(k: int, m: int) -> float:
    """Exact two-sided p-value of ``k`` successes in ``m`` trials with p = 1/2 (nan if m = 0):
    twice the smaller tail, at most 1. Whole-number arithmetic: exact for any m."""
    if m == 0:
        return math.nan
    tail = sum(math.comb(m, i) for i in range(min(k, m - k) + 1))
    return min(1.0, 2 * tail / 2**m)


def paired_difference(a: np.ndarray | list[float], b: np.ndarray | list[float],
                      within: tuple[float, float] = (-math.inf, math.inf)) -> PairedDifference:
    """``inf`` in either: X not reached by the horizon (later than any reached value); ``nan``:
    not applicable (the pair is left out). ``within``: the values ``b − a`` can take; the
    interval is cut to it, as in ``describe`` (same coverage)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    pairs = int(min(a.size, b.size))
    a, b = a[:pairs], b[:pairs]
    apply = ~np.isnan(a) & ~np.isnan(b)
    fa, fb = np.isfinite(a) & apply, np.isfinite(b) & apply
    ok = fa & fb
    one = int(np.count_nonzero(fa ^ fb))
    order: dict[str, Any] = {}
    if one:  # (inf > any finite value, inf == inf: a tie)
        later = int(np.count_nonzero(b[apply] > a[apply]))
        earlier = int(np.count_nonzero(b[apply] < a[apply]))
        order = {"later": later, "earlier": earlier, "one_reached": one,
                 "reached_a": int(fa.sum()), "reached_b": int(fb.sum()),
                 "sign_p": sign_test(later, later + earlier)}
    d = b[ok] - a[ok]
    n = int(d.size)
    if n == 0:
        return PairedDifference(math.nan, math.nan, math.nan, 0, pairs, **order)
    mean = float(d.mean())
    if n == 1:
        return PairedDifference(mean, math.nan, math.nan, 1, pairs, **order)
    sd = float(d.std(ddof=1))
    if sd == 0.0 and mean != 0.0 and sign_test(n, n) >= 0.05:
        # The same difference in every pair: the t interval has no width, and would call two
        # equal differences of a count (a coincidence: counts are whole numbers) certain.
        # Only the signs are evidence then: the exact sign test (all n alike, p = 2^(1-n))
        # passes from 6 pairs on, where [d, d] is the order statistics' interval for the
        # median difference (coverage at least 1 - 2^(1-n)); with fewer, no interval.
        return PairedDifference(mean, math.nan, math.nan, n, pairs, **order)
    half = _t95(n) * sd / math.sqrt(n)
    lo, hi = within
    return PairedDifference(mean, _cut(mean - half, lo, hi), _cut(mean + half, lo, hi), n, pairs,
                            **order)
