"""The run store: resume after a kill, concurrent writers, runs list/show/diff."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.core.scenario import load_scenario
from sim.run.backends import close_dask
from sim.run.experiments import compare, run_plan
from sim.run.store import RunStore
from tests.helpers import BUNDLED, ROOT, cli


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as c:
            return int(c.execute("SELECT COUNT(*) FROM replications").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_killed_sweep_resumes_without_recomputing(tmp_path):
    db = tmp_path / "runs.db"
    reps = "60"  # tests/test_durable_store.py kills at many more points
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(BUNDLED), "--reps", reps, "--store", str(db),
         "--out", str(tmp_path / "killed")], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while _count(db) < 10 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _count(db)
    assert 10 <= done_before < 60, done_before

    r = cli("run", str(BUNDLED), "--reps", reps, "--store", str(db), "--resume",
            "--out", str(tmp_path / "resumed"))
    assert r.returncode == 0, r.stderr
    assert f"resumed: {done_before} replications reused from the store, " \
           f"{60 - done_before} computed" in r.stdout

    with RunStore(db) as store:
        assert store.count_replications() == 60
        runs = sorted(store.runs(), key=lambda x: x.id)
        # No replication was computed twice: each row belongs to exactly one of the two runs.
        assert store.count_replications(runs[0].id) == done_before
        assert store.count_replications(runs[1].id) == 60 - done_before
        # The killed run's process is gone: opening the store marked it interrupted.
        assert runs[0].status == "interrupted" and runs[1].status == "done"
        assert store.integrity_ok()

    fresh = cli("run", str(BUNDLED), "--reps", reps, "--no-store",
                "--out", str(tmp_path / "uninterrupted"))
    assert fresh.returncode == 0, fresh.stderr
    for name in ("replications.csv", "events.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == \
            (tmp_path / "uninterrupted" / name).read_bytes(), name


def test_two_processes_write_to_one_store(tmp_path):
    db = tmp_path / "shared.db"
    procs = [
        subprocess.Popen([sys.executable, "-m", "sim", "compare", str(BUNDLED), "--plans",
                          plans, "--reps", "30", "--store", str(db), "--out",
                          str(tmp_path / f"o{i}")], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for i, plans in enumerate(["baseline,night", "phone_tree,extra_desks"])
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with RunStore(db) as store:
        assert store.integrity_ok()
        assert store.count_replications() == 4 * 30
        assert sorted(r.status for r in store.runs()) == ["done", "done"]


def test_library_resume_reuses_exactly_what_is_stored(tmp_path):
    s = load_scenario(BUNDLED)
    with RunStore(tmp_path / "lib.db") as store:
        first = run_plan(s, "night", 5, seed=3, store=store)
        again = run_plan(s, "night", 8, seed=3, store=store, resume=True)
        assert again.extra == {"reused": 5, "computed": 3}
        plain = run_plan(s, "night", 8, seed=3)
        assert again.metrics_frame().equals(plain.metrics_frame())
        assert again.results[0].events == plain.results[0].events
        assert first.results[0].final_states == plain.results[0].final_states
        other_seed = run_plan(s, "night", 2, seed=4, store=store, resume=True)
        assert other_seed.extra["reused"] == 0


def test_runs_list_show_and_diff(tmp_path):
    db = str(tmp_path / "cli.db")
    assert cli("run", str(BUNDLED), "--reps", "3", "--store", db, "--out",
               str(tmp_path / "a")).returncode == 0
    assert cli("compare", str(BUNDLED), "--plans", "baseline,night", "--reps", "3",
               "--store", db, "--out", str(tmp_path / "b")).returncode == 0
    listed = cli("runs", "list", "--store", db)
    assert listed.returncode == 0 and "compare" in listed.stdout and "run" in listed.stdout
    shown = cli("runs", "show", "2", "--store", db)
    assert shown.returncode == 0
    assert "mustered_60min" in shown.stdout and "night has" in shown.stdout
    diff = cli("runs", "diff", "1", "2", "--store", db)
    assert diff.returncode == 0 and "mustered_60min" in diff.stdout and "baseline" in diff.stdout
    missing = cli("runs", "show", "99", "--store", db)
    assert missing.returncode == 2 and "no run with this id" in missing.stderr


def test_adaptive_replications_stop_at_the_target():
    from sim.run.experiments import Stopping, compare_until

    s = load_scenario(BUNDLED)
    comp, info = compare_until(s, ["baseline", "night"],
                               Stopping("mustered_60min", 1000.0, batch=4, max_replications=40))
    assert info["met"] and info["replications"] == 4
    comp, info = compare_until(s, ["baseline", "night"],
                               Stopping("mustered_60min", 12.0, batch=4, max_replications=40))
    assert info["met"] and info["half_width"] <= 12.0
    assert 4 < info["replications"] <= 40 and info["replications"] % 4 == 0
    comp, info = compare_until(s, ["baseline"],
                               Stopping("mustered_60min", 1e-9, batch=3, max_replications=6))
    assert not info["met"] and info["replications"] == 6
    assert len(comp.runs[0].results) == 6


@pytest.mark.filterwarnings("ignore")
def test_dask_local_cluster_equals_one_worker():
    s = load_scenario(BUNDLED)
    one = compare(s, ["baseline", "phone_tree"], 6, seed=2)
    try:
        dask = compare(s, ["baseline", "phone_tree"], 6, seed=2, workers=2, dask="local")
    finally:  # (the cluster lives as long as the process otherwise: the worker's other tests)
        close_dask()
    for a, b in zip(one.runs, dask.runs, strict=True):
        assert a.metrics_frame().equals(b.metrics_frame())
        assert a.results[0].events == b.results[0].events
