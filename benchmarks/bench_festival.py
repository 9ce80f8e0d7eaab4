"""Festival benchmark (prints figures; not a test).

1. One replication of the bundled Yanguan festival day (~100,000 visitors): wall time and
   simulation events per second (SimPy events of the day plus one per checkpoint passage).
2. The same M/M/c queue (λ = 10, μ = 4, c = 3, 10,000 time units) in gridmuster's checkpoint
   model and in ciw, side by side: run times and mean waits against Erlang C.
   ciw is only needed here: ``.venv/bin/pip install ciw`` (it is not a gridmuster dependency).

Run: ``.venv/bin/python benchmarks/bench_festival.py``
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.core.gc_pause import gc_paused  # noqa: E402
from sim.core.rng import replication_key  # noqa: E402
from sim.core.scenario import load_scenario  # noqa: E402
from sim.kinds.festival.checkpoint import LaneSchedule, serve  # noqa: E402
from sim.kinds.festival.demand import draw_groups  # noqa: E402
from sim.kinds.festival.metrics import checkpoint_present, collect  # noqa: E402
from sim.kinds.festival.model import Day, run_checkpoints  # noqa: E402
from sim.run.experiments import plan_inputs  # noqa: E402

LAM, MU, C, T = 10.0, 4.0, 3, 10_000.0


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    a = lam / mu
    top = a**c / (math.factorial(c) * (1 - a / c))
    p = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p, p / (c * mu - lam)


def festival_day(reps: int = 3) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from reference import bare_simpy_cpu

    bare = bare_simpy_cpu()
    print(f"bare SimPy, same run: {bare:,.0f} events per CPU second")
    scenario = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    inp = plan_inputs(scenario.plan("reported"))
    for rep in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        key = replication_key(scenario.model.seed, rep)
        groups = draw_groups(inp.params, key, inp.cp_ids, inp.view_weights)
        cr = run_checkpoints(inp, groups)
        day = Day(inp, groups, cr, key, checkpoint_present(inp, groups, cr))
        with gc_paused():
            day.run(False)
        # (Day.run's bare calls are entries on SimPy's queue and take sequence numbers too.)
        result = collect(inp, groups, cr, day, rep, scenario.model.seed, False)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        # SimPy's event counter is private; count what was scheduled: every timeout and process
        # step goes through env._eid.
        events = next(day.env._eid) + int((cr.cp >= 0).sum())  # type: ignore[attr-defined]
        print(f"festival day, replication {rep}: {result.metrics['visitors']:,.0f} visitors in "
              f"{len(groups.ids):,} groups, {dt:.2f} s wall ({cpu:.2f} s CPU), {events:,} "
              f"events, {events / dt:,.0f} events/s wall ({events / cpu:,.0f} per CPU s: "
              f"{bare * cpu / events:.1f}x bare SimPy's cost per event)")


def gridmuster_mmc(seed: int) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    n = int(LAM * T * 1.2)
    arrivals = np.cumsum(rng.exponential(1 / LAM, n))
    arrivals = arrivals[arrivals < T]
    service = rng.exponential(1 / MU, arrivals.size)
    served = serve(arrivals, service, np.ones(arrivals.size, int), LaneSchedule.constant(C))
    wait = served.start - arrivals
    return time.perf_counter() - t0, float(wait.mean()), arrivals.size


def ciw_mmc(seed: int) -> tuple[float, float, int]:
    import ciw

    t0 = time.perf_counter()
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
                                 service_distributions=[ciw.dists.Exponential(rate=MU)],
                                 number_of_servers=[C])
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(T)
    waits = [r.waiting_time for r in sim.get_all_records()]
    return time.perf_counter() - t0, float(np.mean(waits)), len(waits)


def mmc(ciw_reps: int = 3, gridmuster_reps: int = 20) -> None:
    p_wait, wq = erlang_c(LAM, MU, C)
    print(f"\nM/M/c λ={LAM:g}, μ={MU:g}, c={C}, {T:,.0f} time units: Erlang C P(wait)={p_wait:.4f}, "
          f"Wq={wq:.4f}")
    # One run of ~100k customers has a relative s.d. of its mean wait of about 5 %: gridmuster
    # is cheap enough to average many runs; the mean is shown with its standard error.
    rows = {"gridmuster": [gridmuster_mmc(s) for s in range(gridmuster_reps)]}
    try:
        rows["ciw"] = [ciw_mmc(s) for s in range(ciw_reps)]
    except ImportError:
        print("ciw is not installed: .venv/bin/pip install ciw")
    for name, runs in rows.items():
        times = [r[0] for r in runs]
        waits = [r[1] for r in runs]
        mean = statistics.mean(waits)
        se = statistics.stdev(waits) / math.sqrt(len(waits))
        print(f"{name:>10}: median {statistics.median(times):.3f} s per run "
              f"({runs[0][2]:,} customers); mean wait {mean:.4f} ± {se:.4f} s.e. "
              f"({100 * (mean / wq - 1):+.1f} % vs Erlang C) over {len(runs)} runs")
    if "ciw" in rows:
        ratio = (statistics.median(r[0] for r in rows["ciw"])
                 / statistics.median(r[0] for r in rows["gridmuster"]))
        print(f"speed ratio: gridmuster is {ratio:.0f}x faster than ciw per run")


if __name__ == "__main__":
    festival_day()
    mmc()
