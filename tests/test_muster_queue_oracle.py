"""Muster's check-in desks against queueing theory: an M/M/c queue must give Erlang-C waits.

Responders of one grid stand at the assembly point (no travel) and leave at times spread
uniformly over [0, T]: N uniform times are a Poisson process of rate N/T conditioned on its
count, so arrivals are Poisson. Check-in times are exponential: an M/M/c queue with c desks.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import stdtrit

from sim.run.experiments import plan_inputs
from tests.helpers import build, fixed_muster

C_DESKS = 3
MU = 1.0  # per minute: check-in takes 1 min on average
RHO = 0.8
LAM = RHO * C_DESKS * MU  # 2.4 arrivals a minute
T_MIN = 600.0
WARM_UP_MIN = 60.0  # the queue starts empty; waits of earlier arrivals are left out
STEP = 0.01  # departure times on a 0.01-minute grid (ties are negligible at 2.4/min)


def erlang_c_wq(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def test_erlang_c_formula_by_hand() -> None:
    # c = 1 reduces to M/M/1: Wq = rho / (mu - lam).
    assert erlang_c_wq(1, 0.5, 1.0) == 1.0
    # c = 3, a = 2.4: P(wait) = 0.6472, Wq = 1.0787 min (tables of the Erlang C formula).
    assert abs(erlang_c_wq(3, 2.4, 1.0) - 1.0787) < 1e-4


def test_checkin_desks_reproduce_erlang_c_waits(tmp_path) -> None:
    n = round(LAM * T_MIN)  # 1,440 responders
    data = fixed_muster(
        forces={"grid_head": {"per_grid": n, "grids": ["GC"]}},
        muster={"horizon_min": 900, "grid_app": {"delivery": 0}, "notice_day": 0,
                 "acknowledge": 0,
                 "preparation": {"dist": "empirical",
                                 "values": [round(k * STEP, 2)
                                            for k in range(int(T_MIN / STEP))]},
                 "checkin": {"dist": "exponential", "mean": 1 / MU},
                 "assembly_points": [{"id": "AP", "node": "C", "desks": C_DESKS}]})
    s = build(tmp_path, data)
    inputs = plan_inputs(s.plan(None))
    means = []
    for rep in range(24):
        result = s.kind.simulate(inputs, rep, 1, True)
        arrived: dict[str, float] = {}
        waits = []
        for e in result.events:
            if e.event == "arrived":
                arrived[e.entity_id] = e.t_min
            elif e.event == "checkin_start" and arrived[e.entity_id] >= WARM_UP_MIN:
                waits.append(e.t_min - arrived[e.entity_id])
        assert len(waits) > 0.85 * n  # every arrival after the warm-up is served
        means.append(float(np.mean(waits)))
    m = np.asarray(means)
    # Each replication's mean wait over ~1,300 customers is close to normal; across 24
    # independent replications the t interval holds the true mean. 4 standard errors: a
    # correct model fails this test with probability < 0.1 %; a 1-desk-short or
    # service-time-doubled model is many standard errors off.
    se = m.std(ddof=1) / math.sqrt(m.size)
    want = erlang_c_wq(C_DESKS, LAM, MU)
    print(f"M/M/3 rho 0.8: simulated Wq {m.mean():.4f} ± {se:.4f} (se), Erlang C {want:.4f}")
    assert abs(m.mean() - want) <= float(stdtrit(m.size - 1, 0.9995)) * se, (m.mean(), want, se)
    assert se < 0.1 * want  # the check is sharp: the interval is within ±10 % of Wq
