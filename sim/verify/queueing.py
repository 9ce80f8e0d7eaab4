"""Closed-form queueing results used as oracles (M/M/c, M/M/c/c)."""

from __future__ import annotations

import math

from sim.present.i18n import _


def erlang_b(a: float, c: int) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` = λ/μ (stable recursion)."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """(P(wait), mean wait in queue Wq) of M/M/c; needs λ < cμ."""
    a = lam / mu
    rho = a / c
    b = erlang_b(a, c)
    p_wait = b / (1 - rho * (1 - b))
    return p_wait, p_wait / (c * mu - lam)


def mean_t(samples: list[float]) -> tuple[float, float]:
    """Mean and its standard error over independent replications."""
    n = len(samples)
    m = sum(samples) / n
    var = sum((x - m) ** 2 for x in samples) / (n - 1)
    return m, math.sqrt(var / n)


def outside_chance(replications: int, k: float = 4.0) -> float:
    """Chance that a correct model's mean falls more than ``k`` estimated standard errors from
    the truth with this many replications: 2·P(t_{R−1} > k)."""
    from scipy.special import stdtr  # deferred: scipy.special is ~0.2 s of start-up

    return float(2 * stdtr(replications - 1, -k))


def replication_note(replications: int, what: str) -> str:
    return _("{n} replications of {what}; with the standard error estimated from {n} "
             "replications a correct model falls outside 4 standard errors with probability "
             "{p} (fixed seeds: the verdict is repeatable).", n=replications, what=what,
             p=f"{outside_chance(replications):.2%}")
