"""Experiment layer: a comparison of 3 plans in this process, on local worker processes, and
on a real Dask cluster (``dask scheduler`` + ``dask worker`` processes on 127.0.0.1) of 1 and
2 workers: the speed-up from 1 to 2 workers (goal >= 1.8x, issue 16) and the overhead per
replication. Two workloads: REPS (500) replications of the Youchegang muster (about 2 ms
each: the transport's share is largest) and HEAVY (40) of the Duhu rainstorm (about 0.15 s
each: where a planner needs more workers). Every mode is warmed first (imports, each plan's
inputs built in every process), so the times are replications and their transport; each is
the best of two runs. The load average is printed beside the figures: the machine's cores
may be shared.

Prints figures; asserts nothing.
`.venv/bin/python benchmarks/bench_experiments.py [REPS] [HEAVY] [--no-dask]`
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from pathlib import Path

from sim.core.scenario import Scenario, load_scenario, parse_scenario
from sim.run.backends import close_dask
from sim.run.experiments import compare, execute

ROOT = Path(__file__).resolve().parents[1]
PLANS = ["baseline", "night", "phone_tree"]
HEAVY_FILE, HEAVY_PLANS = "rainstorm_duhu.yaml", ["baseline", "extra_militia", "county_team"]


def load() -> str:
    return "load " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def scenario(file: str = "muster_youchegang.yaml") -> Scenario:
    return load_scenario(ROOT / "scenarios" / file)


def timed_compare(reps: int, workers: int, dask: str | None = None,
                  file: str = "muster_youchegang.yaml", plans: list[str] = PLANS
                  ) -> tuple[float, float]:
    """(wall s, CPU s) of the comparison after the warm-up, the best of two runs: CPU of this
    process, or of the cluster's workers."""
    s = scenario(file)
    if dask:  # every worker imports and builds each plan's inputs before the clock starts
        from dask.distributed import Client  # deferred: dask is an optional extra

        from sim.run.experiments import plan_inputs

        with Client(dask) as client:
            for p in plans:
                client.run(plan_inputs, s.plan(p))
    compare(s, plans, 2, seed=1, workers=workers, dask=dask)  # warm: imports and inputs
    best = (math.inf, math.inf)
    for _ in range(2):
        cpu = workers_cpu(dask) if dask else time.process_time()
        t = time.perf_counter()
        compare(s, plans, reps, seed=1, workers=workers, dask=dask)
        wall = time.perf_counter() - t
        best = min(best, (wall, (workers_cpu(dask) if dask else time.process_time()) - cpu))
    return best


def workers_cpu(dask: str) -> float:
    """CPU seconds the cluster's worker processes have used so far (all of them)."""
    from dask.distributed import Client  # deferred: dask is an optional extra

    with Client(dask) as client:
        return float(sum(client.run(time.process_time).values()))


def per_replication_ms(reps: int, workers: int, dask: str | None) -> float:
    """Wall milliseconds per replication of a near-empty plan (a 1-person roster): the cost of
    getting a replication to a worker and its result back."""
    s = scenario()
    raw = dict(s.raw)
    raw["forces"] = {"grid_head": {"count": 1}}
    raw.pop("assumptions", None)  # they name the forces taken away here
    tiny = parse_scenario(raw, s.base_dir).plan("baseline")
    execute(tiny, range(2), 1, workers, dask=dask)  # warm the pool / cluster
    t = time.perf_counter()
    execute(tiny, range(reps), 1, workers, dask=dask, keep_events=())
    return (time.perf_counter() - t) / reps * 1000


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    reps = int(args[0]) if len(args) > 0 else 500
    heavy = int(args[1]) if len(args) > 1 else 40
    print(f"bench_experiments: {os.cpu_count()} CPUs ({load()})")
    light = ("muster_youchegang.yaml", PLANS, reps)
    hard = (HEAVY_FILE, HEAVY_PLANS, heavy)
    here = {w[0]: workload(*w) for w in (light, hard)}
    tiny_here = per_replication_ms(2000, 1, None)
    print(f"  1-person plan, this process: {tiny_here:.2f} ms per replication")
    if "--no-dask" in sys.argv:
        return
    try:
        from sim.run.dask_cluster import ClusterError, local_cluster
    except ImportError as exc:  # dask is an optional extra
        print(f"  dask: skipped ({exc})")
        return
    walls: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            try:
                with local_cluster(workers, Path(tmp) / f"c{workers}") as address:
                    try:
                        for file, plans, n_reps in (light, hard):
                            n = n_reps * len(plans)
                            wall, cpu = timed_compare(n_reps, workers, address, file, plans)
                            walls[file, workers] = wall
                            print(f"  {file}, Dask cluster of {workers} worker process(es) "
                                  f"(--dask {address}): {wall:7.1f} s wall, workers' CPU "
                                  f"{cpu:6.1f} s ({cpu / n * 1000:.1f} ms/rep, "
                                  f"{cpu / wall:.2f} cores busy; {load()}); overhead per "
                                  f"replication {(cpu - here[file]) / n * 1000:+.2f} ms of CPU "
                                  "against this process (the scheduler's share not counted)")
                        tiny = per_replication_ms(2000, workers, address)
                    finally:
                        close_dask()
            except ClusterError as exc:
                print(f"  dask: skipped ({str(exc).splitlines()[0]})")
                return
            print(f"    1-person plan: {tiny:.2f} ms wall per replication "
                  f"({tiny - tiny_here:+.2f} ms against this process)")
    for file, _plans, _n in (light, hard):
        print(f"  Dask speed-up from 1 to 2 workers, {file}: "
              f"{walls[file, 1] / walls[file, 2]:.2f}x wall (goal >= 1.8x; {os.cpu_count()} "
              f"CPUs at {load()}: the cores are shared, see 'cores busy')")


def workload(file: str, plans: list[str], reps: int) -> float:
    """This process and 2 local processes on one comparison; this process's CPU seconds."""
    n = reps * len(plans)
    one, cpu_here = timed_compare(reps, 1, None, file, plans)
    print(f"  {file}, {reps} reps x {len(plans)} plans, this process (--workers 1): "
          f"{one:7.1f} s  {one / n * 1000:6.1f} ms/rep wall, {cpu_here / n * 1000:.1f} ms/rep "
          f"CPU  ({load()})")
    two, _cpu = timed_compare(reps, 2, None, file, plans)
    print(f"  {file}, 2 local processes (--workers 2): {two:7.1f} s  speed-up {one / two:.2f}x"
          f"  ({load()})", flush=True)
    return cpu_here


if __name__ == "__main__":
    main()
