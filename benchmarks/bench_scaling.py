"""Scaling with town size (prints figures; not a test).

Generates 10/30/100/300-grid towns for the evacuation model (the town-scale benchmark of
``bench_evacuation.py``, grown: villages, shelters, militia and squads in proportion) and the
muster model (the Youchegang drill, grown the same way) and reports, per size:

- CPU seconds per replication and per person (evacuation: per resident at risk; muster: per
  responder mustered), and the ratio of that to the 10-grid town (goal at 300 grids: ≤ 1.2);
- evacuation: seconds to compute every routing table of the run (goal at 300 grids: < 2 s);
- peak resident memory of the process that built and ran the town (goal: ≤ 400 MB);
- bare SimPy events per second, measured in the same run, as the yardstick of this machine.

Each town runs in its own child process, so that its peak memory is its own.

``--baseline DIR`` runs every town with another checkout's code too (e.g. the main branch),
in the same run, and prints this tree's CPU, per-person ratio and memory against it.
``--proportional`` grows the schools' places with the town (see ``evacuation_town``).
``--repeating`` gives every evacuation town the 10-grid town's ground, repeated (see
``repeating_ground``): the same evacuation at every size, so that the cost per person is the
model's scaling and not a wider flood's longer trips.
``--county`` runs the county-scale town (500 grids: 500,000 residents, 40,500 road nodes) and
the 50,000-resident benchmark town of ``bench_evacuation.py`` in the same run, and reports the
county's replication CPU against 10× the town's (goal) and its peak memory (goal: 2 GB).

    .venv/bin/python benchmarks/bench_scaling.py [--sizes 10,30,100,300] [--reps 2]
        [--kinds evacuation,muster] [--baseline /work/main] [--proportional] [--repeating]
        [--county]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from reference import bare_simpy_cpu

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def evacuation_town(grids: int, proportional: bool = False) -> dict[str, Any]:
    """The 50-grid benchmark town scaled to ``grids`` grids (≈ 2.8 grids per village).

    ``proportional``: the schools' places grow with the town (3,000 per 50 grids, over
    max(round(k), 1) schools) instead of whole 3,000-place schools. Without it a 10-grid town
    gets a whole school (1.6 places per person at risk, nobody turned away) while a 300-grid
    town gets 0.76 (shelters fill, trips go on to farther ones): the per-person ratio then
    compares two different evacuations, not one evacuation at two sizes."""
    import bench_evacuation

    raw = bench_evacuation.town()
    villages = max(math.ceil(grids * 18 / 50), 2)
    raw["name"] = f"scaling benchmark, {grids} grids"
    raw["network"]["synthetic"]["villages"] = villages
    raw["grids"] = [{"id": f"G{g:03d}", "node": f"V{g % villages + 1}"
                     + ("" if g < villages else f"-{(g // villages) * 40}"),
                     "residents": 1000, "households": 340} for g in range(grids)]
    k = grids / 50
    raw["forces"]["militia"] = {"count": max(round(200 * k), 1)}
    raw["forces"]["emergency_squad"] = {"count": max(round(100 * k), 1)}
    raw["forces"]["reserve"] = {"count": max(round(250 * k), 1)}
    ev = raw["evacuation"]
    ev["shelters"] = [{"id": f"VC{v:03d}", "node": f"V{v}", "capacity": 400}
                      for v in range(1, villages + 1)]
    schools = max(round(k), 1)
    ev["shelters"] += [{"id": f"school{s}", "node": f"V{1 + s * 7 % villages}-1",
                        "capacity": round(3000 * k / schools) if proportional else 3000}
                       for s in range(schools)]
    raw["injects"] = []
    raw.pop("assumptions", None)
    return raw


def repeating_ground(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The town of ``raw`` with the ground of its first two columns of villages repeated
    across it: from each odd column's river side the ground rises as in the 10-grid town
    (villages are whole: a village's nodes keep their column's ground). Written as GraphML to
    ``folder``, as a real town would be given.

    The synthetic town's ground rises across the whole town, so a bigger town has a wider
    low strip, deeper water far from dry ground and longer trips (SimPy steps per person at
    risk: 1.16 at 10 grids, 1.95 at 300): its cost per person measures that evacuation as
    much as the model. Here every size has about the same evacuation (1.29 and 1.70 steps a
    person), so the cost per person measures the model's scaling."""
    import networkx as nx
    import numpy as np

    from sim.network.graph import SyntheticTown, synthetic_town

    spec = SyntheticTown(**raw["network"]["synthetic"])
    town = synthetic_town(spec)
    cols = math.ceil(math.sqrt(spec.villages))
    rise = spec.high_side_elevation_m - spec.low_side_elevation_m
    noise = np.random.default_rng(spec.seed + 1).normal(0.0, 0.5, len(town.nodes))
    g = nx.Graph()
    for k, (n, a) in enumerate(town.nodes(data=True)):
        col = (a["village"] - 1) % cols
        x = a["x"] - (col - col % 2) * spec.village_spacing_m  # (as if in column 0 or 1)
        ground = spec.low_side_elevation_m + rise * x / spec.village_spacing_m + noise[k]
        g.add_node(n, x=a["x"], y=a["y"], elevation_m=float(max(ground, 0.0)))
    for a, b, d in town.edges(data=True):
        g.add_edge(a, b, length_m=d["length_m"], speed_kmh=d["speed_kmh"])
    nx.write_graphml(g, folder / "town.graphml")
    return {**raw, "network": {"graphml": "town.graphml"}}


