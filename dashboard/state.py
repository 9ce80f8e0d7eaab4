"""Session state and caches of the dashboard: which scenario is open, and results already run.

Results are cached per plan by (plan digest, plan, seed, replications) in a process-wide store
(``st.cache_resource``), so revisiting a page, re-running a comparison or comparing a plan
against another one already run is instant, across browser sessions too.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from sim.core.cache import BoundedCache
from sim.core.errors import Problem, ScenarioError
from sim.core.kind import find_kind
from sim.core.limits import FILE_BYTES
from sim.core.planedit import plan_digest, with_plan
from sim.core.scenario import Scenario, load_scenario, parse_scenario, parse_scenario_text
from sim.core.workspace import Workspace, WorkspaceError
from sim.present.i18n import _, current_lang
from sim.run.experiments import Comparison, PlanRun, run_plan

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"
DEFAULT_SCENARIO = "muster_youchegang.yaml"
DEFAULT_REPS = int(os.environ.get("GRIDMUSTER_DASHBOARD_REPS", "20"))
# The first pass of kinds whose replications take seconds (their ``dashboard.first_reps``): this
# many replications per plan, shown at once (marked as first results), then refined in the
# background to the replications asked for.
FIRST_PASS_REPS = max(1, int(os.environ.get("GRIDMUSTER_FIRST_PASS_REPS", "1")))
# Quick kinds (a muster replication is a tenth of a second) show their first results from this
# many replications per plan: 20 of them for two plans took 4-6 s at load 5-7 (issue 16).
QUICK_FIRST_PASS_REPS = 5
MAX_CACHED_RUNS = 64
MIN_REPS_PER_POOL = 50


def bundled_scenarios() -> list[str]:
    return sorted(p.name for p in SCENARIOS_DIR.glob("*.yaml"))


def default_reps(kind: str) -> int:
    # Kinds whose replications take seconds (a festival day, a flooding town) start with fewer
    # (their ``dashboard.first_reps``), so the first result comes in seconds, not minutes.
    found = find_kind(kind)
    first = found.dashboard.first_reps if found is not None else None
    return min(DEFAULT_REPS, first if first is not None else DEFAULT_REPS)


def first_pass_reps(kind: str) -> int:
    """Replications per plan of the first results."""
    found = find_kind(kind)
    slow = found is not None and found.dashboard.first_reps is not None
    return FIRST_PASS_REPS if slow else min(QUICK_FIRST_PASS_REPS, default_reps(kind))


def default_workers() -> int:
    env = os.environ.get("GRIDMUSTER_WORKERS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(2, os.cpu_count() or 1))


# --- the open scenario --------------------------------------------------------------------

def scenario() -> Scenario:
    """The scenario the session works on (the bundled muster drill until another is chosen)."""
    if "scenario" not in st.session_state:
        open_bundled(DEFAULT_SCENARIO)
    s: Scenario = st.session_state["scenario"]
    return s


def source_label() -> str:
    return str(st.session_state.get("scenario_label", DEFAULT_SCENARIO))


def _set(s: Scenario, label: str) -> None:
    # Saved plans belong to the scenario as opened (its digest before any plan is added).
    st.session_state["origin_digest"] = s.digest
    st.session_state["origin_plans"] = list(s.plan_names())
    s, skipped = with_saved_plans(s)
    st.session_state["skipped_plans"] = skipped
    st.session_state["scenario"] = s
    st.session_state["scenario_label"] = label
    st.session_state["problems"] = []
    st.session_state["problems_label"] = ""
    # Plans differ between scenarios: start the comparison afresh on the new one.
    st.session_state.pop("request", None)


def fail(label: str, problems: list[Problem]) -> None:
    st.session_state["problems"] = [(p.path or _("(file)"), str(p).split(": ", 1)[-1])
                                    for p in problems]
    st.session_state["problems_label"] = label


def open_bundled(name: str) -> bool:
    try:
        s = load_scenario(SCENARIOS_DIR / name)
    except ScenarioError as exc:
        fail(name, exc.problems)
        return False
    _set(s, name)
    return True


def open_text(text: str, label: str) -> bool:
    """Load a scenario from YAML text (an upload or a paste). On problems, keep the scenario
    that was open and remember the problems (path, message) to show. Pasted text is capped
    like a file (``FILE_BYTES``), before any parsing."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > FILE_BYTES:
        st.session_state["problems"] = [(_("(file)"), _(
            "at most {limit} MB of YAML (got {size} MB)", limit=f"{FILE_BYTES / 1024 / 1024:.0f}",
            size=f"{size / 1024 / 1024:,.1f}"))]
        st.session_state["problems_label"] = label
        return False
    try:
        s = parse_scenario_text(text, SCENARIOS_DIR)
    except ScenarioError as exc:
        fail(label, exc.problems)
        return False
    _set(s, label)
    return True


def replace(s: Scenario, label: str | None = None) -> None:
    """Switch to an edited version of the open scenario (e.g. with a new plan); the
    workspace it belongs to stays that of the scenario as opened."""
    st.session_state["scenario"] = s
    if label:
        st.session_state["scenario_label"] = label


# --- saved plans (the workspace) ----------------------------------------------------------

def workspace() -> Workspace:
    scenario()
    return Workspace(str(st.session_state["origin_digest"]))


def own_plans() -> list[str]:
    """The plans written in the scenario file itself (never changed from the dashboard)."""
    scenario()
    return list(st.session_state.get("origin_plans", []))


