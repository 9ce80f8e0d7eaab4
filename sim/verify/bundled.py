"""The bundled scenarios and their replications, shared by the conservation cases and the
validation section (each plan is run once per verification run)."""

from __future__ import annotations

from pathlib import Path

from sim.experiments import run_replications
from sim.results import ReplicationResult
from sim.scenario import Scenario, load_scenario
from sim.verify.case import Context

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"

# Replications per plan (quick, full): the festival and Duhu take seconds per replication.
REPS = {"muster": (5, 100), "evacuation": (3, 100), "festival": (1, 3)}
HEAVY = {"rainstorm_duhu": (1, 10)}


def bundled() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.yaml"))


def load(ctx: Context, path: Path) -> Scenario:
    key = ("scenario", path)
    if key not in ctx.cache:
        ctx.cache[key] = load_scenario(path)
    s: Scenario = ctx.cache[key]
    return s


def replications(ctx: Context, path: Path, plan: str) -> list[ReplicationResult]:
    """The plan's replications 0…R−1 on the scenario's seed (R by kind and ``--quick``)."""
    key = ("runs", path, plan)
    if key not in ctx.cache:
        s = load(ctx, path)
        quick, full = HEAVY.get(path.stem, REPS[s.kind.name])
        ctx.cache[key] = run_replications(s.plan(plan), range(ctx.n(quick, full)), s.model.seed,
                                          keep_events=())
    runs: list[ReplicationResult] = ctx.cache[key]
    return runs


def assumed(path: Path) -> list[str]:
    """The scenario file's comments that mark a value as ASSUMED, as written."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "ASSUMED" in line:
            text = line.strip()
            text = text[text.index("#") + 1:].strip() if "#" in text else text
            field = line.split("#")[0].strip()
            out.append(f"{field} — {text}" if field else text)
    return out
