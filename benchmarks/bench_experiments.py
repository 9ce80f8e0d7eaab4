"""Experiment layer: 500 replications x 3 plans at --workers 1 and 2, and the Dask overhead.

Prints figures; asserts nothing. `.venv/bin/python benchmarks/bench_experiments.py [REPS]`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sim.core.scenario import load_scenario
from sim.run.experiments import compare, execute

ROOT = Path(__file__).resolve().parents[1]
PLANS = ["baseline", "night", "phone_tree"]


def timed_compare(reps: int, workers: int, dask: str | None = None) -> float:
    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    t = time.perf_counter()
    compare(s, PLANS, reps, seed=1, workers=workers, dask=dask)
    return time.perf_counter() - t


def per_replication_overhead(reps: int, workers: int, dask: str | None) -> float:
    """Wall seconds per replication of a near-empty plan (a 1-person roster), in ms."""
    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    raw = dict(s.raw)
    raw["forces"] = {"grid_head": {"count": 1}}
    from sim.core.scenario import parse_scenario

    tiny = parse_scenario(raw, s.base_dir).plan("baseline")
    execute(tiny, range(2), 1, workers, dask=dask)  # warm the pool / cluster start-up path
    t = time.perf_counter()
    execute(tiny, range(reps), 1, workers, dask=dask, keep_events=())
    return (time.perf_counter() - t) / reps * 1000


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    one = timed_compare(reps, 1)
    two = timed_compare(reps, 2)
    print(f"{reps} reps x {len(PLANS)} plans, --workers 1: {one:6.1f} s")
    print(f"{reps} reps x {len(PLANS)} plans, --workers 2: {two:6.1f} s  "
          f"(speed-up {one / two:.2f}x; goal >= 1.8x)")
    try:
        dask = timed_compare(reps, 2, "local")
        print(f"{reps} reps x {len(PLANS)} plans, --dask local (2 workers): {dask:6.1f} s "
              "(includes starting the cluster once)")
        local_ms = per_replication_overhead(2000, 2, None)
        dask_ms = per_replication_overhead(2000, 2, "local")
        print(f"per-replication wall on a 1-person plan: local processes {local_ms:.2f} ms, "
              f"dask {dask_ms:.2f} ms (dask overhead {dask_ms - local_ms:+.2f} ms per rep)")
    except RuntimeError as exc:
        print(f"dask: skipped ({exc})")


if __name__ == "__main__":
    main()
