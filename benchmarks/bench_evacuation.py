"""Town-scale evacuation benchmark (prints figures; not a test).

50,000 residents in 50 grids (~17,000 households), ~1,300 responders, a ~4,000-node synthetic
road network, the Duhu design storm. Reports: build time (households, route order, flood
timeline), one replication's CPU time (the first one also computes the routing tables of every
network state it meets), events per second, time spent in routing, and peak memory.

``--baseline DIR`` also runs the same town with the code of another checkout (e.g. the main
branch) in child processes, alternating with this tree's, and prints the before/after ratio
measured in this one run (CPU time: the machine is shared). Every figure is also given against
bare SimPy measured in the same run (``reference.py``).

    .venv/bin/python benchmarks/bench_evacuation.py [--reps N] [--baseline /work/main]

The issue's reference (0.8 s a replication when it was filed) is the code of 6469a3c:
``git worktree add /tmp/issue16 6469a3c`` and ``--baseline /tmp/issue16`` measure against it
in the same run (the README's Speed table has the ratios measured on each day).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from sim.core.rng import replication_key
from sim.core.scenario import network_for, parse_scenario
from sim.kinds.evacuation.inputs import build
from sim.kinds.evacuation.metrics import evacuation_metrics
from sim.kinds.evacuation.model import FloodRun

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def town() -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "scenarios" / "rainstorm_duhu.yaml").read_text())
    raw["name"] = "town-scale benchmark"
    raw["network"] = {"synthetic": {"villages": 18, "nodes_per_village": 225,
                                    "village_spacing_m": 1500, "street_m": 100, "seed": 5,
                                    "low_side_elevation_m": 2.0, "high_side_elevation_m": 12.0}}
    raw["grids"] = [{"id": f"G{g:02d}", "node": f"V{g % 18 + 1}" + ("" if g < 18 else
                                                                     f"-{(g // 18) * 40}"),
                     "residents": 1000, "households": 340} for g in range(50)]
    raw["forces"] = {"grid_head": {"per_grid": 1}, "grid_worker_ft": {"per_grid": 2},
                     "grid_worker_pt": {"per_grid": 12}, "militia": {"count": 200},
                     "emergency_squad": {"count": 100}, "reserve": {"count": 250}}
    raw["evacuation"]["population"]["at_risk_below_m"] = 4.5
    raw["plans"] = {}
    return raw


def one(inp: Any, rep: int) -> tuple[float, int]:
    """CPU seconds of one replication (not wall: the machine is shared) and its SimPy events."""
    t0 = time.process_time()
    run = FloodRun(inp, replication_key(1, rep), False)
    run.start()
    steps = run.env.run_until(inp.params.horizon_min)
    evacuation_metrics(inp, run)
    return time.process_time() - t0, steps


# Run in a child process with a checkout's own code first on the path: builds the benchmark
# town, warms (routing tables), then prints the CPU seconds and SimPy steps of each replication.
# (CPU time is taken here, around the checkout's own ``one``, and ``build`` is found where that
# checkout keeps it: so a checkout as old as the code, 6469a3c, runs as a baseline too.)
CHILD = """
import gc, json, sys, time
sys.path[:0] = [{root!r}, {root!r} + "/benchmarks"]
import bench_evacuation as b
from sim.core.scenario import network_for, parse_scenario
from pathlib import Path
build = getattr(b, "build", None)
if build is None:
    from sim.kinds.evacuation.inputs import build
s = parse_scenario(b.town(), Path({root!r}) / "scenarios")
model = s.plan().model
inp = build(model, network_for(model, s.base_dir))
b.one(inp, 0)
gc.collect(); gc.freeze()  # as a worker does after building (sim/run/gc_policy.py)
out = []
for rep in range(1, {reps} + 1):
    t0 = time.process_time()
    steps = b.one(inp, rep)[1]
    out.append((time.process_time() - t0, steps))
print(json.dumps(out))
"""


def child_runs(root: Path, reps: int) -> list[tuple[float, int]]:
    """(CPU seconds, SimPy steps) of ``reps`` warm replications with the code under ``root``."""
    done = subprocess.run([sys.executable, "-c", CHILD.format(root=str(root), reps=reps)],
                          capture_output=True, text=True, check=True, cwd=root)
    return [tuple(r) for r in json.loads(done.stdout.strip().splitlines()[-1])]


def compare(baseline: Path, reps: int, rounds: int, bare: float) -> None:
    """This tree against ``baseline``, in alternating child processes (load changes)."""
    got: dict[str, list[tuple[float, int]]] = {"baseline": [], "this tree": []}
    for _ in range(rounds):
        got["baseline"] += child_runs(baseline, reps)
        got["this tree"] += child_runs(ROOT, reps)
    best = {k: min(v) for k, v in got.items()}
    for k, (cpu, steps) in best.items():
        print(f"{k:>9}: {cpu:.3f} s CPU per warm replication (best of {len(got[k])}), "
              f"{steps:,} SimPy steps, {bare * cpu / steps:.1f}x bare SimPy's cost per step, "
              f"{bare * cpu / 1e3:,.0f} thousand bare SimPy events' worth")
    print(f"speed-up against {baseline}: {best['baseline'][0] / best['this tree'][0]:.2f}x "
          "(same run)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with")
    ap.add_argument("--rounds", type=int, default=2, help="with --baseline: alternations")
    args = ap.parse_args()
    from reference import bare_simpy_cpu

    bare = bare_simpy_cpu()
    print(f"bare SimPy, same run: {bare:,.0f} events per CPU second")
    s = parse_scenario(town(), ROOT / "scenarios")
    model = s.plan().model
    net = network_for(model, s.base_dir)  # built (and checked) while parsing the scenario
    t0 = time.perf_counter()
    inp = build(model, net)
    t_build = time.perf_counter() - t0
    people = int(inp.hh_members.sum())
    print(f"network: {len(net.nodes):,} nodes, {net.graph.number_of_edges():,} roads "
          )
    print(f"town: {sum(g.residents for g in model.grids):,} residents, "
          f"{sum(g.households for g in model.grids):,} households; at risk: "
          f"{len(inp.households):,} households, {people:,} people")
    print(f"responders: {len(inp.warners):,} warners + "
          f"{sum(q.size for q in inp.squads):,} in {len(inp.squads)} escort teams = "
          f"{len(inp.warners) + sum(q.size for q in inp.squads):,}")
    print(f"build (households, warning routes, flood timeline): {t_build:.2f} s; "
          f"{len(inp.timeline.states)} network states over {inp.params.horizon_min:.0f} min")
    for rep in range(args.reps):
        before = inp.routes.seconds
        wall, steps = one(inp, rep)
        routing = inp.routes.seconds - before
        print(f"replication {rep}: {wall:.2f} s CPU, {steps:,} SimPy events "
              f"({steps / wall:,.0f} events per CPU s: {bare * wall / steps:.1f}x bare SimPy's "
              f"cost per event), routing {routing:.2f} s ({inp.routes.computed} tables so far)")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    tracemalloc.start()
    one(inp, args.reps)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations during one replication (tracemalloc): {peak / 2**20:.1f} MB")
    if args.baseline is not None:
        compare(args.baseline.resolve(), args.reps, args.rounds, bare)


if __name__ == "__main__":
    main()