def muster_town(grids: int) -> dict[str, Any]:
    """The Youchegang drill scaled to ``grids`` grids (two per village, one desk each)."""
    raw = yaml.safe_load((ROOT / "scenarios" / "muster_youchegang.yaml").read_text())
    villages = max(math.ceil(grids / 2), 2)
    raw["name"] = f"scaling benchmark, {grids} grids"
    raw["network"]["synthetic"]["villages"] = villages
    raw["grids"] = [{"id": f"G{g:03d}", "village": f"Village {g // 2 + 1}",
                     "node": f"V{g // 2 + 1}" + ("" if g % 2 == 0 else "-20"),
                     "residents": 1000, "households": 350} for g in range(grids)]
    raw["forces"]["cadre"] = {"count": max(round(500 * grids / 40), 1)}
    tasks = ["relocation", "inspection", "reinforcement", "rescue"]
    raw["muster"]["assembly_points"] = [{"id": f"S{v:03d}", "node": f"V{v}", "desks": 1,
                                         "task": tasks[v % 4]} for v in range(1, villages + 1)]
    raw["injects"] = []
    raw.pop("assumptions", None)
    raw["plans"] = {}
    return raw


def child(kind: str, grids: int, reps: int, proportional: bool = False,
          first: bool = False, repeating: bool = False) -> dict[str, Any]:
    """One town, built and run here. ``first``: also time the first replication without
    computing the routing tables up front (it computes those of the states it meets)."""
    import tempfile

    from sim.core.scenario import parse_scenario
    from sim.run.experiments import plan_inputs
    raw = evacuation_town(grids, proportional) if kind == "evacuation" else muster_town(grids)
    folder = ROOT / "scenarios"
    if repeating and kind == "evacuation":
        folder = Path(tempfile.mkdtemp(prefix="gridmuster-bench-"))
        raw = repeating_ground(raw, folder)
    s = parse_scenario(raw, folder)
    setup = s.plan()
    t0 = time.process_time()
    inp = plan_inputs(setup)
    build_s = time.process_time() - t0
    out: dict[str, Any] = {"kind": kind, "grids": grids, "build_cpu_s": build_s}
    if first:
        t0 = time.process_time()
        s.kind.simulate(inp, 0, 1, False)
        out["first_rep_s"] = time.process_time() - t0
    if kind == "evacuation":
        people = int(inp.hh_members.sum())
        out["nodes"] = len(inp.node_names)
        # Every routing table a run can meet, computed up front and timed (with ``first``:
        # the tables and searches of the first replication).
        t0 = time.process_time()
        for state in inp.timeline.states:
            for mode in ("walk", "vehicle"):
                inp.routes.table(state, mode)
        out["route_tables_s"] = inp.routes.seconds if first else time.process_time() - t0
        out["route_tables"] = inp.routes.computed
    else:
        people = len(inp.roster)
    s.kind.simulate(inp, 0, 1, False)  # warm: base distances, rows kept per state
    cpu = []
    routing = inp.routes.seconds if kind == "evacuation" else 0.0
    for rep in range(1, reps + 1):
        t0 = time.process_time()
        s.kind.simulate(inp, rep, 1, False)
        cpu.append(time.process_time() - t0)
    if kind == "evacuation":  # searches made on demand (fallbacks, bases), per replication
        out["routing_per_rep_s"] = (inp.routes.seconds - routing) / reps
        import bench_evacuation
        out["steps_per_person"] = bench_evacuation.one(inp, 1)[1] / int(inp.hh_members.sum())
    out["people"] = people
    out["cpu_per_rep_s"] = min(cpu)
    out["us_per_person"] = min(cpu) / people * 1e6
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out




OWN_PROCESS = """
import runpy, sys
sys.path[:0] = [{root!r}, {root!r} + "/benchmarks"]
from sim.run.gc_policy import own_process
own_process()
sys.argv[0] = {script!r}
runpy.run_path({script!r}, run_name="__main__")
"""


