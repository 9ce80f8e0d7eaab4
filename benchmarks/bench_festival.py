"""Festival benchmark (prints figures; not a test).

1. One replication of the bundled Yanguan festival day (~100,000 visitors, ~42,000 groups):
   CPU seconds per day and model events per CPU second, against
   - the issue's reference, 1.37 s per day (~122k events/s, measured before the checkpoints were
     computed directly; issue 16), and
   - in the same run: bare SimPy (``benchmarks/reference.py``), and the same day with its
     viewing points run in SimPy (``Day.run(direct=False)``, the path before they were
     computed directly; same records).
   A model event is one step of a group or of the incident part, however it is computed: a
   checkpoint passage, an arrival at a viewing point, the start of leaving, an exit, and every
   SimPy event of incidents and teams. So events/s compare across the two paths.
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

from sim.core.rng import replication_key  # noqa: E402
from sim.core.scenario import load_scenario  # noqa: E402
from sim.kinds.festival.checkpoint import LaneSchedule, serve  # noqa: E402
from sim.kinds.festival.demand import draw_groups  # noqa: E402
from sim.kinds.festival.metrics import checkpoint_present, collect  # noqa: E402
from sim.kinds.festival.model import Day, run_checkpoints  # noqa: E402
from sim.run.experiments import plan_inputs  # noqa: E402
from sim.run.gc_policy import own_process  # noqa: E402

LAM, MU, C, T = 10.0, 4.0, 3, 10_000.0


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    a = lam / mu
    top = a**c / (math.factorial(c) * (1 - a / c))
    p = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p, p / (c * mu - lam)


REFERENCE_DAY_CPU_S = 1.37  # issue 16: one festival day before this work (~122k events/s)


def festival_day(reps: int = 5) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from reference import bare_simpy_cpu

    bare = bare_simpy_cpu()
    print(f"bare SimPy, same run: {bare:,.0f} events per CPU second")
    own_process()  # as the command line: built inputs are frozen out of the collector's reach
    scenario = load_scenario(ROOT / "scenarios" / "tide_yanguan.yaml")
    inp = plan_inputs(scenario.plan("reported"))
    cpu: dict[bool, list[float]] = {True: [], False: []}
    events: dict[bool, list[int]] = {True: [], False: []}
    for rep in range(reps):
        for direct in (True, False):
            c0 = time.process_time()
            key = replication_key(scenario.model.seed, rep)
            groups = draw_groups(inp.params, key, inp.cp_ids, inp.view_weights)
            cr = run_checkpoints(inp, groups)
            day = Day(inp, groups, cr, key, checkpoint_present(inp, groups, cr))
            day.run(False, direct=direct)
            result = collect(inp, groups, cr, day, rep, scenario.model.seed, False)
            cpu[direct].append(time.process_time() - c0)
            vs = day.visits
            assert vs is not None
            # SimPy's event counter is private; count what was scheduled (every timeout and
            # process step, and the SimPy path's bare calls, take a number from env._eid).
            simpy_events = next(day.env._eid)  # type: ignore[attr-defined]
            steps = int((cr.cp >= 0).sum()) + simpy_events if not direct else (
                int((cr.cp >= 0).sum() + np.isfinite(vs.t_vp_last).sum()
                    + np.isfinite(vs.t_leave).sum() + np.isfinite(vs.t_exit).sum())
                + simpy_events)
            events[direct].append(steps)
        print(f"replication {rep}: {result.metrics['visitors']:,.0f} visitors in "
              f"{len(groups.ids):,} groups, {events[True][-1]:,} events; CPU s per day: "
              f"{cpu[True][-1]:.3f} direct, {cpu[False][-1]:.3f} with viewing points in SimPy")
    for direct, label in ((True, "direct (default)"), (False, "viewing points in SimPy")):
        per_day = statistics.median(cpu[direct])
        rate = statistics.median(events[direct]) / per_day
        print(f"{label:>24}: median {per_day:.3f} CPU s per day (min {min(cpu[direct]):.3f}), "
              f"{rate:,.0f} events per CPU s ({bare / rate:.1f}x bare SimPy's cost per event), "
              f"{REFERENCE_DAY_CPU_S / per_day:.1f}x faster than the reference "
              f"{REFERENCE_DAY_CPU_S} s")
    print(f"direct against viewing points in SimPy, same run: "
          f"{statistics.median(cpu[False]) / statistics.median(cpu[True]):.2f}x")


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
