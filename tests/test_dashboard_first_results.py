"""Issue 16, the dashboard's first comparison: first results on the page before the full run
finishes (behaviour, not timing), the refined results equal to one full run, and no event
records kept by a comparison (the replay runs its own replication with them)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.helpers import APP  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "rainstorm_yangning.yaml"  # a slow kind (a first pass of 1), but a small town



def test_first_results_are_shown_before_the_full_run_finishes(env, held):
    from dashboard import jobs, state
    from sim.core.scenario import load_scenario
    from sim.run.experiments import compare

    refine = held(jobs, "extend")  # the refinement waits until the test has looked
    state.clear_results()
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["scenario"] = SCENARIO
    job = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            # Whether every plan's first pass was done before the page ran: the page shows the
            # job as it was then, and the job's thread goes on meanwhile (read after the run,
            # a plan finished during it was counted but not shown: a flaky race).
            ready = job is not None and not job.pending_first
            at.run(timeout=180)
            if "job" in at.session_state:
                job = at.session_state["job"]
            if ready and at.metric:
                break
            time.sleep(0.2)
        assert job is not None and job.reps > job.first_reps == 1
        # Every plan's first results are on the page while the full run has not finished.
        assert job.running and job.result is None
        assert {m.label for m in at.metric} == set(job.plans)
        assert any("First results from 1 replication per plan" in i.value for i in at.info)
        assert not any("replications each" in c.value for c in at.caption)
        assert all(len(r.results) == 1 for r in job.preliminary.runs)
        # A comparison keeps no event records (the page shows summaries only).
        assert all(not r.events for run in job.preliminary.runs for r in run.results)
    finally:
        refine.set()
    job.thread.join(timeout=120)
    assert job.result is not None and not job.error, job.error
    at.run(timeout=180)
    assert not at.exception, at.exception
    assert any(f"{job.reps} replications each" in c.value for c in at.caption)
    assert {m.label for m in at.metric} == set(job.plans)
    # The refined results are exactly those of one full run on the same seed.
    s = load_scenario(ROOT / "scenarios" / SCENARIO)
    full = compare(s, job.plans, job.reps, job.seed)
    for mine, theirs in zip(job.result.runs, full.runs, strict=True):
        assert [r.metrics for r in mine.results] == [r.metrics for r in theirs.results]


def test_the_replay_run_has_event_records_after_a_one_replication_comparison(env):
    """A comparison of 1 replication from the page shares the replay's cache key but keeps no
    records; the replay then runs replication 0 again with them."""
    from dashboard import jobs, state
    from sim.core.scenario import load_scenario

    s = load_scenario(ROOT / "scenarios" / SCENARIO)
    plan, seed = s.plan_names()[0], s.model.seed
    state.clear_results()
    key = state.run_key(s, plan, seed, 1)
    job = jobs.Job(s, [plan], 1, seed, 1, 1, state.run_cache(), [key]).start()
    assert job.thread is not None
    job.thread.join(timeout=120)
    assert state.run_cache().get(key) is not None
    assert not any(r.events for r in state.run_cache().get(key).results)
    run = state.single_run(s, plan, seed)
    assert run.results[0].events
    assert run.results[0].metrics == job.result.runs[0].results[0].metrics
