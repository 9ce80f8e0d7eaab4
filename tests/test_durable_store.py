"""The run store and output folders under faults: SIGKILL at random points, two writers, a full
disk, truncated / garbage store files, a truncated WAL, stale inputs and stale model code."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import sim.cli.main
import sim.run.store
from sim.cli.main import app
from sim.core.errors import ScenarioError
from sim.core.results import ReplicationResult
from sim.core.scenario import load_scenario, parse_scenario
from sim.present.output import atomic_folder, check_out_folder
from sim.run.experiments import run_plan
from sim.run.store import SQLITE_HEADER, RunStore
from tests.helpers import BUNDLED, ROOT, cli

REPS = 30
KILL_REPS = 300  # (test_sigkill_at_random_points_…)


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI in this process, through ``main`` (exit codes as a subprocess gets them):
    a subprocess costs 10-20 s of start-up on the shared test machine."""
    capsys.readouterr()
    old = sys.argv
    sys.argv = ["gridmuster", *args]
    try:
        sim.cli.main.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out, err


def _rows(db: Path) -> dict[tuple[str, int], int]:
    """(plan, replication) → id of the run that computed it."""
    with sqlite3.connect(db, timeout=30) as c:
        if not c.execute("SELECT 1 FROM sqlite_master WHERE name = 'replications'").fetchone():
            return {}  # killed between creating the file and its tables
        return {(p, r): run for p, r, run in
                c.execute("SELECT plan, replication, run_id FROM replications")}


def _integrity(db: Path) -> str:
    with sqlite3.connect(db, timeout=30) as c:
        return str(c.execute("PRAGMA integrity_check").fetchone()[0])


def _fake(rep: int, seed: int = 1) -> ReplicationResult:
    return ReplicationResult(replication=rep, seed=seed, metrics={"x": float(rep)},
                             curve=np.arange(50.0), events=[], final_states={"a": rep})


def _filled(db: Path, runs: int = 40, reps: int = 40) -> None:
    with RunStore(db) as store:
        for i in range(runs):
            run_id = store.start_run("run", f"s{i}", None, f"d{i}", "muster", ["p"], i, reps,
                                     None)
            store.save_replications(f"d{i}", "p", [_fake(r, i) for r in range(reps)], run_id)
            store.finish_run(run_id, {"plan": "p", "blob": "x" * 2000}, 1.0)


