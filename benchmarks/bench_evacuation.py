"""Town-scale evacuation benchmark (prints figures; not a test).

50,000 residents in 50 grids (~17,000 households), ~1,300 responders, a ~4,000-node synthetic
road network, the Duhu design storm. Reports: build time (households, route order, flood
timeline), one replication's wall time (the first one also computes the routing tables of every
network state it meets), events per second, time spent in routing, and peak memory.

    .venv/bin/python benchmarks/bench_evacuation.py [--reps N]
"""

from __future__ import annotations

import argparse
import resource
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
    env, horizon, steps = run.env, inp.params.horizon_min, 0
    while env.peek() < horizon:
        env.step()
        steps += 1
    evacuation_metrics(inp, run)
    return time.process_time() - t0, steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
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


if __name__ == "__main__":
    main()
