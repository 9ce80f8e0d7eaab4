"""The one place where the dashboard talks to the run store (``sim.run.store``).

The store (default ``~/.gridmuster/runs.db``, or ``GRIDMUSTER_STORE``) holds the runs and
comparisons of ``gridmuster run`` / ``compare`` and of this dashboard. If it cannot be read or
written, the page says so instead of failing.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

import sim.run.store
from sim.core.scenario import Scenario
from sim.present import run_names
from sim.present.i18n import _, is_zh
from sim.run.experiments import Comparison


def record(s: Scenario, comp: Comparison, seed: int, reps: int, elapsed_s: float,
           data: dict[str, Any] | None = None) -> str:
    """Write a comparison run in the dashboard to the run store, so History lists it
    (``data``: ``comp.as_dict()`` when the page has made it already).

    Returns a short note for the page (the run id, or why it could not be written)."""
    try:
        with sim.run.store.RunStore(sim.run.store.default_store_path()) as db:
            run_id = db.start_run("dashboard", s.name, None, s.digest, s.kind.name, comp.plans,
                                  seed, reps, None)
            db.finish_run(run_id, data if data is not None else comp.as_dict(), elapsed_s)
    except Exception as exc:  # the results are on screen already; the store is a bonus
        return _("not recorded in the run store ({why})", why=f"{type(exc).__name__}: {exc}")
    return _("recorded as run {id}", id=run_id)


def store_path() -> str:
    return str(sim.run.store.default_store_path())


# What the store records, as a planner says it (the model version stays in `gridmuster runs`).
COMMANDS, STATUSES = run_names.COMMANDS, run_names.STATUSES


def list_runs(limit: int = 100) -> tuple[pd.DataFrame | None, str]:
    """Past runs and comparisons, newest first, or ``(None, reason)``."""
    path = sim.run.store.default_store_path()
    if not path.exists():
        return pd.DataFrame(), ""
    try:
        with sim.run.store.RunStore(path) as db:
            runs = db.runs(limit=limit)
    except Exception as exc:  # never let the store break the page
        return None, _("The run store {path} could not be read ({why}).",
            path=path, why=f"{type(exc).__name__}: {exc}")
    rows = [{
        # (What a planner looks for first, then the details: the page is narrower than all.)
        _("id"): r.id,
        _("when"): time.strftime("%Y-%m-%d %H:%M", time.localtime(r.started_at)),
        _("scenario"): scenario_name(r),
        _("plans"): _(", ").join(run_names.plans_named(r.plans, r.result)),
        _("status"): _(STATUSES.get(r.status, r.status)),
        _("took"): "—" if r.elapsed_s is None else _("{s} s", s=f"{r.elapsed_s:,.1f}"),
        _("replications"): r.replications,
        _("seed"): r.seed,
        _("command"): _(COMMANDS.get(r.command, r.command)),
    } for r in runs]
    return pd.DataFrame(rows), ""


def scenario_name(r: sim.run.store.StoredRun) -> str:
    """The scenario's name as the planner reads it (its name_zh in 中文; sim.present.run_names)."""
    return run_names.scenario_name(r.scenario, r.scenario_path, r.result)


def open_comparison(run_id: Any) -> tuple[dict[str, Any] | None, str]:
    """A past run as a ``comparison.json`` mapping (``plans``, ``differences``), or
    ``(None, reason)``. A single-plan run is shown as a comparison of one plan."""
    try:
        with sim.run.store.RunStore(sim.run.store.default_store_path()) as db:
            run = db.run(int(run_id))
    except Exception as exc:
        return None, _("Run {id} could not be opened ({why}).",
            id=run_id, why=f"{type(exc).__name__}: {exc}")
    if run is None or not run.result:
        status = _(STATUSES.get(run.status, run.status)) if run else _("unknown")
        return None, _("Run {id} has no recorded result (status: {status}).",
            id=run_id, status=status)
    data = dict(run.result)
    if "plans" not in data and "metrics" in data:  # a `gridmuster run` summary
        data = {"scenario": data.get("scenario", run.scenario), "kind": run.kind,
                "seed": run.seed, "replications": run.replications,
                "plans": {data.get("plan", "plan"): data}, "differences": {}}
    if "plans" not in data:
        return None, _("Run {id} is not a run or comparison result.", id=run_id)
    name_zh = scenario_name(run) if is_zh() else ""
    if name_zh and name_zh != run.scenario:  # an older record: the titles read its 中文 name
        data["plans"] = {k: ({**v, "scenario_zh": name_zh} if isinstance(v, dict)
                             and not v.get("scenario_zh") else v)
                         for k, v in data["plans"].items()}
    return data, ""