def run_child(root: Path, kind: str, grids: int, reps: int, proportional: bool = False,
              first: bool = False, repeating: bool = False) -> dict[str, Any]:
    """One town in a child process with the code under ``root`` (this tree or a baseline)."""
    # (Each child owns its process, as a worker does: built inputs are frozen out of the
    # collector's reach, for a baseline too; see sim/run/gc_policy.py.)
    script = root / "benchmarks" / "bench_scaling.py"
    cmd = [sys.executable, "-c", OWN_PROCESS.format(root=str(root), script=str(script)),
           "--child", kind, str(grids), "--reps", str(reps)]
    if proportional:
        cmd.append("--proportional")
    if first:
        cmd.append("--first")
    if repeating:
        cmd.append("--repeating")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=root)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def describe(kind: str, r: dict[str, Any], first: dict[str, Any], label: str = "") -> str:
    line = (f"{label or kind:>10} {r['grids']:4d} grids: {r['people']:7,} people, "
            f"{r['cpu_per_rep_s']:7.3f} s CPU/rep, {r['us_per_person']:6.1f} µs/person "
            f"({r['us_per_person'] / first['us_per_person']:.2f}x the {first['grids']}-grid "
            f"town), build {r['build_cpu_s']:.2f} s CPU, peak {r['peak_rss_mb']:.0f} MB")
    if r["kind"] == "evacuation":
        line += (f", {r['nodes']:,} nodes, {r['route_tables']} route tables in "
                 f"{r['route_tables_s']:.2f} s CPU (then "
                 f"{r.get('routing_per_rep_s', 0.0):.2f} s of searches per rep; "
                 f"{r['steps_per_person']:.2f} SimPy steps per person)")
    return line


def county(reps: int) -> None:
    """The county-scale town against 10x the 50,000-resident town, in one run."""
    import bench_evacuation

    town = bench_evacuation.child_runs(ROOT, reps)
    town_cpu = min(cpu for cpu, _ in town)
    r = run_child(ROOT, "evacuation", 500, reps, first=True)
    print(f"50,000-resident town: {town_cpu:.2f} s CPU per warm replication")
    print(describe("county", r, r))
    print(f"county, first replication (routing tables of every state met included): "
          f"{r['first_rep_s']:.2f} s CPU; warm replication {r['cpu_per_rep_s']:.2f} s = "
          f"{r['cpu_per_rep_s'] / town_cpu:.1f}x the town's (goal: under 10x); "
          f"peak {r['peak_rss_mb']:,.0f} MB (goal: 2,048 MB)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,30,100,300")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--kinds", default="evacuation,muster")
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with")
    ap.add_argument("--proportional", action="store_true",
                    help="schools' places in proportion to the town")
    ap.add_argument("--repeating", action="store_true",
                    help="evacuation: the 10-grid town's ground repeated across every size")
    ap.add_argument("--county", action="store_true", help="the county-scale town only")
    ap.add_argument("--first", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "GRIDS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.reps,
                               args.proportional, args.first, args.repeating)))
        return
    bare = bare_simpy_cpu()
    print(f"bare SimPy on this machine now: {bare:,.0f} events per CPU second")
    if args.county:
        county(args.reps)
        return
    for kind in args.kinds.split(","):
        first: dict[str, Any] | None = None
        base_first: dict[str, Any] | None = None
        last: dict[str, Any] | None = None
        for grids in (int(g) for g in args.sizes.split(",")):
            r = run_child(ROOT, kind, grids, args.reps, args.proportional,
                          repeating=args.repeating)
            first = first or r
            print(describe(kind, r, first), flush=True)
            if last is not None and r["people"] > last["people"]:
                # The cost of the added people alone: a fixed cost per replication (draws set
                # up, metrics named) flatters the small towns' per-person figure otherwise.
                added = (r["cpu_per_rep_s"] - last["cpu_per_rep_s"]) / (r["people"] - last["people"])
                print(f"{'':>10} marginal from {last['grids']} grids: "
                      f"{added * 1e6:.1f} µs per added person")
            last = r
            if args.baseline is not None and not args.proportional and not args.repeating:
                b = run_child(args.baseline.resolve(), kind, grids, args.reps)
                base_first = base_first or b
                print(describe(kind, b, base_first, "baseline"))
                print(f"{'':>10} this tree against the baseline: "
                      f"{b['cpu_per_rep_s'] / r['cpu_per_rep_s']:.2f}x faster per replication, "
                      f"peak memory {r['peak_rss_mb'] / b['peak_rss_mb']:.2f}x"
                      + (f", route tables {b['route_tables_s'] / r['route_tables_s']:.2f}x faster"
                         if kind == "evacuation" else ""), flush=True)


if __name__ == "__main__":
    main()
