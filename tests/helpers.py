"""Small scenarios built in code, for oracle and property tests."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import yaml
from scipy.sparse import csr_matrix

from sim.core.scenario import Scenario, parse_scenario
from sim.network.geo import haversine_m
from sim.network.graph import RoadNetwork, SyntheticTown, synthetic_town
from sim.run.experiments import plan_inputs

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "scenarios" / "muster_youchegang.yaml"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``gridmuster ARGS`` in a fresh interpreter, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def cli_here(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``gridmuster ARGS`` in this process through click's test runner: the same entry point
    (``sim.cli.main.main``, with its exit codes and one-line errors) without ~1 s of start-up
    per call. Use :func:`cli` where the separate process is the point (tracebacks, signals)."""
    import contextvars

    from typer.testing import CliRunner

    from sim.cli.main import main

    def call() -> int:
        argv, here = sys.argv, os.getcwd()
        sys.argv = ["gridmuster", *args]
        os.chdir(cwd or ROOT)
        try:
            main()
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = argv
            os.chdir(here)
        return 0

    with CliRunner().isolation() as (out, err, _both):
        code = contextvars.copy_context().run(call)  # --lang stays inside this call
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return subprocess.CompletedProcess(["gridmuster", *args], code, stdout, stderr)



def line_graphml(path: Path, lengths: list[float], speed_kmh: float = 30.0) -> Path:
    """A path graph A-B-C-... with the given edge lengths in metres."""
    g = nx.Graph()
    names = [chr(ord("A") + i) for i in range(len(lengths) + 1)]
    x = 0.0
    for i, n in enumerate(names):
        g.add_node(n, x=x, y=0.0, elevation_m=5.0)
        if i < len(lengths):
            x += lengths[i]
    for i, length in enumerate(lengths):
        g.add_edge(names[i], names[i + 1], length_m=length, speed_kmh=speed_kmh)
    nx.write_graphml(g, path)
    return path


def fixed_muster(graphml: str = "line.graphml", **overrides: Any) -> dict[str, Any]:
    """A muster scenario with every delay fixed: results are computable by hand."""
    data: dict[str, Any] = {
        "name": "oracle",
        "kind": "muster",
        "seed": 1,
        "network": {"graphml": graphml},
        "grids": [
            {"id": "GA", "node": "A", "residents": 100},
            {"id": "GB", "node": "B", "residents": 100},
            {"id": "GC", "node": "C", "residents": 100},
        ],
        "forces": {"grid_head": {"per_grid": 1}},
        "muster": {
            "alert_time": "10:00",
            "horizon_min": 120,
            "channels": ["grid_app"],
            "grid_app": {"delivery": 1, "reliability": 1.0},
            "group_chat": {"delivery": 1},
            "phone_tree": {"fan_out": 2, "call": 1, "answer_day": 1.0, "answer_night": 1.0},
            "notice_day": 2,
            "notice_night": 10,
            "acknowledge": 0.5,
            "preparation": 3,
            "speeds_kmh": {"walk": 6.0, "ebike": 15.0, "car": 30.0},
            "checkin": 1,
            "assembly_points": [{"id": "AP", "node": "C", "desks": 1}],
            "default_role": {"availability_day": 1.0, "availability_night": 1.0,
                             "modes": {"walk": 1.0}},
        },
    }
    return deep_update(data, overrides)


