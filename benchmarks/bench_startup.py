"""Start-up of the command line (figures printed, nothing asserted).

Times, in one run and interleaved so that machine load hits every command alike:
- the reference ``python -c "import numpy"`` (the least any gridmuster command must pay);
- ``gridmuster --help``;
- ``gridmuster validate`` on each bundled scenario;
and prints the median wall and CPU (user + system of the child process) seconds of each, with
its ratio to the reference, then each goal (issue 12: ``--help`` and every ``validate`` under
1 s of CPU here; the largest bundled town, Duhu, is the hardest) and whether it is met.

The commands run as a user's installation does: with byte-code caches (a
``PYTHONDONTWRITEBYTECODE`` in the environment is dropped for them, or every run would compile
the project's modules again).

Usage: python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_CPU_S = 1.0  # issue 12: every light command under 1 s of CPU on this machine
DUHU = "rainstorm_duhu.yaml"  # the largest bundled town: the goal's hardest case
QUIET_NUMPY_CPU_S = 0.13  # `python -c "import numpy"` on this machine at load < 2 (measured)


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``cmd`` (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**env, "GRIDMUSTER_LANG": "en"}, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    py = sys.executable
    cases: dict[str, list[str]] = {
        'python -c "import numpy"': [py, "-c", "import numpy"],
        "gridmuster --help": [py, "-m", "sim", "--help"],
    }
    for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
        cases[f"gridmuster validate {scenario.name}"] = [py, "-m", "sim", "validate",
                                                         str(scenario)]
    for cmd in cases.values():  # warm the OS file cache and byte-code caches once
        timed(cmd)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, cmd in cases.items():
            runs[name].append(timed(cmd))
    ref_wall = statistics.median(w for w, _ in runs['python -c "import numpy"'])
    ref_cpu = statistics.median(c for _, c in runs['python -c "import numpy"'])
    load = os.getloadavg()[0]
    print(f"start-up, median of {args.repeat} runs (load average {load:.1f} on "
          f"{os.cpu_count()} CPUs)")
    print(f"{'command':<52} {'wall s':>7} {'cpu s':>7} {'wall/ref':>9} {'cpu/ref':>8}")
    for name, values in runs.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"{name:<52} {wall:7.2f} {cpu:7.2f} {wall / ref_wall:8.1f}x {cpu / ref_cpu:7.1f}x")
    print(f"goals (median CPU s; the reference is {ref_cpu:.2f}):")
    for name in runs:
        if name == 'python -c "import numpy"':
            continue
        cpu = statistics.median(c for _, c in runs[name])
        hardest = " (the largest bundled town)" if name.endswith(DUHU) else ""
        # Under load every CPU second stretches (shared caches and cores): the figure scaled to
        # the reference's quiet-machine cost says what the command would cost there.
        quiet = cpu / ref_cpu * QUIET_NUMPY_CPU_S
        print(f"  {name}{hardest} < {GOAL_CPU_S:g} s: {cpu:.2f} s, "
              f"{'met' if cpu < GOAL_CPU_S else 'NOT met'} (scaled to a quiet machine, where "
              f"`import numpy` is {QUIET_NUMPY_CPU_S:g} s: {quiet:.2f} s)")


if __name__ == "__main__":
    main()
