"""Closed-form queueing results used as oracles (M/M/c, M/M/c/c)."""

from __future__ import annotations

import math


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
