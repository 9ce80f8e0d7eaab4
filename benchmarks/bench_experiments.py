"""Experiment layer: REPS replications x 3 plans in this process, on local worker processes,
and on a real Dask cluster (``dask scheduler`` + ``dask worker`` processes on 127.0.0.1) of 1
and 2 workers: the speed-up from 1 to 2 workers (goal >= 1.8x, issue 16) and the overhead per
replication. Every mode is warmed first (imports, each plan's inputs built in every process),
so the times are replications and their transport. The load average is printed beside the
figures: the machine's cores may be shared.

Prints figures; asserts nothing.
`.venv/bin/python benchmarks/bench_experiments.py [REPS] [--no-dask]`
"""

from __future__ import annotations

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


def load() -> str:
    return "load " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def scenario() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")


def timed_compare(reps: int, workers: int, dask: str | None = None) -> tuple[float, float]:
    """(wall s, CPU s) of the comparison after the warm-up: CPU of this process, or of the
    cluster's workers."""
    s = scenario()
    if dask:  # every worker imports and builds each plan's inputs before the clock starts
        from dask.distributed import Client  # deferred: dask is an optional extra

        from sim.run.experiments import plan_inputs

        with Client(dask) as client:
            for p in PLANS:
                client.run(plan_inputs, s.plan(p))
    compare(s, PLANS, 2, seed=1, workers=workers, dask=dask)  # warm: imports and inputs
    cpu = workers_cpu(dask) if dask else time.process_time()
    t = time.perf_counter()
    compare(s, PLANS, reps, seed=1, workers=workers, dask=dask)
    wall = time.perf_counter() - t
    return wall, (workers_cpu(dask) if dask else time.process_time()) - cpu


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
    reps = int(args[0]) if args else 500
    n = reps * len(PLANS)
    print(f"bench_experiments: {reps} reps x {len(PLANS)} plans of muster_youchegang, "
          f"{os.cpu_count()} CPUs ({load()})")
    one, cpu_here = timed_compare(reps, 1)
    print(f"  this process (--workers 1):     {one:7.1f} s  {one / n * 1000:6.1f} ms/rep wall, "
          f"{cpu_here / n * 1000:.1f} ms/rep CPU  ({load()})")
    two, _cpu = timed_compare(reps, 2)
    print(f"  2 local processes (--workers 2): {two:7.1f} s  speed-up {one / two:.2f}x  ({load()})")
    tiny_here = per_replication_ms(2000, 1, None)
    print(f"  1-person plan, this process: {tiny_here:.2f} ms per replication")
    if "--no-dask" in sys.argv:
        return
    try:
        from sim.run.dask_cluster import ClusterError, local_cluster
    except ImportError as exc:  # dask is an optional extra
        print(f"  dask: skipped ({exc})")
        return
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            try:
                with local_cluster(workers, Path(tmp) / f"c{workers}") as address:
                    try:
                        walls[workers], cpu = timed_compare(reps, workers, address)
                        tiny = per_replication_ms(2000, workers, address)
                    finally:
                        close_dask()
            except ClusterError as exc:
                print(f"  dask: skipped ({str(exc).splitlines()[0]})")
                return
            print(f"  Dask cluster, {workers} worker process(es) (--dask {address}): "
                  f"{walls[workers]:7.1f} s wall, workers' CPU {cpu:6.1f} s "
                  f"({cpu / n * 1000:.1f} ms/rep, {cpu / walls[workers]:.2f} cores busy; "
                  f"{load()})")
            print(f"    overhead per replication: {(cpu - cpu_here) / n * 1000:+.2f} ms of CPU "
                  f"against this process (the scheduler's share not counted); 1-person plan "
                  f"{tiny:.2f} ms wall per replication ({tiny - tiny_here:+.2f} ms against "
                  "this process)")
    print(f"  Dask speed-up from 1 to 2 workers: {walls[1] / walls[2]:.2f}x wall (goal >= 1.8x; "
          f"{os.cpu_count()} CPUs at {load()}: the cores are shared, see 'cores busy')")


if __name__ == "__main__":
    main()