def with_saved_plans(s: Scenario) -> tuple[Scenario, list[str]]:
    return with_saved_plans_for(s, s.digest)


def reload_saved_plans() -> None:
    """Rebuild the open scenario from its origin plus the workspace (after rename/delete)."""
    s = scenario()
    raw = dict(s.raw)
    own = own_plans()
    plans = {k: v for k, v in (raw.get("plans") or {}).items() if k in own}
    if plans:
        raw["plans"] = plans
    else:
        raw.pop("plans", None)
    base = parse_scenario(raw, s.base_dir)
    s2, skipped = with_saved_plans_for(base, str(st.session_state["origin_digest"]))
    st.session_state["skipped_plans"] = skipped
    st.session_state["scenario"] = s2


def with_saved_plans_for(s: Scenario, digest: str) -> tuple[Scenario, list[str]]:
    """The scenario with the saved plans of workspace ``digest`` added, each re-checked by the
    scenario's own validation; plans that no longer pass are left out (and named)."""
    try:
        saved = Workspace(digest).plans()
    except (OSError, WorkspaceError):
        return s, []
    skipped = []
    for name, entry in saved.items():
        if name in s.plan_names():
            skipped.append(name)
            continue
        try:
            s = parse_scenario(with_plan(s.raw, name, entry["patch"]), s.base_dir)
        except Exception:  # a hand-edited file must not break the page
            skipped.append(name)
    return s, skipped


def problems() -> list[tuple[str, str]]:
    return list(st.session_state.get("problems", []))


# --- results ------------------------------------------------------------------------------

class RunCache:
    """Plan runs by (plan digest, plan, seed, replications), least recently used dropped."""

    def __init__(self, size: int = MAX_CACHED_RUNS):
        self.size = size
        self.lock = threading.Lock()
        self.runs: OrderedDict[tuple[str, str, int, int], PlanRun] = OrderedDict()

    def get(self, key: tuple[str, str, int, int]) -> PlanRun | None:
        with self.lock:
            run = self.runs.get(key)
            if run is not None:
                self.runs.move_to_end(key)
            return run

    def put(self, key: tuple[str, str, int, int], run: PlanRun) -> None:
        with self.lock:
            self.runs[key] = run
            while len(self.runs) > self.size:
                self.runs.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.runs.clear()


@st.cache_resource(show_spinner=False)
def run_cache() -> RunCache:
    return RunCache()


def run_key(s: Scenario, plan: str, seed: int, reps: int) -> tuple[str, str, int, int]:
    return (plan_digest(s, plan), plan, int(seed), int(reps))


def missing(s: Scenario, plans: Sequence[str], seed: int, reps: int) -> list[str]:
    cache = run_cache()
    return [p for p in plans if cache.get(run_key(s, p, seed, reps)) is None]


def comparison(s: Scenario, plans: Sequence[str], reps: int, seed: int, workers: int,
               progress: Callable[[int], None] | None = None) -> Comparison:
    """Run (or fetch from the cache) each plan on the same seeds; ``progress`` is told of each
    finished replication."""
    cache = run_cache()
    runs = []
    for p in plans:
        key = run_key(s, p, seed, reps)
        run = cache.get(key)
        if run is None:
            # Starting a process pool costs more than it saves on a few replications.
            run = run_plan(s, p, reps, seed, workers if reps >= MIN_REPS_PER_POOL else 1,
                           progress)
            cache.put(key, run)
        runs.append(run)
    return Comparison(runs)


def single_run(s: Scenario, plan: str, seed: int) -> PlanRun:
    """Replication 0 of a plan (with its events), e.g. for the replay; cached. A comparison of
    1 replication run from the page has the same key but no events (jobs keep none): then
    replication 0 is run again with them."""
    cache = run_cache()
    key = run_key(s, plan, seed, 1)
    run = cache.get(key)
    if run is None or not any(r.events for r in run.results):
        run = run_plan(s, plan, 1, seed, 1)
        cache.put(key, run)
    return run


COMPARISONS_CACHE_SIZE = 16


@st.cache_resource(show_spinner=False)
def _comparisons() -> BoundedCache[dict[str, Any]]:
    return BoundedCache(COMPARISONS_CACHE_SIZE)


def comparison_data(comp: Comparison, keys: tuple[Hashable, ...]) -> dict[str, Any]:
    """``comp.as_dict()``, made once per comparison (its runs' keys) and language: the page
    shows it, exports it and maps it on every look (a festival's takes about 0.4 s)."""
    return _comparisons().get((keys, current_lang()), comp.as_dict)


def clear_results() -> None:
    """Forget every result, figure and export (the sidebar's "Clear cached results")."""
    run_cache().clear()
    figure_cache().clear()
    _comparisons().clear()


def cached_runs_count() -> int:
    return len(run_cache().runs)


def figure_cache() -> dict[Any, bytes]:
    """PNG bytes of figures that depend only on the scenario (e.g. the town map)."""
    return _figures()


class FigureCache(OrderedDict[Any, bytes]):
    """PNG bytes by key; the oldest dropped beyond ``size`` entries."""

    def __init__(self, size: int = 256):
        super().__init__()
        self.size = size

    def __setitem__(self, key: Any, value: bytes) -> None:
        super().__setitem__(key, value)
        while len(self) > self.size:
            self.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _figures() -> FigureCache:
    return FigureCache()
