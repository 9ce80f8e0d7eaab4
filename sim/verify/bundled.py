"""The bundled scenarios and their replications, shared by the conservation cases and the
validation section (each plan is run once per verification run)."""

from __future__ import annotations

from pathlib import Path

from sim.core.results import ReplicationResult
from sim.core.scenario import Scenario, load_scenario
from sim.run.experiments import run_replications
from sim.verify.case import Context

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"

# Replications per plan (quick, full): the festival and Duhu take seconds per replication.
REPS = {"muster": (3, 30), "evacuation": (3, 30), "festival": (1, 3)}
HEAVY = {"rainstorm_duhu": (1, 10)}


def bundled() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.yaml"))


def load(ctx: Context, path: Path) -> Scenario:
    key = ("scenario", path)
    if key not in ctx.cache:
        ctx.cache[key] = load_scenario(path)
    s: Scenario = ctx.cache[key]
    return s


def replications(ctx: Context, path: Path, plan: str, at_least: int = 0
                 ) -> list[ReplicationResult]:
    """The plan's replications 0…R−1 on the scenario's seed (R by kind and ``--quick``, or
    ``at_least``); replications already run for another case are reused."""
    key = ("runs", path, plan)
    s = load(ctx, path)
    quick, full = HEAVY.get(path.stem, REPS[s.kind.name])
    want = max(ctx.n(quick, full), at_least)
    runs: list[ReplicationResult] = ctx.cache.setdefault(key, [])
    if len(runs) < want:
        runs.extend(run_replications(s.plan(plan), range(len(runs), want), s.model.seed,
                                     keep_events=()))
    return runs[:want] if at_least else runs


def assumed(path: Path) -> list[str]:
    """The scenario file's comments that mark a value as ASSUMED, as written."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "ASSUMED" in line and "Everything else" not in line:
            text = line.strip()
            text = text[text.index("#") + 1:].strip() if "#" in text else text
            field = line.split("#")[0].strip()
            out.append(f"{field} — {text}" if field else text)
    return out
