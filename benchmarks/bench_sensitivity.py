"""Morris analysis of the bundled Youchegang drill over all its declared assumptions, at the
default N (10 trajectories), on 1 and 2 worker processes.

Prints the figures, the speed-up and the ranked table; asserts nothing.
`.venv/bin/python benchmarks/bench_sensitivity.py [REPS]` (replications per design point,
default 2 here to keep the run short; the command's default is 5).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sim.analysis.sensitivity import sensitivity
from sim.cli.common import out_console
from sim.cli.sensitivity import sensitivity_table
from sim.core.scenario import load_scenario
from sim.run.backends import Backend

ROOT = Path(__file__).resolve().parents[1]
METRIC = "mustered_60min"


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    s = load_scenario(ROOT / "scenarios" / "muster_youchegang.yaml")
    times, results = {}, {}
    for workers in (1, 2):
        t = time.perf_counter()
        results[workers] = sensitivity(s, "baseline", METRIC, "morris", reps=reps,
                                       backend=Backend(workers))
        times[workers] = time.perf_counter() - t
    r = results[1]
    k = len(r["indices"])
    print(f"Morris, {k} assumptions, N = {r['n']} trajectories: {r['points']} design points x "
          f"{reps} replications = {r['points'] * reps} replications")
    for w, t in times.items():
        print(f"  {w} worker(s): {t:.1f} s ({t / (r['points'] * reps) * 1000:.0f} ms per "
              "replication)")
    print(f"  speed-up 1 -> 2 workers: {times[1] / times[2]:.2f}x; identical indices: "
          f"{results[1]['indices'] == results[2]['indices']}")
    out_console.print(sensitivity_table(r))


if __name__ == "__main__":
    main()
