"""The muster model's check-in desks, computed directly (FCFS recursion), against the SimPy
event loop they replaced: the same start and finish times, to the bit, for any arrivals.

``simpy_check_in`` is the model's former code, kept here as the reference: one SimPy
``Resource`` per assembly point, every arrival scheduled at t = 0, ``env.run(until=horizon)``.
Ties are where the two could part (several people arriving together, a desk freeing at the very
moment someone arrives, zero-minute check-ins, events at the horizon itself), so the generated
cases put every time on a coarse grid to make ties common.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kinds.muster import kind as muster_kind
from sim.kinds.muster.model import check_in


def simpy_check_in(inp: Any, d: Any, ap: np.ndarray, arrived: np.ndarray, horizon: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    env = simpy.Environment()
    desks = [simpy.Resource(env, capacity=c) for c in inp.desks]
    start = np.full(arrived.size, np.inf)
    done = np.full(arrived.size, np.inf)

    def arrive(i: int, _: simpy.Event) -> None:
        req = desks[ap[i]].request()
        req.callbacks.append(partial(serve, i))

    def serve(i: int, req: simpy.Event) -> None:
        start[i] = env.now
        env.timeout(d.checkin[i]).callbacks.append(partial(leave, i, req))

    def leave(i: int, req: Any, _: simpy.Event) -> None:
        done[i] = env.now
        desks[ap[i]].release(req)

    for i in np.flatnonzero(arrived <= horizon):
        env.timeout(arrived[i]).callbacks.append(partial(arrive, int(i)))
    env.run(until=horizon)
    return start, done


def both(desks: list[int], ap: np.ndarray, arrived: np.ndarray, checkin: np.ndarray,
         horizon: float) -> None:
    inp, d = SimpleNamespace(desks=desks), SimpleNamespace(checkin=checkin)
    want = simpy_check_in(inp, d, ap, arrived, horizon)
    got = check_in(inp, d, ap, arrived, horizon)  # type: ignore[arg-type]
    for w, g in zip(want, got, strict=True):
        assert w.tobytes() == g.tobytes(), np.flatnonzero(w != g)


@settings(max_examples=300, deadline=None)
@given(
    desks=st.lists(st.integers(1, 3), min_size=1, max_size=4),
    people=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 24), st.integers(0, 6),
                              st.booleans()), max_size=40),
    horizon_half_min=st.integers(1, 30),
)
def test_desks_equal_simpy_with_ties(desks: list[int], people: list[tuple[int, int, int, bool]],
                                     horizon_half_min: int) -> None:
    # Half-minute grid: arrivals, check-ins (0 included) and the horizon tie often.
    ap = np.array([p[0] % len(desks) for p in people], dtype=int)
    arrived = np.array([p[1] * 0.5 if p[3] else np.inf for p in people], dtype=float)
    checkin = np.array([p[2] * 0.5 for p in people], dtype=float)
    both(desks, ap, arrived, checkin, horizon_half_min * 0.5)


@pytest.mark.parametrize("seed", range(4))
def test_desks_equal_simpy_on_a_busy_town(seed: int) -> None:
    # 3,000 people, 12 points of 1–4 desks, lognormal check-ins: queues build up and drain.
    rng = np.random.default_rng(seed)
    n = 3000
    desks = rng.integers(1, 5, 12).tolist()
    ap = rng.integers(0, 12, n)
    arrived = np.where(rng.random(n) < 0.9, rng.gamma(3.0, 8.0, n), np.inf)
    checkin = rng.lognormal(0.0, 0.6, n)
    both(desks, ap, arrived, checkin, 60.0)


def test_whole_model_records_equal_simpy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bundled drill with every plan: the replication's records (events, metrics, curve,
    # final states) with the direct desks and with the SimPy desks are identical.
    from sim.core.scenario import load_scenario
    from sim.run.experiments import plan_inputs

    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios"
                      / "muster_youchegang.yaml")
    for plan in s.plan_names():
        inp = plan_inputs(s.plan(plan))
        for rep in range(2):
            direct = s.kind.simulate(inp, rep, 7, True)
            with monkeypatch.context() as mp:
                mp.setattr(muster_kind, "check_in", simpy_check_in)
                event_loop = s.kind.simulate(inp, rep, 7, True)
            assert direct.events == event_loop.events, plan
            assert repr(direct.metrics) == repr(event_loop.metrics), plan  # NaN == NaN
            assert direct.curve.tobytes() == event_loop.curve.tobytes(), plan
            assert direct.final_states == event_loop.final_states, plan
