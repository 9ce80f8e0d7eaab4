"""The muster model's check-in desks, computed directly (FCFS recursion), against the SimPy
event loop they replaced: the same start and finish times, to the bit, for any arrivals. And
its event records, built column by column, against the row-by-row build they replaced.

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

from sim.core.results import EventRecord
from sim.core.rng import replication_key
from sim.core.scenario import load_scenario
from sim.kinds.muster import kind as muster_kind
from sim.kinds.muster.model import check_in, draw, timeline
from sim.kinds.muster.records import _STAGES, event_records
from sim.run.experiments import plan_inputs

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


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
    s = load_scenario(SCENARIOS / "muster_youchegang.yaml")
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


def rowwise_event_records(inp: Any, d: Any, tl: Any, start: np.ndarray, done: np.ndarray,
                          replication: int, horizon: float) -> list[EventRecord]:
    """The model's former records code: a tuple per row, sorted by (t, stage, index)."""
    roster = inp.roster
    homes = [inp.node_names[h] for h in d.home]
    aps = [inp.ap_ids[a] for a in tl.ap]
    columns = (tl.received, tl.noticed, tl.unavailable, tl.acknowledged, tl.departed, tl.arrived,
               start, done)
    rows: list[tuple[float, int, int, str]] = []
    for rank, (name, times) in enumerate(zip(_STAGES, columns, strict=True)):
        for i in np.flatnonzero(times <= horizon):
            loc = (str(tl.channel[i]) if name == "alert_received"
                   else aps[i] if rank >= 5 else homes[i])
            rows.append((float(times[i]), int(i), rank, loc))
    rows.extend((t, i, -1, "") for t, i in tl.unanswered if t <= horizon)
    injects = [EventRecord(replication, t, "inject", "", "", kind, detail)
               for t, kind, detail in inp.story.records if t <= horizon]
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    out = [EventRecord(replication, 0.0, "command", "command", "", "alert_sent",
                       ",".join(inp.params.channels))]
    out.extend(injects)
    out.extend(
        EventRecord(replication, t, roster[i].id, roster[i].role, roster[i].grid,
                    "call_unanswered" if rank < 0 else _STAGES[rank], loc)
        for t, i, rank, loc in rows
    )
    out.sort(key=lambda e: e.t_min)
    return out


@pytest.mark.parametrize("scenario", ["muster_youchegang.yaml", "muster_osm_example.yaml"])
def test_event_records_equal_the_rowwise_build(scenario: str) -> None:
    # Every plan: phone-tree calls not answered, injects after the first rows (a channel
    # outage, a road closed at 10 min), night, extra desks. Same rows, same order, same types.
    s = load_scenario(SCENARIOS / scenario)
    for plan in s.plan_names():
        inp = plan_inputs(s.plan(plan))
        horizon = inp.params.horizon_min
        for rep in range(2):
            d = draw(inp, replication_key(7, rep))
            tl = timeline(inp, d)
            start, done = check_in(inp, d, tl.ap, tl.arrived, horizon)
            got = event_records(inp, d, tl, start, done, rep, horizon)
            want = rowwise_event_records(inp, d, tl, start, done, rep, horizon)
            assert got == want, plan
            assert [tuple(map(type, e)) for e in got] == [
                tuple(float if isinstance(v, float) else type(v) for v in e) for e in want]