def test_sigkill_at_random_points_never_damages_the_store_or_recomputes(tmp_path, capsys):
    """Up to 10 `run --resume` processes, each SIGKILLed at a random point (once 1-4 more
    replications than before are stored, plus 0-0.05 s; fixed seed) until three kills landed
    mid-sweep, then a last resume: integrity stays
    ok, killed runs are marked interrupted, no stored replication is ever recomputed, and the
    output equals an uninterrupted run byte for byte."""
    db = tmp_path / "runs.db"
    rng = random.Random(20261202)
    # (Enough replications that a sweep lasts about a second: a muster replication takes about
    # 2 ms, and 30 of them could finish between the target and the kill.)
    args = ["run", str(BUNDLED), "--reps", str(KILL_REPS), "--store", str(db), "--resume"]
    seen: dict[tuple[str, int], int] = {}
    killed, mid_sweep = 0, 0
    kills: list[tuple[int, int]] = []  # replications stored before and after each kill
    for i in range(10):
        if mid_sweep >= 3 or len(seen) >= KILL_REPS:
            break
        proc = subprocess.Popen([sys.executable, "-m", "sim", *args, "--out",
                                 str(tmp_path / f"k{i}")], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target, deadline = len(seen) + rng.randint(1, 4), time.time() + 120
        while proc.poll() is None and time.time() < deadline and (
                not db.exists() or len(_rows(db)) < target):
            time.sleep(0.02)
        # kill soon after the target: a replication takes milliseconds, so a longer wait lets
        # the sweep finish before the kill lands
        time.sleep(rng.uniform(0, 0.05))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        if not db.exists():
            continue  # killed before the store was created
        assert _integrity(db) == "ok"
        rows = _rows(db)
        # A replication once stored keeps the run that computed it: it was never redone.
        assert {k: rows[k] for k in seen} == seen
        mid_sweep += proc.returncode == -signal.SIGKILL and len(seen) < len(rows) < KILL_REPS
        kills.append((len(seen), len(rows)))
        seen = rows
        with RunStore(db) as store:  # opening marks the dead process's run
            statuses = [r.status for r in store.runs()]
        assert "running" not in statuses, statuses
        # The output folder is whole or absent, never half written.
        assert not (tmp_path / f"k{i}").exists() or proc.returncode == 0
    # Most kills land mid-sweep; on a loaded machine a process may finish or still be starting
    # when its kill comes, so only require that the loop really killed mid-sweep several times.
    assert killed >= 3 and mid_sweep >= 2, (killed, mid_sweep, kills)

    before = len(_rows(db)) if db.exists() else 0
    code, out, err = _main(capsys, *args, "--out", str(tmp_path / "resumed"))
    assert code == 0, err
    if before:
        assert f"resumed: {before} replications reused from the store, " \
               f"{KILL_REPS - before} computed" in out
    assert len(_rows(db)) == KILL_REPS
    code, out, err = _main(capsys, "runs", "list", "--store", str(db))
    assert code == 0 and "interrupted" in out, err
    code, _, err = _main(capsys, "run", str(BUNDLED), "--reps", str(KILL_REPS), "--no-store",
                         "--out", str(tmp_path / "fresh"))
    assert code == 0, err
    for name in ("replications.csv", "events.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == \
            (tmp_path / "fresh" / name).read_bytes(), name


def test_a_full_disk_stops_recording_but_the_results_are_written(tmp_path, monkeypatch):
    """SQLite's own 'database or disk is full' (max_page_count caps the file just above its
    size): the run finishes, every replication reaches the output folder, one clear warning."""
    db = tmp_path / "runs.db"
    messages: list[str] = []

    def tiny_store(path: Path | None, disabled: bool = False) -> RunStore:
        store = RunStore(db, on_warning=messages.append)
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[union-attr]
        store._db.execute(f"PRAGMA max_page_count = {pages + 3}")  # type: ignore[union-attr]
        return store

    monkeypatch.setattr(sim.cli.main, "open_store", tiny_store)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(BUNDLED), "--reps", "12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(messages) == 1, messages
    assert "database or disk is full" in messages[0] and str(db) in messages[0]
    assert "--no-store" in messages[0] and "results are still written" in messages[0]
    assert len((out / "replications.csv").read_text().splitlines()) == 1 + 12
    assert (out / "summary.json").exists() and (out / "events.csv").exists()
    assert _integrity(db) == "ok"


@pytest.mark.parametrize("damage", ["truncated", "garbage", "overwritten_page"])
def test_a_damaged_store_is_moved_aside_and_runs_still_work(tmp_path, damage, capsys):
    db = tmp_path / "runs.db"
    _filled(db)
    size = db.stat().st_size
    data = bytearray(db.read_bytes())
    if damage == "truncated":
        db.write_bytes(data[: size * 6 // 10])
    elif damage == "garbage":  # all but the header (a file without it is no store: below)
        db.write_bytes(SQLITE_HEADER + random.Random(1).randbytes(size - len(SQLITE_HEADER)))
    else:  # a page in the middle of the file overwritten with zeros
        page = 4096
        data[size // 2 // page * page: size // 2 // page * page + 3 * page] = bytes(3 * page)
        db.write_bytes(bytes(data))
    messages: list[str] = []
    with RunStore(db, on_warning=messages.append) as store:
        assert store.integrity_ok()
        recovered = len(store.runs(1000))
        assert len(messages) == 1
        assert str(db) in messages[0] and "--no-store" in messages[0]
    aside = list(tmp_path.glob("runs.db.corrupt-*"))
    assert len(aside) == 1 and aside[0].name.startswith("runs.db.corrupt-2")
    if damage == "garbage":
        assert recovered == 0
    else:  # the runs table sits in the first pages: damage further in leaves it readable
        assert 0 < recovered <= 40
    assert f"{recovered} runs" in messages[0]
    # And a plain `run` on it (now fresh) works: the damage was dealt with once.
    code, _, err = _main(capsys, "run", str(BUNDLED), "--reps", "2", "--store", str(db),
                         "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert "malformed" not in err and "damaged" not in err


def test_a_damaged_store_through_the_cli_says_where_it_went(tmp_path):
    db = tmp_path / "runs.db"
    _filled(db, runs=5, reps=5)
    db.write_bytes(db.read_bytes()[:3000])
    damaged = db.read_bytes()
    # A command that only reads the store reports the damage and leaves the file alone.
    for args in (("runs", "list"), ("runs", "show", "1"), ("report", "1")):
        r = cli(*args, "--store", str(db))
        assert r.returncode == 2, (args, r.stderr)
        assert f"the run store {db} is damaged" in r.stderr and "Traceback" not in r.stderr
        assert db.read_bytes() == damaged and not list(tmp_path.glob("runs.db.corrupt-*"))
    # One that records runs moves it aside, recovers what it can and says where it went.
    r = cli("run", str(BUNDLED), "--reps", "2", "--store", str(db), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert f"the run store {db} was damaged" in r.stderr
    assert "runs.db.corrupt-" in r.stderr and "--no-store" in r.stderr


@pytest.mark.parametrize("command", [("runs", "list"), ("runs", "show", "1"), ("report", "1"),
                                     ("run", str(BUNDLED), "--reps", "2")])
@pytest.mark.parametrize("content", [b"name: town\nkind: muster\n", b"{}", b"x" * 5000])
def test_a_file_that_is_no_sqlite_database_is_never_taken_for_a_store(tmp_path, command,
                                                                       content):
    """A scenario or a summary.json given as --store by mistake stays byte for byte."""
    wrong = tmp_path / "town.yaml"
    wrong.write_bytes(content)
    r = cli(*command, "--store", str(wrong), *(("--out", str(tmp_path / "o"))
                                               if command[0] == "run" else ()))
    assert r.returncode == 2, r.stderr
    assert f"--store: {wrong} is not a gridmuster run store" in r.stderr
    assert "Traceback" not in r.stderr
    assert wrong.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["town.yaml"]


def test_a_truncated_wal_loses_at_most_the_torn_transaction(tmp_path):
    """Copy a store while its WAL still holds the last writes (as after a SIGKILL), then cut
    the WAL in the middle of a frame: SQLite's frame checksums drop the torn tail."""
    live = tmp_path / "live.db"
    with RunStore(live) as store:
        store._db.execute("PRAGMA wal_autocheckpoint = 0")  # type: ignore[union-attr]
        for i in range(20):
            store.save_replications("d", "p", [_fake(i)], None)
        copy = tmp_path / "copy.db"
        shutil.copy(live, copy)
        wal = Path(f"{live}-wal").read_bytes()
        assert len(wal) > 10_000
        Path(f"{copy}-wal").write_bytes(wal[: len(wal) * 2 // 3 + 7])
    messages: list[str] = []
    with RunStore(copy, on_warning=messages.append) as store:
        assert store.integrity_ok() and not messages
        n = store.count_replications()
        assert 0 <= n < 20
        assert sorted(store.load_replications("d", "p", 1, range(20))) == list(range(n))


def test_a_store_that_cannot_be_opened_is_exit_2_naming_it(tmp_path, capsys):
    (tmp_path / "adir.db").mkdir()
    code, _, err = _main(capsys, "run", str(BUNDLED), "--reps", "2", "--store",
                         str(tmp_path / "adir.db"), "--out", str(tmp_path / "o"))
    assert code == 2
    assert f"--store: cannot use the run store {tmp_path / 'adir.db'}" in err
    assert "--no-store" in err
    assert not (tmp_path / "o").exists()


def test_runs_of_dead_processes_are_marked_interrupted(tmp_path):
    db = tmp_path / "runs.db"
    dead = subprocess.Popen(["true"])
    dead.wait()
    with RunStore(db) as store:
        mine = store.start_run("run", "s", None, "d", "muster", ["p"], 1, 1, None)
        gone = store.start_run("run", "s", None, "d", "muster", ["p"], 1, 1, None)
        elsewhere = store.start_run("run", "s", None, "d", "muster", ["p"], 1, 1, None)
        reused = store.start_run("run", "s", None, "d", "muster", ["p"], 1, 1, None)
        store._db.execute("UPDATE runs SET pid = ? WHERE id = ?",  # type: ignore[union-attr]
                          (dead.pid, gone))
        store._db.execute("UPDATE runs SET host = 'another-machine' WHERE id = ?",  # type: ignore[union-attr]
                          (elsewhere,))
        # Our pid, but a different start time: the pid was reused by another process.
        store._db.execute("UPDATE runs SET proc_start = '1' WHERE id = ?",  # type: ignore[union-attr]
                          (reused,))
    with RunStore(db) as store:
        status = {r.id: r.status for r in store.runs()}
    assert status == {mine: "running", gone: "interrupted", elsewhere: "running",
                      reused: "interrupted"}
    assert socket.gethostname()


def test_resume_recomputes_after_a_plan_level_counts_csv_changes(tmp_path):
    tide = ROOT / "scenarios" / "tide_yanguan.yaml"
    for f in (ROOT / "scenarios").glob("yanguan*"):
        shutil.copy(f, tmp_path / f.name)
    raw = yaml.safe_load(tide.read_text())
    rail = raw["festival"]["modes"]["rail"]
    rail.pop("profile", None)
    rail.update(interval_min=60, counts_csv="base.csv")
    (tmp_path / "base.csv").write_text("visitors\n100\n200\n300\n200\n100\n")
    raw["plans"] = {"from_file": {"festival": {"modes": {"rail": {"counts_csv": "rail.csv"}}}}}
    csv = tmp_path / "rail.csv"
    csv.write_text("visitors\n1200\n2400\n3600\n1800\n600\n")
    first = parse_scenario(raw, tmp_path)
    assert first.plan("from_file").model.festival.modes["rail"].counts[2] == 3600
    again = parse_scenario(raw, tmp_path)
    csv.write_text("visitors\n2400\n4800\n7200\n3600\n1200\n")
    changed = parse_scenario(raw, tmp_path)
    assert again.digest == first.digest
    assert changed.digest != first.digest
    with RunStore(tmp_path / "runs.db") as store:
        store.save_replications(first.digest, "from_file", [_fake(0, 3), _fake(1, 3)])
        assert len(store.load_replications(again.digest, "from_file", 3, [0, 1])) == 2
        assert store.load_replications(changed.digest, "from_file", 3, [0, 1]) == {}


def test_every_named_file_is_part_of_the_digest(tmp_path):
    tide = ROOT / "scenarios" / "tide_yanguan.yaml"
    for f in (ROOT / "scenarios").glob("yanguan*"):
        shutil.copy(f, tmp_path / f.name)
    raw = yaml.safe_load(tide.read_text())
    before = parse_scenario(raw, tmp_path).digest
    graphml = tmp_path / "yanguan_seawall.graphml"
    graphml.write_text(graphml.read_text() + "\n<!-- edited -->\n")
    assert parse_scenario(raw, tmp_path).digest != before


def test_resume_never_mixes_results_of_other_model_code(tmp_path, monkeypatch):
    s = load_scenario(BUNDLED)
    with RunStore(tmp_path / "runs.db") as store:
        run_plan(s, "night", 3, seed=5, store=store)
        assert run_plan(s, "night", 3, seed=5, store=store, resume=True).extra["reused"] == 3
        monkeypatch.setattr(sim.run.store, "model_version", lambda: "0.1.0+othercode")
        assert run_plan(s, "night", 3, seed=5, store=store, resume=True).extra == \
            {"reused": 0, "computed": 3}


def test_the_code_digest_follows_model_files_not_presentation(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "sim", pkg / "sim", ignore=shutil.ignore_patterns("__pycache__"))

    def version() -> str:
        r = subprocess.run(
            [sys.executable, "-c", "import sim; print(sim.__file__, sim.model_version())"],
            capture_output=True, text=True, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(pkg)}, check=True)
        where, digest = r.stdout.split()
        assert Path(where).is_relative_to(pkg)  # the copy is what was imported
        return digest

    original = version()
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{16}", original)
    with (pkg / "sim" / "present" / "plots.py").open("a") as f:
        f.write("\n# a presentation-only edit\n")
    assert version() == original
    with (pkg / "sim" / "kinds" / "muster" / "model.py").open("a") as f:
        f.write("\n# any edit of the model\n")
    assert version() != original


def test_a_bad_out_exits_2_before_any_replication(tmp_path, capsys):
    db = tmp_path / "runs.db"
    (tmp_path / "afile").write_text("x")
    # One real subprocess for the exit code and the absence of a traceback...
    t0 = time.perf_counter()
    r = cli("run", str(BUNDLED), "--reps", "5000", "--store", str(db), "--out",
            str(tmp_path / "afile"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("--out: cannot write the output folder there: it is a file")
    assert time.perf_counter() - t0 < 90  # 5,000 replications would take many minutes
    # ...the other bad folders in this process (the same main()).
    for out in (tmp_path / "afile" / "sub", Path("/proc/x")):
        t0 = time.perf_counter()
        code, _, err = _main(capsys, "run", str(BUNDLED), "--reps", "5000", "--store", str(db),
                             "--out", str(out))
        assert code == 2 and err.startswith("--out: cannot write the output folder there"), err
        assert time.perf_counter() - t0 < 30
    assert not db.exists() or _rows(db) == {}


def test_seeds_and_ids_beyond_sqlite_are_field_errors(tmp_path, capsys):
    db = str(tmp_path / "runs.db")
    r = cli("run", str(BUNDLED), "--reps", "2", "--store", db, "--seed", str(2**63))
    assert r.returncode == 2 and "--seed" in r.stderr and "Traceback" not in r.stderr
    code, out, err = _main(capsys, "runs", "show", str(2**70), "--store", db)
    assert code == 2 and "'ID'" in out + err  # (the argument as its usage line names it)
    raw = yaml.safe_load(BUNDLED.read_text())
    raw["seed"] = 2**63
    path = tmp_path / "big_seed.yaml"
    path.write_text(yaml.safe_dump(raw))
    for f in BUNDLED.parent.glob("*.graphml*"):
        shutil.copy(f, tmp_path / f.name)
    code, _, err = _main(capsys, "run", str(path), "--reps", "2", "--store", db, "--out",
                         str(tmp_path / "o"))
    assert code == 2 and "seed" in err and str(2**63) in err, err
    assert not (tmp_path / "o").exists()
    with RunStore(db) as store, pytest.raises(ScenarioError, match="seed: must be between"):
        store.load_replications("d", "p", 2**64, [0])


def test_output_folders_appear_whole_or_not_at_all(tmp_path):
    out = tmp_path / "results"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".results.tmp-{dead.pid}-0123abcd"  # left by a killed writer
    stale.mkdir()
    with pytest.raises(RuntimeError), atomic_folder(out) as tmp:
        (tmp / "summary.json").write_text("{}")
        raise RuntimeError("killed halfway")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with atomic_folder(out) as tmp:
        (tmp / "summary.json").write_text("1")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert out.stat().st_mode == plain.stat().st_mode  # the umask's mode, not mkdtemp's 0700
    (out / "report.html").write_text("kept")
    with atomic_folder(out) as tmp:
        (tmp / "summary.json").write_text("2")
    assert (out / "summary.json").read_text() == "2"
    assert (out / "report.html").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain", "results"]
    check_out_folder(out)
    check_out_folder(tmp_path / "new" / "deeper")
    with pytest.raises(ScenarioError, match="it is a file"):
        check_out_folder(out / "summary.json")


class _CutAfterBegin:
    """A store connection where a Ctrl-C lands just after BEGIN, before the write's ``try``
    (the window CI hit once: the run stayed 'running' after the command said 'interrupted')."""

    def __init__(self, db: sqlite3.Connection):
        self.db, self.cut = db, False

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        cur = self.db.execute(sql, *args)
        if sql == "BEGIN IMMEDIATE" and not self.cut:
            self.cut = True
            raise KeyboardInterrupt
        return cur

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction


def test_a_ctrl_c_just_after_begin_does_not_stop_the_run_being_marked(tmp_path):
    with RunStore(tmp_path / "runs.db") as store:
        run_id = store.start_run("compare", "s", None, "d", "muster", ["p"], 1, 5, None)
        real = store._db
        assert real is not None
        store._db = _CutAfterBegin(real)  # type: ignore[assignment]
        with pytest.raises(KeyboardInterrupt):
            store.mark(run_id, "finished")
        store.mark(run_id, "interrupted")
        store._db = real
        assert store.failed is None and store.warnings == []
        assert real.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
        assert not real.in_transaction