def deep_update(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_update(out[k], v)
        else:
            out[k] = v
    return out


def build(tmp_path: Path, data: dict[str, Any], lengths: list[float] | None = None) -> Scenario:
    line_graphml(tmp_path / "line.graphml", lengths or [600.0, 900.0])
    return parse_scenario(data, tmp_path)


def write_scenario(tmp_path: Path, data: dict[str, Any], name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# -- evacuation oracles on tiny road graphs -------------------------------------------

YANGNING = ROOT / "scenarios" / "rainstorm_yangning.yaml"


def graph(path: Path, nodes: dict[str, float], edges: list[tuple[str, str, float]]) -> Path:
    """Nodes with elevations (m) on a line at x = 100 m apart; edges with lengths (m)."""
    g = nx.Graph()
    for i, (n, elev) in enumerate(nodes.items()):
        g.add_node(n, x=100.0 * i, y=0.0, elevation_m=elev)
    for a, b, length in edges:
        g.add_edge(a, b, length_m=length, speed_kmh=30.0)
    nx.write_graphml(g, path)
    return path


def evac(households: list[dict[str, Any]], shelters: list[dict[str, Any]], **over: Any
         ) -> dict[str, Any]:
    """Everyone leaves on their own at a fixed time and walks at 6 km/h (100 m/min)."""
    data: dict[str, Any] = {
        "name": "oracle", "kind": "evacuation", "seed": 1,
        "network": {"graphml": "g.graphml"},
        "grids": [{"id": "G", "node": "A", "residents": 10}],
        "evacuation": {
            "horizon_min": 120,
            "hazard": {"rain": {"hourly_mm": [0]}, "drainage_mm_per_h": 0, "base_level_m": 0,
                       "rise_m_per_mm": 0.01, "update_min": 1},
            "shelters": shelters,
            "population": {"households": households, "at_risk_below_m": 5,
                           "self_evacuation_share": 1.0, "self_evacuation_delay": 0,
                           "walk_kmh": 6, "needs_escort_share": 0},
        },
    }
    return deep_update(data, over)


def one_run(s: Scenario, plan: str | None = None) -> Any:
    return s.kind.simulate(plan_inputs(s.plan(plan)), 0, 1, True)


def events_of(result: Any, who: str) -> list[tuple[float, str, str]]:
    return [(round(e.t_min, 6), e.event, e.location) for e in result.events if e.entity_id == who]


def one_road(tmp_path: Path, leave_at: float) -> Scenario:
    # A (0 m) —600 m— B (10 m, shelter). 60 mm/h, no drainage, 0.01 m per mm: the water at A
    # rises 1 cm a minute, so the road (its deeper end) passes the 0.305 m wading limit at 31.
    graph(tmp_path / "g.graphml", {"A": 0.0, "B": 10.0}, [("A", "B", 600.0)])
    data = evac([{"id": "h1", "node": "A", "members": 2}],
                [{"id": "S", "node": "B", "capacity": 10}],
                evacuation={"hazard": {"rain": {"hourly_mm": [60] * 5}, "walk_limit_m": 0.305},
                            "population": {"self_evacuation_delay": leave_at}})
    return parse_scenario(data, tmp_path)


# -- networks as osmnx writes them ------------------------------------------------------

LONLAT = {"1001": (120.600, 30.400), "1002": (120.610, 30.400), "1003": (120.610, 30.410)}


def osmnx_like(path: Path, crs: str | None = "epsg:4326") -> Path:
    """As osmnx writes an unprojected graph: x = lon, y = lat, numeric ids, `length` in m."""
    g = nx.MultiDiGraph()
    if crs:
        g.graph["crs"] = crs
    for n, (lon, lat) in LONLAT.items():
        g.add_node(n, x=lon, y=lat)
    for a, b in (("1001", "1002"), ("1002", "1003")):
        length = haversine_m(*LONLAT[a], *LONLAT[b])
        g.add_edge(a, b, length=length)
        g.add_edge(b, a, length=length)
    nx.write_graphml(g, path)
    return path


# -- a muster summary for report tests -------------------------------------------------

def drill_summary(mustered: float = 1450.0, t50: float = 31.0) -> dict:
    def m(mean: float) -> dict:
        return {"mean": mean, "std": 1.0, "ci95_low": mean - 1, "ci95_high": mean + 1,
                "p5": mean - 10, "p50": mean, "p95": mean + 10, "n": 10}

    return {"scenario": "Town drill", "kind": "muster", "plan": "baseline", "description": "",
            "replications": 10, "seed": 1, "version": "0.test", "scenario_digest": "abc",
            "metrics": {"mustered_60min": m(mustered), "t50_min": m(t50), "roster": m(1600),
                        "mustered_60min[role=grid_head]": m(38),
                        "mustered_60min[grid=G01]": m(70)},
            "objectives": [
                {"description": "1,500 within the hour", "metric": "mustered_60min",
                 "at_least": 1500.0, "statistic": "mean"},
                {"description": "half within 30 min", "metric": "t50_min", "at_most": 30.0,
                 "statistic": "mean"}],
            "injects": [], "warnings": []}


# -- dashboard (AppTest) ---------------------------------------------------------------

APP = str(ROOT / "dashboard" / "app.py")


def opened(scenario: str, page: str, timeout: int = 180) -> AppTest:
    """The dashboard opened on a bundled scenario's page (as a link with ``?scenario=…&page=…``
    does), with no exception raised."""
    from streamlit.testing.v1 import AppTest  # deferred: streamlit only for dashboard tests

    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["scenario"] = scenario
    at.query_params["page"] = page
    at.run()
    assert not at.exception, at.exception
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest, column: str) -> Any:
    """The first table shown that has this column (or row label)."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    for d in at.table:  # st.table: the first column is the row label
        frame = d.value.reset_index() if d.value.index.name else d.value
        if column in frame.columns:
            return frame
    raise LookupError(column)


def lattice_town(seed: int, closed_share: float, villages: int, shelters: int
                 ) -> tuple[csr_matrix, list[int], np.ndarray]:
    """A synthetic town's roads as a sparse graph of minutes (street lattices: equal street
    lengths, so equal routes abound), a random share of roads closed, shelters at random
    nodes, and the nodes' coordinates."""
    net = RoadNetwork(synthetic_town(SyntheticTown(villages=villages, nodes_per_village=25,
                                                   street_m=100.0, seed=seed)))
    rng = np.random.default_rng(seed)
    r, c, _, _ = net._edges
    w = net.edge_minutes(30.0)
    keep = rng.random(w.size) >= closed_share
    n = len(net.nodes)
    graph = csr_matrix((w[keep], (r[keep], c[keep])), shape=(n, n))
    return graph, sorted(rng.choice(n, size=shelters, replace=False).tolist()), net.xy


def cli_bounded(*args: str, cwd: Path | None = None, memory_mb: int = 1500,
                timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    """``gridmuster ARGS`` in a fresh interpreter with its address space capped at
    ``memory_mb`` (a refusal that builds what it refuses fails with MemoryError instead), and
    the seconds it took."""
    import resource
    import time

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout, preexec_fn=cap)
    return done, time.monotonic() - start
