"""A planner's comparison: 500 replications of four plans of every bundled scenario (prints
figures; not a test).

Issue 16 asks that "a 500-replication comparison of four plans for any bundled scenario" take
about a minute on a laptop. This runs each bundled scenario's first four plans (all of them
if it has fewer) through ``compare``, the same path as ``gridmuster compare``, on
``--workers`` local processes (default: every CPU), after a short warm-up run (imports, file
caches). The plans' inputs are built and the worker pool (one for all the plans, which
share its workers) starts inside the timing, as in ``gridmuster compare``. A comparison has
a fixed part (worker pool, inputs, the one
replication that keeps its event records) and a part per replication, so it is timed at
``--reps`` R and at 2R, and 500 replications are projected from the two (fixed part plus 500
times the cost per replication; labelled as projected). ``--reps 500`` runs the real thing.

It prints, per scenario: the wall seconds measured, the CPU seconds per added replication
(the workers' own: the machine's other load does not count), and the wall seconds for 500
replications × 4 plans on this machine and, from the CPU seconds, on a laptop of 4 and 8
cores (the replications spread evenly over the workers).

    .venv/bin/python benchmarks/bench_planner.py [--reps 25] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.core.scenario import Scenario, load_scenario  # noqa: E402
from sim.run.experiments import compare  # noqa: E402

TARGET_REPS, TARGET_PLANS = 500, 4


def children_cpu() -> float:
    """CPU seconds of this process and its finished or running worker processes so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=25)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    print(f"{TARGET_REPS} replications x {TARGET_PLANS} plans of each bundled scenario, "
          f"{args.workers} worker process(es), {os.cpu_count()} CPUs, load "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        s = load_scenario(path)
        plans = s.plan_names()[:TARGET_PLANS]
        compare(s, plans, 2, seed=1, workers=args.workers)  # warm: imports, file caches
        # (Each plan's pool ends with its run: its processes' CPU is counted once they have.)
        runs = [timed(s, plans, r, args.workers) for r in sorted({args.reps, 2 * args.reps})]
        (r1, wall1, cpu1), (r2, wall2, cpu2) = runs[0], runs[-1]
        k = len(plans)
        if r2 == TARGET_REPS or r1 == r2:  # measured, not projected
            wall, cpu, label = wall2 / k * TARGET_PLANS, cpu2 / k * TARGET_PLANS, "measured"
            per_rep = cpu2 / (r2 * k)
        else:
            # (Clamped at 0: for the fastest scenarios the fixed part's noise exceeds it.)
            per_rep = max((cpu2 - cpu1) / ((r2 - r1) * k), 0.0)
            slope_wall = max((wall2 - wall1) / ((r2 - r1) * k), 0.0)
            wall = (wall1 / k + slope_wall * (TARGET_REPS - r1)) * TARGET_PLANS
            cpu = (cpu1 / k + per_rep * (TARGET_REPS - r1)) * TARGET_PLANS
            label = f"projected from {r1} and {r2} reps"
        print(f"  {path.name:28} {k} plans: {wall1:5.1f} s / {wall2:5.1f} s wall for {r1} / {r2}"
              f" reps; {per_rep * 1000:6.1f} ms CPU per added replication; "
              f"{TARGET_REPS} x {TARGET_PLANS}: {wall:5.0f} s here ({label}), "
              f"{cpu / 4:4.0f} s on 4 cores, {cpu / 8:4.0f} s on 8", flush=True)


def timed(s: Scenario, plans: list[str], reps: int, workers: int) -> tuple[int, float, float]:
    """(replications, wall s, CPU s of this process and its workers) of one comparison."""
    cpu0, t0 = children_cpu(), time.perf_counter()
    compare(s, plans, reps, seed=1, workers=workers)
    return reps, time.perf_counter() - t0, children_cpu() - cpu0

if __name__ == "__main__":
    main()
