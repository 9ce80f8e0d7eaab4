"""The memory estimate counts what a plan lays over the road network (travel and route
tables), so that a town too big for the budget is refused before anything is built, with
the estimate, the budget and what to do; the bundled scenarios still fit the default."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.core.budget import DEFAULT_MEMORY_MB, Budget, enforce, estimate
from sim.core.scenario import load_scenario, parse_scenario
from tests.helpers import BUNDLED, ROOT


def muster_town(grids: int, villages: int, nodes_per_village: int) -> dict[str, Any]:
    """Youchegang grown to ``grids`` grids over ``villages`` villages, one assembly point each
    (as ``benchmarks/bench_scaling.py``, with more grids per village to pass 400 villages)."""
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["name"] = f"large town, {grids} grids"
    raw["network"]["synthetic"].update(villages=villages, nodes_per_village=nodes_per_village)
    per = math.ceil(grids / villages)
    raw["grids"] = [{"id": f"G{g:05d}", "village": f"Village {g // per + 1}",
                     "node": f"V{g // per + 1}" + ("" if g % per == 0 else f"-{g % per}"),
                     "residents": 1000, "households": 350} for g in range(grids)]
    raw["forces"]["cadre"] = {"count": round(500 * grids / 40)}
    raw["muster"]["assembly_points"] = [
        {"id": f"S{v:03d}", "node": f"V{v}", "desks": 1,
         "task": ("relocation", "inspection", "reinforcement", "rescue")[v % 4]}
        for v in range(1, villages + 1)]
    raw["muster"].pop("assignment", None)
    for key in ("injects", "assumptions", "plans"):
        raw.pop(key, None)
    return raw


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "town.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _run(tmp_path: Path, scenario: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str],
                                                              float]:
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "--reps", "2",
                           "--no-store", "--out", str(tmp_path / "out"), *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    return done, time.monotonic() - t0


def test_travel_tables_are_counted_and_grow_with_the_network(tmp_path: Path) -> None:
    small = estimate(parse_scenario(muster_town(40, 20, 9), tmp_path).plan())
    wide = estimate(parse_scenario(muster_town(40, 20, 100), tmp_path).plan())
    # Same roster, 11 times the road nodes: 3 modes × 20 assembly points × 20 bytes a node.
    assert wide.people == small.people
    assert wide.network_mb == pytest.approx(3 * 20 * 2000 * 20 / 1e6)
    assert wide.memory_mb - small.memory_mb == pytest.approx(
        wide.network_mb - small.network_mb)


def test_a_town_too_big_for_the_budget_is_refused_up_front(tmp_path: Path) -> None:
    # 200 assembly points × 20,000 road nodes: 240 MB of travel tables alone.
    scenario = _write(tmp_path, muster_town(2000, 200, 100))
    done, seconds = _run(tmp_path, scenario, "--memory-budget", "150")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert line.startswith("--memory-budget: this run needs about "), line
    assert "of which 240 MB are the travel and route tables over 20,000 road nodes" in line
    assert "over the budget of 150 MB" in line
    assert "--memory-budget " in line and "(got 150)" in line
    assert seconds < 30  # refused before anything is built (it loads in ~1 s)
    assert not (tmp_path / "out").exists()


def test_the_10000_grid_town_is_refused_under_the_default_budget(tmp_path: Path) -> None:
    # It ran 34 s and peaked at 5.1 GB before; the estimate is 4.7 GB against 4 GB.
    scenario = _write(tmp_path, muster_town(10_000, 400, 400))
    done, seconds = _run(tmp_path, scenario)
    assert done.returncode == 2, done.stderr
    assert "over the budget of 4,096 MB" in done.stderr
    assert "travel and route tables over 160,000 road nodes" in done.stderr
    assert seconds < 30


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_bundled_scenarios_fit_the_default_budget(path: Path) -> None:
    s = load_scenario(path)
    setups = [s.plan(n) for n in s.plan_names()]
    enforce(setups, 100, 2, Budget())  # raises ScenarioError if refused
    assert all(estimate(x).memory_mb < DEFAULT_MEMORY_MB / 10 for x in setups)


def test_validate_does_not_build_a_plan_over_the_memory_budget(tmp_path: Path) -> None:
    # Checking a town must not allocate what running it would (validate built every plan).
    scenario = _write(tmp_path, muster_town(2000, 200, 100))
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(scenario)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "GRIDMUSTER_MEMORY_MB": "150"})
    assert done.returncode == 0, done.stderr
    assert "warning: plan baseline was not built to check it: this run needs about" \
        in done.stdout
    assert "over the budget of 150 MB" in done.stdout
    assert time.monotonic() - t0 < 30
