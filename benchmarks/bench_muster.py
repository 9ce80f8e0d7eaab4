"""Muster model throughput against bare SimPy, and 500 replications of a 2,000-responder drill.

Prints figures; asserts nothing. Run: `make bench` or `.venv/bin/python benchmarks/bench_muster.py`.
Figures depend on what else the machine is doing: both sides of each ratio run in this process.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

from reference import bare_simpy

from sim.core.scenario import load_scenario, parse_scenario
from sim.run.experiments import execute, plan_inputs

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "muster_youchegang.yaml"




def model_throughput(reps: int = 30) -> tuple[float, float, int]:
    """State changes (event records) per second of the muster model, and seconds per rep."""
    s = load_scenario(SCENARIO)
    setup = s.plan("baseline")
    inputs = plan_inputs(setup)
    records = len(s.kind.simulate(inputs, 0, 1, True).events)
    t = time.perf_counter()
    for r in range(reps):
        s.kind.simulate(inputs, r, 1, False)
    per_rep = (time.perf_counter() - t) / reps
    return records / per_rep, per_rep, records


def big_drill(reps: int, workers: int) -> tuple[float, int]:
    s = load_scenario(SCENARIO)
    raw = copy.deepcopy(s.raw)
    raw["forces"]["cadre"] = {"count": raw["forces"]["cadre"]["count"] + 260}  # 2,000 people
    # The scenario's ranges for sensitivity analysis would refuse the larger cadre count (its
    # range is about the reported town); this drill does not sample them.
    raw.pop("assumptions", None)
    big = parse_scenario(raw, s.base_dir).plan("baseline")
    n = len(plan_inputs(big).roster)
    t = time.perf_counter()
    execute(big, range(reps), seed=1, workers=workers, keep_events=())
    return time.perf_counter() - t, n


def main() -> None:
    bare = bare_simpy()
    rate, per_rep, records = model_throughput()
    print(f"bare SimPy:            {bare:12,.0f} events/s")
    print(f"muster model:          {rate:12,.0f} state changes/s "
          f"({records:,} per replication, {per_rep * 1000:.1f} ms per replication)")
    print(f"cost per event ratio:  {bare / rate:12.2f} x bare SimPy (goal < 3)")
    for workers in (1, 2):
        wall, n = big_drill(500, workers)
        print(f"500 reps x {n:,} responders, --workers {workers}: {wall:6.1f} s wall"
              + ("  (goal < 20 s)" if workers == 2 else ""))


if __name__ == "__main__":
    main()
